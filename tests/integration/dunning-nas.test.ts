// Dunning with the real ServiceControl (src/nas/actions.ts) over UDP on 127.0.0.1, wired as
// src/main.ts wires it: the suspension sends a Disconnect-Request that the NAS simulator receives,
// the next login is rejected, and the payment brings the service back (the login is accepted again).
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import type { SqlClient } from '../../src/db/sql.js';
import { tokenStore } from '../../src/db/security.js';
import { createNetworkControl, type Services } from '../../src/daemon.js';
import type { App } from '../../src/http/build.js';
import { systemClock, TestClock } from '../../src/lib/clock.js';
import { SecretBox } from '../../src/lib/secretbox.js';
import { createMetrics } from '../../src/metrics.js';
import type { ServiceControlRuntime } from '../../src/nas/actions.js';
import type { JobRunner } from '../../src/scheduler/jobs.js';
import { Code } from '../../src/radius/codec/index.js';
import { startRadiusServer, type RadiusServer } from '../../src/aaa/server.js';
import { Topic, type Change } from '../../src/lib/topic.js';
import { buildHttp, composeParts } from '../helpers/app.js';
import { accountingWriter, openAppDatabase, type TestBackend } from '../helpers/backends.js';
import { tempDir } from '../helpers/daemon.js';
import { NasSim, SIM_CODES, type SimRequest } from '../helpers/nas-sim.js';
import { accessRequest, accountingRequest, checkReply, rawAttr, UdpClient } from '../helpers/radius.js';

const SECRET = 'dunning-nas-secret';
let backend: TestBackend;
let sql: SqlClient;
let config: Config;
let radius: RadiusServer;
let control: ServiceControlRuntime;
let app: App;
let services: Services;
let jobs: JobRunner;
let token: string;
let sim: NasSim;
let udp: UdpClient;
let authPort = 0;
let acctPort = 0;
const clock = new TestClock('2026-03-01T01:30:00Z');

async function call(method: string, url: string, payload?: unknown, status?: number) {
  const res = await app.inject({ method: method as 'GET', url, payload: payload as object, headers: { authorization: `Bearer ${token}` } });
  if (status !== undefined) expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(status);
  return res.body ? res.json() : undefined;
}
async function accounting(kind: 'Start' | 'Stop', username: string, sessionId: string) {
  const req = accountingRequest(SECRET, {
    'Acct-Status-Type': kind, 'User-Name': username, 'Acct-Session-Id': sessionId, 'NAS-IP-Address': '127.0.0.1', 'Framed-IP-Address': '100.64.0.20',
    ...(kind === 'Stop' ? { 'Acct-Terminate-Cause': 'Admin-Reset' } : {}),
  });
  expect(await udp.exchange(req, acctPort), `no Accounting-Response to ${kind}`).toBeDefined();
}
async function login(username: string) {
  const request = accessRequest(SECRET, { 'User-Name': username, 'User-Password': 'pw-123456', 'NAS-IP-Address': '127.0.0.1' });
  const reply = checkReply((await udp.exchange(request, authPort))!, request, SECRET);
  return { code: reply.packet.code, message: rawAttr(reply.packet, 'Reply-Message')?.toString() };
}

