// RouterOS API per NAS, end to end over the HTTP API (inject) and real TCP/TLS to the protocol-level
// RouterOS simulator: settings with a write-only password, reconciliation in both directions with
// its stored report, the remove fallback, and the periodic job.
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { SqlClient } from '../../src/db/sql.js';
import { nasStore } from '../../src/db/nas.js';
import { createPgAccountingWriter } from '../../src/db/pg-writer.js';
import { AccountingWriter } from '../../src/db/radius.js';
import { tokenStore } from '../../src/db/security.js';
import type { App } from '../../src/http/build.js';
import { buildApp } from '../helpers/app.js';
import { TestClock } from '../../src/lib/clock.js';
import { SecretBox } from '../../src/lib/secretbox.js';
import { NasReconciler, parseRouterOsUptime, startReconcileJob } from '../../src/nas/reconcile-job.js';
import { removeActiveSessionOn } from '../../src/nas/routeros/sessions.js';
import { routerOsOptionsOf } from '../../src/nas/settings.js';
import { daemonDatabase, openAppDatabase, type TestBackend } from '../helpers/backends.js';
import { api, createToken, startDaemon, tempDir, writeConfig } from '../helpers/daemon.js';
import { accountingRequest, UdpClient } from '../helpers/radius.js';
import { RouterOsSim } from '../helpers/routeros-sim.js';

let app: App;
let backend: TestBackend;
let sql: SqlClient;
let token: string;
let sim: RouterOsSim;
const box = new SecretBox(randomBytes(32));
const clock = new TestClock('2026-11-23T12:00:00.000Z');
const config = loadConfig(undefined, {}).config;

beforeAll(async () => {
  backend = await openAppDatabase(tempDir());
  ({ sql } = backend);
  ({ app } = await buildApp({ sql, db: backend.db, box, config, clock }));
  token = (await tokenStore(sql).create({ name: 't', role: 'super-admin', actor: { id: 'cli' } })).token;
  sim = await RouterOsSim.start({ tls: true, username: 'api', password: 'router-pass' });
});
afterAll(async () => {
  await app.close();
  await sim.close();
  await backend.close();
});

async function call(method: string, url: string, payload?: unknown) {
  const res = await app.inject({ method: method as 'GET', url, payload: payload as object, headers: { authorization: `Bearer ${token}` } });
  return { status: res.statusCode, body: res.body ? res.json() : undefined, raw: res.body };
}

async function seedSession(nasId: number, s: { id: string; username: string; ip: string; updatedAt: string; mac?: string }) {
  await sql.run(`insert into radius_sessions (nas_id, acct_session_id, username, framed_ip_address, calling_station_id, started_at, updated_at)
      values (?, ?, ?, ?, ?, ?, ?)`,
    nasId, s.id, s.username, s.ip, s.mac ?? null, '2026-11-23T08:00:00.000Z', s.updatedAt);
}

const session = (nasId: number, acctSessionId: string) =>
  sql.get<{ stopped_at: string | null; terminate_cause: string | null; origin: string | null; username: string; framed_ip_address: string | null; started_at: string }>(
    `select * from radius_sessions where nas_id = ? and acct_session_id = ?`, nasId, acctSessionId);

let nasId: number;

