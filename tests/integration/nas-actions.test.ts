// CoA and Disconnect end to end over real UDP on 127.0.0.1: the HTTP app and the RADIUS server wired
// as src/main.ts wires them (one ServiceControl, sessions closed through the accounting writer), and
// the NAS simulator of tests/helpers/nas-sim.ts, which checks our requests with its own RFC 5176
// arithmetic and answers as each test scripts it, sending the Accounting-Stop a real NAS would send.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { actionStore } from '../../src/db/actions.js';
import type { SqlClient } from '../../src/db/sql.js';
import { tokenStore } from '../../src/db/security.js';
import { createNetworkControl } from '../../src/daemon.js';
import type { App } from '../../src/http/build.js';
import { TestClock } from '../../src/lib/clock.js';
import { SecretBox } from '../../src/lib/secretbox.js';
import { createMetrics } from '../../src/metrics.js';
import { createServiceControl, type ServiceControlRuntime } from '../../src/nas/actions.js';
import { Code } from '../../src/radius/codec/index.js';
import { startRadiusServer, type RadiusServer } from '../../src/aaa/server.js';
import { Topic, type Change } from '../../src/lib/topic.js';
import { systemClock } from '../../src/lib/clock.js';
import { buildHttp, composeParts } from '../helpers/app.js';
import { accountingWriter, openAppDatabase, type TestBackend } from '../helpers/backends.js';
import { tempDir } from '../helpers/daemon.js';
import { NasSim, SIM_CODES, type SimRequest } from '../helpers/nas-sim.js';
import { RouterOsSim } from '../helpers/routeros-sim.js';
import { accessRequest, accountingRequest, checkReply, haveRadclient, radclient, rawAttr, UdpClient } from '../helpers/radius.js';

const SECRET = 'nas-actions-secret';
const quiet = pino({ level: 'silent' });

function configIn(dir: string, disconnectConfirmSeconds = 1): Config {
  const file = join(dir, 'tollgate.toml');
  writeFileSync(
    file,
    `[database]
path = "${join(dir, 'tollgate.db')}"
synchronous = "normal"
[radius]
auth_listen = "127.0.0.1:0"
acct_listen = "127.0.0.1:0"
walled_garden_list = "tollgate-suspended"
walled_garden_download_kbps = 256
walled_garden_upload_kbps = 128
coa_timeout_ms = 200
coa_tries = 2
disconnect_confirm_seconds = ${disconnectConfirmSeconds}
coa_confirm_seconds = 1
`,
  );
  return loadConfig(file, {}).config;
}

interface World {
  backend: TestBackend;
  sql: SqlClient;
  box: SecretBox;
  config: Config;
  radius: RadiusServer;
  control: ServiceControlRuntime;
  app: App;
  token: string;
  sim: NasSim;
  udp: UdpClient;
  acctPort: number;
  authPort: number;
  nasId: number;
  metrics: ReturnType<typeof createMetrics>;
}

let w: World;

beforeAll(async () => {
  const dir = tempDir('tollgate-nas-actions-');
  const config = configIn(dir);
  const backend = await openAppDatabase(dir);
  const { sql, db } = backend;
  const box = new SecretBox(randomBytes(32));
  const metrics = createMetrics();
  const changes = new Topic<Change>();
  const writer = await accountingWriter(backend);
  // As src/main.ts does it: network control, services, RADIUS, HTTP.
  const control = createNetworkControl({ sql, box, config, clock: systemClock, writer, changes, metrics, checkIntervalMs: 100 });
  const options = { sql, db, box, config, clock: systemClock, metrics, control, changes, writer };
  const parts = composeParts(options);
  const radius = await startRadiusServer({ config, sql, db, box, log: quiet, metrics, clock: systemClock, writer, changes, vouchers: parts.services.prepaid.vouchers });
  control.start();
  const app = await buildHttp(parts, options);
  const token = (await tokenStore(sql).create({ name: 't', role: 'super-admin', actor: { id: 'cli' } })).token;
  const sim = await NasSim.start({ secret: SECRET });
  const udp = await UdpClient.open();
  const port = (a: string) => Number(a.split(':').pop());
  w = {
    backend, sql, box, config, radius, control, app, token, sim, udp, metrics, nasId: 0,
    acctPort: port(radius.addresses().acct[0]!),
    authPort: port(radius.addresses().auth[0]!),
  };
  w.nasId = (await call('POST', '/api/v1/nas', { name: 'sim', ipAddress: '127.0.0.1', secret: SECRET, vendor: 'mikrotik', coaPort: sim.port }, 201)).id;
});

afterAll(async () => {
  await w?.app.close();
  await w?.control.stop();
  await w?.radius.close();
  await w?.sim.close();
  await w?.udp.close();
  await w?.backend.close();
});

async function call(method: string, url: string, payload?: unknown, status?: number) {
  const res = await w.app.inject({ method: method as 'GET', url, payload: payload as object, headers: { authorization: `Bearer ${w.token}` } });
  const body = res.body ? res.json() : undefined;
  if (status !== undefined) expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(status);
  return body;
}

