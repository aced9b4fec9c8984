// A job's failure by catalogue key: what real peers throw (an SMTP server refusing a recipient,
// PostgreSQL and SQLite refusing a statement, a port nobody listens on) is kept as the peer said it,
// inside a sentence of the reader's language; the daemon's own keyed refusals keep their key; the
// runner stores the key beside the English text and `status()` gives both.
import { createServer, type AddressInfo, connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { keyedError } from '../../../src/lib/errors.js';
import { failureLocal, failureMessage, storedFailure } from '../../../src/lib/failure.js';
import { DeliveryError, smtpSender } from '../../../src/notify/transports.js';
import { createJobRunner } from '../../../src/scheduler/jobs.js';
import { jobStore } from '../../../src/db/jobs.js';
import { said, TollgateError } from '../../../src/lib/errors.js';
import { fixedClock } from '../../../src/lib/clock.js';
import { isMessageKey, translate } from '../../../src/i18n/messages.js';
import { backendNames, openTestBackend, type TestBackend } from '../../helpers/backends.js';
import { rejection } from '../../helpers/rejection.js';

const REFUSAL = '550 5.1.1 <nobody@example.net>: Recipient address rejected';
let smtp: SMTPServer;
let smtpPort: number;

beforeAll(async () => {
  smtp = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'], logger: false,
    onRcptTo(address, _session, cb) {
      cb(Object.assign(new Error(`5.1.1 <${address.address}>: Recipient address rejected`), { responseCode: 550 }));
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  smtpPort = (smtp.server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => smtp.close(() => resolve())));

const render = (l: 'it' | 'es' | 'en', m: { key: string; values?: Readonly<Record<string, string>> }) => (isMessageKey(m.key) ? translate(l, m.key, m.values) : `missing ${m.key}`);

describe('a job’s failure by key', () => {
  it('an SMTP server’s refusal: its reply line as said, in a sentence that names the SMTP server', async () => {
    const mailer = nodemailer.createTransport({ host: '127.0.0.1', port: smtpPort, secure: false, ignoreTLS: true });
    const err = await rejection(mailer.sendMail({ from: 'billing@example.net', to: 'nobody@example.net', subject: 'x', text: 'x' }));
    const m = failureMessage(err);
    expect(m).toEqual({ key: 'jobError.smtp', values: { words: REFUSAL } });
    expect(render('it', m)).toBe(`il server SMTP ha risposto: «${REFUSAL}»`);
    expect(render('es', m)).toBe(`el servidor SMTP respondió: «${REFUSAL}»`);
  });

  it('the SMTP client of notifications and the accountant’s mail: the same keys, the password masked, the English kept', async () => {
    const send = smtpSender({ smtp_url: `smtp://mailer:s3cret-pw@127.0.0.1:${smtpPort}`, from: 'billing@example.net' })!;
    const refused = await rejection(send({ to: 'nobody@example.net', subject: 'x', text: 'x' }));
    expect(refused).toBeInstanceOf(DeliveryError);
    expect((refused as DeliveryError).message).toMatch(/^SMTP: .*550 5\.1\.1/);
    // A job that mails through it (the accountant's archive) records the server's words, not an internal error.
    expect(failureMessage(refused)).toEqual({ key: 'jobError.smtp', values: { words: REFUSAL } });
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const down = await rejection(smtpSender({ smtp_url: `smtp://mailer:s3cret-pw@127.0.0.1:${port}`, from: '' })!({ to: 'a@example.net', subject: 'x', text: 'x' }));
    const m = failureMessage(down);
    // nodemailer's own code for a socket that failed, and the system's words.
    expect(m).toMatchObject({ key: 'jobError.network', values: { code: 'ESOCKET', words: expect.stringContaining('ECONNREFUSED') } });
    expect(JSON.stringify([m, (down as Error).message])).not.toContain('s3cret-pw');
  });

  it('a port nobody listens on: the network’s error and its code', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const err = await rejection(new Promise((resolve, reject) => connect(port, '127.0.0.1').on('connect', resolve).on('error', reject)));
    const m = failureMessage(err);
    expect(m.key).toBe('jobError.network');
    expect(m.values?.code).toBe('ECONNREFUSED');
    expect(render('it', m)).toMatch(/^connessione non riuscita \(ECONNREFUSED\): «connect ECONNREFUSED 127\.0\.0\.1:\d+»$/);
  });

  it.each(backendNames)('the database’s refusal on %s: its words and code as it gave them', async (name) => {
    const b: TestBackend = await openTestBackend(name);
    try {
      const err = await rejection(b.sql.all('select * from no_such_table'));
      const m = failureMessage(err);
      expect(m.key).toBe('jobError.database');
      expect(m.values?.code).toBe(name === 'postgres' ? '42P01' : 'SQLITE_ERROR');
      expect(m.values?.words).toContain('no_such_table');
      expect(render('es', m)).toMatch(/^la base de datos respondió \((42P01|SQLITE_ERROR)\): «.*no_such_table.*»$/);
    } finally {
      await b.close();
    }
  });

  it('our own refusals keep their key; one without a key and a plain bug are marked as ours, their English quoted', () => {
    const keyed = new TollgateError('not_found', said('fault.noPlan', 'plan 7 does not exist', { id: '7' }));
    expect(failureMessage(keyed)).toEqual({ key: 'fault.noPlan', values: { id: '7' } });
    expect(render('it', failureMessage(keyed))).toBe('il piano 7 non esiste');
    expect(failureMessage(new TollgateError('conflict', 'already running'))).toEqual({ key: 'jobError.refused', values: { code: 'conflict', words: 'already running' } });
    const bug = failureMessage(new TypeError("Cannot read properties of undefined (reading 'id')"));
    expect(bug).toEqual({ key: 'jobError.internal', values: { words: "Cannot read properties of undefined (reading 'id')" } });
    expect(render('it', bug)).toBe("errore interno (dettagli nel log di Tollgate): «Cannot read properties of undefined (reading 'id')»");
    expect(keyedError(storedFailure(keyed))).toEqual({ lastErrorCode: 'fault.noPlan', lastErrorValues: { id: '7' } });
    expect(keyedError('boom')).toEqual({ lastErrorCode: null, lastErrorValues: null });
  });
});

describe.each(backendNames)('the runner on %s', (name) => {
  it('stores the failure’s key beside its English text, and status() gives both', async () => {
    const b = await openTestBackend(name);
    try {
      const clock = fixedClock(new Date('2026-05-02T08:00:00Z'));
      const runner = createJobRunner({
        store: jobStore(b.sql), clock, timezone: 'Europe/Rome', runAt: '02:00',
        jobs: [{ name: 'billing', order: 10, runFor: () => { throw new TollgateError('not_found', said('fault.noPlan', 'plan 7 does not exist', { id: '7' })); } }],
      });
      await runner.runDue();
      const item = (await runner.status()).items.find((j) => j.name === 'billing')!;
      expect(item).toMatchObject({ status: 'failing', lastError: 'plan 7 does not exist', lastErrorCode: 'fault.noPlan', lastErrorValues: { id: '7' } });
    } finally {
      await b.close();
    }
  });
});

describe('failureLocal', () => {
  it('is the message an error carries, as it carries it, else the key read from the error with its own English', () => {
    const local = said('notifyError.gateway', 'the SMS gateway answered 503: busy', { status: 503, words: 'busy' });
    expect(failureLocal(new DeliveryError(local))).toBe(local);
    const pg = Object.assign(new Error('deadlock detected'), { code: '40P01', severity: 'ERROR' });
    expect(failureLocal(pg)).toEqual({ key: 'jobError.database', text: 'deadlock detected', values: { words: 'deadlock detected', code: '40P01' } });
    expect(failureLocal('plain')).toEqual({ key: 'jobError.internal', text: 'plain', values: { words: 'plain' } });
  });
});
