// Headless Chromium for the UI tests: Debian's chromium driven by playwright-core against the compiled
// daemon (npm run build first). One place for the launch flags, the screenshot folders and sizes, and
// the failure screenshot, so every browser test looks the same and a new screen's test is short.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { api, cli, createToken, ROOT, startDaemon, tempDir, writeConfig, type Daemon } from './daemon.js';

export const CHROMIUM = '/usr/bin/chromium';
/** The browser tests skip, saying so, on a machine without chromium or without a built UI. */
export const haveChromium = existsSync(CHROMIUM) && existsSync(join(ROOT, 'dist/web/index.html'));
export const SHOTS_ROOT = join(ROOT, 'reports/screenshots');
/** The two sizes the UI is checked at: a laptop and a phone. */
export const SIZES = [{ name: 'desktop', width: 1440, height: 900 }, { name: 'phone', width: 390, height: 844 }] as const;

export async function launchChromium(): Promise<Browser> {
  mkdirSync(SHOTS_ROOT, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}

/** A page that reports the app's uncaught errors on the test's output. */
export async function openPage(browser: Browser, viewport: { width: number; height: number } = { width: 1440, height: 900 }): Promise<Page> {
  const page = await browser.newPage({ viewport });
  page.on('pageerror', (err) => console.error('page error:', err.message));
  return page;
}

/** Navigates and waits until the screen has loaded its data. */
export async function goTo(page: Page, base: string, path: string): Promise<void> {
  await page.goto(base + path);
  await page.waitForLoadState('networkidle');
}

/** A full-page screenshot under reports/screenshots/<folder>/<name>.png. */
export async function screenshot(page: Page, folder: string, name: string): Promise<void> {
  mkdirSync(join(SHOTS_ROOT, folder), { recursive: true });
  await page.waitForTimeout(150);
  await page.screenshot({ path: join(SHOTS_ROOT, folder, `${name}.png`), fullPage: true });
}

/** The screen at both sizes (<name>-desktop.png, <name>-phone.png), desktop last so the test goes on as it was. */
export async function screenshotSizes(page: Page, folder: string, name: string): Promise<void> {
  for (const s of [...SIZES].reverse()) {
    await page.setViewportSize({ width: s.width, height: s.height });
    await screenshot(page, folder, `${name}-${s.name}`);
  }
}

/** For afterEach: a screenshot of the page as it was when a test failed. */
export async function screenshotOnFailure(page: Page | undefined, state: string | undefined, testName: string, prefix = ''): Promise<void> {
  if (state !== 'fail' || !page) return;
  await page.screenshot({ path: join(SHOTS_ROOT, `FAILED-${prefix}${testName.slice(0, 40).replace(/\W+/g, '-')}.png`), fullPage: true }).catch(() => undefined);
}

/** An API call a test's set-up needs to succeed: a failure names the call and shows the answer. */
export async function apiOk(base: string, token: string, method: string, path: string, body?: unknown) {
  const r = await api(base, token, method, path, body);
  expect(r.status, `${method} ${path}: ${JSON.stringify(r.body)}`).toBeLessThan(300);
  return r.body;
}

/** The admin the browser tests sign in as (role admin), created through the command line. */
export const OPERATOR = 'operator';

/**
 * A daemon in a fresh folder with the admin `operator` (role admin, `password`) and a super-admin API
 * token for the test's set-up calls.
 */
export async function daemonWithOperator(prefix: string, password: string, extraConfig = ''): Promise<{ daemon: Daemon; token: string }> {
  const dir = tempDir(prefix);
  const daemon = await startDaemon({ dir, config: writeConfig(dir, extraConfig) });
  expect(cli(['admin', 'create', '--username', OPERATOR, '--role', 'admin', '--config', daemon.config], { input: password }).code).toBe(0);
  return { daemon, token: createToken(daemon.config) };
}

/** Signs in through the login screen and waits for the dashboard. */
export async function signIn(page: Page, base: string, password: string, username = OPERATOR, dashboard = 'Dashboard'): Promise<void> {
  await goTo(page, base, '/');
  await page.fill('#username', username);
  await page.fill('#password', password);
  await page.click('button[type=submit]');
  await page.getByRole('heading', { name: dashboard }).waitFor();
}
