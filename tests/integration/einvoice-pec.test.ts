// End to end on 127.0.0.1: invoices issued by the daily run go to SDI by PEC (a real SMTP server
// standing for the operator's PEC provider), SDI's receipts come back to the mailbox and are read
// over IMAP (a real dovecot), and the API shows each state. A rejection is corrected and re-sent
// with the same number and date, to the address SDI's first receipt came from. A customer without
// valid fiscal data is reported by name and reason while the others are sent.
import type { AddressInfo } from 'node:net';
import { XMLParser } from 'fast-xml-parser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApi, type TestApi } from '../helpers/admin-api.js';
import { startDovecot, type Dovecot } from '../helpers/dovecot.js';
import { attachment, deliverReceipt, NS, RC, receiptName, SDI_REPLY_FROM } from '../helpers/sdi-pec.js';
import { xsdErrors } from '../helpers/fatturapa.js';

let t: TestApi;
let token: string;
let smtp: SMTPServer;
let imap: Dovecot;
const sent: { to: string[]; fileName: string; xml: string }[] = [];
/** How many next messages the PEC provider refuses (a transient failure: 451). */
let smtpFailures = 0;
/** Mail to the accountant (the same SMTP server stands for [notify.email]). */
const mailed: string[] = [];
/** Mails to the operator (`[einvoice] alert_email`). */
const alerts: string[] = [];

