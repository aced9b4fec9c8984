// Dunning timeline with a moved clock over the real HTTP app and a SQLite file: an invoice goes
// unpaid; reminders 1-3 go out on their days within sending hours; the late fee is charged and billed;
// the suspension waits out the weekend, a holiday and office hours; a payment resumes at once and the
// customer is notified; a whitelisted customer is never suspended. ServiceControl is a recording fake
// here (the last block uses the real one against the NAS simulator).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { Param, SqlClient } from '../../src/db/sql.js';
import { tokenStore } from '../../src/db/security.js';
import type { App } from '../../src/http/build.js';
import { buildApp } from '../helpers/app.js';
import type { Services } from '../../src/daemon.js';
import { TestClock } from '../../src/lib/clock.js';
import type { JobRunner } from '../../src/scheduler/jobs.js';
import { SecretBox } from '../../src/lib/secretbox.js';
import type { ActionRequest, ActionSummary, ServiceControl } from '../../src/nas/control.js';
import { openAppDatabase, type TestBackend } from '../helpers/backends.js';
import { tempDir } from '../helpers/daemon.js';

/** Records each call and changes the status as the real one does. */
class RecordingControl implements ServiceControl {
  calls: { op: string; serviceId: number; req: ActionRequest }[] = [];
  fail = false;
  constructor(private sql: SqlClient) {}
  private async record(op: string, serviceId: number, req: ActionRequest, status?: string): Promise<ActionSummary> {
    if (this.fail) throw new Error('NAS unreachable');
    this.calls.push({ op, serviceId, req });
    if (status) await this.sql.run('update services set status = ? where id = ?', status, serviceId);
    return { serviceId, actions: [] };
  }
  suspend(id: number, req: ActionRequest) { return this.record('suspend', id, req, 'suspended'); }
  resume(id: number, req: ActionRequest) { return this.record('resume', id, req, 'active'); }
  disconnect(id: number, req: ActionRequest) { return this.record('disconnect', id, req); }
  refreshRate(id: number, req: ActionRequest) { return this.record('refreshRate', id, req); }
}

let app: App;
let services: Services;
let jobs: JobRunner;
let backend: TestBackend;
let sql: SqlClient;
let token: string;
let control: RecordingControl;
const clock = new TestClock('2026-03-01T01:30:00Z'); // 02:30 in Rome (CET), after run_at 02:00
const A = { customerId: 0, serviceId: 0 };
const B = { customerId: 0, serviceId: 0 };
let profileId = 0;

async function call(method: string, url: string, payload?: unknown, status?: number) {
  const res = await app.inject({ method: method as 'GET', url, payload: payload as object, headers: { authorization: `Bearer ${token}` } });
  if (status !== undefined) expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(status);
  return res.body ? res.json() : undefined;
}
const rows = <T = Record<string, unknown>>(text: string, ...args: Param[]) => sql.all<T>(text, ...args);
/** The dunning notices of a customer (invoice.issued and payment.received are checked apart). */
const outbox = (customerId: number) => rows<{ template: string; channel: string; recipient: string; next_attempt_at: string; subject: string; body: string }>(
  "select template, channel, recipient, next_attempt_at, subject, body from notification_outbox where customer_id = ? and template not in ('invoice.issued', 'payment.received') order by id", customerId);
const notices = (customerId: number, template: string) => rows<{ channel: string; dedupe_key: string }>('select channel, dedupe_key from notification_outbox where customer_id = ? and template = ? order by id', customerId, template);
const at = async (iso: string) => {
  clock.set(iso);
  const r = await jobs.runDue();
  expect(r.ok || r.skipped === 'nothing_due', JSON.stringify(r)).toBe(true);
  return r;
};

