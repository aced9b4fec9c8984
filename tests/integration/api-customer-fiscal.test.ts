// The customer's fiscal record through the API: person or company, tax ids with their check digits,
// structured address, SDI code and PEC; bad input is a 422 naming the field and changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApi, type TestApi } from '../helpers/admin-api.js';

let t: TestApi;
let token: string;

beforeAll(async () => {
  t = await testApi();
  token = await t.token('super-admin');
});
afterAll(async () => t.close());

async function call(method: string, url: string, payload?: unknown) {
  const res = await t.app.inject({ method: method as 'GET', url, payload: payload as object, headers: { authorization: `Bearer ${token}` } });
  return { status: res.statusCode, type: String(res.headers['content-type']), body: res.body ? res.json() : undefined };
}

describe('customer fiscal record', () => {
  it('a person: the name is derived, the codice fiscale normalised, the address structured', async () => {
    const r = await call('POST', '/api/v1/customers', {
      kind: 'person', firstName: 'Mario', lastName: 'Rossi', taxCode: 'rssmra85t10a562s', country: 'it',
      street: 'Via Roma', streetNumber: '1', postalCode: '00184', city: 'Roma', province: 'rm', customerNumber: 'C-0001', pec: 'mario.rossi@pec.it',
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body).toMatchObject({ name: 'Mario Rossi', taxCode: 'RSSMRA85T10A562S', country: 'IT', province: 'RM', kind: 'person', publicAdministration: false });
  });

  it('a company with a partita IVA and an SDI code; PATCH renames through companyName', async () => {
    const r = await call('POST', '/api/v1/customers', { kind: 'company', companyName: 'Rete Srl', vatNumber: 'IT06363391001', country: 'IT', sdiCode: 'm5uxcr1' });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body).toMatchObject({ name: 'Rete Srl', vatNumber: '06363391001', sdiCode: 'M5UXCR1' });
    const p = await call('PATCH', `/api/v1/customers/${r.body.id}`, { companyName: 'Rete Due Srl' });
    expect(p.body.name).toBe('Rete Due Srl');
  });

  it.each([
    [{ name: 'x', taxCode: 'RSSMRA85T10A562T', country: 'IT' }, 'taxCode', 'invalid_tax_code'],
    [{ name: 'x', vatNumber: '06363391002', country: 'IT' }, 'vatNumber', 'invalid_vat_number'],
    [{ name: 'x', taxCode: '12345678A', country: 'ES' }, 'taxCode', 'invalid_tax_code'],
    [{ name: 'x', taxCode: '20-12345678-7', country: 'AR' }, 'taxCode', 'invalid_tax_code'],
    [{ name: 'x', sdiCode: 'ABC' }, 'sdiCode', 'invalid_input'],
    [{ name: 'x', sdiCode: 'ABCDEFG', publicAdministration: true }, 'sdiCode', 'invalid_input'],
    [{ name: 'x', country: 'Italy' }, 'country', 'invalid_input'],
    [{ kind: 'company' }, 'companyName', 'invalid_input'],
  ])('refuses %j naming %s', async (body, field, code) => {
    const before = (await call('GET', '/api/v1/customers?limit=500')).body.items.length;
    const r = await call('POST', '/api/v1/customers', body);
    expect(r.status).toBe(422);
    expect(r.type).toContain('application/problem+json');
    expect(r.body.errors?.[0]?.field ?? r.body.code).toBe(field);
    expect(r.body.code).toBe(code);
    expect((await call('GET', '/api/v1/customers?limit=500')).body.items.length).toBe(before);
  });

  it('a Spanish NIE and an Argentine CUIT are accepted for their countries', async () => {
    expect((await call('POST', '/api/v1/customers', { firstName: 'Ana', lastName: 'García', country: 'ES', taxCode: 'x1234567l' })).body.taxCode).toBe('X1234567L');
    expect((await call('POST', '/api/v1/customers', { companyName: 'AFIP', kind: 'company', country: 'AR', vatNumber: '33-69345023-9' })).body.vatNumber).toBe('33693450239');
  });

  it('a PATCH changing the country checks the tax code again', async () => {
    const c = await call('POST', '/api/v1/customers', { name: 'Move', taxCode: 'RSSMRA85T10A562S', country: 'IT' });
    const r = await call('PATCH', `/api/v1/customers/${c.body.id}`, { country: 'ES' });
    expect(r.status).toBe(422);
    expect(r.body.errors[0].field).toBe('taxCode');
  });

  it('customer numbers are unique: a second one is a 409 naming customerNumber', async () => {
    const r = await call('POST', '/api/v1/customers', { name: 'Dup', customerNumber: 'C-0001' });
    expect(r.status).toBe(409);
    expect(r.body.errors[0].field).toBe('customerNumber');
  });
});
