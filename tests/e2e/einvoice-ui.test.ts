// The e-invoicing screens in headless Chromium against the compiled daemon (npm run build first), in
// English and in Italian: a customer's fiscal record through the form (a wrong check digit shown beside
// its field and nothing saved, then the right one saved), the e-invoices list with each document's
// state and why it is not sent, a document's page where "send again" shows the API's reason and the way
// to the customer to correct, and the invoice's page with its e-invoice state. The daemon has the
// seller's fiscal data and a PEC channel whose mail servers do not answer (a closed port on
// 127.0.0.1), so the run registers the documents and they stay "to send" with their last error.
// Screenshots go to reports/screenshots/<language>/.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { Daemon } from '../helpers/daemon.js';
import { apiOk, daemonWithOperator, goTo, signIn, haveChromium, launchChromium, openPage, screenshot, screenshotOnFailure } from '../helpers/browser.js';
import { unreachableSellerConfig } from '../helpers/sdi-pec.js';

const PASSWORD = 'einvoice-password-42';

let daemon: Daemon;
let browser: Browser;
let page: Page;
let token: string;
const ids = { mario: 0, incomplete: 0, marioInvoice: 0, marioDoc: 0, incompleteDoc: 0 };

const go = (path: string) => goTo(page, daemon.http, path);
const shot = (lang: 'en' | 'it', name: string) => screenshot(page, lang, `einvoice-${name}`);
const call = (method: string, path: string, body?: unknown) => apiOk(daemon.http, token, method, path, body);



