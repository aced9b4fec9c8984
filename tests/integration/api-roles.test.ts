import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtInRoleNames, builtInRoles, mayCall, routeRequirement, type Grants } from '../../src/http/permissions.js';
import { concreteUrl, cookieFrom, testApi, type TestApi } from '../helpers/admin-api.js';

/**
 * Permissions on every route: each registered /api/v1 route maps to an area, refuses (403
 * problem+json) what a role may not do and lets through what it may, for every built-in role and a
 * custom one, with tokens and with a session cookie.
 */
let t: TestApi;
let apiRoutes: Array<{ method: string; url: string }>;

/** Routes outside the guard on purpose. */
const outside = new Set(['GET /api/v1/openapi.json', 'HEAD /api/v1/openapi.json']);

beforeAll(async () => {
  t = await testApi();
  await t.app.ready();
  apiRoutes = t.app.apiRoutes!.filter((r) => r.url.startsWith('/api/v1/') && !outside.has(`${r.method} ${r.url}`));
});
afterAll(async () => t.close());

async function call(method: string, url: string, headers: Record<string, string>, payload?: unknown) {
  const res = await t.app.inject({ method: method as 'GET', url, headers, ...(payload !== undefined ? { payload: payload as object } : {}) });
  return res;
}

describe('route map', () => {
  it('maps every registered /api/v1 route to an area (an unmapped route fails here)', () => {
    expect(apiRoutes.length).toBeGreaterThan(50);
    const unmapped = apiRoutes.filter((r) => routeRequirement(r.method, r.url) === undefined).map((r) => `${r.method} ${r.url}`);
    expect(unmapped, 'add these to the rules in src/http/permissions.ts').toEqual([]);
  });

  it('fails closed: an unknown route needs a super-admin', () => {
    expect(routeRequirement('GET', '/api/v1/something-new')).toBeUndefined();
    expect(routeRequirement('GET', '/api/v1/exports/unknown.csv')).toBeUndefined();
    expect(mayCall('super-admin', builtInRoles['super-admin'].grants, undefined)).toBe(true);
    expect(mayCall('admin', builtInRoles.admin.grants, undefined)).toBe(false);
  });

  it('maps by method and pattern, with the overrides', () => {
    expect(routeRequirement('GET', '/api/v1/customers/:id')).toEqual({ area: 'customers', access: 'read' });
    expect(routeRequirement('HEAD', '/api/v1/customers')).toEqual({ area: 'customers', access: 'read' });
    expect(routeRequirement('POST', '/api/v1/billing/run')).toEqual({ area: 'billing', access: 'write' });
    expect(routeRequirement('POST', '/api/v1/services/:id/suspend')).toEqual({ area: 'services', access: 'write' });
    expect(routeRequirement('GET', '/api/v1/customers/:id/statement')).toEqual({ area: 'billing', access: 'read' });
    expect(routeRequirement('GET', '/api/v1/billing-profiles')).toEqual({ area: 'billing', access: 'read' });
    expect(routeRequirement('GET', '/api/v1/audit-log')).toEqual({ area: 'audit', access: 'read' });
    expect(routeRequirement('POST', '/api/v1/vouchers')).toEqual({ area: 'billing', access: 'write' });
    expect(routeRequirement('GET', '/api/v1/exports/customers.csv')).toEqual({ area: 'customers', access: 'read' });
    expect(routeRequirement('POST', '/api/v1/auth/login')).toEqual({ area: 'public' });
    expect(routeRequirement('GET', '/api/v1/customersx')).toBeUndefined();
  });

  it('puts every mapped route behind authentication (no token, no cookie: 401)', async () => {
    for (const r of apiRoutes) {
      if (r.method === 'HEAD') continue;
      const res = await call(r.method, concreteUrl(r.url), {}, r.method === 'GET' || r.method === 'DELETE' ? undefined : {});
      if (routeRequirement(r.method, r.url)?.area === 'public') expect(res.statusCode, `${r.method} ${r.url}`).not.toBe(401);
      else expect(res.statusCode, `${r.method} ${r.url}`).toBe(401);
    }
  });
});

/** Calls every route as a role and checks 403 exactly where the role lacks the permission. */
async function sweep(role: string, grants: Grants, headers: Record<string, string>) {
  const wrong: string[] = [];
  for (const r of apiRoutes) {
    // Logout would end the session the sweep goes on with; the auth tests cover it.
    if (r.method === 'HEAD' || (headers.cookie && r.url === '/api/v1/auth/logout')) continue;
    const allowed = mayCall(role, grants, routeRequirement(r.method, r.url));
    const res = await call(r.method, concreteUrl(r.url), headers, r.method === 'GET' || r.method === 'DELETE' ? undefined : {});
    if (!allowed) {
      if (res.statusCode !== 403 || !String(res.headers['content-type']).startsWith('application/problem+json')) wrong.push(`${r.method} ${r.url} should be refused, got ${res.statusCode}`);
    } else if (res.statusCode === 403 || res.statusCode === 401) {
      wrong.push(`${r.method} ${r.url} should be allowed, got ${res.statusCode} ${res.body}`);
    }
  }
  return wrong;
}

