// Router onboarding commands and the CoA self-test, over the HTTP API (inject) and real UDP to the
// NAS simulator on 127.0.0.1, which checks our Disconnect-Request with its own RFC 5176 arithmetic
// and answers as told: NAK 503, silence, or a reply signed with another secret.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { SqlClient } from '../../src/db/sql.js';
import { tokenStore } from '../../src/db/security.js';
import type { App } from '../../src/http/build.js';
import { buildApp } from '../helpers/app.js';
import { SecretBox } from '../../src/lib/secretbox.js';
import { onboardingCommands, routerOsDuration, routerOsQuote } from '../../src/nas/onboarding.js';
import { openAppDatabase, type TestBackend } from '../helpers/backends.js';
import { tempDir } from '../helpers/daemon.js';
import { NasSim, SIM_CODES } from '../helpers/nas-sim.js';

const SECRET = 'sec"ret$?\\x-long';
let app: App;
let backend: TestBackend;
let sql: SqlClient;
let token: string;
let readOnly: string;
let sim: NasSim;
const box = new SecretBox(randomBytes(32));

async function makeApp(env: Record<string, string>): Promise<App> {
  const { app } = await buildApp({
    sql, db: backend.db, box, config: loadConfig(undefined, env).config,
    nasNetwork: { selfTestRetry: { initialTimeoutMs: 200, maxTries: 2 } },
  });
  return app;
}

beforeAll(async () => {
  backend = await openAppDatabase(tempDir());
  ({ sql } = backend);
  app = await makeApp({ TOLLGATE_RADIUS_PUBLIC_ADDRESS: '203.0.113.10', TOLLGATE_RADIUS_INTERIM_INTERVAL: '300' });
  token = (await tokenStore(sql).create({ name: 't', role: 'super-admin', actor: { id: 'cli' } })).token;
  readOnly = (await tokenStore(sql).create({ name: 'ro', role: 'read-only', actor: { id: 'cli' } })).token;
  sim = await NasSim.start({ secret: SECRET });
});
afterAll(async () => {
  await app.close();
  await sim.close();
  await backend.close();
});

async function call(method: string, url: string, payload?: unknown, bearer = token, on = app) {
  const res = await on.inject({ method: method as 'GET', url, payload: payload as object, headers: { authorization: `Bearer ${bearer}` } });
  return { status: res.statusCode, body: res.body ? res.json() : undefined, raw: res.body };
}

let nasId: number;

describe('onboarding', () => {
  it('gives the RouterOS commands with the address, ports and secret, and audits the disclosure', async () => {
    const created = await call('POST', '/api/v1/nas', { name: 'tower-1', ipAddress: '127.0.0.1', secret: SECRET, vendor: 'mikrotik', coaPort: sim.port });
    expect(created.status, created.raw).toBe(201);
    nasId = created.body.id;
    const res = await call('GET', `/api/v1/nas/${nasId}/onboarding`);
    expect(res.status, res.raw).toBe(200);
    expect(res.body).toMatchObject({ nasId, serverAddress: '203.0.113.10', authPort: 1812, acctPort: 1813, coaPort: sim.port, warnings: [] });
    expect(res.body.commands).toEqual([
      '/radius add address=203.0.113.10 secret="sec\\"ret\\$\\?\\\\x-long" service=ppp,hotspot authentication-port=1812 accounting-port=1813 timeout=3s require-message-auth=yes comment="Tollgate (tower-1)"',
      `/radius incoming set accept=yes port=${sim.port}`,
      '/ppp aaa set use-radius=yes accounting=yes interim-update=5m',
      '/ip hotspot profile set [find] use-radius=yes radius-accounting=yes radius-interim-update=5m',
    ]);
    expect(res.body.script).toBe(res.body.commands.join('\n') + '\n');
    const audit = await sql.all<{ entity_id: string; after: string }>(`select * from audit_log where action = 'reveal-secret'`);
    expect(audit.map((a) => a.entity_id)).toEqual([String(nasId)]);
    expect(JSON.stringify(audit)).not.toContain('sec"ret');
    // Nowhere else: the NAS itself answers without it.
    expect((await call('GET', `/api/v1/nas/${nasId}`)).raw).not.toContain('sec\\"ret');
  });

  it('leaves require-message-auth out for RouterOS 6, with a warning', async () => {
    const res = await call('GET', `/api/v1/nas/${nasId}/onboarding?routerosVersion=6`);
    expect(res.body.commands[0]).not.toContain('require-message-auth');
    expect(res.body.warnings.join(' ')).toMatch(/RouterOS 6/);
    // The same warnings by catalogue key, so the NAS page words them in its reader's language.
    expect(res.body.warningMessages).toEqual([{ key: 'onboarding.routerOs6', values: {} }]);
  });

  it('is only for callers who may change NAS entries; reading status is not', async () => {
    expect((await call('GET', `/api/v1/nas/${nasId}/onboarding`, undefined, readOnly)).status).toBe(403);
    expect((await call('GET', `/api/v1/nas/${nasId}/status`, undefined, readOnly)).status).toBe(200);
    expect((await app.inject({ method: 'GET', url: `/api/v1/nas/${nasId}/onboarding` })).statusCode).toBe(401);
    expect((await call('GET', '/api/v1/nas/9999/onboarding')).status).toBe(404);
  });

  it('without [radius] public_address, uses the address the request came in on and says so', async () => {
    const other = await makeApp({});
    try {
      const res = await call('GET', `/api/v1/nas/${nasId}/onboarding`, undefined, token, other);
      expect(res.status).toBe(200);
      expect(res.body.warnings.join(' ')).toMatch(/public_address/);
      expect(res.body.warningMessages.map((m: { key: string }) => m.key)).toEqual(res.body.warnings.length === 2 ? ['onboarding.noPublicAddress', 'onboarding.loopback'] : ['onboarding.noPublicAddress']);
      expect(res.body.commands[0]).toContain(`address=${res.body.serverAddress} `);
    } finally {
      await other.close();
    }
  });

  it('documents in OpenAPI that the answer holds the secret', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
    expect(doc.paths['/api/v1/nas/{id}/onboarding'].get.description).toMatch(/secret/);
    for (const p of ['/api/v1/nas/{id}/self-test', '/api/v1/nas/{id}/reconcile', '/api/v1/nas/{id}/reconciliation', '/api/v1/nas/{id}/status', '/api/v1/nas/{id}/traffic']) {
      expect(doc.paths[p], p).toBeDefined();
    }
  });

  it('quotes RouterOS strings and durations', () => {
    expect(routerOsQuote('a b')).toBe('"a b"');
    expect(routerOsQuote('x\ny\u007f')).toBe('"x\\0Ay\\7F"');
    expect(routerOsDuration(300)).toBe('5m');
    expect(routerOsDuration(3600)).toBe('1h');
    expect(routerOsDuration(90)).toBe('90s');
    const cmds = onboardingCommands({ serverAddress: '192.0.2.1', secret: 's', authPort: 11812, acctPort: 11813, coaPort: 1700, interimSeconds: 60, routerOsMajor: 7, nasName: 'n' });
    expect(cmds[0]).toContain('authentication-port=11812 accounting-port=11813');
    expect(cmds[1]).toBe('/radius incoming set accept=yes port=1700');
  });
});

