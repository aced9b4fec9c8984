// Every screen of the admin UI, as the screen table (web/src/routes.ts) lists them, in headless
// Chromium against the compiled daemon (npm run build first), at 1440×900 and at 390×844, with data
// seeded through the API so lists and detail pages have content:
// - axe-core finds no serious or critical violation (each printed with its element when one does);
// - the tab names the screen ("<screen> · Tollgate");
// - on the phone no table cell and no part of the page runs past the right edge, and the NAS page
//   starts short (its secondary sections folded);
// - the skip link is the first Tab and takes the focus to the content, the focus ring shows on the
//   dark menu, and a refused form focuses its first field at fault, whose error the field names;
// - the title follows a switch of language.
// A screen added to the table is visited here too; a detail screen (/things/:id) needs a seeded record
// of its kind in SEEDED. Screenshots: reports/screenshots/a11y/<screen>-desktop.png and -phone.png.
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { CATALOGUES } from '../../src/i18n/messages.js';
import { screens } from '../../web/src/routes.js';
import { cli, createToken, ROOT, startDaemon, tempDir, writeConfig, type Daemon } from '../helpers/daemon.js';
import { apiOk, goTo, haveChromium, launchChromium, openPage, screenshot, screenshotOnFailure, SIZES } from '../helpers/browser.js';
import { unreachableSellerConfig } from '../helpers/sdi-pec.js';

const PASSWORD = 'a11y-password-42';
const AXE = join(ROOT, 'node_modules/axe-core/axe.min.js');
/** The NAS page on a phone before its sections were folded: 2,500 px. */
const NAS_PHONE_MAX_HEIGHT = 1500;

let daemon: Daemon;
let browser: Browser;
let page: Page | undefined;
let token: string;

const call = (method: string, path: string, body?: unknown) => apiOk(daemon.http, token, method, path, body);

/** The record a detail screen shows, by the collection its pattern names before `:id`. */
const SEEDED: Record<string, number> = {};



/** A screen's URL with the seeded record for each `:param` (the collection named just before it). */
function urlOf(name: string, pattern: string): string {
  const parts = pattern.split('/');
  return parts.map((p, i) => {
    if (!p.startsWith(':')) return p;
    const collection = parts[i - 1] ?? '';
    const id = SEEDED[collection];
    if (id === undefined) throw new Error(`screen ${name} (${pattern}): seed a record for "${collection}" in SEEDED of tests/e2e/accessibility.test.ts`);
    return String(id);
  }).join('/');
}

async function signIn(p: Page): Promise<void> {
  await goTo(p, daemon.http, '/');
  await p.fill('#username', 'operator');
  await p.fill('#password', PASSWORD);
  await p.click('button[type=submit]');
  await p.locator('tg-dashboard').waitFor();
}

interface AxeNode { target: unknown[]; failureSummary?: string; html: string }
interface AxeViolation { id: string; impact: string | null; help: string; helpUrl: string; nodes: AxeNode[] }

