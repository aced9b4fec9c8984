// Prepaid services end to end: top-ups through the API (from now, from a future expiry, after the
// expiry), the receipt in the billing ledger, Session-Timeout in the Accept over real UDP, expiry
// notices at N days (each once, catch-up sends only the most urgent), and the cut-off job.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrepaidOps } from '../../src/billing/prepaid-ops.js';
import type { Param } from '../../src/db/sql.js';
import { login, RecordingNotifier, startEnv, type Env } from '../helpers/prepaid-env.js';

const DAY = 86_400_000;
let env: Env;
let planId: number;
let customerId: number;

const count = async (text: string, ...args: Param[]) => (await env.sql.get<{ n: number }>(text, ...args))!.n;
async function newService(username: string, extra: Record<string, unknown> = {}) {
  const r = await env.call('POST', '/api/v1/services', { customerId, planId, username, password: `pw-${username}`, startDate: '2026-03-01', ...extra });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.id as number;
}

beforeAll(async () => {
  env = await startEnv({ start: '2026-03-10T10:00:00.000Z' });
  const plan = await env.call('POST', '/api/v1/plans', { name: 'Prepaid 30', type: 'prepaid', price: 2000, validityDays: 30, taxRateBp: 2200, taxInclusive: true, downloadKbps: 8000, uploadKbps: 2000 });
  expect(plan.status, JSON.stringify(plan.body)).toBe(201);
  planId = plan.body.id;
  customerId = (await env.call('POST', '/api/v1/customers', { name: 'Anna Prepaid', email: 'anna@example.net' })).body.id;
});
afterAll(async () => env?.close());

describe('prepaid top-up', () => {
  it('extends from now when there is no expiry, records the payment and a paid invoice as receipt', async () => {
    const id = await newService('pp-first');
    const r = await env.call('POST', `/api/v1/services/${id}/topup`, { method: 'cash', reference: 'shop 4' });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.previousExpiresAt).toBeNull();
    expect(r.body.expiresAt).toBe(new Date(env.clock.now().getTime() + 30 * DAY).toISOString());
    const svc = (await env.call('GET', `/api/v1/services/${id}`)).body;
    expect(svc.expiresAt).toBe(r.body.expiresAt);
    const inv = (await env.call('GET', `/api/v1/invoices/${r.body.invoiceId}`)).body;
    expect(inv).toMatchObject({ number: r.body.invoiceNumber, total: 2000, paid: 2000, open: 0, status: 'paid', customerId });
    expect(inv.lines[0]).toMatchObject({ kind: 'one_off', serviceId: id, gross: 2000, taxRateBp: 2200 });
    expect(r.body.invoiceNumber).toMatch(/^RC-2026-\d+$/);
    const pdf = await env.call('GET', `/api/v1/invoices/${r.body.invoiceId}/pdf`);
    expect(pdf.status).toBe(200);
    expect(pdf.raw.subarray(0, 5).toString()).toBe('%PDF-');
    expect(inv.lines[0].net + inv.lines[0].tax).toBe(2000);
    const pay = (await env.call('GET', `/api/v1/payments/${r.body.paymentId}`)).body;
    expect(pay).toMatchObject({ amount: 2000, method: 'cash', reference: 'shop 4', customerId });
    expect(await env.services.billing.ledgerConsistent(customerId)).toBe(true);
    expect(await count(`select count(*) n from audit_log where action = 'topup' and entity = 'service' and entity_id = ?`, String(id))).toBe(1);
  });

  it('extends from the current expiry when it is in the future, and from now once it has passed', async () => {
    const id = await newService('pp-stack');
    const first = (await env.call('POST', `/api/v1/services/${id}/topup`, {})).body;
    const second = await env.call('POST', `/api/v1/services/${id}/topup`, { count: 2 });
    expect(second.body.previousExpiresAt).toBe(first.expiresAt);
    expect(second.body.expiresAt).toBe(new Date(Date.parse(first.expiresAt) + 60 * DAY).toISOString());
    expect(second.body.topup.days).toBe(60);
    // An admin extension, free: no payment, no receipt.
    const free = (await env.call('POST', `/api/v1/services/${id}/topup`, { source: 'admin', amount: 0 })).body;
    expect(free).toMatchObject({ paymentId: null, invoiceId: null });
    expect(free.expiresAt).toBe(new Date(Date.parse(second.body.expiresAt) + 30 * DAY).toISOString());

    const lapsed = await newService('pp-lapsed', { expiresAt: '2026-03-01T00:00:00.000Z' });
    const t = (await env.call('POST', `/api/v1/services/${lapsed}/topup`, {})).body;
    expect(t.previousExpiresAt).toBe('2026-03-01T00:00:00.000Z');
    expect(t.expiresAt).toBe(new Date(env.clock.now().getTime() + 30 * DAY).toISOString());
    const list = (await env.call('GET', `/api/v1/services/${id}/topups`)).body.items;
    expect(list.map((x: { source: string }) => x.source)).toEqual(['payment', 'payment', 'admin']);
  });

  it('refuses bad input without changing anything', async () => {
    const recurring = (await env.call('POST', '/api/v1/plans', { name: 'Monthly', type: 'recurring', price: 3000, billingPeriodMonths: 1, downloadKbps: 1000, uploadKbps: 1000 })).body;
    const rid = (await env.call('POST', '/api/v1/services', { customerId, planId: recurring.id, username: 'pp-recurring', password: 'x', startDate: '2026-03-01' })).body.id;
    const before = (await count('select count(*) n from payments')) + (await count('select count(*) n from invoices')) + (await count('select count(*) n from prepaid_topups'));
    const notPrepaid = await env.call('POST', `/api/v1/services/${rid}/topup`, {});
    expect(notPrepaid.status).toBe(409);
    expect(notPrepaid.type).toContain('application/problem+json');
    expect((await env.call('POST', '/api/v1/services/999999/topup', {})).status).toBe(404);
    const bad = await env.call('POST', `/api/v1/services/${rid}/topup`, { amount: -5 });
    expect(bad.status).toBe(422);
    expect(JSON.stringify(bad.body)).toContain('amount');
    expect((await count('select count(*) n from payments')) + (await count('select count(*) n from invoices')) + (await count('select count(*) n from prepaid_topups'))).toBe(before);
  });
});

