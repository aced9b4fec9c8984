// A Tollgate for prepaid, voucher and data-cap tests: the run's database (a SQLite file, or
// PostgreSQL with TOLLGATE_TEST_BACKEND=postgres: tests/helpers/backends.ts), the RADIUS server on
// 127.0.0.1 UDP (free ports), the HTTP app through inject(), a clock the test moves, and a recording
// ServiceControl in place of CoA/Disconnect (what the network would be asked, and when).
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import type { Db } from '../../src/db/client.js';
import type { SqlClient } from '../../src/db/sql.js';
import { tokenStore } from '../../src/db/security.js';
import type { Services } from '../../src/daemon.js';
import type { App } from '../../src/http/build.js';
import { TestClock } from '../../src/lib/clock.js';
import { SecretBox } from '../../src/lib/secretbox.js';
import { createMetrics } from '../../src/metrics.js';
import type { ActionRequest, ActionSummary, ServiceControl } from '../../src/nas/control.js';
import type { NotificationRequest, Notifier } from '../../src/notify/types.js';
import { Code, decodePacket, findAttr } from '../../src/radius/codec/index.js';
import { startRadiusServer, type RadiusServer } from '../../src/aaa/server.js';
import type { UsageDelta } from '../../src/db/radius.js';
import { Topic, type Change } from '../../src/lib/topic.js';
import type { JobRunner } from '../../src/scheduler/jobs.js';
import { buildHttp, composeParts } from './app.js';
import { accountingWriter, openAppDatabase } from './backends.js';
import { tempDir } from './daemon.js';
import { accessRequest, accountingRequest, dictionary, UdpClient } from './radius.js';

export interface ControlCall {
  op: 'suspend' | 'resume' | 'disconnect' | 'refreshRate';
  serviceId: number;
  req: ActionRequest;
  /** performance.now() when it was called. */
  at: number;
}

export class RecordingControl implements ServiceControl {
  readonly calls: ControlCall[] = [];
  private waiters: { pred: (c: ControlCall) => boolean; resolve: (c: ControlCall) => void }[] = [];
  private record(op: ControlCall['op'], serviceId: number, req: ActionRequest): Promise<ActionSummary> {
    const call = { op, serviceId, req, at: performance.now() };
    this.calls.push(call);
    for (const w of [...this.waiters]) if (w.pred(call)) {
      this.waiters.splice(this.waiters.indexOf(w), 1);
      w.resolve(call);
    }
    return Promise.resolve({ serviceId, actions: [] });
  }
  suspend(id: number, r: ActionRequest) { return this.record('suspend', id, r); }
  resume(id: number, r: ActionRequest) { return this.record('resume', id, r); }
  disconnect(id: number, r: ActionRequest) { return this.record('disconnect', id, r); }
  refreshRate(id: number, r: ActionRequest) { return this.record('refreshRate', id, r); }
  of(op: ControlCall['op'], serviceId?: number) {
    return this.calls.filter((c) => c.op === op && (serviceId === undefined || c.serviceId === serviceId));
  }
  /** Resolves with the first matching call from now on, or undefined after `ms`. */
  next(pred: (c: ControlCall) => boolean, ms = 2000): Promise<ControlCall | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(undefined), ms);
      this.waiters.push({ pred, resolve: (c) => (clearTimeout(timer), resolve(c)) });
    });
  }
}

export class RecordingNotifier implements Notifier {
  readonly sent: NotificationRequest[] = [];
  private keys = new Set<string>();
  async enqueue(req: NotificationRequest) {
    if (req.dedupeKey && this.keys.has(req.dedupeKey)) return { queued: 0 };
    if (req.dedupeKey) this.keys.add(req.dedupeKey);
    this.sent.push(req);
    return { queued: 1 };
  }
}

export interface Env {
  dir: string;
  config: Config;
  /** The database, on either backend. */
  sql: SqlClient;
  /** The SQLite handle, or undefined on PostgreSQL. */
  sqlite: Db | undefined;
  box: SecretBox;
  app: App;
  services: Services;
  jobs: JobRunner;
  radius: RadiusServer;
  clock: TestClock;
  control: RecordingControl;
  udp: UdpClient;
  secret: string;
  authPort: number;
  acctPort: number;
  call(method: string, url: string, payload?: unknown): Promise<{ status: number; body: any; raw: Buffer; type: string }>;
  close(): Promise<void>;
}