let n = 0;
async function plan(extra: Record<string, unknown> = {}) {
  return call('POST', '/api/v1/plans', { name: `plan-${++n}`, type: 'recurring', price: 1000, billingPeriodMonths: 1, downloadKbps: 10000, uploadKbps: 2000, ...extra }, 201);
}
async function service(planId: number, extra: Record<string, unknown> = {}) {
  const customer = await call('POST', '/api/v1/customers', { name: `customer ${++n}` }, 201);
  return call('POST', '/api/v1/services', { customerId: customer.id, planId, username: `user${++n}`, password: 'pw-123456', startDate: '2026-01-01', ...extra }, 201);
}

/** Accounting from "the NAS" (127.0.0.1), answered only once the record is durable. */
async function accounting(kind: 'Start' | 'Interim-Update' | 'Stop', username: string, sessionId: string, framedIp = '100.64.0.10', outputOctets?: number) {
  const req = accountingRequest(SECRET, {
    'Acct-Status-Type': kind, 'User-Name': username, 'Acct-Session-Id': sessionId, 'NAS-IP-Address': '127.0.0.1', 'Framed-IP-Address': framedIp,
    ...(kind === 'Stop' ? { 'Acct-Terminate-Cause': 'Admin-Reset' } : {}),
    ...(outputOctets !== undefined ? { 'Acct-Output-Octets': outputOctets, 'Acct-Input-Octets': 0 } : {}),
  });
  const reply = await w.udp.exchange(req, w.acctPort);
  expect(reply, `no Accounting-Response to ${kind}`).toBeDefined();
}

async function until<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const actionsOf = async (serviceId: number) => (await call('GET', `/api/v1/actions?serviceId=${serviceId}`, undefined, 200)).items as Record<string, any>[];
const requestsFor = (username: string) => w.sim.received.filter((r) => r.userName === username);
const openSessions = async (serviceId: number) => (await call('GET', `/api/v1/sessions?serviceId=${serviceId}&active=true`, undefined, 200)).items as Record<string, any>[];

/** A NAS that ACKs and, as a real one does, then sends the Accounting-Stop of a disconnected session. */
function ackAndStop(req: SimRequest) {
  if (req.code === SIM_CODES.DisconnectRequest && req.transmission === 1) {
    setTimeout(() => void accounting('Stop', req.userName!, req.acctSessionId!, req.framedIpAddress), 50);
  }
  return { kind: 'ack' as const };
}

beforeEach(() => {
  w.sim.policy = ackAndStop;
});

describe('POST /api/v1/services/{id}/disconnect (kick)', () => {
  it('sends a Disconnect for each open session, leaves the service active, and the next login is accepted', async () => {
    const p = await plan();
    const s = await service(p.id, { simultaneousUse: 2 });
    await accounting('Start', s.username, 'sess-kick-1', '100.64.1.1');
    await accounting('Start', s.username, 'sess-kick-2', '100.64.1.2');
    const summary = await call('POST', `/api/v1/services/${s.id}/disconnect`, { reason: 'kick from support' }, 200);
    expect(summary.actions.map((a: { kind: string; sessionId: string }) => [a.kind, a.sessionId]).sort()).toEqual([
      ['disconnect', 'sess-kick-1'],
      ['disconnect', 'sess-kick-2'],
    ]);
    const sent = requestsFor(s.username);
    expect(sent.map((r) => [r.code, r.acctSessionId, r.framedIpAddress]).sort()).toEqual([
      [SIM_CODES.DisconnectRequest, 'sess-kick-1', '100.64.1.1'],
      [SIM_CODES.DisconnectRequest, 'sess-kick-2', '100.64.1.2'],
    ]);
    expect(sent.every((r) => r.hasMessageAuthenticator)).toBe(true);
    await until('both confirmed', async () => (await actionsOf(s.id)).filter((a) => a.outcome === 'confirmed' && a.reason === 'kick from support').length === 2 || undefined);
    expect(await openSessions(s.id)).toEqual([]);
    expect((await call('GET', `/api/v1/services/${s.id}`, undefined, 200)).status).toBe('active');
    const request = accessRequest(SECRET, { 'User-Name': s.username, 'User-Password': 'pw-123456', 'NAS-IP-Address': '127.0.0.1' });
    expect(checkReply((await w.udp.exchange(request, w.authPort))!, request, SECRET).packet.code).toBe(Code.AccessAccept);
  });

  it('answers 404 for an unknown service', async () => {
    await call('POST', '/api/v1/services/999999/disconnect', {}, 404);
  });
});

