/**
 * The previews an operator reads before a write: what a cancellation would cost (GET
 * /services/{id}/cancel-quote, priced by the invoice generator, changing nothing) and the data
 * top-ups of a service. Runs on SQLite, and on PostgreSQL in the second pass (tests/postgres-pass.txt).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClock } from '../../src/lib/clock.js';
import { testApi, type TestApi } from '../helpers/admin-api.js';

let api: TestApi;
let token: string;
let customerId: number;
let serviceId: number;
let cappedId: number;

async function call(method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) {
  const res = await api.app.inject({ method, url, payload, headers: { authorization: `Bearer ${token}` } });
  return { status: res.statusCode, body: res.body ? res.json() : undefined };
}
const fields = (r: { body: { errors?: { field: string }[] } }) => (r.body.errors ?? []).map((e) => e.field);
const auditRows = async () => (await api.sql.get<{ n: number }>(`select count(*) as n from audit_log`))!.n;

beforeAll(async () => {
  api = await testApi({ clock: new TestClock('2026-03-10T10:00:00.000Z') });
  token = await api.token('super-admin');
  const plan = await call('POST', '/api/v1/plans', { name: 'Casa 30', type: 'recurring', price: 3000, billingPeriodMonths: 1, taxRateBp: 2200, taxInclusive: true, downloadKbps: 30000, uploadKbps: 5000 });
  const capped = await call('POST', '/api/v1/plans', { name: 'Casa 10 GB', type: 'recurring', price: 1500, billingPeriodMonths: 1, downloadKbps: 10000, uploadKbps: 2000, dataCapBytes: 10_000_000_000, capAction: 'block' });
  customerId = (await call('POST', '/api/v1/customers', { name: 'Anna Verdi' })).body.id;
  serviceId = (await call('POST', '/api/v1/services', { customerId, planId: plan.body.id, username: 'anna', password: 'pw', startDate: '2026-03-01' })).body.id;
  cappedId = (await call('POST', '/api/v1/services', { customerId, planId: capped.body.id, username: 'anna-cap', password: 'pw', startDate: '2026-03-01' })).body.id;
  expect((await call('PATCH', `/api/v1/services/${serviceId}/billing`, { termMonths: 12, billingDay: 1 })).status).toBe(200);
});
afterAll(async () => {
  await api.close();
});

describe('the cancellation quote', () => {
  it('prices an early end as the generator bills it, and changes nothing', async () => {
    const before = await auditRows();
    // Ending on 31 March leaves April 2026 .. February 2027 committed: 11 months × 30.00.
    const q = await call('GET', `/api/v1/services/${serviceId}/cancel-quote?endDate=2026-03-31`);
    expect(q.status, JSON.stringify(q.body)).toBe(200);
    expect(q.body).toEqual({
      serviceId, noticeDate: '2026-03-10', endDate: '2026-03-31', lastDayOfService: '2026-03-31',
      earlyTermination: { from: '2026-04-01', to: '2027-02-28' }, earlyTerminationCharge: 33000, earlyTerminationAmount: 33000, currency: 'EUR',
    });
    // Ending on 15 March also keeps 16..31 March (16 of 31 days): 3000 × 16 / 31 = 1548.39 → 1548, plus 33000.
    const mid = await call('GET', `/api/v1/services/${serviceId}/cancel-quote?endDate=2026-03-15`);
    expect(mid.body).toMatchObject({ earlyTermination: { from: '2026-03-16', to: '2027-02-28' }, earlyTerminationCharge: 34548 });
    // Notice alone (today + 30 days) ends the contract on the term's last day: nothing more to pay.
    const notice = await call('GET', `/api/v1/services/${serviceId}/cancel-quote`);
    expect(notice.body).toMatchObject({ endDate: '2027-02-28', earlyTermination: null, earlyTerminationCharge: 0 });
    expect(await auditRows()).toBe(before);
    expect((await call('GET', `/api/v1/services/${serviceId}/billing`)).body).toMatchObject({ endDate: null, noticeDate: null });
  });

  it('refuses what the cancellation refuses, naming the field', async () => {
    const early = await call('GET', `/api/v1/services/${serviceId}/cancel-quote?endDate=2026-02-01`);
    expect(early.status).toBe(422);
    expect(fields(early)).toContain('endDate');
    const bad = await call('GET', `/api/v1/services/${serviceId}/cancel-quote?endDate=2026-13-01`);
    expect(bad.status).toBe(422);
    expect(fields(bad)).toContain('endDate');
    expect((await call('GET', '/api/v1/services/9999/cancel-quote')).status).toBe(404);
  });

  it('the cancellation then does what it quoted, and the run bills that charge', async () => {
    const q = await call('GET', `/api/v1/services/${serviceId}/cancel-quote?endDate=2026-03-31`);
    const c = await call('POST', `/api/v1/services/${serviceId}/cancel`, { endDate: '2026-03-31' });
    expect(c.status, JSON.stringify(c.body)).toBe(200);
    expect(c.body).toMatchObject({ endDate: q.body.endDate, noticeDate: q.body.noticeDate, earlyTermination: q.body.earlyTermination });
    // March (30.00, in advance) with the early termination due with it, and March of the capped service (15.00).
    const run = await call('POST', '/api/v1/billing/run', { date: '2026-03-10' });
    expect(run.body.days.reduce((t: number, d: { total: number }) => t + d.total, 0)).toBe(3000 + q.body.earlyTerminationCharge + 1500);
    // Once billed, the end is final (a credit note corrects it): a quote for another end is refused as the cancellation is.
    const moved = await call('GET', `/api/v1/services/${serviceId}/cancel-quote?endDate=2026-04-30`);
    expect(moved.status).toBe(409);
    expect((await call('POST', `/api/v1/services/${serviceId}/cancel`, { endDate: '2026-04-30' })).status).toBe(409);
  });

  it("counts a discount as the run will bill it: the term's days undiscounted, the kept days of the last period at the discount", async () => {
    const customer = (await call('POST', '/api/v1/customers', { name: 'Bruno Neri' })).body.id;
    const plan = (await call('GET', `/api/v1/services/${serviceId}`)).body.planId;
    const other = (await call('POST', '/api/v1/services', { customerId: customer, planId: plan, username: 'bruno', password: 'pw', startDate: '2026-03-01' })).body.id;
    expect((await call('PATCH', `/api/v1/services/${other}/billing`, { termMonths: 12, billingDay: 1 })).status).toBe(200);
    expect((await call('POST', '/api/v1/discounts', { customerId: customer, description: 'Half price', target: { kind: 'service', serviceId: other }, percentBp: 5000, startDate: '2026-03-01' })).status).toBe(201);
    // Without the term, ending on 15 March would give back 16..31 March: −1548, and its discount +774.
    // With it those days stay charged (the 774 the customer would have had back) and April 2026 ..
    // February 2027 are early-termination lines, never discounted: 33000 + 774.
    const q = await call('GET', `/api/v1/services/${other}/cancel-quote?endDate=2026-03-15`);
    expect(q.body).toMatchObject({ earlyTermination: { from: '2026-03-16', to: '2027-02-28' }, earlyTerminationCharge: 33774 });
  });
});

describe('data top-ups of a service', () => {
  it('lists the top-ups newest first, with the period each went to', async () => {
    expect((await call('GET', `/api/v1/services/${cappedId}/data-topups`)).body).toEqual({ items: [], next: null });
    expect((await call('POST', `/api/v1/services/${cappedId}/data-topup`, { bytes: 5_000_000_000 })).status).toBe(201);
    expect((await call('POST', `/api/v1/services/${cappedId}/data-topup`, { bytes: 500_000_000 })).status).toBe(201);
    const list = await call('GET', `/api/v1/services/${cappedId}/data-topups`);
    expect(list.status).toBe(200);
    expect(list.body.items.map((t: { bytes: number; periodStart: string; serviceId: number }) => [t.bytes, t.periodStart, t.serviceId])).toEqual([
      [500_000_000, '2026-03-01', cappedId], [5_000_000_000, '2026-03-01', cappedId],
    ]);
    expect((await call('GET', `/api/v1/services/${cappedId}/data-topups?limit=1`)).body.items).toHaveLength(1);
    expect((await call('GET', '/api/v1/services/9999/data-topups')).status).toBe(404);
  });
});
