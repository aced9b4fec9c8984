// Plans in the operator's units, their fair-use tiers and promotions, in headless Chromium against the
// compiled daemon (npm run build first). Every form is walked with bad input (the errors beside the
// fields, from the browser's checks and from the API, and nothing saved: checked through the API) and
// with good input, whose exact integers are checked through the API (50 Mbit/s is 50000 kbit/s, 22 %
// is 2200 bp, 100 GB is 10^11 bytes). Screenshots at 1440×900 and 390×844 go to reports/screenshots/.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { Daemon } from '../helpers/daemon.js';
import { apiOk, daemonWithOperator, goTo, signIn, haveChromium, launchChromium, openPage, screenshotOnFailure, screenshotSizes } from '../helpers/browser.js';

const PASSWORD = 'plans-operator-password';

let daemon: Daemon;
let browser: Browser;
let page: Page;
let token: string;
const ids = { plan: 0, service: 0, promotion: 0 };

const go = (path: string) => goTo(page, daemon.http, path);
const shots = (name: string) => screenshotSizes(page, '.', `plans-${name}`);
const call = (method: string, path: string, body?: unknown) => apiOk(daemon.http, token, method, path, body);
const errorOf = (field: string) => page.locator(`.err[data-field="${field}"]`);
const today = () => new Date().toISOString().slice(0, 10);

