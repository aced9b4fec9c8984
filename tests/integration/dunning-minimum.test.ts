// The minimum overdue amount of a billing profile, over the real HTTP app with a moved clock: a
// customer who left one cent unpaid gets no reminder, late fee or suspension (the default minimum is
// one unit of the currency, 100 cents in EUR); one who owes the whole invoice does; a profile's own
// minimum above the debt spares the customer; a payment that leaves less than the minimum overdue
// resumes at once. ServiceControl is a recording fake.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { Param, SqlClient } from '../../src/db/sql.js';
import { tokenStore } from '../../src/db/security.js';
import type { Services } from '../../src/daemon.js';
import type { App } from '../../src/http/build.js';
import { TestClock } from '../../src/lib/clock.js';
import { SecretBox } from '../../src/lib/secretbox.js';
import type { ActionRequest, ActionSummary, ServiceControl } from '../../src/nas/control.js';
import type { JobRunner } from '../../src/scheduler/jobs.js';
import { buildApp } from '../helpers/app.js';
import { openAppDatabase, type TestBackend } from '../helpers/backends.js';
import { tempDir } from '../helpers/daemon.js';

class RecordingControl implements ServiceControl {
  calls: string[] = [];
  constructor(private sql: SqlClient) {}
  private async record(op: string, serviceId: number, status?: string): Promise<ActionSummary> {
    this.calls.push(`${op}:${serviceId}`);
    if (status) await this.sql.run('update services set status = ? where id = ?', status, serviceId);
    return { serviceId, actions: [] };
  }
  suspend(id: number, _req: ActionRequest) { return this.record('suspend', id, 'suspended'); }
  resume(id: number, _req: ActionRequest) { return this.record('resume', id, 'active'); }
  disconnect(id: number, _req: ActionRequest) { return this.record('disconnect', id); }
  refreshRate(id: number, _req: ActionRequest) { return this.record('refreshRate', id); }
}

let app: App;
let backend: TestBackend;
let sql: SqlClient;
let jobs: JobRunner;
let services: Services;
let token: string;
let control: RecordingControl;
const clock = new TestClock('2026-03-01T01:30:00Z'); // 02:30 in Rome, after run_at 02:00
/** Cent: leaves one cent unpaid. Whole: pays nothing. Spared: owes 30.00 under a profile whose minimum is 50.00. */
const who = { cent: { c: 0, s: 0 }, whole: { c: 0, s: 0 }, spared: { c: 0, s: 0 } };

async function call(method: string, url: string, payload?: unknown, status?: number) {
  const res = await app.inject({ method: method as 'GET', url, payload: payload as object, headers: { authorization: `Bearer ${token}` } });
  if (status !== undefined) expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(status);
  return res.body ? res.json() : undefined;
}
const rows = <T = Record<string, unknown>>(text: string, ...args: Param[]) => sql.all<T>(text, ...args);
const events = async (customerId: number) => (await rows<{ kind: string }>('select kind from dunning_events where customer_id = ? order by id', customerId)).map((e) => e.kind);
const at = async (iso: string) => {
  clock.set(iso);
  const r = await jobs.runDue();
  expect(r.ok || r.skipped === 'nothing_due', JSON.stringify(r)).toBe(true);
};
const ladder = {
  daysUntilDue: 10, reminders: [{ afterDays: 1, channels: ['email'], template: 'invoice.reminder.1' }],
  lateFeeAmount: 500, lateFeeAfterDays: 1, graceDays: 0, quietWeekdays: [], quietDates: [],
};

beforeAll(async () => {
  backend = await openAppDatabase(tempDir('tollgate-dunning-min-'));
  ({ sql } = backend);
  control = new RecordingControl(sql);
  ({ app, jobs, services } = await buildApp({ sql, db: backend.db, box: new SecretBox(randomBytes(32)), config: loadConfig(undefined, {}).config, clock, control }));
  token = (await tokenStore(sql).create({ name: 't', role: 'super-admin', actor: { id: 'cli' } })).token;
});
afterAll(async () => {
  await app?.close();
  await backend?.close();
});