beforeAll(async () => {
  backend = await openAppDatabase(tempDir());
  ({ sql } = backend);
  control = new RecordingControl(sql);
  ({ app, services, jobs } = await buildApp({ sql, db: backend.db, box: new SecretBox(randomBytes(32)), config: loadConfig(undefined, {}).config, clock, control }));
  token = (await tokenStore(sql).create({ name: 't', role: 'super-admin', actor: { id: 'cli' } })).token;
  const plan = await call('POST', '/api/v1/plans', { name: 'Home', type: 'recurring', price: 3000, billingPeriodMonths: 1, downloadKbps: 10000, uploadKbps: 2000 }, 201);
  const profile = await call('POST', '/api/v1/billing-profiles', {
    name: 'Standard', isDefault: true, daysUntilDue: 10,
    reminders: [
      { afterDays: 1, channels: ['email'], template: 'invoice.reminder.1' },
      { afterDays: 3, channels: ['sms'], template: 'invoice.reminder.2' },
      { afterDays: 5, channels: ['email', 'sms'], template: 'invoice.reminder.3' },
    ],
    lateFeeAmount: 500, lateFeeAfterDays: 3, graceDays: 2,
    quietWeekdays: [6, 7], quietDates: ['2026-03-16'], officeHoursStart: '09:00', officeHoursEnd: '17:00',
  }, 201);
  profileId = profile.id;
  for (const [who, name, user] of [[A, 'Anna Bianchi', 'anna'], [B, 'Bruno Neri', 'bruno']] as const) {
    who.customerId = (await call('POST', '/api/v1/customers', { name, email: `${user}@example.net`, phone: '+390612345678' }, 201)).id;
    who.serviceId = (await call('POST', '/api/v1/services', { customerId: who.customerId, planId: plan.id, username: user, password: 'pw-123456', startDate: '2026-03-01' }, 201)).id;
  }
  await call('PUT', `/api/v1/customers/${B.customerId}/billing-profile`, { whitelisted: true }, 200);
  // Reminder 1 by email only between 08:00 and 20:00.
  await call('PUT', '/api/v1/notification-templates/invoice.reminder.1/email', {
    subject: 'Reminder {{invoiceNumber}}', body: '<p>{{customerName}}, {{amount}} was due on {{dueDate}}.</p>', sendFrom: '08:00', sendUntil: '20:00',
  }, 200);
});
afterAll(async () => {
  await app?.close();
  await backend?.close();
});

describe('billing profiles API', () => {
  it('validates, names the field and leaves the database unchanged', async () => {
    const before = await rows('select * from billing_profiles');
    const bad = await call('POST', '/api/v1/billing-profiles', { name: 'X', reminders: [{ afterDays: 5, channels: ['email'], template: 'invoice.reminder.1' }, { afterDays: 2, channels: ['email'], template: 'invoice.reminder.2' }] }, 422);
    expect(bad.errors[0].field).toBe('reminders.1.afterDays');
    expect((await call('POST', '/api/v1/billing-profiles', { name: 'Y', lateFeeAmount: 100 }, 422)).errors[0].field).toBe('lateFeeAfterDays');
    expect((await call('POST', '/api/v1/billing-profiles', { name: 'Z', reminders: [{ afterDays: 1, channels: ['sms'], template: 'no.such' }] }, 422)).errors[0]).toEqual({ field: 'reminders.0.template', message: 'no template no.such for sms' });
    expect((await call('POST', '/api/v1/billing-profiles', { name: 'Standard' }, 409)).errors[0].field).toBe('name');
    expect((await call('PUT', `/api/v1/customers/${A.customerId}/billing-profile`, { billingProfileId: 999 }, 422)).errors[0].field).toBe('billingProfileId');
    expect(await rows('select * from billing_profiles')).toEqual(before);
    expect(await call('GET', `/api/v1/customers/${B.customerId}/billing-profile`, undefined, 200)).toEqual({ customerId: B.customerId, billingProfileId: null, effectiveProfileId: profileId, whitelisted: true });
    expect(await call('DELETE', `/api/v1/billing-profiles/${profileId}`, undefined, 204)).toBeUndefined();
  });
});

