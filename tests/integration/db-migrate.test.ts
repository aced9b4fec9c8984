import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { getTableConfig, type SQLiteTable } from 'drizzle-orm/sqlite-core';
import { is } from 'drizzle-orm';
import { SQLiteTable as SQLiteTableClass } from 'drizzle-orm/sqlite-core';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { defaultMigrationsDir, migrate, MigrationError, planMigrations } from '../../src/db/migrate.js';
import * as schema from '../../src/db/schema/index.js';
import { tempDir } from '../helpers/daemon.js';

const tables = (Object.values(schema) as unknown[]).filter((v): v is SQLiteTable => is(v, SQLiteTableClass));

describe('migrations', () => {
  it('build a fresh database that matches the drizzle schema exactly', async () => {
    const db = openDatabase({ path: join(tempDir(), 'fresh.db') });
    await migrate(db.$client);
    const actual = (db.$client.prepare(`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name != '__drizzle_migrations'`).all() as { name: string }[]).map((r) => r.name).sort();
    expect(actual).toEqual(tables.map((t) => getTableConfig(t).name).sort());
    for (const t of tables) {
      const cfg = getTableConfig(t);
      const cols = db.$client.pragma(`table_info(${cfg.name})`) as { name: string; type: string; notnull: number; pk: number }[];
      expect(cols.map((c) => c.name).sort(), cfg.name).toEqual(cfg.columns.map((c) => c.name).sort());
      for (const c of cfg.columns) {
        const col = cols.find((x) => x.name === c.name)!;
        expect(col.type.toLowerCase(), `${cfg.name}.${c.name}`).toBe(c.getSQLType().toLowerCase());
        expect(col.notnull === 1 || col.pk === 1, `${cfg.name}.${c.name} not null`).toBe(c.notNull);
      }
      const indexes = (db.$client.pragma(`index_list(${cfg.name})`) as { name: string; origin: string }[]).filter((i) => i.origin === 'c').map((i) => i.name).sort();
      expect(indexes, `${cfg.name} indexes`).toEqual(cfg.indexes.map((i) => i.config.name).sort());
      const ddl = (db.$client.prepare(`select sql from sqlite_master where name = ?`).get(cfg.name) as { sql: string }).sql;
      for (const ck of cfg.checks) expect(ddl, `${cfg.name} check ${ck.name}`).toContain(`CONSTRAINT "${ck.name}" CHECK`);
    }
    expect(db.$client.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.$client.pragma('journal_mode', { simple: true })).toBe('wal');
    db.$client.close();
  });

  it('are idempotent: a second run applies nothing', async () => {
    const db = openDatabase({ path: join(tempDir(), 'again.db') });
    expect((await migrate(db.$client)).applied.length).toBeGreaterThan(0);
    expect((await migrate(db.$client)).applied).toEqual([]);
    db.$client.close();
  });

  /** A migrations folder with ours plus one more migration, written as drizzle-kit writes a table rebuild. */
  function withExtraMigration(sql: string): string {
    const dir = join(tempDir(), 'migrations');
    cpSync(defaultMigrationsDir, dir, { recursive: true });
    const journalFile = join(dir, 'meta/_journal.json');
    const journal = JSON.parse(readFileSync(journalFile, 'utf8'));
    const last = journal.entries[journal.entries.length - 1];
    journal.entries.push({ ...last, idx: last.idx + 1, when: last.when + 1000, tag: '9999_rebuild' });
    writeFileSync(journalFile, JSON.stringify(journal));
    writeFileSync(join(dir, '9999_rebuild.sql'), sql);
    return dir;
  }

  const seed = (c: Database.Database) => {
    c.exec(`insert into customers (name) values ('Ada');
      insert into plans (name, type, price, billing_period_months, download_kbps, upload_kbps) values ('Home', 'recurring', 2500, 1, 10000, 2000);
      insert into nas (name, ip_address, secret_enc) values ('r1', '10.0.0.1', 'v1:x');
      insert into services (customer_id, plan_id, username, password_enc, start_date) values (1, 1, 'ada', 'v1:x', '2026-01-01');
      insert into radius_sessions (nas_id, acct_session_id, service_id, username, started_at, updated_at) values (1, 's1', 1, 'ada', 'x', 'x');`);
  };

  it('never lose child rows when a migration rebuilds a parent table (drizzle #4938)', async () => {
    // drizzle-kit's rebuild of `nas`; with foreign keys on inside the transaction, DROP TABLE would
    // cascade (set null) into radius_sessions.nas_id.
    const path = join(tempDir(), 'rebuild.db');
    const db = openDatabase({ path });
    await migrate(db.$client);
    seed(db.$client);
    // The table as all migrations so far left it (later migrations add columns to nas).
    const ddl = (db.$client.prepare(`select sql from sqlite_master where type = 'table' and name = 'nas'`).get() as { sql: string }).sql
      .replace(/^CREATE TABLE [`"]?nas[`"]?/, 'CREATE TABLE `__new_nas`');
    const rebuild = [
      'PRAGMA foreign_keys=OFF;',
      ddl,
      'INSERT INTO `__new_nas` SELECT * FROM `nas`;',
      'DROP TABLE `nas`;',
      'ALTER TABLE `__new_nas` RENAME TO `nas`;',
      'CREATE UNIQUE INDEX `nas_name_uq` ON `nas` (`name`);',
      'PRAGMA foreign_keys=ON;',
    ].join('--> statement-breakpoint\n');
    const dir = withExtraMigration(rebuild);
    const backupDir = join(tempDir(), 'backups');
    const result = await migrate(db.$client, { dir, backupDir });
    expect(result.applied).toEqual(['9999_rebuild']);
    expect(db.$client.prepare('select nas_id from radius_sessions').get()).toEqual({ nas_id: 1 });
    expect(db.$client.pragma('foreign_keys', { simple: true })).toBe(1);
    // The database was copied before the migration touched it.
    expect(result.backup && existsSync(result.backup)).toBeTruthy();
    expect(readdirSync(backupDir)).toHaveLength(1);
    db.$client.close();
  });

  it('roll back a migration that would leave broken foreign keys', async () => {
    const dir = withExtraMigration('DELETE FROM customers;');
    const db = openDatabase({ path: join(tempDir(), 'fk.db') });
    await migrate(db.$client);
    seed(db.$client);
    await expect(migrate(db.$client, { dir })).rejects.toThrow(MigrationError);
    expect(db.$client.prepare('select count(*) n from customers').get()).toEqual({ n: 1 });
    expect(planMigrations(db.$client, dir).pending).toHaveLength(1);
    db.$client.close();
  });

  /** A database migrated as the build that shipped only the migrations before `idx` left it. */
  /** A copy of the migrations that ends before migration `idx`. */
  function migrationsBefore(idx: number): string {
    const dir = join(tempDir(), 'migrations');
    cpSync(defaultMigrationsDir, dir, { recursive: true });
    const journalFile = join(dir, 'meta/_journal.json');
    const journal = JSON.parse(readFileSync(journalFile, 'utf8'));
    journal.entries = journal.entries.filter((e: { idx: number }) => e.idx < idx);
    writeFileSync(journalFile, JSON.stringify(journal));
    return dir;
  }

  /** The auth log's index entries in key order, once both tables are checked to be WITHOUT ROWID. */
  function authIndexEntries(c: ReturnType<typeof openDatabase>['$client']) {
    for (const t of ['auth_log_by_service', 'auth_log_by_username']) {
      expect((c.prepare(`select sql from sqlite_master where name = ?`).get(t) as { sql: string }).sql).toMatch(/WITHOUT ROWID/);
    }
    return {
      service: c.prepare('select bucket as b, service_id as s, auth_log_id as a from auth_log_by_service').all(),
      username: c.prepare('select bucket as b, username as u, auth_log_id as a from auth_log_by_username').all(),
    };
  }

  async function databaseBefore(idx: number, file: string) {
    const db = openDatabase({ path: join(tempDir(), file) });
    await migrate(db.$client, { dir: migrationsBefore(idx) });
    return db;
  }

  it('0004 leaves pending only the plan changes recorded ahead of their date', async () => {
    // A database as the build before 0004 left it: the migrations up to 0003.
    const db = await databaseBefore(4, 'plan-changes.db');
    seed(db.$client);
    db.$client.exec(`insert into service_plan_changes (service_id, plan_id, effective_date, created_at) values
      (1, 1, '2026-02-01', '2026-02-01T09:00:00.000Z'),
      (1, 1, '2026-01-20', '2026-02-03T09:00:00.000Z'),
      (1, 1, '2026-03-01', '2026-02-10T09:00:00.000Z')`);
    expect((await migrate(db.$client)).applied.map((t) => t.slice(0, 4))[0]).toBe('0004');
    // Effective on or before the day recorded: switched then. Recorded ahead: left for the job.
    expect(db.$client.prepare('select effective_date as d, applied_at as a from service_plan_changes order by id').all()).toEqual([
      { d: '2026-02-01', a: '2026-02-01T09:00:00.000Z' },
      { d: '2026-01-20', a: '2026-02-03T09:00:00.000Z' },
      { d: '2026-03-01', a: null },
    ]);
    db.$client.close();
  });

  it('0005 keeps the auth log index entries in WITHOUT ROWID tables', async () => {
    // A database as the build before 0005 left it, with auth-log index entries.
    const db = await databaseBefore(5, 'auth-index.db');
    db.$client.exec(`insert into auth_log_by_service (service_id, auth_log_id) values (2, 7), (1, 9), (1, 3);
      insert into auth_log_by_username (username, auth_log_id) values ('bob', 7), ('alice', 9), ('alice', 3)`);
    expect((await migrate(db.$client)).applied.map((t) => t.slice(0, 4))[0]).toBe('0005');
    const sqlOf = (t: string) => (db.$client.prepare(`select sql from sqlite_master where name = ?`).get(t) as { sql: string }).sql;
    expect(sqlOf('auth_log_by_service')).toMatch(/WITHOUT ROWID/);
    expect(sqlOf('auth_log_by_username')).toMatch(/WITHOUT ROWID/);
    expect(db.$client.prepare('select service_id as s, auth_log_id as a from auth_log_by_service').all()).toEqual([
      { s: 1, a: 3 }, { s: 1, a: 9 }, { s: 2, a: 7 },
    ]);
    expect(db.$client.prepare('select username as u, auth_log_id as a from auth_log_by_username').all()).toEqual([
      { u: 'alice', a: 3 }, { u: 'alice', a: 9 }, { u: 'bob', a: 7 },
    ]);
    // The primary key still refuses a second entry for the same row (the indexer's insert or ignore relies on it).
    expect(() => db.$client.exec(`insert into auth_log_by_service (bucket, service_id, auth_log_id) values (0, 1, 3)`)).toThrow(/UNIQUE/);
    db.$client.close();
  });

  it('0006 drops the auth log index on at and keeps every row', async () => {
    const db = await databaseBefore(6, 'auth-at.db');
    db.$client.exec(`insert into auth_log (at, username, outcome) values ('2026-11-24T10:00:00.000Z', 'alice', 'accept'),
      ('2026-11-24T10:00:01.000Z', 'bob', 'reject')`);
    const indexes = () => (db.$client.prepare(`select name from sqlite_master where type = 'index' and tbl_name = 'auth_log'`).all() as { name: string }[]).map((r) => r.name);
    expect(indexes()).toContain('auth_log_at_ix');
    expect((await migrate(db.$client)).applied.map((t) => t.slice(0, 4))[0]).toBe('0006');
    expect(indexes()).not.toContain('auth_log_at_ix');
    expect(db.$client.prepare('select username, outcome from auth_log order by id').all()).toEqual([
      { username: 'alice', outcome: 'accept' }, { username: 'bob', outcome: 'reject' },
    ]);
    db.$client.close();
  });

  it('0007 groups the auth log index entries by bucket of 262,144 ids', async () => {
    const db = await databaseBefore(7, 'auth-buckets.db');
    db.$client.exec(`insert into auth_log_by_service (service_id, auth_log_id) values (2, 7), (1, 300000), (1, 3);
      insert into auth_log_by_username (username, auth_log_id) values ('bob', 7), ('alice', 600000), ('alice', 3)`);
    expect((await migrate(db.$client, { dir: migrationsBefore(8) })).applied.map((t) => t.slice(0, 4))).toEqual(['0007']);
    expect(authIndexEntries(db.$client)).toEqual({
      service: [{ b: 0, s: 1, a: 3 }, { b: 0, s: 2, a: 7 }, { b: 1, s: 1, a: 300000 }],
      username: [{ b: 0, u: 'alice', a: 3 }, { b: 0, u: 'bob', a: 7 }, { b: 2, u: 'alice', a: 600000 }],
    });
    db.$client.close();
  });

  it('0008 regroups the auth log index entries by bucket of 8,192 ids', async () => {
    const db = await databaseBefore(8, 'auth-small-buckets.db');
    db.$client.exec(`insert into auth_log_by_service (bucket, service_id, auth_log_id) values (0, 2, 7), (1, 1, 300000), (0, 1, 9000);
      insert into auth_log_by_username (bucket, username, auth_log_id) values (0, 'bob', 7), (2, 'alice', 600000), (0, 'alice', 9000)`);
    // 0008 first, then whatever came after it (0009 keeps what the billing run credits on credit notes).
    expect((await migrate(db.$client)).applied.map((t) => t.slice(0, 4))).toEqual(['0008', '0009']);
    expect(authIndexEntries(db.$client)).toEqual({
      service: [{ b: 0, s: 2, a: 7 }, { b: 1, s: 1, a: 9000 }, { b: 36, s: 1, a: 300000 }],
      username: [{ b: 0, u: 'bob', a: 7 }, { b: 1, u: 'alice', a: 9000 }, { b: 73, u: 'alice', a: 600000 }],
    });
    db.$client.close();
  });

  it('refuse a database migrated by a newer build', async () => {
    const dir = withExtraMigration('CREATE TABLE future (id integer);');
    const path = join(tempDir(), 'newer.db');
    const db = openDatabase({ path });
    await migrate(db.$client, { dir });
    expect(() => planMigrations(db.$client)).toThrow(/does not know/);
    await expect(migrate(db.$client)).rejects.toThrow(MigrationError);
    db.$client.close();
  });
});
