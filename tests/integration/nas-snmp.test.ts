// SNMP polling against Debian's real snmpd on 127.0.0.1 (v2c community and a v3 SHA/AES user):
// uptime and IF-MIB 64-bit counters read with net-snmp, checked against the kernel's own loopback
// counters; then the poller stores status and traffic samples that the API serves, marks a NAS down
// after failed polls and sets the Prometheus gauge. Skipped when snmpd is not installed.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { SqlClient } from '../../src/db/sql.js';
import { tokenStore } from '../../src/db/security.js';
import type { App } from '../../src/http/build.js';
import { buildApp } from '../helpers/app.js';
import { TestClock } from '../../src/lib/clock.js';
import { SecretBox } from '../../src/lib/secretbox.js';
import { createMetrics } from '../../src/metrics.js';
import { createNasJobs } from '../../src/nas/jobs.js';
import { pollSnmp, type SnmpReading, type SnmpTarget } from '../../src/nas/snmp/client.js';
import { daemonDatabase, openAppDatabase, type TestBackend } from '../helpers/backends.js';
import { api, createToken, startDaemon, tempDir, writeConfig } from '../helpers/daemon.js';
import { freeUdpPort } from '../helpers/freeradius.js';
import pino from 'pino';

const SNMPD = '/usr/sbin/snmpd';
const haveSnmpd = existsSync(SNMPD);
const COMMUNITY = 'tollgate-ro';
const V3 = { user: 'tgv3', authKey: 'auth-pass-123', privKey: 'priv-pass-123' };

let proc: ChildProcess | undefined;
let port = 0;
let snmpdLog = '';
/** The kernel's loopback counters before snmpd started: snmpd caches counters for a few seconds. */
let atStart = { rx: 0n, tx: 0n };

const loRx = () => BigInt(readFileSync('/sys/class/net/lo/statistics/rx_bytes', 'utf8').trim());
const loTx = () => BigInt(readFileSync('/sys/class/net/lo/statistics/tx_bytes', 'utf8').trim());

