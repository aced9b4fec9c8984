/**
 * Start-up on PostgreSQL (src/bootstrap.ts openStorage): `[database] url` opens and migrates the
 * database; nodes starting together on a new database migrate it once; a wrong password or an
 * unreachable server stops start-up naming `database.url`, without printing the password.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStorage, type Storage } from '../../src/bootstrap.js';
import { loadConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/lib/errors.js';
import { createPostgresDatabase, postgresReady } from '../helpers/backends.js';

function configFor(url: string) {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-pg-node-'));
  return loadConfig(undefined, { TOLLGATE_DATABASE_URL: url, TOLLGATE_DATABASE_PATH: join(dir, 'tollgate.db') }).config;
}

describe.skipIf(!postgresReady)('start-up on PostgreSQL', () => {
  const opened: Storage[] = [];
  afterAll(async () => {
    for (const s of opened) await s.close();
  });

  it('migrates a new database once when two nodes start together, and both use it', async () => {
    const url = await createPostgresDatabase({ empty: true });
    const [a, b] = await Promise.all([openStorage(configFor(url)), openStorage(configFor(url))]);
    opened.push(a, b);
    expect([a.backend, b.backend]).toEqual(['postgres', 'postgres']);
    expect(a.db).toBeUndefined();
    const migrations = await a.sql.get<{ n: number }>('select count(*) as "n" from drizzle.__drizzle_migrations');
    const files = await import('node:fs').then((fs) => fs.readdirSync(join(import.meta.dirname, '../../migrations-pg')).filter((f) => f.endsWith('.sql')).length);
    expect(migrations?.n).toBe(files);
    await a.sql.run(`insert into plans (name, type, price, download_kbps, upload_kbps) values (?, ?, ?, ?, ?)`, 'node a', 'recurring', 1000, 10_000, 2_000);
    expect(await b.sql.get(`select name from plans where name = ?`, 'node a')).toEqual({ name: 'node a' });
  });

  it('names database.url, not the password, when the server refuses the credentials or is not there', async () => {
    const url = new URL(await createPostgresDatabase());
    url.password = 'not-the-password';
    const refused = await openStorage(configFor(url.toString())).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ConfigError);
    expect(refused).toMatchObject({ key: 'database.url' });
    expect((refused as Error).message).not.toContain('not-the-password');
    const absent = await openStorage(configFor('postgres://tollgate:secret-pw@127.0.0.1:1/tollgate')).catch((e: unknown) => e);
    expect(absent).toMatchObject({ key: 'database.url' });
    expect((absent as Error).message).not.toContain('secret-pw');
  });
});
