import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { loadConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import type { Db } from '../../src/db/client.js';
import { adminStore, tokenStore } from '../../src/db/security.js';
import type { Services } from '../../src/daemon.js';
import type { App } from '../../src/http/build.js';
import { TestClock } from '../../src/lib/clock.js';
import { hashPassword } from '../../src/lib/password.js';
import { SecretBox } from '../../src/lib/secretbox.js';
import type { JobRunner } from '../../src/scheduler/jobs.js';
import { buildApp } from './app.js';
import { defaultBackend, openTestBackend } from './backends.js';
import type { SqlClient } from '../../src/db/sql.js';
import { tempDir } from './daemon.js';

/**
 * An app on a fresh database with a movable clock, for the admin API and security tests: a SQLite
 * file, or with `TOLLGATE_TEST_BACKEND=postgres` a PostgreSQL database (tests/helpers/backends.ts).
 */
export interface TestApi {
  app: App;
  services: Services;
  jobs: JobRunner;
  /** The database, on either backend. */
  sql: SqlClient;
  /** SQLite only: reading it on PostgreSQL throws (the test belongs to the SQLite pass only). */
  db: Db;
  /** The SQLite handle, or undefined on PostgreSQL. */
  sqlite: Db | undefined;
  box: SecretBox;
  dir: string;
  clock: TestClock;
  config: Config;
  /** A bearer token of a role, created as the CLI does. */
  token(role: string, expiresAt?: string): Promise<string>;
  /** Creates an admin directly in the database. */
  admin(username: string, password: string, role: string, opts?: { mustChangePassword?: boolean }): Promise<number>;
  close(): Promise<void>;
}

export interface TestApiOptions {
  env?: Record<string, string>;
  logger?: Logger;
  clock?: TestClock;
  /** A second app on the database (and keys) of `same`, as after a restart; closing it leaves the database open. */
  same?: TestApi;
}

export async function testApi(opts: TestApiOptions = {}): Promise<TestApi> {
  const dir = opts.same?.dir ?? tempDir('tollgate-admin-');
  const backend = opts.same ? undefined : await openTestBackend(defaultBackend, { file: join(dir, 'tollgate.db') });
  const sql = opts.same?.sql ?? backend!.sql;
  const sqlite = opts.same ? opts.same.sqlite : backend!.db;
  const box = opts.same?.box ?? new SecretBox(randomBytes(32));
  const clock = opts.clock ?? new TestClock('2026-11-23T10:00:00.000Z');
  const env = { TOLLGATE_DATABASE_PATH: join(dir, 'tollgate.db'), ...(backend?.url ? { TOLLGATE_DATABASE_URL: backend.url } : {}), ...opts.env };
  const config = loadConfig(undefined, env).config;
  const { app, services, jobs } = await buildApp({ sql, db: sqlite, box, config, logger: opts.logger ?? false, clock });
  return {
    app, services, jobs, sql, sqlite, box, dir, clock, config,
    get db(): Db {
      if (!sqlite) throw new Error('this test reads the SQLite file directly: it runs in the SQLite pass only (tests/postgres-pass.txt lists the PostgreSQL pass)');
      return sqlite;
    },
    token: async (role, expiresAt) => (await tokenStore(sql, clock).create({ name: `t-${role}`, role, expiresAt, actor: { id: 'cli' } })).token,
    admin: async (username, password, role, o = {}) =>
      adminStore(sql).create({ username, passwordHash: await hashPassword(password), role, mustChangePassword: o.mustChangePassword ?? false, actor: { id: 'cli' }, at: clock.now() }),
    close: async () => {
      await app.close();
      await backend?.close();
    },
  };
}

/** The session cookie's `name=value` from a response, for the Cookie header of the next request. */
export function cookieFrom(res: { headers: Record<string, unknown> }): string | undefined {
  const set = [res.headers['set-cookie']].flat().filter(Boolean) as string[];
  const c = set.find((s) => s.startsWith('tollgate_session='));
  return c?.split(';')[0];
}

/** Replaces path parameters with values that name nothing that exists. */
export function concreteUrl(pattern: string): string {
  return pattern
    .replace(/:date\b/g, '2026-01-01')
    .replace(/:name\b/g, 'no-such-thing')
    .replace(/:(\w*id|\w*Id)\b/g, '999999')
    .replace(/:\w+/g, '999999');
}
