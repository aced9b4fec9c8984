// The Settings screen's "Fiscal data for e-invoices" card in headless Chromium against the compiled
// daemon (npm run build first): with a seller whose partita IVA has a wrong check digit, no street and
// no channel, the card names each key to edit in the config file, marks the rows, and the daily run
// leaves the documents "to send" saying the same key. Screenshots go to reports/screenshots/<language>/.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { cli, createToken, startDaemon, tempDir, writeConfig, type Daemon } from '../helpers/daemon.js';
import { apiOk, goTo, haveChromium, launchChromium, openPage, screenshotOnFailure, screenshotSizes } from '../helpers/browser.js';

const PASSWORD = 'einvoice-settings-42';

let daemon: Daemon;
let browser: Browser;
let page: Page;
let token: string;

const go = (path: string) => goTo(page, daemon.http, path);

// The last digit of the partita IVA is its check digit: 1, not 2.
const brokenSeller = `
[company]
name = "Rete Veloce S.r.l."
vat_number = "06363391002"
postal_code = "00183"
city = "Roma"
province = "RM"
`;

describe.skipIf(!haveChromium)('the seller data card on the Settings screen', { timeout: 90_000 }, () => {
  beforeAll(async () => {
    const dir = tempDir('tollgate-einvset-');
    daemon = await startDaemon({ dir, config: writeConfig(dir, brokenSeller) });
    expect(cli(['admin', 'create', '--username', 'operator', '--role', 'admin', '--config', daemon.config], { input: PASSWORD }).code).toBe(0);
    token = createToken(daemon.config);
    browser = await launchChromium();
    page = await openPage(browser);
  });
  afterEach(async (ctx) => {
    await screenshotOnFailure(page, ctx.task.result?.state, ctx.task.name, 'einvoice-settings-');
  });
  afterAll(async () => {
    await browser?.close();
    await daemon?.stop();
  });

  it('names each key missing or invalid with its config key, and marks its row', async () => {
    await go('/');
    await page.fill('#username', 'operator');
    await page.fill('#password', PASSWORD);
    await page.click('button[type=submit]');
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();

    await go('/settings');
    const card = page.locator('[data-test=seller-fiscal]');
    await page.getByRole('heading', { name: 'Fiscal data for e-invoices' }).waitFor();
    const blocked = card.locator('[data-test=seller-blocked]');
    await blocked.locator('[data-test=seller-problem][data-key="[company] vat_number"]').filter({ hasText: 'VAT number: not valid' }).filter({ hasText: 'check digit' }).waitFor();
    await blocked.locator('[data-test=seller-problem][data-key="[company] street"]').filter({ hasText: 'Street: not set' }).filter({ hasText: '[company] street' }).waitFor();
    await card.locator('[data-test=seller-not-sent] [data-test=seller-problem][data-key="[einvoice] channel"]').filter({ hasText: 'Channel to SDI: not set' }).waitFor();
    expect(await card.locator('[data-test=seller-ready]').count()).toBe(0);
    // What the config holds, beside its key; the wrong rows are marked.
    const row = (key: string) => ({ label: card.locator(`dt[data-key="${key}"]`), value: card.locator(`dd[data-key="${key}"]`) });
    await row('[company] vat_number').value.filter({ hasText: '06363391002' }).waitFor();
    await row('[company] vat_number').label.locator('[data-test=seller-field-problem]').filter({ hasText: 'invalid' }).waitFor();
    await row('[company] street').label.locator('[data-test=seller-field-problem]').filter({ hasText: 'missing' }).waitFor();
    await row('[company] street').value.filter({ hasText: 'not set' }).waitFor();
    await row('[company] name').value.filter({ hasText: 'Rete Veloce S.r.l.' }).filter({ hasText: '[company] name' }).waitFor();
    expect(await row('[company] name').label.locator('[data-test=seller-field-problem]').count()).toBe(0);
    await screenshotSizes(page, 'en', 'einvoice-settings-01-problems');
  });

  it('in Italian, the same keys', async () => {
    await go('/');
    await page.locator('nav [data-test="language"]').selectOption('it');
    await page.getByRole('heading', { name: 'Dashboard', exact: true }).waitFor();
    await go('/settings');
    await page.getByRole('heading', { name: 'Dati fiscali per le fatture elettroniche' }).waitFor();
    const card = page.locator('[data-test=seller-fiscal]');
    await card.locator('[data-test=seller-problem][data-key="[company] vat_number"]').filter({ hasText: 'Partita IVA: non valido' }).waitFor();
    await card.locator('[data-test=seller-problem][data-key="[einvoice] channel"]').filter({ hasText: 'Canale verso lo SDI: non impostato' }).waitFor();
    await screenshotSizes(page, 'it', 'einvoice-settings-01-problems');
    // The API says the same, for scripts.
    const settings = await apiOk(daemon.http, token, 'GET', '/api/v1/settings/einvoice');
    expect(settings.problems.map((p: { key: string }) => p.key)).toEqual(['[company] vat_number', '[company] street', '[einvoice] channel']);
  });
});
