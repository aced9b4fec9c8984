// SDI's receipts on the e-invoicing screens, end to end on 127.0.0.1 in headless Chromium against the
// compiled daemon (npm run build first): the daily run sends each invoice by PEC (an SMTP server
// standing for the operator's PEC provider captures the mail), SDI's receipts are dropped into the
// PEC mailbox (a real dovecot) and read over IMAP when the operator clicks "Read receipts now".
// An RC shows "delivered" on the E-invoices list, the document's page and the invoice's page; an NS
// shows "rejected" with SDI's code and text; the operator corrects the customer through the customer
// form, sends the document again, the next run mails a new file with the SAME invoice number and
// date, and its RC makes it delivered. The last screens are walked in Italian. Screenshots go to
// reports/screenshots/<language>/einvoice-receipts-*-{desktop,phone}.png.
import type { AddressInfo } from 'node:net';
import { XMLParser } from 'fast-xml-parser';
import { SMTPServer } from 'smtp-server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { cli, createToken, startDaemon, tempDir, writeConfig, type Daemon } from '../helpers/daemon.js';
import { startDovecot, type Dovecot } from '../helpers/dovecot.js';
import { attachment, deliverReceipt, NS, RC, receiptName, sellerConfig, SDI_REPLY_FROM } from '../helpers/sdi-pec.js';
import { apiOk, goTo, haveChromium, launchChromium, openPage, screenshotOnFailure, screenshotSizes } from '../helpers/browser.js';

const PASSWORD = 'einvoice-receipts-42';

let daemon: Daemon;
let browser: Browser;
let page: Page;
let token: string;
let smtp: SMTPServer;
let imap: Dovecot;
/** What the PEC provider was handed: recipients and the FatturaPA attachment. */
const sent: { to: string[]; fileName: string; xml: string }[] = [];
const ids = { bar: 0, mario: 0, barDoc: 0, barInvoice: 0, marioDoc: 0, marioInvoice: 0 };

const go = (path: string) => goTo(page, daemon.http, path);
const shots = (lang: 'en' | 'it', name: string) => screenshotSizes(page, lang, `einvoice-receipts-${name}`);
const call = (method: string, path: string, body?: unknown) => apiOk(daemon.http, token, method, path, body);
const today = () => new Date().toISOString().slice(0, 10);


const xmlParser = new XMLParser({ removeNSPrefix: true, parseTagValue: false });
/** The document's number and date as the file carries them. */
function numberAndDate(xml: string): { Numero: string; Data: string } {
  const d = xmlParser.parse(xml).FatturaElettronica.FatturaElettronicaBody.DatiGenerali.DatiGeneraliDocumento as { Numero: string; Data: string };
  return { Numero: d.Numero, Data: d.Data };
}




const address = { street: 'Via Garibaldi', streetNumber: '3', postalCode: '20121', city: 'Milano', province: 'MI', country: 'IT' };

/** Clicks "Read receipts now" (in the UI's language) and waits for the toast that counts them. */
async function readReceipts(button: string, applied: string | RegExp): Promise<void> {
  await page.getByRole('button', { name: button }).click();
  await page.getByText(applied).first().waitFor({ timeout: 20_000 });
}

