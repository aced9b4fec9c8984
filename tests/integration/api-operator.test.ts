/**
 * The operator's API: names beside ids in the lists, a plan's active subscribers, a payment for a
 * named invoice, payment filters and totals, the receipt, the overview and the first-run checklist.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClock } from '../../src/lib/clock.js';
import { testApi, type TestApi } from '../helpers/admin-api.js';
import { pdfText } from '../helpers/pdf-text.js';

let t: TestApi;
let token: string;
let mario: number;
let ana: number;
let planId: number;
let serviceId: number;
const clock = new TestClock('2026-09-01T10:00:00.000Z');

async function call(method: string, url: string, payload?: unknown) {
  const res = await t.app.inject({ method: method as 'GET', url, headers: { authorization: `Bearer ${token}` }, ...(payload !== undefined ? { payload: payload as object } : {}) });
  const type = String(res.headers['content-type'] ?? '');
  return { status: res.statusCode, type, body: (type.includes('json') && res.body ? res.json() : res.body) as any, raw: res.rawPayload };
}

beforeAll(async () => {
  t = await testApi({ clock });
  token = await t.token('super-admin');
  planId = (await call('POST', '/api/v1/plans', { name: 'Home', type: 'recurring', price: 3000, billingPeriodMonths: 1, taxRateBp: 2200, taxInclusive: true, downloadKbps: 10000, uploadKbps: 2000 })).body.id;
  mario = (await call('POST', '/api/v1/customers', { name: 'Mario Rossi', address: 'Via Roma 1, Milano' })).body.id;
  ana = (await call('POST', '/api/v1/customers', { name: 'Ana García' })).body.id;
  serviceId = (await call('POST', '/api/v1/services', { customerId: mario, planId, username: 'mario', password: 'pw-mario-1', startDate: '2026-09-01' })).body.id;
  await call('POST', '/api/v1/services', { customerId: ana, planId, username: 'ana', password: 'pw-ana-1', startDate: '2026-09-01', status: 'suspended' });
  for (const date of ['2026-09-01', '2026-10-01', '2026-11-01']) {
    clock.set(`${date}T10:00:00.000Z`);
    expect((await call('POST', '/api/v1/billing/run', { date })).status).toBe(200);
  }
  clock.set('2026-11-23T10:00:00.000Z');
});
afterAll(async () => t?.close());

describe('names in lists', () => {
  it('lists invoices, credit notes and sessions with the customer named', async () => {
    const inv = await call('GET', `/api/v1/invoices?customerId=${mario}`);
    expect(inv.body.items.length).toBeGreaterThanOrEqual(3);
    for (const i of inv.body.items) expect(i).toMatchObject({ customerId: mario, customerName: 'Mario Rossi' });
    const note = await call('POST', '/api/v1/credit-notes', { invoiceId: inv.body.items[0].id, reason: 'goodwill' });
    expect(note.status, JSON.stringify(note.body)).toBe(201);
    expect((await call('GET', '/api/v1/credit-notes')).body.items).toEqual([expect.objectContaining({ customerId: mario, customerName: 'Mario Rossi' })]);
    await t.sql.run(`insert into radius_sessions (acct_session_id, username, service_id, started_at, updated_at) values ('s1', 'mario', ?, ?, ?)`, serviceId, clock.now().toISOString(), clock.now().toISOString());
    await t.sql.run(`insert into radius_sessions (acct_session_id, username, started_at, updated_at) values ('s2', 'nobody', ?, ?)`, clock.now().toISOString(), clock.now().toISOString());
    const sessions = (await call('GET', '/api/v1/sessions')).body.items;
    expect(sessions.find((s: { username: string }) => s.username === 'mario')).toMatchObject({ serviceId, customerId: mario, customerName: 'Mario Rossi' });
    expect(sessions.find((s: { username: string }) => s.username === 'nobody')).toMatchObject({ serviceId: null, customerId: null, customerName: null });
  });

  it('names the customer of dunning events, network actions and auth-log rows', async () => {
    const at = clock.now().toISOString();
    await t.sql.run(`insert into dunning_events (key, customer_id, kind, date, at) values ('k1', ?, 'reminder', '2026-11-23', ?)`, ana, at);
    await t.sql.run(`insert into nas_actions (kind, reason, actor, service_id, acct_session_id, username, request, created_at, updated_at) values ('disconnect', 'kick', 'admin:1', ?, 'a1', 'mario', '{"session":{},"attributes":[]}', ?, ?)`, serviceId, at, at);
    await t.sql.run(`insert into auth_log (at, username, outcome, service_id) values (?, 'mario', 'accept', ?)`, at, serviceId);
    expect((await call('GET', '/api/v1/dunning/events')).body.items).toEqual([expect.objectContaining({ customerId: ana, customerName: 'Ana García' })]);
    expect((await call('GET', '/api/v1/actions')).body.items).toEqual([expect.objectContaining({ serviceId, customerId: mario, customerName: 'Mario Rossi' })]);
    expect((await call('GET', '/api/v1/auth-log')).body.items[0]).toMatchObject({ serviceId, customerId: mario, customerName: 'Mario Rossi' });
  });

  it("answers a plan's active subscribers in the list and the read", async () => {
    expect((await call('GET', '/api/v1/plans')).body.items).toEqual([expect.objectContaining({ id: planId, activeSubscribers: 1 })]);
    expect((await call('GET', `/api/v1/plans/${planId}`)).body.activeSubscribers).toBe(1);
  });
});

describe('the invoice list sorted', () => {
  it('pages every sort in both directions by cursor, ties by id, the same rows as one big page', async () => {
    for (const sort of ['issueDate', '-issueDate', 'dueDate', '-total', 'number', '-open', 'id', '-id']) {
      const all = (await call('GET', `/api/v1/invoices?sort=${sort}&limit=500`)).body.items as Array<Record<string, string | number>>;
      expect(all.length, sort).toBeGreaterThanOrEqual(4);
      const field = sort.replace(/^-/, '');
      const sign = sort.startsWith('-') ? -1 : 1;
      for (let i = 1; i < all.length; i++) {
        const [a, b] = [all[i - 1]!, all[i]!];
        const c = a[field]! < b[field]! ? -1 : a[field]! > b[field]! ? 1 : (a.id as number) - (b.id as number);
        expect(Math.sign(c) * sign, `${sort} at ${i}`).toBeLessThan(0);
      }
      const walked: unknown[] = [];
      let url = `/api/v1/invoices?sort=${sort}&limit=2`;
      for (;;) {
        const page = (await call('GET', url)).body;
        walked.push(...page.items.map((i: { id: number }) => i.id));
        if (!page.next) break;
        url = `/api/v1/invoices?sort=${sort}&limit=2&cursor=${page.next}`;
      }
      expect(walked, sort).toEqual(all.map((i) => i.id));
    }
  });

  it('refuses an unknown sort and a cursor of another sort, naming the field', async () => {
    const bad = await call('GET', '/api/v1/invoices?sort=colour');
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toContain('sort');
    const byId = (await call('GET', '/api/v1/invoices?limit=1')).body.next;
    const mixed = await call('GET', `/api/v1/invoices?sort=total&limit=1&cursor=${byId}`);
    expect(mixed.status).toBe(422);
    expect(mixed.body.errors[0].field).toBe('cursor');
  });
});

describe('payments', () => {
  it('settles the named invoice first, the rest oldest first', async () => {
    const open = (await call('GET', `/api/v1/invoices?customerId=${mario}&status=open`)).body.items as Array<{ id: number; number: string; issueDate: string; open: number }>;
    const byDate = [...open].sort((a, b) => a.issueDate.localeCompare(b.issueDate));
    const newest = byDate.at(-1)!;
    const oldest = byDate[0]!;
    const paid = await call('POST', '/api/v1/payments', { customerId: mario, amount: newest.open + 500, method: 'bank', receivedAt: '2026-11-20T09:00:00Z', reference: 'TRN-1', invoiceId: newest.id });
    expect(paid.status, JSON.stringify(paid.body)).toBe(201);
    expect((await call('GET', `/api/v1/invoices/${newest.id}`)).body).toMatchObject({ open: 0, status: 'paid' });
    // The 500 left over went to the oldest open invoice, not to credit.
    expect((await call('GET', `/api/v1/invoices/${oldest.id}`)).body.open).toBe(oldest.open - 500);
    const audit = await t.sql.get<{ after: string }>(`select after from audit_log where entity = 'payment' and entity_id = ?`, String(paid.body.id));
    expect(JSON.parse(audit!.after)).toMatchObject({ invoiceId: newest.id, amount: newest.open + 500 });

    const receipt = await call('GET', `/api/v1/payments/${paid.body.id}/pdf`);
    expect(receipt.status).toBe(200);
    expect(receipt.type).toBe('application/pdf');
    const text = pdfText(receipt.raw).join('');
    expect(text).toContain(`Receipt R-${paid.body.id}`);
    expect(text).toContain('Mario Rossi');
    expect(text).toContain('TRN-1');
    expect(text).toContain(newest.number);
    expect(text).toContain(oldest.number);
    // Asked for in Italian: the labels, the method and the amounts in Italian words and formats.
    const itText = pdfText((await call('GET', `/api/v1/payments/${paid.body.id}/pdf?lang=it`)).raw).join('');
    for (const label of [`Ricevuta R-${paid.body.id}`, 'Incassato il 20/11/2026', 'Ricevuto da', 'Modalità di pagamento', 'bonifico', 'Importo incassato', 'Imputato a']) expect(itText).toContain(label);
    expect(itText).not.toContain('Receipt');
  });

  it('prints the receipt in the customer\'s language: a Spanish customer gets a Spanish one, amounts as Spain writes them', async () => {
    const lucia = (await call('POST', '/api/v1/customers', { name: 'Lucía Núñez', language: 'es' })).body.id as number;
    const paid = await call('POST', '/api/v1/payments', { customerId: lucia, amount: 2990, method: 'card', receivedAt: '2026-09-22T09:00:00Z' });
    expect(paid.status, JSON.stringify(paid.body)).toBe(201);
    const text = pdfText((await call('GET', `/api/v1/payments/${paid.body.id}/pdf`)).raw).join('');
    // Nothing open to settle: the whole 29,90 € stays as credit, and the receipt says so. (By card in
    // September: the filter and overview tests below count cash and this month.)
    for (const label of [`Recibo R-${paid.body.id}`, 'Cobrado el 22/09/2026', 'Recibido de', 'Lucía Núñez', 'Forma de pago', 'tarjeta', 'Importe cobrado', '29,90 €',
      'No se ha saldado ninguna factura', 'Queda como saldo a favor: 29,90 €']) expect(text).toContain(label);
    expect(text).not.toMatch(/Receipt|Received|Amount/);
  });

  it('refuses an invoice of another customer, a paid one and one issued after the payment, naming invoiceId', async () => {
    const marioInv = (await call('GET', `/api/v1/invoices?customerId=${mario}`)).body.items as Array<{ id: number; open: number; issueDate: string }>;
    const paidOne = marioInv.find((i) => i.open === 0)!;
    const latest = [...marioInv].sort((a, b) => a.issueDate.localeCompare(b.issueDate)).at(-1)!;
    const before = await t.sql.get<{ n: number }>('select count(*) as "n" from payments');
    for (const body of [
      { customerId: ana, amount: 100, method: 'cash', receivedAt: '2026-11-20T09:00:00Z', invoiceId: marioInv[0]!.id },
      { customerId: mario, amount: 100, method: 'cash', receivedAt: '2026-11-20T09:00:00Z', invoiceId: paidOne.id },
      { customerId: mario, amount: 100, method: 'cash', receivedAt: '2026-10-20T09:00:00Z', invoiceId: latest.id },
      { customerId: mario, amount: 100, method: 'cash', receivedAt: '2026-11-20T09:00:00Z', invoiceId: 999999 },
    ]) {
      const res = await call('POST', '/api/v1/payments', body);
      expect(res.status, JSON.stringify(res.body)).toBe(422);
      expect(res.type).toContain('application/problem+json');
      expect(res.body.errors).toEqual([expect.objectContaining({ field: 'invoiceId' })]);
    }
    expect(await t.sql.get<{ n: number }>('select count(*) as "n" from payments')).toEqual(before);
    const bad = await call('POST', '/api/v1/payments', { customerId: mario, amount: 100, method: 'cash', receivedAt: '2026-11-20T09:00:00Z', invoiceId: 'first' });
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].field).toBe('invoiceId');
  });

  it('filters the list by method, customer and dates, and totals the filters per method', async () => {
    await call('POST', '/api/v1/payments', { customerId: ana, amount: 1000, method: 'cash', receivedAt: '2026-11-21T09:00:00Z' });
    await call('POST', '/api/v1/payments', { customerId: ana, amount: 250, method: 'cash', receivedAt: '2026-10-21T09:00:00Z' });
    const cash = await call('GET', '/api/v1/payments?method=cash');
    expect(cash.body.items.map((p: { amount: number; customerName: string }) => [p.amount, p.customerName])).toEqual([[1000, 'Ana García'], [250, 'Ana García']]);
    expect((await call('GET', `/api/v1/payments?method=cash&from=2026-11-01&customerId=${ana}`)).body.items).toHaveLength(1);
    const totals = await call('GET', '/api/v1/payments/totals?from=2026-11-01&to=2026-11-30');
    expect(totals.status, JSON.stringify(totals.body)).toBe(200);
    expect(totals.body).toMatchObject({ currency: 'EUR', from: '2026-11-01', to: '2026-11-30' });
    expect(totals.body.byMethod).toEqual([
      { method: 'bank', count: 1, amount: 3500, refunded: 0, net: 3500 },
      { method: 'cash', count: 1, amount: 1000, refunded: 0, net: 1000 },
    ]);
    expect(totals.body.total).toEqual({ method: '*', count: 2, amount: 4500, refunded: 0, net: 4500 });
  });

  it('answers bad filters and ids with problem+json naming the field', async () => {
    for (const [url, field] of [
      ['/api/v1/payments/totals?method=', 'method'],
      ['/api/v1/payments/totals?from=yesterday', 'from'],
      ['/api/v1/payments/totals?colour=red', 'colour'],
      ['/api/v1/payments?method=', 'method'],
      ['/api/v1/payments/abc/pdf', 'id'],
    ] as const) {
      const res = await call('GET', url);
      expect(res.status, url).toBeGreaterThanOrEqual(400);
      expect(res.status, url).toBeLessThan(500);
      expect(res.type).toContain('application/problem+json');
      expect(res.body.errors.map((e: { field: string }) => e.field), url).toContain(field);
    }
    expect((await call('GET', '/api/v1/payments/999999/pdf')).status).toBe(404);
  });
});

describe('overview and checklist', () => {
  it('serves the overview in minor units with the four overdue buckets', async () => {
    const o = await call('GET', '/api/v1/dashboard/overview');
    expect(o.status, JSON.stringify(o.body)).toBe(200);
    expect(o.body).toMatchObject({ today: '2026-11-23', currency: 'EUR', month: { from: '2026-11-01', to: '2026-11-30' }, services: { started: 0 } });
    expect(o.body.overdue.map((b: { bucket: string }) => b.bucket)).toEqual(['0-30', '31-60', '61-90', '90+']);
    expect(o.body.online).toHaveLength(24);
    expect(o.body.online.at(-1).sessions).toBe(2);
    expect(o.body.money.collected).toBe(4500);
  });

  it('lists the first-run steps, done as the database and config say', async () => {
    const c = await call('GET', '/api/v1/dashboard/checklist');
    expect(c.status).toBe(200);
    expect(c.body.steps.map((s: { key: string; done: boolean }) => [s.key, s.done])).toEqual([['nas', false], ['plan', true], ['company', false], ['notifications', false], ['customer', true]]);
    expect(c.body.done).toBe(false);
  });
});

describe("reading a subscriber's password back", () => {
  const as = async (role: string, url: string) => {
    const tok = await t.token(role);
    return t.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${tok}` } });
  };

  it('answers it to admins and super-admins, auditing each reveal without the password', async () => {
    const before = (await t.sql.get<{ n: number }>(`select count(*) as "n" from audit_log where action = 'reveal_password'`))!.n;
    for (const role of ['admin', 'super-admin']) {
      const res = await as(role, `/api/v1/services/${serviceId}/password/reveal`);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toEqual({ serviceId, username: 'mario', password: 'pw-mario-1' });
      expect(res.headers['cache-control']).toBe('no-store');
    }
    const rows = await t.sql.all<{ actor: string; entity: string; entityId: string; after: string }>(
      `select actor, entity, entity_id as "entityId", after from audit_log where action = 'reveal_password' order by id`);
    expect(rows.length - before).toBe(2);
    expect(rows.at(-1)).toMatchObject({ entity: 'service', entityId: String(serviceId), actor: expect.stringMatching(/^token:/) });
    expect(JSON.parse(rows.at(-1)!.after)).toEqual({ username: 'mario' });
    expect(rows.map((r) => r.after).join('')).not.toContain('pw-mario-1');
  });

  it('refuses support, finance and read-only (403) and audits nothing for them', async () => {
    const before = (await t.sql.get<{ n: number }>(`select count(*) as "n" from audit_log where action = 'reveal_password'`))!.n;
    for (const role of ['support', 'finance', 'read-only']) {
      const res = await as(role, `/api/v1/services/${serviceId}/password/reveal`);
      expect(res.statusCode, role).toBe(403);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body).not.toContain('pw-mario-1');
    }
    expect((await t.sql.get<{ n: number }>(`select count(*) as "n" from audit_log where action = 'reveal_password'`))!.n).toBe(before);
  });

  it('answers 404 for a service that does not exist and 422 naming id for a bad one', async () => {
    expect((await as('admin', '/api/v1/services/999999/password/reveal')).statusCode).toBe(404);
    const bad = await as('admin', '/api/v1/services/mario/password/reveal');
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors[0].field).toBe('id');
  });
});