describe('POST /api/v1/services/{id}/suspend', () => {
  it('cuts the open session: Disconnect-ACK within 2 s, confirmed by the Stop, and the login is refused', async () => {
    const p = await plan();
    const s = await service(p.id);
    await accounting('Start', s.username, 'sess-suspend-1', '100.64.0.11');
    const started = Date.now();
    const summary = await call('POST', `/api/v1/services/${s.id}/suspend`, { reason: 'invoice 2026-0042 overdue' }, 200);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(summary).toMatchObject({ serviceId: s.id, actions: [{ kind: 'disconnect', sessionId: 'sess-suspend-1', outcome: expect.stringMatching(/^(acked|confirmed)$/) }] });

    // What the NAS got, checked with the simulator's own authenticator arithmetic.
    const [req] = requestsFor(s.username);
    expect(req).toMatchObject({
      code: SIM_CODES.DisconnectRequest, acctSessionId: 'sess-suspend-1', framedIpAddress: '100.64.0.11', nasIpAddress: '127.0.0.1', hasMessageAuthenticator: true,
    });
    expect(Math.abs(req!.eventTimestamp! - Date.now() / 1000)).toBeLessThan(5);
    expect(w.sim.drops).toEqual({ malformed: 0, unexpected_code: 0, bad_request_authenticator: 0, bad_message_authenticator: 0, missing_message_authenticator: 0 });

    const confirmed = await until('confirmation', async () => (await actionsOf(s.id)).find((a) => a.outcome === 'confirmed'));
    expect(confirmed).toMatchObject({
      kind: 'disconnect', reason: 'invoice 2026-0042 overdue', by: expect.stringMatching(/^token:/), nasId: w.nasId, target: `127.0.0.1:${w.sim.port}`,
      request: { session: { userName: s.username, acctSessionId: 'sess-suspend-1', framedIpAddress: '100.64.0.11', nasIpAddress: '127.0.0.1' }, attributes: [] },
      attempts: 1, retries: 0, via: 'coa', errorCause: null,
    });
    expect(confirmed.confirmedAt).not.toBeNull();
    expect(await openSessions(s.id)).toEqual([]);

    // The state change: status, the suspension from today, the audit row.
    expect((await call('GET', `/api/v1/services/${s.id}`, undefined, 200)).status).toBe('suspended');
    expect(await w.sql.all('select from_date, to_date, mode from service_suspensions where service_id = ?', s.id)).toEqual([
      { from_date: expect.stringMatching(/^\d{4}-\d\d-\d\d$/), to_date: null, mode: 'reject' },
    ]);
    const audit = await w.sql.all<{ actor: string; after: string }>(`select actor, after from audit_log where entity = 'service' and entity_id = ? and action = 'suspend'`, String(s.id));
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0]!.after)).toMatchObject({ status: 'suspended', reason: 'invoice 2026-0042 overdue' });

    // RADIUS dropped its cached row: the next login is refused with a Reply-Message.
    const request = accessRequest(SECRET, { 'User-Name': s.username, 'User-Password': 'pw-123456', 'NAS-IP-Address': '127.0.0.1' });
    const reply = checkReply((await w.udp.exchange(request, w.authPort))!, request, SECRET);
    expect(reply.packet.code).toBe(Code.AccessReject);
    expect(rawAttr(reply.packet, 'Reply-Message')?.toString()).toBe('service suspended');

    // Metrics count the outcomes by kind.
    const metrics = await w.metrics.registry.getSingleMetricAsString('tollgate_nas_actions_total');
    expect(metrics).toMatch(/tollgate_nas_actions_total\{kind="disconnect",outcome="acked"\} [1-9]/);
    expect(metrics).toMatch(/tollgate_nas_actions_total\{kind="disconnect",outcome="confirmed"\} [1-9]/);

    // A second suspend changes nothing and writes no second suspension; resume ends it (no CoA: rejected mode).
    await call('POST', `/api/v1/services/${s.id}/suspend`, undefined, 200);
    expect((await w.sql.get<{ n: number }>('select count(*) n from service_suspensions where service_id = ?', s.id))!.n).toBe(1);
    const before = w.sim.received.length;
    expect(await call('POST', `/api/v1/services/${s.id}/resume`, {}, 200)).toEqual({ serviceId: s.id, actions: [] });
    expect(w.sim.received.length).toBe(before);
    expect((await call('GET', `/api/v1/services/${s.id}`, undefined, 200)).status).toBe('active');
    expect(await w.sql.get('select to_date from service_suspensions where service_id = ?', s.id)).toEqual({ to_date: expect.stringMatching(/^\d{4}-/) });
  });

  it('answers 404 for an unknown service and 409 for one that cannot be suspended, changing nothing', async () => {
    const missing = await call('POST', '/api/v1/services/999999/suspend', {}, 404);
    expect(missing.status).toBe(404);
    const p = await plan();
    const s = await service(p.id, { status: 'proposal' });
    const r = await call('POST', `/api/v1/services/${s.id}/suspend`, {}, 409);
    expect(r.errors[0].field).toBe('status');
    expect((await w.sql.get<{ n: number }>('select count(*) n from service_suspensions where service_id = ?', s.id))!.n).toBe(0);
    const bad = await call('POST', `/api/v1/services/${s.id}/disconnect`, { reason: '' }, 422);
    expect(bad.errors[0].field).toBe('reason');
  });
});

