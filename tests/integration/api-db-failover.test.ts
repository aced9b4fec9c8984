/**
 * The API while PostgreSQL cannot be reached (restarting, or failing over to its standby): requests
 * answer 503 database_unavailable with Retry-After, not 500 internal, /healthz says unhealthy, and
 * both recover by themselves once the server answers again. The database sits behind a TCP relay
 * the test cuts and restores, as a failover looks to a node: connections refused, open ones reset.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStorage, type Storage } from '../../src/bootstrap.js';
import { loadConfig } from '../../src/config/load.js';
import { tokenStore } from '../../src/db/security.js';
import type { App } from '../../src/http/build.js';
import { TestClock } from '../../src/lib/clock.js';
import { SecretBox } from '../../src/lib/secretbox.js';
import { buildApp } from '../helpers/app.js';
import { createPostgresDatabase, postgresReady } from '../helpers/backends.js';

/** A TCP relay to the database that can be cut (every connection reset, new ones refused) and restored on the same port. */
class Relay {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  port = 0;
  constructor(private readonly target: { host: string; port: number }) {}

  async open(): Promise<void> {
    this.server = net.createServer((client) => {
      const upstream = net.connect(this.target);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {});
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  async cut(): Promise<void> {
    for (const s of this.sockets) s.resetAndDestroy();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}

describe.skipIf(!postgresReady)('the API while PostgreSQL is unreachable', () => {
  let relay: Relay;
  let storage: Storage;
  let app: App;
  let auth: { authorization: string };

  beforeAll(async () => {
    const url = new URL(await createPostgresDatabase());
    relay = new Relay({ host: url.hostname, port: Number(url.port) });
    await relay.open();
    url.port = String(relay.port);
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-failover-'));
    const config = loadConfig(undefined, { TOLLGATE_DATABASE_URL: url.toString(), TOLLGATE_DATABASE_PATH: join(dir, 'tollgate.db') }).config;
    storage = await openStorage(config);
    const clock = new TestClock('2026-11-23T10:00:00.000Z');
    ({ app } = await buildApp({ sql: storage.sql, box: new SecretBox(randomBytes(32)), config, clock }));
    const { token } = await tokenStore(storage.sql, clock).create({ name: 'ops', role: 'admin', actor: { id: 'cli' } });
    auth = { authorization: `Bearer ${token}` };
  });
  afterAll(async () => {
    await app?.close();
    await storage?.close();
  });

  it('answers 503 database_unavailable with Retry-After while cut off, and serves again once the database is back', async () => {
    expect((await app.inject({ method: 'GET', url: '/api/v1/plans', headers: auth })).statusCode).toBe(200);

    await relay.cut();
    const read = await app.inject({ method: 'GET', url: '/api/v1/plans', headers: auth });
    expect(read.statusCode).toBe(503);
    expect(read.headers['content-type']).toContain('application/problem+json');
    expect(read.headers['retry-after']).toBe('5');
    expect(read.json()).toMatchObject({ status: 503, code: 'database_unavailable', title: 'Database unavailable' });
    const write = await app.inject({ method: 'POST', url: '/api/v1/plans', headers: auth, payload: { name: 'during failover', type: 'recurring', price: 1000, downloadKbps: 10_000, uploadKbps: 2_000 } });
    expect(write.statusCode).toBe(503);
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(503);

    await relay.open();
    // The pool drops the connections that broke and opens new ones: no restart, no operator.
    let back = 0;
    for (let i = 0; i < 50 && back !== 200; i++) {
      back = (await app.inject({ method: 'GET', url: '/api/v1/plans', headers: auth })).statusCode;
      if (back !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(back).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });
});
