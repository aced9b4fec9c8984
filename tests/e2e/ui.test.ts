// The admin UI end to end: Debian's chromium driven by playwright-core against the compiled daemon
// (npm run build first), real UDP accounting, a NAS simulator answering Disconnect-Requests.
// Screenshots of every screen go to reports/screenshots/<language>/: the flow runs in English, then the
// admin switches the UI to Italian and to Spanish and the main screens are walked again in each.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { Secret, TOTP } from 'otpauth';
import { ROOT, startDaemon, tempDir, writeConfig, type Daemon } from '../helpers/daemon.js';
import { accessRequest, accountingRequest, UdpClient } from '../helpers/radius.js';
import { NasSim } from '../helpers/nas-sim.js';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM) && existsSync(join(ROOT, 'dist/web/index.html'));
const SHOTS_ROOT = join(ROOT, 'reports/screenshots');
const SHOTS = join(SHOTS_ROOT, 'en');
const NAS_SECRET = 'ui-test-secret-1';
const NEW_PASSWORD = 'a much longer passphrase 42';

let daemon: Daemon;
let browser: Browser;
let page: Page;
let sim: NasSim;
let totpSecret = '';

const shot = async (name: string, p: Page = page) => {
  await p.waitForTimeout(150);
  await p.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
};
/** A code of the next 30 s step: the server takes one step of drift and each step only once. */
const nextCode = () => new TOTP({ secret: Secret.fromBase32(totpSecret), digits: 6, period: 30, algorithm: 'SHA1' }).generate({ timestamp: Date.now() + 30_000 });
const code = () => new TOTP({ secret: Secret.fromBase32(totpSecret), digits: 6, period: 30, algorithm: 'SHA1' }).generate();
/** Waits until the element shows the text (a re-rendered row, a replaced message). */
const waitText = (loc: Locator, text: string | RegExp) => loc.filter({ hasText: text }).first().waitFor();
const go = async (path: string) => {
  await page.goto(daemon.http + path);
  await page.waitForLoadState('networkidle');
};