describe('the dunning timeline', () => {
  it('bills on day 1 with the profile\'s days until due', async () => {
    // The profile deleted by the test above comes back (the daily run reads it).
    const p = await call('POST', '/api/v1/billing-profiles', {
      name: 'Standard', isDefault: true, daysUntilDue: 10,
      reminders: [
        { afterDays: 1, channels: ['email'], template: 'invoice.reminder.1' },
        { afterDays: 3, channels: ['sms'], template: 'invoice.reminder.2' },
        { afterDays: 5, channels: ['email', 'sms'], template: 'invoice.reminder.3' },
      ],
      lateFeeAmount: 500, lateFeeAfterDays: 3, graceDays: 2,
      quietWeekdays: [6, 7], quietDates: ['2026-03-16'], officeHoursStart: '09:00', officeHoursEnd: '17:00',
    }, 201);
    profileId = p.id;
    await at('2026-03-01T01:30:00Z');
    expect(await rows('select customer_id, due_date, total from invoices order by customer_id')).toEqual([
      { customer_id: A.customerId, due_date: '2026-03-11', total: 3000 },
      { customer_id: B.customerId, due_date: '2026-03-11', total: 3000 },
    ]);
    // The invoice notice, by email and SMS, once.
    expect(await notices(A.customerId, 'invoice.issued')).toEqual([{ channel: 'email', dedupe_key: expect.stringMatching(/^invoice:\d+:issued$/) }, { channel: 'sms', dedupe_key: expect.stringMatching(/^invoice:\d+:issued$/) }]);
    await call('POST', '/api/v1/billing/run', { date: '2026-03-01' }, 200);
    expect(await notices(A.customerId, 'invoice.issued')).toHaveLength(2);
    expect((await call('GET', '/api/v1/jobs', undefined, 200)).items.map((j: { name: string; lastDate: string }) => [j.name, j.lastDate]).slice(0, 5)).toEqual([['plan-changes', '2026-03-01'], ['billing', '2026-03-01'], ['invoice-notices', '2026-03-01'], ['einvoice', '2026-03-01'], ['dunning', '2026-03-01']]);
  });

  it('catches up 12 missed days in order and sends reminder 1 on its day, inside sending hours', async () => {
    const r = await at('2026-03-13T01:30:00Z');
    // Every date from 03-02 to 03-13, billing before dunning on each.
    expect(r.steps.filter((s) => s.job === 'billing' || s.job === 'dunning').map((s) => `${s.date}/${s.job}`)).toEqual(
      Array.from({ length: 12 }, (_, i) => `2026-03-${String(i + 2).padStart(2, '0')}`).flatMap((d) => [`${d}/billing`, `${d}/dunning`]),
    );
    // Queued now (02:30 on the 13th, catching up the 12th), sent from 08:00 local.
    const a = await outbox(A.customerId);
    expect(a).toEqual([expect.objectContaining({ template: 'invoice.reminder.1', channel: 'email', recipient: 'anna@example.net', next_attempt_at: '2026-03-13T07:00:00.000Z', subject: 'Reminder INV-2026-000001' })]);
    expect(a[0]!.body).toContain('Anna Bianchi, €30.00 was due on 11 Mar 2026.');
    expect((await outbox(B.customerId)).map((m) => m.template)).toEqual(['invoice.reminder.1']);
    expect(await rows("select key, date from dunning_events where customer_id = ? order by id", A.customerId)).toEqual([{ key: expect.stringMatching(/^invoice:\d+:reminder:1$/), date: '2026-03-12' }]);
  });

  it('on Saturday sends reminder 2 and the late fee, and waits with the suspension', async () => {
    await at('2026-03-14T01:30:00Z');
    expect((await outbox(A.customerId)).map((m) => `${m.template}/${m.channel}`)).toEqual(['invoice.reminder.1/email', 'invoice.reminder.2/sms']);
    expect(await rows("select amount, date, description from one_off_charges where customer_id = ?", A.customerId)).toEqual([{ amount: 500, date: '2026-03-14', description: 'Late fee, invoice INV-2026-000001' }]);
    await at('2026-03-14T11:00:00Z');
    expect(control.calls).toEqual([]);
    const queue = (await call('GET', '/api/v1/dunning', undefined, 200)).items;
    expect(queue.find((q: { customerId: number }) => q.customerId === A.customerId)).toMatchObject({
      invoiceNumber: 'INV-2026-000001', open: 3000, suspensionDate: '2026-03-14',
      // Saturday, Sunday, then Monday 16 is a holiday: Tuesday 09:00 CET.
      suspendAt: '2026-03-17T08:00:00.000Z', services: [{ id: A.serviceId, username: 'anna' }], whitelisted: false,
    });
    expect(queue.find((q: { customerId: number }) => q.customerId === B.customerId)).toMatchObject({ whitelisted: true, suspendAt: null, suspensionDate: null });
  });

  it('bills the late fee in the next run; reminder 3 goes out on the holiday; no suspension on it', async () => {
    await at('2026-03-16T10:00:00Z');
    expect(await rows("select l.kind, l.amount from invoice_lines l join invoices i on i.id = l.invoice_id where i.customer_id = ? and l.kind = 'one_off'", A.customerId)).toEqual([{ kind: 'one_off', amount: 500 }]);
    expect((await outbox(A.customerId)).map((m) => `${m.template}/${m.channel}`)).toEqual(['invoice.reminder.1/email', 'invoice.reminder.2/sms', 'invoice.reminder.3/email', 'invoice.reminder.3/sms']);
    expect(control.calls).toEqual([]);
  });

  it('suspends on Tuesday at 09:00 local, once, and never the whitelisted customer', async () => {
    await at('2026-03-17T07:59:00Z');
    expect(control.calls).toEqual([]);
    await at('2026-03-17T08:00:00Z');
    expect(control.calls).toEqual([{ op: 'suspend', serviceId: A.serviceId, req: expect.objectContaining({
      by: 'system:dunning', reason: 'invoice INV-2026-000001 overdue since 2026-03-11',
      reasonMessage: { key: 'reason.action.overdue', values: { number: 'INV-2026-000001', date: '2026-03-11' } },
    }) }]);
    await at('2026-03-17T08:05:00Z');
    await call('POST', '/api/v1/billing/run', { date: '2026-03-17' }, 200);
    expect(control.calls).toHaveLength(1);
    expect((await outbox(A.customerId)).filter((m) => m.template === 'service.suspended').map((m) => m.channel)).toEqual(['email', 'sms']);
    const events = (await call('GET', `/api/v1/dunning/events?customerId=${A.customerId}&kind=suspend`, undefined, 200)).items;
    expect(events).toEqual([expect.objectContaining({ serviceId: A.serviceId, date: '2026-03-17', resolvedAt: null, detail: expect.objectContaining({ state: 'done' }) })]);
    expect(await rows('select status from services where id = ?', B.serviceId)).toEqual([{ status: 'active' }]);
  });

  it('a payment that clears the overdue balance resumes at once and notifies', async () => {
    clock.set('2026-03-17T10:00:00Z');
    // A part payment leaves the service suspended.
    await call('POST', '/api/v1/payments', { customerId: A.customerId, amount: 1000, method: 'bank', receivedAt: '2026-03-17T10:00:00Z' }, 201);
    await services.dunning.idle();
    expect(control.calls.map((c) => c.op)).toEqual(['suspend']);
    await call('POST', '/api/v1/payments', { customerId: A.customerId, amount: 2000, method: 'bank', receivedAt: '2026-03-17T10:01:00Z' }, 201);
    await services.dunning.idle();
    await services.notifier.idle(); // the payment notices are queued after commit
    expect(control.calls.map((c) => `${c.op}:${c.serviceId}`)).toEqual([`suspend:${A.serviceId}`, `resume:${A.serviceId}`]);
    expect(control.calls[1]!.req).toEqual({ reason: 'overdue balance paid', reasonMessage: { key: 'reason.action.overduePaid' }, by: 'system:dunning' });
    expect((await notices(A.customerId, 'payment.received')).map((n) => n.channel)).toEqual(['email', 'sms', 'email', 'sms']);
    expect((await outbox(A.customerId)).filter((m) => m.template === 'service.resumed').map((m) => m.channel)).toEqual(['email', 'sms']);
    expect(await rows("select kind from dunning_events where customer_id = ? and kind in ('suspend', 'resume') order by id", A.customerId)).toEqual([{ kind: 'suspend' }, { kind: 'resume' }]);
    expect(await rows("select resolved_at from dunning_events where customer_id = ? and kind = 'suspend'", A.customerId)).toEqual([{ resolved_at: '2026-03-17T10:00:00.000Z' }]);
    // The same invoice never suspends again; the whitelisted customer is still untouched days later.
    await at('2026-03-20T10:00:00Z');
    expect(control.calls).toHaveLength(2);
    expect(await rows('select status from services where id = ?', B.serviceId)).toEqual([{ status: 'active' }]);
  });

  it('a failed suspension is retried at the next tick, not lost', async () => {
    // B leaves the whitelist; the NAS is unreachable at first.
    await call('PUT', `/api/v1/customers/${B.customerId}/billing-profile`, { whitelisted: false }, 200);
    control.fail = true;
    clock.set('2026-03-20T10:05:00Z');
    await jobs.runDue();
    expect(await rows("select count(*) as n from dunning_events where customer_id = ? and kind = 'suspend'", B.customerId)).toEqual([{ n: 0 }]);
    control.fail = false;
    await at('2026-03-20T10:06:00Z');
    expect(control.calls.at(-1)).toMatchObject({ op: 'suspend', serviceId: B.serviceId });
    // Suspended contracts are not invoiced further (the profile's billSuspended is false): on April 1st
    // only A (active again) gets its April invoice.
    await at('2026-04-01T01:30:00Z');
    expect(await rows("select customer_id from invoices where issue_date = '2026-04-01' order by customer_id")).toEqual([{ customer_id: A.customerId }]);
    // A's invoice of March 15th bills only the late fee: overdue, it gets reminders but no fee on the fee.
    const feeInvoice = (await rows<{ id: number }>("select id from invoices where customer_id = ? and issue_date = '2026-03-15'", A.customerId))[0]!.id;
    expect((await rows<{ kind: string; detail: string }>('select kind, detail from dunning_events where invoice_id = ? order by id', feeInvoice)).map((e) => [e.kind, JSON.parse(e.detail).skipped ?? null])).toEqual([
      ['reminder', null], ['reminder', null], ['late_fee', 'the invoice bills late fees only'], ['reminder', null],
    ]);
    expect(await rows('select count(*) as n from one_off_charges where customer_id = ?', A.customerId)).toEqual([{ n: 1 }]);
    const audit = await rows<{ entity: string }>("select entity from audit_log where entity in ('billing_profile', 'customer_dunning', 'notification_template')");
    expect(new Set(audit.map((r) => r.entity))).toEqual(new Set(['billing_profile', 'customer_dunning', 'notification_template']));
  });
});