describe.skipIf(!haveChromium)('SDI receipts on the e-invoicing screens', { timeout: 120_000 }, () => {
  beforeAll(async () => {
    smtp = new SMTPServer({
      disabledCommands: ['STARTTLS'], allowInsecureAuth: true, authOptional: true, logger: false,
      onData(stream, session, cb) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          sent.push({ to: session.envelope.rcptTo.map((r) => r.address), ...attachment(Buffer.concat(chunks).toString('utf8')) });
          cb();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    imap = await startDovecot();
    const dir = tempDir('tollgate-einvrcpt-');
    daemon = await startDaemon({ dir, config: writeConfig(dir, sellerConfig(`smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`, `imap://${imap.user}:${imap.password}@127.0.0.1:${imap.port}`)) });
    expect(cli(['admin', 'create', '--username', 'operator', '--role', 'admin', '--config', daemon.config], { input: PASSWORD }).code).toBe(0);
    token = createToken(daemon.config);
    browser = await launchChromium();
    page = await openPage(browser);
  }, 60_000);
  afterEach(async (ctx) => {
    await screenshotOnFailure(page, ctx.task.result?.state, ctx.task.name, 'einvoice-receipts-');
  });
  afterAll(async () => {
    await browser?.close();
    await daemon?.stop();
    await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
    await imap?.stop();
  });

  it('the daily run sends both invoices by PEC; an RC read from the UI makes one delivered on the list, its page and the invoice', async () => {
    ids.bar = (await call('POST', '/api/v1/customers', { kind: 'company', companyName: 'Bar Sport S.n.c.', vatNumber: '00743110157', sdiCode: 'M5UXCR1', ...address })).id;
    // SDI will refuse this recipient code (00311): the correction is to remove it.
    ids.mario = (await call('POST', '/api/v1/customers', { kind: 'person', firstName: 'Mario', lastName: 'Rossi', taxCode: 'RSSMRA85T10A562S', sdiCode: 'ABCDEF1', ...address })).id;
    for (const customerId of [ids.bar, ids.mario]) {
      await call('POST', '/api/v1/charges', { customerId, description: 'Installazione antenna', amount: 4900, date: today(), taxRateBp: 2200, taxInclusive: false });
    }
    await call('POST', '/api/v1/billing/run', { date: today() });
    expect(sent).toHaveLength(2);
    for (const s of sent) {
      expect(s.to).toEqual(['sdi01@pec.fatturapa.it']);
      expect(s.fileName).toMatch(/^IT06363391001_[0-9A-Z]{5}\.xml$/);
    }
    const docs = (await call('GET', '/api/v1/fiscal-documents')).items as Array<{ id: number; customerId: number; documentId: number; state: string; fileName: string }>;
    const of = (customerId: number) => docs.find((d) => d.customerId === customerId)!;
    expect(of(ids.bar)).toMatchObject({ state: 'sent' });
    expect(of(ids.mario)).toMatchObject({ state: 'sent' });
    ids.barDoc = of(ids.bar).id;
    ids.barInvoice = of(ids.bar).documentId;
    ids.marioDoc = of(ids.mario).id;
    ids.marioInvoice = of(ids.mario).documentId;

    await go('/');
    await page.fill('#username', 'operator');
    await page.fill('#password', PASSWORD);
    await page.click('button[type=submit]');
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();

    await go('/einvoices');
    const bar = page.locator('tr', { hasText: 'Bar Sport' });
    await bar.locator('[data-state=sent]').filter({ hasText: 'sent' }).waitFor();
    await deliverReceipt(imap, receiptName(of(ids.bar).fileName, 'RC'), RC(of(ids.bar).fileName));
    // The list shows what the receipts changed without leaving the screen.
    await readReceipts('Read receipts now', '1 receipt applied');
    await bar.locator('[data-state=delivered]').filter({ hasText: 'delivered' }).waitFor();
    await bar.locator('[data-test=einvoice-note]').filter({ hasText: /Delivery receipt/ }).waitFor();
    await page.locator('tr', { hasText: 'Mario Rossi' }).locator('[data-state=sent]').waitFor();
    await shots('en', '01-list-delivered');

    await bar.getByRole('link', { name: /^\S+$/ }).first().click();
    await page.locator('[data-test=einvoice-state] [data-state=delivered]').waitFor();
    const rc = page.locator('[data-test=receipt][data-type=RC]');
    await rc.filter({ hasText: 'Delivery receipt' }).waitFor();
    await rc.filter({ hasText: receiptName(of(ids.bar).fileName, 'RC') }).waitFor();
    // When it was read, in the UI's format (a date of this year, not a dash).
    await rc.locator('[data-test=receipt-read]').filter({ hasText: today().slice(0, 4) }).waitFor();
    await shots('en', '02-document-delivered');

    await go(`/invoices/${ids.barInvoice}`);
    const einvoice = page.locator('[data-test=invoice-einvoice]');
    await einvoice.locator('[data-state=delivered]').filter({ hasText: 'delivered' }).waitFor();
    await shots('en', '03-invoice-delivered');
    expect(await call('GET', `/api/v1/fiscal-documents/${ids.barDoc}`)).toMatchObject({ state: 'delivered' });
  });

  it('an NS shows "rejected" with SDI\'s code and text on the list and the document\'s page', async () => {
    const file = sent.find((s) => s.xml.includes('Rossi'))!.fileName;
    await deliverReceipt(imap, receiptName(file, 'NS'), NS(file));
    await go('/einvoices');
    await readReceipts('Read receipts now', '1 receipt applied');
    const mario = page.locator('tr', { hasText: 'Mario Rossi' });
    await mario.locator('[data-state=rejected]').filter({ hasText: 'rejected' }).waitFor();
    await mario.locator('[data-test=state-code]').filter({ hasText: '00311' }).waitFor();
    await mario.locator('[data-test=einvoice-note]').filter({ hasText: 'CodiceDestinatario non valido' }).waitFor();
    await mario.getByRole('button', { name: 'Send again' }).waitFor();
    await shots('en', '04-list-rejected');

    await go(`/einvoices/${ids.marioDoc}`);
    await page.locator('[data-test=einvoice-state] [data-state=rejected]').waitFor();
    await page.locator('[data-test=einvoice-state] [data-test=state-code]').filter({ hasText: '00311' }).waitFor();
    const ns = page.locator('[data-test=receipt][data-type=NS]');
    await ns.filter({ hasText: 'Rejection notice' }).filter({ hasText: '00311' }).filter({ hasText: 'CodiceDestinatario non valido' }).waitFor();
    await shots('en', '05-document-rejected');

    await go(`/invoices/${ids.marioInvoice}`);
    await page.locator('[data-test=invoice-einvoice] [data-state=rejected]').waitFor();
    await page.locator('[data-test=invoice-einvoice] [data-test=state-code]').filter({ hasText: '00311' }).waitFor();
  });

  it('in Italian: corrected through the customer form, sent again with the same number, then delivered', async () => {
    await go('/');
    await page.locator('nav [data-test="language"]').selectOption('it');
    // Italian's messages load when it is first picked: the switch is done when <html lang> follows.
    await page.waitForFunction(() => document.documentElement.lang === 'it');
    await page.getByRole('heading', { name: 'Dashboard', exact: true }).waitFor();

    // The operator corrects what SDI refused: the recipient code goes (the invoice then goes to the tax area).
    await go(`/einvoices/${ids.marioDoc}`);
    await page.locator('[data-test=einvoice-state] [data-state=rejected]').filter({ hasText: 'scartata' }).waitFor();
    await shots('it', '06-document-rejected');
    await page.getByRole('link', { name: 'Mario Rossi' }).first().click();
    await page.getByRole('heading', { name: 'Mario Rossi' }).waitFor();
    await page.getByRole('button', { name: 'Modifica' }).first().click();
    await page.fill('#f-sdiCode', '');
    await page.getByRole('button', { name: 'Salva', exact: true }).click();
    await page.getByText('Salvato').first().waitFor();
    await page.locator('[data-test=sdiCode]').filter({ hasText: '—' }).waitFor();
    expect((await call('GET', `/api/v1/customers/${ids.mario}`)).sdiCode).toBeNull();

    await go(`/einvoices/${ids.marioDoc}`);
    await page.getByRole('button', { name: 'Reinvia' }).click();
    await page.locator('[data-test=einvoice-state] [data-state=to_send]').waitFor();
    expect(await call('GET', `/api/v1/fiscal-documents/${ids.marioDoc}`)).toMatchObject({ state: 'to_send', fileName: null });

    // The next daily run sends it: a new file, to the address SDI answered from, with the same number and date.
    const first = sent.find((s) => s.xml.includes('Rossi'))!;
    const before = sent.length;
    await call('POST', '/api/v1/billing/run', { date: today() });
    expect(sent).toHaveLength(before + 1);
    const resent = sent.at(-1)!;
    expect(resent.to).toEqual([SDI_REPLY_FROM]);
    expect(resent.fileName).toMatch(/^IT06363391001_[0-9A-Z]{5}\.xml$/);
    expect(resent.fileName).not.toBe(first.fileName);
    expect(numberAndDate(resent.xml)).toEqual(numberAndDate(first.xml));
    expect(resent.xml).toContain('<CodiceDestinatario>0000000</CodiceDestinatario>');
    const invoice = await call('GET', `/api/v1/invoices/${ids.marioInvoice}`);
    expect(numberAndDate(resent.xml).Numero).toBe(invoice.number);

    await go('/einvoices');
    const mario = page.locator('tr', { hasText: 'Mario Rossi' });
    await mario.locator('[data-state=sent]').filter({ hasText: 'inviata' }).waitFor();
    await deliverReceipt(imap, receiptName(resent.fileName, 'RC'), RC(resent.fileName));
    await readReceipts('Leggi ora le ricevute', /1 ricevuta applicata/);
    await mario.locator('[data-state=delivered]').filter({ hasText: 'consegnata' }).waitFor();
    await mario.locator('[data-test=einvoice-note]').filter({ hasText: /Ricevuta di consegna/i }).waitFor();
    await page.locator('tr', { hasText: 'Bar Sport' }).locator('[data-state=delivered]').waitFor();
    await shots('it', '07-list-delivered');

    await go(`/einvoices/${ids.marioDoc}`);
    await page.locator('[data-test=einvoice-state] [data-state=delivered]').filter({ hasText: 'consegnata' }).waitFor();
    await page.locator('[data-test=receipt][data-type=NS]').filter({ hasText: '00311' }).waitFor();
    await page.locator('[data-test=receipt][data-type=RC]').filter({ hasText: receiptName(resent.fileName, 'RC') }).waitFor();
    await page.getByText(resent.fileName, { exact: true }).first().waitFor();
    await shots('it', '08-document-delivered');

    await go(`/invoices/${ids.marioInvoice}`);
    await page.locator('[data-test=invoice-einvoice] [data-state=delivered]').filter({ hasText: 'consegnata' }).waitFor();
    await shots('it', '09-invoice-delivered');
    expect(await call('GET', `/api/v1/fiscal-documents/${ids.marioDoc}`)).toMatchObject({ state: 'delivered', fileName: resent.fileName });
  });

  it('Settings shows the seller data complete, the PEC servers without their passwords, and the SDI address learnt', async () => {
    await go('/settings');
    const card = page.locator('[data-test=seller-fiscal]');
    await card.locator('[data-test=seller-ready]').filter({ hasText: 'inviate allo SDI' }).waitFor();
    await card.locator('dt[data-key="[company] vat_number"]').filter({ hasText: 'Partita IVA' }).waitFor();
    await card.locator('dd[data-key="[company] vat_number"]').filter({ hasText: '06363391001' }).waitFor();
    await card.locator('dd[data-key="[einvoice] pec_imap_url"]').filter({ hasText: `imap://********@127.0.0.1:${imap.port}` }).waitFor();
    await card.locator('[data-test=sdi-address]').filter({ hasText: SDI_REPLY_FROM }).waitFor();
    expect(await card.textContent()).not.toContain(imap.password);
    await shots('it', '10-settings-fiscal');
  });
});