describe.skipIf(!haveChromium)('admin UI in headless Chromium', { timeout: 60_000 }, () => {
  beforeAll(async () => {
    for (const l of ['en', 'it', 'es']) mkdirSync(join(SHOTS_ROOT, l), { recursive: true });
    const dir = tempDir('tollgate-ui-');
    daemon = await startDaemon({ dir, config: writeConfig(dir, '[security]\nrequire_totp = true\n') });
    sim = await NasSim.start({ secret: NAS_SECRET });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    page.on('dialog', (d) => void d.accept());
    page.on('pageerror', (err) => console.error('page error:', err.message));
  });

  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail' && page) await page.screenshot({ path: join(SHOTS_ROOT, `FAILED-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}.png`), fullPage: true }).catch(() => undefined);
  });

  afterAll(async () => {
    await browser?.close();
    await sim?.close();
    await daemon?.stop();
  });

  it('serves the bundle compressed, deep links as the app, and leaves /api, /healthz alone', async () => {
    const js = await fetch(`${daemon.http}/app.js`, { headers: { 'accept-encoding': 'br, gzip' } });
    expect(js.status).toBe(200);
    expect(js.headers.get('content-encoding')).toBe('br');
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    const deep = await fetch(`${daemon.http}/customers/12?tab=x`);
    expect(deep.status).toBe(200);
    expect(await deep.text()).toContain('<tg-app>');
    const api = await fetch(`${daemon.http}/api/v1/no-such-thing`);
    expect(api.status).toBe(404);
    expect(api.headers.get('content-type')).toMatch(/problem\+json/);
    expect((await fetch(`${daemon.http}/healthz`)).status).toBe(200);
    expect((await fetch(`${daemon.http}/missing.js`)).status).toBe(404);
  });

  it('first sign-in: password change, TOTP enrolment with a QR code, then sign-in with TOTP', async () => {
    const [username, initial] = readFileSync(join(daemon.dir, 'data/initial-admin-password'), 'utf8').trim().split('\n') as [string, string];
    expect(username).toBe('admin');
    await go('/');
    await page.locator('#username').waitFor();
    await shot('01-login');
    await page.fill('#password', 'wrong password');
    await page.fill('#username', 'admin');
    await page.click('button[type=submit]');
    await page.getByText('wrong username or password').waitFor();
    await page.fill('#password', initial);
    await page.click('button[type=submit]');
    await page.getByRole('heading', { name: 'Choose your password' }).waitFor();
    await shot('02-first-run-password');
    await page.fill('#currentPassword', initial);
    await page.fill('#newPassword', NEW_PASSWORD);
    await page.fill('#again', NEW_PASSWORD);
    await page.click('button[type=submit]');
    await page.getByRole('heading', { name: 'Set up a second factor' }).waitFor();
    await page.getByRole('button', { name: 'Start' }).click();
    await page.locator('img[alt="TOTP QR code"]').waitFor();
    totpSecret = (await page.locator('[data-test=totp-secret]').textContent())!.trim();
    expect(totpSecret).toMatch(/^[A-Z2-7]+$/);
    await shot('03-totp-enrolment');
    await page.fill('#enrolCode', code());
    await page.getByRole('button', { name: 'Turn on' }).click();
    await page.locator('[data-test=recovery]').waitFor();
    await shot('04-recovery-codes');
    await page.getByRole('button', { name: 'I have saved them' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.locator('#username').waitFor();
    await page.fill('#username', 'admin');
    await page.fill('#password', NEW_PASSWORD);
    await page.click('button[type=submit]');
    await page.getByRole('heading', { name: 'Second factor' }).waitFor();
    await shot('05-totp-challenge');
    await page.fill('#code', nextCode());
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await page.locator('[data-test=online]').waitFor();
    await shot('06-dashboard');
  });

  it('creates a plan, a NAS, a customer and a service through the forms', async () => {
    await go('/plans/new');
    await page.getByRole('button', { name: 'Create plan' }).click();
    // Checked in the browser before sending: the errors sit beside their fields.
    await page.locator('.err[data-field=name]').waitFor();
    await expect(page.locator('.err[data-field=downloadKbps]').textContent()).resolves.toContain('is required');
    await shot('07-plan-form-errors');
    await page.fill('#f-name', 'Home 50');
    await page.fill('#f-price', '25.00');
    await page.fill('#f-downloadKbps', '50');
    await page.fill('#f-uploadKbps', '10');
    await page.fill('#f-taxRateBp', '22');
    await page.getByRole('button', { name: 'Create plan' }).click();
    await page.getByRole('heading', { name: 'Plans' }).waitFor();
    await page.getByRole('link', { name: 'Home 50' }).waitFor();
    await shot('08-plans');
    await go('/plans/new');
    await page.fill('#f-name', 'Fast 100');
    await page.fill('#f-price', '40');
    await page.fill('#f-downloadKbps', '100');
    await page.fill('#f-uploadKbps', '20');
    await page.getByRole('button', { name: 'Create plan' }).click();
    await page.getByRole('link', { name: 'Fast 100' }).waitFor();

    await go('/nas/new');
    await page.fill('#f-name', 'Tower 1');
    await page.fill('#f-ipAddress', '127.0.0.999');
    await page.fill('#f-secret', NAS_SECRET);
    await page.fill('#f-coaPort', String(sim.port));
    await page.getByRole('button', { name: 'Create NAS' }).click();
    // The API's answer, shown beside the field it names.
    await page.locator('.err[data-field=ipAddress]').waitFor();
    await shot('09-nas-form-api-error');
    await page.fill('#f-ipAddress', '127.0.0.1');
    await page.getByRole('button', { name: 'Create NAS' }).click();
    await page.getByRole('link', { name: 'Tower 1' }).waitFor();
    // One state badge per row, from /nas/{id}/status: SNMP is off, so "unknown".
    await page.locator('tg-nas-state .badge[data-state=unknown]').waitFor();
    await shot('10-nas-list');
    await page.getByRole('link', { name: 'Tower 1' }).click();
    await page.getByRole('heading', { name: 'NAS Tower 1' }).waitFor();
    await page.getByRole('button', { name: 'RouterOS setup commands' }).click();
    await expect(page.locator('[data-test=onboarding]').textContent()).resolves.toContain('/radius add');
    await page.fill('#selftest-host', 'not an address');
    await page.getByRole('button', { name: 'Run self-test' }).click();
    await page.locator('.err[data-field=host]').waitFor();
    await page.fill('#selftest-host', '');
    const before = sim.received.length;
    await page.getByRole('button', { name: 'Run self-test' }).click();
    // The simulator answers the harmless Disconnect-Request: CoA works.
    await page.locator('[data-test=selftest-result][data-result=answered]').waitFor({ timeout: 15_000 });
    expect(sim.received.slice(before).some((r) => r.code === 40)).toBe(true);
    await shot('11-nas-detail');

    await go('/customers/new');
    await page.fill('#f-name', 'Ada Lovelace');
    await page.fill('#f-email', 'ada@example.org');
    await page.fill('#f-phone', '+39 333 123 4567');
    await page.fill('#f-address', 'Via Roma 1, Bologna');
    await shot('12-customer-form');
    await page.getByRole('button', { name: 'Create customer' }).click();
    await page.getByRole('heading', { name: 'Ada Lovelace' }).waitFor();

    await page.getByRole('link', { name: 'Add service' }).click();
    await page.getByRole('heading', { name: 'New service' }).waitFor();
    await page.fill('#f-username', 'ada.pppoe');
    await page.fill('#f-password', 'pppoe-pass');
    await page.fill('#f-macAddress', 'AA:BB:CC:00:11:22');
    await shot('13-service-form');
    await page.getByRole('button', { name: 'Create service' }).click();
    await page.getByRole('heading', { name: 'Ada Lovelace' }).waitFor();
    await page.locator('[data-service="ada.pppoe"]').waitFor();
  });

  it('shows the PPPoE session after an Accounting-Start over UDP, records a payment, suspends and resumes', async () => {
    const udp = await UdpClient.open();
    try {
      // A wrong password first (its reason shows in the timeline), then the right one.
      const login = (password: string) => accessRequest(NAS_SECRET, { 'User-Name': 'ada.pppoe', 'User-Password': password, 'NAS-IP-Address': '127.0.0.1', 'Calling-Station-Id': 'AA:BB:CC:00:11:22' });
      expect((await udp.exchange(login('not-the-password'), daemon.authPort, '127.0.0.1', 5000))?.[0]).toBe(3); // Access-Reject
      expect((await udp.exchange(login('pppoe-pass'), daemon.authPort, '127.0.0.1', 5000))?.[0]).toBe(2); // Access-Accept
      const reply = await udp.exchange(accountingRequest(NAS_SECRET, {
        'User-Name': 'ada.pppoe', 'Acct-Status-Type': 'Start', 'Acct-Session-Id': 'ui-sess-1', 'NAS-IP-Address': '127.0.0.1',
        'Framed-IP-Address': '100.64.0.7', 'Calling-Station-Id': 'AA:BB:CC:00:11:22', 'NAS-Port-Type': 'Ethernet', 'Service-Type': 'Framed-User', 'Framed-Protocol': 'PPP',
      }), daemon.acctPort, '127.0.0.1', 5000);
      expect(reply?.[0]).toBe(5); // Accounting-Response
    } finally {
      await udp.close();
    }
    // The accounting writer batches: the page shows the session once it is stored.
    const session = page.locator('[data-service="ada.pppoe"] [data-test=session]');
    for (let i = 0; i < 20 && !(await session.count()); i++) {
      await page.reload();
      await page.locator('[data-service="ada.pppoe"]').waitFor();
      if (!(await session.count())) await page.waitForTimeout(250);
    }
    await expect(session.textContent()).resolves.toContain('100.64.0.7');
    await shot('14-customer-online');

    await page.getByRole('button', { name: 'Record payment' }).click();
    await page.fill('#f-amount', '30.50');
    await page.fill('#f-reference', 'receipt 0042');
    await page.getByRole('button', { name: 'Record payment' }).last().click();
    await page.getByText('Payment of').first().waitFor();
    await page.getByRole('cell', { name: 'receipt 0042' }).waitFor();
    await shot('15-payment-recorded');

    const card = page.locator('[data-service="ada.pppoe"]');
    const sentBefore = sim.received.length; // the self-test sent one already
    await card.getByRole('button', { name: 'Suspend' }).click();
    await card.getByRole('button', { name: 'Resume' }).waitFor({ timeout: 15_000 });
    await expect(card.locator('.badge.suspended').count()).resolves.toBe(1);
    expect(sim.received.slice(sentBefore).some((r) => r.code === 40)).toBe(true); // the Disconnect-Request reached the NAS
    await shot('16-suspended');
    await card.getByRole('button', { name: 'Resume' }).click();
    await card.getByRole('button', { name: 'Suspend' }).waitFor({ timeout: 15_000 });
    await expect(card.locator('.badge.active').count()).resolves.toBe(1);

    await card.getByRole('link', { name: 'Why offline?' }).click();
    await page.locator('[data-test=verdict]').waitFor();
    await expect(page.locator('[data-test=verdict]').textContent()).resolves.toContain('Online now');
    await page.getByText('Rejected: wrong password').first().waitFor();
    await shot('17-why-offline');
  });

  it('lists the invoice of a billing run, opens it with its PDF link and credits it', async () => {
    // Today in the billing time zone, as the forms default it (UTC's date is a day behind Rome's late at night).
    const status = await page.evaluate(async () => {
      const me = (await (await fetch('/api/v1/auth/me')).json()) as { csrfToken: string; billing: { timezone: string } };
      const date = new Intl.DateTimeFormat('en-CA', { timeZone: me.billing.timezone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
      const r = await fetch('/api/v1/billing/run', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrfToken }, body: JSON.stringify({ date }) });
      return r.status;
    });
    expect(status).toBeLessThan(300);
    await go('/invoices');
    const link = page.locator('tg-invoices tg-table a[href^="/invoices/"]').first();
    await link.waitFor();
    await shot('19-invoices');
    await link.click();
    await page.getByRole('heading', { name: /^Invoice / }).waitFor();
    expect(await page.getByRole('link', { name: 'PDF' }).getAttribute('href')).toMatch(/^\/api\/v1\/invoices\/\d+\/pdf$/);
    await shot('20-invoice');
    await page.getByRole('button', { name: 'Credit note' }).click();
    const form = page.locator('[data-test=credit-form]');
    await form.locator('[name="lines.0.amount"]').fill('1.00');
    await form.locator('#f-reason').fill('goodwill: outage on the tower');
    await form.getByRole('button', { name: 'Issue credit note' }).click();
    // A part of a line needs the line chosen, and no more than the line: checked before sending.
    await form.locator('.err[data-field="lines.0.amount"]').waitFor();
    await form.locator('[name="lines.0"]').check();
    await form.locator('[name="lines.0.amount"]').fill('999999');
    await form.getByRole('button', { name: 'Issue credit note' }).click();
    await waitText(form.locator('.err[data-field="lines.0.amount"]'), 'must be between');
    await shot('21a-credit-note-form');
    await form.locator('[name="lines.0.amount"]').fill('1.00');
    await form.getByRole('button', { name: 'Issue credit note' }).click();
    await page.getByRole('heading', { name: 'Credit notes' }).waitFor();
    await expect(page.locator('[data-test=credit-note]').first().textContent()).resolves.toMatch(/1[.,]00/);
    await shot('21-invoice-credited');
  });

  it('refunds part of a payment, reopening what it settled', async () => {
    await go('/payments');
    const row = page.locator('tg-payments tr', { hasText: 'receipt 0042' });
    await row.getByRole('button', { name: 'Refund' }).click();
    const form = page.locator('[data-test=refund-form]');
    await form.locator('#f-amount').fill('999');
    await form.getByRole('button', { name: 'Refund' }).click();
    await expect(form.locator('.err[data-field=amount]').textContent()).resolves.toContain('at most');
    await form.locator('#f-amount').fill('5.00');
    await form.locator('#f-reason').fill('double charge');
    await form.locator('#f-reopenInvoices').check();
    await shot('23a-refund-form');
    await form.getByRole('button', { name: 'Refund' }).click();
    await page.getByText(/Refunded .*5[.,]00/).first().waitFor();
    await waitText(row, /5[.,]00/);
    await shot('23b-refunded');
  });

  it("refunds from the customer's page and lists a service's plan changes, in force and pending", async () => {
    await go('/customers?q=Ada');
    await page.getByRole('link', { name: 'Ada Lovelace' }).click();
    await page.getByRole('heading', { name: 'Ada Lovelace' }).waitFor();
    // The payment refunded in part on the payments screen: its refunded amount, and the same refund form here.
    const row = page.locator('tg-customer tr', { hasText: 'receipt 0042' });
    await waitText(row, /5[.,]00/);
    await row.getByRole('button', { name: 'Refund' }).click();
    const form = page.locator('[data-test=refund-form]');
    await form.locator('#f-amount').fill('1.00'); // from the 1.50 of credit the customer holds
    await form.getByRole('button', { name: 'Refund' }).click();
    await page.getByText(/Refunded .*1[.,]00/).first().waitFor();
    await waitText(row, /6[.,]00/); // 5.00 + 1.00 refunded of it
    await expect(form.count()).resolves.toBe(0);
    await shot('23c-customer-refunded');

    const card = page.locator('[data-service="ada.pppoe"]');
    const changePlan = async (plan: string, date?: string) => {
      await card.getByRole('button', { name: 'Change plan' }).first().click();
      const value = await card.locator('#f-planId option', { hasText: plan }).getAttribute('value');
      await card.locator('#f-planId').selectOption(value!);
      if (date) await card.locator('#f-effectiveDate').fill(date);
      await card.getByRole('button', { name: 'Change plan' }).last().click();
    };
    await card.getByRole('button', { name: 'Change plan' }).click();
    await card.getByText('No plan change yet.').waitFor();
    await card.getByRole('button', { name: 'Change plan' }).first().click(); // closes the form
    // From today (the form's default): in force at once. Forty days on: pending.
    await changePlan('Fast 100');
    const changes = card.locator('[data-test=plan-change]');
    await card.locator('[data-test=plan-change][data-state=in-force]').waitFor();
    await changePlan('Home 50', new Date(Date.now() + 40 * 86_400_000).toISOString().slice(0, 10));
    await card.locator('[data-test=plan-change][data-state=pending]').waitFor();
    await expect(changes.count()).resolves.toBe(2);
    await expect(changes.nth(0).textContent()).resolves.toMatch(/Home 50\s*pending/);
    await expect(changes.nth(1).textContent()).resolves.toMatch(/Fast 100\s*in force since/);
    await expect(card.locator('.muted').first().textContent()).resolves.toContain('Fast 100');
    await shot('23d-plan-changes');
  });

  it('sells prepaid: a prepaid plan, a top-up, a voucher batch with CSV and PDF, redemption for a customer', async () => {
    await go('/plans/new');
    await page.fill('#f-name', 'Day pass');
    await page.selectOption('#f-type', 'prepaid');
    await page.selectOption('#f-billingPeriodMonths', '');
    await page.fill('#f-price', '5');
    await page.fill('#f-downloadKbps', '20000');
    await page.fill('#f-uploadKbps', '5000');
    await page.getByRole('button', { name: 'Create plan' }).click();
    await expect(page.locator('.err[data-field=validityDays]').textContent()).resolves.toContain('prepaid');
    await page.fill('#f-validityDays', '30');
    await page.getByRole('button', { name: 'Create plan' }).click();
    await page.getByRole('link', { name: 'Day pass' }).waitFor();

    await go('/customers?q=Ada');
    await page.getByRole('link', { name: 'Ada Lovelace' }).click();
    await page.getByRole('heading', { name: 'Ada Lovelace' }).waitFor();
    const adaUrl = page.url();
    await page.getByRole('link', { name: 'Add service' }).click();
    await page.getByRole('heading', { name: 'New service' }).waitFor();
    const dayPass = await page.locator('#f-planId option', { hasText: 'Day pass' }).getAttribute('value');
    await page.selectOption('#f-planId', dayPass!);
    await page.fill('#f-username', 'ada.prepaid');
    await page.fill('#f-password', 'prepaid-pass');
    await page.getByRole('button', { name: 'Create service' }).click();
    const card = page.locator('[data-service="ada.prepaid"]');
    await card.waitFor();
    await card.getByRole('button', { name: 'Top up' }).click();
    await card.locator('#f-count').fill('0');
    await card.getByRole('button', { name: 'Top up' }).last().click();
    await card.locator('.err[data-field=count]').waitFor();
    await card.locator('#f-count').fill('1');
    await card.getByRole('button', { name: 'Top up' }).last().click();
    await page.getByText('Topped up: valid until').waitFor();
    await waitText(card, 'valid until');
    await shot('35-prepaid-topped-up');

    await go('/vouchers');
    await page.getByRole('button', { name: 'Generate' }).click();
    const gen = page.locator('[data-test=voucher-generate]');
    await gen.getByRole('button', { name: 'Generate vouchers' }).click();
    await gen.locator('.err[data-field=name]').waitFor();
    await gen.locator('#f-name').fill('Lobby cards');
    await gen.locator('#f-count').fill('3');
    await gen.getByRole('button', { name: 'Generate vouchers' }).click();
    const batch = page.locator('tg-vouchers tr', { hasText: 'Lobby cards' });
    await batch.waitFor();
    await shot('36-vouchers');
    const [download] = await Promise.all([page.waitForEvent('download'), batch.locator('[data-test=batch-csv]').click()]);
    const csvText = readFileSync((await download.path())!, 'utf8');
    const codes = csvText.trim().split('\n').slice(1).map((l) => l.split(',')[1]!.replace(/"/g, ''));
    expect(codes).toHaveLength(3);
    const pdf = await page.request.get(daemon.http + (await batch.locator('[data-test=batch-pdf]').getAttribute('href'))!);
    expect(pdf.headers()['content-type']).toContain('application/pdf');
    expect((await pdf.body()).subarray(0, 4).toString()).toBe('%PDF');

    // Redeemed for the customer: topping up her prepaid service.
    await page.goto(adaUrl);
    await page.getByRole('button', { name: 'Redeem voucher' }).click();
    const redeem = page.locator('[data-test=customer-redeem]');
    await redeem.locator('#f-code').fill(codes[0]!);
    await redeem.locator('#f-serviceId').selectOption({ label: 'ada.prepaid' });
    await shot('37-redeem-for-customer');
    await redeem.getByRole('button', { name: 'Redeem' }).click();
    await page.getByText('Voucher redeemed for ada.prepaid').waitFor();

    // The same code again: the API's refusal sits beside the code.
    await go('/vouchers');
    await page.getByRole('button', { name: 'Redeem' }).click();
    const anywhere = page.locator('[data-test=voucher-redeem]');
    await anywhere.locator('#f-code').fill(codes[0]!);
    await anywhere.getByRole('button', { name: 'Redeem' }).click();
    await anywhere.locator('.err[data-field=customerId]').waitFor();
    await anywhere.locator('#f-customerName').fill('Walk-in guest');
    await anywhere.getByRole('button', { name: 'Redeem' }).click();
    await expect(anywhere.locator('.err[data-field=code]').textContent()).resolves.toContain('already redeemed');
    await shot('38-voucher-already-redeemed');
    await anywhere.locator('#f-code').fill(codes[1]!);
    await anywhere.getByRole('button', { name: 'Redeem' }).click();
    await anywhere.locator('[data-test=redeemed]').waitFor();
    await waitText(batch, '2 / 3 used');
  });

  it('finds the customer by MAC as one types', async () => {
    await go('/customers');
    await page.fill('#search', 'aabb.cc00.1122');
    await page.getByRole('link', { name: 'Ada Lovelace' }).waitFor();
    await shot('18-customers-search-mac');
    await page.fill('#search', 'nobody-like-this');
    await page.getByText('No customer matches.').waitFor();
    // The list filtered by service status instead.
    await page.selectOption('#status', 'active');
    await page.getByRole('link', { name: 'ada.pppoe' }).waitFor();
    await shot('18b-services-by-status');
  });

  it('creates and edits a custom role, then an admin with it: change role, reset password, disable', async () => {
    await go('/admins');
    await page.getByRole('button', { name: 'New role' }).click();
    const role = page.locator('[data-test=role-editor]');
    await role.locator('#f-name').fill('Field Tech');
    await role.getByRole('button', { name: 'Create role' }).click();
    await expect(role.locator('.err[data-field=name]').textContent()).resolves.toContain('lower case');
    await role.locator('#f-name').fill('admin');
    await role.getByRole('button', { name: 'Create role' }).click();
    // Refused by the API (a built-in name), shown beside the field.
    await expect(role.locator('.err[data-field=name]').textContent()).resolves.toContain('built-in');
    await role.locator('#f-name').fill('field-tech');
    await role.locator('#f-description').fill('technicians in the field');
    await role.locator('[name="permissions.services"]').selectOption('write');
    await role.locator('[name="permissions.sessions"]').selectOption('read');
    await role.locator('[name="permissions.customers"]').selectOption('read');
    await shot('39-role-form');
    await role.getByRole('button', { name: 'Create role' }).click();
    const row = page.locator('tr[data-role=field-tech]');
    await row.waitFor();
    await row.getByRole('button', { name: 'Edit' }).click();
    await page.locator('[data-test=role-editor] [name="permissions.nas"]').selectOption('read');
    await page.locator('[data-test=role-editor]').getByRole('button', { name: 'Save role' }).click();
    await page.getByText('Role field-tech saved').waitFor();
    const perms = await page.evaluate(async () => ((await (await fetch('/api/v1/roles/field-tech')).json()) as { permissions: Record<string, string> }).permissions);
    expect(perms).toMatchObject({ services: 'write', sessions: 'read', customers: 'read', nas: 'read', billing: 'none' });

    await page.getByRole('button', { name: 'New admin' }).click();
    const add = page.locator('[data-test=admin-new]');
    await add.locator('#f-username').fill('tech1');
    await add.locator('#f-password').fill('short');
    await add.getByRole('button', { name: 'Create admin' }).click();
    await expect(add.locator('.err[data-field=password]').textContent()).resolves.toContain('at least 12');
    await add.locator('#f-password').fill('a long enough password 1');
    await add.locator('#f-role').selectOption('field-tech');
    await add.getByRole('button', { name: 'Create admin' }).click();
    const admin = page.locator('tg-admins tr', { hasText: 'tech1' });
    await waitText(admin, 'field-tech');
    await admin.getByRole('button', { name: 'Edit' }).click();
    const editor = page.locator('[data-test=admin-editor]');
    await editor.locator('[data-test=admin-role-form] #f-role').selectOption('support');
    await editor.getByRole('button', { name: 'Change role' }).click();
    await page.getByText('tech1 is now support').waitFor();
    const pw = editor.locator('[data-test=admin-password-form]');
    await pw.locator('#f-password').fill('another long password 2');
    await pw.locator('#f-again').fill('another long password 3');
    await pw.getByRole('button', { name: 'Reset password' }).click();
    await expect(pw.locator('.err[data-field=again]').textContent()).resolves.toContain('does not match');
    await pw.locator('#f-again').fill('another long password 2');
    await pw.getByRole('button', { name: 'Reset password' }).click();
    await page.getByText('Password of tech1 reset').waitFor();
    await shot('40-admin-editor');
    await editor.getByRole('button', { name: 'Disable tech1' }).click();
    await page.getByText('tech1 disabled').waitFor();
    await admin.getByText('disabled', { exact: true }).waitFor();
    await waitText(admin, 'support');
    await shot('41-admins-roles');
  });

  it('edits a notification template and creates and edits a billing profile with reminders', async () => {
    await go('/settings');
    await page.locator('tr[data-template="invoice.reminder.1/email"]').getByRole('button', { name: 'Edit' }).click();
    const tpl = page.locator('[data-test=template-editor]');
    await tpl.locator('#f-subject').fill('');
    await tpl.locator('#f-sendFrom').fill('08:00');
    await tpl.getByRole('button', { name: 'Save template' }).click();
    await tpl.locator('.err[data-field=subject]').waitFor();
    await expect(tpl.locator('.err[data-field=sendUntil]').textContent()).resolves.toContain('sending hours');
    await tpl.locator('#f-subject').fill('Reminder: invoice {{invoiceNumber}} is due');
    await tpl.locator('#f-sendUntil').fill('20:00');
    await shot('42-template-editor');
    await tpl.getByRole('button', { name: 'Save template' }).click();
    const trow = page.locator('tr[data-template="invoice.reminder.1/email"]');
    await waitText(trow, 'edited');
    await waitText(trow, '08:00–20:00');

    // A template of the operator's own, with an email text and no SMS one.
    const added = await page.evaluate(async () => {
      const me = (await (await fetch('/api/v1/auth/me')).json()) as { csrfToken: string };
      const r = await fetch('/api/v1/notification-templates/courtesy.call/email', {
        method: 'PUT', headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrfToken },
        body: JSON.stringify({ subject: 'We will call you', body: 'Dear {{customerName}}, we will call you about your invoice.' }),
      });
      return r.status;
    });
    expect(added).toBe(200);
    await go('/billing-profiles');
    await page.getByRole('button', { name: 'New profile' }).click();
    const prof = page.locator('[data-test=profile-editor]');
    await prof.locator('#f-name').fill('Residential');
    await prof.locator('[name="reminders.0.afterDays"]').fill('3');
    // The templates are chosen by name, the reminders first, the operator's own by its key.
    const choices = await prof.locator('[name="reminders.0.template"] option').evaluateAll((os) => os.map((o) => [(o as HTMLOptionElement).value, o.textContent?.trim()]));
    expect(choices.slice(0, 3)).toEqual([
      ['invoice.reminder.1', 'First reminder (invoice.reminder.1)'], ['invoice.reminder.2', 'Second reminder (invoice.reminder.2)'], ['invoice.reminder.3', 'Final reminder (invoice.reminder.3)'],
    ]);
    expect(choices).toContainEqual(['courtesy.call', 'courtesy.call']);
    await expect(prof.locator('[name="reminders.0.template"]').inputValue()).resolves.toBe('invoice.reminder.1');
    await prof.locator('[name="reminders.0.channels"]').selectOption('sms');
    await prof.locator('[name="reminders.0.template"]').selectOption('courtesy.call');
    await prof.locator('[name="reminders.1.afterDays"]').fill('2');
    await prof.getByRole('button', { name: 'Create' }).click();
    await expect(prof.locator('.err[data-field="reminders.1.afterDays"]').textContent()).resolves.toContain('later than reminder 1');
    await prof.locator('[name="reminders.1.afterDays"]').fill('10');
    await prof.getByRole('button', { name: 'Create' }).click();
    // Only the API knows which channels a template has a text for: its answer sits beside the reminder's template.
    await expect(prof.locator('.err[data-field="reminders.0.template"]').textContent()).resolves.toContain('no template');
    await shot('43-profile-api-error');
    await prof.locator('[name="reminders.0.template"]').selectOption('invoice.reminder.1');
    await prof.getByRole('button', { name: 'Create' }).click();
    const prow = page.locator('tg-profiles tr', { hasText: 'Residential' });
    await waitText(prow, '3 d, 10 d');
    await prow.getByRole('link', { name: 'Residential' }).click();
    await prof.locator('#f-graceDays').fill('5');
    await prof.getByRole('button', { name: 'Save' }).click();
    await waitText(prow, '5 days grace');
    await shot('44-billing-profiles');
  });

  it('has a screenshot of every other screen, on a desktop and on a phone', async () => {
    const screens: Array<[string, string, string]> = [
      ['/sessions', 'Online now', '22-sessions'],
      ['/payments', 'Payments', '23-payments'],
      ['/dunning', 'Dunning queue', '24-dunning'],
      ['/vouchers', 'Vouchers', '25-vouchers'],
      ['/notifications', 'Notifications', '26-notifications'],
      ['/billing-profiles', 'Billing profiles', '27-billing-profiles'],
      ['/admins', 'Admins', '28-admins'],
      ['/settings', 'Settings', '29-settings'],
      ['/audit', 'Audit log', '30-audit'],
      ['/account', 'My account', '31-account'],
      ['/', 'Dashboard', '32-dashboard-after'],
    ];
    for (const [path, heading, name] of screens) {
      await go(path);
      await page.getByRole('heading', { name: heading, exact: true }).waitFor();
      await shot(name);
    }
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    try {
      const cookies = await page.context().cookies();
      await phone.context().addCookies(cookies);
      await phone.goto(`${daemon.http}/customers?q=ada`);
      await phone.getByRole('link', { name: 'Ada Lovelace' }).click();
      await phone.getByRole('heading', { name: 'Ada Lovelace' }).waitFor();
      await shot('33-phone-customer', phone);
      await phone.getByRole('button', { name: 'Menu' }).click();
      await phone.getByRole('link', { name: 'Online' }).waitFor();
      await shot('34-phone-menu', phone);
    } finally {
      await phone.close();
    }
  });

  // ---- The same UI in Italian and in Spanish

  for (const lang of ['it', 'es'] as const) {
    it(`runs in ${LANG[lang].name}: the language picker, a customer and a payment through the forms, every screen without English`, async () => {
      const L = LANG[lang];
      const langShot = (name: string, p: Page = page) => shotIn(lang, name, p);
      await go('/');
      // The picker in the navigation: the page re-renders in place, <html lang> follows.
      await page.locator('nav [data-test="language"]').selectOption(lang);
      // The language's messages load the first time it is picked: the switch is done when <html lang> follows.
      await page.locator(`html[lang="${lang}"]`).waitFor({ state: 'attached' });
      await page.getByRole('heading', { name: L.dashboard, exact: true }).waitFor();
      // Stored on the admin: a new page load keeps the language.
      await go('/customers');
      await page.getByRole('heading', { name: L.customers, exact: true }).waitFor();
      await langShot('01-customers');

      await go('/customers/new');
      await page.getByRole('heading', { name: L.newCustomer }).waitFor();
      await page.fill('#f-name', L.customerName);
      await page.fill('#f-email', `cliente-${lang}@example.net`);
      await page.locator('#f-language').selectOption(lang);
      await langShot('02-customer-form');
      await page.getByRole('button', { name: L.createCustomer }).click();
      await page.getByRole('heading', { name: L.customerName }).waitFor();
      await page.locator('[data-test="customer-language"]').filter({ hasText: L.languageName }).waitFor();

      // Amounts are typed the way the language writes them.
      await page.getByRole('button', { name: L.recordPayment }).first().click();
      await page.fill('#f-amount', '12,50');
      await page.getByRole('button', { name: L.recordPayment }).last().click();
      await page.getByText(L.paymentToast).first().waitFor();
      await page.getByRole('cell', { name: '12,50 €' }).first().waitFor();
      await langShot('03-customer-paid');

      const screens: Array<[string, string]> = [
        ['/', '04-dashboard'], ['/customers?q=Ada', '05-customer-search'], ['/sessions', '06-sessions'], ['/plans', '07-plans'], ['/plans/new', '08-plan-form'],
        ['/nas', '09-nas'], ['/nas/new', '10-nas-form'], ['/invoices', '11-invoices'], ['/payments', '12-payments'], ['/dunning', '13-dunning'],
        ['/vouchers', '14-vouchers'], ['/notifications', '15-notifications'], ['/billing-profiles', '16-billing-profiles'], ['/admins', '17-admins'],
        ['/settings', '18-settings'], ['/audit', '19-audit'], ['/account', '20-account'], ['/plans/1', '08b-plan-tiers'], ['/promotions', '08c-promotions'],
      ];
      const english: string[] = [];
      const check = async (where: string) => {
        const found = await englishOn(page);
        english.push(...found.map((f) => `${where}: ${f}`));
      };
      await check('customer page');
      for (const [path, name] of screens) {
        await go(path);
        await page.locator('main h1').first().waitFor();
        await page.waitForLoadState('networkidle');
        await langShot(name);
        await check(path);
      }
      // The pages reached from lists: a customer with services, an invoice, a service's verdict.
      await go('/customers?q=Ada');
      await page.getByRole('link', { name: 'Ada Lovelace' }).first().click();
      await page.getByRole('heading', { name: 'Ada Lovelace' }).waitFor();
      await page.waitForLoadState('networkidle');
      await langShot('21-customer-services');
      await check('customer with services');
      await page.getByRole('link', { name: L.whyOffline }).first().click();
      await page.locator('[data-test="verdict"]').waitFor();
      await langShot('22-why-offline');
      await check('why offline');
      // A message sent to the customer is named by its template in the reader's language (its subject
      // is in the customer's).
      await page.getByText(L.topupMessage).first().waitFor();
      await go('/invoices');
      await page.locator('tg-table a[href^="/invoices/"]').first().click();
      await page.getByRole('heading', { name: L.invoiceHeading }).waitFor();
      await langShot('23-invoice');
      await check('invoice');
      // The operator's screens: the overview is on the dashboard (checked above); the drops panel on a
      // NAS's page, a payment recorded from the Payments screen, and the totals by period.
      await go('/nas');
      await page.getByRole('link', { name: 'Tower 1' }).click();
      await page.getByRole('heading', { name: L.dropsTitle }).waitFor();
      await page.waitForLoadState('networkidle');
      await langShot('25-nas-drops');
      await check('NAS with its drops');
      await go('/payments');
      await page.getByRole('link', { name: L.recordAPayment }).click();
      await page.getByRole('heading', { name: L.recordAPayment }).waitFor();
      await page.fill('tg-payment-new #q', L.customerName);
      await page.locator('tg-payment-new').getByRole('button', { name: L.find, exact: true }).click();
      await page.locator('tg-payment-new').getByRole('button', { name: L.pick, exact: true }).click();
      await page.getByRole('heading', { name: L.customerName }).waitFor();
      await page.waitForLoadState('networkidle');
      await langShot('26-payment-form');
      await check('payment form');
      await page.fill('#f-amount', '7,50');
      await page.getByRole('button', { name: L.savePayment }).click();
      await page.getByText(L.paymentRecorded).first().waitFor();
      await page.getByRole('link', { name: L.printReceipt }).waitFor();
      await langShot('27-payment-recorded');
      await check('payment recorded');
      await go('/payments/report');
      await page.getByRole('heading', { name: L.paymentsByPeriod }).waitFor();
      await page.locator('table.totals tfoot').waitFor();
      await langShot('28-payments-report');
      await check('payments report');
      // A service's page: the password read back on request.
      await go('/customers?q=Ada');
      await page.getByRole('link', { name: 'Ada Lovelace' }).first().click();
      await page.locator('main a.button[href^="/services/"]:not([href$="/why"])').first().click();
      await page.getByRole('button', { name: L.showPassword }).click();
      await page.locator('tg-reveal-password output').waitFor();
      await langShot('29-service-password');
      await check('service with its password');
      expect(english, `English on the ${L.name} screens`).toEqual([]);

      const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
      try {
        await phone.context().addCookies(await page.context().cookies());
        await phone.goto(`${daemon.http}/`);
        await phone.getByRole('button', { name: L.menu }).click();
        await phone.getByRole('link', { name: L.online }).waitFor();
        await langShot('24-phone-menu', phone);
      } finally {
        await phone.close();
      }
    });
  }

  it('switches back to English from the account page, without reloading the data', async () => {
    await go('/account');
    await page.locator('main [data-test="language"]').selectOption('en');
    await page.getByRole('heading', { name: 'My account', exact: true }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
    await go('/');
    await page.getByRole('heading', { name: 'Dashboard', exact: true }).waitFor();
  });
});

/** The words of each language the flow looks for, and its name. */
const LANG = {
  it: {
    name: 'Italian', dashboard: 'Dashboard', customers: 'Clienti', newCustomer: 'Nuovo cliente', createCustomer: 'Crea cliente', customerName: 'Giuseppe Verdi',
    languageName: 'Italiano', recordPayment: 'Registra pagamento', paymentToast: 'Pagamento di 12,50 € registrato', whyOffline: 'Perché non è connesso?',
    invoiceHeading: /^Fattura /, menu: 'Menu', online: 'Connessi', topupMessage: 'email: Ricarica ricevuta',
    dropsTitle: 'Richieste scartate', recordAPayment: 'Registra un incasso', find: 'Cerca', pick: 'Scegli', savePayment: 'Registra l’incasso',
    paymentRecorded: 'Incasso di 7,50 € registrato', printReceipt: 'Stampa la ricevuta', paymentsByPeriod: 'Incassi per periodo', showPassword: 'Mostra la password',
  },
  es: {
    name: 'Spanish', dashboard: 'Panel', customers: 'Clientes', newCustomer: 'Cliente nuevo', createCustomer: 'Crear cliente', customerName: 'Lucía Núñez',
    languageName: 'Español', recordPayment: 'Registrar pago', paymentToast: 'Pago de 12,50 € registrado', whyOffline: '¿Por qué no está conectado?',
    invoiceHeading: /^Factura /, menu: 'Menú', online: 'Conectados', topupMessage: 'correo: Recarga recibida',
    dropsTitle: 'Peticiones descartadas', recordAPayment: 'Registrar un cobro', find: 'Buscar', pick: 'Elegir', savePayment: 'Registrar el cobro',
    paymentRecorded: 'Cobro de 7,50 € registrado', printReceipt: 'Imprimir el recibo', paymentsByPeriod: 'Cobros por periodo', showPassword: 'Mostrar la contraseña',
  },
} as const;

async function shotIn(lang: string, name: string, p: Page): Promise<void> {
  await p.waitForTimeout(150);
  await p.screenshot({ path: join(SHOTS_ROOT, lang, `${name}.png`), fullPage: true });
}

/**
 * English UI words that must not be on an Italian or Spanish screen: labels, headings, buttons and
 * messages of the English catalogue that no data of the flow contains. Names, plans, usernames,
 * template keys, the audit log's recorded values and the server's own reasons (a reject's, a NAS
 * action's) are data and stay as they are, so the everyday lower-case words they share with the UI
 * (active, open, never…) are not looked for.
 */
const ENGLISH_LABELS = [
  'Customers', 'Invoices', 'Payments', 'Plans', 'Vouchers', 'Notifications', 'Billing profiles', 'Admins & roles', 'Settings', 'Audit log', 'Signed in as', 'Sign out',
  'Loading', 'Save', 'Cancel', 'Edit', 'New customer', 'New plan', 'New NAS', 'Search', 'Status', 'Amount', 'Method', 'Reference', 'Online now', 'Balance', 'Services',
  'Record payment', 'Nothing here yet', 'Previous', 'Next', 'Dunning queue', 'My account', 'Change password', 'Due', 'Issued', 'Number', 'Customer', 'Name', 'Phone',
  'Address', 'Price', 'Speed', 'Period', 'Type', 'When', 'Who', 'What', 'Channel', 'Subject', 'Retry', 'Refund', 'Refunded', 'Method', 'Since', 'Suspend', 'Resume',
  'Kick', 'Change plan', 'Top up', 'Add service', 'Why offline', 'Redeem', 'Generate', 'Batch', 'Valid until', 'Role', 'API tokens', 'New token', 'Last sign-in',
  'Daily jobs', 'Message templates', 'Template', 'Job', 'Last date', 'Second factor', 'Username', 'Language', 'Net', 'Tax', 'Paid', 'Credited', 'Credit note', 'Lines',
  'Settled by', 'Revenue received', 'This month', 'Last month', 'Logins, last hour', 'accepted', 'rejected', 'Overdue', 'Traffic',
  'any time', 'include ended', 'Nobody is online', 'Entity', 'Actor', 'Action', 'Change', 'From', 'bank transfer', 'months', 'Description', 'Vendor', 'State',
  'Expires', 'everything, including admins', 'runs the ISP', 'reads every area', 'Payment of', 'Session started', 'Accepted', 'Rejected',
];

/** The English labels on the page: its text through every shadow root, and what readers see in attributes. */
async function englishOn(p: Page): Promise<string[]> {
  const text = await p.evaluate(() => {
    const out: string[] = [];
    const walk = (n: Node) => {
      if (n.nodeType === Node.TEXT_NODE) out.push(n.textContent ?? '');
      if (n instanceof Element) {
        if (n.tagName === 'STYLE' || n.tagName === 'SCRIPT' || n.tagName === 'PRE' || n.tagName === 'CODE') return;
        for (const a of ['placeholder', 'title', 'aria-label', 'alt']) if (n.getAttribute(a)) out.push(n.getAttribute(a)!);
        if (n.shadowRoot) walk(n.shadowRoot);
      }
      n.childNodes.forEach(walk);
    };
    walk(document.body);
    // The prepaid notice field's keyword, typed as it is in every language.
    return out.join('\n').replace(/"none"/g, '');
  });
  // A word on its own: not part of a code such as service.suspended or notice_days.
  return ENGLISH_LABELS.filter((w) => new RegExp(`(^|[^\\p{L}_.-])${w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^\\p{L}_.-])`, 'mu').test(text));
}

/**
 * The operator's screens' own labels (the overview and first-run checklist, the payment form and the
 * payments by period, the drops panel, the password reveal), looked for on every screen like the rest.
 */
const OPERATOR_LABELS = [
  'Getting started', 'Money this month', 'Invoiced', 'Collected', 'Overdue by age', 'Services this month', 'Online sessions', 'Top NAS by traffic',
  'Latest rejects', 'Record a payment', 'Totals by period', 'Payments by period', 'Find', 'Choose', 'Another customer', 'Received at', 'Apply to',
  'Print the receipt', 'Totals', 'All methods', 'Receipt', 'Customer number', 'Dropped requests', 'Counted since', 'Fix on the router', 'Show password',
  'to do',
];
ENGLISH_LABELS.push(...OPERATOR_LABELS);

/** The plan form's units and tiers, the plans' subscribers and the promotions. */
const PLANS_LABELS = [
  'Download speed', 'Upload speed', 'Download unit', 'Data cap', 'Fair-use tiers', 'Save tiers', 'Tier 1', 'Reduced download speed', 'Subscribers', 'subscriber',
  'subscribers', 'Promotions', 'New promotion', 'Discount', 'Applies to', 'No promotion yet',
];
ENGLISH_LABELS.push(...PLANS_LABELS);
