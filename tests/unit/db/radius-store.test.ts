/**
 * What the RADIUS server reads and writes, on both backends: the reads that fill its caches, the
 * index of open sessions, the stale-session sweep, and the accounting writer of each backend
 * (AccountingWriter on SQLite, PgAccountingWriter on PostgreSQL) held to one contract: an upsert on
 * the session key, records of one session applied in order within a batch, retransmissions and late
 * records changing nothing, usage deltas published after the commit.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { authLogIndexerSql } from '../../../src/db/auth-log-index.js';
import { createPgAccountingWriter, type PgAccountingWriter } from '../../../src/db/pg-writer.js';
import {
  AccountingWriter,
  closeStaleSessions,
  OpenSessionIndex,
  radiusQueries,
  type AcctRecord,
  type AcctWriter,
  type UsageDelta,
} from '../../../src/db/radius.js';
import { backendNames, openTestBackend, type TestBackend } from '../../helpers/backends.js';

const GIGA = 2 ** 32;

interface Fixture {
  nas: number;
  otherNas: number;
  alice: number;
  bob: number;
  plan: number;
}

async function seed(b: TestBackend): Promise<Fixture> {
  const id = async (text: string, ...params: (string | number | null)[]) => (await b.sql.get<{ id: number }>(`${text} returning id`, ...params))!.id;
  const nas = await id(`insert into nas (name, ip_address, secret_enc, vendor, coa_port, require_message_authenticator) values ('n1', '10.0.0.1', 'sealed', 'mikrotik', 3799, true)`);
  const otherNas = await id(`insert into nas (name, ip_address, secret_enc, require_message_authenticator) values ('n2', '10.0.0.0/24', 'sealed2', false)`);
  const plan = await id(`insert into plans (name, type, price, download_kbps, upload_kbps, billing_period_months, data_cap_bytes, cap_action)
    values ('p', 'recurring', 1000, 10000, 2000, 3, 5000000000, 'block')`);
  const customer = await id(`insert into customers (name) values ('c')`);
  const service = (username: string, status: string) =>
    id(`insert into services (customer_id, plan_id, username, password_enc, start_date, status) values (?, ?, ?, 'pw', '2026-01-15', ?)`, customer, plan, username, status);
  const alice = await service('alice', 'active');
  const bob = await service('bob', 'suspended');
  await b.sql.run(`insert into service_suspensions (service_id, from_date, mode) values (?, '2026-02-01', 'walled-garden')`, bob);
  const batch = await id(`insert into voucher_batches (name, plan_id, count, code_length, price, created_at, created_by) values ('v', ?, 1, 12, 0, '2026-01-01T00:00:00.000Z', 'admin')`, plan);
  await b.sql.run(`insert into vouchers (batch_id, code, service_id) values (?, 'bob', ?)`, batch, bob);
  return { nas, otherNas, alice, bob, plan };
}

describe.each(backendNames)('RADIUS reads on %s', (name) => {
  let b: TestBackend;
  let f: Fixture;
  beforeEach(async () => {
    b = await openTestBackend(name);
    f = await seed(b);
  });
  afterEach(() => b.close());

  it('reads a service with its plan, open suspension, billing defaults and voucher flag, and nothing for an unknown name', async () => {
    const q = radiusQueries(b.sql);
    expect(await q.service('alice')).toMatchObject({
      id: f.alice, username: 'alice', status: 'active', planId: f.plan, planType: 'recurring', downloadKbps: 10000, dataCapBytes: 5_000_000_000,
      capAction: 'block', suspensionMode: null, billingDay: 'anniversary', periodMonths: 3, voucherLogin: false, simultaneousUse: 1, startDate: '2026-01-15',
    });
    expect(await q.service('bob')).toMatchObject({ id: f.bob, status: 'suspended', suspensionMode: 'walled-garden', voucherLogin: true });
    expect(await q.service('nobody')).toBeUndefined();
    expect((await q.servicesAfter(0, 1)).map((r) => r.username)).toEqual(['alice']);
    expect((await q.servicesAfter(f.alice, 10)).map((r) => r.username)).toEqual(['bob']);
    expect(await q.servicesAfter(f.bob, 10)).toEqual([]);
  });

  it('lists the NAS clients with their flags as booleans', async () => {
    expect(await radiusQueries(b.sql).nasClients()).toEqual([
      { id: f.nas, name: 'n1', ipAddress: '10.0.0.1', nasIdentifier: null, secretEnc: 'sealed', vendor: 'mikrotik', coaPort: 3799, requireMessageAuthenticator: true },
      { id: f.otherNas, name: 'n2', ipAddress: '10.0.0.0/24', nasIdentifier: null, secretEnc: 'sealed2', vendor: 'generic', coaPort: 3799, requireMessageAuthenticator: false },
    ]);
  });

  it('loads the open sessions of known services and closes the stale ones', async () => {
    const session = (sid: string, serviceId: number | null, updatedAt: string, stoppedAt: string | null, interval: number | null) =>
      b.sql.run(`insert into radius_sessions (nas_id, acct_session_id, service_id, username, calling_station_id, started_at, updated_at, stopped_at, interim_interval)
        values (?, ?, ?, 'x', 'AA:BB', ?, ?, ?, ?)`, f.nas, sid, serviceId, updatedAt, updatedAt, stoppedAt, interval);
    await session('fresh', f.alice, '2026-03-01T11:55:00.000Z', null, 300);
    await session('old', f.alice, '2026-03-01T11:30:00.000Z', null, 300);
    await session('slow', f.bob, '2026-03-01T11:30:00.000Z', null, 1800);
    await session('default', f.bob, '2026-03-01T11:00:00.000Z', null, null);
    await session('closed', f.alice, '2026-03-01T10:00:00.000Z', '2026-03-01T10:00:00.000Z', 300);
    await session('orphan', null, '2026-03-01T11:59:00.000Z', null, 300);
    const index = await OpenSessionIndex.load(b.sql);
    expect(index.size).toBe(4);
    expect(index.of(f.alice)).toEqual([{ nasId: f.nas, callingStationId: 'AA:BB' }, { nasId: f.nas, callingStationId: 'AA:BB' }]);
    // At noon, three intervals missed: 'old' (25 min > 15 min) and 'default' (60 min > 3 × 600 s = 30 min).
    expect(await closeStaleSessions(b.sql, new Date('2026-03-01T12:00:00.000Z'), 600, 3)).toBe(2);
    const open = await b.sql.all<{ sid: string }>(`select acct_session_id as "sid" from radius_sessions where stopped_at is null order by acct_session_id`);
    expect(open.map((r) => r.sid)).toEqual(['fresh', 'orphan', 'slow']);
    expect(await b.sql.get(`select stopped_at as "stoppedAt", terminate_cause as "cause" from radius_sessions where acct_session_id = 'old'`))
      .toEqual({ stoppedAt: '2026-03-01T12:00:00.000Z', cause: 'Stale' });
  });

  it('moves settled auth-log rows into the per-subscriber indexes, once each', async () => {
    const log = (at: string, username: string, serviceId: number | null) =>
      b.sql.get<{ id: number }>(`insert into auth_log (at, nas_id, service_id, username, outcome) values (?, ?, ?, ?, 'accept') returning id`, at, f.nas, serviceId, username);
    const first = (await log('2026-03-01T11:00:00.000Z', 'alice', f.alice))!.id;
    const second = (await log('2026-03-01T11:00:01.000Z', 'ghost', null))!.id;
    const young = (await log('2026-03-01T11:59:59.000Z', 'alice', f.alice))!.id;
    const indexer = authLogIndexerSql(b.sql);
    const entries = async () => ({
      byService: await b.sql.all(`select bucket, service_id as "serviceId", auth_log_id as "id" from auth_log_by_service order by auth_log_id`),
      byUsername: (await b.sql.all<{ id: number }>(`select auth_log_id as "id" from auth_log_by_username order by auth_log_id`)).map((r) => r.id),
      upto: (await b.sql.get<{ upto: number }>(`select upto from auth_log_index_state where id = 1`))?.upto,
    });
    expect(await indexer.run(100, '2026-03-01T11:59:50.000Z')).toBe(2);
    expect(await entries()).toEqual({ byService: [{ bucket: 0, serviceId: f.alice, id: first }], byUsername: [first, second], upto: second });
    expect(await indexer.run(100, '2026-03-01T11:59:50.000Z')).toBe(0);
    expect(await indexer.run(100, '2026-03-01T12:00:00.000Z')).toBe(1);
    expect((await entries()).byUsername).toEqual([first, second, young]);
  });
});

/** A writer of the backend's kind, and how to make it commit what it holds now. */
interface WriterUnderTest {
  writer: AcctWriter;
  commit(): Promise<void>;
  stats: AcctWriter['stats'];
}

