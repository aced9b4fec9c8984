import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { tokenStore } from '../../src/db/security.js';
import type { App } from '../../src/http/build.js';
import { buildApp } from '../helpers/app.js';
import { SecretBox } from '../../src/lib/secretbox.js';
import { openAppDatabase, type TestBackend } from '../helpers/backends.js';
import { tempDir } from '../helpers/daemon.js';
import type { SqlClient } from '../../src/db/sql.js';

let app: App;
let backend: TestBackend;
let sql: SqlClient;
let token: string;

beforeAll(async () => {
  backend = await openAppDatabase(tempDir());
  ({ sql } = backend);
  const box = new SecretBox(randomBytes(32));
  ({ app } = await buildApp({ sql, db: backend.db, box, config: loadConfig(undefined, {}).config }));
  token = (await tokenStore(sql).create({ name: 't', role: 'super-admin', actor: { id: 'cli' } })).token;
});
afterAll(async () => {
  await app.close();
  await backend.close();
});

async function call(method: string, url: string, payload?: unknown, auth = true) {
  const res = await app.inject({ method: method as 'GET', url, payload: payload as object, headers: auth ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.statusCode, type: res.headers['content-type'] as string, body: res.body ? res.json() : undefined };
}

const count = async (table: string) => (await sql.get<{ n: number }>(`select count(*) n from ${table}`))!.n;

/** Bad input must be a 4xx problem+json naming the field, and change nothing, not even the audit log. */
async function expectRejected(method: string, url: string, payload: unknown, field: string, table: string) {
  const before = [await count(table), await count('audit_log'), JSON.stringify(await sql.all(`select * from ${table}`))];
  const res = await call(method, url, payload);
  expect(res.status, JSON.stringify(res.body)).toBeGreaterThanOrEqual(400);
  expect(res.status).toBeLessThan(500);
  expect(res.type).toMatch(/^application\/problem\+json/);
  expect(res.body.status).toBe(res.status);
  expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  expect(res.body.detail).toContain(field);
  expect([await count(table), await count('audit_log'), JSON.stringify(await sql.all(`select * from ${table}`))]).toEqual(before);
}

describe('API authentication', () => {
  it('requires a valid bearer token', async () => {
    expect((await call('GET', '/api/v1/nas', undefined, false)).status).toBe(401);
    const res = await app.inject({ method: 'GET', url: '/api/v1/nas', headers: { authorization: 'Bearer tg_wrong' } });
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
  });
  it('serves /healthz without auth and the OpenAPI document', async () => {
    expect((await call('GET', '/healthz', undefined, false)).status).toBe(200);
    const doc = (await call('GET', '/api/v1/openapi.json', undefined, false)).body;
    expect(doc.openapi).toMatch(/^3\./);
    for (const p of ['/api/v1/nas', '/api/v1/nas/{id}', '/api/v1/plans', '/api/v1/customers', '/api/v1/services/{id}']) expect(doc.paths[p]).toBeDefined();
  });
});

describe('/api/v1/nas', () => {
  it('creates, reads, changes, lists and deletes; the secret never comes back', async () => {
    const created = await call('POST', '/api/v1/nas', { name: 'tower-1', ipAddress: '192.0.2.0/24', secret: 'verysecret1', vendor: 'mikrotik' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'tower-1', ipAddress: '192.0.2.0/24', vendor: 'mikrotik', coaPort: 3799, requireMessageAuthenticator: true });
    expect(JSON.stringify(created.body)).not.toContain('verysecret1');
    const id = created.body.id;
    expect((await call('GET', `/api/v1/nas/${id}`)).body.name).toBe('tower-1');
    const changed = await call('PATCH', `/api/v1/nas/${id}`, { coaPort: 1700, secret: 'anothersecret' });
    expect(changed.body.coaPort).toBe(1700);
    const sealed = (await sql.get<{ secret_enc: string }>('select secret_enc from nas where id = ?', id))!;
    expect(sealed.secret_enc).toMatch(/^v1:/);
    expect(sealed.secret_enc).not.toContain('anothersecret');
    const audit = await sql.all<{ before: string; after: string }>(`select * from audit_log where entity = 'nas' and entity_id = ?`, String(id));
    expect(audit).toHaveLength(2);
    expect(JSON.stringify(audit)).not.toMatch(/secret1|anothersecret|secret_enc|secretEnc/);
    expect((await call('GET', '/api/v1/nas')).body.items.map((n: { id: number }) => n.id)).toContain(id);
    expect((await call('DELETE', `/api/v1/nas/${id}`)).status).toBe(204);
    expect((await call('GET', `/api/v1/nas/${id}`)).status).toBe(404);
  });

  it('rejects bad input naming the field and changes nothing', async () => {
    const ok = { name: 'tower-2', ipAddress: '192.0.2.1', secret: 'verysecret1' };
    await expectRejected('POST', '/api/v1/nas', { ...ok, ipAddress: 'not-an-ip' }, 'ipAddress', 'nas');
    await expectRejected('POST', '/api/v1/nas', { ...ok, coaPort: '3799' }, 'coaPort', 'nas');
    await expectRejected('POST', '/api/v1/nas', { ...ok, vendor: 'cisco' }, 'vendor', 'nas');
    await expectRejected('POST', '/api/v1/nas', { name: 'x', ipAddress: '192.0.2.1' }, 'secret', 'nas');
    await expectRejected('POST', '/api/v1/nas', { ...ok, colour: 'red' }, 'colour', 'nas');
    await expectRejected('POST', '/api/v1/nas', { ...ok, secret: 'short' }, 'secret', 'nas');
    const created = await call('POST', '/api/v1/nas', ok);
    expect(created.status).toBe(201);
    await expectRejected('POST', '/api/v1/nas', ok, 'name', 'nas');
    await expectRejected('PATCH', `/api/v1/nas/${created.body.id}`, { ipAddress: '10.0.0.0/33' }, 'ipAddress', 'nas');
    await expectRejected('PATCH', `/api/v1/nas/${created.body.id}`, { coaPort: 0 }, 'coaPort', 'nas');
  });
});

describe('/api/v1/plans', () => {
  const plan = { name: 'Home 10', type: 'recurring', price: 2500, billingPeriodMonths: 1, downloadKbps: 10000, uploadKbps: 2000 };
  it('creates, reads, changes, lists and deletes', async () => {
    const created = await call('POST', '/api/v1/plans', plan);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ ...plan, setupFee: 0, dataCapBytes: null });
    const id = created.body.id;
    expect((await call('PATCH', `/api/v1/plans/${id}`, { price: 2990 })).body.price).toBe(2990);
    expect((await call('GET', `/api/v1/plans/${id}`)).body.price).toBe(2990);
    const prepaid = await call('POST', '/api/v1/plans', { name: 'Week pass', type: 'prepaid', price: 500, validityDays: 7, downloadKbps: 5000, uploadKbps: 1000 });
    expect(prepaid.status).toBe(201);
    const list = await call('GET', '/api/v1/plans?limit=1');
    expect(list.body.items).toHaveLength(1);
    expect(list.body.next).toBeTypeOf('string');
    const page2 = await call('GET', `/api/v1/plans?limit=1&cursor=${list.body.next}`);
    expect(page2.body.items[0].id).not.toBe(list.body.items[0].id);
    expect((await call('DELETE', `/api/v1/plans/${prepaid.body.id}`)).status).toBe(204);
  });

  it('rejects bad input naming the field and changes nothing', async () => {
    await expectRejected('POST', '/api/v1/plans', { ...plan, name: 'p2', price: 25.5 }, 'price', 'plans');
    await expectRejected('POST', '/api/v1/plans', { ...plan, name: 'p2', price: -1 }, 'price', 'plans');
    await expectRejected('POST', '/api/v1/plans', { ...plan, name: 'p2', billingPeriodMonths: 5 }, 'billingPeriodMonths', 'plans');
    await expectRejected('POST', '/api/v1/plans', { ...plan, name: 'p2', type: 'prepaid' }, 'validityDays', 'plans');
    await expectRejected('POST', '/api/v1/plans', { ...plan, name: 'p2', dataCapBytes: 1e9 }, 'capAction', 'plans');
    const { downloadKbps: _, ...noDown } = plan;
    await expectRejected('POST', '/api/v1/plans', { ...noDown, name: 'p2' }, 'downloadKbps', 'plans');
    await expectRejected('POST', '/api/v1/plans', { ...plan, name: 'Home 10' }, 'name', 'plans');
    await expectRejected('GET', '/api/v1/plans?limit=0', undefined, 'limit', 'plans');
  });
});

