import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redact } from '../../src/db/audit.js';
import { testApi, type TestApi } from '../helpers/admin-api.js';

let t: TestApi;
let token: string;
let nasId: number;
let customerId: number;

async function call(method: string, url: string, payload?: unknown, bearer = token) {
  const res = await t.app.inject({ method: method as 'GET', url, payload: payload as object, headers: { authorization: `Bearer ${bearer}` } });
  return { status: res.statusCode, type: String(res.headers['content-type'] ?? ''), text: res.body, body: res.body ? res.json() : undefined };
}

beforeAll(async () => {
  t = await testApi();
  token = await t.token('super-admin');
  nasId = (await call('POST', '/api/v1/nas', { name: 'tower-1', ipAddress: '192.0.2.1', secret: 'nas-shared-secret-1' })).body.id;
  await call('PATCH', `/api/v1/nas/${nasId}`, { secret: 'nas-shared-secret-2', description: 'north hill' });
  t.clock.advance(60_000);
  customerId = (await call('POST', '/api/v1/customers', { name: 'Mario Rossi', email: 'mario@example.com' })).body.id;
  const plan = (await call('POST', '/api/v1/plans', { name: 'p', type: 'recurring', price: 100, billingPeriodMonths: 1, downloadKbps: 1, uploadKbps: 1 })).body.id;
  const svc = (await call('POST', '/api/v1/services', { customerId, planId: plan, username: 'mrossi', password: 'ppp-password-1', startDate: '2026-01-01' })).body.id;
  await call('PATCH', `/api/v1/services/${svc}`, { password: 'ppp-password-2' });
  await call('PATCH', `/api/v1/customers/${customerId}`, { name: 'Mario Verdi' });
  await call('DELETE', `/api/v1/nas/${nasId}`);
});
afterAll(async () => t.close());