async function writerFor(b: TestBackend, onUsage: (u: readonly UsageDelta[]) => void, onError: (e: unknown) => void): Promise<WriterUnderTest> {
  if (b.name === 'sqlite') {
    const w = new AccountingWriter(b.db!, onError, { onUsage });
    return { writer: w, stats: w.stats, commit: async () => w.flush() };
  }
  const w: PgAccountingWriter = await createPgAccountingWriter(b.sql, { onUsage, onError });
  return { writer: w, stats: w.stats, commit: () => w.sync() };
}

describe.each(backendNames)('the accounting writer on %s', (name) => {
  let b: TestBackend;
  let f: Fixture;
  let t: WriterUnderTest;
  let usage: UsageDelta[][];
  let errors: unknown[];
  let at = Date.parse('2026-03-01T12:00:00.000Z');

  const rec = (kind: AcctRecord['kind'], sid: string, over: Partial<AcctRecord> = {}): AcctRecord => {
    at += 1000;
    return {
      kind, nasId: f.nas, acctSessionId: sid, username: 'alice', at: new Date(at).toISOString(), day: '2026-03-01', nasIpAddress: '10.0.0.1',
      nasPort: '7', framedIpAddress: null, callingStationId: 'AA:BB:CC:DD:EE:FF', calledStationId: null, sessionTime: null, inputOctets: null,
      outputOctets: null, terminateCause: null, interimInterval: null, ...over,
    };
  };
  /** Hands the records over in one event-loop turn (one batch) and waits for all of them. */
  const batch = (...recs: AcctRecord[]) => Promise.all(recs.map((r) => t.writer.accounting(r)));
  const session = (sid: string) =>
    b.sql.get<{ serviceId: number | null; inputOctets: number; outputOctets: number; sessionTime: number; stoppedAt: string | null; startedAt: string; cause: string | null }>(
      `select service_id as "serviceId", input_octets as "inputOctets", output_octets as "outputOctets", session_time as "sessionTime",
        stopped_at as "stoppedAt", started_at as "startedAt", terminate_cause as "cause" from radius_sessions where acct_session_id = ?`, sid);
  const daily = async () => b.sql.all(`select service_id as "serviceId", day, input_octets as "in", output_octets as "out" from usage_daily order by service_id, day`);

  beforeEach(async () => {
    b = await openTestBackend(name);
    f = await seed(b);
    usage = [];
    errors = [];
    t = await writerFor(b, (u) => usage.push([...u]), (e) => errors.push(e));
  });
  afterEach(async () => {
    await t.writer.close();
    await b.close();
  });

  it('records a Start, an Interim and a Stop of separate batches, with usage deltas and the open-session index', async () => {
    await batch(rec('start', 's1', { serviceId: f.alice, framedIpAddress: '100.64.0.9' }));
    expect(t.writer.openSessions(f.alice)).toEqual([{ nasId: f.nas, callingStationId: 'AA:BB:CC:DD:EE:FF' }]);
    await batch(rec('interim', 's1', { serviceId: f.alice, inputOctets: 1000, outputOctets: 5000, sessionTime: 60 }));
    await batch(rec('stop', 's1', { serviceId: f.alice, inputOctets: 1500, outputOctets: 9000, sessionTime: 120, terminateCause: 'User-Request' }));
    expect(await session('s1')).toMatchObject({ serviceId: f.alice, inputOctets: 1500, outputOctets: 9000, sessionTime: 120, cause: 'User-Request' });
    expect((await session('s1'))!.stoppedAt).not.toBeNull();
    expect(t.writer.openSessions(f.alice)).toEqual([]);
    expect(usage).toEqual([[{ serviceId: f.alice, day: '2026-03-01', bytes: 6000 }], [{ serviceId: f.alice, day: '2026-03-01', bytes: 4500 }]]);
    expect(await daily()).toEqual([{ serviceId: f.alice, day: '2026-03-01', in: 1500, out: 9000 }]);
  });

  it('applies a session\'s Start, Interim and Stop of one batch in order: closed, with the Stop\'s counters', async () => {
    const before = t.stats.batches;
    await batch(
      rec('start', 's2', { serviceId: f.alice }),
      rec('interim', 's2', { serviceId: f.alice, inputOctets: 100, outputOctets: 200 }),
      rec('stop', 's2', { serviceId: f.alice, inputOctets: 300, outputOctets: 700, sessionTime: 30 }),
      rec('start', 's3', { serviceId: f.alice }),
    );
    expect(t.stats.batches - before).toBe(1);
    expect(await session('s2')).toMatchObject({ inputOctets: 300, outputOctets: 700, sessionTime: 30 });
    expect((await session('s2'))!.stoppedAt).not.toBeNull();
    expect(t.writer.openSessions(f.alice)).toHaveLength(1);
    expect(usage.flat().reduce((n, u) => n + u.bytes, 0)).toBe(1000);
    expect(await daily()).toEqual([{ serviceId: f.alice, day: '2026-03-01', in: 300, out: 700 }]);
  });

  it('keeps each session\'s records in order while several batches commit at once', async () => {
    // Records handed over in separate turns while earlier batches still commit: PostgreSQL's writer
    // commits batches side by side, and must never commit a session's Stop before its Interim.
    const pending: Promise<void>[] = [];
    for (let i = 0; i < 60; i++) {
      const sid = `p${i}`;
      pending.push(t.writer.accounting(rec('start', sid, { serviceId: f.alice })));
      await new Promise((r) => setImmediate(r));
      pending.push(t.writer.accounting(rec('interim', sid, { serviceId: f.alice, inputOctets: 10 * i, outputOctets: 1 })));
      await new Promise((r) => setTimeout(r, i % 3));
      pending.push(t.writer.accounting(rec('stop', sid, { serviceId: f.alice, inputOctets: 10 * i + 5, outputOctets: 2, sessionTime: 9 })));
    }
    await Promise.all(pending);
    const rows = await b.sql.all<{ sid: string; input: number; stopped: string | null }>(
      `select acct_session_id as "sid", input_octets as "input", stopped_at as "stopped" from radius_sessions where acct_session_id like 'p%'`);
    expect(rows).toHaveLength(60);
    for (const r of rows) expect([r.input, r.stopped !== null]).toEqual([10 * Number(r.sid.slice(1)) + 5, true]);
    expect(t.writer.openSessions(f.alice)).toEqual([]);
    expect(await daily()).toEqual([{ serviceId: f.alice, day: '2026-03-01', in: rows.reduce((n, r) => n + r.input, 0), out: 120 }]);
    expect(errors).toEqual([]);
  });

  it('changes nothing twice: a repeated Interim or Stop, and an Interim that arrives after the Stop', async () => {
    await batch(rec('start', 's4', { serviceId: f.alice }));
    const interim = rec('interim', 's4', { serviceId: f.alice, inputOctets: 10, outputOctets: 20 });
    await batch(interim);
    await batch(interim);
    const stop = rec('stop', 's4', { serviceId: f.alice, inputOctets: 40, outputOctets: 60, terminateCause: 'Lost-Carrier' });
    await batch(stop);
    await batch(stop, rec('interim', 's4', { serviceId: f.alice, inputOctets: 99_999, outputOctets: 99_999 }));
    expect(await session('s4')).toMatchObject({ inputOctets: 40, outputOctets: 60, cause: 'Lost-Carrier' });
    expect(await daily()).toEqual([{ serviceId: f.alice, day: '2026-03-01', in: 40, out: 60 }]);
    expect(usage.flat().reduce((n, u) => n + u.bytes, 0)).toBe(100);
    // Counters never go back: an Interim with lower counters (a reordered retransmission) keeps the higher ones.
    await batch(rec('start', 's5', { serviceId: f.alice }), rec('interim', 's5', { serviceId: f.alice, inputOctets: 500, outputOctets: 500 }));
    await batch(rec('interim', 's5', { serviceId: f.alice, inputOctets: 400, outputOctets: 400 }));
    expect(await session('s5')).toMatchObject({ inputOctets: 500, outputOctets: 500 });
  });

  it('records an Interim without a Start, finding the service by username and the start from the session time', async () => {
    const r = rec('interim', 's6', { username: 'bob', inputOctets: 5 * GIGA + 7, outputOctets: 3 * GIGA, sessionTime: 3600 });
    await batch(r);
    const row = await session('s6');
    expect(row).toMatchObject({ serviceId: f.bob, inputOctets: 5 * GIGA + 7, outputOctets: 3 * GIGA, stoppedAt: null });
    expect(Date.parse(row!.startedAt)).toBe(Date.parse(r.at) - 3_600_000);
    expect(t.writer.openSessions(f.bob)).toHaveLength(1);
    // Gigawords past 2^32 add up exactly.
    await batch(rec('interim', 's6', { username: 'bob', inputOctets: 6 * GIGA + 7, outputOctets: 3 * GIGA + 1 }));
    expect(await daily()).toEqual([{ serviceId: f.bob, day: '2026-03-01', in: 6 * GIGA + 7, out: 3 * GIGA + 1 }]);
    expect(usage.map((u) => u[0]!.bytes)).toEqual([8 * GIGA + 7, GIGA + 1]);
    // A username with no service still records the session, counted nowhere.
    await batch(rec('start', 's7', { username: 'ghost' }));
    expect(await session('s7')).toMatchObject({ serviceId: null });
  });

  it('closes a NAS\'s open sessions on Accounting-On, in its place in the batch', async () => {
    await batch(rec('start', 'a1', { serviceId: f.alice }), rec('start', 'x1', { serviceId: f.alice, nasId: f.otherNas }));
    await batch(rec('start', 'a2', { serviceId: f.alice }), rec('on', '', { username: '' }), rec('start', 'a3', { serviceId: f.alice }));
    const open = await b.sql.all<{ sid: string }>(`select acct_session_id as "sid" from radius_sessions where stopped_at is null order by acct_session_id`);
    expect(open.map((r) => r.sid)).toEqual(['a3', 'x1']);
    expect(await session('a1')).toMatchObject({ cause: 'NAS-Reboot' });
    expect(t.writer.openSessions(f.alice)).toHaveLength(2);
  });

  it('commits 500 records in one transaction', async () => {
    const before = t.stats.batches;
    const recs = Array.from({ length: 500 }, (_, i) => rec(i % 2 === 0 ? 'start' : 'interim', `bulk${i >> 1}`, { serviceId: f.alice, inputOctets: i, outputOctets: 0 }));
    await batch(...recs);
    expect(t.stats.batches - before).toBe(1);
    expect(await b.sql.get(`select count(*) as "n" from radius_sessions where acct_session_id like 'bulk%'`)).toEqual({ n: 250 });
    // Each session's Interim carried its index as input octets: 1 + 3 + … + 499.
    expect(await daily()).toEqual([{ serviceId: f.alice, day: '2026-03-01', in: 250 * 250, out: 0 }]);
    expect(t.writer.openSessions(f.alice)).toHaveLength(250);
  });

  it('publishes usage only once it is committed, and refuses a whole batch that fails', async () => {
    let seen: unknown;
    await t.writer.close();
    usage = [];
    t = await writerFor(b, (u) => {
      usage.push([...u]);
      // Another connection's read (PostgreSQL's pool) sees it: committed.
      seen = b.sql.get(`select input_octets as "in" from usage_daily where service_id = ?`, f.alice);
    }, (e) => errors.push(e));
    await batch(rec('interim', 'u1', { serviceId: f.alice, inputOctets: 42, outputOctets: 0 }));
    expect(await seen).toEqual({ in: 42 });
    const failed = batch(rec('interim', 'u2', { serviceId: f.alice, inputOctets: 1, outputOctets: 0 }), rec('start', 'u3', { nasId: 999_999 }));
    await expect(failed).rejects.toBeDefined();
    expect(errors).toHaveLength(1);
    expect(t.stats.failures).toBe(1);
    expect(await session('u2')).toBeUndefined();
    expect(usage).toHaveLength(1);
  });

  it('counts a session two nodes record at once one time (PostgreSQL: two writers, one database)', async (ctx) => {
    if (name !== 'postgres') return ctx.skip();
    const other = await createPgAccountingWriter(b.sql, { onUsage: (u) => usage.push([...u]) });
    try {
      for (let n = 0; n < 5; n++) {
        const sid = `both${n}`;
        const r = rec('interim', sid, { serviceId: f.alice, inputOctets: 100, outputOctets: 0 });
        await Promise.all([t.writer.accounting(r), other.accounting(r)]);
        expect(await b.sql.get(`select count(*) as "n", sum(input_octets) as "in" from radius_sessions where acct_session_id = ?`, sid)).toEqual({ n: 1, in: 100 });
      }
      expect(await daily()).toEqual([{ serviceId: f.alice, day: '2026-03-01', in: 500, out: 0 }]);
      expect(usage.flat().reduce((x, u) => x + u.bytes, 0)).toBe(500);
    } finally {
      await other.close();
    }
  });

  it('writes the auth log in request order, and closes stale sessions through the index', async () => {
    for (let i = 0; i < 3; i++) {
      const reject = i === 2;
      t.writer.authLog({
        at: at + i, nasId: f.nas, serviceId: reject ? null : f.alice, username: `u${i}`, outcome: reject ? 'reject' : 'accept', reason: reject ? 'unknown user' : null,
        ...(reject ? { reasonMessage: '{"key":"aaa.unknownUser"}' } : {}), method: 'pap', callingStationId: null,
      });
    }
    await t.commit();
    expect(await b.sql.all(`select at, username, outcome, service_id as "serviceId", reason, reason_message as "reasonMessage" from auth_log order by id`)).toEqual([
      { at: new Date(at).toISOString(), username: 'u0', outcome: 'accept', serviceId: f.alice, reason: null, reasonMessage: null },
      { at: new Date(at + 1).toISOString(), username: 'u1', outcome: 'accept', serviceId: f.alice, reason: null, reasonMessage: null },
      { at: new Date(at + 2).toISOString(), username: 'u2', outcome: 'reject', serviceId: null, reason: 'unknown user', reasonMessage: '{"key":"aaa.unknownUser"}' },
    ]);
    await batch(rec('start', 'st', { serviceId: f.alice, interimInterval: 60 }));
    expect(t.writer.openSessions(f.alice)).toHaveLength(1);
    expect(await t.writer.closeStale(new Date(at + 10 * 60_000), 300, 3)).toBe(1);
    expect(t.writer.openSessions(f.alice)).toEqual([]);
  });
});
