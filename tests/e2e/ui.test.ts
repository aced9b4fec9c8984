// The admin UI end to end: Debian's chromium driven by playwright-core against the compiled daemon
// (npm run build first), real UDP accounting, a NAS simulator answering Disconnect-Requests.
// Screenshots of every screen go to reports/screenshots/.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { Secret, TOTP } from 'otpauth';
import { ROOT, startDaemon, tempDir, writeConfig, type Daemon } from '../helpers/daemon.js';
import { accessRequest, accountingRequest, UdpClient } from '../helpers/radius.js';
import { NasSim } from '../helpers/nas-sim.js';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM) && existsSync(join(ROOT, 'dist/web/index.html'));
const SHOTS = join(ROOT, 'reports/screenshots');
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
const go = async (path: string) => {
  await page.goto(daemon.http + path);
  await page.waitForLoadState('networkidle');
};

describe.skipIf(!haveChromium)('admin UI in headless Chromium', { timeout: 60_000 }, () => {
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    const dir = tempDir('tollgate-ui-');
    daemon = await startDaemon({ dir, config: writeConfig(dir, '[security]\nrequire_totp = true\n') });
    sim = await NasSim.start({ secret: NAS_SECRET });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    page.on('dialog', (d) => void d.accept());
    page.on('pageerror', (err) => console.error('page error:', err.message));
  });

  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail' && page) await page.screenshot({ path: join(SHOTS, `FAILED-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}.png`), fullPage: true }).catch(() => undefined);
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
    await page.fill('#f-downloadKbps', '50000');
    await page.fill('#f-uploadKbps', '10000');
    await page.fill('#f-taxRateBp', '2200');
    await page.getByRole('button', { name: 'Create plan' }).click();
    await page.getByRole('heading', { name: 'Plans' }).waitFor();
    await page.getByRole('link', { name: 'Home 50' }).waitFor();
    await shot('08-plans');
    await go('/plans/new');
    await page.fill('#f-name', 'Fast 100');
    await page.fill('#f-price', '40');
    await page.fill('#f-downloadKbps', '100000');
    await page.fill('#f-uploadKbps', '20000');
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
    await shot('10-nas-list');
    await page.getByRole('link', { name: 'Tower 1' }).click();
    await page.getByRole('heading', { name: 'NAS Tower 1' }).waitFor();
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
    await card.getByRole('button', { name: 'Suspend' }).click();
    await card.getByRole('button', { name: 'Resume' }).waitFor({ timeout: 15_000 });
    await expect(card.locator('.badge.suspended').count()).resolves.toBe(1);
    expect(sim.received.some((r) => r.code === 40)).toBe(true); // the Disconnect-Request reached the NAS
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
    const today = new Date().toISOString().slice(0, 10);
    const status = await page.evaluate(async (date) => {
      const me = (await (await fetch('/api/v1/auth/me')).json()) as { csrfToken: string };
      const r = await fetch('/api/v1/billing/run', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrfToken }, body: JSON.stringify({ date }) });
      return r.status;
    }, today);
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
    await page.fill('#f-reason', 'goodwill: outage on the tower');
    await page.getByRole('button', { name: 'Issue credit note' }).click();
    await page.getByRole('heading', { name: 'Credit notes' }).waitFor();
    await shot('21-invoice-credited');
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
});