describe('minOverdueAmount on billing profiles', () => {
  it('defaults to null (one unit of the currency), is validated and can be set', async () => {
    const p = await call('POST', '/api/v1/billing-profiles', { name: 'Standard', isDefault: true, ...ladder }, 201);
    expect(p.minOverdueAmount).toBeNull();
    for (const bad of [-1, 1.5, '100', 1e14]) {
      const r = await call('POST', '/api/v1/billing-profiles', { name: 'Bad', minOverdueAmount: bad }, 422);
      expect(r.errors[0].field).toBe('minOverdueAmount');
    }
    expect(await rows("select count(*) as n from billing_profiles where name = 'Bad'")).toEqual([{ n: 0 }]);
    const high = await call('POST', '/api/v1/billing-profiles', { name: 'High minimum', ...ladder, minOverdueAmount: 4000 }, 201);
    expect((await call('PATCH', `/api/v1/billing-profiles/${high.id}`, { minOverdueAmount: 5000 }, 200)).minOverdueAmount).toBe(5000);
    expect((await call('GET', `/api/v1/billing-profiles/${high.id}`, undefined, 200)).minOverdueAmount).toBe(5000);
    const doc = await call('GET', '/api/v1/openapi.json', undefined, 200);
    expect(JSON.stringify(doc)).toContain('one unit of the billing currency');

    const plan = await call('POST', '/api/v1/plans', { name: 'Home', type: 'recurring', price: 3000, billingPeriodMonths: 1, downloadKbps: 10000, uploadKbps: 2000 }, 201);
    for (const [name, x] of Object.entries(who)) {
      x.c = (await call('POST', '/api/v1/customers', { name, email: `${name}@example.net` }, 201)).id;
      x.s = (await call('POST', '/api/v1/services', { customerId: x.c, planId: plan.id, username: name, password: 'pw-123456', startDate: '2026-03-01' }, 201)).id;
    }
    await call('PUT', `/api/v1/customers/${who.spared.c}/billing-profile`, { billingProfileId: high.id }, 200);
  });

  it('no reminder, late fee or suspension below the minimum; all three at or above it', async () => {
    await at('2026-03-01T01:30:00Z');
    expect(await rows('select customer_id as c, due_date as d, total from invoices order by customer_id')).toEqual([
      { c: who.cent.c, d: '2026-03-11', total: 3000 }, { c: who.whole.c, d: '2026-03-11', total: 3000 }, { c: who.spared.c, d: '2026-03-11', total: 3000 },
    ]);
    clock.set('2026-03-05T10:00:00Z');
    await call('POST', '/api/v1/payments', { customerId: who.cent.c, amount: 2999, method: 'bank', receivedAt: '2026-03-05T10:00:00Z' }, 201);
    // Due 11 March: reminder and fee on the 12th, suspension on the 12th (grace 0).
    for (const d of ['2026-03-12T10:00:00Z', '2026-03-13T10:00:00Z']) await at(d);
    expect(await events(who.whole.c)).toEqual(['reminder', 'late_fee', 'suspend']);
    expect(control.calls).toEqual([`suspend:${who.whole.s}`]);
    // One cent overdue (default minimum 100), 30.00 under a minimum of 50.00: nothing at all.
    expect(await events(who.cent.c)).toEqual([]);
    expect(await events(who.spared.c)).toEqual([]);
    expect(await rows('select customer_id as c from one_off_charges order by id')).toEqual([{ c: who.whole.c }]);
    expect(await rows('select id, status from services where id in (?, ?) order by id', who.cent.s, who.spared.s)).toEqual([
      { id: who.cent.s, status: 'active' }, { id: who.spared.s, status: 'active' },
    ]);
    // Nor are they queued for a suspension.
    const queued = (await call('GET', '/api/v1/dunning', undefined, 200)).items.map((q: { customerId: number }) => q.customerId);
    expect(queued).not.toContain(who.cent.c);
    expect(queued).not.toContain(who.spared.c);
  });

  it('a payment that leaves less than the minimum overdue resumes at once', async () => {
    clock.set('2026-03-13T11:00:00Z');
    // 30.00 - 29.00 = 1.00 left: still the minimum, still suspended.
    await call('POST', '/api/v1/payments', { customerId: who.whole.c, amount: 2900, method: 'bank', receivedAt: '2026-03-13T11:00:00Z' }, 201);
    await services.dunning.idle();
    expect(control.calls).toEqual([`suspend:${who.whole.s}`]);
    // 0.50 more: 0.50 left, below one euro.
    await call('POST', '/api/v1/payments', { customerId: who.whole.c, amount: 50, method: 'bank', receivedAt: '2026-03-13T11:01:00Z' }, 201);
    await services.dunning.idle();
    expect(control.calls).toEqual([`suspend:${who.whole.s}`, `resume:${who.whole.s}`]);
    expect(await events(who.whole.c)).toEqual(['reminder', 'late_fee', 'suspend', 'resume']);
  });
});