describe('RouterOS settings on /api/v1/nas', () => {
  it('stores the API password sealed and never answers or audits it', async () => {
    const res = await call('POST', '/api/v1/nas', {
      name: 'core-1', ipAddress: '127.0.0.1', secret: 'radius-secret-1', vendor: 'mikrotik',
      routerosEnabled: true, routerosPort: sim.port, routerosTls: true, routerosUsername: 'api', routerosPassword: 'router-pass',
      routerosFingerprint256: sim.fingerprint256.replace(/:/g, '').toLowerCase(),
    });
    expect(res.status, res.raw).toBe(201);
    nasId = res.body.id;
    expect(res.body).toMatchObject({ routerosEnabled: true, routerosTls: true, routerosUsername: 'api', routerosPasswordSet: true, routerosFingerprint256: sim.fingerprint256 });
    expect(res.raw).not.toContain('router-pass');
    const row = (await sql.get<{ p: string }>('select routeros_password_enc as p from nas where id = ?', nasId))!;
    expect(row.p).toMatch(/^v1:/);
    expect(box.open(row.p)).toBe('router-pass');
    const audit = JSON.stringify(await sql.all(`select * from audit_log where entity = 'nas'`));
    expect(audit).not.toMatch(/router-pass|PasswordEnc|password_enc/);
    expect((await call('GET', `/api/v1/nas/${nasId}`)).raw).not.toContain('router-pass');
  });

  it('rejects incomplete or malformed settings, naming the field, and changes nothing', async () => {
    const before = await sql.get('select count(*) n from nas');
    const noPass = await call('POST', '/api/v1/nas', { name: 'x', ipAddress: '10.9.9.9', secret: 'radius-secret-2', routerosEnabled: true, routerosUsername: 'api' });
    expect(noPass.status).toBe(422);
    expect(noPass.body.errors.map((e: { field: string }) => e.field)).toContain('routerosPassword');
    const range = await call('POST', '/api/v1/nas', { name: 'x', ipAddress: '10.9.0.0/24', secret: 'radius-secret-2', routerosEnabled: true, routerosUsername: 'a', routerosPassword: 'b' });
    expect(range.body.errors.map((e: { field: string }) => e.field)).toContain('routerosHost');
    const badPin = await call('POST', '/api/v1/nas', { name: 'x', ipAddress: '10.9.9.9', secret: 'radius-secret-2', routerosFingerprint256: 'zz'.repeat(32) });
    expect(badPin.status).toBe(422);
    expect(badPin.body.errors.map((e: { field: string }) => e.field)).toContain('routerosFingerprint256');
    expect(await sql.get('select count(*) n from nas')).toEqual(before);
  });
});