export async function startEnv(opts: { start: string; tomlExtra?: string; dbFile?: string }): Promise<Env> {
  const dir = tempDir('tollgate-prepaid-');
  const file = join(dir, 'tollgate.toml');
  writeFileSync(file, `[database]\npath = "${join(dir, opts.dbFile ?? 'tollgate.db')}"\nsynchronous = "normal"\n[radius]\nauth_listen = "127.0.0.1:0"\nacct_listen = "127.0.0.1:0"\n` +
    `[billing]\ntimezone = "Europe/Rome"\ncurrency = "EUR"\n${opts.tomlExtra ?? ''}`);
  const backend = await openAppDatabase(dir, opts.dbFile ?? 'tollgate.db');
  const { sql, db } = backend;
  const config = loadConfig(file, backend.url ? { TOLLGATE_DATABASE_URL: backend.url } : {}).config;
  const box = new SecretBox(randomBytes(32));
  const clock = new TestClock(opts.start);
  const control = new RecordingControl();
  const metrics = createMetrics();
  // In the daemon's order (src/main.ts): topics and writer, services, scheduler, RADIUS, HTTP.
  const changes = new Topic<Change>();
  const usage = new Topic<readonly UsageDelta[]>();
  const writer = await accountingWriter(backend, { onUsage: (u) => usage.publish(u) });
  const options = { sql, db, box, config, clock, metrics, control, changes, usage, writer };
  const parts = composeParts(options);
  const radius = await startRadiusServer({
    config, sql, db, box, log: pino({ level: 'silent' }), metrics, clock, writer, changes, vouchers: parts.services.prepaid.vouchers,
  });
  const built = await buildHttp(parts, options);
  const token = (await tokenStore(sql).create({ name: 't', role: 'super-admin', actor: { id: 'cli' } })).token;
  const udp = await UdpClient.open();
  const secret = 'prepaid-test-secret';
  const port = (a: string) => Number(a.split(':').pop());
  const call = async (method: string, url: string, payload?: unknown) => {
    const res = await built.inject({ method: method as 'GET', url, payload: payload as object, headers: { authorization: `Bearer ${token}` } });
    const type = String(res.headers['content-type'] ?? '');
    return { status: res.statusCode, type, body: type.includes('json') && res.body ? res.json() : res.body, raw: res.rawPayload };
  };
  const nas = await call('POST', '/api/v1/nas', { name: 'lo', ipAddress: '127.0.0.1', secret, vendor: 'mikrotik', requireMessageAuthenticator: true });
  if (nas.status !== 201) throw new Error(`NAS: ${JSON.stringify(nas.body)}`);
  return {
    dir, config, sql, sqlite: db, box, app: built, services: parts.services, jobs: parts.jobs, radius, clock, control, udp, secret,
    authPort: port(radius.addresses().auth[0]!), acctPort: port(radius.addresses().acct[0]!),
    call,
    close: async () => {
      await udp.close();
      await built.close();
      await radius.close();
      await backend.close();
    },
  };
}

export interface LoginResult {
  accept: boolean;
  code: number;
  attrs: Record<string, string | number>;
}

/** An Access-Request over UDP (PAP), with the reply's interesting attributes decoded. */
export async function login(env: Env, username: string, password: string, extra: Record<string, string | number> = {}): Promise<LoginResult> {
  const req = accessRequest(env.secret, { 'User-Name': username, 'User-Password': password, 'NAS-IP-Address': '127.0.0.1', ...extra });
  const reply = await env.udp.exchange(req, env.authPort);
  if (!reply) throw new Error('no reply to the Access-Request');
  const d = decodePacket(reply);
  if (!d.ok) throw new Error(d.reason);
  const out: Record<string, string | number> = {};
  for (const name of ['Session-Timeout', 'Mikrotik-Rate-Limit', 'Mikrotik-Address-List', 'Reply-Message', 'Acct-Interim-Interval']) {
    const def = dictionary.attr(name)!;
    const a = findAttr(d.packet, def);
    if (!a) continue;
    out[name] = def.type === 'integer' ? a.value.readUInt32BE(0) : a.value.toString('utf8');
  }
  return { accept: d.packet.code === Code.AccessAccept, code: d.packet.code, attrs: out };
}

/** An Accounting-Request over UDP; resolves once answered (the record is committed). */
export async function accounting(env: Env, status: 'Start' | 'Interim-Update' | 'Stop', username: string, sessionId: string, octets: { in?: number; out?: number } = {}) {
  const list: Record<string, string | number> = { 'User-Name': username, 'Acct-Status-Type': status, 'Acct-Session-Id': sessionId, 'NAS-IP-Address': '127.0.0.1' };
  if (octets.in !== undefined) {
    list['Acct-Input-Octets'] = octets.in % 4294967296;
    list['Acct-Input-Gigawords'] = Math.floor(octets.in / 4294967296);
  }
  if (octets.out !== undefined) {
    list['Acct-Output-Octets'] = octets.out % 4294967296;
    list['Acct-Output-Gigawords'] = Math.floor(octets.out / 4294967296);
  }
  const reply = await env.udp.exchange(accountingRequest(env.secret, list), env.acctPort);
  if (!reply || reply[0] !== Code.AccountingResponse) throw new Error(`no Accounting-Response to ${status}`);
}

/** A recurring plan made through the API (2,000 a month, 20/5 Mbit/s unless `fields` say otherwise); its id. */
export async function createPlan(env: Env, name: string, fields: Record<string, unknown> = {}): Promise<number> {
  return created(await env.call('POST', '/api/v1/plans', { name, type: 'recurring', price: 2000, billingPeriodMonths: 1, downloadKbps: 20000, uploadKbps: 5000, ...fields }));
}

/** A service made through the API with the password `pw-<username>`; its id. */
export async function createService(env: Env, s: { customerId: number; planId: number; username: string; startDate: string }): Promise<number> {
  return created(await env.call('POST', '/api/v1/services', { ...s, password: `pw-${s.username}` }));
}

function created(r: { status: number; body: { id?: number } }): number {
  if (r.status !== 201 || typeof r.body.id !== 'number') throw new Error(`expected 201 with an id, got ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body.id;
}