describe('prepaid at the NAS', () => {
  it('caps the session at the expiry with Session-Timeout and rejects once it has passed', async () => {
    const id = await newService('pp-radius');
    // No credit yet: rejected.
    const none = await login(env, 'pp-radius', 'pw-pp-radius');
    expect(none.accept).toBe(false);
    expect(String(none.attrs['Reply-Message'])).toContain('prepaid');
    const t = (await env.call('POST', `/api/v1/services/${id}/topup`, {})).body;
    const ok = await login(env, 'pp-radius', 'pw-pp-radius');
    expect(ok.accept).toBe(true);
    expect(ok.attrs['Session-Timeout']).toBe(30 * 86400);
    // Later: the timeout is what is left, never past the expiry.
    env.clock.set(new Date(Date.parse(t.expiresAt) - 90_000));
    const late = await login(env, 'pp-radius', 'pw-pp-radius');
    expect(late.accept).toBe(true);
    expect(late.attrs['Session-Timeout']).toBe(90);
    env.clock.set(new Date(Date.parse(t.expiresAt) + 1000));
    const after = await login(env, 'pp-radius', 'pw-pp-radius');
    expect(after.accept).toBe(false);
    expect(after.attrs['Reply-Message']).toBe(`prepaid expired at ${t.expiresAt}`);
    // A top-up brings it back at once (the RADIUS cache is refreshed).
    await env.call('POST', `/api/v1/services/${id}/topup`, {});
    expect((await login(env, 'pp-radius', 'pw-pp-radius')).accept).toBe(true);
    env.clock.set('2026-03-10T10:00:00.000Z');
  });
});

