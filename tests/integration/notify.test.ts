// Notifications end to end: the outbox, a real SMTP conversation with a local server (smtp-server on
// 127.0.0.1) and an SMS gateway as a local HTTP server; retries with backoff, a permanent failure,
// sending hours, a restart mid-send that sends nothing twice, the API, metrics, and no secret in
// the outbox or the log.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { Writable } from 'node:stream';
import pino from 'pino';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { SqlClient } from '../../src/db/sql.js';
import { notifyStore } from '../../src/db/notify.js';
import { tokenStore } from '../../src/db/security.js';
import type { App } from '../../src/http/build.js';
import { buildApp } from '../helpers/app.js';
import type { Services } from '../../src/daemon.js';
import { TestClock } from '../../src/lib/clock.js';
import { SecretBox } from '../../src/lib/secretbox.js';
import { createMetrics } from '../../src/metrics.js';
import { createSender, INTERRUPTED } from '../../src/notify/sender.js';
import { emailTransport, smsTransport } from '../../src/notify/transports.js';
import { openAppDatabase, type TestBackend } from '../helpers/backends.js';
import { tempDir } from '../helpers/daemon.js';

const SMTP_PASSWORD = 'smtp-Pa55word-xyz';
const SMS_TOKEN = 'sms-token-0123456789';

interface Mail { from: string; to: string[]; raw: string; user: string | undefined }
const mails: Mail[] = [];
/** SMTP replies to script: the next DATA gets this error, then normal service. */
const smtpErrors: { code: number; message: string }[] = [];
let smtp: SMTPServer;
let smtpPort = 0;

const smsRequests: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[] = [];
const smsStatuses: number[] = [];
let sms: Server;
let smsPort = 0;

const logLines: string[] = [];
let app: App;
let services: Services;
let backend: TestBackend;
let sql: SqlClient;
let token: string;
const clock = new TestClock('2026-05-04T10:00:00Z'); // Monday, 12:00 in Rome (CEST)
const metrics = createMetrics();
let customerId = 0;

async function call(method: string, url: string, payload?: unknown, status?: number) {
  const res = await app.inject({ method: method as 'GET', url, payload: payload as object, headers: { authorization: `Bearer ${token}` } });
  if (status !== undefined) expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(status);
  return res.body ? res.json() : undefined;
}
/** The pid of a process that has exited (and been reaped): kill(pid, 0) answers ESRCH. */
const deadPid = spawnSync(process.execPath, ['-e', '']).pid!;
const inTenMinutes = () => new Date(clock.now().getTime() + 10 * 60_000).toISOString();
const outbox = () => sql.all<Record<string, any>>('select id, template, channel, status, attempts, last_error as "lastError", next_attempt_at as "nextAttemptAt" from notification_outbox order by id');

beforeAll(async () => {
  smtp = new SMTPServer({
    disabledCommands: ['STARTTLS'], allowInsecureAuth: true, authOptional: true, logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === 'mailer' && auth.password === SMTP_PASSWORD) cb(null, { user: auth.username });
      else cb(new Error('Invalid username or password'));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const err = smtpErrors.shift();
        if (err) return cb(Object.assign(new Error(err.message), { responseCode: err.code }));
        mails.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8'), user: session.user as string | undefined });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  smtpPort = (smtp.server.address() as AddressInfo).port;

  sms = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      smsRequests.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      res.statusCode = smsStatuses.shift() ?? 200;
      res.end(res.statusCode === 200 ? '{"ok":true}' : `{"error":"busy","echo":"${SMS_TOKEN}"}`);
    });
  });
  await new Promise<void>((resolve) => sms.listen(0, '127.0.0.1', resolve));
  smsPort = (sms.address() as AddressInfo).port;

  const dir = tempDir('tollgate-notify-');
  backend = await openAppDatabase(dir);
  ({ sql } = backend);
  // Secrets from the environment, as an operator would set them.
  const config = loadConfig(undefined, {
    TOLLGATE_NOTIFY_EMAIL_SMTP_URL: `smtp://mailer:${SMTP_PASSWORD}@127.0.0.1:${smtpPort}`,
    TOLLGATE_NOTIFY_EMAIL_FROM: 'Example ISP <billing@example.net>',
    TOLLGATE_NOTIFY_SMS_URL: `http://127.0.0.1:${smsPort}/v1/messages?account=acme`,
    TOLLGATE_NOTIFY_SMS_HEADERS: 'Authorization: Bearer {{token}}',
    TOLLGATE_NOTIFY_SMS_BODY: '{"to":"{{to}}","text":"{{text}}"}',
    TOLLGATE_NOTIFY_SMS_CONTENT_TYPE: 'application/json',
    TOLLGATE_NOTIFY_SMS_TOKEN: SMS_TOKEN,
  }).config;
  const logger = pino({ level: 'debug' }, new Writable({ write(chunk, _enc, cb) { logLines.push(chunk.toString()); cb(); } }));
  ({ app, services } = await buildApp({ sql, db: backend.db, box: new SecretBox(randomBytes(32)), config, logger, clock, metrics }));
  token = (await tokenStore(sql).create({ name: 't', role: 'super-admin', actor: { id: 'cli' } })).token;
  customerId = (await call('POST', '/api/v1/customers', { name: 'Carla <Rossi> & Co', email: 'carla@example.net', phone: '+39 333 1234567' }, 201)).id;
});
afterAll(async () => {
  await app?.close();
  await backend?.close();
  await new Promise<void>((resolve) => smtp?.close(() => resolve()));
  await new Promise<void>((resolve) => sms?.close(() => resolve()));
});

