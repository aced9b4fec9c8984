import { cpSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureFirstAdmin, openAndMigrate } from '../../src/bootstrap.js';
import { loadConfig } from '../../src/config/load.js';
import { openDatabase, sqlOf } from '../../src/db/client.js';
import { defaultMigrationsDir, migrate } from '../../src/db/migrate.js';
import { TestClock } from '../../src/lib/clock.js';
import { createLogger } from '../../src/logger.js';
import { cli, tempDir, writeConfig } from '../helpers/daemon.js';

/**
 * Files that hold customer data or secrets are created 0600 (folders 0700) whatever the umask: a
 * daemon started by hand or by a packaging without systemd's UMask= has the usual 022.
 */

const mode = (file: string) => (statSync(file).mode & 0o777).toString(8);
const clock = new TestClock('2026-11-23T10:00:00.000Z');
let umask: number;
beforeAll(() => {
  umask = process.umask(0o022);
});
afterAll(() => {
  process.umask(umask);
});

describe('files holding customer data, under umask 022', () => {
  it('the data folder, the database and its -wal and -shm, the key and the initial password', async () => {
    const dir = tempDir();
    const config = loadConfig(undefined, { TOLLGATE_DATABASE_PATH: join(dir, 'data/tollgate.db') }).config;
    const { db } = await openAndMigrate(config, undefined, clock);
    try {
      await ensureFirstAdmin(sqlOf(db), config, createLogger('silent'), clock);
      const data = join(dir, 'data');
      expect(readdirSync(data).sort()).toEqual(['initial-admin-password', 'secret.key', 'tollgate.db', 'tollgate.db-shm', 'tollgate.db-wal']);
      expect(Object.fromEntries(readdirSync(data).map((f) => [f, mode(join(data, f))]))).toEqual({
        'initial-admin-password': '600', 'secret.key': '600', 'tollgate.db': '600', 'tollgate.db-shm': '600', 'tollgate.db-wal': '600',
      });
      expect(mode(data)).toBe('700');
      // A checkpoint that truncates the WAL, then more writes: the log SQLite writes again stays private.
      db.$client.pragma('wal_checkpoint(TRUNCATE)');
      db.$client.exec(`insert into customers (name) values ('Ada')`);
      expect(mode(join(data, 'tollgate.db-wal'))).toBe('600');
    } finally {
      db.$client.close();
    }
    // A second connection (the accounting writer, a CLI command) on the existing file changes nothing.
    const again = openDatabase({ path: join(dir, 'data/tollgate.db') });
    again.$client.exec(`insert into customers (name) values ('Bob')`);
    expect(mode(join(dir, 'data/tollgate.db-wal'))).toBe('600');
    again.$client.close();
  });

  it('the copy taken before a migration', async () => {
    // A database migrated by a build that lacked the last migration: the real build backs it up first.
    const older = join(tempDir(), 'migrations');
    cpSync(defaultMigrationsDir, older, { recursive: true });
    const journalFile = join(older, 'meta/_journal.json');
    const journal = JSON.parse(readFileSync(journalFile, 'utf8'));
    journal.entries.pop();
    writeFileSync(journalFile, JSON.stringify(journal));
    const dir = tempDir();
    const db = openDatabase({ path: join(dir, 'tollgate.db') });
    try {
      await migrate(db.$client, { dir: older });
      const backupDir = join(dir, 'backups');
      const result = await migrate(db.$client, { backupDir, clock });
      expect(result.backup).toBe(join(backupDir, 'tollgate-20261123T100000Z-before-migration.db'));
      expect(mode(result.backup!)).toBe('600');
      expect(mode(backupDir)).toBe('700');
      expect(readdirSync(backupDir)).toHaveLength(1);
    } finally {
      db.$client.close();
    }
  });

  it('tollgate backup FILE', async () => {
    const dir = tempDir();
    const config = writeConfig(dir);
    expect(cli(['migrate', '--config', config]).code).toBe(0);
    const file = join(dir, 'copy.db');
    const r = cli(['backup', file, '--config', config]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(mode(file)).toBe('600');
    // A file that exists is never overwritten.
    const again = cli(['backup', file, '--config', config]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already exists/);
  });

  it('tollgate backup FILE into a folder that does not exist yet creates it 0700', () => {
    // The README's systemd backup command writes to /var/lib/tollgate/backups/, which nothing has
    // created on a new install (the daemon makes it only before a migration of an existing database).
    const dir = tempDir();
    const config = writeConfig(dir);
    expect(cli(['migrate', '--config', config]).code).toBe(0);
    const file = join(dir, 'backups', 'nightly', 'copy.db');
    const r = cli(['backup', file, '--config', config]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(mode(file)).toBe('600');
    expect(mode(join(dir, 'backups', 'nightly'))).toBe('700');
  });
});
