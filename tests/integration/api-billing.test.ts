import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { SqlClient } from '../../src/db/sql.js';
import { tokenStore } from '../../src/db/security.js';
import type { App } from '../../src/http/build.js';
import { buildApp } from '../helpers/app.js';
import { SecretBox } from '../../src/lib/secretbox.js';
import { TestClock } from '../../src/lib/clock.js';
import { openAppDatabase, type TestBackend } from '../helpers/backends.js';
import { tempDir } from '../helpers/daemon.js';

let app: App;
let backend: TestBackend;
let sql: SqlClient;
let token: string;
let customerId: number;
let serviceId: number;
let proId: number;
// Moved forward by each test to the day it acts on: a run or a payment is never dated after today.
const clock = new TestClock('2026-03-01T01:00:00Z');

beforeAll(async () => {
  backend = await openAppDatabase(tempDir());
  ({ sql } = backend);
  ({ app } = await buildApp({ sql, db: backend.db, box: new SecretBox(randomBytes(32)), config: loadConfig(undefined, {}).config, clock }));
  token = (await tokenStore(sql).create({ name: 't', role: 'super-admin', actor: { id: 'cli' } })).token;
  const plan = await call('POST', '/api/v1/plans', { name: 'Home', type: 'recurring', price: 3000, billingPeriodMonths: 1, taxRateBp: 2200, taxInclusive: true, downloadKbps: 10000, uploadKbps: 2000 });
  proId = (await call('POST', '/api/v1/plans', { name: 'Pro', type: 'recurring', price: 6000, billingPeriodMonths: 1, taxRateBp: 2200, taxInclusive: true, downloadKbps: 50000, uploadKbps: 10000 })).body.id;
  customerId = (await call('POST', '/api/v1/customers', { name: 'Mario Rossi', taxId: 'IT123', address: 'Via Roma 1' })).body.id;
  serviceId = (await call('POST', '/api/v1/services', { customerId, planId: plan.body.id, username: 'mario', password: 'pw', startDate: '2026-03-15' })).body.id;
});
afterAll(async () => {
  await app.close();
  await backend.close();
});

async function call(method: string, url: string, payload?: unknown) {
  const res = await app.inject({ method: method as 'GET', url, payload: payload as object, headers: { authorization: `Bearer ${token}` } });
  const type = String(res.headers['content-type'] ?? '');
  return { status: res.statusCode, type, body: type.includes('json') && res.body ? res.json() : res.body, raw: res.rawPayload };
}
const count = async (table: string) => (await sql.get<{ n: number }>(`select count(*) n from ${table}`))!.n;