beforeAll(async () => {
  smtp = new SMTPServer({
    disabledCommands: ['STARTTLS'], allowInsecureAuth: true, authOptional: true, logger: false,
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (smtpFailures > 0) {
          smtpFailures--;
          return cb(Object.assign(new Error('mailbox busy, try later'), { responseCode: 451 }));
        }
        const to = session.envelope.rcptTo.map((r) => r.address);
        if (to.includes('studio@commercialista.example')) mailed.push(Buffer.concat(chunks).toString('utf8'));
        else if (to.includes('noc@reteveloce.example')) alerts.push(Buffer.concat(chunks).toString('utf8'));
        else sent.push({ to, ...attachment(Buffer.concat(chunks).toString('utf8')) });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  imap = await startDovecot();
  t = await testApi({
    env: {
      TOLLGATE_COMPANY_NAME: 'Rete Veloce S.r.l.', TOLLGATE_COMPANY_VAT_NUMBER: '06363391001', TOLLGATE_COMPANY_TAX_CODE: '06363391001',
      TOLLGATE_COMPANY_STREET: 'Via Appia Nuova', TOLLGATE_COMPANY_STREET_NUMBER: '12', TOLLGATE_COMPANY_POSTAL_CODE: '00183',
      TOLLGATE_COMPANY_CITY: 'Roma', TOLLGATE_COMPANY_PROVINCE: 'RM', TOLLGATE_COMPANY_IBAN: 'IT60X0542811101000000123456',
      TOLLGATE_EINVOICE_CHANNEL: 'pec', TOLLGATE_EINVOICE_PEC_ADDRESS: 'fatture@pec.reteveloce.example',
      TOLLGATE_EINVOICE_PEC_SMTP_URL: `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`,
      TOLLGATE_EINVOICE_PEC_IMAP_URL: `imap://${imap.user}:${imap.password}@127.0.0.1:${imap.port}`,
      TOLLGATE_EINVOICE_ACCOUNTANT_EMAIL: 'studio@commercialista.example', TOLLGATE_EINVOICE_ALERT_EMAIL: 'noc@reteveloce.example',
      TOLLGATE_NOTIFY_EMAIL_SMTP_URL: `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`, TOLLGATE_NOTIFY_EMAIL_FROM: 'billing@reteveloce.example',
    },
  });
  token = await t.token('super-admin');
}, 60_000);

afterAll(async () => {
  await t?.close();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
  await imap?.stop();
});

async function call(method: string, url: string, payload?: unknown) {
  const res = await t.app.inject({ method: method as 'GET', url, payload: payload as object, headers: { authorization: `Bearer ${token}` } });
  const json = res.headers['content-type']?.toString().includes('json');
  return { status: res.statusCode, body: json ? res.json() : res.body };
}

const address = { street: 'Via Garibaldi', streetNumber: '3', postalCode: '20121', city: 'Milano', province: 'MI', country: 'IT' };

describe('e-invoicing through PEC', () => {
  const ids: Record<string, number> = {};

  it('the daily run sends each invoice to SDI by PEC and reports the customer it cannot invoice electronically', async () => {
    ids.company = (await call('POST', '/api/v1/customers', { kind: 'company', companyName: 'Bar Sport S.n.c.', vatNumber: '00743110157', sdiCode: 'M5UXCR1', ...address })).body.id;
    ids.consumer = (await call('POST', '/api/v1/customers', { kind: 'person', firstName: 'Mario', lastName: 'Rossi', taxCode: 'RSSMRA85T10A562S', sdiCode: 'ABCDEF1', ...address })).body.id;
    ids.incomplete = (await call('POST', '/api/v1/customers', { name: 'Cliente senza dati' })).body.id;
    for (const c of ['company', 'consumer', 'incomplete']) {
      const r = await call('POST', '/api/v1/charges', { customerId: ids[c], description: 'Installazione antenna', amount: 4900, date: '2026-11-23', taxRateBp: 2200, taxInclusive: false });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    }
    const run = await call('POST', '/api/v1/billing/run', { date: '2026-11-23' });
    expect(run.status, JSON.stringify(run.body)).toBe(200);

    expect(sent).toHaveLength(2);
    for (const s of sent) {
      expect(s.to).toEqual(['sdi01@pec.fatturapa.it']);
      expect(s.fileName).toMatch(/^IT06363391001_[0-9A-Z]{5}\.xml$/);
      expect(xsdErrors(s.xml, s.fileName)).toBe('');
    }
    const list = (await call('GET', '/api/v1/fiscal-documents')).body.items as any[];
    const byCustomer = (id: number) => list.find((d) => d.customerId === id);
    expect(byCustomer(ids.company!)).toMatchObject({ state: 'sent', kind: 'invoice' });
    expect(byCustomer(ids.consumer!)).toMatchObject({ state: 'sent' });
    expect(byCustomer(ids.incomplete!)).toMatchObject({ state: 'to_send', customerName: 'Cliente senza dati' });
    expect(byCustomer(ids.incomplete!).lastError).toMatch(/country/);
    // The same by catalogue key, field by field, so the e-invoice list reads in its reader's language.
    expect(byCustomer(ids.incomplete!).lastErrorFields.map((f: { field: string; key: string }) => [f.field, f.key.startsWith('fault.')])).toEqual(
      ['country', 'firstName', 'taxCode', 'street', 'city', 'postalCode'].map((f) => [f, true]),
    );
    expect(byCustomer(ids.company!).lastErrorFields).toBeNull();
    // The run's own report: who and why.
    const again = await t.services.einvoice.runFor('2026-11-23');
    expect(again.sent).toBe(0);
    expect(again.blocked.map((b) => [b.customerName, b.problems.map((p) => p.field)])).toEqual([['Cliente senza dati', ['country', 'firstName', 'taxCode', 'street', 'city', 'postalCode']]]);
    // Sending it again now is refused naming every field to correct, so the form marks them all.
    const refused = await call('POST', `/api/v1/fiscal-documents/${byCustomer(ids.incomplete!).id}/resend`);
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('einvoice_not_ready');
    expect(refused.body.errors.map((e: { field: string }) => e.field)).toEqual(['country', 'firstName', 'taxCode', 'street', 'city', 'postalCode']);
  });

  it('an RC read back over IMAP makes the invoice delivered; an NS makes it rejected with its code', async () => {
    const file = (id: number) => sent.find((s) => s.xml.includes(id === ids.company ? 'Bar Sport' : 'Rossi'))!.fileName;
    await deliverReceipt(imap, receiptName(file(ids.company!), 'RC'), RC(file(ids.company!)));
    await deliverReceipt(imap, receiptName(file(ids.consumer!), 'NS'), NS(file(ids.consumer!)));
    expect((await call('POST', '/api/v1/fiscal-documents/receipts')).body).toEqual({ applied: 2 });
    // Read once: the messages are seen now.
    expect((await call('POST', '/api/v1/fiscal-documents/receipts')).body).toEqual({ applied: 0 });
    const list = (await call('GET', '/api/v1/fiscal-documents')).body.items as any[];
    expect(list.find((d) => d.customerId === ids.company)).toMatchObject({ state: 'delivered' });
    const rejected = list.find((d) => d.customerId === ids.consumer);
    expect(rejected).toMatchObject({ state: 'rejected', stateCode: '00311' });
    expect(rejected.stateText).toContain('CodiceDestinatario non valido');
    const detail = (await call('GET', `/api/v1/fiscal-documents/${rejected.id}`)).body;
    expect(detail.receipts.map((r: any) => [r.type, r.errors[0]?.code])).toEqual([['NS', '00311']]);
    expect((await call('GET', '/api/v1/fiscal-documents?state=rejected')).body.items).toHaveLength(1);
    // A delivered document is not sent again.
    const delivered = list.find((d) => d.customerId === ids.company);
    expect((await call('POST', `/api/v1/fiscal-documents/${delivered.id}/resend`)).status).toBe(409);
    // The daily run alerts the operator of the rejection waiting, once.
    expect((await t.services.einvoice.runFor('2026-11-23')).alerted).toBe(1);
    expect((await t.services.einvoice.runFor('2026-11-23')).alerted).toBe(0);
    // …and mails it to the operator, once, with the invoice, SDI's code and what to do.
    expect(alerts).toHaveLength(1);
    const alert = alerts[0]!.replace(/=\r?\n/g, '');
    expect(alert).toContain('Subject: 1 e-invoice rejected by SDI');
    expect(alert).toContain(rejected.number);
    expect(alert).toContain('00311');
    expect(alert).toContain('Send again');
  });

  it('corrected and re-sent: a new file with the same number and date, to the SDI address learnt, then delivered', async () => {
    const list = (await call('GET', '/api/v1/fiscal-documents?state=rejected')).body.items as any[];
    const doc = list[0];
    const firstFile = doc.fileName;
    // The correction: the recipient code SDI refused is removed (the invoice goes to the tax area).
    expect((await call('PATCH', `/api/v1/customers/${ids.consumer}`, { sdiCode: null })).status).toBe(200);
    expect((await call('POST', `/api/v1/fiscal-documents/${doc.id}/resend`)).body).toMatchObject({ state: 'to_send', fileName: null });
    const result = await t.services.einvoice.runFor('2026-11-23');
    expect(result.sent).toBe(1);
    const resent = sent.at(-1)!;
    expect(resent.to).toEqual([SDI_REPLY_FROM]);
    expect(resent.fileName).not.toBe(firstFile);
    expect(xsdErrors(resent.xml, resent.fileName)).toBe('');
    const parser = new XMLParser({ removeNSPrefix: true, parseTagValue: false });
    const before = parser.parse(sent.find((s) => s.fileName === firstFile)!.xml).FatturaElettronica.FatturaElettronicaBody.DatiGenerali.DatiGeneraliDocumento;
    const after = parser.parse(resent.xml).FatturaElettronica;
    expect(after.FatturaElettronicaBody.DatiGenerali.DatiGeneraliDocumento).toMatchObject({ Numero: before.Numero, Data: before.Data, ImportoTotaleDocumento: before.ImportoTotaleDocumento });
    expect(after.FatturaElettronicaHeader.DatiTrasmissione.CodiceDestinatario).toBe('0000000');
    // A late receipt about the replaced file changes nothing; the new file's RC delivers it.
    await deliverReceipt(imap, receiptName(firstFile, 'RC'), RC(firstFile));
    await deliverReceipt(imap, receiptName(resent.fileName, 'RC'), RC(resent.fileName));
    expect((await call('POST', '/api/v1/fiscal-documents/receipts')).body).toEqual({ applied: 2 });
    expect((await call('GET', `/api/v1/fiscal-documents/${doc.id}`)).body).toMatchObject({ state: 'delivered', fileName: resent.fileName });
  });

  it('serves the XML as sent and the accountant archive for the range', async () => {
    const list = (await call('GET', '/api/v1/fiscal-documents')).body.items as any[];
    const delivered = list.find((d) => d.customerId === ids.company);
    const xml = await call('GET', `/api/v1/invoices/${delivered.documentId}/fatturapa.xml`);
    expect(xml.body).toBe(sent.find((s) => s.fileName === delivered.fileName)!.xml);
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/exports/fiscal-archive.zip?from=2026-11-01&to=2026-11-30', headers: { authorization: `Bearer ${token}` } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/zip');
    const { unzipSync, strFromU8 } = await import('fflate');
    const files = unzipSync(new Uint8Array(res.rawPayload));
    const names = Object.keys(files).sort();
    expect(names.filter((n) => n.startsWith('pdf/'))).toHaveLength(3);
    expect(names.filter((n) => n.startsWith('xml/'))).toHaveLength(2);
    const csv = strFromU8(files['registro-iva-vendite_2026-11-01_2026-11-30.csv']!).trim().split('\r\n');
    expect(csv[0]).toBe('date,number,type,customer,customer_tax_id,vat_rate,nature,taxable,tax,document_total,sdi_state,file');
    expect(csv).toHaveLength(4);
    expect(csv.find((l) => l.includes('Bar Sport'))).toMatch(/^2026-11-23,[^,]+,TD01,Bar Sport S\.n\.c\.,00743110157,22\.00,,49\.00,10\.78,59\.78,delivered,IT06363391001_/);
  });

  it('a channel failure is retried with backoff by the next run once due', async () => {
    const charge = await call('POST', '/api/v1/charges', { customerId: ids.company, description: 'Router', amount: 2500, date: '2026-11-23', taxRateBp: 2200, taxInclusive: false });
    expect(charge.status).toBe(201);
    await t.services.billing.runAsync('2026-11-23');
    smtpFailures = 1;
    const before = sent.length;
    const first = await t.services.einvoice.runFor('2026-11-23');
    expect(first.sent).toBe(0);
    expect(first.failed).toHaveLength(1);
    expect(first.failed[0]!.error).toMatch(/451|busy/);
    const doc = (await call('GET', '/api/v1/fiscal-documents?state=to_send')).body.items.find((d: any) => d.customerId === ids.company);
    expect(doc).toMatchObject({ attempts: 1, nextAttemptAt: new Date(t.clock.now().getTime() + 5 * 60_000).toISOString() });
    // Not due yet: nothing is sent.
    expect((await t.services.einvoice.runFor('2026-11-23')).sent).toBe(0);
    t.clock.advance(6 * 60_000);
    expect((await t.services.einvoice.runFor('2026-11-23')).sent).toBe(1);
    expect(sent.length).toBe(before + 1);
    expect((await call('GET', `/api/v1/fiscal-documents/${doc.id}`)).body).toMatchObject({ state: 'sent', attempts: 0, lastError: null });
  });

  it("on the 1st the accountant gets the previous month's archive by mail, once", async () => {
    // The earlier runs of November mailed October's (empty) archive already.
    expect(mailed.filter((m) => m.includes('fiscal-archive_2026-10.zip'))).toHaveLength(1);
    const before = mailed.length;
    expect((await t.services.einvoice.runFor('2026-12-01')).archiveMailed).toBe('2026-11');
    expect(mailed).toHaveLength(before + 1);
    expect(mailed.at(-1)).toContain('fiscal-archive_2026-11.zip');
    expect((await t.services.einvoice.runFor('2026-12-02')).archiveMailed).toBeUndefined();
    expect(mailed).toHaveLength(before + 1);
  });
});
