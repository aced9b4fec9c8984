/**
 * Languages end to end through the API on a fresh SQLite file, with a real SMTP server and an SMS
 * gateway on 127.0.0.1: a Spanish customer gets a Spanish invoice e-mail and SMS and a Spanish invoice
 * PDF with Spanish formats; an Italian customer the same in Italian; `?lang=` asks for another
 * language; an operator's template override is per language; an admin chooses the UI language.
 * The PDF text is extracted from the embedded Roboto through its ToUnicode map.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { openDatabase, sqlOf, type Db } from '../../src/db/client.js';
import { migrate } from '../../src/db/migrate.js';
import { adminStore, tokenStore } from '../../src/db/security.js';
import type { Services } from '../../src/daemon.js';
import type { App } from '../../src/http/build.js';
import { TestClock } from '../../src/lib/clock.js';
import { hashPassword } from '../../src/lib/password.js';
import { SecretBox } from '../../src/lib/secretbox.js';
import { buildApp } from '../helpers/app.js';
import { tempDir } from '../helpers/daemon.js';
import { pdfPlain } from '../helpers/pdf-text.js';

const mails: string[] = [];
const texts: string[] = [];
let smtp: SMTPServer;
let sms: Server;
let app: App;
let services: Services;
let db: Db;
let token: string;
const clock = new TestClock('2026-12-01T09:00:00Z');
const ids = { es: 0, it: 0, plan: 0 };

async function call(method: string, url: string, payload?: unknown, headers: Record<string, string> = { authorization: `Bearer ${token}` }) {
  const res = await app.inject({ method: method as 'GET', url, payload: payload as object, headers });
  const type = String(res.headers['content-type'] ?? '');
  return { status: res.statusCode, body: type.includes('json') && res.body ? res.json() : res.body, raw: res.rawPayload, headers: res.headers };
}

/** The decoded text of a quoted-printable MIME message (soft line breaks joined, =XX bytes decoded as UTF-8). */
const qp = (raw: string) => Buffer.from(raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8');

beforeAll(async () => {
  smtp = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'], logger: false,
    onData(stream, _session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push(Buffer.concat(chunks).toString('utf8'));
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  sms = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      texts.push(JSON.parse(body).text);
      res.end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => sms.listen(0, '127.0.0.1', resolve));

  const dir = tempDir('tollgate-i18n-');
  db = openDatabase({ path: join(dir, 'i18n.db'), synchronous: 'normal' });
  await migrate(db.$client);
  const config = loadConfig(undefined, {
    TOLLGATE_LOCALE_DEFAULT: 'it',
    TOLLGATE_NOTIFY_EMAIL_SMTP_URL: `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`,
    TOLLGATE_NOTIFY_EMAIL_FROM: 'billing@example.net',
    TOLLGATE_NOTIFY_SMS_URL: `http://127.0.0.1:${(sms.address() as AddressInfo).port}/send`,
    TOLLGATE_NOTIFY_SMS_BODY: '{"to":"{{to}}","text":"{{text}}"}',
    TOLLGATE_NOTIFY_SMS_CONTENT_TYPE: 'application/json',
  }).config;
  ({ app, services } = await buildApp({ db, box: new SecretBox(randomBytes(32)), config, logger: false, clock }));
  token = (await tokenStore(sqlOf(db)).create({ name: 't', role: 'super-admin', actor: { id: 'cli' } })).token;
  ids.plan = (await call('POST', '/api/v1/plans', { name: 'Fibra 100', type: 'recurring', price: 2990, billingPeriodMonths: 1, taxRateBp: 2200, taxInclusive: true, downloadKbps: 100000, uploadKbps: 20000 })).body.id;
});
afterAll(async () => {
  await app?.close();
  db?.$client.close();
  await new Promise<void>((resolve) => smtp?.close(() => resolve()));
  await new Promise<void>((resolve) => sms?.close(() => resolve()));
});

describe('the customer language', () => {
  it('is a field of the customer: one of en, it, es, or null for the installation\'s; anything else is refused naming the field', async () => {
    const es = await call('POST', '/api/v1/customers', { name: 'Lucía Núñez', email: 'lucia@example.es', phone: '+34 600 123 456', address: 'Calle Mayor 5\nMadrid', taxId: 'X1234567L', language: 'es' });
    expect(es.status, JSON.stringify(es.body)).toBe(201);
    expect(es.body.language).toBe('es');
    ids.es = es.body.id;
    const it = await call('POST', '/api/v1/customers', { name: 'Niccolò Ferrè', email: 'niccolo@example.it', phone: '+39 333 7654321' });
    expect(it.body.language).toBeNull();
    ids.it = it.body.id;
    const bad = await call('POST', '/api/v1/customers', { name: 'X', language: 'fr' });
    expect(bad.status).toBe(422);
    expect(JSON.stringify(bad.body)).toContain('language');
    expect((await call('PATCH', `/api/v1/customers/${ids.it}`, { language: 'de' })).status).toBe(422);
    expect((await call('GET', `/api/v1/customers/${ids.es}`)).body.language).toBe('es');
  });

  it('gives a Spanish customer a Spanish invoice e-mail and SMS, and an Italian one (the installation\'s language) Italian ones', async () => {
    for (const [customerId, user] of [[ids.es, 'lucia'], [ids.it, 'niccolo']] as const) {
      expect((await call('POST', '/api/v1/services', { customerId, planId: ids.plan, username: user, password: 'pw-123456', startDate: '2026-12-01' })).status).toBe(201);
    }
    const run = await call('POST', '/api/v1/billing/run', { date: '2026-12-01' });
    expect(run.status, JSON.stringify(run.body)).toBe(200);
    await services.notifier.idle();
    await services.sender.drain();

    const es = (await call('GET', `/api/v1/notifications?customerId=${ids.es}`)).body.items;
    const esMail = es.find((m: { channel: string }) => m.channel === 'email');
    const esSms = es.find((m: { channel: string }) => m.channel === 'sms');
    expect(esMail.subject).toMatch(/^Factura /);
    // Spanish money (comma, euro sign after, kept together in HTML) and date ("dd mmm yyyy" in Spanish).
    expect(esMail.body).toMatch(/por 29,90&nbsp;€, con vencimiento el \d{1,2} (dic|ene) 20\d\d\./);
    expect(esMail.body).toMatch(/Hola, Lucía Núñez:/);
    expect(esSms.body).toMatch(/^Factura \S+: 29,90 €, vence el \d{1,2} (dic|ene) 20\d\d\.$/);

    const it = (await call('GET', `/api/v1/notifications?customerId=${ids.it}`)).body.items;
    expect(it.find((m: { channel: string }) => m.channel === 'email').subject).toMatch(/^Fattura /);
    expect(it.find((m: { channel: string }) => m.channel === 'sms').body).toMatch(/^Fattura \S+: 29,90 €, scadenza \d{1,2} (dic|gen) 20\d\d\.$/);

    // What reached the SMTP server and the SMS gateway.
    const mail = mails.map(qp).find((m) => m.includes('lucia@example.es'))!;
    expect(mail).toMatch(/^Subject: Factura /m);
    expect(mail).toContain('29,90 €');
    expect(texts.some((t) => /^Factura .*29,90 €/.test(t))).toBe(true);
    expect(texts.some((t) => /^Fattura .*29,90 €/.test(t))).toBe(true);
  });

  it('prints the invoice PDF in the customer\'s language, with embedded fonts, and in another language on ?lang=', async () => {
    const invoiceOf = async (customerId: number) => (await call('GET', `/api/v1/invoices?customerId=${customerId}`)).body.items[0];
    const esInv = await invoiceOf(ids.es);
    const es = await call('GET', `/api/v1/invoices/${esInv.id}/pdf`);
    expect(es.status).toBe(200);
    const esText = pdfPlain(es.raw);
    for (const s of [`Factura n.º ${esInv.number}`, 'Facturar a', 'Lucía Núñez', 'NIF / CUIT: X1234567L', 'Descripción', 'Base imponible', 'Cuota de IVA',
      'Desglose del IVA', 'Total factura', 'Importe pendiente: 29,90 €', '24,51 €', '5,39 €', '22 %', 'Fecha de emisión: 01/12/2026']) {
      expect(esText, s).toContain(s);
    }
    // The fonts are embedded (a TrueType font file per face used), not the unembedded standard 14.
    const raw = es.raw.toString('latin1');
    expect(raw).toMatch(/\/FontFile2 \d+ 0 R/);
    expect(raw).toMatch(/\/BaseFont \/[A-Z]{6}\+Roboto-Regular/);
    expect(raw).not.toMatch(/\/BaseFont \/Helvetica/);

    const itInv = await invoiceOf(ids.it);
    const itText = pdfPlain((await call('GET', `/api/v1/invoices/${itInv.id}/pdf`)).raw);
    for (const s of [`Fattura n. ${itInv.number}`, 'Intestata a', 'Niccolò Ferrè', 'Imponibile', 'Riepilogo IVA', 'Totale fattura', 'Totale da pagare: 29,90 €', 'Data: 01/12/2026']) {
      expect(itText, s).toContain(s);
    }
    expect(itText).not.toContain('Invoice');

    const enText = pdfPlain((await call('GET', `/api/v1/invoices/${esInv.id}/pdf?lang=en`)).raw);
    expect(enText).toContain(`Invoice ${esInv.number}`);
    expect(enText).toContain('Amount due: €29.90');
    expect((await call('GET', `/api/v1/invoices/${esInv.id}/pdf?lang=fr`)).status).toBe(422);
  });

  it('prints a credit note in Spanish with its localised title', async () => {
    const inv = (await call('GET', `/api/v1/invoices?customerId=${ids.es}`)).body.items[0];
    const note = await call('POST', '/api/v1/credit-notes', { invoiceId: inv.id, date: '2026-12-01', reason: 'avería de 3 días' });
    expect(note.status, JSON.stringify(note.body)).toBe(201);
    const text = pdfPlain((await call('GET', `/api/v1/credit-notes/${note.body.id}/pdf`)).raw);
    for (const s of [`Nota de crédito n.º ${note.body.number}`, `Rectifica la factura n.º ${inv.number}`, 'Motivo: avería de 3 días', 'Total nota de crédito', '29,90 €']) {
      expect(text, s).toContain(s);
    }
  });
});

describe('voucher sheets', () => {
  it('print in the installation\'s language (Italian here), or in another on ?lang=, with the font embedded', async () => {
    const plan = await call('POST', '/api/v1/plans', { name: 'Hotspot 7 giorni', type: 'prepaid', price: 500, validityDays: 7, taxRateBp: 2200, taxInclusive: true, downloadKbps: 5000, uploadKbps: 1000 });
    expect(plan.status, JSON.stringify(plan.body)).toBe(201);
    const batch = await call('POST', '/api/v1/vouchers/batches', { name: 'Bar Sport', planId: plan.body.id, count: 2, validUntil: '2027-03-31' });
    expect(batch.status, JSON.stringify(batch.body)).toBe(201);
    const it = pdfPlain((await call('GET', `/api/v1/vouchers/batches/${batch.body.id}/vouchers.pdf`)).raw);
    for (const s of ['Bar Sport: 2 voucher', '7 giorni · 5,00 €', 'Da usare entro il 31/03/2027']) expect(it, s).toContain(s);
    const es = await call('GET', `/api/v1/vouchers/batches/${batch.body.id}/vouchers.pdf?lang=es`);
    const text = pdfPlain(es.raw);
    for (const s of ['Bar Sport: 2 fichas', '7 días · 5,00 €', 'Canjear antes del 31/03/2027']) expect(text, s).toContain(s);
    expect(es.raw.toString('latin1')).toMatch(/\/FontFile2 \d+ 0 R/);
  });
});

describe('template overrides per language', () => {
  it('an override in Spanish reaches Spanish customers only; the Italian text stays the built-in one', async () => {
    const put = await call('PUT', '/api/v1/notification-templates/payment.received/sms?language=es', { body: 'Cobrado: {{amount}}. ¡Gracias!' });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body).toMatchObject({ language: 'es', source: 'custom', allLanguages: false });
    expect((await call('GET', '/api/v1/notification-templates/payment.received/sms?language=it')).body).toMatchObject({ language: 'it', source: 'default', body: 'Pagamento di {{amount}} ricevuto. Grazie.' });
    // Without ?language= the list is the installation's language (Italian here).
    const list = (await call('GET', '/api/v1/notification-templates')).body.items;
    expect(list.find((x: { key: string; channel: string }) => x.key === 'invoice.issued' && x.channel === 'email').subject).toBe('Fattura {{invoiceNumber}}');

    for (const customerId of [ids.es, ids.it]) {
      const r = await call('POST', '/api/v1/payments', { customerId, amount: 2990, method: 'bank', receivedAt: '2026-12-01T09:00:00Z' });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    }
    await services.notifier.idle();
    const smsOf = async (customerId: number) => (await call('GET', `/api/v1/notifications?customerId=${customerId}&template=payment.received&channel=sms`)).body.items[0]?.body;
    expect(await smsOf(ids.es)).toBe('Cobrado: 29,90 €. ¡Gracias!');
    expect(await smsOf(ids.it)).toBe('Pagamento di 29,90 € ricevuto. Grazie.');

    expect((await call('DELETE', '/api/v1/notification-templates/payment.received/sms?language=it')).status).toBe(404);
    expect((await call('DELETE', '/api/v1/notification-templates/payment.received/sms?language=es')).status).toBe(204);
    expect((await call('GET', '/api/v1/notification-templates/payment.received/sms?language=es')).body.source).toBe('default');
  });
});

describe('the admin\'s language', () => {
  it('is the installation\'s by default and the admin\'s own once chosen (PUT /api/v1/auth/language)', async () => {
    await adminStore(sqlOf(db), clock).create({ username: 'ana', passwordHash: await hashPassword('ana-password-123'), role: 'admin', mustChangePassword: false, actor: { id: 'cli' }, at: clock.now() });
    const login = await call('POST', '/api/v1/auth/login', { username: 'ana', password: 'ana-password-123' }, {});
    expect(login.status).toBe(200);
    expect(login.body.locale).toEqual({ language: null, default: 'it' });
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    const session = { cookie, 'x-csrf-token': login.body.csrfToken };
    const set = await call('PUT', '/api/v1/auth/language', { language: 'es' }, session);
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body.locale).toEqual({ language: 'es', default: 'it' });
    expect((await call('GET', '/api/v1/auth/me', undefined, session)).body.locale.language).toBe('es');
    expect((await call('PUT', '/api/v1/auth/language', { language: 'xx' }, session)).status).toBe(422);
    expect((await call('PUT', '/api/v1/auth/language', { language: null }, session)).body.locale.language).toBeNull();
  });
});