async function startSnmpd(): Promise<void> {
  const dir = tempDir('snmpd-');
  port = await freeUdpPort();
  atStart = { rx: loRx(), tx: loTx() };
  writeFileSync(
    join(dir, 'snmpd.conf'),
    `agentAddress udp:127.0.0.1:${port}
rocommunity ${COMMUNITY} 127.0.0.1
createUser ${V3.user} SHA "${V3.authKey}" AES "${V3.privKey}"
rouser ${V3.user} priv
`,
  );
  mkdirSync(join(dir, 'persist'));
  // -f foreground, -C only this config, -I -smux no SMUX, -Lo log to stdout; MIBS empty: no MIB parsing.
  proc = spawn(SNMPD, ['-f', '-Lo', '-C', '-c', join(dir, 'snmpd.conf'), '-p', join(dir, 'pid'), '-I', '-smux'], {
    env: { ...process.env, SNMP_PERSISTENT_DIR: join(dir, 'persist'), MIBS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stdout!.on('data', (d: Buffer) => (snmpdLog += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (snmpdLog += d.toString()));
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      await pollSnmp({ host: '127.0.0.1', port, auth: { version: '2c', community: COMMUNITY }, timeoutMs: 300, retries: 0 });
      return;
    } catch (err) {
      if (Date.now() > deadline || proc.exitCode !== null) throw new Error(`snmpd did not answer: ${(err as Error).message}\n${snmpdLog}`, { cause: err });
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

const v2c = (): SnmpTarget => ({ host: '127.0.0.1', port, auth: { version: '2c', community: COMMUNITY }, timeoutMs: 1000, retries: 0 });
const v3 = (): SnmpTarget => ({ host: '127.0.0.1', port, auth: { version: '3', ...V3 }, timeoutMs: 1000, retries: 0 });

/** Why snmpd could not run here (a sandbox without UDP, say): the tests then skip, saying so. */
let cannotRun: string | undefined;

beforeAll(async () => {
  if (!haveSnmpd) return;
  try {
    await startSnmpd();
  } catch (err) {
    cannotRun = (err as Error).message;
    console.warn(`snmpd cannot run here; SNMP tests skipped: ${cannotRun}`);
  }
}, 20_000);
beforeEach((ctx) => {
  if (cannotRun !== undefined) ctx.skip();
});
afterAll(() => {
  if (proc && proc.exitCode === null) proc.kill('SIGTERM');
});

function checkLoopback(reading: SnmpReading, after: { rx: bigint; tx: bigint }) {
  const before = atStart;
  expect(reading.uptimeTicks).toBeGreaterThan(0);
  const lo = reading.interfaces.find((i) => i.name === 'lo');
  expect(lo, JSON.stringify(reading.interfaces, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))).toBeDefined();
  // snmpd reads the same kernel counters (through a short cache): its value lies between what the
  // kernel said before snmpd started and what it says now.
  expect(lo!.inOctets >= before.rx && lo!.inOctets <= after.rx).toBe(true);
  expect(lo!.outOctets >= before.tx && lo!.outOctets <= after.tx).toBe(true);
}

describe.skipIf(!haveSnmpd)('net-snmp against snmpd', () => {
  it('reads sysUpTime and the 64-bit interface counters with v2c', async () => {
    const r = await pollSnmp(v2c());
    checkLoopback(r, { rx: loRx(), tx: loTx() });
    expect(typeof r.interfaces[0]!.inOctets).toBe('bigint');
  });

  it('reads the same with v3 authPriv (SHA, AES)', async () => {
    const r = await pollSnmp(v3());
    checkLoopback(r, { rx: loRx(), tx: loTx() });
  });

  it('fails with a wrong community or a wrong v3 key', async () => {
    // snmpd drops a request with a community it does not know: no answer to the first send nor to the retry.
    await expect(pollSnmp({ ...v2c(), auth: { version: '2c', community: 'wrong' }, timeoutMs: 400, retries: 1 })).rejects.toMatchObject({
      name: 'SnmpError', local: { key: 'nas.snmpTimeout', values: { seconds: '0.8' } },
    });
    // A wrong v3 key gets a USM report (wrong digest), which names the credentials.
    await expect(pollSnmp({ ...v3(), auth: { version: '3', ...V3, authKey: 'not-the-key-1' }, timeoutMs: 400 })).rejects.toMatchObject({
      name: 'SnmpError', local: { key: 'nas.snmpAuth' },
    });
  });
});

describe.skipIf(!haveSnmpd)('the poller and the API', () => {
  let app: App;
  let backend: TestBackend;
let sql: SqlClient;
  let token: string;
  const box = new SecretBox(randomBytes(32));
  const clock = new TestClock('2026-11-23T12:00:00.000Z');
  const config = loadConfig(undefined, { TOLLGATE_NAS_SNMP_TIMEOUT_MS: '500', TOLLGATE_NAS_SNMP_DOWN_AFTER_FAILURES: '2' }).config;
  const metrics = createMetrics();

  beforeAll(async () => {
    backend = await openAppDatabase(tempDir());
    ({ sql } = backend);
    ({ app } = await buildApp({ sql, db: backend.db, box, config, clock }));
    token = (await tokenStore(sql).create({ name: 't', role: 'super-admin', actor: { id: 'cli' } })).token;
  });
  afterAll(async () => {
    await app.close();
    await backend.close();
  });

  async function call(method: string, url: string, payload?: unknown) {
    const res = await app.inject({ method: method as 'GET', url, payload: payload as object, headers: { authorization: `Bearer ${token}` } });
    return { status: res.statusCode, body: res.body ? res.json() : undefined, raw: res.body };
  }

  it('keeps the v3 keys and the community write-only', async () => {
    const res = await call('POST', '/api/v1/nas', {
      name: 'snmp-v3', ipAddress: '127.0.0.1', secret: 'radius-secret-1', snmpEnabled: true, snmpPort: port, snmpVersion: '3',
      snmpV3User: V3.user, snmpV3AuthKey: V3.authKey, snmpV3PrivKey: V3.privKey,
    });
    expect(res.status, res.raw).toBe(201);
    expect(res.body).toMatchObject({ snmpEnabled: true, snmpVersion: '3', snmpV3User: V3.user, snmpV3AuthKeySet: true, snmpV3PrivKeySet: true, snmpCommunitySet: false });
    expect(res.raw).not.toMatch(/auth-pass|priv-pass/);
    const audit = JSON.stringify(await sql.all(`select * from audit_log`));
    expect(audit).not.toMatch(/auth-pass|priv-pass|KeyEnc|key_enc/);
    const bad = await call('POST', '/api/v1/nas', { name: 'snmp-bad', ipAddress: '10.0.0.9', secret: 'radius-secret-2', snmpEnabled: true, snmpVersion: '2c' });
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].field).toBe('snmpCommunity');
    const v2 = await call('POST', '/api/v1/nas', { name: 'snmp-v2c', ipAddress: '127.0.0.1/32', secret: 'radius-secret-3', snmpEnabled: true, snmpPort: port, snmpVersion: '2c', snmpCommunity: COMMUNITY });
    expect(v2.status, v2.raw).toBe(201);
    expect(v2.raw).not.toContain(COMMUNITY);
  });

  it('stores status and traffic samples from counter deltas, served by the API', { timeout: 20_000 }, async () => {
    const jobs = createNasJobs({ sql: sql, box, config, clock, writer: { accounting: async () => {} }, metrics, log: pino({ level: 'silent' }) });
    const first = await jobs.poller.pollAll();
    expect(first.map((s) => s.state)).toEqual(['up', 'up']);
    // Traffic between the polls: the SNMP exchanges themselves cross the loopback interface. snmpd
    // caches interface counters for a few seconds, so let real time pass too.
    await new Promise((r) => setTimeout(r, 5000));
    clock.advance(60_000);
    await jobs.poller.pollAll();

    const nas = (await call('GET', '/api/v1/nas')).body.items as { id: number; name: string }[];
    const id = nas.find((n) => n.name === 'snmp-v3')!.id;
    const status = (await call('GET', `/api/v1/nas/${id}/status`)).body;
    expect(status).toMatchObject({ nasId: id, snmpEnabled: true, state: 'up', lastSeenAt: clock.now().toISOString(), consecutiveFailures: 0, lastError: null });
    expect(status.uptimeSeconds).toBeGreaterThanOrEqual(0);
    const lo = status.interfaces.find((i: { name: string }) => i.name === 'lo');
    expect(BigInt(lo.inOctets)).toBeGreaterThan(0n);

    const traffic = (await call('GET', `/api/v1/nas/${id}/traffic?from=2026-11-23T00:00:00Z&to=2026-11-24T00:00:00Z`)).body;
    const samples = traffic.items.filter((s: { ifIndex: number }) => s.ifIndex === lo.ifIndex);
    expect(samples).toHaveLength(1);
    const s = samples[0];
    expect(s).toMatchObject({ at: clock.now().toISOString(), seconds: 60 });
    expect(s.inOctets).toBeGreaterThan(0);
    expect(s.inBps).toBe(Math.floor((s.inOctets * 8) / 60));
    expect(s.outBps).toBe(Math.floor((s.outOctets * 8) / 60));
    // Outside the window: nothing.
    expect((await call('GET', `/api/v1/nas/${id}/traffic?from=2026-11-22T00:00:00Z&to=2026-11-22T01:00:00Z`)).body.items).toEqual([]);
    expect((await call('GET', `/api/v1/nas/${id}/traffic?from=2026-11-24T00:00:00Z&to=2026-11-23T00:00:00Z`)).status).toBe(422);

    expect(await metrics.registry.getSingleMetricAsString('tollgate_nas_up')).toMatch(/tollgate_nas_up\{nas="snmp-v3",nas_id="\d+"\} 1/);
  });

  it('marks a NAS down after failed polls in a row, and up again when it answers', async () => {
    const jobs = createNasJobs({ sql: sql, box, config, clock, writer: { accounting: async () => {} }, metrics, log: pino({ level: 'silent' }) });
    const nas = (await call('GET', '/api/v1/nas')).body.items as { id: number; name: string }[];
    const id = nas.find((n) => n.name === 'snmp-v2c')!.id;
    await call('PATCH', `/api/v1/nas/${id}`, { snmpCommunity: 'wrong-community' });
    clock.advance(60_000);
    await jobs.poller.pollAll();
    let status = (await call('GET', `/api/v1/nas/${id}/status`)).body;
    expect(status).toMatchObject({ state: 'up', consecutiveFailures: 1 });
    expect(status.lastError).toMatch(/^no SNMP answer within 1 s: /);
    expect(status).toMatchObject({ lastErrorCode: 'nas.snmpTimeout', lastErrorValues: { seconds: '1' } });
    clock.advance(60_000);
    await jobs.poller.pollAll();
    status = (await call('GET', `/api/v1/nas/${id}/status`)).body;
    expect(status).toMatchObject({ state: 'down', consecutiveFailures: 2, lastSeenAt: '2026-11-23T12:01:00.000Z' });
    expect(await metrics.registry.getSingleMetricAsString('tollgate_nas_up')).toMatch(/tollgate_nas_up\{nas="snmp-v2c",nas_id="\d+"\} 0/);

    await call('PATCH', `/api/v1/nas/${id}`, { snmpCommunity: COMMUNITY });
    clock.advance(60_000);
    await jobs.poller.pollAll();
    status = (await call('GET', `/api/v1/nas/${id}/status`)).body;
    expect(status).toMatchObject({ state: 'up', consecutiveFailures: 0 });
    // Three minutes since the last good poll: one sample over the whole gap.
    const traffic = (await call('GET', `/api/v1/nas/${id}/traffic?from=${clock.now().toISOString()}&to=${clock.now().toISOString()}`)).body.items;
    expect(traffic.length).toBeGreaterThan(0);
    expect(traffic.every((t: { seconds: number }) => t.seconds === 180)).toBe(true);
  });
});

// The compiled daemon (`npm run build` first) polls on its own schedule and exports the gauge.
describe.skipIf(!haveSnmpd)('the daemon', () => {
  it('polls SNMP-enabled NAS every [nas] snmp_interval_seconds and serves tollgate_nas_up', { timeout: 60_000 }, async () => {
    const dir = tempDir('tollgate-daemon-snmp-');
    const d = await startDaemon({ dir, config: writeConfig(dir, '', (await daemonDatabase(dir)).toml), env: { TOLLGATE_NAS_SNMP_INTERVAL_SECONDS: '1' } });
    try {
      const token = createToken(d.config);
      const nas = await api(d.http, token, 'POST', '/api/v1/nas', {
        name: 'polled', ipAddress: '127.0.0.1', secret: 'radius-secret-9', snmpEnabled: true, snmpPort: port, snmpVersion: '3',
        snmpV3User: V3.user, snmpV3AuthKey: V3.authKey, snmpV3PrivKey: V3.privKey,
      });
      expect(nas.status, JSON.stringify(nas.body)).toBe(201);
      let status: { state: string; uptimeSeconds: number | null; interfaces: unknown[] } | undefined;
      for (let i = 0; i < 100 && status?.state !== 'up'; i++) {
        status = (await api(d.http, token, 'GET', `/api/v1/nas/${nas.body.id}/status`)).body;
        if (status?.state !== 'up') await new Promise((r) => setTimeout(r, 100));
      }
      expect(status).toMatchObject({ state: 'up' });
      expect(status!.interfaces.length).toBeGreaterThan(0);
      const metrics = await (await fetch(`${d.http}/metrics`)).text();
      expect(metrics).toMatch(new RegExp(`tollgate_nas_up\\{nas="polled",nas_id="${nas.body.id}"\\} 1`));
      expect(await d.stop('SIGTERM')).toBe(0);
    } finally {
      if (d.proc.exitCode === null) await d.stop();
    }
  });
});
