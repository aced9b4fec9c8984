// GET /api/v1/settings/einvoice: the seller's fiscal data and the channel to SDI as the config file
// holds them, for the Settings screen, with each key missing or invalid for e-invoicing, and never a
// secret. The same problems are why the daily run sends nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApi, type TestApi } from '../helpers/admin-api.js';

const SMTP_PASSWORD = 'smtp-pass-0xdeadbeef';

async function get(t: TestApi, token: string) {
  const res = await t.app.inject({ method: 'GET', url: '/api/v1/settings/einvoice', headers: { authorization: `Bearer ${token}` } });
  return { status: res.statusCode, raw: res.body, body: res.statusCode === 200 ? res.json() : undefined };
}

describe('the seller data for e-invoices, with what is wrong', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await testApi({
      env: {
        TOLLGATE_COMPANY_NAME: 'Rete Veloce S.r.l.',
        // The last digit is the check digit: 1, not 2.
        TOLLGATE_COMPANY_VAT_NUMBER: '06363391002',
        TOLLGATE_COMPANY_POSTAL_CODE: '00183', TOLLGATE_COMPANY_CITY: 'Roma', TOLLGATE_COMPANY_PROVINCE: 'RM',
        TOLLGATE_COMPANY_REA_NUMBER: '1234567',
        TOLLGATE_EINVOICE_CHANNEL: 'pec', TOLLGATE_EINVOICE_PEC_ADDRESS: 'fatture@pec.reteveloce.example',
        TOLLGATE_EINVOICE_PEC_SMTP_URL: `smtps://fatture%40pec.reteveloce.example:${SMTP_PASSWORD}@smtps.pec.example:465/?pool=true`,
      },
    });
  });
  afterAll(async () => t?.close());

  it('names each key missing or invalid, by its config key, seller data apart from the channel', async () => {
    const r = await get(t, await t.token('admin'));
    expect(r.status).toBe(200);
    expect(r.body.ready).toBe(false);
    expect(r.body.channel).toBe('pec');
    expect(r.body.sdiAddress).toBe('sdi01@pec.fatturapa.it');
    expect(r.body.problems.map((p: { key: string; kind: string; code: string }) => [p.key, p.kind, p.code])).toEqual([
      ['[company] vat_number', 'seller', 'invalid'],
      ['[company] street', 'seller', 'missing'],
      ['[company] rea_office', 'seller', 'missing'],
      ['[einvoice] pec_imap_url', 'channel', 'missing'],
    ]);
    expect(r.body.problems[0].message).toMatch(/check digit/);
    // The why by catalogue key too, so Settings words it in its reader's language; none for a missing key.
    expect(r.body.problems[0]).toMatchObject({ reasonCode: 'fault.piva.check', reasonValues: {} });
    expect(r.body.problems[1]).toMatchObject({ reasonCode: null, reasonValues: null });
  });

  it('shows what the config holds, the channel\'s own keys, and masks secrets down to scheme and host', async () => {
    const r = await get(t, await t.token('admin'));
    const value = (key: string) => r.body.settings.find((s: { key: string }) => s.key === key);
    expect(value('[company] name')).toMatchObject({ value: 'Rete Veloce S.r.l.', secret: false });
    expect(value('[company] regime_fiscale')).toMatchObject({ value: 'RF01' });
    expect(value('[company] street')).toMatchObject({ value: null });
    expect(value('[company] rea_capital')).toMatchObject({ value: 0 });
    expect(value('[einvoice] attach_pdf')).toMatchObject({ value: false });
    expect(value('[einvoice] pec_smtp_url')).toMatchObject({ value: 'smtps://********@smtps.pec.example:465', secret: true });
    expect(value('[einvoice] pec_imap_url')).toMatchObject({ value: null, secret: true });
    // Only the configured channel's keys.
    expect(value('[einvoice] acube_password')).toBeUndefined();
    expect(r.raw).not.toContain(SMTP_PASSWORD);
    expect(r.raw).not.toContain('fatture%40pec');
  });

  it('is read with the settings permission', async () => {
    expect((await get(t, await t.token('read-only'))).status).toBe(200);
    expect((await get(t, await t.token('finance'))).status).toBe(403);
    const anonymous = await t.app.inject({ method: 'GET', url: '/api/v1/settings/einvoice' });
    expect(anonymous.statusCode).toBe(401);
  });

  it('the daily run sends nothing while the seller data are wrong, and says which key', async () => {
    const admin = await t.token('super-admin');
    const call = async (method: 'POST' | 'GET', url: string, payload?: object) =>
      (await t.app.inject({ method, url, payload, headers: { authorization: `Bearer ${admin}` } })).json();
    const customer = await call('POST', '/api/v1/customers', { kind: 'company', companyName: 'Bar Sport S.n.c.', vatNumber: '00743110157', sdiCode: 'M5UXCR1', street: 'Via Garibaldi', streetNumber: '3', postalCode: '20121', city: 'Milano', province: 'MI', country: 'IT' });
    await call('POST', '/api/v1/charges', { customerId: customer.id, description: 'Installazione antenna', amount: 4900, date: '2026-11-23', taxRateBp: 2200, taxInclusive: false });
    await t.services.billing.runAsync('2026-11-23');
    const result = await t.services.einvoice.runFor('2026-11-23');
    expect(result.sent).toBe(0);
    expect(result.blocked.map((b) => b.problems.map((p) => p.field))).toEqual([['[company] vat_number', '[company] street', '[company] rea_office']]);
    const [doc] = (await call('GET', '/api/v1/fiscal-documents')).items;
    expect(doc).toMatchObject({ state: 'to_send' });
    expect(doc.lastError).toContain('[company] vat_number');
    expect(doc.lastErrorFields.map((f: { field: string }) => f.field)).toEqual(['[company] vat_number', '[company] street', '[company] rea_office']);
  });
});

describe('the seller data complete, with a channel', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await testApi({
      env: {
        TOLLGATE_COMPANY_NAME: 'Rete Veloce S.r.l.', TOLLGATE_COMPANY_VAT_NUMBER: '06363391001', TOLLGATE_COMPANY_TAX_CODE: '06363391001',
        TOLLGATE_COMPANY_STREET: 'Via Appia Nuova', TOLLGATE_COMPANY_POSTAL_CODE: '00183', TOLLGATE_COMPANY_CITY: 'Roma',
        TOLLGATE_EINVOICE_CHANNEL: 'acube', TOLLGATE_EINVOICE_ACUBE_EMAIL: 'ops@reteveloce.example', TOLLGATE_EINVOICE_ACUBE_PASSWORD: 'acube-secret-42',
      },
    });
  });
  afterAll(async () => t?.close());

  it('is ready, and an A-Cube password is shown only as set', async () => {
    const r = await get(t, await t.token('admin'));
    expect(r.body).toMatchObject({ ready: true, channel: 'acube', problems: [] });
    expect(r.body.settings.find((s: { key: string }) => s.key === '[einvoice] acube_password')).toMatchObject({ value: '********', secret: true });
    expect(r.raw).not.toContain('acube-secret-42');
  });
});

describe('no channel', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await testApi();
  });
  afterAll(async () => t?.close());

  it('says nothing is sent until [einvoice] channel is set, besides the seller data missing', async () => {
    const r = await get(t, await t.token('admin'));
    expect(r.body.ready).toBe(false);
    expect(r.body.problems.map((p: { key: string }) => p.key)).toEqual(['[company] name', '[company] vat_number', '[company] street', '[company] postal_code', '[company] city', '[einvoice] channel']);
  });
});