describe('billing API', () => {
  it('sets contract terms, runs billing idempotently and serves the invoice with lines and totals', async () => {
    const terms = await call('PATCH', `/api/v1/services/${serviceId}/billing`, { billingDay: 1 });
    expect(terms.status, JSON.stringify(terms.body)).toBe(200);
    expect(terms.body).toMatchObject({ serviceId, billingDay: 1, billingMode: 'advance', startPlanId: expect.any(Number) });
    clock.set('2026-03-15T10:00:00Z');
    const run = await call('POST', '/api/v1/billing/run', { date: '2026-03-15' });
    expect(run.status, JSON.stringify(run.body)).toBe(200);
    expect(run.body).toMatchObject({ date: '2026-03-15', alreadyRun: false, days: [{ date: '2026-03-15', invoices: 1, total: 1645, problems: [] }] });
    const again = await call('POST', '/api/v1/billing/run', { date: '2026-03-15' });
    expect(again.body).toMatchObject({ date: '2026-03-15', alreadyRun: false, days: [{ date: '2026-03-15', invoices: 0 }] });
    expect((await call('POST', '/api/v1/billing/run', { date: '2026-03-14' })).body).toEqual({ date: '2026-03-14', alreadyRun: true, days: [] });
    expect(await count('invoices')).toBe(1);
    const list = await call('GET', `/api/v1/invoices?customerId=${customerId}&from=2026-03-01&to=2026-03-31`);
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0]).toMatchObject({ number: 'INV-2026-000001', status: 'open', total: 1645, open: 1645 });
    const inv = await call('GET', `/api/v1/invoices/${list.body.items[0].id}`);
    // 3000 × 17/31 = 1645; tax 1645 × 22/122 = 297; net 1348.
    expect(inv.body.lines).toEqual([expect.objectContaining({ key: `service:${serviceId}:period:2026-03-15`, kind: 'recurring', amount: 1645, net: 1348, tax: 297, gross: 1645, periodEnd: '2026-03-31' })]);
    expect(inv.body.taxes).toEqual([{ taxRateBp: 2200, vatNature: null, net: 1348, tax: 297, gross: 1645 }]);
    expect((await call('GET', '/api/v1/billing/runs/2026-03-15')).body).toMatchObject({ invoices: 1, total: 1645, finishedAt: expect.any(String) });
  });

  it('catches up missed days: a plan change, a one-off charge and a discount land on the right invoices', async () => {
    expect((await call('POST', `/api/v1/services/${serviceId}/plan-changes`, { planId: proId, effectiveDate: '2026-04-11' })).status).toBe(201);
    const charge = await call('POST', '/api/v1/charges', { customerId, description: 'Installation', amount: 4900, date: '2026-04-01', taxRateBp: 2200 });
    expect(charge.status).toBe(201);
    expect(charge.body).toMatchObject({ customerId, serviceId: null, amount: 4900, taxRateBp: 2200, taxInclusive: true, date: '2026-04-01' });
    expect((await call('GET', `/api/v1/charges?customerId=${customerId}`)).body.items).toEqual([charge.body]);
    const d = await call('POST', '/api/v1/discounts', { customerId, description: 'Spring', target: { kind: 'service', serviceId }, percentBp: 1000, startDate: '2026-05-01', periods: 1 });
    expect(d.status, JSON.stringify(d.body)).toBe(201);
    clock.set('2026-05-01T10:00:00Z');
    const run = await call('POST', '/api/v1/billing/run', { date: '2026-05-01' });
    expect(run.body.days).toHaveLength(47);
    expect(run.body.days.filter((x: { invoices: number }) => x.invoices > 0).map((x: { date: string; total: number }) => [x.date, x.total])).toEqual([
      // April: Home 3000 + installation 4900. 11 April: 20 of 30 days of Pro, 6000 × 20/30 = 4000
      // invoiced, and Home's 3000 × 20/30 = 2000 back on a credit note against April's invoice (it
      // billed those days), not a −2000 line. May: Pro 6000 − 10 %.
      ['2026-04-01', 7900], ['2026-04-11', 4000], ['2026-05-01', 5400],
    ]);
    expect(run.body.days.filter((x: { creditNotes: number }) => x.creditNotes > 0).map((x: { date: string }) => x.date)).toEqual(['2026-04-11']);
    const notes = (await call('GET', `/api/v1/credit-notes?customerId=${customerId}`)).body.items;
    expect(notes).toEqual([expect.objectContaining({ number: 'CN-2026-000001', issueDate: '2026-04-11', total: 2000 })]);
    const aprilInvoice = (await call('GET', `/api/v1/invoices/${notes[0].invoiceId}`)).body;
    expect(aprilInvoice).toMatchObject({ issueDate: '2026-04-01', total: 7900, credited: 2000, open: 5900 });
    const numbers = (await call('GET', `/api/v1/invoices?customerId=${customerId}`)).body.items.map((i: { number: string }) => i.number);
    expect(numbers).toEqual(['INV-2026-000001', 'INV-2026-000002', 'INV-2026-000003', 'INV-2026-000004']);
    const page1 = (await call('GET', '/api/v1/invoices?limit=3')).body;
    const page2 = (await call('GET', `/api/v1/invoices?limit=3&cursor=${page1.next}`)).body;
    expect([...page1.items, ...page2.items].map((i: { number: string }) => i.number)).toEqual(numbers);
    expect(page2.next).toBeNull();
  });

  it('records payments oldest first, refunds credit, issues credit notes and keeps the statement balanced', async () => {
    clock.set('2026-05-05T10:00:00Z');
    const p = await call('POST', '/api/v1/payments', { customerId, amount: 20000, method: 'bank', receivedAt: '2026-05-03T09:30:00Z', reference: 'SEPA 42' });
    expect(p.status, JSON.stringify(p.body)).toBe(201);
    expect(p.body).toMatchObject({ amount: 20000, date: '2026-05-03', refunded: 0 });
    // Invoiced 1645 + 7900 + 4000 + 5400 = 18945, less the 2000 credit note: 16945 owed; 3055 is left as credit.
    let st = (await call('GET', `/api/v1/customers/${customerId}/statement`)).body;
    expect(st).toMatchObject({ invoiced: 18945, paid: 20000, creditNoted: 2000, open: 0, credit: 3055, balance: -3055, closingBalance: -3055 });
    const first = (await call('GET', `/api/v1/invoices?customerId=${customerId}`)).body.items[0];
    expect(first.status).toBe('paid');
    const note = await call('POST', '/api/v1/credit-notes', { invoiceId: first.id, date: '2026-05-04', reason: 'outage' });
    expect(note.status, JSON.stringify(note.body)).toBe(201);
    expect(note.body).toMatchObject({ number: 'CN-2026-000002', total: 1645, lines: [expect.objectContaining({ gross: 1645 })] });
    const again = await call('POST', '/api/v1/credit-notes', { invoiceId: first.id, date: '2026-05-04' });
    expect(again.status).toBe(422);
    expect(again.type).toMatch(/problem\+json/);
    const tooMuch = await call('POST', `/api/v1/payments/${p.body.id}/refund`, { amount: 4701, date: '2026-05-05' });
    expect(tooMuch.status, JSON.stringify(tooMuch.body)).toBe(409);
    expect(tooMuch.body.errors[0].field).toBe('amount');
    const refund = await call('POST', `/api/v1/payments/${p.body.id}/refund`, { amount: 4700, date: '2026-05-05' });
    expect(refund.status).toBe(201);
    st = (await call('GET', `/api/v1/customers/${customerId}/statement`)).body;
    // 2000 (the plan change) + 1645 (this note) credited.
    expect(st).toMatchObject({ creditNoted: 3645, refunded: 4700, credit: 0, balance: 0 });
    expect(st.entries.map((e: { type: string }) => e.type)).toEqual(['invoice', 'invoice', 'credit_note', 'invoice', 'invoice', 'payment', 'credit_note', 'refund']);
    expect((await call('GET', `/api/v1/payments/${p.body.id}`)).body.refunds).toHaveLength(1);
    expect((await call('GET', `/api/v1/credit-notes?invoiceId=${first.id}`)).body.items).toHaveLength(1);
    // The payment, its refund, this note, and the run's note of 11 April (by the billing run).
    expect(await sql.get(`select count(*) n from audit_log where entity in ('payment', 'credit_note')`)).toEqual({ n: 4 });
    expect(await sql.get(`select count(*) n from audit_log where entity = 'credit_note' and actor = 'billing-run'`)).toEqual({ n: 1 });
  });

  it('rejects bad input with problem+json naming the field and changes nothing', async () => {
    const before = [await count('payments'), await count('audit_log')];
    for (const [body, field] of [
      [{ customerId, amount: 10.5, method: 'cash', receivedAt: '2026-05-01T00:00:00Z' }, 'amount'],
      [{ customerId, amount: '100', method: 'cash', receivedAt: '2026-05-01T00:00:00Z' }, 'amount'],
      [{ customerId: 9999, amount: 100, method: 'cash', receivedAt: '2026-05-01T00:00:00Z' }, 'customerId'],
      [{ customerId, amount: 100, method: 'cash' }, 'receivedAt'],
    ] as const) {
      const r = await call('POST', '/api/v1/payments', body);
      expect(r.status, JSON.stringify(r.body)).toBeGreaterThanOrEqual(400);
      expect(r.status).toBeLessThan(500);
      expect(r.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    expect([await count('payments'), await count('audit_log')]).toEqual(before);
    const badDate = await call('POST', '/api/v1/billing/run', { date: '2026-02-30' });
    expect(badDate.status).toBe(422);
    expect((await call('POST', '/api/v1/billing/run', { date: '2026-13-01' })).status).toBe(422);
    expect((await call('PATCH', `/api/v1/services/${serviceId}/billing`, { billingDay: 31 })).status).toBe(422);
    expect((await call('GET', '/api/v1/invoices/9999')).status).toBe(404);
  });

  it('exports CSV for a period and renders the invoice PDF', async () => {
    const inv = await call('GET', '/api/v1/exports/invoices.csv?from=2026-04-01&to=2026-04-30');
    expect(inv.status).toBe(200);
    expect(inv.type).toMatch(/text\/csv/);
    const rows = String(inv.body).trim().split('\r\n');
    expect(rows[0]).toMatch(/^number,issue_date/);
    expect(rows.slice(1).map((r) => r.split(',').slice(0, 2).join(','))).toEqual(['INV-2026-000002,2026-04-01', 'INV-2026-000003,2026-04-11']);
    expect(rows[1]).toContain(',7900,');
    const pays = await call('GET', '/api/v1/exports/payments.csv?from=2026-05-01');
    expect(String(pays.body)).toContain('SEPA 42');
    const id = (await call('GET', `/api/v1/invoices?customerId=${customerId}`)).body.items[1].id;
    const pdf = await call('GET', `/api/v1/invoices/${id}/pdf`);
    expect(pdf.status).toBe(200);
    expect(pdf.type).toBe('application/pdf');
    expect(pdf.raw.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.raw.length).toBeGreaterThan(1000);
  });

  it('documents the billing routes in OpenAPI', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
    for (const p of ['/api/v1/invoices', '/api/v1/invoices/{id}', '/api/v1/payments', '/api/v1/payments/{id}/refund', '/api/v1/credit-notes', '/api/v1/customers/{id}/statement', '/api/v1/billing/run']) {
      expect(doc.paths[p], p).toBeDefined();
    }
  });
});
