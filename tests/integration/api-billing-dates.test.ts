/**
 * Billing dates against today: a run or a payment dated after today (in the billing time zone,
 * Europe/Rome by default) is refused before anything is written, and a payment settles only the
 * invoices issued on or before its date.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { SqlClient } from '../../src/db/sql.js';
import { tokenStore } from '../../src/db/security.js';
import type { App } from '../../src/http/build.js';
import { TestClock } from '../../src/lib/clock.js';
import { SecretBox } from '../../src/lib/secretbox.js';
import { buildApp } from '../helpers/app.js';
import { openAppDatabase, type TestBackend } from '../helpers/backends.js';
import { tempDir } from '../helpers/daemon.js';

let app: App;
let backend: TestBackend;
let sql: SqlClient;
let token: string;
let planId: number;
// 23:30 UTC on 1 March is already 2 March in Rome: "today" is the billing time zone's date.
const clock = new TestClock('2026-03-01T23:30:00Z');

beforeAll(async () => {
  backend = await openAppDatabase(tempDir());
  ({ sql } = backend);
  ({ app } = await buildApp({ sql, db: backend.db, box: new SecretBox(randomBytes(32)), config: loadConfig(undefined, {}).config, clock }));
  token = (await tokenStore(sql).create({ name: 't', role: 'super-admin', actor: { id: 'cli' } })).token;
  planId = (await call('POST', '/api/v1/plans', { name: 'Home', type: 'recurring', price: 3100, billingPeriodMonths: 1, taxRateBp: 2200, taxInclusive: true, downloadKbps: 10000, uploadKbps: 2000 })).body.id;
});
afterAll(async () => {
  await app.close();
  await backend.close();
});

async function call(method: string, url: string, payload?: unknown) {
  const res = await app.inject({ method: method as 'GET', url, payload: payload as object, headers: { authorization: `Bearer ${token}` } });
  return { status: res.statusCode, body: res.body ? res.json() : null };
}
const count = async (table: string) => (await sql.get<{ n: number }>(`select count(*) n from ${table}`))!.n;
async function newCustomer(name: string, startDate: string) {
  const customerId = (await call('POST', '/api/v1/customers', { name })).body.id as number;
  const serviceId = (await call('POST', '/api/v1/services', { customerId, planId, username: name.toLowerCase(), password: 'pw', startDate })).body.id as number;
  return { customerId, serviceId };
}

describe('a billing run dated after today', () => {
  it('is refused with 422 naming `date`: nothing issued, no job moved, and the real run of today still runs', async () => {
    await newCustomer('Anna', '2026-03-01');
    const ahead = await call('POST', '/api/v1/billing/run', { date: '2026-04-01' });
    expect(ahead.status).toBe(422);
    expect(ahead.body).toMatchObject({ code: 'date_in_future', errors: [expect.objectContaining({ field: 'date' })] });
    // Tomorrow in Rome is 3 March: refused too.
    expect((await call('POST', '/api/v1/billing/run', { date: '2026-03-03' })).status).toBe(422);
    expect(await count('invoices')).toBe(0);
    expect(await count('billing_runs')).toBe(0);
    expect(await count('notification_outbox')).toBe(0);
    const jobs = (await call('GET', '/api/v1/jobs')).body.items as { name: string; lastDate: string | null }[];
    expect(jobs.every((j) => j.lastDate === null)).toBe(true);
    // Today in Rome (2 March, though UTC still says 1 March) is not ahead: it runs and bills March.
    const today = await call('POST', '/api/v1/billing/run', { date: '2026-03-02' });
    expect(today.status, JSON.stringify(today.body)).toBe(200);
    // 3100 for 1..31 March, billed in advance on the 1st (the first run bills everything due up to its date).
    expect(today.body).toMatchObject({ alreadyRun: false, days: [{ date: '2026-03-02', invoices: 1, total: 3100 }] });
  });
});

describe('a payment and the invoices it settles', () => {
  it('refuses a payment received after today (422 naming receivedAt), recording nothing', async () => {
    const { customerId } = await newCustomer('Bruno', '2026-03-01');
    const before = await count('payments');
    // 23:30 UTC on 2 March is 00:30 on 3 March in Rome: tomorrow.
    const ahead = await call('POST', '/api/v1/payments', { customerId, amount: 3100, method: 'bank', receivedAt: '2026-03-02T23:30:00Z' });
    expect(ahead.status).toBe(422);
    expect(ahead.body).toMatchObject({ code: 'date_in_future', errors: [expect.objectContaining({ field: 'receivedAt' })] });
    expect(await count('payments')).toBe(before);
  });

  it('a payment dated before an invoice was issued leaves it as credit, which the invoice takes dated its issue date', async () => {
    const { customerId } = await newCustomer('Carla', '2026-03-01');
    // Carla's March (3100) is billed by the run of 2 March, so the invoice is issued 2026-03-02.
    expect((await call('POST', '/api/v1/billing/run', { date: '2026-03-02' })).status).toBe(200);
    const invoice = (await call('GET', `/api/v1/invoices?customerId=${customerId}`)).body.items[0];
    expect(invoice).toMatchObject({ issueDate: '2026-03-02', total: 3100, open: 3100 });
    // Recorded today, received on 20 February: before the invoice existed.
    const p = await call('POST', '/api/v1/payments', { customerId, amount: 5000, method: 'bank', receivedAt: '2026-02-20T09:00:00Z' });
    expect(p.status, JSON.stringify(p.body)).toBe(201);
    const settled = (await call('GET', `/api/v1/invoices/${invoice.id}`)).body;
    // 5000 on 20 Feb settles nothing issued by then: all credit; the invoice of 2 March takes 3100 of
    // it, dated 2 March (not 20 February); 5000 − 3100 = 1900 credit is left.
    expect(settled).toMatchObject({ status: 'paid', paid: 3100, open: 0 });
    expect(settled.allocations).toEqual([expect.objectContaining({ paymentId: null, amount: 3100, date: '2026-03-02' })]);
    expect((await call('GET', `/api/v1/customers/${customerId}/statement`)).body).toMatchObject({ credit: 1900, balance: -1900 });
  });
});

describe('a downgrade inside a period already invoiced', () => {
  it('credits the old plan with a credit note against the invoice that billed it; no invoice is negative', async () => {
    const fast = (await call('POST', '/api/v1/plans', { name: 'Fibra 100', type: 'recurring', price: 4990, billingPeriodMonths: 1, taxRateBp: 2200, taxInclusive: true, downloadKbps: 100000, uploadKbps: 20000 })).body.id;
    const slow = (await call('POST', '/api/v1/plans', { name: 'Fibra 30', type: 'recurring', price: 2990, billingPeriodMonths: 1, taxRateBp: 2200, taxInclusive: true, downloadKbps: 30000, uploadKbps: 5000 })).body.id;
    const customerId = (await call('POST', '/api/v1/customers', { name: 'Dario' })).body.id as number;
    const serviceId = (await call('POST', '/api/v1/services', { customerId, planId: fast, username: 'dario', password: 'pw', startDate: '2026-03-01' })).body.id as number;
    clock.set('2026-03-10T10:00:00Z');
    expect((await call('POST', '/api/v1/billing/run', { date: '2026-03-10' })).status).toBe(200);
    expect((await call('POST', `/api/v1/services/${serviceId}/plan-changes`, { planId: slow, effectiveDate: '2026-03-16' })).status).toBe(201);
    clock.set('2026-03-16T10:00:00Z');
    const run = await call('POST', '/api/v1/billing/run', { date: '2026-03-16' });
    expect(run.status, JSON.stringify(run.body)).toBe(200);
    const invoices = (await call('GET', `/api/v1/invoices?customerId=${customerId}`)).body.items as { id: number; number: string; issueDate: string; total: number; status: string }[];
    // March at 49.90 billed in advance by the first run after the service exists (the catch-up day
    // of 3 March, the last run being 2 March); from the 16th, 16 of 31 days: 2990 × 16/31 = 1543.23 → 1543,
    // a positive invoice still open (before: one invoice of 1543 − 2575 = −10.32, marked paid).
    expect(invoices.map((i) => [i.issueDate, i.total, i.status])).toEqual([['2026-03-03', 4990, 'open'], ['2026-03-16', 1543, 'open']]);
    const notes = (await call('GET', `/api/v1/credit-notes?customerId=${customerId}`)).body.items;
    // 4990 × 16/31 = 2575.48 → 2575 back, against the March invoice, numbered in the credit-note series.
    expect(notes).toEqual([expect.objectContaining({ invoiceId: invoices[0]!.id, issueDate: '2026-03-16', total: 2575, number: expect.stringMatching(/^CN-2026-\d{6}$/) })]);
    const march = (await call('GET', `/api/v1/invoices/${invoices[0]!.id}`)).body;
    // 4990 − 2575 = 2415 still owed on March's invoice.
    expect(march).toMatchObject({ credited: 2575, open: 2415, status: 'open' });
    // Owed in all: 4990 − 2575 + 1543 = 3958, the same as 15 days at 49.90 and 16 at 29.90.
    expect((await call('GET', `/api/v1/customers/${customerId}/statement`)).body).toMatchObject({ invoiced: 6533, creditNoted: 2575, balance: 3958 });
    // Run again: nothing credited twice.
    expect((await call('POST', '/api/v1/billing/run', { date: '2026-03-16' })).body.days).toEqual([expect.objectContaining({ invoices: 0, creditNotes: 0 })]);
  });
});