describe.skipIf(!haveChromium)('the e-invoicing screens in headless Chromium', { timeout: 90_000 }, () => {
  beforeAll(async () => {
    ({ daemon, token } = await daemonWithOperator('tollgate-einvui-', PASSWORD, await unreachableSellerConfig()));
    browser = await launchChromium();
    page = await openPage(browser);
  });
  afterEach(async (ctx) => {
    await screenshotOnFailure(page, ctx.task.result?.state, ctx.task.name, 'einvoice-');
  });
  afterAll(async () => {
    await browser?.close();
    await daemon?.stop();
  });

  it('creates a customer with its fiscal record: a wrong codice fiscale is named beside its field and nothing is saved', async () => {
    await signIn(page, daemon.http, PASSWORD);

    await go('/customers/new');
    // A company has a company name; a person a first and last name.
    await page.locator('#f-kind').selectOption('company');
    await page.locator('#f-companyName').waitFor();
    await expect(page.locator('#f-firstName').count()).resolves.toBe(0);
    await page.locator('#f-kind').selectOption('person');
    await page.locator('#f-firstName').waitFor();
    await expect(page.locator('#f-companyName').count()).resolves.toBe(0);

    await page.fill('#f-firstName', 'Mario');
    await page.fill('#f-lastName', 'Rossi');
    await page.fill('#f-email', 'mario@example.net');
    // The last character is the check character: S, not X.
    await page.fill('#f-taxCode', 'RSSMRA85T10A562X');
    await page.fill('#f-country', 'IT');
    await page.fill('#f-street', 'Via Garibaldi');
    await page.fill('#f-streetNumber', '3');
    await page.fill('#f-postalCode', '20121');
    await page.fill('#f-city', 'Milano');
    await page.fill('#f-province', 'MI');
    await page.fill('#f-sdiCode', 'M5UXCR1');
    await page.getByRole('button', { name: 'Create customer' }).click();
    await page.locator('.err[data-field=taxCode]').waitFor();
    await shot('en', '01-customer-taxcode-error');
    expect((await call('GET', '/api/v1/customers')).items).toHaveLength(0);

    await page.fill('#f-taxCode', 'RSSMRA85T10A562S');
    await page.getByRole('button', { name: 'Create customer' }).click();
    await page.getByRole('heading', { name: 'Mario Rossi' }).waitFor();
    await page.locator('[data-test=taxCode]').filter({ hasText: 'RSSMRA85T10A562S' }).waitFor();
    await page.locator('[data-test=sdiCode]').filter({ hasText: 'M5UXCR1' }).waitFor();
    await shot('en', '02-customer-fiscal');
    const [saved] = (await call('GET', '/api/v1/customers')).items;
    expect(saved).toMatchObject({ name: 'Mario Rossi', kind: 'person', firstName: 'Mario', lastName: 'Rossi', taxCode: 'RSSMRA85T10A562S', country: 'IT', city: 'Milano', sdiCode: 'M5UXCR1' });
    ids.mario = saved.id;
  });

  it('lists the e-invoices with their state and why they are not sent; "send again" names the customer field to correct', async () => {
    ids.incomplete = (await call('POST', '/api/v1/customers', { name: 'Cliente senza dati' })).id;
    const today = new Date().toISOString().slice(0, 10);
    for (const customerId of [ids.mario, ids.incomplete]) {
      await call('POST', '/api/v1/charges', { customerId, description: 'Installazione antenna', amount: 4900, date: today, taxRateBp: 2200, taxInclusive: false });
    }
    await call('POST', '/api/v1/billing/run', { date: today });
    const docs = (await call('GET', '/api/v1/fiscal-documents')).items as Array<{ id: number; customerId: number; documentId: number; state: string; lastError: string | null }>;
    const of = (customerId: number) => docs.find((d) => d.customerId === customerId)!;
    // Both wait: Mario's because the PEC provider does not answer, the other for its missing data.
    expect(of(ids.mario)).toMatchObject({ state: 'to_send' });
    expect(of(ids.incomplete)).toMatchObject({ state: 'to_send' });
    expect(of(ids.mario).lastError).toBeTruthy();
    expect(of(ids.incomplete).lastError).toMatch(/country/);
    ids.marioDoc = of(ids.mario).id;
    ids.marioInvoice = of(ids.mario).documentId;
    ids.incompleteDoc = of(ids.incomplete).id;

    await go('/einvoices');
    await page.getByRole('heading', { name: 'E-invoices' }).waitFor();
    const row = page.locator('tr', { hasText: 'Cliente senza dati' });
    await row.locator('[data-state=to_send]').filter({ hasText: 'to send' }).waitFor();
    await row.locator('[data-test=einvoice-note]').filter({ hasText: 'country' }).waitFor();
    await page.locator('tr', { hasText: 'Mario Rossi' }).locator('[data-state=to_send]').waitFor();
    // From the list too: sending again what still lacks data is refused with the field to correct.
    await row.getByRole('button', { name: 'Send again' }).click();
    await page.getByText('To correct: Country').first().waitFor();
    await page.locator('[data-test=archive]').waitFor();
    await shot('en', '03-list');
    // The mailbox does not answer: the operator is told why, and the list stays.
    await page.getByRole('button', { name: 'Read receipts now' }).click();
    await page.getByText('The receipts could not be read').waitFor({ timeout: 20_000 });
    // The state filter asks the API for that state only.
    await page.locator('#state').selectOption('rejected');
    await page.getByText('No e-invoice yet').waitFor();
    await page.locator('#state').selectOption('to_send');
    await page.locator('tr', { hasText: 'Cliente senza dati' }).waitFor();

    await row.getByRole('link').first().click();
    await page.locator('[data-test=einvoice-state] [data-state=to_send]').waitFor();
    await page.locator('[data-test=last-error]').filter({ hasText: 'country' }).waitFor();
    await page.getByRole('button', { name: 'Send again' }).click();
    const problem = page.locator('[data-test=resend-problem]');
    await problem.filter({ hasText: 'Country' }).waitFor();
    await shot('en', '04-resend-refused');
    await problem.getByRole('link', { name: /Correct Cliente senza dati/ }).click();
    await page.getByRole('heading', { name: 'Cliente senza dati' }).waitFor();
    await page.locator('#f-country').waitFor();

    // Mario's data are complete: sending again queues a new attempt, and the page says the state.
    await go(`/einvoices/${ids.marioDoc}`);
    await page.getByRole('button', { name: 'Send again' }).click();
    await page.getByText('Queued again: now to send').first().waitFor();
    expect((await call('GET', `/api/v1/fiscal-documents/${ids.marioDoc}`))).toMatchObject({ state: 'to_send', attempts: 0 });
    await shot('en', '05-resent');

    await go(`/invoices/${ids.marioInvoice}`);
    const einvoice = page.locator('[data-test=invoice-einvoice]');
    await einvoice.locator('[data-state=to_send]').waitFor();
    await einvoice.getByRole('link', { name: 'receipts and details' }).click();
    await page.locator('[data-test=einvoice-state]').waitFor();
    expect(new URL(page.url()).pathname).toBe(`/einvoices/${ids.marioDoc}`);
  });

  it('runs in Italian: the fiscal fields with a wrong partita IVA beside its field, the e-invoices and "Reinvia"', async () => {
    await go('/');
    await page.locator('nav [data-test="language"]').selectOption('it');
    // Italian's messages load when it is first picked: the switch is done when <html lang> follows.
    await page.waitForFunction(() => document.documentElement.lang === 'it');
    await page.getByRole('heading', { name: 'Dashboard', exact: true }).waitFor();

    await go('/customers/new');
    await page.locator('#f-kind').selectOption('company');
    await page.getByText('Ragione sociale', { exact: true }).waitFor();
    await page.fill('#f-companyName', 'Bar Sport S.n.c.');
    await page.fill('#f-vatNumber', '00743110158');
    await page.fill('#f-country', 'IT');
    await page.fill('#f-street', 'Via Roma');
    await page.fill('#f-streetNumber', '1');
    await page.fill('#f-postalCode', '40121');
    await page.fill('#f-city', 'Bologna');
    await page.fill('#f-pec', 'barsport@pec.example.it');
    await page.getByRole('button', { name: 'Crea cliente' }).click();
    await page.locator('.err[data-field=vatNumber]').filter({ hasText: 'Partita IVA' }).waitFor();
    await shot('it', '01-customer-vat-error');
    expect((await call('GET', '/api/v1/customers?q=Bar')).items).toHaveLength(0);
    await page.fill('#f-vatNumber', '00743110157');
    await page.getByRole('button', { name: 'Crea cliente' }).click();
    await page.getByRole('heading', { name: 'Bar Sport S.n.c.' }).waitFor();
    await page.locator('[data-test=fiscal]').getByText('Dati fiscali').waitFor();
    await page.locator('[data-test=vatNumber]').filter({ hasText: '00743110157' }).waitFor();
    await shot('it', '02-customer-fiscal');

    await go('/einvoices');
    await page.getByRole('heading', { name: 'Fatture elettroniche' }).waitFor();
    const row = page.locator('tr', { hasText: 'Cliente senza dati' });
    await row.locator('[data-state=to_send]').filter({ hasText: 'da inviare' }).waitFor();
    await row.getByRole('button', { name: 'Reinvia' }).waitFor();
    await page.getByRole('button', { name: 'Leggi ora le ricevute' }).waitFor();
    await page.getByRole('link', { name: 'Scarica l’archivio (ZIP)' }).waitFor();
    // Dates are typed in the operator's language, day first, whatever the browser's own language.
    const from = page.locator('#from');
    expect(await from.getAttribute('placeholder')).toBe('gg/mm/aaaa');
    const archiveFrom = page.locator('#archive-from');
    expect(await archiveFrom.inputValue()).toMatch(/^01\/\d{2}\/\d{4}$/);
    await archiveFrom.fill('1/1/2026');
    await archiveFrom.press('Tab');
    expect(await page.locator('[data-test=archive]').getAttribute('href')).toContain('from=2026-01-01');
    // An issue date from tomorrow on: none yet; the filter asks the API with the ISO date.
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    await from.fill(tomorrow.split('-').reverse().join('/'));
    await from.press('Tab');
    await page.getByText('Ancora nessuna fattura elettronica').first().waitFor();
    await from.fill('31/02/2026');
    await from.press('Tab');
    expect(await from.getAttribute('aria-invalid')).toBe('true');
    await from.fill('');
    await from.press('Tab');
    await row.waitFor();
    await shot('it', '03-list');

    await go(`/einvoices/${ids.incompleteDoc}`);
    await page.getByRole('button', { name: 'Reinvia' }).click();
    await page.locator('[data-test=resend-problem]').filter({ hasText: 'Paese' }).waitFor();
    await page.getByRole('link', { name: /Correggi i dati di Cliente senza dati/ }).waitFor();
    await shot('it', '04-resend-refused');
  });
});