describe.skipIf(!haveChromium)('plans, fair-use tiers and promotions in headless Chromium', { timeout: 60_000 }, () => {
  beforeAll(async () => {
    ({ daemon, token } = await daemonWithOperator('tollgate-plansui-', PASSWORD));
    browser = await launchChromium();
    page = await openPage(browser);
    await signIn(page, daemon.http, PASSWORD);
  });
  afterEach(async (ctx) => {
    await screenshotOnFailure(page, ctx.task.result?.state, ctx.task.name, 'plans-');
  });
  afterAll(async () => {
    await browser?.close();
    await daemon?.stop();
  });

  it('the plan form: speeds, cap and VAT in the operator\'s units, refused beside the fields, then saved exactly', async () => {
    await go('/plans/new');
    await page.getByRole('heading', { name: 'New plan' }).waitFor();
    await page.fill('#f-name', 'Fibra 50');
    await page.fill('#f-price', '25');
    await page.fill('#f-downloadKbps', 'fifty');
    await page.fill('#f-uploadKbps', '1.5');
    await page.selectOption('[name="uploadKbps.unit"]', 'kbit/s');
    await page.fill('#f-taxRateBp', '122');
    await page.fill('#f-dataCapBytes', '100');
    await page.selectOption('#f-capAction', 'throttle');
    // The throttled speeds appear with "throttle"; left empty they are required.
    await page.locator('#f-throttleDownloadKbps').waitFor();
    await page.getByRole('button', { name: 'Create plan' }).click();
    await expect(errorOf('downloadKbps').textContent()).resolves.toContain('must be a number');
    await expect(errorOf('uploadKbps').textContent()).resolves.toContain('must be a whole number');
    await expect(errorOf('taxRateBp').textContent()).resolves.toContain('must be between 0% and 100%');
    await expect(errorOf('throttleDownloadKbps').textContent()).resolves.toContain('is required');
    await shots('01-plan-form-errors');
    expect((await call('GET', '/api/v1/plans')).items).toHaveLength(0);

    await page.fill('#f-downloadKbps', '50');
    await page.fill('#f-uploadKbps', '512');
    await page.fill('#f-taxRateBp', '22');
    await page.fill('#f-throttleDownloadKbps', '2');
    await page.fill('#f-throttleUploadKbps', '1');
    await page.getByRole('button', { name: 'Create plan' }).click();
    await page.getByRole('heading', { name: 'Plans' }).waitFor();
    const [plan] = (await call('GET', '/api/v1/plans')).items;
    expect(plan).toMatchObject({
      name: 'Fibra 50', price: 2500, downloadKbps: 50_000, uploadKbps: 512, taxRateBp: 2200,
      dataCapBytes: 100_000_000_000, capAction: 'throttle', throttleDownloadKbps: 2000, throttleUploadKbps: 1000,
    });
    ids.plan = plan.id;

    // Editing: the saved values shown in their units; 22.5 % is 2250 bp, a unit changed alone re-reads the number.
    await go(`/plans/${ids.plan}`);
    await expect(page.locator('#f-downloadKbps').inputValue()).resolves.toBe('50');
    await expect(page.locator('[name="downloadKbps.unit"]').inputValue()).resolves.toBe('Mbit/s');
    await expect(page.locator('#f-uploadKbps').inputValue()).resolves.toBe('512');
    await expect(page.locator('[name="uploadKbps.unit"]').inputValue()).resolves.toBe('kbit/s');
    await expect(page.locator('#f-dataCapBytes').inputValue()).resolves.toBe('100');
    await expect(page.locator('#f-taxRateBp').inputValue()).resolves.toBe('22');
    await page.fill('#f-taxRateBp', '22.555');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect(errorOf('taxRateBp').textContent()).resolves.toContain('has too many decimals (at most 2)');
    expect((await call('GET', `/api/v1/plans/${ids.plan}`)).taxRateBp).toBe(2200);
    await page.fill('#f-taxRateBp', '22.5');
    await page.selectOption('[name="dataCapBytes.unit"]', 'MB');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('heading', { name: 'Plans' }).waitFor();
    expect(await call('GET', `/api/v1/plans/${ids.plan}`)).toMatchObject({ taxRateBp: 2250, dataCapBytes: 100_000_000, downloadKbps: 50_000 });
    await call('PATCH', `/api/v1/plans/${ids.plan}`, { dataCapBytes: 100_000_000_000 });
  });

  it('the plan form: MikroTik burst in Mbit/s, each value required once burst is on, cleared when it is off', async () => {
    await go(`/plans/${ids.plan}`);
    await expect(page.locator('#f-burstDownloadKbps').count()).resolves.toBe(0);
    await page.locator('#f-burst').check();
    await page.locator('#f-burstDownloadKbps').waitFor();
    await page.fill('#f-burstDownloadKbps', '80');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect(errorOf('burstUploadKbps').textContent()).resolves.toContain('is required');
    await expect(errorOf('burstTimeSeconds').textContent()).resolves.toContain('is required');
    expect((await call('GET', `/api/v1/plans/${ids.plan}`)).burstDownloadKbps).toBeNull();
    await page.fill('#f-burstUploadKbps', '20');
    await page.fill('#f-burstThresholdDownloadKbps', '40');
    await page.fill('#f-burstThresholdUploadKbps', '8');
    await page.fill('#f-burstTimeSeconds', '16');
    await shots('08-plan-burst');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('heading', { name: 'Plans' }).waitFor();
    expect(await call('GET', `/api/v1/plans/${ids.plan}`)).toMatchObject({
      burstDownloadKbps: 80_000, burstUploadKbps: 20_000, burstThresholdDownloadKbps: 40_000, burstThresholdUploadKbps: 8000, burstTimeSeconds: 16,
    });
    await go(`/plans/${ids.plan}`);
    await expect(page.locator('#f-burstDownloadKbps').inputValue()).resolves.toBe('80');
    await page.locator('#f-burst').uncheck();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('heading', { name: 'Plans' }).waitFor();
    expect(await call('GET', `/api/v1/plans/${ids.plan}`)).toMatchObject({ burstDownloadKbps: null, burstUploadKbps: null, burstTimeSeconds: null });
  });

  it('the plans list reads right: price in the currency, speeds in Mbit/s, the period and the subscribers in words', async () => {
    const customerId = (await call('POST', '/api/v1/customers', { name: 'Giulia Neri', email: 'giulia@example.net' })).id;
    ids.service = (await call('POST', '/api/v1/services', { customerId, planId: ids.plan, username: 'giulia', password: 'giulia-pass-1', startDate: today() })).id;
    await call('POST', '/api/v1/plans', { name: 'Giorno', type: 'prepaid', price: 300, validityDays: 1, downloadKbps: 20_000, uploadKbps: 5000 });
    await go('/plans');
    const fibra = page.locator('tr', { hasText: 'Fibra 50' });
    await fibra.getByText('1 subscriber', { exact: true }).waitFor();
    await expect(fibra.textContent()).resolves.toMatch(/€25\.00.*50 Mbit\/s \/ 512 kbit\/s.*1 month/);
    const day = page.locator('tr', { hasText: 'Giorno' });
    await day.getByText('no subscribers', { exact: true }).waitFor();
    await expect(day.textContent()).resolves.toMatch(/€3\.00.*20 Mbit\/s \/ 5 Mbit\/s.*1 day(?!s)/);
    await shots('02-plans-list');
  });

  it("a plan's fair-use tiers: a row filled in part and the API's refusal beside the field, nothing saved; then saved in GB and Mbit/s", async () => {
    await go(`/plans/${ids.plan}`);
    await page.getByRole('heading', { name: 'Fair-use tiers' }).waitFor();
    await page.getByText('1 subscriber').first().waitFor();
    await page.fill('#tier-0-fromBytes', '50');
    await page.fill('#tier-0-uploadKbps', '2');
    await page.getByRole('button', { name: 'Save tiers' }).click();
    await expect(errorOf('tiers.0.downloadKbps').textContent()).resolves.toBe('is required');
    // Two tiers from the same usage: the API refuses the second one typed, named beside it.
    await page.fill('#tier-0-downloadKbps', '10');
    await page.fill('#tier-1-fromBytes', '50000');
    await page.selectOption('[name="tiers.1.fromBytes.unit"]', 'MB');
    await page.fill('#tier-1-downloadKbps', '1');
    await page.fill('#tier-1-uploadKbps', '512');
    await page.selectOption('[name="tiers.1.uploadKbps.unit"]', 'kbit/s');
    await page.getByRole('button', { name: 'Save tiers' }).click();
    await expect(errorOf('tiers.1.fromBytes').textContent()).resolves.toContain('two tiers start at the same usage');
    await shots('03-tiers-errors');
    expect((await call('GET', `/api/v1/plans/${ids.plan}/cap-tiers`)).tiers).toEqual([]);

    await page.fill('#tier-1-fromBytes', '100');
    await page.selectOption('[name="tiers.1.fromBytes.unit"]', 'GB');
    await page.getByRole('button', { name: 'Save tiers' }).click();
    await page.getByText('Fair-use tiers saved').waitFor();
    expect((await call('GET', `/api/v1/plans/${ids.plan}/cap-tiers`)).tiers).toEqual([
      { fromBytes: 50_000_000_000, downloadKbps: 10_000, uploadKbps: 2000 },
      { fromBytes: 100_000_000_000, downloadKbps: 1000, uploadKbps: 512 },
    ]);
    await go(`/plans/${ids.plan}`);
    await expect(page.locator('#tier-1-fromBytes').inputValue()).resolves.toBe('100');
    await expect(page.locator('[name="tiers.1.uploadKbps.unit"]').inputValue()).resolves.toBe('kbit/s');
    await shots('04-tiers-saved');
  });

  it('promotions: refused beside the fields and nothing saved, then created on the plan and listed', async () => {
    await go('/promotions');
    await page.getByRole('heading', { name: 'Promotions' }).waitFor();
    await page.getByText('No promotion yet.').waitFor();
    await page.getByRole('button', { name: 'New promotion' }).click();
    await page.fill('#f-percentBp', '150');
    await page.getByRole('button', { name: 'Create promotion' }).click();
    await expect(errorOf('description').textContent()).resolves.toContain('is required');
    await expect(errorOf('percentBp').textContent()).resolves.toContain('must be between 0% and 100%');
    // A service that does not exist: the API names the field.
    await page.fill('#f-description', 'Estate 2026');
    await page.fill('#f-percentBp', '50');
    await page.selectOption('#f-targetKind', 'services');
    await page.fill('[name="target.serviceIds"]', `${ids.service}, 9999`);
    await page.getByRole('button', { name: 'Create promotion' }).click();
    await expect(errorOf('target.serviceIds').textContent()).resolves.toContain('service 9999 does not exist');
    await shots('05-promotion-errors');
    expect((await call('GET', '/api/v1/promotions')).items).toHaveLength(0);

    await page.selectOption('#f-targetKind', 'plan');
    await page.selectOption('[name="target.planId"]', String(ids.plan));
    await page.fill('#f-periods', '3');
    await page.check('#f-appliesToNew');
    await page.getByRole('button', { name: 'Create promotion' }).click();
    await page.getByText('Promotion Estate 2026 created: 1 service has it').waitFor();
    const [promotion] = (await call('GET', '/api/v1/promotions')).items;
    expect(promotion).toMatchObject({ description: 'Estate 2026', valueType: 'percent', percentBp: 5000, periods: 3, planId: ids.plan, appliesToNew: true, newUntil: null, startDate: expect.any(String) });
    ids.promotion = promotion.id;
    const row = page.locator('tr', { hasText: 'Estate 2026' });
    await expect(row.textContent()).resolves.toMatch(/50% off.*every service on Fibra 50, new contracts too.*3 periods/);
    await shots('06-promotions');
  });

  it("a promotion's page: ending it for new contracts, refused beside the date before its start, then ended", async () => {
    await go(`/promotions/${ids.promotion}`);
    await page.getByRole('heading', { name: 'Promotion Estate 2026' }).waitFor();
    await page.getByRole('link', { name: `service ${ids.service}` }).waitFor();
    await page.fill('#f-newUntil', '2020-01-01');
    await page.getByRole('button', { name: 'End for new contracts' }).click();
    await expect(errorOf('newUntil').textContent()).resolves.toContain("is before the promotion's start date");
    expect((await call('GET', `/api/v1/promotions/${ids.promotion}`)).newUntil).toBeNull();
    const until = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
    await page.fill('#f-newUntil', until);
    await page.getByRole('button', { name: 'End for new contracts' }).click();
    await page.getByText(/no longer get it$/).first().waitFor();
    expect((await call('GET', `/api/v1/promotions/${ids.promotion}`)).newUntil).toBe(until);
    await page.getByText(/new contracts until/).waitFor();
    await shots('07-promotion');
  });
});