describe('email over SMTP and SMS over HTTP', () => {
  it('renders, queues both channels once per dedupe key, and delivers them', async () => {
    const first = await services.notifier.enqueue({ customerId, template: 'invoice.reminder.1', data: { invoiceNumber: 'INV-2026-000007', amount: '€30.00', dueDate: '2026-05-01' }, dedupeKey: 'invoice:7:reminder:1' });
    expect(first).toEqual({ queued: 2 });
    expect(await services.notifier.enqueue({ customerId, template: 'invoice.reminder.1', data: {}, dedupeKey: 'invoice:7:reminder:1' })).toEqual({ queued: 0 });
    expect(await services.sender.drain()).toBe(2);

    expect(mails).toHaveLength(1);
    const mail = mails[0]!;
    expect(mail).toMatchObject({ from: 'billing@example.net', to: ['carla@example.net'], user: 'mailer' });
    expect(mail.raw).toMatch(/^Subject: Reminder: invoice INV-2026-000007 is overdue/m);
    // HTML-escaped values in the HTML part.
    expect(mail.raw).toContain('Carla &lt;Rossi&gt; &amp; Co');
    expect(mail.raw).toMatch(/^Message-ID: <tollgate-outbox-1-\d+@tollgate\.invalid>/m);

    expect(smsRequests).toHaveLength(1);
    const req = smsRequests[0]!;
    expect(req).toMatchObject({ method: 'POST', url: '/v1/messages?account=acme' });
    expect(req.headers.authorization).toBe(`Bearer ${SMS_TOKEN}`);
    expect(req.headers['content-type']).toBe('application/json');
    expect(JSON.parse(req.body)).toEqual({ to: '+39 333 1234567', text: 'Reminder: invoice INV-2026-000007, €30.00 open, was due 2026-05-01.' });

    expect((await outbox()).map((m) => [m.channel, m.status, m.attempts])).toEqual([['email', 'sent', 1], ['sms', 'sent', 1]]);
  });

  it('retries with backoff after a temporary failure, fails at once on a permanent one, and keeps secrets out', async () => {
    smtpErrors.push({ code: 451, message: 'try again later' });
    smsStatuses.push(503);
    await services.notifier.enqueue({ customerId, template: 'payment.received', data: { amount: '€10.00' }, dedupeKey: 'payment:1' });
    await services.sender.drain();
    let rows = (await outbox()).slice(2);
    expect(rows.map((m) => [m.channel, m.status, m.attempts])).toEqual([['email', 'queued', 1], ['sms', 'queued', 1]]);
    expect(rows[0]!.lastError).toMatch(/451/);
    expect(rows[1]!.lastError).toMatch(/503/);
    // The API gives each by catalogue key beside the English: the SMTP server's and the gateway's words as said.
    const listed = (await call('GET', '/api/v1/notifications?status=queued', undefined, 200)).items as Array<Record<string, any>>;
    expect(listed.find((m) => m.channel === 'email')).toMatchObject({ lastErrorCode: 'jobError.smtp', lastErrorValues: { words: expect.stringMatching(/451 try again later/) } });
    expect(listed.find((m) => m.channel === 'sms')).toMatchObject({ lastErrorCode: 'notifyError.smsStatus', lastErrorValues: { status: '503' } });
    expect(rows[0]!.nextAttemptAt).toBe('2026-05-04T10:01:00.000Z');
    // Not before the backoff.
    expect(await services.sender.drain()).toBe(0);
    clock.set('2026-05-04T10:01:00Z');
    await services.sender.drain();
    rows = (await outbox()).slice(2);
    expect(rows.map((m) => [m.channel, m.status, m.attempts])).toEqual([['email', 'sent', 2], ['sms', 'sent', 2]]);

    smtpErrors.push({ code: 550, message: 'mailbox unavailable' });
    await services.notifier.enqueue({ customerId, template: 'service.resumed', data: { username: 'carla' }, channels: ['email'], dedupeKey: 'resume:1' });
    await services.sender.drain();
    expect((await outbox()).at(-1)).toMatchObject({ status: 'failed', attempts: 1, lastError: expect.stringMatching(/550/) });

    const everything = JSON.stringify(await sql.all('select * from notification_outbox')) + logLines.join('') + JSON.stringify(await sql.all('select * from audit_log'));
    expect(everything).not.toContain(SMTP_PASSWORD);
    expect(everything).not.toContain(SMS_TOKEN);
    const m = await metrics.registry.getSingleMetricAsString('tollgate_notifications_total');
    expect(m).toContain('tollgate_notifications_total{channel="email",outcome="sent"} 2');
    expect(m).toContain('tollgate_notifications_total{channel="sms",outcome="retry"} 1');
    expect(m).toContain('tollgate_notifications_total{channel="email",outcome="failed"} 1');
  });

  it('holds a message until the template\'s sending hours', async () => {
    await call('PUT', '/api/v1/notification-templates/cap.80/sms', { body: '{{username}}: {{used}} of {{cap}}', sendFrom: '09:00', sendUntil: '18:00' }, 200);
    clock.set('2026-05-04T17:30:00Z'); // 19:30 in Rome
    await services.notifier.enqueue({ customerId, template: 'cap.80', data: { username: 'carla', used: '80 GB', cap: '100 GB' }, channels: ['sms'] });
    expect((await outbox()).at(-1)).toMatchObject({ status: 'queued', nextAttemptAt: '2026-05-05T07:00:00.000Z' });
    const before = smsRequests.length;
    await services.sender.drain();
    expect(smsRequests).toHaveLength(before);
    clock.set('2026-05-05T07:00:00Z');
    await services.sender.drain();
    expect(smsRequests).toHaveLength(before + 1);
    expect(JSON.parse(smsRequests.at(-1)!.body).text).toBe('carla: 80 GB of 100 GB');
  });

  it('a restart mid-send sends nothing twice', async () => {
    const store = notifyStore(sql);
    const sentBefore = { mails: mails.length, sms: smsRequests.length };
    const { ids } = await services.notifier.enqueueIds({ customerId, template: 'service.suspended', data: { username: 'carla', amount: '€30.00' }, dedupeKey: 'suspend:1' });
    // The crashed process of this host had claimed the email (committed 'sending') and was in the SMTP conversation.
    expect(await store.claim(ids[0]!, `${hostname()}:${deadPid}:0badf00d`, inTenMinutes())).toBe(true);
    // A new process: its sender recovers, then drains.
    const restarted = createSender({
      store, clock,
      transports: {
        email: emailTransport({ smtp_url: `smtp://mailer:${SMTP_PASSWORD}@127.0.0.1:${smtpPort}`, from: 'billing@example.net' }),
        sms: smsTransport({ url: `http://127.0.0.1:${smsPort}/v1/messages`, method: 'POST', headers: [], body: 'to={{to}}&text={{text}}', content_type: 'application/x-www-form-urlencoded', token: '' }),
      },
    });
    expect(await restarted.recover()).toEqual([ids[0]]);
    await restarted.drain();
    // The claimed email is failed (visible, retryable by hand), the SMS that was only queued goes once.
    expect(mails.length).toBe(sentBefore.mails);
    expect(smsRequests.length).toBe(sentBefore.sms + 1);
    expect(smsRequests.at(-1)!.body).toBe('to=%2B39+333+1234567&text=Service+carla+suspended+for+non-payment+(%E2%82%AC30.00+overdue).+Restored+as+soon+as+you+pay.');
    expect(await store.get(ids[0]!)).toMatchObject({ status: 'failed', lastError: INTERRUPTED.text, lastErrorMessage: JSON.stringify({ key: 'notifyError.interrupted' }) });
    // Everything already sent stays sent: a second restart sends nothing.
    const again = createSender({ store, clock, transports: { email: emailTransport({ smtp_url: `smtp://127.0.0.1:${smtpPort}`, from: '' }), sms: smsTransport({ url: `http://127.0.0.1:${smsPort}/`, method: 'POST', headers: [], body: '', content_type: 'text/plain', token: '' }) } });
    expect(await again.recover()).toEqual([]);
    expect(await again.drain()).toBe(0);
    expect(mails.length).toBe(sentBefore.mails);

    // An operator requeues the failed one through the API; it goes out once.
    const retried = await call('POST', `/api/v1/notifications/${ids[0]}/retry`, undefined, 200);
    expect(retried).toMatchObject({ status: 'queued' });
    await call('POST', `/api/v1/notifications/${ids[0]}/retry`, undefined, 409);
    await services.sender.drain();
    expect(mails.length).toBe(sentBefore.mails + 1);
  });

  it("another node's claim is left to it, and retried once it expires (that node died)", async () => {
    const store = notifyStore(sql);
    const sentBefore = mails.length;
    const { ids } = await services.notifier.enqueueIds({ customerId, template: 'service.resumed', data: { username: 'carla' }, channels: ['email'], dedupeKey: 'resume:other-node' });
    expect(await store.claim(ids[0]!, `other-node.example.net:${process.pid}:12345678`, inTenMinutes())).toBe(true);
    // A restart here does not touch it, and no sender here takes it while the claim lasts.
    expect(await services.sender.recover()).toEqual([]);
    expect(await services.sender.drain()).toBe(0);
    expect(await store.get(ids[0]!)).toMatchObject({ status: 'sending', attempts: 1 });
    // The other node never finishes: once the claim expires, this node's sender delivers it, once.
    clock.set(new Date(clock.now().getTime() + 10 * 60_000).toISOString());
    expect(await services.sender.drain()).toBe(1);
    expect(mails.length).toBe(sentBefore + 1);
    expect(await store.get(ids[0]!)).toMatchObject({ status: 'sent', attempts: 2 });
    expect(await services.sender.drain()).toBe(0);
  });

  it('lists the outbox with filters and the templates with their variables', async () => {
    const failed = await call('GET', `/api/v1/notifications?status=failed&customerId=${customerId}`, undefined, 200);
    expect(failed.items.map((m: { template: string; channel: string }) => `${m.template}/${m.channel}`)).toEqual(['service.resumed/email']);
    const page = await call('GET', '/api/v1/notifications?limit=2', undefined, 200);
    expect(page.items).toHaveLength(2);
    const next = await call('GET', `/api/v1/notifications?limit=2&cursor=${page.next}`, undefined, 200);
    expect(next.items[0].id).toBeLessThan(page.items[1].id);
    expect((await call('GET', '/api/v1/notifications?status=lost', undefined, 422)).errors[0].field).toBe('status');
    const templates = (await call('GET', '/api/v1/notification-templates', undefined, 200)).items;
    expect(templates.find((t: { key: string; channel: string }) => t.key === 'cap.80' && t.channel === 'sms')).toMatchObject({ source: 'custom', sendFrom: '09:00', variables: ['username', 'used', 'cap'] });
    expect(templates.find((t: { key: string; channel: string }) => t.key === 'invoice.reminder.2' && t.channel === 'email')).toMatchObject({ source: 'default' });
    expect((await call('PUT', '/api/v1/notification-templates/x.y/email', { body: 'b' }, 422)).errors[0].field).toBe('subject');
    await call('DELETE', '/api/v1/notification-templates/cap.80/sms', undefined, 204);
    expect((await call('GET', '/api/v1/notification-templates/cap.80/sms', undefined, 200)).source).toBe('default');
  });
});