describe('per role, every route', () => {
  for (const role of builtInRoleNames) {
    it(`${role}: refuses exactly what the role may not do (bearer token)`, async () => {
      const token = await t.token(role);
      expect(await sweep(role, builtInRoles[role].grants, { authorization: `Bearer ${token}` })).toEqual([]);
    });
  }

  it('a custom role: refuses exactly what it may not do, and a change of the role applies at once', async () => {
    const root = { authorization: `Bearer ${await t.token('super-admin')}` };
    const created = await call('POST', '/api/v1/roles', root, { name: 'collector', description: 'collects payments', permissions: { payments: 'write', customers: 'read' } });
    expect(created.statusCode).toBe(201);
    expect(created.json().permissions).toMatchObject({ payments: 'write', customers: 'read', billing: 'none', admins: 'none' });
    const token = await t.token('collector');
    const h = { authorization: `Bearer ${token}` };
    expect(await sweep('collector', { payments: 'write', customers: 'read' }, h)).toEqual([]);
    expect((await call('GET', '/api/v1/customers', h)).statusCode).toBe(200);
    expect((await call('POST', '/api/v1/customers', h, { name: 'x' })).statusCode).toBe(403);
    expect((await call('PATCH', '/api/v1/roles/collector', root, { permissions: { payments: 'read' } })).statusCode).toBe(200);
    expect((await call('GET', '/api/v1/customers', h)).statusCode).toBe(403);
    expect((await call('POST', '/api/v1/payments', h, {})).statusCode).toBe(403);
    // A role still held cannot go; once its token is revoked it can.
    expect((await call('DELETE', '/api/v1/roles/collector', root)).statusCode).toBe(409);
    const id = (await call('GET', '/api/v1/tokens', root)).json().items.find((x: { role: string }) => x.role === 'collector').id;
    expect((await call('DELETE', `/api/v1/tokens/${id}`, root)).statusCode).toBe(204);
    expect((await call('DELETE', '/api/v1/roles/collector', root)).statusCode).toBe(204);
    expect((await call('GET', '/api/v1/roles/collector', root)).statusCode).toBe(404);
  });

  it('read-only, with a session cookie: reads pass, writes are refused, the same as with a token', async () => {
    await t.admin('viewer', 'viewer-password-1', 'read-only');
    const login = await call('POST', '/api/v1/auth/login', {}, { username: 'viewer', password: 'viewer-password-1' });
    expect(login.statusCode).toBe(200);
    const headers = { cookie: cookieFrom(login)!, 'x-csrf-token': login.json().csrfToken as string };
    expect(await sweep('read-only', builtInRoles['read-only'].grants, headers)).toEqual([]);
  });
});