describe('NAKs, timeouts and fallbacks', () => {
  it('a NAK Session-Context-Not-Found closes our record of the session', async () => {
    w.sim.policy = () => ({ kind: 'nak', errorCause: 503 });
    const s = await service((await plan()).id);
    await accounting('Start', s.username, 'sess-ghost');
    const summary = await call('POST', `/api/v1/services/${s.id}/disconnect`, { reason: 'kick' }, 200);
    expect(summary.actions).toEqual([{ id: expect.any(Number), kind: 'disconnect', sessionId: 'sess-ghost', outcome: 'nak' }]);
    const [a] = await actionsOf(s.id);
    expect(a).toMatchObject({ outcome: 'nak', errorCause: 503, errorCauseName: 'Session-Context-Not-Found' });
    const closed = (await call('GET', `/api/v1/sessions?serviceId=${s.id}`, undefined, 200)).items[0];
    expect(closed).toMatchObject({ active: false, terminateCause: 'Session-Context-Not-Found' });
    // Closed through the writer: its index of open sessions no longer counts it (simultaneousUse 1).
    const request = accessRequest(SECRET, { 'User-Name': s.username, 'User-Password': 'pw-123456', 'NAS-IP-Address': '127.0.0.1' });
    expect(checkReply((await w.udp.exchange(request, w.authPort))!, request, SECRET).packet.code).toBe(Code.AccessAccept);
  });

  it('a plan change sends a CoA with the new rate, confirmed by the next accounting packet', async () => {
    const slow = await plan({ downloadKbps: 4000, uploadKbps: 1000 });
    const fast = await plan({ downloadKbps: 50000, uploadKbps: 10000 });
    const s = await service(slow.id);
    await accounting('Start', s.username, 'sess-rate');
    await call('PATCH', `/api/v1/services/${s.id}`, { planId: fast.id }, 200);
    const coa = await until('the CoA', () => requestsFor(s.username).find((r) => r.code === SIM_CODES.CoARequest));
    expect(coa).toMatchObject({ mikrotikRateLimit: '10000k/50000k', acctSessionId: 'sess-rate', framedIpAddress: '100.64.0.10', hasMessageAuthenticator: true });
    expect(coa.mikrotikAddressList).toBeUndefined();
    const acked = await until('the ACK', async () => (await actionsOf(s.id)).find((a) => a.outcome === 'acked'));
    expect(acked).toMatchObject({ kind: 'coa', request: { attributes: [['Mikrotik-Rate-Limit', '10000k/50000k']] }, reason: expect.stringContaining('plan changed') });
    await new Promise((r) => setTimeout(r, 20));
    await accounting('Interim-Update', s.username, 'sess-rate');
    await until('confirmation', async () => (await actionsOf(s.id)).find((a) => a.outcome === 'confirmed'));
    expect(await openSessions(s.id)).toHaveLength(1);
  });

  it('a plan change through the billing plan-changes path reaches the session too', async () => {
    const a = await plan({ downloadKbps: 3000, uploadKbps: 1000 });
    const b = await plan({ downloadKbps: 30000, uploadKbps: 3000 });
    const s = await service(a.id);
    await accounting('Start', s.username, 'sess-billing-rate');
    const today = new Date().toISOString().slice(0, 10);
    await call('POST', `/api/v1/services/${s.id}/plan-changes`, { planId: b.id, effectiveDate: today < '2026-01-02' ? '2026-01-02' : today }, 201);
    const coa = await until('the CoA', () => requestsFor(s.username).find((r) => r.code === SIM_CODES.CoARequest));
    expect(coa.mikrotikRateLimit).toBe('3000k/30000k');
  });

  it('the shared instance (the control the app uses) throttles a session over its data cap', async () => {
    const p = await plan({ dataCapBytes: 1000, capAction: 'throttle', throttleDownloadKbps: 512, throttleUploadKbps: 256 });
    const s = await service(p.id);
    await accounting('Start', s.username, 'sess-cap');
    await accounting('Interim-Update', s.username, 'sess-cap', '100.64.0.10', 5000);
    const summary = await w.control.refreshRate(s.id, { reason: 'data cap reached', by: 'system:caps' });
    expect(summary.actions).toEqual([{ id: expect.any(Number), kind: 'coa', sessionId: 'sess-cap', outcome: 'acked' }]);
    expect(requestsFor(s.username).map((r) => r.mikrotikRateLimit)).toEqual(['256k/512k']);
    expect((await actionsOf(s.id))[0]).toMatchObject({ by: 'system:caps', reason: 'data cap reached' });
  });

  it('a NAKed CoA falls back to a Disconnect', async () => {
    w.sim.policy = (req) => (req.code === SIM_CODES.CoARequest ? { kind: 'nak', errorCause: 501 } : ackAndStop(req));
    const a = await plan();
    const b = await plan({ downloadKbps: 20000 });
    const s = await service(a.id);
    await accounting('Start', s.username, 'sess-nak-coa');
    await call('PATCH', `/api/v1/services/${s.id}`, { planId: b.id }, 200);
    const actions = await until('both actions', async () => {
      const list = await actionsOf(s.id);
      return list.length === 2 && list.every((x) => x.outcome !== 'pending') ? list : undefined;
    });
    const coa = actions.find((x) => x.kind === 'coa')!;
    const disconnect = actions.find((x) => x.kind === 'disconnect')!;
    expect(coa).toMatchObject({ outcome: 'nak', errorCause: 501, errorCauseName: 'Administratively-Prohibited' });
    expect(disconnect).toMatchObject({ fallbackOf: coa.id, outcome: expect.stringMatching(/^(acked|confirmed)$/) });
    expect(requestsFor(s.username).map((r) => r.code)).toEqual([SIM_CODES.CoARequest, SIM_CODES.DisconnectRequest]);
    await until('confirmation', async () => (await actionsOf(s.id)).find((x) => x.kind === 'disconnect' && x.outcome === 'confirmed'));
  });

  it('an ACK without a Stop is retried once, then flagged unconfirmed', async () => {
    w.sim.policy = () => ({ kind: 'ack' });
    const s = await service((await plan()).id);
    await accounting('Start', s.username, 'sess-silent-stop');
    const summary = await call('POST', `/api/v1/services/${s.id}/disconnect`, {}, 200);
    expect(summary.actions[0]).toMatchObject({ kind: 'disconnect', outcome: 'acked' });
    const flagged = await until('the flag', async () => (await actionsOf(s.id)).find((a) => a.outcome === 'unconfirmed'), 6000);
    expect(flagged).toMatchObject({ retries: 1, attempts: 2, reason: 'kick' });
    const sent = requestsFor(s.username);
    expect(sent).toHaveLength(2);
    // The retry is a new request (a fresh Event-Timestamp and authenticator), not a retransmission.
    expect(sent.map((r) => r.transmission)).toEqual([1, 1]);
    expect(await openSessions(s.id)).toHaveLength(1);
    expect((await call('GET', `/api/v1/actions?outcome=unconfirmed&serviceId=${s.id}`, undefined, 200)).items).toHaveLength(1);
  });

  it('a NAS that never answers: retransmitted, then logged as a timeout', async () => {
    w.sim.policy = () => undefined;
    const s = await service((await plan()).id);
    await accounting('Start', s.username, 'sess-timeout');
    const summary = await call('POST', `/api/v1/services/${s.id}/disconnect`, { reason: 'kick' }, 200);
    expect(summary.actions[0]).toMatchObject({ outcome: 'timeout' });
    const [a] = await actionsOf(s.id);
    expect(a).toMatchObject({ outcome: 'timeout', attempts: 2, error: 'no answer after 2 transmission(s)' });
    // The same by catalogue key, so a reader of Italian or Spanish is told in their words.
    const listed = (await call('GET', `/api/v1/actions?serviceId=${s.id}`, undefined, 200)).items[0];
    expect(listed).toMatchObject({ error: 'no answer after 2 transmission(s)', errorMessages: [{ key: 'actionError.noAnswer', values: { n: '2' } }] });
    const sent = requestsFor(s.username);
    expect(sent.map((r) => r.transmission)).toEqual([1, 2]);
    expect(sent[0]!.raw.equals(sent[1]!.raw)).toBe(true);
  });

  it('a NAKed Disconnect falls back to the RouterOS API where the NAS has it', async () => {
    const router = await RouterOsSim.start();
    const c = w.sql;
    await c.run(`update nas set routeros_enabled = true, routeros_host = '127.0.0.1', routeros_port = ?, routeros_username = 'api', routeros_password_enc = ? where id = ?`, router.port, w.box.seal('secret'), w.nasId);
    try {
      w.sim.policy = (req) => (req.code === SIM_CODES.DisconnectRequest ? { kind: 'nak', errorCause: 506 } : { kind: 'ack' });
      const s = await service((await plan()).id);
      await accounting('Start', s.username, 'rsess1', '100.64.0.40');
      router.addPpp({ name: s.username, address: '100.64.0.40', 'session-id': '0xRSESS1' });
      router.addPpp({ name: 'someone-else', address: '100.64.0.41', 'session-id': '0xRSESS2' });
      const summary = await call('POST', `/api/v1/services/${s.id}/disconnect`, { reason: 'kick' }, 200);
      expect(summary.actions).toEqual([{ id: expect.any(Number), kind: 'disconnect', sessionId: 'rsess1', outcome: 'acked' }]);
      const [a] = await actionsOf(s.id);
      expect(a).toMatchObject({ via: 'routeros', errorCause: 506, errorCauseName: 'Resources-Unavailable', attempts: 2 });
      expect(router.ppp.map((r) => r.name)).toEqual(['someone-else']);
      expect(router.commands('/ppp/active/remove')).toHaveLength(1);
      await accounting('Stop', s.username, 'rsess1', '100.64.0.40');
      await until('confirmation', async () => (await actionsOf(s.id)).find((x) => x.outcome === 'confirmed'));

      // The router has no such session either: our record is closed, the action confirmed.
      const t = await service((await plan()).id);
      await accounting('Start', t.username, 'rsess3', '100.64.0.42');
      await call('POST', `/api/v1/services/${t.id}/disconnect`, {}, 200);
      await until('confirmation', async () => (await actionsOf(t.id)).find((x) => x.outcome === 'confirmed'));
      expect(await openSessions(t.id)).toEqual([]);
    } finally {
      await c.run('update nas set routeros_enabled = false where id = ?', w.nasId);
      await router.close();
    }
  });

  it('a status edited by PATCH is enforced on live sessions', async () => {
    const s = await service((await plan()).id);
    await accounting('Start', s.username, 'sess-ended');
    await call('PATCH', `/api/v1/services/${s.id}`, { status: 'ended' }, 200);
    const logged = await until('the action', async () => (await actionsOf(s.id)).find((a) => a.outcome !== 'pending'));
    expect(logged).toMatchObject({ kind: 'disconnect', reason: 'status changed from active to ended' });
    expect(requestsFor(s.username).map((r) => r.code)).toEqual([SIM_CODES.DisconnectRequest]);
  });

  it('deleting a service disconnects its sessions first', async () => {
    const s = await service((await plan()).id);
    await accounting('Start', s.username, 'sess-delete');
    await call('DELETE', `/api/v1/services/${s.id}`, undefined, 204);
    expect(requestsFor(s.username).map((r) => r.code)).toEqual([SIM_CODES.DisconnectRequest]);
    const logged = (await call('GET', `/api/v1/actions?nasId=${w.nasId}&kind=disconnect`, undefined, 200)).items.find((a: any) => a.acctSessionId === 'sess-delete');
    expect(logged).toMatchObject({ reason: 'service deleted', serviceId: null });
  });
});