describe('reconciliation', () => {
  it('creates what the router has and we lack, closes what we hold and it lacks, and keeps a report', async () => {
    // Ours: alice (also on the router), bob (gone from the router long ago), carol (gone, but heard from a minute ago).
    await seedSession(nasId, { id: 'a1', username: 'alice', ip: '10.0.0.1', updatedAt: '2026-11-23T11:55:00.000Z' });
    await seedSession(nasId, { id: 'b1', username: 'bob', ip: '10.0.0.2', updatedAt: '2026-11-23T11:50:00.000Z' });
    await seedSession(nasId, { id: 'c1', username: 'carol', ip: '10.0.0.3', updatedAt: '2026-11-23T11:59:00.000Z' });
    sim.addPpp({ name: 'alice', address: '10.0.0.1', 'session-id': '0x81A00001' });
    sim.addPpp({ name: 'dave', address: '10.0.0.4', 'session-id': '0x81A00004', 'caller-id': 'AA:BB:CC:00:00:04' });
    sim.addHotspot({ user: 'erin', address: '10.5.0.5', 'mac-address': 'AA:BB:CC:00:00:05' });
    sim.hotspot.push({ '.id': '*F0', user: 'frank', address: '10.5.0.6', 'mac-address': 'AA:BB:CC:00:00:06', server: 'hotspot1', uptime: '30s' });

    const res = await call('POST', `/api/v1/nas/${nasId}/reconcile`);
    expect(res.status, res.raw).toBe(200);
    const r = res.body;
    expect(r).toMatchObject({ nasId, trigger: 'api', outcome: 'ok', error: null, routerSessions: 4, ourSessions: 3, matched: 1, created: 2, closed: 1, skipped: 2 });
    const by = (u: string) => r.items.find((i: { username: string }) => i.username === u);
    expect(by('dave')).toMatchObject({ action: 'created', side: 'router', kind: 'ppp', acctSessionId: '81a00004' });
    expect(by('erin')).toMatchObject({ action: 'created', side: 'router', kind: 'hotspot' });
    expect(by('frank')).toMatchObject({ action: 'skipped', side: 'router' });
    expect(by('bob')).toMatchObject({ action: 'closed', side: 'ours', acctSessionId: 'b1' });
    expect(by('carol')).toMatchObject({ action: 'skipped', side: 'ours' });

    // The database says the same: created sessions are marked, the lost Stop is written with a reason.
    expect(await session(nasId, 'b1')).toMatchObject({ stopped_at: clock.now().toISOString(), terminate_cause: 'Reconciliation' });
    expect((await session(nasId, 'c1'))!.stopped_at).toBeNull();
    expect((await session(nasId, 'a1'))!.stopped_at).toBeNull();
    const dave = (await session(nasId, '81a00004'))!;
    expect(dave).toMatchObject({ username: 'dave', framed_ip_address: '10.0.0.4', origin: 'reconciliation', stopped_at: null });
    expect(dave.started_at).toBe('2026-11-23T10:57:57.000Z'); // now minus the router's uptime of 1h2m3s
    const erin = (await sql.get<{ origin: string; stopped_at: null; calling_station_id: string }>(`select * from radius_sessions where username = 'erin'`))!;
    expect(erin).toMatchObject({ origin: 'reconciliation', stopped_at: null });

    const listed = (await call('GET', `/api/v1/sessions?nasId=${nasId}&username=dave`)).body.items;
    expect(listed[0]).toMatchObject({ acctSessionId: '81a00004', origin: 'reconciliation', active: true });

    // The API shows the stored report; the run is in the audit log.
    const latest = await call('GET', `/api/v1/nas/${nasId}/reconciliation`);
    expect(latest.body.items).toHaveLength(1);
    expect(latest.body.items[0]).toEqual(r);
    const audit = await sql.all<{ after: string }>(`select * from audit_log where entity = 'nas' and action = 'reconcile'`);
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0]!.after)).toMatchObject({ created: 2, closed: 1 });
  });

  it('a second run leaves the matched alone; past the grace period carol is closed and frank created', async () => {
    clock.advance(5 * 60_000);
    sim.hotspot.find((h) => h.user === 'frank')!.uptime = '5m30s';
    const r = (await call('POST', `/api/v1/nas/${nasId}/reconcile`)).body;
    expect(r).toMatchObject({ outcome: 'ok', routerSessions: 4, matched: 3, created: 1, closed: 1, skipped: 0 });
    expect(r.items.map((i: { username: string; action: string }) => `${i.username}:${i.action}`).sort()).toEqual(['carol:closed', 'frank:created']);
    const reports = (await call('GET', `/api/v1/nas/${nasId}/reconciliation?limit=5`)).body.items;
    expect(reports.map((x: { id: number }) => x.id)).toEqual([r.id, r.id - 1]);
  });

  it('a connection dropped in the middle of the listing changes nothing (half a list never closes sessions)', async () => {
    const open = async () => (await sql.get<{ n: number }>(`select count(*) n from radius_sessions where nas_id = ? and stopped_at is null`, nasId))!.n;
    const before = await open();
    sim.ppp.splice(0);
    sim.script('/ip/hotspot/active/print', { kind: 'drop' });
    const r = (await call('POST', `/api/v1/nas/${nasId}/reconcile`)).body;
    expect(r).toMatchObject({ outcome: 'error', created: 0, closed: 0, items: [] });
    expect(r.error).toMatch(/closed/);
    expect(await open()).toBe(before);
    // The router comes back with its sessions: the next run is clean again.
    sim.addPpp({ name: 'alice', address: '10.0.0.1', 'session-id': '0x81A00001' });
    sim.addPpp({ name: 'dave', address: '10.0.0.4', 'session-id': '0x81A00004', 'caller-id': 'AA:BB:CC:00:00:04' });
    expect((await call('POST', `/api/v1/nas/${nasId}/reconcile`)).body).toMatchObject({ outcome: 'ok', created: 0, closed: 0, matched: 4 });
  });

  it('one PPP session seen with different addresses on each side is matched by its session id', async () => {
    await sql.run(`insert into radius_sessions (nas_id, acct_session_id, username, started_at, updated_at) values (?, '81a00007', 'gina', ?, ?)`,
      nasId, '2026-11-23T08:00:00.000Z', '2026-11-23T08:00:00.000Z');
    sim.addPpp({ name: 'gina', address: '10.0.0.7', 'session-id': '0x81A00007' });
    const r = (await call('POST', `/api/v1/nas/${nasId}/reconcile`)).body;
    expect(r).toMatchObject({ outcome: 'ok', matched: 5, created: 0, closed: 0 });
    expect((await session(nasId, '81a00007'))!.stopped_at).toBeNull();
  });

  it('a router it cannot read gives an error report and changes nothing', async () => {
    const dead = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const port = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(port));
      });
    });
    const other = await call('POST', '/api/v1/nas', {
      name: 'edge-2', ipAddress: '127.0.0.2', secret: 'radius-secret-3', routerosEnabled: true, routerosHost: '127.0.0.1', routerosPort: dead,
      routerosUsername: 'api', routerosPassword: 'router-pass',
    });
    await seedSession(other.body.id, { id: 'z1', username: 'zed', ip: '10.1.0.1', updatedAt: '2026-11-20T00:00:00.000Z' });
    const r = (await call('POST', `/api/v1/nas/${other.body.id}/reconcile`)).body;
    expect(r).toMatchObject({ outcome: 'error', created: 0, closed: 0 });
    expect(r.error).toMatch(/ECONNREFUSED|connect/i);
    expect((await session(other.body.id, 'z1'))!.stopped_at).toBeNull();

    // A wrong pin fails before the password is sent.
    const patched = await call('PATCH', `/api/v1/nas/${other.body.id}`, { routerosPort: sim.port, routerosTls: true, routerosFingerprint256: '00'.repeat(32) });
    expect(patched.status, patched.raw).toBe(200);
    const logins = sim.commands('/login').length;
    const pinnedRes = await call('POST', `/api/v1/nas/${other.body.id}/reconcile`);
    expect(pinnedRes.status, pinnedRes.raw).toBe(200);
    const pinned = pinnedRes.body;
    expect(pinned.outcome).toBe('error');
    expect(pinned.error).toMatch(/fingerprint|certificate/i);
    expect(sim.commands('/login').length).toBe(logins);
    expect((await session(other.body.id, 'z1'))!.stopped_at).toBeNull();
  });

  it('answers 409 for a NAS without the RouterOS API and 404 for no NAS', async () => {
    const plain = await call('POST', '/api/v1/nas', { name: 'plain', ipAddress: '10.2.0.1', secret: 'radius-secret-4' });
    const r = await call('POST', `/api/v1/nas/${plain.body.id}/reconcile`);
    expect(r.status).toBe(409);
    expect(r.body.errors[0].field).toBe('routerosEnabled');
    expect((await call('POST', '/api/v1/nas/9999/reconcile')).status).toBe(404);
    expect((await call('GET', '/api/v1/nas/9999/reconciliation')).status).toBe(404);
  });
});