describe('GET /api/v1/audit-log', () => {
  it('lists changes newest first with who, when, from where, before and after', async () => {
    const r = await call('GET', '/api/v1/audit-log');
    expect(r.status).toBe(200);
    const first = r.body.items[0];
    expect(first).toMatchObject({ action: 'delete', entity: 'nas', entityId: String(nasId), after: null });
    expect(first.actor).toMatch(/^token:\d+$/);
    expect(first.actorIp).toBe('127.0.0.1');
    expect(first.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(first.before).toMatchObject({ name: 'tower-1', description: 'north hill' });
    const ids = r.body.items.map((i: { id: number }) => i.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
  });

  it('never shows a secret: NAS secrets and subscriber passwords are in no entry', async () => {
    const r = await call('GET', '/api/v1/audit-log?limit=500');
    expect(r.text).not.toMatch(/nas-shared-secret|ppp-password|secretEnc|passwordEnc|v1:/);
    expect(r.text).not.toContain(token);
  });

  it('filters by entity, entity id, action and actor', async () => {
    const nas = await call('GET', `/api/v1/audit-log?entity=nas&entityId=${nasId}`);
    expect(nas.body.items.map((i: { action: string }) => i.action)).toEqual(['delete', 'update', 'create']);
    const upd = await call('GET', `/api/v1/audit-log?entity=customer&action=update`);
    expect(upd.body.items).toHaveLength(1);
    expect(upd.body.items[0].before.name).toBe('Mario Rossi');
    expect(upd.body.items[0].after.name).toBe('Mario Verdi');
    const actor = nas.body.items[0].actor;
    const byActor = await call('GET', `/api/v1/audit-log?actor=${encodeURIComponent(actor)}&limit=500`);
    expect(byActor.body.items.length).toBeGreaterThanOrEqual(8);
    expect(byActor.body.items.every((i: { actor: string }) => i.actor === actor)).toBe(true);
    expect((await call('GET', '/api/v1/audit-log?actor=token:999999')).body.items).toEqual([]);
  });

  it('searches free text in the values before and after', async () => {
    const r = await call('GET', '/api/v1/audit-log?q=north%20hill');
    expect(r.body.items.map((i: { action: string }) => i.action).sort()).toEqual(['delete', 'update']);
    expect((await call('GET', '/api/v1/audit-log?q=mrossi')).body.items.every((i: { entity: string }) => i.entity === 'service')).toBe(true);
    // LIKE wildcards are searched for literally.
    expect((await call('GET', '/api/v1/audit-log?q=%25')).body.items).toEqual([]);
    expect((await call('GET', '/api/v1/audit-log?q=_')).body.items.length).toBeLessThan((await call('GET', '/api/v1/audit-log?limit=500')).body.items.length);
  });

  it('filters by a time range: from inclusive, to exclusive', async () => {
    const all = (await call('GET', '/api/v1/audit-log?limit=500')).body.items as { at: string; entity: string }[];
    const nasCreate = all.find((i) => i.entity === 'nas')!;
    const customerCreate = [...all].reverse().find((i) => i.entity === 'customer')!;
    expect(customerCreate.at > all[all.length - 1]!.at).toBe(true); // the clock moved between them
    const before = (await call('GET', `/api/v1/audit-log?to=${encodeURIComponent(customerCreate.at)}&limit=500`)).body.items as { at: string }[];
    const after = (await call('GET', `/api/v1/audit-log?from=${encodeURIComponent(customerCreate.at)}&limit=500`)).body.items as { at: string }[];
    expect(before.length + after.length).toBe(all.length);
    expect(before.every((i) => i.at < customerCreate.at)).toBe(true);
    expect(after.every((i) => i.at >= customerCreate.at)).toBe(true);
    expect(nasCreate).toBeDefined();
    const bad = await call('GET', `/api/v1/audit-log?from=${encodeURIComponent(customerCreate.at)}&to=2000-01-01T00:00:00Z`);
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].field).toBe('to');
    const notInstant = await call('GET', '/api/v1/audit-log?from=yesterday');
    expect(notInstant.status).toBe(422);
    expect(notInstant.body.errors[0].field).toBe('from');
  });

  it('pages with limit and cursor, as every list does', async () => {
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const r: { body: { items: { id: number }[]; next: string | null } } = await call('GET', `/api/v1/audit-log?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...r.body.items.map((i) => i.id));
      cursor = r.body.next;
    } while (cursor);
    const all = (await call('GET', '/api/v1/audit-log?limit=500')).body.items.map((i: { id: number }) => i.id);
    expect(seen).toEqual(all);
    expect((await call('GET', '/api/v1/audit-log?cursor=bogus')).status).toBe(422);
  });

  it('redacts secret-looking keys whatever wrote the row', async () => {
    await t.sql.run(`insert into audit_log (at, actor, action, entity, entity_id, before, after) values (?, 'system', 'update', 'admin', '9', ?, ?)`,
      '2026-11-23T10:05:00.000Z', JSON.stringify({ passwordHash: '$argon2id$x', totpSecret: 'JBSWY3DP' }), JSON.stringify({ nested: { apiKey: 'k-123', password: 'hunter2' }, passwordSet: true, name: 'ok' }));
    const r = await call('GET', '/api/v1/audit-log?entity=admin&entityId=9');
    expect(r.body.items[0].before).toEqual({ passwordHash: '[redacted]', totpSecret: '[redacted]' });
    expect(r.body.items[0].after).toEqual({ nested: { apiKey: '[redacted]', password: '[redacted]' }, passwordSet: true, name: 'ok' });
    expect(r.text).not.toMatch(/hunter2|k-123|JBSWY3DP|argon2id/);
    expect(redact({ list: [{ secret: 's' }], n: 1 })).toEqual({ list: [{ secret: '[redacted]' }], n: 1 });
  });

  it('exports as CSV with the same filters, secrets still redacted', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/exports/audit-log.csv?entity=nas`, headers: { authorization: `Bearer ${token}` } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    const lines = res.body.trimEnd().split('\r\n');
    expect(lines[0]).toBe('id,at,actor,actorIp,action,entity,entityId,before,after');
    expect(lines).toHaveLength(4);
    expect(lines[1]).toContain(',delete,nas,');
    expect(res.body).toContain('""north hill""');
    expect(res.body).not.toMatch(/nas-shared-secret/);
  });

  it('is refused without a token and to roles without the audit area', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/audit-log' })).statusCode).toBe(401);
    const ro = await t.token('read-only');
    const r = await call('GET', '/api/v1/audit-log', undefined, ro);
    expect(r.status).toBe(403);
    expect(r.type).toMatch(/problem\+json/);
  });
});
