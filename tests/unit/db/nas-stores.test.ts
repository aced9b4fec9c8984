/**
 * The NAS store (reconciliation, SNMP polling), the network-action store (the action log, its
 * claims, suspend and resume) and the storage-health probe, on both backends: every statement's
 * happy path, the guarded and conflicting writes, and on PostgreSQL two nodes claiming from one
 * action log at once.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { actionStore, type ActionStore, type NewAction } from '../../../src/db/actions.js';
import { auditNas, nasStore, type NasStore, type ReconciliationRecord } from '../../../src/db/nas.js';
import { openPostgres, type SqlClient } from '../../../src/db/sql.js';
import { isStorageFailure, StorageHealth } from '../../../src/db/storage-health.js';
import { TestClock } from '../../../src/lib/clock.js';
import { backendNames, openTestBackend, postgresReady, type TestBackend } from '../../helpers/backends.js';

const T0 = '2026-11-23T10:00:00.000Z';
const at = (seconds: number) => new Date(Date.parse(T0) + seconds * 1000).toISOString();

interface Fixture {
  nasId: number;
  otherNasId: number;
  serviceId: number;
  planId: number;
  sessionIds: number[];
}

async function seed(sql: SqlClient): Promise<Fixture> {
  const id = async (text: string, ...params: (string | number | boolean | null)[]) => (await sql.get<{ id: number }>(`${text} returning id`, ...params))!.id;
  const nasId = await id(`insert into nas (name, ip_address, secret_enc, vendor, coa_port, routeros_enabled, routeros_username, snmp_enabled, snmp_version)
    values ('tower', '192.0.2.1', 'sealed', 'mikrotik', 3799, ?, 'api', ?, '2c')`, true, false);
  const otherNasId = await id(`insert into nas (name, ip_address, secret_enc, snmp_enabled) values ('mast', '192.0.2.0/24', 'sealed', ?)`, true);
  const planId = await id(`insert into plans (name, type, price, billing_period_months, download_kbps, upload_kbps) values ('p', 'recurring', 1000, 1, 1000, 500)`);
  const customerId = await id(`insert into customers (name) values ('c')`);
  const serviceId = await id(`insert into services (customer_id, plan_id, username, password_enc, start_date) values (?, ?, 'alpha', 'x', '2026-01-01')`, customerId, planId);
  const sessionIds: number[] = [];
  // Two open sessions, the first made by reconciliation (origin set: listed last), and a closed one.
  for (const [key, origin, stopped, nasIp] of [['s-1', 'reconcile', null, '192.0.2.1'], ['s-2', null, null, '192.0.2.7'], ['s-3', null, at(5), null]] as const) {
    sessionIds.push(await id(`insert into radius_sessions (nas_id, acct_session_id, service_id, username, started_at, updated_at, stopped_at, origin, nas_ip_address, framed_ip_address)
      values (?, ?, ?, 'alpha', ?, ?, ?, ?, ?, '10.0.0.9')`, nasId, key, serviceId, T0, T0, stopped, origin, nasIp));
  }
  return { nasId, otherNasId, serviceId, planId, sessionIds };
}

describe.each(backendNames)('NAS store on %s', (name) => {
  let b: TestBackend;
  let f: Fixture;
  let store: NasStore;
  beforeAll(async () => {
    b = await openTestBackend(name);
    f = await seed(b.sql);
    store = nasStore(b.sql);
  });
  afterAll(() => b?.close());

  it('reads a NAS with its flags as booleans, and the RouterOS- and SNMP-enabled ones', async () => {
    const row = await store.nas(f.nasId);
    expect(row).toMatchObject({
      id: f.nasId, name: 'tower', ipAddress: '192.0.2.1', vendor: 'mikrotik', coaPort: 3799, requireMessageAuthenticator: true,
      routerosEnabled: true, routerosTls: false, routerosUsername: 'api', snmpEnabled: false, snmpVersion: '2c', routerosPort: null,
    });
    expect(typeof row!.createdAt).toBe('string');
    expect(await store.nas(9999)).toBeUndefined();
    expect((await store.routerosNas()).map((n) => n.id)).toEqual([f.nasId]);
    expect((await store.snmpNas()).map((n) => [n.id, n.snmpEnabled])).toEqual([[f.otherNasId, true]]);
  });

  it('lists open sessions accounting-made first, finds and marks them, and knows the last NAS-IP-Address', async () => {
    expect((await store.openSessions(f.nasId)).map((s) => [s.acctSessionId, s.origin])).toEqual([['s-2', null], ['s-1', 'reconcile']]);
    expect(await store.openSessions(f.nasId)).toContainEqual({
      id: f.sessionIds[1], acctSessionId: 's-2', username: 'alpha', framedIpAddress: '10.0.0.9', callingStationId: null, startedAt: T0, updatedAt: T0, origin: null,
    });
    expect(await store.sessionExists(f.nasId, 's-3')).toBe(true);
    expect(await store.sessionExists(f.nasId, 'nope')).toBe(false);
    await store.markOrigin(f.nasId, 's-2', 'reconcile');
    expect((await store.openSessions(f.nasId)).map((s) => s.origin)).toEqual(['reconcile', 'reconcile']);
    await store.markOrigin(f.nasId, 's-2', 'accounting');
    expect(await store.lastNasIp(f.nasId)).toBe('192.0.2.7');
    expect(await store.lastNasIp(f.otherNasId)).toBeUndefined();
  });

  it('keeps the newest 100 reconciliation reports, items as JSON', async () => {
    const report = (i: number): Omit<ReconciliationRecord, 'id'> => ({
      nasId: f.nasId, trigger: i % 2 ? 'api' : 'schedule', startedAt: at(i), finishedAt: at(i + 1), outcome: 'ok', error: null,
      routerSessions: i, ourSessions: 1, matched: 1, created: 0, closed: 0, skipped: 1,
      items: [{ action: 'skipped', side: 'router', kind: 'ppp', username: `u${i}`, reason: 'grace' }],
    });
    const first = await store.saveReconciliation(report(0));
    expect(first).toEqual({ id: first.id, ...report(0) });
    for (let i = 1; i < 102; i++) await store.saveReconciliation(report(i));
    const all = await store.reconciliations(f.nasId, 1000);
    expect(all).toHaveLength(100);
    expect(all[0]).toEqual({ ...report(101), id: all[0]!.id });
    expect(all.at(-1)!.routerSessions).toBe(2);
    expect(await store.reconciliations(f.nasId, 2)).toHaveLength(2);
  });

  it('saves a poll in one go: status and interface baselines upserted, samples appended, old ones pruned', async () => {
    expect(await store.status(f.otherNasId)).toBeUndefined();
    const status = { nasId: f.otherNasId, state: 'up' as const, lastPollAt: at(0), lastSeenAt: at(0), uptimeSeconds: 100, consecutiveFailures: 0, lastError: null, lastErrorMessage: null };
    const iface = (ifIndex: number, octets: string, t: string) => ({ nasId: f.otherNasId, ifIndex, name: `ether${ifIndex}`, inOctets: octets, outOctets: octets, at: t });
    await store.savePoll(status, [iface(2, '10', at(0)), iface(1, '18446744073709551615', at(0))], []);
    const sample = (ifIndex: number, t: string) => ({ nasId: f.otherNasId, ifIndex, at: t, seconds: 60, inOctets: 6000, outOctets: 600, inBps: 800, outBps: 80 });
    await store.savePoll({ ...status, lastPollAt: at(60), uptimeSeconds: 160 }, [iface(2, '6010', at(60))], [sample(1, at(60)), sample(2, at(60))]);
    const down = { ...status, state: 'down' as const, lastPollAt: at(120), consecutiveFailures: 3, lastError: 'timeout', lastErrorMessage: '{"key":"nas.snmpTimeout","values":{"seconds":"6"}}' };
    await store.savePoll(down, [], [sample(2, at(120))]);
    expect(await store.status(f.otherNasId)).toEqual(down);
    expect(await store.interfaces(f.otherNasId)).toEqual([
      { ifIndex: 1, name: 'ether1', inOctets: '18446744073709551615', outOctets: '18446744073709551615', at: at(0) },
      { ifIndex: 2, name: 'ether2', inOctets: '6010', outOctets: '6010', at: at(60) },
    ]);
    const s = (ifIndex: number, t: string) => ({ ifIndex, at: t, seconds: 60, inOctets: 6000, outOctets: 600, inBps: 800, outBps: 80 });
    expect(await store.traffic(f.otherNasId, at(0), at(120), undefined, 100)).toEqual([s(1, at(60)), s(2, at(60)), s(2, at(120))]);
    expect(await store.traffic(f.otherNasId, at(0), at(120), 2, 1)).toEqual([s(2, at(60))]);
    expect(await store.traffic(f.otherNasId, at(61), at(120), 1, 10)).toEqual([]);
    expect(await store.pruneSamples(at(100))).toBe(2);
    expect(await store.traffic(f.otherNasId, at(0), at(999), undefined, 100)).toEqual([s(2, at(120))]);
  });

  it('a poll that fails half-way writes nothing of it', async () => {
    const before = await store.status(f.otherNasId);
    const bad = { nasId: f.otherNasId, ifIndex: 9, at: at(200), seconds: 60, inOctets: 1, outOctets: 1, inBps: 1, outBps: 1 };
    await expect(store.savePoll({ ...before!, lastPollAt: at(200) }, [], [bad, { ...bad, nasId: 424242 }])).rejects.toMatchObject({ kind: 'foreign_key' });
    expect(await store.status(f.otherNasId)).toEqual(before);
    expect(await store.traffic(f.otherNasId, at(200), at(200), 9, 10)).toEqual([]);
  });

  it('audits an action on a NAS with no before', async () => {
    await auditNas(b.sql)({ id: 'admin:1', ip: '198.51.100.2' }, at(0), 'reveal-secret', f.nasId, { via: 'onboarding' });
    expect(await b.sql.get(`select actor, actor_ip as "actorIp", action, entity, entity_id as "entityId", before, after from audit_log where action = 'reveal-secret'`)).toEqual({
      actor: 'admin:1', actorIp: '198.51.100.2', action: 'reveal-secret', entity: 'nas', entityId: String(f.nasId), before: null, after: '{"via":"onboarding"}',
    });
  });
});

describe.each(backendNames)('network-action store on %s', (name) => {
  let b: TestBackend;
  let f: Fixture;
  let store: ActionStore;
  const node = (holder: string, seconds: number, leaseSeconds = 60) => ({ holder, now: at(seconds), until: at(seconds + leaseSeconds) });
  const newAction = (over: Partial<NewAction> = {}): NewAction => ({
    kind: 'disconnect', reason: 'kick', actor: 'system:test', serviceId: f.serviceId, sessionId: f.sessionIds[0]!, acctSessionId: 's-1', username: 'alpha',
    nasId: f.nasId, target: '192.0.2.1:3799', request: '{"attributes":[]}', outcome: 'pending', at: at(0), ...over,
  });
  beforeAll(async () => {
    b = await openTestBackend(name);
    f = await seed(b.sql);
    store = actionStore(b.sql);
  });
  beforeEach(async () => {
    await b.sql.run(`delete from nas_actions`);
  });
  afterAll(() => b?.close());

  it('reads the service and its sessions with their NAS', async () => {
    expect(await store.service(f.serviceId)).toEqual({ id: f.serviceId, username: 'alpha', status: 'active', planId: f.planId, suspensionMode: null });
    expect(await store.service(9999)).toBeUndefined();
    await expect(store.serviceOrThrow(9999)).rejects.toMatchObject({ code: 'not_found' });
    const open = await store.openSessions(f.serviceId);
    expect(open.map((s) => s.acctSessionId)).toEqual(['s-1', 's-2']);
    expect(open[0]).toEqual({
      id: f.sessionIds[0], serviceId: f.serviceId, acctSessionId: 's-1', username: 'alpha', framedIpAddress: '10.0.0.9', nasIpAddress: '192.0.2.1',
      callingStationId: null, nasId: f.nasId, nasAddress: '192.0.2.1', nasSecretEnc: 'sealed', coaPort: 3799, vendor: 'mikrotik',
    });
    expect((await store.session(f.sessionIds[2]!))!.acctSessionId).toBe('s-3');
    expect(await store.sessionState(f.sessionIds[2]!)).toEqual({ stoppedAt: at(5), updatedAt: T0 });
    expect(await store.sessionState(9999)).toBeUndefined();
  });

  it('logs an action claimed by its sender, pages and filters the log', async () => {
    const c = await store.insertAction(newAction(), { holder: 'a', until: at(60) });
    expect(c).toEqual({ id: c.id, token: 1 });
    const row = await store.action(c.id);
    expect(row).toMatchObject({
      id: c.id, kind: 'disconnect', outcome: 'pending', actor: 'system:test', serviceId: f.serviceId, sessionId: f.sessionIds[0], nasId: f.nasId,
      attempts: 0, retries: 0, via: 'coa', fallbackOf: null, error: null, createdAt: at(0), updatedAt: at(0), checkAt: null,
    });
    expect(await b.sql.get(`select claimed_by as "by", claim_expires_at as "until" from nas_actions where id = ?`, c.id)).toEqual({ by: 'a', until: at(60) });
    const coa = await store.insertAction(newAction({ kind: 'coa', outcome: 'acked', fallbackOf: c.id }), { holder: 'a', until: at(60) });
    const third = await store.insertAction(newAction({ serviceId: null, nasId: f.otherNasId }), { holder: 'a', until: at(60) });
    const first = await store.listActions({}, 2);
    expect(first.items.map((r) => r.id)).toEqual([third.id, coa.id]);
    expect((await store.listActions({}, 2, first.next!)).items.map((r) => r.id)).toEqual([c.id]);
    expect((await store.listActions({ serviceId: f.serviceId, kind: 'disconnect' })).items.map((r) => r.id)).toEqual([c.id]);
    expect((await store.listActions({ nasId: f.otherNasId })).items.map((r) => r.id)).toEqual([third.id]);
    expect((await store.listActions({ outcome: 'acked' })).items.map((r) => [r.id, r.fallbackOf])).toEqual([[coa.id, c.id]]);
    await expect(store.insertAction(newAction({ outcome: 'bogus' as 'pending' }), { holder: 'a', until: at(60) })).rejects.toMatchObject({ kind: 'check' });
  });

  it('keeps a reason\'s catalogue message beside its English text, and none for an older row', async () => {
    const message = JSON.stringify({ key: 'reason.action.overdue', values: { number: '2026-0042', date: '2026-11-20' } });
    const coded = await store.insertAction(newAction({ reason: 'invoice 2026-0042 overdue since 2026-11-20', reasonMessage: message }), { holder: 'a', until: at(60) });
    const plain = await store.insertAction(newAction(), { holder: 'a', until: at(60) });
    expect(await store.action(coded.id)).toMatchObject({ reason: 'invoice 2026-0042 overdue since 2026-11-20', reasonMessage: message });
    expect((await store.action(plain.id))!.reasonMessage).toBeNull();
    // The log and a checker's claim read it too: a retry or fallback keeps the reason in every language.
    expect((await store.listActions({})).items.map((r) => r.reasonMessage)).toEqual([null, message]);
    await store.updateAction(coded.id, { at: at(1), outcome: 'acked', checkAt: at(2) }, { claim: coded }, true);
    expect((await store.claimDue(node('b', 3)))!.action.reasonMessage).toBe(message);
  });

  it('writes under a claim only while it is the latest, and confirms only unclaimed ACKed actions', async () => {
    const c = await store.insertAction(newAction(), { holder: 'a', until: at(60) });
    expect(await store.updateAction(c.id, { at: at(1), outcome: 'acked', attempts: 1, answeredAt: at(1), checkAt: at(31) }, { claim: { id: c.id, token: 2 } })).toBe(false);
    expect(await store.updateAction(c.id, { at: at(1), outcome: 'acked', attempts: 1, answeredAt: at(1), checkAt: at(31) }, { claim: c })).toBe(true);
    expect(await store.action(c.id)).toMatchObject({ outcome: 'acked', attempts: 1, answeredAt: at(1), checkAt: at(31), updatedAt: at(1) });
    // Still held by its sender: no confirmation from elsewhere until it lets go (or its claim expires).
    const confirm = { at: at(2), outcome: 'confirmed' as const, confirmedAt: at(2), checkAt: null };
    expect(await store.updateAction(c.id, confirm, { acked: { now: at(2) } })).toBe(false);
    expect(await store.release({ id: c.id, token: 7 })).toBe(false);
    expect(await store.release(c)).toBe(true);
    expect(await store.updateAction(c.id, confirm, { acked: { now: at(2) } })).toBe(true);
    expect(await store.updateAction(c.id, confirm, { acked: { now: at(3) } })).toBe(false);
    expect(await store.action(c.id)).toMatchObject({ outcome: 'confirmed', confirmedAt: at(2), checkAt: null });
    const expired = await store.insertAction(newAction({ outcome: 'acked' }), { holder: 'a', until: at(60) });
    expect(await store.updateAction(expired.id, confirm, { acked: { now: at(61) } })).toBe(true);
    // release: the last write gives the claim up with it.
    const d = await store.insertAction(newAction(), { holder: 'a', until: at(60) });
    expect(await store.updateAction(d.id, { at: at(1), outcome: 'timeout', error: 'no answer' }, { claim: d }, true)).toBe(true);
    expect(await b.sql.get(`select claimed_by as "by", claim_expires_at as "until", claim_token as "token" from nas_actions where id = ?`, d.id)).toEqual({ by: null, until: null, token: 1 });
  });

  it('claims what is due, oldest first, one holder at a time; a taken-over claim fences the old holder out', async () => {
    const sent = await store.insertAction(newAction(), { holder: 'a', until: at(60) });
    const acked = await store.insertAction(newAction({ outcome: 'acked' }), { holder: 'a', until: at(60) });
    await store.updateAction(acked.id, { at: at(1), checkAt: at(30) }, { claim: acked }, true);
    const later = await store.insertAction(newAction({ outcome: 'acked' }), { holder: 'a', until: at(60) });
    await store.updateAction(later.id, { at: at(1), checkAt: at(90) }, { claim: later }, true);
    const done = await store.insertAction(newAction({ outcome: 'nak' }), { holder: 'a', until: at(1) });
    // Predates claims: left alone.
    await b.sql.run(`insert into nas_actions (kind, reason, actor, acct_session_id, username, request, outcome, created_at, updated_at) values ('coa', 'r', 'a', 'x', 'u', '{}', 'pending', ?, ?)`, T0, T0);

    expect(await store.anyOpen(at(10))).toBe(true);
    expect(await store.claimDue(node('b', 10))).toBeUndefined();
    const first = await store.claimDue(node('b', 30));
    expect(first?.action.id).toBe(acked.id);
    expect(first?.claim).toEqual({ id: acked.id, token: 2 });
    expect(await store.claimDue(node('c', 31))).toBeUndefined();
    // The sender died: its claim expired at 60 s.
    const orphan = await store.claimDue(node('b', 61));
    expect(orphan).toMatchObject({ action: { id: sent.id, outcome: 'pending' }, claim: { id: sent.id, token: 2 } });
    expect(await store.updateAction(sent.id, { at: at(62), outcome: 'acked' }, { claim: sent })).toBe(false);
    expect(await store.action(sent.id)).toMatchObject({ outcome: 'pending' });
    // b's claim on the ACKed one expired too (30 + 60 s): the next node takes it, b's write is void.
    expect((await store.claimDue(node('c', 91)))?.action.id).toBe(acked.id);
    expect(await store.updateAction(acked.id, { at: at(92), outcome: 'unconfirmed' }, { claim: first!.claim })).toBe(false);
    expect((await store.claimDue(node('c', 91)))?.action.id).toBe(later.id);
    expect(await store.claimDue(node('c', 91))).toBeUndefined();
    expect((await store.action(done.id))!.outcome).toBe('nak');
  });

  it('finds the newer action on a session, and closes a session once', async () => {
    const old = await store.insertAction(newAction({ kind: 'coa', outcome: 'acked' }), { holder: 'a', until: at(60) });
    await store.insertAction(newAction({ outcome: 'timeout' }), { holder: 'a', until: at(60) });
    expect(await store.newerAction(f.sessionIds[0]!, old.id)).toBeUndefined();
    const newer = await store.insertAction(newAction({ outcome: 'confirmed' }), { holder: 'a', until: at(60) });
    expect(await store.newerAction(f.sessionIds[0]!, old.id)).toEqual({ id: newer.id, kind: 'disconnect', outcome: 'confirmed' });
    const extra = (await b.sql.get<{ id: number }>(`insert into radius_sessions (nas_id, acct_session_id, service_id, username, started_at, updated_at) values (?, 's-9', ?, 'alpha', ?, ?) returning id`,
      f.nasId, f.serviceId, T0, T0))!.id;
    expect(await store.closeSession(extra, at(9), 'Session-Context-Not-Found')).toBe(true);
    expect(await store.closeSession(extra, at(10), 'Admin-Reset')).toBe(false);
    expect(await b.sql.get(`select stopped_at as "stoppedAt", terminate_cause as "cause" from radius_sessions where id = ?`, extra)).toEqual({ stoppedAt: at(9), cause: 'Session-Context-Not-Found' });
  });

  it('suspends, resumes and leaves a suspension with the status, the suspension row and the audit row together', async () => {
    const actor = { id: 'admin:1' };
    const day = (d: string) => ({ at: `${d}T09:00:00.000Z`, today: d, actor, reason: 'test' });
    expect(await store.suspend(f.serviceId, { ...day('2026-11-23'), mode: 'walled-garden' })).toEqual({ changed: true, mode: 'walled-garden' });
    expect(await store.service(f.serviceId)).toMatchObject({ status: 'suspended', suspensionMode: 'walled-garden' });
    expect(await store.suspend(f.serviceId, { ...day('2026-11-24'), mode: 'reject' })).toEqual({ changed: false, mode: 'walled-garden' });
    // Resumed on the day it was suspended: to_date never before from_date.
    expect(await store.resume(f.serviceId, day('2026-11-22'))).toEqual({ changed: true, mode: 'walled-garden' });
    expect(await store.resume(f.serviceId, day('2026-11-25'))).toEqual({ changed: false, mode: null });
    expect(await store.suspend(f.serviceId, { ...day('2026-11-26'), mode: 'reject' })).toEqual({ changed: true, mode: 'reject' });
    expect(await store.leaveSuspension(f.serviceId, { ...day('2026-11-28'), status: 'ended' })).toEqual({ changed: true, mode: 'reject' });
    expect(await b.sql.all(`select from_date as "from", to_date as "to", mode from service_suspensions where service_id = ? order by id`, f.serviceId)).toEqual([
      { from: '2026-11-23', to: '2026-11-23', mode: 'walled-garden' },
      { from: '2026-11-26', to: '2026-11-28', mode: 'reject' },
    ]);
    expect((await b.sql.all<{ action: string }>(`select action from audit_log where entity = 'service' order by id`)).map((r) => r.action)).toEqual(['suspend', 'resume', 'suspend', 'end-suspension']);
    // An ended service cannot be suspended: nothing is written.
    await expect(store.suspend(f.serviceId, { ...day('2026-11-29'), mode: 'reject' })).rejects.toMatchObject({ code: 'conflict' });
    expect(await store.leaveSuspension(f.serviceId, { ...day('2026-11-29'), status: 'free' })).toEqual({ changed: false, mode: null });
    expect((await store.service(f.serviceId))!.status).toBe('free');
    expect(await b.sql.get(`select count(*) as "n" from service_suspensions where service_id = ?`, f.serviceId)).toEqual({ n: 2 });
    await b.sql.run(`update services set status = 'active' where id = ?`, f.serviceId);
  });
});

describe.each(backendNames)('storage health on %s', (name) => {
  let b: TestBackend;
  beforeAll(async () => {
    b = await openTestBackend(name);
  });
  afterAll(() => b?.close());

  it('after a failure, answers healthy again once a write has gone through', async () => {
    const clock = new TestClock(T0);
    const health = new StorageHealth(b.sql, clock);
    await health.observeCommits();
    expect(health.problem).toBeUndefined();
    await health.failed('API POST /x', Object.assign(new Error('disk full'), { code: name === 'sqlite' ? 'SQLITE_FULL' : '53100' }));
    expect(health.problem).toEqual({ reason: `API POST /x: disk full (${name === 'sqlite' ? 'SQLITE_FULL' : '53100'})`, since: T0 });
    if (name === 'sqlite') {
      // PostgreSQL's probe is the server's next transaction id, which other databases of the test server move.
      await b.sql.get(`select count(*) from customers`);
      await health.observeCommits();
      expect(health.problem).toBeDefined();
    }
    await b.sql.run(`insert into customers (name) values ('after')`);
    await health.observeCommits();
    expect(health.problem).toBeUndefined();
  });

  it('knows which failures are the storage', () => {
    for (const code of ['SQLITE_FULL', 'SQLITE_IOERR_WRITE', 'SQLITE_READONLY', '53100', '58030', '25006']) expect(isStorageFailure({ code }), code).toBe(true);
    for (const code of ['SQLITE_CONSTRAINT_UNIQUE', '23505', '40001', undefined]) expect(isStorageFailure({ code }), String(code)).toBe(false);
    expect(isStorageFailure(new Error('x', { cause: { code: '53100' } }))).toBe(true);
  });
});

describe.skipIf(!postgresReady)('the action log shared by two nodes on PostgreSQL', () => {
  let b: TestBackend;
  let nodes: SqlClient[];
  let f: Fixture;
  beforeAll(async () => {
    b = await openTestBackend('postgres');
    f = await seed(b.sql);
    nodes = [openPostgres({ url: b.url!, max: 4 }), openPostgres({ url: b.url!, max: 4 })];
  });
  afterAll(async () => {
    await Promise.all((nodes ?? []).map((n) => n.close()));
    await b?.close();
  });

  it('never gives the same action to both, claiming at once, and hands an expired claim over', async () => {
    const seeder = actionStore(b.sql);
    const ids: number[] = [];
    for (let i = 0; i < 40; i++) {
      const c = await seeder.insertAction({
        kind: 'disconnect', reason: 'kick', actor: 'system:test', serviceId: f.serviceId, sessionId: f.sessionIds[0]!, acctSessionId: 's-1', username: 'alpha',
        nasId: f.nasId, target: null, request: '{}', outcome: 'pending', at: at(0),
      }, { holder: 'dead', until: at(10) });
      ids.push(c.id);
    }
    const stores = nodes.map((n) => actionStore(n));
    // Each node's connections open first, so neither starts claiming while the other still connects.
    await Promise.all(nodes.flatMap((n) => [0, 1, 2].map(() => n.get(`select pg_sleep(0.05)`))));
    const claimed: Record<string, number[]> = { a: [], b: [] };
    // Each node runs three claimers at once, as several checker passes or a busy pool would.
    await Promise.all(
      (['a', 'b'] as const).flatMap((holder, i) =>
        [0, 1, 2].map(async () => {
          for (;;) {
            const due = await stores[i]!.claimDue({ holder, now: at(11), until: at(71) });
            if (!due) return;
            claimed[holder]!.push(due.action.id);
          }
        }),
      ),
    );
    const all = [...claimed.a!, ...claimed.b!].sort((x, y) => x - y);
    expect(all).toEqual(ids);
    expect(claimed.a!.length).toBeGreaterThan(0);
    expect(claimed.b!.length).toBeGreaterThan(0);
    const holders = await b.sql.all<{ id: number; by: string; token: number }>(`select id, claimed_by as "by", claim_token as "token" from nas_actions order by id`);
    for (const h of holders) {
      expect(claimed[h.by]).toContain(h.id);
      expect(h.token).toBe(2);
    }
    // Node a dies holding its claims: once they expire, b takes them over and a's late writes are void.
    const aHeld = claimed.a![0]!;
    expect(await stores[1]!.claimDue({ holder: 'b', now: at(70), until: at(130) })).toBeUndefined();
    const takeovers: number[] = [];
    for (let due = await stores[1]!.claimDue({ holder: 'b', now: at(72), until: at(132) }); due; due = await stores[1]!.claimDue({ holder: 'b', now: at(72), until: at(132) })) {
      takeovers.push(due.action.id);
    }
    expect(takeovers.sort((x, y) => x - y)).toEqual(ids);
    expect(await stores[0]!.updateAction(aHeld, { at: at(73), outcome: 'acked' }, { claim: { id: aHeld, token: 2 } })).toBe(false);
    expect(await stores[1]!.updateAction(aHeld, { at: at(73), outcome: 'acked' }, { claim: { id: aHeld, token: 3 } }, true)).toBe(true);
    expect(await b.sql.get(`select outcome, claimed_by as "by" from nas_actions where id = ?`, aHeld)).toEqual({ outcome: 'acked', by: null });
  });
  it('claims without waiting for the write lock another node holds (a long billing run, say)', async () => {
    await b.sql.run(`delete from nas_actions`);
    const seeder = actionStore(b.sql);
    const c = await seeder.insertAction({
      kind: 'coa', reason: 'r', actor: 'system:test', serviceId: f.serviceId, sessionId: f.sessionIds[0]!, acctSessionId: 's-1', username: 'alpha',
      nasId: f.nasId, target: null, request: '{}', outcome: 'pending', at: at(0),
    }, { holder: 'dead', until: at(1000) });
    let letGo!: () => void;
    const held = new Promise<void>((r) => (letGo = r));
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    const writer = nodes[0]!.transaction(async () => {
      await nodes[0]!.run(`update customers set name = name`);
      locked();
      await held;
    });
    await isLocked;
    const claim = actionStore(nodes[1]!).claimDue({ holder: 'b', now: at(1001), until: at(1061) });
    const first = await Promise.race([claim, new Promise<'waited'>((r) => setTimeout(() => r('waited'), 3000))]);
    letGo();
    await writer;
    expect(first).not.toBe('waited');
    expect(first).toMatchObject({ action: { id: c.id }, claim: { id: c.id } });
  });
});