describe('/api/v1/customers and /api/v1/services', () => {
  it('create, read, change, list and delete, with referential checks', async () => {
    const c = await call('POST', '/api/v1/customers', { name: 'Ada Lovelace', email: 'ada@example.com', phone: '+39 06 1234', address: 'Via Roma 1', taxId: 'IT123' });
    expect(c.status).toBe(201);
    const p = await call('POST', '/api/v1/plans', { name: 'Fibra', type: 'recurring', price: 3000, billingPeriodMonths: 1, downloadKbps: 100000, uploadKbps: 20000 });
    const s = await call('POST', '/api/v1/services', { customerId: c.body.id, planId: p.body.id, username: 'ada', password: 'pppoe-pass', startDate: '2026-11-01', macAddress: 'aa-bb-cc-dd-ee-ff' });
    expect(s.status).toBe(201);
    expect(s.body).toMatchObject({ username: 'ada', status: 'active', simultaneousUse: 1, macAddress: 'AA:BB:CC:DD:EE:FF' });
    expect(JSON.stringify(s.body)).not.toContain('pppoe-pass');
    expect((await call('PATCH', `/api/v1/services/${s.body.id}`, { status: 'suspended' })).body.status).toBe('suspended');
    expect((await call('GET', `/api/v1/services?customerId=${c.body.id}`)).body.items).toHaveLength(1);
    expect((await call('GET', `/api/v1/services?username=nobody`)).body.items).toHaveLength(0);
    // A customer with services cannot vanish from under them.
    const del = await call('DELETE', `/api/v1/customers/${c.body.id}`);
    expect(del.status).toBe(409);
    expect((await call('PATCH', `/api/v1/customers/${c.body.id}`, { phone: '+39 333 1' })).body.phone).toBe('+39 333 1');
    expect((await call('DELETE', `/api/v1/services/${s.body.id}`)).status).toBe(204);
    expect((await call('DELETE', `/api/v1/customers/${c.body.id}`)).status).toBe(204);
    expect((await call('GET', `/api/v1/customers/${c.body.id}`)).status).toBe(404);
  });

  it('reject bad input naming the field and change nothing', async () => {
    await expectRejected('POST', '/api/v1/customers', { name: '' }, 'name', 'customers');
    await expectRejected('POST', '/api/v1/customers', { name: 'B', email: 'not-an-email' }, 'email', 'customers');
    await expectRejected('POST', '/api/v1/customers', { name: 'B', phone: 12345 }, 'phone', 'customers');
    const c = await call('POST', '/api/v1/customers', { name: 'Bob' });
    const p = await call('POST', '/api/v1/plans', { name: 'Radio', type: 'recurring', price: 2000, billingPeriodMonths: 1, downloadKbps: 20000, uploadKbps: 5000 });
    const ok = { customerId: c.body.id, planId: p.body.id, username: 'bob', password: 'pw', startDate: '2026-11-01' };
    await expectRejected('POST', '/api/v1/services', { ...ok, customerId: 99999 }, 'customerId', 'services');
    await expectRejected('POST', '/api/v1/services', { ...ok, planId: 99999 }, 'planId', 'services');
    await expectRejected('POST', '/api/v1/services', { ...ok, startDate: '2026-13-01' }, 'startDate', 'services');
    await expectRejected('POST', '/api/v1/services', { ...ok, macAddress: 'zz:zz' }, 'macAddress', 'services');
    await expectRejected('POST', '/api/v1/services', { ...ok, staticIp: '10.0.0.300' }, 'staticIp', 'services');
    await expectRejected('POST', '/api/v1/services', { ...ok, simultaneousUse: 0 }, 'simultaneousUse', 'services');
    await expectRejected('POST', '/api/v1/services', { ...ok, status: 'paused' }, 'status', 'services');
    expect((await call('POST', '/api/v1/services', ok)).status).toBe(201);
    await expectRejected('POST', '/api/v1/services', ok, 'username', 'services');
    await expectRejected('PATCH', '/api/v1/services/999999', { colour: 1 }, 'colour', 'services');
  });

  it('answers malformed JSON and oversized bodies with problem+json', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/customers', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload: '{"name": ' });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
    const big = await app.inject({ method: 'POST', url: '/api/v1/customers', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload: JSON.stringify({ name: 'x', notes: 'a'.repeat(2_000_000) }) });
    expect(big.statusCode).toBe(413);
  });
});