describe('removing a session on the router (the Disconnect fallback)', () => {
  it('removes by user and session id, and reports nothing removed when it is already gone', async () => {
    const options = routerOsOptionsOf((await nasStore(sql).nas(nasId))!, box)!;
    const before = sim.ppp.length;
    const r = await removeActiveSessionOn(options, { username: 'dave', acctSessionId: '81a00004' });
    expect(r.removed.map((s) => [s.kind, s.username])).toEqual([['ppp', 'dave']]);
    expect(sim.ppp.length).toBe(before - 1);
    expect(sim.commands('/ppp/active/remove').length).toBe(1);
    expect((await removeActiveSessionOn(options, { username: 'dave', acctSessionId: '81a00004' })).removed).toEqual([]);
    // A hotspot user by address.
    const h = await removeActiveSessionOn(options, { username: 'erin', address: '10.5.0.5' });
    expect(h.removed.map((s) => s.kind)).toEqual(['hotspot']);
    expect(sim.hotspot.some((s) => s.user === 'erin')).toBe(false);
  });
});

describe('the periodic job', () => {
  it('runs every interval through the writer and stops cleanly', async () => {
    const writer = backend.db ? new AccountingWriter(backend.db, () => {}, { index: false }) : await createPgAccountingWriter(sql);
    const reconciler = new NasReconciler({ store: nasStore(sql), box, clock, writer, timezone: 'Europe/Rome', graceSeconds: 0 });
    const reports: number[] = [];
    const job = startReconcileJob(reconciler, 1, (r) => reports.push(r.nasId), (e) => { throw e; });
    await new Promise((r) => setTimeout(r, 1500));
    await job.stop();
    await writer.close();
    // Every RouterOS-enabled NAS got a run (core-1 and edge-2).
    expect(new Set(reports).size).toBe(2);
    const n = reports.length;
    await new Promise((r) => setTimeout(r, 1200));
    expect(reports.length).toBe(n);
  });
});

describe('RouterOS uptime', () => {
  it('parses the forms RouterOS prints', () => {
    expect(parseRouterOsUptime('1w2d3h4m5s')).toBe(604_800 + 2 * 86_400 + 3 * 3600 + 4 * 60 + 5);
    expect(parseRouterOsUptime('30s')).toBe(30);
    expect(parseRouterOsUptime('01:02:03')).toBe(3723);
    expect(parseRouterOsUptime('2d01:00:00')).toBe(2 * 86_400 + 3600);
    expect(parseRouterOsUptime('')).toBeUndefined();
    expect(parseRouterOsUptime('soon')).toBeUndefined();
  });
});

