// An Italian admin submits bad input on two forms and reads the server's refusals in Italian beside the
// fields, in headless Chromium against the compiled daemon (npm run build first). The browser itself
// asks for English (its Accept-Language), so Italian can only come from the admin's chosen language.
// The dashboard's latest rejects show the reason the server logged in English in Italian too, from
// the code sent beside it, and "Why offline?" gives a suspension's reason in Italian though the action
// log keeps its English text. Network actions that a NAS refuses (Error-Cause) or never answers, the
// audit log's actions and actors, the refusals the API words by hand (CSRF, the address allow-list, a
// path nothing answers) and a job's failure with an SMTP server's reply are all read in Italian, the
// peer's words quoted as said, then in Spanish once the admin switches. Screenshots at 1440×900 and
// 390×844 go to reports/screenshots/it/ (and es/).
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import Database from 'better-sqlite3';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { storedFailure } from '../../src/lib/failure.js';
import { cli, createToken, startDaemon, tempDir, writeConfig, type Daemon } from '../helpers/daemon.js';
import { apiOk, goTo, haveChromium, launchChromium, openPage, screenshotOnFailure, screenshotSizes } from '../helpers/browser.js';
import { NasSim } from '../helpers/nas-sim.js';
import { accessRequest, accountingRequest, UdpClient } from '../helpers/radius.js';

const PASSWORD = 'problemi-in-italiano';

let daemon: Daemon;
let browser: Browser;
let page: Page;
let token: string;
let dbFile: string;
/** The service "Why offline?" is checked on (set by its test, read again in Spanish). */
let serviceId: number;

const go = (path: string) => goTo(page, daemon.http, path);
const errorOf = (field: string) => page.locator(`.err[data-field="${field}"]`);
const call = (method: string, path: string, body?: unknown) => apiOk(daemon.http, token, method, path, body);