describe('the walled garden', () => {
  it('suspension moves the session by CoA, a login is accepted into the list at the low rate, and resuming cuts it', async () => {
    const p = await plan({ suspensionMode: 'walled-garden' });
    expect(p.suspensionMode).toBe('walled-garden');
    const s = await service(p.id);
    await accounting('Start', s.username, 'sess-wg');
    const summary = await call('POST', `/api/v1/services/${s.id}/suspend`, { reason: 'unpaid' }, 200);
    expect(summary.actions).toEqual([{ id: expect.any(Number), kind: 'coa', sessionId: 'sess-wg', outcome: 'acked' }]);
    const [coa] = requestsFor(s.username);
    expect(coa).toMatchObject({ code: SIM_CODES.CoARequest, mikrotikRateLimit: '128k/256k', mikrotikAddressList: 'tollgate-suspended' });
    expect(await w.sql.get('select mode from service_suspensions where service_id = ?', s.id)).toEqual({ mode: 'walled-garden' });

    // The customer redials: accepted into the walled garden.
    await accounting('Stop', s.username, 'sess-wg');
    if (haveRadclient) {
      const r = await radclient(`127.0.0.1:${w.authPort}`, 'auth', SECRET, {
        'User-Name': JSON.stringify(s.username), 'User-Password': '"pw-123456"', 'NAS-IP-Address': '127.0.0.1', 'Message-Authenticator': '0x00',
      });
      expect(r?.code).toBe('Access-Accept');
      expect(r?.attrs.get('Mikrotik-Address-List')).toBe('"tollgate-suspended"');
      expect(r?.attrs.get('Mikrotik-Rate-Limit')).toBe('"128k/256k"');
    } else {
      const request = accessRequest(SECRET, { 'User-Name': s.username, 'User-Password': 'pw-123456', 'NAS-IP-Address': '127.0.0.1' });
      const reply = checkReply((await w.udp.exchange(request, w.authPort))!, request, SECRET);
      expect(reply.packet.code).toBe(Code.AccessAccept);
      expect(rawAttr(reply.packet, 'Mikrotik-Address-List')?.toString()).toBe('tollgate-suspended');
      expect(rawAttr(reply.packet, 'Mikrotik-Rate-Limit')?.toString()).toBe('128k/256k');
    }
    const log = (await call('GET', `/api/v1/auth-log?serviceId=${s.id}`, undefined, 200)).items;
    expect(log[0]).toMatchObject({ outcome: 'accept', reason: 'suspended: walled garden' });

    // Paid: the walled-garden session is cut so the next login gets the full rate without the list.
    await accounting('Start', s.username, 'sess-wg-2');
    const resumed = await call('POST', `/api/v1/services/${s.id}/resume`, { reason: 'paid' }, 200);
    expect(resumed.actions).toEqual([{ id: expect.any(Number), kind: 'disconnect', sessionId: 'sess-wg-2', outcome: expect.stringMatching(/^(acked|confirmed)$/) }]);
    const request = accessRequest(SECRET, { 'User-Name': s.username, 'User-Password': 'pw-123456', 'NAS-IP-Address': '127.0.0.1' });
    await until('the Stop', async () => ((await openSessions(s.id)).length === 0 ? true : undefined));
    const reply = checkReply((await w.udp.exchange(request, w.authPort))!, request, SECRET);
    expect(reply.packet.code).toBe(Code.AccessAccept);
    expect(rawAttr(reply.packet, 'Mikrotik-Address-List')).toBeUndefined();
    expect(rawAttr(reply.packet, 'Mikrotik-Rate-Limit')?.toString()).toBe('2000k/10000k');
  });

  it('rejects the plan field outside its two values', async () => {
    const r = await call('POST', '/api/v1/plans', { name: 'bad-mode', type: 'recurring', price: 1, billingPeriodMonths: 1, downloadKbps: 1, uploadKbps: 1, suspensionMode: 'garden' }, 422);
    expect(r.errors.map((e: { field: string }) => e.field)).toContain('suspensionMode');
  });
});