describe('CoA self-test', () => {
  it('reports "answered" for a NAK 503: CoA works', async () => {
    sim.policy = () => ({ kind: 'nak', errorCause: 503 });
    const res = await call('POST', `/api/v1/nas/${nasId}/self-test`);
    expect(res.status, res.raw).toBe(200);
    expect(res.body).toMatchObject({ result: 'answered', ok: true, reply: 'nak', errorCause: 503, errorCauseName: 'Session-Context-Not-Found', host: '127.0.0.1', port: sim.port, attempts: 1 });
    expect(res.body.hint).toMatch(/CoA works/);
    // The simulator verified a genuine Disconnect-Request for a made-up session.
    const req = sim.received.at(-1)!;
    expect(req.code).toBe(SIM_CODES.DisconnectRequest);
    expect(req.hasMessageAuthenticator).toBe(true);
    expect(req.acctSessionId).toBe(res.body.acctSessionId);
    expect(req.acctSessionId).toMatch(/^tollgate-selftest-[0-9a-f]{12}$/);
    expect(sim.drops.bad_request_authenticator + sim.drops.bad_message_authenticator).toBe(0);
  });

  it('reports an ACK as answered too', async () => {
    sim.policy = () => ({ kind: 'ack' });
    expect((await call('POST', `/api/v1/nas/${nasId}/self-test`)).body).toMatchObject({ result: 'answered', ok: true, reply: 'ack' });
  });

  it('reports "no_answer" with the hint about /radius incoming and the port', async () => {
    sim.policy = () => undefined;
    const before = sim.received.length;
    const res = await call('POST', `/api/v1/nas/${nasId}/self-test`);
    expect(res.body).toMatchObject({ result: 'no_answer', ok: false, attempts: 2 });
    expect(res.body.hint).toMatch(/accept=yes/);
    expect(res.body.hint).toMatch(/3799/);
    expect(res.body.hint).toMatch(/1700/);
    expect(sim.received.length - before).toBe(2);
  });

  it('reports "bad_authenticator" when the reply is signed with another secret', async () => {
    sim.policy = () => ({ kind: 'nak', errorCause: 503, secret: 'not-the-same-secret' });
    const res = await call('POST', `/api/v1/nas/${nasId}/self-test`);
    expect(res.body).toMatchObject({ result: 'bad_authenticator', ok: false });
    expect(res.body.hint).toMatch(/secret/);
  });

  it('needs an address for a NAS entry that is a range', async () => {
    const range = await call('POST', '/api/v1/nas', { name: 'range', ipAddress: '127.0.0.0/8', secret: SECRET, coaPort: sim.port });
    const bad = await call('POST', `/api/v1/nas/${range.body.id}/self-test`, {});
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].field).toBe('host');
    sim.policy = () => ({ kind: 'nak', errorCause: 503 });
    const ok = await call('POST', `/api/v1/nas/${range.body.id}/self-test`, { host: '127.0.0.1' });
    expect(ok.body).toMatchObject({ result: 'answered', ok: true });
    expect((await call('POST', `/api/v1/nas/${range.body.id}/self-test`, { host: 'router.example' })).status).toBe(422);
  });
});
