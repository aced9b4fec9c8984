// An Italian admin submits bad input on two forms and reads the server's refusals in Italian beside the
// fields, in headless Chromium against the compiled daemon (npm run build first). The browser itself
// asks for English (its Accept-Language), so Italian can only come from the admin's chosen language.
// The dashboard's latest rejects show the reason the server logged in English in Italian too, from
// the code sent beside it, and "Why offline?" gives a suspension's reason in Italian though the action
// log keeps its English text. Screenshots at 1440×900 and 390×844 go to reports/screenshots/it/.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { cli, createToken, startDaemon, tempDir, writeConfig, type Daemon } from '../helpers/daemon.js';
import { apiOk, goTo, haveChromium, launchChromium, openPage, screenshotOnFailure, screenshotSizes } from '../helpers/browser.js';
import { NasSim } from '../helpers/nas-sim.js';
import { accessRequest, accountingRequest, UdpClient } from '../helpers/radius.js';

const PASSWORD = 'problemi-in-italiano';

let daemon: Daemon;
let browser: Browser;
let page: Page;
let token: string;

const go = (path: string) => goTo(page, daemon.http, path);
const errorOf = (field: string) => page.locator(`.err[data-field="${field}"]`);
const call = (method: string, path: string, body?: unknown) => apiOk(daemon.http, token, method, path, body);

