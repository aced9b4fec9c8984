/**
 * The notification store on both backends: templates (booleans read alike), the outbox's insert with
 * its dedupe key, the claims that keep two senders from sending one message (and let a dead sender's
 * messages be retried), the outcomes fenced by the claim, recovery, requeue, the filtered list, the
 * invoices of a date and the audit record. On PostgreSQL, two senders of two nodes drain one outbox
 * and every message goes out once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notifyStore, type NotifyStore, type OutboxInsert, type OutboxRow } from '../../../src/db/notify.js';
import { openPostgres, type SqlClient } from '../../../src/db/sql.js';
import { TestClock } from '../../../src/lib/clock.js';
import { said } from '../../../src/lib/errors.js';
import { createSender, INTERRUPTED } from '../../../src/notify/sender.js';
import type { Transport } from '../../../src/notify/transports.js';
import { backendNames, openTestBackend, postgresReady, type TestBackend } from '../../helpers/backends.js';

const T0 = '2026-05-04T10:00:00.000Z';
const message = (customerId: number, over: Partial<OutboxInsert> = {}): OutboxInsert => ({
  customerId, serviceId: null, template: 'payment.received', channel: 'email', recipient: 'carla@example.net', subject: 'Paid', body: '<p>Thanks</p>',
  nextAttemptAt: T0, dedupeKey: null, createdAt: T0, ...over,
});
const newCustomer = async (sql: SqlClient, name: string) =>
  (await sql.get<{ id: number }>(`insert into customers (name, email, phone) values (?, ?, ?) returning id`, name, `${name.toLowerCase()}@example.net`, '+39 333 1234567'))!.id;

describe.each(backendNames)('notifyStore on %s', (name) => {
  let b: TestBackend;
  let store: NotifyStore;
  let customerId: number;
  beforeAll(async () => {
    b = await openTestBackend(name);
    store = notifyStore(b.sql);
    customerId = await newCustomer(b.sql, 'Carla');
  });
  afterAll(() => b?.close());

  it('keeps the operator\'s templates, enabled read as a boolean, replaced on a second write and deleted', async () => {
    expect(await store.template('cap.80', 'sms', 'it')).toBeNull();
    await store.upsertTemplate({ key: 'cap.80', channel: 'sms', language: '', subject: '', body: '{{used}}', delayMinutes: 5, sendFrom: '09:00', sendUntil: '18:00', enabled: false }, T0);
    expect(await store.template('cap.80', 'sms', 'it')).toEqual({ key: 'cap.80', channel: 'sms', language: '', subject: '', body: '{{used}}', delayMinutes: 5, sendFrom: '09:00', sendUntil: '18:00', enabled: false, updatedAt: T0 });
    await store.upsertTemplate({ key: 'cap.80', channel: 'sms', language: '', subject: '', body: 'v2', delayMinutes: 0, sendFrom: null, sendUntil: null, enabled: true }, '2026-05-04T11:00:00.000Z');
    await store.upsertTemplate({ key: 'cap.80', channel: 'email', language: '', subject: 'S', body: 'e', delayMinutes: 0, sendFrom: null, sendUntil: null, enabled: true }, T0);
    expect((await store.templates()).map((t) => [t.key, t.channel, t.body, t.enabled])).toEqual([['cap.80', 'email', 'e', true], ['cap.80', 'sms', 'v2', true]]);
    expect(await store.deleteTemplate('cap.80', 'email', '')).toBe(true);
    expect(await store.deleteTemplate('cap.80', 'email', '')).toBe(false);
    expect((await store.templates()).map((t) => t.channel)).toEqual(['sms']);
  });

  it('prefers a language\'s own override to the one of every language, and keeps them apart', async () => {
    await store.upsertTemplate({ key: 'cap.100', channel: 'sms', language: '', subject: '', body: 'all', delayMinutes: 0, sendFrom: null, sendUntil: null, enabled: true }, T0);
    await store.upsertTemplate({ key: 'cap.100', channel: 'sms', language: 'es', subject: '', body: 'es', delayMinutes: 0, sendFrom: null, sendUntil: null, enabled: true }, T0);
    expect((await store.template('cap.100', 'sms', 'es'))?.body).toBe('es');
    expect((await store.template('cap.100', 'sms', 'it'))?.body).toBe('all');
    expect((await store.templateExact('cap.100', 'sms', 'it'))).toBeNull();
    expect(await store.deleteTemplate('cap.100', 'sms', 'es')).toBe(true);
    expect((await store.template('cap.100', 'sms', 'es'))?.body).toBe('all');
    expect(await store.deleteTemplate('cap.100', 'sms', '')).toBe(true);
  });

  it('answers a customer\'s contact, or null', async () => {
    expect(await store.contact(customerId)).toEqual({ id: customerId, name: 'Carla', email: 'carla@example.net', phone: '+39 333 1234567', language: null });
    expect(await store.contact(999_999)).toBeNull();
  });

  it('inserts a message once per dedupe key and channel, inside a transaction or not, rolled back with it', async () => {
    const id = await store.insert(message(customerId, { dedupeKey: 'k:1' }));
    expect(id).toBeGreaterThan(0);
    expect(await store.insert(message(customerId, { dedupeKey: 'k:1' }))).toBeNull();
    expect(await store.insert(message(customerId, { dedupeKey: 'k:1', channel: 'sms', recipient: '+39 333 1234567' }))).toBeGreaterThan(id!);
    await expect(store.transaction(async () => {
      await store.insert(message(customerId, { dedupeKey: 'k:rolled-back' }));
      throw new Error('the event it announces failed');
    })).rejects.toThrow(/failed/);
    expect(await store.insert(message(customerId, { dedupeKey: 'k:rolled-back' }))).not.toBeNull();
    expect(await store.get(id!)).toMatchObject({ id, customerId, serviceId: null, channel: 'email', status: 'queued', attempts: 0, lastError: null, dedupeKey: 'k:1', sentAt: null });
    expect(await store.get(999_999)).toBeNull();
  });

  it('claims due messages for one sender until the claim expires, fences the outcome, and retries an expired claim', async () => {
    await b.sql.run(`delete from notification_outbox`);
    const a = (await store.insert(message(customerId)))!;
    const later = (await store.insert(message(customerId, { nextAttemptAt: '2026-05-04T11:00:00.000Z' })))!;
    const until = '2026-05-04T10:10:00.000Z';
    const claimed = await store.claimDue(T0, 10, 'host-a:1:aa', until);
    expect(claimed.map((m) => [m.id, m.status, m.attempts, m.nextAttemptAt])).toEqual([[a, 'sending', 1, until]]);
    // Claimed: nobody else gets it before the claim expires.
    expect(await store.claimDue('2026-05-04T10:09:59.000Z', 10, 'host-b:2:bb', '2026-05-04T10:20:00.000Z')).toEqual([]);
    expect(await store.sending()).toEqual([{ id: a, claimedBy: 'host-a:1:aa' }]);
    // host-a dies; at expiry host-b claims it again, a second attempt.
    const again = await store.claimDue(until, 10, 'host-b:2:bb', '2026-05-04T10:20:00.000Z');
    expect(again.map((m) => [m.id, m.attempts])).toEqual([[a, 2]]);
    // host-a's late outcome is refused; host-b's is written.
    expect(await store.markSent({ id: a, attempt: 1 }, '2026-05-04T10:11:00.000Z')).toBe(false);
    expect(await store.markSent({ id: a, attempt: 2 }, '2026-05-04T10:11:00.000Z')).toBe(true);
    expect(await store.get(a)).toMatchObject({ status: 'sent', sentAt: '2026-05-04T10:11:00.000Z', attempts: 2 });
    expect(await store.sending()).toEqual([]);
    // Retry and failure, each by the current claim only.
    const [l] = await store.claimDue('2026-05-04T11:00:00.000Z', 10, 'host-b:2:bb', '2026-05-04T11:10:00.000Z');
    expect(l!.id).toBe(later);
    const busy = said('notifyError.sms', 'SMS gateway: busy', { words: 'busy' });
    expect(await store.markRetry({ id: later, attempt: 1 }, busy, '2026-05-04T11:01:00.000Z')).toBe(true);
    expect(await store.markRetry({ id: later, attempt: 1 }, busy, '2026-05-04T11:01:00.000Z')).toBe(false);
    // The English beside its catalogue key, for the reader's language.
    expect(await store.get(later)).toMatchObject({
      status: 'queued', lastError: 'SMS gateway: busy', lastErrorMessage: '{"key":"notifyError.sms","values":{"words":"busy"}}', nextAttemptAt: '2026-05-04T11:01:00.000Z',
    });
    await store.claimDue('2026-05-04T11:01:00.000Z', 1, 'host-b:2:bb', '2026-05-04T11:11:00.000Z');
    expect(await store.markFailed({ id: later, attempt: 2 }, said('jobError.smtp', 'SMTP: 550 mailbox unavailable', { words: '550 mailbox unavailable' }))).toBe(true);
    expect(await store.get(later)).toMatchObject({
      status: 'failed', lastError: 'SMTP: 550 mailbox unavailable', lastErrorMessage: '{"key":"jobError.smtp","values":{"words":"550 mailbox unavailable"}}', attempts: 2,
    });
    // Requeued by an operator, only when failed.
    expect(await store.requeue(later, '2026-05-04T12:00:00.000Z')).toBe(true);
    expect(await store.requeue(later, '2026-05-04T12:00:00.000Z')).toBe(false);
    expect(await store.get(later)).toMatchObject({ status: 'queued', nextAttemptAt: '2026-05-04T12:00:00.000Z' });
  });

  it('gives back a claim not tried, only while it is current; a sender stopped mid-batch gives back the rest', async () => {
    await b.sql.run(`delete from notification_outbox`);
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) ids.push((await store.insert(message(customerId, { body: `m${i}` })))!);
    const [first] = await store.claimDue(T0, 1, 'host-a:1:aa', '2026-05-04T10:30:00.000Z');
    expect(await store.unclaim({ id: first!.id, attempt: 2 }, T0)).toBe(false);
    expect(await store.unclaim({ id: first!.id, attempt: 1 }, '2026-05-04T10:00:05.000Z')).toBe(true);
    expect(await store.get(first!.id)).toMatchObject({ status: 'queued', attempts: 0, nextAttemptAt: '2026-05-04T10:00:05.000Z' });
    expect(await store.sending()).toEqual([]);

    const sent: string[] = [];
    const clock = new TestClock('2026-05-04T10:01:00Z');
    const sender = createSender({
      store, clock, batch: 3,
      transports: {
        email: { send: async (m) => void sent.push(m.body) },
        sms: { send: async () => undefined },
      },
    });
    // A sender asked to stop (a shutdown) while it sends the first of the three it claimed.
    const stopAfterFirst: Transport = {
      send: async (m) => {
        sent.push(m.body);
        void stopping.stop();
      },
    };
    const stopping: ReturnType<typeof createSender> = createSender({ store, clock, batch: 3, transports: { email: stopAfterFirst, sms: stopAfterFirst } });
    expect(await stopping.drain()).toBe(1);
    expect(sent).toEqual(['m0']);
    expect((await Promise.all(ids.map((id) => store.get(id)))).map((m) => [m!.status, m!.attempts])).toEqual([['sent', 1], ['queued', 0], ['queued', 0]]);
    // Another sender sends the rest at once.
    expect(await sender.drain()).toBe(2);
    expect(sent).toEqual(['m0', 'm1', 'm2']);
  });

  it('a transport that fails with a bug of ours: the message is retried, its error stored as internal with its English words', async () => {
    await b.sql.run(`delete from notification_outbox`);
    const id = (await store.insert(message(customerId)))!;
    const buggy: Transport = { send: async () => { throw new TypeError("Cannot read properties of undefined (reading 'to')"); } };
    const sender = createSender({ store, clock: new TestClock('2026-05-04T10:01:00Z'), transports: { email: buggy, sms: buggy } });
    expect(await sender.drain()).toBe(1);
    expect(await store.get(id)).toMatchObject({
      status: 'queued', attempts: 1, lastError: "Cannot read properties of undefined (reading 'to')",
      lastErrorMessage: JSON.stringify({ key: 'jobError.internal', values: { words: "Cannot read properties of undefined (reading 'to')" } }),
    });
  });

  it('claims one queued message by id, and fails the ones a dead sender left mid-send', async () => {
    await b.sql.run(`delete from notification_outbox`);
    const a = (await store.insert(message(customerId)))!;
    const c = (await store.insert(message(customerId)))!;
    expect(await store.claim(a, 'host-a:1:aa', '2026-05-04T10:10:00.000Z')).toBe(true);
    expect(await store.claim(a, 'host-a:1:aa', '2026-05-04T10:10:00.000Z')).toBe(false);
    expect(await store.claim(c, 'host-b:2:bb', '2026-05-04T10:10:00.000Z')).toBe(true);
    expect(await store.failInterrupted([], INTERRUPTED)).toEqual([]);
    expect(await store.failInterrupted([a, 999_999], INTERRUPTED)).toEqual([a]);
    expect(await store.get(a)).toMatchObject({ status: 'failed', lastError: INTERRUPTED.text, lastErrorMessage: '{"key":"notifyError.interrupted"}' });
    expect(await store.sending()).toEqual([{ id: c, claimedBy: 'host-b:2:bb' }]);
  });

  it('lists the outbox newest first by filters and before an id', async () => {
    await b.sql.run(`delete from notification_outbox`);
    const other = await newCustomer(b.sql, 'Bruno');
    const ids: number[] = [];
    for (const m of [message(customerId), message(other, { channel: 'sms', recipient: '+39', template: 'cap.80' }), message(customerId, { template: 'cap.80' })]) ids.push((await store.insert(m))!);
    const listed = async (f: Parameters<NotifyStore['list']>[0], before: number | null = null) => (await store.list(f, 10, before)).map((m: OutboxRow) => m.id);
    expect(await listed({})).toEqual([...ids].reverse());
    expect(await listed({ customerId })).toEqual([ids[2], ids[0]]);
    expect(await listed({ channel: 'sms' })).toEqual([ids[1]]);
    expect(await listed({ template: 'cap.80', status: 'queued' })).toEqual([ids[2], ids[1]]);
    expect(await listed({ template: '', status: undefined })).toEqual([...ids].reverse());
    expect(await listed({}, ids[2]!)).toEqual([ids[1], ids[0]]);
    expect((await store.list({}, 1, null)).map((m) => m.id)).toEqual([ids[2]]);
  });

  it('pages the invoices issued on a date by id', async () => {
    const inv = async (n: number, issueDate: string) =>
      (await b.sql.get<{ id: number }>(`insert into invoices (customer_id, number, series, year, sequence, issue_date, due_date, currency, net, tax, total, open)
        values (?, ?, 'INV', 2026, ?, ?, '2026-05-18', 'EUR', 2500, 550, 3050, 3050) returning id`, customerId, `INV-2026-${n}`, n, issueDate))!.id;
    const first = await inv(1, '2026-05-04');
    await inv(2, '2026-05-05');
    const third = await inv(3, '2026-05-04');
    expect(await store.invoicesIssuedOn('2026-05-04', 0, 1)).toEqual([{ id: first, customerId, number: 'INV-2026-1', dueDate: '2026-05-18', total: 3050 }]);
    expect((await store.invoicesIssuedOn('2026-05-04', first, 10)).map((r) => r.id)).toEqual([third]);
    expect(await store.invoicesIssuedOn('2026-05-04', third, 10)).toEqual([]);
  });

  it('records an audit entry', async () => {
    await store.audit({ id: 'admin:1', ip: '192.0.2.1' }, T0, 'retry', 'notification', 7, { status: 'failed' }, { status: 'queued' });
    expect(await b.sql.get(`select actor, actor_ip as "ip", entity_id as "entityId", before, after from audit_log where action = 'retry'`))
      .toEqual({ actor: 'admin:1', ip: '192.0.2.1', entityId: '7', before: '{"status":"failed"}', after: '{"status":"queued"}' });
  });
});

describe.runIf(postgresReady)('two senders of two nodes on one PostgreSQL outbox', () => {
  let b: TestBackend;
  let second: SqlClient;
  beforeAll(async () => {
    b = await openTestBackend('postgres');
    second = openPostgres({ url: b.url!, max: 4 });
  });
  afterAll(async () => {
    await second?.close();
    await b?.close();
  });

  it('deliver every message once', async () => {
    const customerId = await newCustomer(b.sql, 'Carla');
    const a = notifyStore(b.sql);
    for (let i = 0; i < 60; i++) await a.insert(message(customerId, { dedupeKey: `m:${i}`, body: `message ${i}` }));
    const delivered: { node: string; body: string }[] = [];
    // A slow transport, so both senders are at work at once.
    const transport = (node: string): Transport => ({
      send: async (m) => {
        await new Promise((r) => setTimeout(r, 2));
        delivered.push({ node, body: m.body });
      },
    });
    const clock = new TestClock(T0);
    const sender = (sql: SqlClient, node: string) => createSender({ store: notifyStore(sql), clock, batch: 5, transports: { email: transport(node), sms: transport(node) } });
    const [n1, n2] = await Promise.all([sender(b.sql, 'one').drain(), sender(second, 'two').drain()]);
    expect(n1 + n2).toBe(60);
    expect(delivered).toHaveLength(60);
    expect(new Set(delivered.map((d) => d.body)).size).toBe(60);
    // Both took part (a batch each at least), and the outbox agrees.
    expect(new Set(delivered.map((d) => d.node))).toEqual(new Set(['one', 'two']));
    expect(await b.sql.all(`select status, attempts, count(*) as "n" from notification_outbox group by status, attempts`)).toEqual([{ status: 'sent', attempts: 1, n: 60 }]);
  });
});
