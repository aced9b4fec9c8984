// The intermediary channel against a local fake of A-Cube's documented API: login for a JWT, the XML
// posted to /invoices (202 with a uuid; a 401 logs in again), SDI's receipts back through the
// webhook authenticated by the header token configured in A-Cube.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApi, type TestApi } from '../helpers/admin-api.js';
import { xsdErrors } from '../helpers/fatturapa.js';

let t: TestApi;
let token: string;
let fake: Server;
const invoices: { uuid: string; xml: string; auth: string }[] = [];
const logins: string[] = [];
let validTokens = new Set<string>();

const body = (req: IncomingMessage) => new Promise<string>((resolve) => {
  let b = '';
  req.on('data', (c: Buffer) => (b += c.toString('utf8')));
  req.on('end', () => resolve(b));
});

beforeAll(async () => {
  fake = createServer(async (req, res) => {
    const text = await body(req);
    if (req.method === 'POST' && req.url === '/login') {
      const { email, password } = JSON.parse(text) as { email: string; password: string };
      if (email !== 'ops@reteveloce.example' || password !== 'acube-pass') {
        res.writeHead(401).end();
        return;
      }
      const jwt = `jwt-${randomUUID()}`;
      validTokens.add(jwt);
      logins.push(jwt);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token: jwt }));
      return;
    }
    if (req.method === 'POST' && req.url === '/invoices') {
      const auth = (req.headers.authorization ?? '').replace(/^Bearer /, '');
      if (!validTokens.has(auth)) {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"message":"Expired JWT Token"}');
        return;
      }
      if (req.headers['content-type'] !== 'application/xml') {
        res.writeHead(415).end();
        return;
      }
      const uuid = randomUUID();
      invoices.push({ uuid, xml: text, auth });
      res.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify({ uuid }));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
  t = await testApi({
    env: {
      TOLLGATE_COMPANY_NAME: 'Rete Veloce S.r.l.', TOLLGATE_COMPANY_VAT_NUMBER: '06363391001', TOLLGATE_COMPANY_STREET: 'Via Appia Nuova',
      TOLLGATE_COMPANY_POSTAL_CODE: '00183', TOLLGATE_COMPANY_CITY: 'Roma', TOLLGATE_COMPANY_PROVINCE: 'RM',
      TOLLGATE_EINVOICE_CHANNEL: 'acube', TOLLGATE_EINVOICE_ACUBE_LOGIN_URL: base, TOLLGATE_EINVOICE_ACUBE_API_URL: base,
      TOLLGATE_EINVOICE_ACUBE_EMAIL: 'ops@reteveloce.example', TOLLGATE_EINVOICE_ACUBE_PASSWORD: 'acube-pass',
      TOLLGATE_EINVOICE_ACUBE_WEBHOOK_HEADER: 'X-Acube-Token', TOLLGATE_EINVOICE_ACUBE_WEBHOOK_TOKEN: 'hook-secret-123',
    },
  });
  token = await t.token('super-admin');
});
afterAll(async () => {
  await t?.close();
  await new Promise<void>((resolve) => fake.close(() => resolve()));
});

async function call(method: string, url: string, payload?: unknown, headers: Record<string, string> = { authorization: `Bearer ${token}` }) {
  const res = await t.app.inject({ method: method as 'GET', url, payload: payload as object, headers });
  return { status: res.statusCode, body: res.headers['content-type']?.toString().includes('json') ? res.json() : res.body };
}

const address = { street: 'Via Garibaldi', streetNumber: '3', postalCode: '20121', city: 'Milano', province: 'MI', country: 'IT' };
const notification = (uuid: string, type: string, message: unknown) => ({
  notification: { uuid: randomUUID(), invoice_uuid: uuid, created_at: '2026-11-23T10:05:00Z', type, file_name: `IT10442360961_${type}_001.xml`, message: JSON.stringify(message), downloaded: false },
  invoice: { uuid },
});

describe('e-invoicing through A-Cube', () => {
  it('sends the XML with a JWT from the login, logs in again on a 401, and applies the webhook receipts', async () => {
    const a = (await call('POST', '/api/v1/customers', { kind: 'company', companyName: 'Bar Sport S.n.c.', vatNumber: '00743110157', sdiCode: 'M5UXCR1', ...address })).body.id;
    const b = (await call('POST', '/api/v1/customers', { kind: 'company', companyName: 'Officina Verdi S.r.l.', vatNumber: '06363391001', ...address })).body.id;
    for (const id of [a, b]) await call('POST', '/api/v1/charges', { customerId: id, description: 'Installazione', amount: 4900, date: '2026-11-23', taxRateBp: 2200, taxInclusive: false });
    // The first JWT expires after the first invoice: the channel logs in again once.
    const first = await call('POST', '/api/v1/billing/run', { date: '2026-11-23' });
    expect(first.status).toBe(200);
    expect(invoices).toHaveLength(2);
    for (const i of invoices) expect(xsdErrors(i.xml)).toBe('');
    expect(logins).toHaveLength(1);
    validTokens = new Set();
    await call('POST', '/api/v1/charges', { customerId: a, description: 'Router', amount: 2500, date: '2026-11-23', taxRateBp: 2200, taxInclusive: false });
    await t.services.billing.runAsync('2026-11-23');
    expect((await t.services.einvoice.runFor('2026-11-23')).sent).toBe(1);
    expect(logins).toHaveLength(2);
    expect(invoices.at(-1)!.auth).toBe(logins[1]);

    const [ia, ib] = invoices;
    const hook = { 'x-acube-token': 'hook-secret-123', 'content-type': 'application/json' };
    expect((await call('POST', '/api/v1/einvoice/webhooks/acube', notification(ia!.uuid, 'RC', { identificativo_sdi: '111' }), { ...hook, 'x-acube-token': 'wrong' })).status).toBe(401);
    expect((await call('POST', '/api/v1/einvoice/webhooks/acube', notification(ia!.uuid, 'RC', { identificativo_sdi: '111' }), hook)).body).toMatchObject({ stored: true });
    const ns = { identificativo_sdi: '112', lista_errori: { errore: [{ codice: '00305', descrizione: 'IdCodice non valido' }] } };
    expect((await call('POST', '/api/v1/einvoice/webhooks/acube', notification(ib!.uuid, 'NS', ns), hook)).body).toMatchObject({ stored: true });
    expect((await call('POST', '/api/v1/einvoice/webhooks/acube', { hello: 1 }, hook)).status).toBe(422);
    const list = (await call('GET', '/api/v1/fiscal-documents')).body.items as any[];
    expect(list.find((d) => d.customerId === a && d.state !== 'sent')).toMatchObject({ state: 'delivered', sdiId: '111' });
    expect(list.find((d) => d.customerId === b)).toMatchObject({ state: 'rejected', stateCode: '00305' });
  });
});