beforeAll(async () => {
  const dir = tempDir('tollgate-dunning-nas-');
  const file = join(dir, 'tollgate.toml');
  writeFileSync(file, `[database]\npath = "${join(dir, 'tollgate.db')}"\nsynchronous = "normal"\n[radius]\nauth_listen = "127.0.0.1:0"\nacct_listen = "127.0.0.1:0"\ncoa_timeout_ms = 300\ncoa_tries = 2\n`);
  config = loadConfig(file, {}).config;
  backend = await openAppDatabase(dir);
  ({ sql } = backend);
  const box = new SecretBox(randomBytes(32));
  const metrics = createMetrics();
  const changes = new Topic<Change>();
  const writer = await accountingWriter(backend);
  // As src/main.ts does it: network control, services, scheduler, RADIUS, HTTP.
  control = createNetworkControl({ sql, box, config, clock, writer, changes, metrics, checkIntervalMs: 100 });
  const options = { sql, db: backend.db, box, config, clock, metrics, control, changes, writer };
  const parts = composeParts(options);
  ({ services, jobs } = parts);
  radius = await startRadiusServer({ config, sql, db: backend.db, box, log: pino({ level: 'silent' }), metrics, clock: systemClock, writer, changes, vouchers: services.prepaid.vouchers });
  control.start();
  app = await buildHttp(parts, options);
  token = (await tokenStore(sql).create({ name: 't', role: 'super-admin', actor: { id: 'cli' } })).token;
  sim = await NasSim.start({ secret: SECRET });
  // A NAS that ACKs a Disconnect and then sends the session's Accounting-Stop, as a real one does.
  sim.policy = (req: SimRequest) => {
    if (req.code === SIM_CODES.DisconnectRequest && req.transmission === 1) setTimeout(() => void accounting('Stop', req.userName!, req.acctSessionId!), 30);
    return { kind: 'ack' as const };
  };
  udp = await UdpClient.open();
  const port = (a: string) => Number(a.split(':').pop());
  authPort = port(radius.addresses().auth[0]!);
  acctPort = port(radius.addresses().acct[0]!);
  await call('POST', '/api/v1/nas', { name: 'sim', ipAddress: '127.0.0.1', secret: SECRET, vendor: 'mikrotik', coaPort: sim.port }, 201);
});
afterAll(async () => {
  await app?.close();
  await control?.stop();
  await radius?.close();
  await sim?.close();
  await udp?.close();
  await backend?.close();
});

describe('dunning with the real ServiceControl', () => {
  it('suspends on the day after the grace: Disconnect to the NAS, the next login rejected; a payment restores it', async () => {
    await call('POST', '/api/v1/billing-profiles', { name: 'Strict', isDefault: true, daysUntilDue: 10, graceDays: 0, quietWeekdays: [] }, 201);
    const plan = await call('POST', '/api/v1/plans', { name: 'Home', type: 'recurring', price: 2500, billingPeriodMonths: 1, downloadKbps: 10000, uploadKbps: 2000 }, 201);
    const customer = await call('POST', '/api/v1/customers', { name: 'Dario', email: 'dario@example.net' }, 201);
    const svc = await call('POST', '/api/v1/services', { customerId: customer.id, planId: plan.id, username: 'dario', password: 'pw-123456', startDate: '2026-03-01' }, 201);
    expect((await login('dario')).code).toBe(Code.AccessAccept);
    await accounting('Start', 'dario', 'sess-dunning-1');

    await jobs.runDue(); // bills 2026-03-01, due 03-11
    clock.set('2026-03-11T12:00:00Z');
    await jobs.runDue();
    expect(sim.received).toHaveLength(0);
    clock.set('2026-03-12T01:30:00Z');
    const r = await jobs.runDue();
    expect(r.ok, JSON.stringify(r)).toBe(true);
    const disconnects = sim.received.filter((q) => q.userName === 'dario');
    expect(disconnects).toEqual([expect.objectContaining({ code: SIM_CODES.DisconnectRequest, acctSessionId: 'sess-dunning-1' })]);
    expect(await login('dario')).toEqual({ code: Code.AccessReject, message: 'service suspended' });
    const actions = (await call('GET', `/api/v1/actions?serviceId=${svc.id}`, undefined, 200)).items;
    expect(actions[0]).toMatchObject({ kind: 'disconnect', by: 'system:dunning', reason: expect.stringContaining('overdue since 2026-03-11') });

    // The NAS's Accounting-Stop for the cut session closes it.
    for (let i = 0; i < 100 && (await call('GET', `/api/v1/sessions?serviceId=${svc.id}&active=true`, undefined, 200)).items.length > 0; i++) await new Promise((res) => setTimeout(res, 25));
    expect((await call('GET', `/api/v1/sessions?serviceId=${svc.id}&active=true`, undefined, 200)).items).toEqual([]);

    await call('POST', '/api/v1/payments', { customerId: customer.id, amount: 2500, method: 'cash', receivedAt: '2026-03-12T09:00:00Z' }, 201);
    await services.dunning.idle();
    expect((await call('GET', `/api/v1/services/${svc.id}`, undefined, 200)).status).toBe('active');
    expect(await login('dario')).toEqual({ code: Code.AccessAccept, message: undefined });
    const resumed = (await call('GET', `/api/v1/notifications?customerId=${customer.id}&template=service.resumed`, undefined, 200)).items;
    expect(resumed).toEqual([expect.objectContaining({ channel: 'email', recipient: 'dario@example.net', status: 'queued' })]);
  });
});