/** axe-core's serious and critical violations on the page as it is, one readable block each. */
async function axeProblems(p: Page, where: string): Promise<string[]> {
  await p.addScriptTag({ path: AXE });
  const violations = await p.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: unknown[] }> } }).axe;
    return (await axe.run(document, { resultTypes: ['violations'] })).violations;
  }) as AxeViolation[];
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${where}: ${v.id} (${v.impact}) ${v.help}\n${v.nodes.slice(0, 5).map((n) => `    at ${JSON.stringify(n.target)}: ${n.html.slice(0, 160)}\n      ${(n.failureSummary ?? '').replace(/\n/g, '\n      ')}`).join('\n')}`);
}

/** Table cells (in every shadow root) and the page itself that reach past the viewport's edges. */
async function overflows(p: Page, where: string): Promise<string[]> {
  const found = await p.evaluate(() => {
    const out: string[] = [];
    const width = document.documentElement.clientWidth;
    const walk = (root: Document | ShadowRoot) => {
      for (const el of root.querySelectorAll('*')) {
        if ((el.tagName === 'TD' || el.tagName === 'TH') && el.getClientRects().length > 0) {
          const r = el.getBoundingClientRect();
          const hidden = r.width === 0 || r.height === 0 || (el.closest('thead') !== null && r.width <= 1);
          if (!hidden && (r.right > width + 1 || r.left < -1)) out.push(`${el.tagName.toLowerCase()} "${(el.textContent ?? '').trim().slice(0, 40)}" spans ${Math.round(r.left)}–${Math.round(r.right)} px`);
        }
        if (el.shadowRoot) walk(el.shadowRoot);
      }
    };
    walk(document);
    const scroll = document.documentElement.scrollWidth;
    if (scroll > width + 1) out.push(`the page is ${scroll} px wide`);
    return out;
  });
  return found.slice(0, 8).map((s) => `${where}: ${s} (viewport 390 px)`);
}

/** Cells of the lists that turn into cards on a phone (tg-table) without their column's header as label. */
async function unlabelledCells(p: Page, where: string): Promise<string[]> {
  const found = await p.evaluate(() => {
    const out: string[] = [];
    const walk = (root: Document | ShadowRoot) => {
      for (const table of root.querySelectorAll('table.cards')) {
        const headers = [...table.querySelectorAll('thead th')].map((th) => (th.textContent ?? '').trim());
        for (const row of table.querySelectorAll('tbody tr')) {
          const cells = [...row.querySelectorAll('td')];
          if (cells.length !== headers.length) continue; // the "nothing here" row spans them all
          cells.forEach((td, i) => {
            if (headers[i] && td.getAttribute('data-label') !== headers[i]) out.push(`a cell of column "${headers[i]}" is labelled "${td.getAttribute('data-label') ?? ''}"`);
          });
        }
      }
      for (const el of root.querySelectorAll('*')) if (el.shadowRoot) walk(el.shadowRoot);
    };
    walk(document);
    return out;
  });
  return found.slice(0, 4).map((s) => `${where}: ${s}`);
}

/** The element that has the focus, through shadow roots. */
async function focused(p: Page): Promise<{ tag: string; id: string; text: string; outline: string; describedBy: string; invalid: string }> {
  return p.evaluate(() => {
    let el: Element | null = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    const s = el ? getComputedStyle(el) : undefined;
    return {
      tag: el?.tagName.toLowerCase() ?? '',
      id: el?.id ?? '',
      text: (el?.textContent ?? '').trim(),
      outline: s ? `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}` : '',
      describedBy: el?.getAttribute('aria-describedby') ?? '',
      invalid: el?.getAttribute('aria-invalid') ?? '',
    };
  });
}

const en = CATALOGUES.en as Record<string, string>;

describe.skipIf(!haveChromium)('every screen, on a desktop and on a phone, with axe-core', { timeout: 240_000 }, () => {
  beforeAll(async () => {
    const dir = tempDir('tollgate-a11y-');
    daemon = await startDaemon({ dir, config: writeConfig(dir, await unreachableSellerConfig()) });
    expect(cli(['admin', 'create', '--username', 'operator', '--role', 'admin', '--config', daemon.config], { input: PASSWORD }).code).toBe(0);
    token = createToken(daemon.config);
    browser = await launchChromium();

    // Something on every screen: a NAS, plans of both kinds, customers with a service, an invoice and
    // its e-invoice, a payment, a voucher batch, a billing profile.
    const today = new Date().toISOString().slice(0, 10);
    SEEDED.nas = (await call('POST', '/api/v1/nas', { name: 'tower-north', ipAddress: '127.0.0.1', secret: 'tower-shared-secret', vendor: 'mikrotik' })).id;
    SEEDED.plans = (await call('POST', '/api/v1/plans', { name: 'Home 50', type: 'recurring', price: 2500, billingPeriodMonths: 1, taxRateBp: 2200, taxInclusive: true, downloadKbps: 50000, uploadKbps: 10000 })).id;
    const prepaid = (await call('POST', '/api/v1/plans', { name: 'Week pass', type: 'prepaid', price: 900, validityDays: 7, downloadKbps: 20000, uploadKbps: 5000 })).id;
    SEEDED.customers = (await call('POST', '/api/v1/customers', { name: 'Mario Rossi', email: 'mario.rossi@example.net', phone: '+39 06 1234 5678' })).id;
    await call('POST', '/api/v1/customers', { name: 'Lucía Fernández Castellanos', email: 'lucia@example.es' });
    SEEDED.services = (await call('POST', '/api/v1/services', { customerId: SEEDED.customers, planId: SEEDED.plans, username: 'mario.rossi', password: 'mario-pass-1', startDate: today })).id;
    SEEDED.promotions = (await call('POST', '/api/v1/promotions', { key: 'spring', description: 'Spring offer', percentBp: 2000, periods: 3, startDate: today, target: { planId: SEEDED.plans } })).id;
    await call('POST', '/api/v1/billing/run', { date: today });
    const invoices = (await call('GET', `/api/v1/invoices?customerId=${SEEDED.customers}`)).items as Array<{ id: number }>;
    expect(invoices.length).toBeGreaterThan(0);
    SEEDED.invoices = invoices[0]!.id;
    const docs = (await call('GET', '/api/v1/fiscal-documents')).items as Array<{ id: number }>;
    expect(docs.length).toBeGreaterThan(0);
    SEEDED.einvoices = docs[0]!.id;
    await call('POST', '/api/v1/payments', { customerId: SEEDED.customers, amount: 1000, method: 'bank', receivedAt: new Date(Date.now() - 60_000).toISOString(), reference: 'TRN-7' });
    await call('POST', '/api/v1/vouchers/batches', { name: 'Lobby cards', planId: prepaid, count: 3 });
    await call('POST', '/api/v1/billing-profiles', { name: 'Residential' });
  });
  afterEach(async (ctx) => {
    await screenshotOnFailure(page, ctx.task.result?.state, ctx.task.name, 'a11y-');
  });
  afterAll(async () => {
    await browser?.close();
    await daemon?.stop();
  });

  for (const size of SIZES) {
    it(`has no serious or critical axe violation and a title on every screen at ${size.width}×${size.height}`, async () => {
      page = await openPage(browser, { width: size.width, height: size.height });
      await signIn(page);
      const problems: string[] = [];
      for (const [name, screen] of Object.entries(screens)) {
        const url = urlOf(name, screen.path);
        const where = `${url} (${name}, ${size.name})`;
        await goTo(page, daemon.http, url);
        await page.waitForTimeout(100);
        const title = await page.title();
        const expected = `${en[screen.title]} · Tollgate`;
        if (title !== expected) problems.push(`${where}: the title is "${title}", not "${expected}"`);
        problems.push(...await axeProblems(page, where));
        if (size.name === 'phone') {
          problems.push(...await overflows(page, where));
          problems.push(...await unlabelledCells(page, where));
          if (name === 'nas') {
            const height = await page.evaluate(() => document.documentElement.scrollHeight);
            if (height > NAS_PHONE_MAX_HEIGHT) problems.push(`${where}: the NAS page is ${height} px tall (at most ${NAS_PHONE_MAX_HEIGHT})`);
          }
        }
        await screenshot(page, 'a11y', `${name}-${size.name}`);
      }
      // The sign-in screen too, in a fresh context (no session).
      const anonymous = await openPage(browser, { width: size.width, height: size.height });
      await goTo(anonymous, daemon.http, '/');
      await anonymous.locator('#username').waitFor();
      const title = await anonymous.title();
      if (title !== `${en['title.signIn']} · Tollgate`) problems.push(`sign-in (${size.name}): the title is "${title}"`);
      problems.push(...await axeProblems(anonymous, `sign-in (${size.name})`));
      await screenshot(anonymous, 'a11y', `sign-in-${size.name}`);
      await anonymous.close();
      expect(problems, `\n${problems.join('\n')}\n`).toEqual([]);
      await page.close();
      page = undefined;
    });
  }

  it('skips the menu with the first Tab and shows the focus on the dark menu', async () => {
    page = await openPage(browser);
    await signIn(page);
    // Not /customers: its search box takes the focus as the page opens.
    await goTo(page, daemon.http, '/invoices');
    await page.keyboard.press('Tab');
    const skip = await focused(page);
    expect(skip).toMatchObject({ tag: 'a', text: en['a11y.skipToContent'] });
    expect(skip.outline).toMatch(/^solid [3-9]px/);
    await page.keyboard.press('Enter');
    expect(await focused(page)).toMatchObject({ tag: 'main', id: 'main' });
    expect(new URL(page.url()).pathname).toBe('/invoices');
    // Back to the top: Tab past the skip link lands on the first menu link, ringed in the menu's colour.
    await page.reload();
    await page.waitForLoadState('networkidle');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    const link = await focused(page);
    expect(link).toMatchObject({ tag: 'a', text: en['nav.dashboard'] });
    expect(link.outline).toMatch(/^solid [3-9]px rgb\(255, 209, 102\)$/);
  });

  it('focuses the first field at fault of a refused form, which names its error and help', async () => {
    page ??= await openPage(browser);
    await goTo(page, daemon.http, '/nas/new');
    await page.getByRole('button', { name: en['nas.create'] }).click();
    await page.locator('.err[data-field=name]').waitFor();
    const first = await focused(page);
    expect(first).toMatchObject({ tag: 'input', id: 'f-name', invalid: 'true', describedBy: 'f-name-error' });
    await expect(page.locator('#f-name').getAttribute('aria-required')).resolves.toBe('true');
    await expect(page.locator('#f-name-error').textContent()).resolves.toContain(en['form.required']);
    // The secret has help text: it is read with the field, and so is its error.
    const secret = page.locator('#f-secret');
    await expect(secret.getAttribute('aria-describedby')).resolves.toBe('f-secret-error f-secret-help');
    await expect(page.locator('#f-secret-help').textContent()).resolves.toBe(en['nas.secretHelp']);
    // The API's refusal: the field it names gets the focus and the error (an address that is no address).
    await page.fill('#f-name', 'tower-south');
    await page.fill('#f-ipAddress', '999.1.1.1');
    await page.fill('#f-secret', 'another-shared-secret');
    await page.getByRole('button', { name: en['nas.create'] }).click();
    await page.locator('.err[data-field=ipAddress]').waitFor();
    expect(await focused(page)).toMatchObject({ id: 'f-ipAddress', invalid: 'true', describedBy: 'f-ipAddress-error' });
    expect(((await call('GET', '/api/v1/nas')).items as unknown[]).length).toBe(1);
  });

  it('names the screen in the language picked, at once and after a new page load', async () => {
    page ??= await openPage(browser);
    await goTo(page, daemon.http, '/account');
    await page.locator('nav [data-test="language"]').selectOption('it');
    await page.waitForFunction(() => document.documentElement.lang === 'it');
    await expect(page.title()).resolves.toBe(`${CATALOGUES.it['account.title']} · Tollgate`);
    await goTo(page, daemon.http, '/customers/new');
    await expect(page.title()).resolves.toBe(`${CATALOGUES.it['customers.new']} · Tollgate`);
    await page.locator('nav [data-test="language"]').selectOption('en');
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    await expect(page.title()).resolves.toBe(`${en['customers.new']} · Tollgate`);
  });
});