describe('expiry notices and cut-off', () => {
  it('sends each notice once at N days, the most urgent only after downtime, and disconnects at expiry', async () => {
    const notifier = new RecordingNotifier();
    const ops = createPrepaidOps({ sql: env.sql, box: env.box, config: env.config, clock: env.clock, control: env.control, notifier });
    const start = env.clock.now().getTime();
    const a = await newService('pp-notice-a');
    const b = await newService('pp-notice-b');
    const ta = await ops.prepaid.topup(a, { source: 'admin', amount: 0 }, { id: 'test' });
    const tb = await ops.prepaid.topup(b, { source: 'admin', amount: 0 }, { id: 'test' });
    const expA = Date.parse(ta.expiresAt);
    const mine = () => notifier.sent.filter((n) => (n.serviceId === a || n.serviceId === b) && n.template === 'prepaid.expiring');
    const at = async (ms: number) => {
      env.clock.set(new Date(ms));
      return ops.prepaid.runExpiry(env.clock.now());
    };
    await at(expA - 8 * DAY);
    expect(mine()).toHaveLength(0);
    await at(expA - 7 * DAY + 1000);
    await at(expA - 7 * DAY + 2000);
    expect(mine().map((n) => [n.serviceId, n.data.days])).toEqual([[a, 7], [b, 7]]);
    expect(mine()[0]).toMatchObject({ template: 'prepaid.expiring', customerId, data: { expiresAt: ta.expiresAt, daysLeft: 7 } });
    // b's customer tops up: a new expiry, so its notices start over later.
    await ops.prepaid.topup(b, { source: 'admin', amount: 0 }, { id: 'test' });
    // Down for five days: at 1.5 days before, only the 3-day notice; then the 1-day one.
    await at(expA - 1.5 * DAY);
    await at(expA - 0.5 * DAY);
    await at(expA - 0.4 * DAY);
    expect(mine().filter((n) => n.serviceId === a).map((n) => n.data.days)).toEqual([7, 3, 1]);
    expect(mine().filter((n) => n.serviceId === b).map((n) => n.data.days)).toEqual([7]);

    const before = env.control.of('disconnect', a).length;
    const cut = await at(expA + 5000);
    expect(cut.expired.map((e) => e.serviceId)).toContain(a);
    expect(env.control.of('disconnect', a)).toHaveLength(before + 1);
    expect(env.control.of('disconnect', a).at(-1)!.req).toMatchObject({ by: 'system:prepaid' });
    expect(env.control.of('disconnect', b)).toHaveLength(0);
    expect(notifier.sent.filter((n) => n.serviceId === a && n.template === 'prepaid.expired')).toHaveLength(1);
    expect(notifier.sent.filter((n) => n.serviceId === a && n.template === 'prepaid.topup')).toHaveLength(1);
    await at(expA + 60_000);
    expect(env.control.of('disconnect', a)).toHaveLength(before + 1);
    expect(Date.parse(tb.expiresAt)).toBeGreaterThanOrEqual(expA);
    env.clock.set(new Date(start));
  });

  it('is registered with the job runner and runs with the daily run', async () => {
    expect(env.jobs.jobs().map((j) => j.name)).toEqual(expect.arrayContaining(['prepaid-expiry', 'cap-reset']));
    const id = await newService('pp-daily');
    const t = (await env.call('POST', `/api/v1/services/${id}/topup`, { source: 'admin', amount: 0 })).body;
    env.clock.set(new Date(Date.parse(t.expiresAt) + 3_600_000));
    const run = await env.call('POST', '/api/v1/billing/run', { date: new Date(Date.parse(t.expiresAt) + 3_600_000).toISOString().slice(0, 10) });
    expect(run.status, JSON.stringify(run.body)).toBe(200);
    expect(env.control.of('disconnect', id)).toHaveLength(1);
    expect(await count(`select count(*) n from service_notices where service_id = ? and key like 'prepaid.expired:%'`, id)).toBe(1);
  });
});

describe('expired prepaid in walled-garden mode', () => {
  it('accepts the next login into the walled garden instead of refusing it', async () => {
    const wg = await startEnv({ start: '2026-03-10T10:00:00.000Z', tomlExtra: '[prepaid]\nexpired_mode = "walled-garden"\n' });
    try {
      const plan = (await wg.call('POST', '/api/v1/plans', { name: 'PP', type: 'prepaid', price: 100, validityDays: 1, downloadKbps: 8000, uploadKbps: 2000 })).body.id;
      const cust = (await wg.call('POST', '/api/v1/customers', { name: 'Garden' })).body.id;
      const id = (await wg.call('POST', '/api/v1/services', { customerId: cust, planId: plan, username: 'wg-user', password: 'pw', startDate: '2026-03-01' })).body.id;
      const t = (await wg.call('POST', `/api/v1/services/${id}/topup`, {})).body;
      expect((await login(wg, 'wg-user', 'pw')).attrs['Mikrotik-Rate-Limit']).toBe('2000k/8000k');
      wg.clock.set(new Date(Date.parse(t.expiresAt) + 1000));
      const garden = await login(wg, 'wg-user', 'pw');
      expect(garden.accept).toBe(true);
      expect(garden.attrs['Mikrotik-Rate-Limit']).toBe(`${wg.config.radius.walled_garden_upload_kbps}k/${wg.config.radius.walled_garden_download_kbps}k`);
      expect(garden.attrs['Session-Timeout']).toBeUndefined();
      expect(garden.attrs['Mikrotik-Address-List']).toBe(wg.config.radius.walled_garden_list);
      // The cut-off still disconnects what was online, so the NAS re-dials into the garden.
      await wg.services.prepaid.prepaid.runExpiry(wg.clock.now());
      expect(wg.control.of('disconnect', id)).toHaveLength(1);
    } finally {
      await wg.close();
    }
  });
});
