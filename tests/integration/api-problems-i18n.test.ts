/**
 * Problem answers in the reader's language through the whole API: an Italian admin (their chosen UI
 * language) gets titles and field messages in Italian with Content-Language: it; a Spanish browser
 * failing to log in gets Spanish; an English client gets exactly the texts it always got. Codes,
 * types, statuses and field names never change.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMessageKey, translate } from '../../src/i18n/messages.js';
import { cookieFrom, testApi, type TestApi } from '../helpers/admin-api.js';

let t: TestApi;
let session: Record<string, string>;
let bearer: Record<string, string>;

beforeAll(async () => {
  t = await testApi();
  await t.admin('mario', 'correct horse battery staple', 'super-admin');
  const login = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'mario', password: 'correct horse battery staple' } });
  expect(login.statusCode).toBe(200);
  session = { cookie: cookieFrom(login)!, 'x-csrf-token': login.json().csrfToken as string };
  const lang = await t.app.inject({ method: 'PUT', url: '/api/v1/auth/language', payload: { language: 'it' }, headers: session });
  expect(lang.statusCode).toBe(200);
  bearer = { authorization: `Bearer ${await t.token('admin')}` };
});
afterAll(async () => {
  await t.close();
});

async function post(url: string, payload: object, headers: Record<string, string>) {
  const res = await t.app.inject({ method: 'POST', url, payload, headers });
  return { status: res.statusCode, language: res.headers['content-language'], body: res.json() };
}
const byField = (errors: Array<{ field: string; message: string }>) => Object.fromEntries(errors.map((e) => [e.field, e.message]));

const badCustomer = { name: 'Mario Rossi', country: 'IT', taxCode: 'RSSMRA85T10A562X' };
const badNas = { name: '', ipAddress: '10.0.0.300', secret: 'a-long-enough-secret' };
const badPlan = { name: 'Fibra 100', type: 'recurring', price: -100, billingPeriodMonths: 1, downloadKbps: 100000, uploadKbps: 20000 };

describe('an Italian admin', () => {
  it('reads a wrong codice fiscale in Italian, the field named as ever', async () => {
    const r = await post('/api/v1/customers', badCustomer, session);
    expect(r.status).toBe(422);
    expect(r.language).toBe('it');
    expect(r.body).toMatchObject({
      code: 'invalid_tax_code', type: 'https://tollgate.dev/problems/invalid-tax-code', status: 422, title: 'Codice fiscale non valido',
      detail: 'taxCode: il carattere di controllo di questo codice fiscale è errato',
      errors: [{ field: 'taxCode', message: 'il carattere di controllo di questo codice fiscale è errato' }],
    });
  });

  it('reads schema errors in Italian: an empty required name, a negative price', async () => {
    const nas = await post('/api/v1/nas', badNas, session);
    expect(nas.status).toBe(422);
    expect(nas.language).toBe('it');
    expect(nas.body.title).toBe('Dati non validi');
    expect(byField(nas.body.errors)).toMatchObject({ name: 'non può essere vuoto' });
    const plan = await post('/api/v1/plans', badPlan, session);
    expect(plan.status).toBe(422);
    expect(byField(plan.body.errors)).toEqual({ price: 'deve essere almeno 0' });
    expect(plan.body.detail).toBe('dati non validi (body): price deve essere almeno 0');
  });

  it('reads a domain check in Italian (an address that is not one)', async () => {
    const nas = await post('/api/v1/nas', { ...badNas, name: 'Torre nord' }, session);
    expect(nas.status).toBe(422);
    expect(nas.body.errors).toEqual([{ field: 'ipAddress', message: '"10.0.0.300" non è un indirizzo IP né una rete CIDR' }]);
  });

  it("reads a reminder's missing template in Italian, beside the reminder", async () => {
    const profile = await post('/api/v1/billing-profiles', { name: 'Residenziale', reminders: [{ afterDays: 3, channels: ['sms'], template: 'chiamata.cortesia' }] }, session);
    expect(profile.status).toBe(422);
    expect(profile.body.errors).toEqual([{ field: 'reminders.0.template', message: 'nessun modello chiamata.cortesia per sms' }]);
  });

  it('reads a taken name in Italian', async () => {
    const ok = await post('/api/v1/nas', { ...badNas, name: 'Torre sud', ipAddress: '10.0.0.1' }, session);
    expect(ok.status).toBe(201);
    const again = await post('/api/v1/nas', { ...badNas, name: 'Torre sud', ipAddress: '10.0.0.1' }, session);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'conflict', title: 'Conflitto' });
    expect(again.body.errors[0].message).toMatch(/è già usato da un altro record$/);
  });

  it('is refused a write their role does not allow in Italian, though the browser asks for English', async () => {
    await t.admin('lettore', 'correct horse battery staple', 'read-only');
    const login = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'lettore', password: 'correct horse battery staple' } });
    const own = { cookie: cookieFrom(login)!, 'x-csrf-token': login.json().csrfToken as string };
    expect((await t.app.inject({ method: 'PUT', url: '/api/v1/auth/language', payload: { language: 'it' }, headers: own })).statusCode).toBe(200);
    const r = await post('/api/v1/nas', { ...badNas, name: 'Torre est', ipAddress: '10.0.0.2' }, { ...own, 'accept-language': 'en' });
    expect(r.status).toBe(403);
    expect(r.language).toBe('it');
    expect(r.body).toMatchObject({ code: 'forbidden', title: 'Non consentito', detail: 'il ruolo "read-only" non può eseguire POST /api/v1/nas: serve l’accesso in scrittura all’area NAS' });
    const settings = await t.app.inject({ method: 'GET', url: '/api/v1/admins', headers: own });
    expect(settings.json().detail).toMatch(/^il ruolo "read-only" non può eseguire GET \/api\/v1\/admins: serve l’accesso in lettura all’area amministratori$/);
  });

  it('reads that a record does not exist in Italian, whatever the record', async () => {
    const get = async (url: string) => (await t.app.inject({ method: 'GET', url, headers: session })).json() as { code: string; detail: string };
    expect(await get('/api/v1/plans/999')).toMatchObject({ code: 'not_found', detail: 'il piano 999 non esiste' });
    expect(await get('/api/v1/invoices/999')).toMatchObject({ code: 'not_found', detail: 'la fattura 999 non esiste' });
    expect(await get('/api/v1/actions/999')).toMatchObject({ code: 'not_found', detail: 'l’azione di rete 999 non esiste' });
    expect(await get('/api/v1/nas/999')).toMatchObject({ code: 'not_found', detail: 'il NAS 999 non esiste' });
  });
});

describe('a Spanish browser', () => {
  it('reads a failed login in Spanish', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'mario', password: 'wrong' }, headers: { 'accept-language': 'es-ES,es;q=0.9,en;q=0.8' } });
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-language']).toBe('es');
    expect(res.json()).toMatchObject({ code: 'unauthorized', title: 'Se requiere autenticación', detail: 'usuario o contraseña incorrectos' });
  });
});

describe('an English client', () => {
  it('reads exactly the texts it always read', async () => {
    const customer = await post('/api/v1/customers', badCustomer, bearer);
    expect(customer.language).toBe('en');
    expect(customer.body).toEqual({
      type: 'https://tollgate.dev/problems/invalid-tax-code', title: 'Invalid tax code', status: 422, code: 'invalid_tax_code',
      detail: 'taxCode: the check letter of this codice fiscale is wrong',
      errors: [{ field: 'taxCode', message: 'the check letter of this codice fiscale is wrong' }],
    });
    const missing = await t.app.inject({ method: 'GET', url: '/api/v1/plans/999', headers: bearer });
    expect(missing.json()).toMatchObject({ code: 'not_found', detail: 'plan 999 does not exist' });
    const plan = await post('/api/v1/plans', badPlan, { ...bearer, 'accept-language': 'en-GB' });
    expect(plan.body).toEqual({
      type: 'https://tollgate.dev/problems/invalid-input', title: 'Invalid input', status: 422, code: 'invalid_input',
      detail: 'invalid body: price must be >= 0', errors: [{ field: 'price', message: 'must be >= 0' }],
    });
    const login = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'mario', password: 'wrong' } });
    expect(login.json()).toMatchObject({ title: 'Authentication required', detail: 'wrong username or password' });
  });

  it('an admin who follows the browser reads the browser’s language', async () => {
    const res = await t.app.inject({ method: 'PUT', url: '/api/v1/auth/language', payload: { language: null }, headers: session });
    expect(res.statusCode).toBe(200);
    const es = await post('/api/v1/plans', badPlan, { ...session, 'accept-language': 'es' });
    expect(es.language).toBe('es');
    expect(byField(es.body.errors)).toEqual({ price: 'debe ser al menos 0' });
  });
});

describe('the auth log', () => {
  it('sends the reason’s catalogue code and values beside the English text, in the list and the overview', async () => {
    const at = t.clock.now().toISOString();
    const insert = `insert into auth_log (at, nas_id, service_id, username, outcome, reason, method, calling_station_id, reason_message) values (?, null, null, ?, 'reject', ?, 'pap', null, ?)`;
    await t.sql.run(insert, at, 'old-row', 'wrong password', null);
    await t.sql.run(insert, at, 'anna', 'MAC address AA:BB:CC:00:00:02 is not the bound AA:BB:CC:00:00:01',
      JSON.stringify({ key: 'aaa.macMismatch', values: { sent: 'AA:BB:CC:00:00:02', bound: 'AA:BB:CC:00:00:01' } }));
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/auth-log', headers: bearer });
    expect(res.statusCode).toBe(200);
    const [anna, old] = res.json().items;
    expect(anna).toMatchObject({
      username: 'anna', reason: 'MAC address AA:BB:CC:00:00:02 is not the bound AA:BB:CC:00:00:01',
      reasonCode: 'aaa.macMismatch', reasonValues: { sent: 'AA:BB:CC:00:00:02', bound: 'AA:BB:CC:00:00:01' },
    });
    expect(anna).not.toHaveProperty('reasonMessage');
    expect(old).toMatchObject({ username: 'old-row', reason: 'wrong password', reasonCode: null, reasonValues: null });
    const overview = await t.app.inject({ method: 'GET', url: '/api/v1/dashboard/overview', headers: bearer });
    expect(overview.json().rejects[0]).toMatchObject({ username: 'anna', reasonCode: 'aaa.macMismatch', reasonValues: { bound: 'AA:BB:CC:00:00:01' } });
  });
});

describe('the action log', () => {
  it('sends a network action’s reason by catalogue code, worded in Italian for the Italian admin; the English text stays as it was', async () => {
    const customer = await post('/api/v1/customers', { name: 'Giulia Bianchi' }, bearer);
    const plan = await post('/api/v1/plans', { name: 'Fibra 30', type: 'recurring', price: 2990, billingPeriodMonths: 1, downloadKbps: 30000, uploadKbps: 5000 }, bearer);
    const service = await post('/api/v1/services', { customerId: customer.body.id, planId: plan.body.id, username: 'giulia', password: 'pw-giulia-1', startDate: '2026-11-01' }, bearer);
    expect([customer.status, plan.status, service.status]).toEqual([201, 201, 201]);
    const now = t.clock.now().toISOString();
    // An open session, so the suspension acts on the network (and logs the action) as well as on the status.
    await t.sql.run(`insert into radius_sessions (acct_session_id, username, service_id, started_at, updated_at) values ('g-1', 'giulia', ?, ?, ?)`, service.body.id, now, now);
    const suspended = await post(`/api/v1/services/${service.body.id}/suspend`, {}, session);
    expect(suspended.status, JSON.stringify(suspended.body)).toBe(200);
    expect(suspended.body.actions).toHaveLength(1);
    const typed = await post(`/api/v1/services/${service.body.id}/disconnect`, { reason: 'chiesto dal cliente' }, session);
    expect(typed.status).toBe(200);

    const list = await t.app.inject({ method: 'GET', url: `/api/v1/actions?serviceId=${service.body.id}`, headers: session });
    const [kick, suspend] = list.json().items as Array<{ id: number; reason: string; reasonCode: string | null; reasonValues: Record<string, string> | null }>;
    expect(suspend).toMatchObject({ reason: 'suspended by hand', reasonCode: 'reason.action.suspendedByHand', reasonValues: null });
    expect(suspend).not.toHaveProperty('reasonMessage');
    const code = suspend!.reasonCode!;
    expect(isMessageKey(code) && translate('it', code)).toBe('sospeso manualmente');
    expect(kick).toMatchObject({ reason: 'chiesto dal cliente', reasonCode: null, reasonValues: null });

    // An English script reads the same English reason it always read, in the list and the single action.
    const one = await t.app.inject({ method: 'GET', url: `/api/v1/actions/${suspend!.id}`, headers: { ...bearer, 'accept-language': 'en' } });
    expect(one.json()).toMatchObject({ reason: 'suspended by hand', reasonCode: 'reason.action.suspendedByHand' });
    // A row from before codes were stored still reads as it was.
    await t.sql.run(`insert into nas_actions (kind, reason, actor, service_id, acct_session_id, username, request, created_at, updated_at) values ('disconnect', 'kick', 'admin:1', ?, 'g-0', 'giulia', '{"session":{},"attributes":[]}', ?, ?)`, service.body.id, now, now);
    const old = (await t.app.inject({ method: 'GET', url: `/api/v1/actions?serviceId=${service.body.id}`, headers: bearer })).json().items[0];
    expect(old).toMatchObject({ reason: 'kick', reasonCode: null, reasonValues: null });
  });
});
