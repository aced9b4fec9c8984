import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { SqlClient } from '../../src/db/sql.js';
import { tokenStore } from '../../src/db/security.js';
import type { App } from '../../src/http/build.js';
import { SecretBox } from '../../src/lib/secretbox.js';
import { createMetrics } from '../../src/metrics.js';
import { startRadiusServer, type RadiusServer } from '../../src/aaa/server.js';
import { Topic, type Change } from '../../src/lib/topic.js';
import { systemClock } from '../../src/lib/clock.js';
import { buildHttp, composeParts } from '../helpers/app.js';
import { accountingWriter, openAppDatabase, type TestBackend } from '../helpers/backends.js';
import { tempDir } from '../helpers/daemon.js';
import { accessRequest, accountingRequest, UdpClient } from '../helpers/radius.js';

const SECRET = 'metrics-secret';
let backend: TestBackend;
let sql: SqlClient;
let app: App;
let radius: RadiusServer;
let udp: UdpClient;
let token: string;

const call = async (method: string, url: string, payload?: unknown) =>
  app.inject({ method: method as 'GET', url, payload: payload as object, headers: { authorization: `Bearer ${token}` } });

beforeAll(async () => {
  const dir = tempDir('tollgate-metrics-');
  const file = join(dir, 'tollgate.toml');
  writeFileSync(file, `[database]\npath = "${join(dir, 'tollgate.db')}"\n[radius]\nauth_listen = "127.0.0.1:0"\nacct_listen = "127.0.0.1:0"\n`);
  const config = loadConfig(file, {}).config;
  backend = await openAppDatabase(dir);
  ({ sql } = backend);
  const box = new SecretBox(randomBytes(32));
  const metrics = createMetrics();
  const changes = new Topic<Change>();
  const writer = await accountingWriter(backend);
  const options = { sql, db: backend.db, box, config, clock: systemClock, metrics, changes, writer };
  const parts = composeParts(options);
  radius = await startRadiusServer({ config, sql, db: backend.db, box, log: pino({ level: 'silent' }), metrics, clock: systemClock, writer, changes, vouchers: parts.services.prepaid.vouchers });
  app = await buildHttp(parts, options);
  token = (await tokenStore(sql).create({ name: 't', role: 'super-admin', actor: { id: 'cli' } })).token;
  udp = await UdpClient.open();
  await call('POST', '/api/v1/nas', { name: 'lo', ipAddress: '127.0.0.1', secret: SECRET, vendor: 'mikrotik' });
  const plan = (await call('POST', '/api/v1/plans', { name: 'p', type: 'recurring', price: 1000, billingPeriodMonths: 1, downloadKbps: 10000, uploadKbps: 2000 })).json();
  const customer = (await call('POST', '/api/v1/customers', { name: 'Metered' })).json();
  await call('POST', '/api/v1/services', { customerId: customer.id, planId: plan.id, username: 'metered', password: 'pw-metered', startDate: '2026-01-01' });
});
afterAll(async () => {
  await udp?.close();
  await app?.close();
  await radius?.close();
  await backend?.close();
});

/** Parses Prometheus text into `name{labels} value` samples. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

describe('/metrics', () => {
  it('serves Prometheus text with RADIUS, billing, job and HTTP metrics after some traffic', async () => {
    const port = (a: string) => Number(a.split(':').pop());
    const auth = port(radius.addresses().auth[0]!);
    const acct = port(radius.addresses().acct[0]!);
    const ok = await udp.exchange(accessRequest(SECRET, { 'User-Name': 'metered', 'User-Password': 'pw-metered', 'NAS-IP-Address': '127.0.0.1' }), auth);
    expect(ok?.[0]).toBe(2);
    const bad = await udp.exchange(accessRequest(SECRET, { 'User-Name': 'metered', 'User-Password': 'wrong', 'NAS-IP-Address': '127.0.0.1' }), auth);
    expect(bad?.[0]).toBe(3);
    // A wrong secret: no reply, a drop.
    expect(await udp.exchange(accessRequest('not-the-secret', { 'User-Name': 'metered', 'User-Password': 'pw-metered', 'NAS-IP-Address': '127.0.0.1' }), auth, '127.0.0.1', 300)).toBeUndefined();
    const start = await udp.exchange(accountingRequest(SECRET, { 'User-Name': 'metered', 'Acct-Status-Type': 'Start', 'Acct-Session-Id': 'm-1', 'NAS-IP-Address': '127.0.0.1' }), acct);
    expect(start?.[0]).toBe(5);
    const run = await call('POST', '/api/v1/billing/run', { date: '2026-01-01' });
    expect(run.statusCode, run.body).toBe(200);

    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = res.body;
    for (const name of [
      'tollgate_radius_requests_total', 'tollgate_radius_dropped_total', 'tollgate_radius_latency_seconds', 'tollgate_accounting_queue',
      'tollgate_billing_run_duration_seconds', 'tollgate_billing_invoices_total', 'tollgate_job_duration_seconds',
      'tollgate_http_requests_total', 'tollgate_http_request_duration_seconds', 'tollgate_process_cpu_seconds_total',
      'tollgate_caps_counters', 'tollgate_caps_usage_queued',
    ]) expect(text, name).toContain(`# TYPE ${name} `);
    const s = samples(text);
    const sum = (prefix: string) => [...s].filter(([k]) => k.startsWith(prefix)).reduce((n, [, v]) => n + v, 0);
    expect(sum('tollgate_radius_requests_total')).toBeGreaterThanOrEqual(3);
    expect(sum('tollgate_radius_dropped_total')).toBeGreaterThanOrEqual(1);
    expect(sum('tollgate_radius_latency_seconds_count')).toBeGreaterThanOrEqual(3);
    expect(sum('tollgate_billing_run_duration_seconds_count')).toBe(1);
    expect(s.get('tollgate_billing_invoices_total')).toBe(1);
    expect(sum('tollgate_job_duration_seconds_count{job="billing"')).toBeGreaterThanOrEqual(1);
    expect(s.get('tollgate_http_requests_total{method="POST",route="/api/v1/billing/run",status="200"}')).toBe(1);
    expect(s.get('tollgate_http_requests_total{method="POST",route="/api/v1/services",status="201"}')).toBe(1);
    expect(s.get('tollgate_http_request_duration_seconds_count{method="POST",route="/api/v1/nas"}')).toBe(1);
  });

  it('labels by route pattern, never by raw URL', async () => {
    await call('GET', '/api/v1/customers/12345');
    await call('GET', '/api/v1/no/such/thing');
    const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(text).toContain('route="/api/v1/customers/:id",status="404"');
    expect(text).not.toContain('12345"');
    // No route: `unmatched`, or the web UI's catch-all pattern once it serves the SPA.
    expect(text).toMatch(/route="(unmatched|\/\*)",status="404"/);
    expect(text).not.toContain('no/such/thing');
  });
});
