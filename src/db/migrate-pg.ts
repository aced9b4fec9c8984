/**
 * migrations-pg on a PostgreSQL database, safely when several nodes start at once: the first takes
 * a session advisory lock and applies what is pending in one transaction (PostgreSQL's DDL is
 * transactional, so a failed migration leaves nothing half-done); the others wait on the lock and
 * then find nothing to do. A database migrated by a newer build is refused, as on SQLite.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import pg from 'pg';
import { MigrationError, migrationTags } from './migrate.js';

export const defaultPgMigrationsDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../migrations-pg');

/** drizzle's bookkeeping, in its own schema as drizzle-kit's PostgreSQL migrator keeps it. */
const TABLE = 'drizzle.__drizzle_migrations';
/** Held while migrating; any fixed number distinct from the write lock's. */
const MIGRATE_LOCK_KEY = 0x6d696772; // "migr"

export interface PgMigrateResult {
  applied: string[];
}

export async function migratePostgres(url: string, dir = defaultPgMigrationsDir): Promise<PgMigrateResult> {
  const known = readMigrationFiles({ migrationsFolder: dir });
  const client = new pg.Client({ connectionString: url, options: '-c synchronous_commit=on -c timezone=UTC' });
  await client.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATE_LOCK_KEY]);
    await client.query('create schema if not exists drizzle');
    await client.query(`create table if not exists ${TABLE} (id serial primary key, hash text not null, created_at bigint)`);
    const rows = (await client.query<{ hash: string; created_at: string }>(`select hash, created_at from ${TABLE} order by created_at`)).rows;
    const knownHashes = new Set(known.map((m) => m.hash));
    const unknown = rows.filter((r) => !knownHashes.has(r.hash));
    if (unknown.length > 0) {
      throw new MigrationError(
        `the database has ${unknown.length} migration(s) this build does not know (it was migrated by a newer Tollgate); refusing to start: upgrade Tollgate or restore a backup`,
      );
    }
    const last = rows.length ? Math.max(...rows.map((r) => Number(r.created_at))) : -Infinity;
    const pending = known.filter((m) => m.folderMillis > last);
    if (pending.length === 0) return { applied: [] };
    await client.query('begin');
    try {
      for (const m of pending) {
        for (const stmt of m.sql) if (stmt.trim()) await client.query(stmt);
        await client.query(`insert into ${TABLE} (hash, created_at) values ($1, $2)`, [m.hash, m.folderMillis]);
      }
      await client.query('commit');
    } catch (e) {
      await client.query('rollback');
      throw e;
    }
    const tags = migrationTags(dir);
    return { applied: pending.map((m) => tags.get(m.folderMillis) ?? String(m.folderMillis)) };
  } finally {
    await client.query('select pg_advisory_unlock($1)', [MIGRATE_LOCK_KEY]).catch(() => undefined);
    await client.end();
  }
}