describe('what the roles can really do', () => {
  it('finance records a payment, support suspends a service, neither does the other; admin cannot manage admins', async () => {
    const root = { authorization: `Bearer ${await t.token('super-admin')}` };
    const finance = { authorization: `Bearer ${await t.token('finance')}` };
    const support = { authorization: `Bearer ${await t.token('support')}` };
    const admin = { authorization: `Bearer ${await t.token('admin')}` };
    const customer = (await call('POST', '/api/v1/customers', support, { name: 'Ada Lovelace', email: 'ada@example.net' })).json();
    expect(customer.id).toBeGreaterThan(0);
    const plan = (await call('POST', '/api/v1/plans', root, { name: 'Home 10', type: 'recurring', price: 2000, billingPeriodMonths: 1, downloadKbps: 10000, uploadKbps: 2000 })).json();
    expect((await call('POST', '/api/v1/plans', support, { name: 'Home 20', type: 'recurring', price: 3000, billingPeriodMonths: 1, downloadKbps: 20000, uploadKbps: 2000 })).statusCode).toBe(403);
    const service = await call('POST', '/api/v1/services', support, { customerId: customer.id, planId: plan.id, username: 'ada', password: 'ada-pppoe-pw', startDate: '2026-11-01' });
    expect(service.statusCode).toBe(201);
    const payment = await call('POST', '/api/v1/payments', finance, { customerId: customer.id, amount: 2000, method: 'cash', receivedAt: '2026-11-20T10:00:00.000Z' });
    expect(payment.statusCode).toBe(201);
    expect((await call('POST', '/api/v1/payments', support, { customerId: customer.id, amount: 2000, method: 'cash', receivedAt: '2026-11-20T10:00:00.000Z' })).statusCode).toBe(403);
    expect((await call('POST', `/api/v1/services/${service.json().id}/suspend`, finance, {})).statusCode).toBe(403);
    const suspended = await call('POST', `/api/v1/services/${service.json().id}/suspend`, support, {});
    expect(suspended.statusCode, suspended.body).toBeLessThan(300);
    expect((await call('POST', '/api/v1/admins', admin, { username: 'x', password: 'a-long-password-1', role: 'read-only' })).statusCode).toBe(403);
    expect((await call('GET', '/api/v1/admins', admin)).statusCode).toBe(200);
    const denied = await call('POST', '/api/v1/nas', finance, { name: 'r1', ipAddress: '192.0.2.1', secret: 'a-secret-123' });
    expect(denied.statusCode).toBe(403);
    expect(denied.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(denied.json()).toMatchObject({ status: 403, code: 'forbidden' });
    expect(denied.json().detail).toContain('write access to nas');
  });

  it('nobody hands out more than they hold', async () => {
    const root = { authorization: `Bearer ${await t.token('super-admin')}` };
    expect((await call('POST', '/api/v1/roles', root, { name: 'hr', permissions: { admins: 'write', customers: 'read' } })).statusCode).toBe(201);
    expect((await call('POST', '/api/v1/roles', root, { name: 'viewer', permissions: { customers: 'read' } })).statusCode).toBe(201);
    const hr = { authorization: `Bearer ${await t.token('hr')}` };
    expect((await call('POST', '/api/v1/admins', hr, { username: 'v1', password: 'a-long-password-1', role: 'viewer' })).statusCode).toBe(201);
    for (const role of ['finance', 'super-admin', 'admin']) {
      expect((await call('POST', '/api/v1/admins', hr, { username: `x-${role}`, password: 'a-long-password-1', role })).statusCode, role).toBe(403);
      expect((await call('POST', '/api/v1/tokens', hr, { name: 'x', role })).statusCode, role).toBe(403);
    }
    expect((await call('POST', '/api/v1/roles', hr, { name: 'sneaky', permissions: { billing: 'write' } })).statusCode).toBe(403);
    // The refusals of an escalation read in the reader's language; English as it always read.
    const above = await call('POST', '/api/v1/admins', hr, { username: 'x-admin', password: 'a-long-password-1', role: 'admin' });
    expect(above.json().detail).toBe('you may not hand out the role "admin": it grants more than yours');
    const sopra = await call('POST', '/api/v1/admins', { ...hr, 'accept-language': 'it' }, { username: 'x-admin', password: 'a-long-password-1', role: 'admin' });
    expect(sopra.headers['content-language']).toBe('it');
    expect(sopra.json()).toMatchObject({ status: 403, title: 'Non consentito', detail: 'non puoi assegnare il ruolo "admin": concede più del tuo' });
    expect((await call('POST', '/api/v1/roles', { ...hr, 'accept-language': 'es' }, { name: 'sneaky', permissions: { billing: 'write' } })).json().detail).toBe('el rol concedería más que el tuyo');
    expect((await call('POST', '/api/v1/tokens', hr, { name: 'x', role: 'no-such-role' })).json().errors[0].field).toBe('role');
    // An admin role holder (admins: read) cannot create tokens at all.
    const adminTok = { authorization: `Bearer ${await t.token('admin')}` };
    expect((await call('POST', '/api/v1/tokens', adminTok, { name: 'x', role: 'read-only' })).statusCode).toBe(403);
    // hr cannot revoke a super-admin's token or reset a super-admin's password.
    const list = (await call('GET', '/api/v1/tokens', root)).json().items as Array<{ id: number; role: string }>;
    expect((await call('DELETE', `/api/v1/tokens/${list.find((x) => x.role === 'super-admin')!.id}`, hr)).statusCode).toBe(403);
    const rootToken = list.find((x) => x.role === 'super-admin')!.id;
    expect((await call('DELETE', `/api/v1/tokens/${rootToken}`, { ...hr, 'accept-language': 'it' })).json().detail).toBe(`il token ${rootToken} ha il ruolo "super-admin", che concede più del tuo`);
    const boss = await t.admin('boss', 'boss-password-12', 'super-admin');
    expect((await call('POST', `/api/v1/admins/${boss}/password`, hr, { password: 'another-password-1' })).statusCode).toBe(403);
  });
});