// The compiled daemon (`npm run build` first), as production runs it: the scheduled job, sessions
// written through the RADIUS server's writer thread, onboarding with the bound ports, a clean stop.
describe('the daemon', () => {
  it('reconciles on schedule through the RADIUS writer, and stops cleanly', { timeout: 60_000 }, async () => {
    const SECRET = 'daemon-routeros-secret';
    const rsim = await RouterOsSim.start({ username: 'api', password: 'pw-daemon' });
    const udp = await UdpClient.open();
    const dir = tempDir('tollgate-daemon-routeros-');
    const d = await startDaemon({ dir, config: writeConfig(dir, '', (await daemonDatabase(dir)).toml), env: { TOLLGATE_NAS_RECONCILE_INTERVAL_SECONDS: '1', TOLLGATE_NAS_RECONCILE_GRACE_SECONDS: '0' } });
    try {
      const token = createToken(d.config);
      const ok = async (method: string, path: string, body?: unknown) => {
        const r = await api(d.http, token, method, path, body);
        expect(r.status, `${method} ${path}: ${JSON.stringify(r.body)}`).toBeLessThan(300);
        return r.body;
      };
      const until = async <T>(what: string, f: () => Promise<T | undefined>): Promise<T> => {
        for (let i = 0; i < 100; i++) {
          const v = await f();
          if (v !== undefined) return v;
          await new Promise((r) => setTimeout(r, 100));
        }
        throw new Error(`timed out waiting for ${what}`);
      };
      const plan = await ok('POST', '/api/v1/plans', { name: 'p', type: 'recurring', price: 1000, billingPeriodMonths: 1, downloadKbps: 10000, uploadKbps: 2000 });
      const customer = await ok('POST', '/api/v1/customers', { name: 'c' });
      const service = await ok('POST', '/api/v1/services', { customerId: customer.id, planId: plan.id, username: 'dave', password: 'pw-123456', startDate: '2026-01-01' });
      rsim.addPpp({ name: 'dave', address: '100.64.0.4', 'session-id': '0x81A00004' });
      const nas = await ok('POST', '/api/v1/nas', {
        name: 'router', ipAddress: '127.0.0.1', secret: SECRET, vendor: 'mikrotik',
        routerosEnabled: true, routerosPort: rsim.port, routerosUsername: 'api', routerosPassword: 'pw-daemon',
      });

      const report = await until('a scheduled report', async () => {
        const items = (await ok('GET', `/api/v1/nas/${nas.id}/reconciliation`)).items;
        return items[0]?.trigger === 'schedule' && items[0].created === 1 ? items[0] : undefined;
      });
      expect(report).toMatchObject({ outcome: 'ok', routerSessions: 1, created: 1 });
      const open = (await ok('GET', `/api/v1/sessions?username=dave&active=true`)).items;
      expect(open).toEqual([expect.objectContaining({ acctSessionId: '81a00004', serviceId: service.id, origin: 'reconciliation', framedIpAddress: '100.64.0.4' })]);

      // The router's own accounting for that session lands on the same row.
      const interim = accountingRequest(SECRET, { 'Acct-Status-Type': 'Interim-Update', 'User-Name': 'dave', 'Acct-Session-Id': '81a00004', 'Framed-IP-Address': '100.64.0.4', 'Acct-Input-Octets': 1000 });
      expect(await udp.exchange(interim, d.acctPort)).toBeDefined();
      const after = (await ok('GET', `/api/v1/sessions?username=dave`)).items;
      expect(after).toHaveLength(1);
      expect(after[0].inputOctets).toBe(1000);

      // The router drops the session and the Stop is lost: the next run closes ours.
      rsim.ppp.splice(0);
      const closed = await until('the session closed', async () => {
        const items = (await ok('GET', `/api/v1/sessions?username=dave`)).items;
        return items[0]?.active === false ? items[0] : undefined;
      });
      expect(closed.terminateCause).toBe('Reconciliation');

      // Onboarding names the ports the listeners actually bound.
      const onboarding = await ok('GET', `/api/v1/nas/${nas.id}/onboarding`);
      expect(onboarding).toMatchObject({ authPort: d.authPort, acctPort: d.acctPort });

      expect(await d.stop('SIGTERM')).toBe(0);
    } finally {
      if (d.proc.exitCode === null) await d.stop();
      await udp.close();
      await rsim.close();
    }
  });
});