describe.skipIf(!haveChromium)('problems in the admin’s language, in headless Chromium', { timeout: 60_000 }, () => {
  beforeAll(async () => {
    const dir = tempDir('tollgate-problems-');
    daemon = await startDaemon({ dir, config: writeConfig(dir) });
    expect(cli(['admin', 'create', '--username', 'giulia', '--role', 'admin', '--config', daemon.config], { input: PASSWORD }).code).toBe(0);
    token = createToken(daemon.config);
    browser = await launchChromium();
    page = await openPage(browser);
    await page.setExtraHTTPHeaders({ 'accept-language': 'en-US,en;q=0.9' });
    await go('/');
    await page.fill('#username', 'giulia');
    await page.fill('#password', PASSWORD);
    await page.click('button[type=submit]');
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    // The admin chooses Italian on their account page: stored on the server for their sessions.
    await go('/account');
    await page.getByRole('main').locator('[data-test="language"]').selectOption('it');
    await page.getByRole('heading', { name: 'Il mio account' }).waitFor();
    await page.waitForLoadState('networkidle');
  });
  afterEach(async (ctx) => {
    await screenshotOnFailure(page, ctx.task.result?.state, ctx.task.name, 'problems-');
  });
  afterAll(async () => {
    await browser?.close();
    await daemon?.stop();
  });

  it('the customer form: a wrong codice fiscale is refused in Italian beside the field', async () => {
    await go('/customers/new');
    await page.getByRole('heading', { name: 'Nuovo cliente' }).waitFor();
    await page.fill('#f-firstName', 'Mario');
    await page.fill('#f-lastName', 'Rossi');
    await page.fill('#f-taxCode', 'RSSMRA85T10A562X');
    await page.fill('#f-country', 'IT');
    await page.getByRole('button', { name: 'Crea cliente' }).click();
    await expect(errorOf('taxCode').textContent()).resolves.toContain('il carattere di controllo di questo codice fiscale è errato');
    await expect(page.locator('.banner.error').textContent()).resolves.toContain('Il server ha rifiutato alcuni campi');
    await screenshotSizes(page, 'it', 'problems-01-customer-tax-code');
    expect((await call('GET', '/api/v1/customers')).items).toHaveLength(0);
  });

  it('the NAS form: an empty name and an address that is not one, in Italian beside the fields', async () => {
    await go('/nas/new');
    await page.getByRole('heading', { name: 'Nuovo NAS' }).waitFor();
    await page.fill('#f-ipAddress', '10.0.0.300');
    await page.fill('#f-secret', 'un-segreto-abbastanza-lungo');
    await page.getByRole('button', { name: 'Crea NAS' }).click();
    // Left empty, the name is caught before sending, in the same words as the server's.
    await expect(errorOf('name').textContent()).resolves.toContain('è obbligatorio');
    await page.fill('#f-name', 'Torre nord');
    await page.getByRole('button', { name: 'Crea NAS' }).click();
    await expect(errorOf('ipAddress').textContent()).resolves.toContain('"10.0.0.300" non è un indirizzo IP né una rete CIDR');
    await screenshotSizes(page, 'it', 'problems-02-nas-address');
    expect((await call('GET', '/api/v1/nas')).items).toHaveLength(0);
  });

  it('the dashboard: a refused login’s reason in Italian', async () => {
    const secret = 'segreto-della-torre';
    await call('POST', '/api/v1/nas', { name: 'Torre', ipAddress: '127.0.0.1', secret, vendor: 'mikrotik' });
    const client = await UdpClient.open();
    try {
      const reply = await client.exchange(accessRequest(secret, { 'User-Name': 'sconosciuto', 'User-Password': 'x' }), daemon.authPort, '127.0.0.1', 2000);
      expect(reply).toBeDefined();
    } finally {
      await client.close();
    }
    // The auth log is written after the answer: wait until the API has the row.
    await expect.poll(async () => (await call('GET', '/api/v1/auth-log?outcome=reject')).items[0]?.reasonCode, { timeout: 5000 }).toBe('aaa.unknownUser');
    await go('/');
    await page.getByRole('heading', { name: 'Ultimi accessi rifiutati' }).waitFor();
    await page.getByText('utente sconosciuto').first().waitFor();
    await expect(page.getByText('unknown user').count()).resolves.toBe(0);
    await screenshotSizes(page, 'it', 'problems-03-dashboard-reject-reason');
  });

  it('"Why offline?": a suspension by hand, its reason in Italian on the timeline', async () => {
    const secret = 'segreto-della-torre';
    // The NAS answers the Disconnect-Request, so the action is logged as it would be in service.
    const sim = await NasSim.start({ secret });
    let serviceId: number;
    try {
      const nas = ((await call('GET', '/api/v1/nas')).items as Array<{ id: number; ipAddress: string }>).find((n) => n.ipAddress === '127.0.0.1');
      if (nas) await call('PATCH', `/api/v1/nas/${nas.id}`, { coaPort: sim.port, secret });
      else await call('POST', '/api/v1/nas', { name: 'Torre', ipAddress: '127.0.0.1', secret, vendor: 'mikrotik', coaPort: sim.port });
      const customer = await call('POST', '/api/v1/customers', { name: 'Luca Moroso' });
      const plan = await call('POST', '/api/v1/plans', { name: 'Fibra 30', type: 'recurring', price: 2990, billingPeriodMonths: 1, downloadKbps: 30000, uploadKbps: 5000 });
      serviceId = (await call('POST', '/api/v1/services', { customerId: customer.id, planId: plan.id, username: 'luca', password: 'pw-luca-1', startDate: '2026-01-01' })).id;
      const client = await UdpClient.open();
      try {
        const reply = await client.exchange(accountingRequest(secret, {
          'User-Name': 'luca', 'Acct-Status-Type': 'Start', 'Acct-Session-Id': 'luca-1', 'NAS-IP-Address': '127.0.0.1', 'Framed-IP-Address': '100.64.0.9',
        }), daemon.acctPort, '127.0.0.1', 5000);
        expect(reply?.[0]).toBe(5); // Accounting-Response
      } finally {
        await client.close();
      }
      // The accounting writer batches: suspend once the session is stored, so the suspension acts on it.
      await expect.poll(async () => (await call('GET', `/api/v1/sessions?serviceId=${serviceId}`)).items.length, { timeout: 5000 }).toBe(1);
      const suspended = await call('POST', `/api/v1/services/${serviceId}/suspend`, {});
      expect(suspended.actions).toHaveLength(1);
      expect((await call('GET', `/api/v1/actions?serviceId=${serviceId}`)).items[0]).toMatchObject({ reason: 'suspended by hand', reasonCode: 'reason.action.suspendedByHand' });
    } finally {
      await sim.close();
    }
    await go(`/services/${serviceId}/why`);
    await page.getByText('sospeso manualmente').first().waitFor();
    await expect(page.getByText('suspended by hand').count()).resolves.toBe(0);
    await screenshotSizes(page, 'it', 'problems-04-why-suspension-reason');
  });
});
