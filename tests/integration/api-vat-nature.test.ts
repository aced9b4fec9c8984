// Plans and charges choose a rate or an exemption nature; the nature travels to the invoice lines,
// its tax summary and the FatturaPA file, whose totals are the stored invoice's to the cent.
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApi, type TestApi } from '../helpers/admin-api.js';
import { xsdErrors } from '../helpers/fatturapa.js';

let t: TestApi;
let token: string;

beforeAll(async () => {
  t = await testApi({
    env: {
      TOLLGATE_COMPANY_NAME: 'Mario Bianchi', TOLLGATE_COMPANY_VAT_NUMBER: '00743110157', TOLLGATE_COMPANY_TAX_CODE: 'RSSMRA85T10A562S',
      TOLLGATE_COMPANY_REGIME_FISCALE: 'RF19', TOLLGATE_COMPANY_STREET: 'Via Roma', TOLLGATE_COMPANY_POSTAL_CODE: '00184', TOLLGATE_COMPANY_CITY: 'Roma',
      TOLLGATE_COMPANY_PROVINCE: 'RM',
    },
  });
  token = await t.token('super-admin');
});
afterAll(async () => t.close());

async function call(method: string, url: string, payload?: unknown) {
  const res = await t.app.inject({ method: method as 'GET', url, payload: payload as object, headers: { authorization: `Bearer ${token}` } });
  return { status: res.statusCode, body: res.headers['content-type']?.toString().includes('json') ? res.json() : res.body };
}

describe('exemption natures through the API', () => {
  it('refuses a nature not in force and a nature with a rate, naming vatNature', async () => {
    const plan = { name: 'Forfait', type: 'recurring', price: 3000, billingPeriodMonths: 1, downloadKbps: 10000, uploadKbps: 2000 };
    for (const bad of [{ vatNature: 'N2', taxRateBp: 0 }, { vatNature: 'N2.2', taxRateBp: 2200 }]) {
      const r = await call('POST', '/api/v1/plans', { ...plan, ...bad });
      expect(r.status).toBe(422);
      expect(r.body.errors[0].field).toBe('vatNature');
    }
  });

  it('a forfettario invoice: N2.2 lines, one summary entry with its legal reference, the stamp duty, totals to the cent', async () => {
    const plan = (await call('POST', '/api/v1/plans', {
      name: 'Fibra forfettario', type: 'recurring', price: 6900, billingPeriodMonths: 1, downloadKbps: 100000, uploadKbps: 20000,
      taxRateBp: 0, vatNature: 'N2.2', vatLegalRef: 'Art. 1, c. 54-89, L. 190/2014',
    })).body;
    expect(plan).toMatchObject({ vatNature: 'N2.2', taxRateBp: 0 });
    const customer = (await call('POST', '/api/v1/customers', {
      kind: 'person', firstName: 'Anna', lastName: 'Verdi', taxCode: 'RSSMRA85T10A562S', country: 'IT', street: 'Via Po', streetNumber: '8', postalCode: '10123', city: 'Torino', province: 'TO',
    })).body;
    const svc = await call('POST', '/api/v1/services', { customerId: customer.id, planId: plan.id, username: 'anna', password: 'secret-pw-1', startDate: '2026-11-01' });
    expect(svc.status, JSON.stringify(svc.body)).toBe(201);
    await call('POST', '/api/v1/charges', { customerId: customer.id, description: 'Installazione', amount: 2500, date: '2026-11-01', taxRateBp: 0, vatNature: 'N2.2', vatLegalRef: 'Art. 1, c. 54-89, L. 190/2014' });
    expect((await call('POST', '/api/v1/billing/run', { date: '2026-11-01' })).status).toBe(200);
    const inv = (await call('GET', '/api/v1/invoices')).body.items[0];
    const full = (await call('GET', `/api/v1/invoices/${inv.id}`)).body;
    expect(full.lines.map((l: any) => l.vatNature)).toEqual(['N2.2', 'N2.2']);
    expect(full.taxes).toEqual([{ taxRateBp: 0, vatNature: 'N2.2', net: 9400, tax: 0, gross: 9400 }]);
    const xml = (await call('GET', `/api/v1/invoices/${inv.id}/fatturapa.xml`)).body as string;
    expect(xsdErrors(xml)).toBe('');
    const doc = new XMLParser({ removeNSPrefix: true, parseTagValue: false }).parse(xml).FatturaElettronica;
    const body = doc.FatturaElettronicaBody;
    expect(doc.FatturaElettronicaHeader.CedentePrestatore.DatiAnagrafici.RegimeFiscale).toBe('RF19');
    expect(body.DatiGenerali.DatiGeneraliDocumento).toMatchObject({ Numero: full.number, Data: full.issueDate, ImportoTotaleDocumento: '94.00', DatiBollo: { BolloVirtuale: 'SI', ImportoBollo: '2.00' } });
    expect(body.DatiBeniServizi.DatiRiepilogo).toMatchObject({ AliquotaIVA: '0.00', Natura: 'N2.2', ImponibileImporto: '94.00', Imposta: '0.00', RiferimentoNormativo: 'Art. 1, c. 54-89, L. 190/2014' });
    expect(Math.round(Number(body.DatiGenerali.DatiGeneraliDocumento.ImportoTotaleDocumento) * 100)).toBe(full.total);
    // The same file again: what is served is the file kept for sending.
    expect((await call('GET', `/api/v1/invoices/${inv.id}/fatturapa.xml`)).body).toBe(xml);
  });
});