describe.skipIf(!haveChromium)('problems in the admin’s language, in headless Chromium', { timeout: 60_000 }, () => {
  beforeAll(async () => {
    const dir = tempDir('tollgate-problems-');
    // A NAS that does not answer is given up on after 200 + 400 ms rather than seconds.
    daemon = await startDaemon({ dir, config: writeConfig(dir), env: { TOLLGATE_RADIUS_COA_TIMEOUT_MS: '200', TOLLGATE_RADIUS_COA_TRIES: '2' } });
    dbFile = join(dir, 'data/tollgate.db');
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
      // A kick the NAS refuses (Error-Cause 506, Resources-Unavailable), then one it never answers: the
      // session stays open through both.
      sim.policy = () => ({ kind: 'nak', errorCause: 506 });
      expect((await call('POST', `/api/v1/services/${serviceId}/disconnect`, {})).actions[0].outcome).toBe('nak');
      sim.policy = () => undefined;
      expect((await call('POST', `/api/v1/services/${serviceId}/disconnect`, {})).actions[0].outcome).toBe('timeout');
      expect((await call('GET', `/api/v1/actions?serviceId=${serviceId}&outcome=timeout`)).items[0]).toMatchObject({ error: 'no answer after 2 transmission(s)' });
      sim.policy = () => ({ kind: 'ack' });
      const suspended = await call('POST', `/api/v1/services/${serviceId}/suspend`, {});
      expect(suspended.actions).toHaveLength(1);
      expect((await call('GET', `/api/v1/actions?serviceId=${serviceId}`)).items[0]).toMatchObject({ reason: 'suspended by hand', reasonCode: 'reason.action.suspendedByHand' });
    } finally {
      await sim.close();
    }
    await go(`/services/${serviceId}/why`);
    await page.getByText('sospeso manualmente').first().waitFor();
    await expect(page.getByText('suspended by hand').count()).resolves.toBe(0);
    const timeline = await page.locator('tg-why table').innerText();
    // The refused kick: the outcome agrees with "disconnessione", the Error-Cause in Italian.
    expect(timeline).toContain('Disconnessione rifiutata dal NAS: disconnesso manualmente (da token API 1) · motivo 506: risorse non disponibili sul NAS');
    expect(timeline).toContain('motivo 506: risorse non disponibili sul NAS');
    // The unanswered one, in Italian; and the suspension's Disconnect, feminine too.
    expect(timeline).toContain('Disconnessione senza risposta');
    expect(timeline).toContain('nessuna risposta dopo 2 invii');
    expect(timeline).toMatch(/Disconnessione (confermata dal NAS|verificata|non verificata): sospeso manualmente/);
    // Who asked and the audit log's action, in Italian.
    expect(timeline).toContain('(da token API 1)');
    expect(timeline).toContain('Sospensione da token API 1: attivo → sospeso');
    for (const english of ['no answer', 'transmission', 'Resources', 'Unavailable', 'token:1', 'suspend da', 'confermato', 'kick', 'from the admin UI']) {
      expect(timeline, english).not.toContain(english);
    }
    await screenshotSizes(page, 'it', 'problems-04-why-suspension-reason');
  });

  it('refusals worded by hand: a write without the CSRF token and a path nothing answers, in Italian', async () => {
    await go('/');
    // The session cookie alone, as a page left open past a new sign-in would send it.
    const answer = await page.evaluate(async () => {
      const r = await fetch('/api/v1/customers', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Senza token' }) });
      return { status: r.status, language: r.headers.get('content-language'), body: await r.json() as { title: string; detail: string } };
    });
    expect(answer).toMatchObject({ status: 403, language: 'it', body: { title: 'Non consentito' } });
    expect(answer.body.detail).toContain('richiede l’intestazione X-CSRF-Token');
    expect(answer.body.detail).not.toMatch(/needs|header that/);
    const missing = await page.evaluate(async () => {
      const r = await fetch('/api/v1/no-such-thing');
      return { status: r.status, body: await r.json() as { title: string; detail: string } };
    });
    expect(missing).toEqual({ status: 404, body: expect.objectContaining({ title: 'Non trovato', detail: 'nessuna pagina o risorsa per GET /api/v1/no-such-thing' }) });
    expect((await call('GET', '/api/v1/customers')).items.map((c: { name: string }) => c.name)).not.toContain('Senza token');
  });

  it('Settings: a job’s failure with an SMTP server’s refusal, the server’s words quoted inside Italian', async () => {
    // A real SMTP server refuses the recipient; the daemon's runner stores such a failure as this
    // (src/lib/failure.ts): written into the job's row, since no daily job lets a mail
    // failure stop it (mail goes through the outbox, which retries on its own).
    const smtp = new SMTPServer({
      disabledCommands: ['STARTTLS', 'AUTH'], logger: false,
      onRcptTo(address, _session, cb) {
        cb(Object.assign(new Error(`5.1.1 <${address.address}>: Recipient address rejected`), { responseCode: 550 }));
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    let err: unknown;
    try {
      const mailer = nodemailer.createTransport({ host: '127.0.0.1', port: (smtp.server.address() as AddressInfo).port, secure: false, ignoreTLS: true });
      err = await mailer.sendMail({ from: 'fatture@example.net', to: 'nessuno@example.net', subject: 'x', text: 'x' }).then(() => undefined, (e: unknown) => e);
    } finally {
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
    }
    expect(err).toBeInstanceOf(Error);
    const db = new Database(dbFile, { timeout: 5000 });
    try {
      const at = new Date().toISOString();
      db.prepare(`insert into job_state (name, failures, last_error, last_error_message, last_error_at, failed_date, next_retry_at, updated_at)
        values ('invoice-notices', 1, ?, ?, ?, '2026-12-06', ?, ?)
        on conflict (name) do update set failures = 1, last_error = excluded.last_error, last_error_message = excluded.last_error_message,
          last_error_at = excluded.last_error_at, failed_date = excluded.failed_date, next_retry_at = excluded.next_retry_at`)
        .run((err as Error).message, storedFailure(err), at, new Date(Date.now() + 3_600_000).toISOString(), at);
    } finally {
      db.close();
    }
    const jobs = (await call('GET', '/api/v1/jobs')).items as Array<{ name: string; lastError: string | null; lastErrorCode: string | null }>;
    expect(jobs.find((j) => j.name === 'invoice-notices')).toMatchObject({ lastErrorCode: 'jobError.smtp', lastError: expect.stringContaining('550') });
    await go('/settings');
    const cell = page.locator('[data-test="job-error"]').filter({ hasText: 'SMTP' });
    await expect(cell.innerText()).resolves.toBe('il server SMTP ha risposto: «550 5.1.1 <nessuno@example.net>: Recipient address rejected»');
    await expect(page.getByText('all recipients were rejected').count()).resolves.toBe(0);
    await screenshotSizes(page, 'it', 'problems-05-settings-job-error');
  });

  it('the same screens in Spanish once the admin switches: the timeline, the job’s failure', async () => {
    await go('/account');
    await page.getByRole('main').locator('[data-test="language"]').selectOption('es');
    await page.getByRole('heading', { name: 'Mi cuenta' }).waitFor();
    await page.waitForLoadState('networkidle');
    await go(`/services/${serviceId}/why`);
    await page.getByText('suspendido manualmente').first().waitFor();
    const timeline = await page.locator('tg-why table').innerText();
    expect(timeline).toContain('Desconexión rechazada por el NAS');
    expect(timeline).toContain('motivo 506: recursos no disponibles en el NAS');
    expect(timeline).toContain('sin respuesta tras 2 envíos');
    expect(timeline).toContain('Corte por token de API 1');
    for (const english of ['no answer', 'Resources', 'token:1', 'suspend por']) expect(timeline, english).not.toContain(english);
    await screenshotSizes(page, 'es', 'problems-07-why-actions');
    await go('/settings');
    await expect(page.locator('[data-test="job-error"]').filter({ hasText: 'SMTP' }).innerText()).resolves.toMatch(/^el servidor SMTP respondió: «550 /);
  });
});

describe.skipIf(!haveChromium)('the address allow-list, in headless Chromium', { timeout: 60_000 }, () => {
  let fenced: Daemon;
  let browser2: Browser;
  afterAll(async () => {
    await browser2?.close();
    await fenced?.stop();
  });

  it('an address outside it reads the refusal in the browser’s language on the sign-in screen', async () => {
    const dir = tempDir('tollgate-fenced-');
    fenced = await startDaemon({ dir, config: writeConfig(dir), env: { TOLLGATE_HTTP_ADMIN_ALLOW: '10.0.0.0/8' } });
    browser2 = await launchChromium();
    const p = await openPage(browser2);
    await p.setExtraHTTPHeaders({ 'accept-language': 'it-IT,it;q=0.9' });
    await goTo(p, fenced.http, '/');
    await p.fill('#username', 'chiunque');
    await p.fill('#password', 'una-password-qualsiasi');
    await p.click('button[type=submit]');
    const banner = p.locator('.banner.error');
    await banner.waitFor();
    await expect(banner.innerText()).resolves.toContain('l’API di amministrazione non risponde alle richieste da 127.0.0.1');
    await screenshotSizes(p, 'it', 'problems-06-allow-list');
  });
});
