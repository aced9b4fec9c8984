// The operator's new screens in headless Chromium against the compiled daemon (npm run build first):
// the overview and first-run checklist, recording a payment (bad input shown beside its fields and
// nothing saved, then a good one and its receipt), payments by period with totals per method, a NAS's
// dropped requests after real unsigned UDP requests, "Why offline?" showing them, and a password read
// back. Screenshots at 1440×900 and 390×844 go to reports/screenshots/.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { Daemon } from '../helpers/daemon.js';
import { apiOk, daemonWithOperator, goTo, signIn, haveChromium, launchChromium, openPage, screenshotOnFailure, screenshotSizes } from '../helpers/browser.js';
import { accessRequest, UdpClient } from '../helpers/radius.js';

const PASSWORD = 'operator-password-42';
const SECRET = 'tower-shared-secret';

let daemon: Daemon;
let browser: Browser;
let page: Page;
let token: string;
const ids = { nas: 0, customer: 0, service: 0, invoice: 0 };

const go = (path: string) => goTo(page, daemon.http, path);
const shots = (name: string) => screenshotSizes(page, '.', `operator-${name}`);
const call = (method: string, path: string, body?: unknown) => apiOk(daemon.http, token, method, path, body);

describe.skipIf(!haveChromium)("the operator's screens in headless Chromium", { timeout: 60_000 }, () => {
  beforeAll(async () => {
    ({ daemon, token } = await daemonWithOperator('tollgate-opsui-', PASSWORD));
    browser = await launchChromium();
    page = await openPage(browser);
  });
  afterEach(async (ctx) => {
    await screenshotOnFailure(page, ctx.task.result?.state, ctx.task.name, 'operator-');
  });
  afterAll(async () => {
    await browser?.close();
    await daemon?.stop();
  });

  it('shows the first-run checklist on an empty installation, then the overview', async () => {
    await signIn(page, daemon.http, PASSWORD);
    await page.getByRole('heading', { name: 'Getting started' }).waitFor();
    await expect(page.getByRole('link', { name: 'Add a router (NAS) with its RADIUS secret' }).count()).resolves.toBe(1);
    await page.getByRole('heading', { name: 'Overdue by age (days)' }).waitFor();
    await shots('01-checklist');

    ids.nas = (await call('POST', '/api/v1/nas', { name: 'tower', ipAddress: '127.0.0.1', secret: SECRET, vendor: 'mikrotik' })).id;
    const plan = await call('POST', '/api/v1/plans', { name: 'Home 50', type: 'recurring', price: 2500, billingPeriodMonths: 1, taxRateBp: 2200, taxInclusive: true, downloadKbps: 50000, uploadKbps: 10000 });
    ids.customer = (await call('POST', '/api/v1/customers', { name: 'Mario Rossi', email: 'mario@example.net' })).id;
    const today = new Date().toISOString().slice(0, 10);
    ids.service = (await call('POST', '/api/v1/services', { customerId: ids.customer, planId: plan.id, username: 'mario', password: 'mario-pass-1', startDate: today })).id;
    await call('POST', '/api/v1/billing/run', { date: today });
    const invoices = (await call('GET', `/api/v1/invoices?customerId=${ids.customer}`)).items;
    expect(invoices.length).toBeGreaterThan(0);
    ids.invoice = invoices[0].id;
    await go('/');
    await page.getByRole('heading', { name: 'Money this month' }).waitFor();
    await expect(page.getByRole('link', { name: 'Add a router (NAS) with its RADIUS secret' }).count()).resolves.toBe(0);
    await shots('02-overview');
  });

  it('records a payment: bad input beside its fields and nothing saved, then applied to the chosen invoice', async () => {
    await go('/payments');
    await page.getByRole('link', { name: 'Record a payment' }).click();
    await page.getByRole('heading', { name: 'Record a payment' }).waitFor();
    await page.fill('#q', 'Rossi');
    await page.getByRole('button', { name: 'Find' }).click();
    await page.getByRole('button', { name: 'Choose' }).click();
    await page.getByRole('heading', { name: 'Mario Rossi' }).waitFor();
    // In the browser: no amount.
    await page.getByRole('button', { name: 'Record payment' }).click();
    await page.locator('.err[data-field=amount]').waitFor();
    await shots('03-payment-errors');
    // At the server: a payment dated tomorrow is refused, its field named, nothing saved.
    const tomorrow = new Date(Date.now() + 2 * 86_400_000);
    await page.fill('#f-amount', '10.00');
    await page.fill('#f-receivedAt', new Date(tomorrow.getTime() - tomorrow.getTimezoneOffset() * 60_000).toISOString().slice(0, 16));
    await page.getByRole('button', { name: 'Record payment' }).click();
    await page.locator('.err[data-field=receivedAt]').waitFor();
    expect((await call('GET', '/api/v1/payments')).items).toHaveLength(0);
    const now = new Date(Date.now() - 60_000);
    await page.fill('#f-receivedAt', new Date(now.getTime() - now.getTimezoneOffset() * 60_000).toISOString().slice(0, 16));
    await page.fill('#f-reference', 'TRN-42');
    await page.selectOption('#f-invoiceId', String(ids.invoice));
    await page.getByRole('button', { name: 'Record payment' }).click();
    await page.getByText('Payment of').first().waitFor();
    await page.getByRole('link', { name: 'Print the receipt' }).waitFor();
    await shots('04-payment-recorded');
    const payments = (await call('GET', '/api/v1/payments')).items;
    expect(payments).toEqual([expect.objectContaining({ amount: 1000, method: 'bank', reference: 'TRN-42', customerName: 'Mario Rossi' })]);
    const receipt = await fetch(`${daemon.http}/api/v1/payments/${payments[0].id}/pdf`, { headers: { authorization: `Bearer ${token}` } });
    expect(receipt.headers.get('content-type')).toBe('application/pdf');
  });

  it('shows payments by period with the totals per method', async () => {
    await go('/payments/report');
    await page.getByRole('heading', { name: 'Payments by period' }).waitFor();
    await page.locator('table.totals tfoot').getByText('All methods').waitFor();
    await expect(page.locator('table.totals tbody tr').count()).resolves.toBe(1);
    await page.getByRole('link', { name: 'Mario Rossi' }).first().waitFor();
    await shots('05-payments-report');
  });

  it("shows a NAS's dropped requests with the RouterOS fix, and 'Why offline?' shows them for the user", async () => {
    const client = await UdpClient.open();
    try {
      expect(await client.exchange(accessRequest(SECRET, { 'User-Name': 'mario', 'User-Password': 'mario-pass-1' }, false), daemon.authPort, '127.0.0.1', 300)).toBeUndefined();
    } finally {
      await client.close();
    }
    await go(`/nas/${ids.nas}`);
    await page.getByRole('heading', { name: 'Dropped requests' }).waitFor();
    await page.getByText('No Message-Authenticator').waitFor();
    await page.getByText('/radius set [find] require-message-auth=yes').first().waitFor();
    await shots('06-nas-drops');
    await go(`/services/${ids.service}/why`);
    await page.getByRole('heading', { name: 'Requests dropped before the login was checked' }).waitFor();
    await shots('07-why-drops');
  });

  it("reads a subscriber's password back on request", async () => {
    await go(`/services/${ids.service}`);
    await page.getByRole('button', { name: 'Show password' }).click();
    await page.locator('output').filter({ hasText: 'mario-pass-1' }).waitFor();
    await shots('08-reveal-password');
    const audit = (await call('GET', '/api/v1/audit-log?entity=service')).items as Array<{ action: string }>;
    expect(audit.some((a) => a.action === 'reveal_password')).toBe(true);
  });
});