describe('GET /api/v1/actions', () => {
  it('pages newest first and filters by outcome', async () => {
    const first = await call('GET', '/api/v1/actions?limit=1', undefined, 200);
    expect(first.items).toHaveLength(1);
    expect(first.next).toEqual(expect.any(String));
    const second = await call('GET', `/api/v1/actions?limit=1&cursor=${first.next}`, undefined, 200);
    expect(second.items[0].id).toBeLessThan(first.items[0].id);
    const naks = (await call('GET', '/api/v1/actions?outcome=nak&limit=500', undefined, 200)).items;
    expect(naks.length).toBeGreaterThan(0);
    expect(naks.every((a: { outcome: string }) => a.outcome === 'nak')).toBe(true);
    const bad = await call('GET', '/api/v1/actions?outcome=maybe', undefined, 422);
    expect(bad.errors[0].field).toContain('outcome');
    const doc = await call('GET', '/api/v1/openapi.json');
    for (const p of ['/api/v1/actions', '/api/v1/services/{id}/suspend', '/api/v1/services/{id}/resume', '/api/v1/services/{id}/disconnect']) expect(doc.paths[p]).toBeDefined();
  });
});

describe('the confirmation checker on a moved clock', () => {
  it('waits the confirmation time, retries once, then flags; a Stop in between confirms', async () => {
    const dir = tempDir('tollgate-nas-checker-');
    const config = configIn(dir, 30);
    const backend = await openAppDatabase(dir);
    const box = new SecretBox(randomBytes(32));
    const clock = new TestClock('2026-11-23T10:00:00Z');
    const sim = await NasSim.start({ secret: SECRET, policy: () => ({ kind: 'ack' }) });
    const control = createServiceControl({ sql: backend.sql, box, config, clock });
    const c = backend.sql;
    try {
      await c.run(`insert into nas (name, ip_address, secret_enc, vendor, coa_port) values ('n', '127.0.0.1', ?, 'mikrotik', ?)`, box.seal(SECRET), sim.port);
      await c.run(`insert into plans (name, type, price, billing_period_months, download_kbps, upload_kbps) values ('p', 'recurring', 1, 1, 1000, 500)`);
      await c.run(`insert into customers (name) values ('c')`);
      for (const u of ['alpha', 'beta']) {
        const { id } = (await c.get<{ id: number }>(`insert into services (customer_id, plan_id, username, password_enc, start_date) values (1, 1, ?, ?, '2026-01-01') returning id`, u, box.seal('x')))!;
        await c.run(`insert into radius_sessions (nas_id, acct_session_id, service_id, username, started_at, updated_at) values (1, ?, ?, ?, ?, ?)`, `s-${u}`, id, u, clock.now().toISOString(), clock.now().toISOString());
      }
      await control.disconnect(1, { reason: 'kick', by: 'system:test' });
      await control.disconnect(2, { reason: 'kick', by: 'system:test' });
      const outcome = async (id: number) => (await c.get<{ outcome: string; retries: number; attempts: number }>('select outcome, retries, attempts from nas_actions where id = ?', id))!;
      await control.check();
      expect([(await outcome(1)).outcome, (await outcome(2)).outcome]).toEqual(['acked', 'acked']);
      clock.advance(29_000);
      await control.check();
      expect(sim.received).toHaveLength(2);
      clock.advance(1_000);
      await control.check();
      expect(await outcome(1)).toEqual({ outcome: 'acked', retries: 1, attempts: 2 });
      expect(sim.received).toHaveLength(4);
      // beta's Stop arrives (its record closes); alpha's never does.
      await c.run(`update radius_sessions set stopped_at = ? where acct_session_id = 's-beta'`, clock.now().toISOString());
      clock.advance(30_000);
      await control.check();
      expect(await outcome(1)).toMatchObject({ outcome: 'unconfirmed', retries: 1 });
      expect(await outcome(2)).toMatchObject({ outcome: 'confirmed' });
      expect(sim.received).toHaveLength(4);
    } finally {
      await control.stop();
      await sim.close();
      await backend.close();
    }
  });
});

