/**
 * The billing API for contract terms, promotions, refunds that re-open invoices and the documents
 * with the seller's header, through inject() on a fresh SQLite file. The seller comes from the
 * `[company]` config keys (here from the environment, as TOLLGATE_COMPANY_*).
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { SqlClient } from '../../src/db/sql.js';
import { tokenStore } from '../../src/db/security.js';
import type { App } from '../../src/http/build.js';
import { buildApp } from '../helpers/app.js';
import { SecretBox } from '../../src/lib/secretbox.js';
import { openAppDatabase, type TestBackend } from '../helpers/backends.js';
import { tempDir } from '../helpers/daemon.js';
import { pdfPlain } from '../helpers/pdf-text.js';

let app: App;
let backend: TestBackend;
let sql: SqlClient;
let token: string;
let homeId: number;
let a: { customerId: number; serviceId: number };
let b: { customerId: number; serviceId: number };
let now = new Date('2026-03-01T01:00:00Z');

/** A 1×1 PNG, built by hand (signature, IHDR, IDAT, IEND with their CRCs). */
function tinyPng(): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.from([0, 0x20, 0x80, 0x40]))), chunk('IEND', Buffer.alloc(0)),
  ]);
}

beforeAll(async () => {
  const dir = tempDir();
  const logo = join(dir, 'logo.png');
  writeFileSync(logo, tinyPng());
  backend = await openAppDatabase(dir);
  ({ sql } = backend);
  const { config } = loadConfig(undefined, {
    TOLLGATE_COMPANY_NAME: 'Rete Verde S.r.l.',
    TOLLGATE_COMPANY_ADDRESS: 'Via Po 2\\n10100 Torino TO',
    TOLLGATE_COMPANY_TAX_ID: 'IT01234567890',
    TOLLGATE_COMPANY_EMAIL: 'billing@reteverde.example',
    TOLLGATE_COMPANY_PHONE: '+39 011 555 0100',
    TOLLGATE_COMPANY_IBAN: 'IT60X0542811101000000123456',
    TOLLGATE_COMPANY_PAYMENT_TERMS: 'Bank transfer within 14 days',
    TOLLGATE_COMPANY_LOGO: logo,
  });
  ({ app } = await buildApp({ sql, db: backend.db, box: new SecretBox(randomBytes(32)), config, clock: { now: () => now } }));
  token = (await tokenStore(sql).create({ name: 't', role: 'super-admin', actor: { id: 'cli' } })).token;
  homeId = (await call('POST', '/api/v1/plans', { name: 'Home', type: 'recurring', price: 3000, billingPeriodMonths: 1, taxRateBp: 2200, taxInclusive: true, downloadKbps: 10000, uploadKbps: 2000 })).body.id;
  for (const [name, taxId, username] of [['Mario Rossi', 'IT123', 'mario'], ['Lucia Bianchi', null, 'lucia']] as const) {
    const customerId = (await call('POST', '/api/v1/customers', { name, ...(taxId ? { taxId } : {}), address: 'Via Roma 1' })).body.id;
    const serviceId = (await call('POST', '/api/v1/services', { customerId, planId: homeId, username, password: 'pw', startDate: '2026-03-01' })).body.id;
    if (username === 'mario') a = { customerId, serviceId };
    else b = { customerId, serviceId };
  }
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
const fields = (r: { body: { errors?: { field: string }[] } }) => (r.body.errors ?? []).map((e) => e.field);
const count = async (text: string) => (await sql.get<{ n: number }>(text))!.n;

describe('contract terms over the API', () => {
  it('a 12-month term, an early cancellation charged to the end of the term, and the automatic close', async () => {
    const t = await call('PATCH', `/api/v1/services/${a.serviceId}/billing`, { termMonths: 12, billingDay: 1 });
    expect(t.status, JSON.stringify(t.body)).toBe(200);
    // Today is 1 March 2026; 1 March + 30 days of notice is before the term's end, 28 Feb 2027.
    expect(t.body).toMatchObject({ termMonths: 12, autoRenew: true, noticeDays: 30, currentTerm: { start: '2026-03-01', end: '2027-02-28' }, endOnNoticeToday: '2027-02-28', lastDayOfService: null });
    expect((await call('POST', '/api/v1/billing/run', { date: '2026-03-01' })).body.days[0]).toMatchObject({ invoices: 2, total: 6000 });
    const c = await call('POST', `/api/v1/services/${a.serviceId}/cancel`, { endDate: '2026-03-31' });
    expect(c.status, JSON.stringify(c.body)).toBe(200);
    expect(c.body).toMatchObject({ endDate: '2026-03-31', noticeDate: '2026-03-01', lastDayOfService: '2026-03-31', earlyTermination: { from: '2026-04-01', to: '2027-02-28' } });
    expect(await count(`select count(*) n from audit_log where action = 'cancel' and entity = 'service_billing'`)).toBe(1);
    now = new Date('2026-03-02T01:00:00Z');
    // April 2026 .. February 2027 = 11 months × 3000, due with March (its last period).
    const r1 = await call('POST', '/api/v1/billing/run', { date: '2026-03-02' });
    expect(r1.body.days).toEqual([expect.objectContaining({ date: '2026-03-02', invoices: 1, total: 33000, closed: [] })]);
    now = new Date('2026-04-01T01:00:00Z');
    const r2 = await call('POST', '/api/v1/billing/run', { date: '2026-04-01' });
    expect(r2.body.days.at(-1)).toMatchObject({ date: '2026-04-01', invoices: 1, total: 3000, closed: [a.serviceId] });
    expect((await call('GET', `/api/v1/services/${a.serviceId}`)).body.status).toBe('ended');
    expect((await call('POST', `/api/v1/services/${a.serviceId}/cancel`, {})).status).toBe(409);
  });

  it('refuses bad terms and cancellations with the field named', async () => {
    const before = await count(`select count(*) n from audit_log`);
    const t = await call('PATCH', `/api/v1/services/${b.serviceId}/billing`, { termMonths: 0 });
    expect(t.status).toBe(422);
    expect(fields(t)).toContain('termMonths');
    const n = await call('PATCH', `/api/v1/services/${b.serviceId}/billing`, { noticeDays: -1 });
    expect(fields(n)).toContain('noticeDays');
    const c = await call('POST', `/api/v1/services/${b.serviceId}/cancel`, { endDate: '2026-13-01' });
    expect(c.status).toBe(422);
    expect(fields(c)).toContain('endDate');
    const early = await call('POST', `/api/v1/services/${b.serviceId}/cancel`, { endDate: '2026-02-01' });
    expect(fields(early)).toContain('endDate');
    expect(await count(`select count(*) n from audit_log`)).toBe(before);
  });
});

describe('promotions over the API', () => {
  let promotionId: number;
  const body = () => ({ key: 'half-may', description: 'Half price for two months', percentBp: 5000, periods: 2, startDate: '2026-05-01', target: { planId: homeId } });

  it('applies to every open service of the plan, once, and answers a replay with the same promotion', async () => {
    const p = await call('POST', '/api/v1/promotions', body());
    expect(p.status, JSON.stringify(p.body)).toBe(201);
    // Mario's service has ended: only Lucia's gets it.
    expect(p.body).toMatchObject({ key: 'half-may', planId: homeId, valueType: 'percent', percentBp: 5000, periods: 2, serviceIdsApplied: [b.serviceId] });
    // With the customer of each service, for the screen's list (names, not ids).
    expect(p.body.servicesApplied).toEqual([{ serviceId: b.serviceId, customerId: b.customerId, customerName: expect.stringContaining('Lucia') }]);
    promotionId = p.body.id;
    const again = await call('POST', '/api/v1/promotions', body());
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(promotionId);
    const other = await call('POST', '/api/v1/promotions', { ...body(), percentBp: 2500 });
    expect(other.status).toBe(409);
    expect(fields(other)).toContain('key');
    expect((await call('GET', '/api/v1/promotions')).body.items.map((x: { id: number }) => x.id)).toEqual([promotionId]);
    expect((await call('GET', `/api/v1/discounts?customerId=${b.customerId}`)).body.items).toEqual([expect.objectContaining({ promotionId, serviceId: b.serviceId, percentBp: 5000 })]);
    expect(await count(`select count(*) n from audit_log where entity in ('promotion', 'discount')`)).toBe(2);
    now = new Date('2026-05-01T01:00:00Z');
    // May for Lucia: 3000 − 50 % = 1500.
    const r = await call('POST', '/api/v1/billing/run', { date: '2026-05-01' });
    expect(r.body.days.filter((d: { invoices: number }) => d.invoices > 0).map((d: { date: string; total: number }) => [d.date, d.total])).toEqual([['2026-05-01', 1500]]);
  });

  it('refuses bad promotions with the field named and writes nothing', async () => {
    const before = await count(`select count(*) n from promotions`);
    const both = await call('POST', '/api/v1/promotions', { ...body(), key: 'k2', amount: 500 });
    expect(both.status).toBe(422);
    expect(fields(both).some((f) => f === 'percentBp' || f === 'amount')).toBe(true);
    const list = await call('POST', '/api/v1/promotions', { ...body(), key: 'k3', target: { serviceIds: [b.serviceId] }, appliesToNew: true });
    expect(fields(list)).toContain('appliesToNew');
    const unknown = await call('POST', '/api/v1/promotions', { ...body(), key: 'k4', target: { planId: 9999 } });
    expect(fields(unknown)).toContain('target.planId');
    expect(await count(`select count(*) n from promotions`)).toBe(before);
  });

});

describe('refund of a settled payment over the API', () => {
  it('re-opens the newest invoice and keeps the statement balanced', async () => {
    // Lucia owes 3000 (March) + 3000 (April) + 1500 (May) = 7500; she pays 8000: 500 is credit.
    now = new Date('2026-05-02T09:00:00Z'); // recorded the day it is received, not before
    const pay = await call('POST', '/api/v1/payments', { customerId: b.customerId, amount: 8000, method: 'bank', receivedAt: '2026-05-02T09:00:00Z' });
    expect(pay.status).toBe(201);
    const noReopen = await call('POST', `/api/v1/payments/${pay.body.id}/refund`, { amount: 2000, date: '2026-05-03' });
    expect(noReopen.status).toBe(409);
    const refund = await call('POST', `/api/v1/payments/${pay.body.id}/refund`, { amount: 2000, date: '2026-05-03', reopenInvoices: true });
    expect(refund.status, JSON.stringify(refund.body)).toBe(201);
    // 500 from the credit, then May's invoice (the newest, 1500) is open again.
    const invoices = (await call('GET', `/api/v1/invoices?customerId=${b.customerId}`)).body.items;
    expect(invoices.map((i: { total: number; open: number; status: string }) => [i.total, i.open, i.status])).toEqual([[3000, 0, 'paid'], [3000, 0, 'paid'], [1500, 1500, 'open']]);
    const st = (await call('GET', `/api/v1/customers/${b.customerId}/statement`)).body;
    expect(st).toMatchObject({ invoiced: 7500, paid: 8000, refunded: 2000, open: 1500, credit: 0, balance: 1500, closingBalance: 1500 });
    const detail = (await call('GET', `/api/v1/invoices/${invoices[2].id}`)).body;
    expect(detail.allocations.map((x: { amount: number }) => x.amount)).toEqual([1500, -1500]);
  });
});

describe('documents', () => {
  it('the invoice PDF carries the seller header, payment details, logo and the customer tax id', async () => {
    const inv = (await call('GET', `/api/v1/invoices?customerId=${a.customerId}&from=2026-03-02&to=2026-03-02`)).body.items[0];
    const pdf = await call('GET', `/api/v1/invoices/${inv.id}/pdf`);
    expect(pdf.status).toBe(200);
    expect(pdf.type).toBe('application/pdf');
    const text = pdfPlain(pdf.raw);
    for (const s of [
      'Rete Verde S.r.l.', 'Via Po 2', '10100 Torino TO', 'VAT / Tax ID: IT01234567890', 'billing@reteverde.example', '+39 011 555 0100',
      `Invoice ${inv.number}`, 'Bill to', 'Mario Rossi', 'Tax ID: IT123', 'Early termination', 'Invoice total', '€330.00',
      'Payment details', 'IBAN: IT60X0542811101000000123456', `Reference: ${inv.number}`, 'Bank transfer within 14 days',
    ]) expect(text, s).toContain(s);
    expect(pdf.raw.toString('latin1')).toMatch(/\/Subtype \/Image/);
  });

  it('a credit note as PDF, and credit notes, invoices and payments as CSV filtered by period', async () => {
    const first = (await call('GET', `/api/v1/invoices?customerId=${b.customerId}`)).body.items[0];
    const note = await call('POST', '/api/v1/credit-notes', {
      invoiceId: first.id, date: '2026-05-04', reason: 'outage, 10 days',
      lines: [{ key: `service:${b.serviceId}:period:2026-03-01`, amount: 1000 }],
    });
    expect(note.status, JSON.stringify(note.body)).toBe(201);
    const pdf = await call('GET', `/api/v1/credit-notes/${note.body.id}/pdf`);
    expect(pdf.status).toBe(200);
    expect(pdf.type).toBe('application/pdf');
    const text = pdfPlain(pdf.raw);
    for (const s of [`Credit note ${note.body.number}`, `Corrects invoice ${first.number}`, 'Rete Verde S.r.l.', 'Lucia Bianchi', 'Reason: outage, 10 days', 'Credit note total', '€10.00']) {
      expect(text, s).toContain(s);
    }
    expect((await call('GET', '/api/v1/credit-notes/9999/pdf')).status).toBe(404);

    // 1000 incl. 22 %: tax 1000 × 22/122 = 180.33 → 180, net 820.
    const may = String((await call('GET', '/api/v1/exports/credit-notes.csv?from=2026-05-01&to=2026-05-31')).body).trim().split('\r\n');
    expect(may[0]).toBe('number,issue_date,invoice_number,customer_id,customer_name,customer_tax_id,currency,tax_rate_bp,net_minor,tax_minor,gross_minor,net,tax,gross,note_total_minor,reason');
    expect(may.slice(1)).toEqual([`${note.body.number},2026-05-04,${first.number},${b.customerId},Lucia Bianchi,,EUR,2200,820,180,1000,8.20,1.80,10.00,1000,"outage, 10 days"`]);
    expect(String((await call('GET', '/api/v1/exports/credit-notes.csv?from=2026-06-01')).body).trim().split('\r\n')).toHaveLength(1);

    // Issued in April: only Lucia's April invoice (Mario's were issued on 1 and 2 March; nothing
    // was due for him on 1 April, the day his service was closed).
    const april = String((await call('GET', '/api/v1/exports/invoices.csv?from=2026-04-01&to=2026-04-30')).body).trim().split('\r\n').slice(1);
    expect(april.map((r) => r.split(',').slice(1, 4).join(','))).toEqual([`2026-04-01,2026-04-15,${b.customerId}`]);
    const onDay = String((await call('GET', '/api/v1/exports/payments.csv?from=2026-05-02&to=2026-05-02')).body).trim().split('\r\n');
    expect(onDay).toHaveLength(2);
    expect(onDay[1]).toContain(',bank,');
    expect(String((await call('GET', '/api/v1/exports/payments.csv?from=2026-05-03')).body).trim().split('\r\n')).toHaveLength(1);
  });

  it('a missing logo file is a config error naming the key', () => {
    expect(() => loadConfig(undefined, { TOLLGATE_COMPANY_LOGO: join(tempDir(), 'nope.png') })).toThrow(expect.objectContaining({ key: 'company.logo' }));
  });

  it('documents the new routes in OpenAPI', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
    for (const p of ['/api/v1/services/{id}/cancel', '/api/v1/promotions', '/api/v1/promotions/{id}', '/api/v1/promotions/{id}/end', '/api/v1/credit-notes/{id}/pdf', '/api/v1/exports/credit-notes.csv']) {
      expect(doc.paths[p], p).toBeDefined();
    }
  });
});

// Last: it runs the billing into June.
describe('ending a promotion for new contracts over the API', () => {
  it('ends a promotion for new contracts: later ones no longer get it, the services that have it keep it', async () => {
    // A plan of its own: the promotion reaches every service on its plan, and the tests above count Lucia's invoices.
    const planId = (await call('POST', '/api/v1/plans', { name: 'Welcome', type: 'recurring', price: 2000, billingPeriodMonths: 1, downloadKbps: 10000, uploadKbps: 2000 })).body.id;
    const p = await call('POST', '/api/v1/promotions', { key: 'welcome', description: 'Welcome month', amount: 1000, periods: 1, startDate: '2026-05-01', target: { planId }, appliesToNew: true });
    expect(p.status, JSON.stringify(p.body)).toBe(201);
    const id = p.body.id as number;
    const audits = await count(`select count(*) n from audit_log where entity = 'promotion' and action = 'end'`);
    // Refused, the field named, nothing changed: before its start; on a promotion without new contracts; unknown.
    const early = await call('POST', `/api/v1/promotions/${id}/end`, { newUntil: '2026-04-30' });
    expect(early.status).toBe(422);
    expect(fields(early)).toEqual(['newUntil']);
    const halfMay = (await call('GET', '/api/v1/promotions')).body.items.find((x: { key: string }) => x.key === 'half-may').id;
    const none = await call('POST', `/api/v1/promotions/${halfMay}/end`, { newUntil: '2026-06-01' });
    expect(none.status).toBe(422);
    expect(fields(none)).toEqual(['newUntil']);
    const bad = await call('POST', `/api/v1/promotions/${id}/end`, { newUntil: '31/05/2026' });
    expect(bad.status).toBe(422);
    expect(fields(bad)).toEqual(['newUntil']);
    expect((await call('POST', '/api/v1/promotions/9999/end', { newUntil: '2026-06-01' })).status).toBe(404);
    expect((await call('GET', `/api/v1/promotions/${id}`)).body.newUntil).toBeNull();

    const end = await call('POST', `/api/v1/promotions/${id}/end`, { newUntil: '2026-05-31' });
    expect(end.status, JSON.stringify(end.body)).toBe(200);
    expect(end.body).toMatchObject({ id, newUntil: '2026-05-31', appliesToNew: true });
    expect((await call('POST', `/api/v1/promotions/${id}/end`, { newUntil: '2026-05-31' })).body.newUntil).toBe('2026-05-31');
    const later = await call('POST', `/api/v1/promotions/${id}/end`, { newUntil: '2026-06-30' });
    expect(later.status).toBe(422);
    expect(fields(later)).toEqual(['newUntil']);
    expect(await count(`select count(*) n from audit_log where entity = 'promotion' and action = 'end'`)).toBe(audits + 1);

    // A contract started within the window gets it at the next run; one started after the end does not.
    const customerId = (await call('POST', '/api/v1/customers', { name: 'Anna Verdi' })).body.id;
    const inside = (await call('POST', '/api/v1/services', { customerId, planId, username: 'anna1', password: 'pw', startDate: '2026-05-20' })).body.id;
    const after = (await call('POST', '/api/v1/services', { customerId, planId, username: 'anna2', password: 'pw', startDate: '2026-06-01' })).body.id;
    now = new Date(Math.max(now.getTime(), Date.parse('2026-06-01T01:00:00Z')));
    await call('POST', '/api/v1/billing/run', { date: '2026-06-01' });
    expect((await call('GET', `/api/v1/promotions/${id}`)).body.serviceIdsApplied).toEqual(expect.arrayContaining([inside]));
    expect((await call('GET', `/api/v1/promotions/${id}`)).body.serviceIdsApplied).not.toContain(after);
  });
});