describe('a CoA retried after the service changed', () => {
  /** A database with one NAS (the simulator), a slow and a fast plan (walled garden when suspended) and one service online. */
  async function world(name: string) {
    const dir = tempDir(`tollgate-nas-retry-${name}-`);
    const config = configIn(dir, 30);
    const backend = await openAppDatabase(dir);
    const box = new SecretBox(randomBytes(32));
    const clock = new TestClock('2026-11-23T10:00:00Z');
    const sim = await NasSim.start({ secret: SECRET, policy: () => ({ kind: 'ack' }) });
    const control = createServiceControl({ sql: backend.sql, box, config, clock });
    const c = backend.sql;
    await c.run(`insert into nas (name, ip_address, secret_enc, vendor, coa_port) values ('n', '127.0.0.1', ?, 'mikrotik', ?)`, box.seal(SECRET), sim.port);
    for (const [plan, down, up] of [['slow', 2000, 500], ['fast', 50000, 10000], ['faster', 100000, 20000]] as const) {
      await c.run(`insert into plans (name, type, price, billing_period_months, download_kbps, upload_kbps, suspension_mode) values (?, 'recurring', 1, 1, ?, ?, 'walled-garden')`, plan, down, up);
    }
    await c.run(`insert into customers (name) values ('c')`);
    await c.run(`insert into services (customer_id, plan_id, username, password_enc, start_date) values (1, 1, 'gamma', ?, '2026-01-01')`, box.seal('x'));
    await c.run(`insert into radius_sessions (nas_id, acct_session_id, service_id, username, framed_ip_address, started_at, updated_at) values (1, 's-gamma', 1, 'gamma', '100.64.9.9', ?, ?)`, clock.now().toISOString(), clock.now().toISOString());
    const coas = () => sim.received.filter((r) => r.code === SIM_CODES.CoARequest).map((r) => ({ rate: r.mikrotikRateLimit, list: r.mikrotikAddressList ?? null }));
    const action = async (id: number) => (await c.get<Record<string, any>>('select kind, outcome, retries, error, error_message as "errorMessage", request, fallback_of as "fallbackOf" from nas_actions where id = ?', id))!;
    const close = async () => {
      await control.stop();
      await sim.close();
      await backend.close();
    };
    return { c, clock, sim, control, coas, action, close };
  }

  it('plan change (ACKed, unconfirmed) -> suspension -> retry: the session keeps the walled-garden rate and address list', async () => {
    const { c, clock, control, coas, action, close } = await world('superseded');
    try {
      // The plan change reaches the session; the NAS ACKs, and no accounting confirms it.
      await c.run('update services set plan_id = 2 where id = 1');
      const change = await control.refreshRate(1, { reason: 'plan changed', by: 'system:plan-changes' });
      expect(change.actions).toEqual([{ id: 1, kind: 'coa', sessionId: 's-gamma', outcome: 'acked' }]);
      // Dunning suspends the service half a second later: the session goes to the walled garden.
      clock.advance(500);
      const suspension = await control.suspend(1, { reason: 'invoice overdue', by: 'system:dunning' });
      expect(suspension.actions).toEqual([{ id: 2, kind: 'coa', sessionId: 's-gamma', outcome: 'acked' }]);
      const garden = { rate: '128k/256k', list: 'tollgate-suspended' };
      expect(coas()).toEqual([{ rate: '10000k/50000k', list: null }, garden]);
      // Both are past their confirmation time (1 s) with no accounting: the checker retries.
      clock.advance(2_000);
      await control.check();
      expect(coas().slice(2)).toEqual([garden]);
      expect(coas().at(-1)).toEqual(garden);
      expect(await action(1)).toMatchObject({ outcome: 'unconfirmed', error: 'not retried: superseded by action 2 (coa, acked) on the same session' });
      expect(JSON.parse((await action(1)).errorMessage)).toEqual([{ key: 'actionError.superseded', values: { stage: 'notRetried', id: '2', kind: 'coa', outcome: 'acked' } }]);
      expect(await action(2)).toMatchObject({ outcome: 'acked', retries: 1 });
    } finally {
      await close();
    }
  });

  it('a CoA whose sender died before recording an answer is sent by the checker once its claim expires, and the dead sender writes nothing after', async () => {
    const { c, clock, control, coas, action, close } = await world('taken-over');
    try {
      // Another node logged a CoA for the slow plan, claimed for a minute, and died before any answer.
      const now = clock.now();
      await c.run(`insert into nas_actions (kind, reason, actor, service_id, session_id, acct_session_id, username, nas_id, target, request, outcome,
          created_at, updated_at, claimed_by, claim_expires_at, claim_token)
        values ('coa', 'plan changed', 'system:plan-changes', 1, 1, 's-gamma', 'gamma', 1, '127.0.0.1:1', ?, 'pending', ?, ?, 'dead-node', ?, 1)`, JSON.stringify({ session: { userName: 'gamma', acctSessionId: 's-gamma' }, attributes: [['Mikrotik-Rate-Limit', '500k/2000k']] }),
          now.toISOString(), now.toISOString(), new Date(now.getTime() + 60_000).toISOString());
      await c.run('update services set plan_id = 2 where id = 1');
      clock.advance(59_000);
      await control.check();
      expect(coas()).toEqual([]);
      expect(await action(1)).toMatchObject({ outcome: 'pending' });
      // The claim expired: this node sends it, with what the service should get now.
      clock.advance(2_000);
      await control.check();
      expect(coas()).toEqual([{ rate: '10000k/50000k', list: null }]);
      expect(await action(1)).toMatchObject({ outcome: 'acked', retries: 0 });
      expect(JSON.parse((await action(1)).request).attributes).toEqual([['Mikrotik-Rate-Limit', '10000k/50000k']]);
      // The dead node's attempt answering late changes nothing.
      const late = await actionStore(c).updateAction(1, { at: clock.now().toISOString(), outcome: 'timeout', error: 'late' }, { claim: { id: 1, token: 1 } });
      expect(late).toBe(false);
      expect(await action(1)).toMatchObject({ outcome: 'acked', error: null });
      await control.check();
      expect(coas()).toHaveLength(1);
    } finally {
      await close();
    }
  });

  it('a retry sends what the service should get at the time of the retry, or a Disconnect when it would now be refused', async () => {
    const { c, clock, control, coas, action, close } = await world('recomputed');
    try {
      await c.run('update services set plan_id = 2 where id = 1');
      await control.refreshRate(1, { reason: 'plan changed', by: 'system:plan-changes' });
      // The plan changes again with no CoA of its own: the retry carries the plan of now.
      await c.run('update services set plan_id = 3 where id = 1');
      clock.advance(2_000);
      await control.check();
      expect(coas()).toEqual([{ rate: '10000k/50000k', list: null }, { rate: '20000k/100000k', list: null }]);
      expect(await action(1)).toMatchObject({ outcome: 'acked', retries: 1 });
      expect(JSON.parse((await action(1)).request).attributes).toEqual([['Mikrotik-Rate-Limit', '20000k/100000k']]);

      // A second CoA, and then the service ends: its retry cuts the session rather than set a rate.
      await c.run(`update nas_actions set outcome = 'confirmed' where id = 1`);
      await control.refreshRate(1, { reason: 'cap tier', by: 'system:caps' });
      await c.run(`update services set status = 'ended' where id = 1`);
      clock.advance(2_000);
      await control.check();
      expect(coas()).toHaveLength(3);
      expect(await action(2)).toMatchObject({ kind: 'coa', outcome: 'unconfirmed', error: expect.stringMatching(/^not retried: the service would now be refused .*disconnected instead$/) });
      expect(JSON.parse((await action(2)).errorMessage)).toEqual([expect.objectContaining({ key: 'actionError.wouldBeRefused', values: expect.objectContaining({ stage: 'notRetried', reasonKey: expect.stringMatching(/^aaa\./) }) })]);
      expect(await action(3)).toMatchObject({ kind: 'disconnect', outcome: 'acked', fallbackOf: 2 });
    } finally {
      await close();
    }
  });
});
