import { readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readMigrationFiles, type MigrationMeta } from 'drizzle-orm/migrator';
import type Database from 'better-sqlite3';
import { systemClock, type Clock } from '../lib/clock.js';
import { createPrivateFile, ensurePrivateDir } from '../lib/private-files.js';

/** migrations/ at the package root: two levels above both src/db and dist/db. */
export const defaultMigrationsDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../migrations');

const TABLE = '__drizzle_migrations';

/** The journal's names for migrations (e.g. `0000_foundation`), keyed by their timestamp. */
export function migrationTags(dir: string): Map<number, string> {
  const journal = JSON.parse(readFileSync(join(dir, 'meta/_journal.json'), 'utf8')) as { entries: { when: number; tag: string }[] };
  return new Map(journal.entries.map((e) => [e.when, e.tag]));
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

export interface MigrationPlan {
  applied: number;
  pending: MigrationMeta[];
}

function appliedRows(client: Database.Database): { hash: string; created_at: number }[] {
  const exists = client.prepare(`select 1 from sqlite_master where type = 'table' and name = ?`).get(TABLE);
  if (!exists) return [];
  return client.prepare(`select hash, created_at from ${TABLE} order by created_at`).all() as {
    hash: string;
    created_at: number;
  }[];
}

/**
 * Compares the database with the migrations this build ships. A database migrated by a newer build
 * (a migration hash we do not know) is refused: running old code on a newer schema corrupts data.
 */
export function planMigrations(client: Database.Database, dir = defaultMigrationsDir): MigrationPlan {
  const known = readMigrationFiles({ migrationsFolder: dir });
  const rows = appliedRows(client);
  const knownHashes = new Set(known.map((m) => m.hash));
  const unknown = rows.filter((r) => !knownHashes.has(r.hash));
  if (unknown.length > 0) {
    throw new MigrationError(
      `the database has ${unknown.length} migration(s) this build does not know (it was migrated by a newer Tollgate); ` +
        `refusing to start: upgrade Tollgate or restore a backup`,
    );
  }
  const last = rows.length ? Math.max(...rows.map((r) => Number(r.created_at))) : -Infinity;
  return { applied: rows.length, pending: known.filter((m) => m.folderMillis > last) };
}

export interface MigrateOptions {
  dir?: string;
  /** Where to put the copy taken before a migration touches existing data; undefined: no backup. */
  backupDir?: string | undefined;
  /** Names the backup by the time it was taken. */
  clock?: Clock | undefined;
}

export interface MigrateResult {
  applied: string[];
  backup?: string;
}

/**
 * Applies pending migrations in one transaction, safely.
 *
 * drizzle's own migrator rebuilds tables (`CREATE __new; INSERT; DROP; RENAME`) inside its transaction,
 * where `PRAGMA foreign_keys=OFF` is ignored, so `DROP TABLE` fires `ON DELETE CASCADE` and child rows
 * vanish while it reports success. So: foreign keys off on the connection *before* the transaction,
 * apply, require an empty `foreign_key_check` before COMMIT (else roll back), foreign keys back on.
 * The files and the bookkeeping table stay drizzle's, so drizzle-kit keeps working.
 */
export async function migrate(client: Database.Database, opts: MigrateOptions = {}): Promise<MigrateResult> {
  const plan = planMigrations(client, opts.dir);
  if (plan.pending.length === 0) return { applied: [] };

  const result: MigrateResult = { applied: [] };
  const hasData = plan.applied > 0;
  if (hasData && opts.backupDir !== undefined && client.name !== ':memory:') {
    ensurePrivateDir(opts.backupDir);
    const stamp = (opts.clock ?? systemClock).now().toISOString().replace(/[-:]/g, '').replace(/\..*$/, 'Z');
    const file = join(opts.backupDir, `tollgate-${stamp}-before-migration.db`);
    // A copy of every customer's data: 0600 like the database. One taken already this second stays.
    if (createPrivateFile(file)) {
      try {
        await client.backup(file);
      } catch (e) {
        rmSync(file, { force: true });
        throw e;
      }
    }
    result.backup = file;
  }

  client.pragma('foreign_keys = OFF');
  try {
    client.exec(`CREATE TABLE IF NOT EXISTS ${TABLE} (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric)`);
    const record = client.prepare(`INSERT INTO ${TABLE} (hash, created_at) VALUES (?, ?)`);
    const apply = client.transaction(() => {
      for (const m of plan.pending) {
        for (const stmt of m.sql) if (stmt.trim()) client.exec(stmt);
        record.run(m.hash, m.folderMillis);
      }
      const broken = client.pragma('foreign_key_check') as unknown[];
      if (broken.length > 0) {
        throw new MigrationError(
          `migration would leave ${broken.length} row(s) with broken foreign keys (first: ${JSON.stringify(broken[0])}); rolled back, nothing changed`,
        );
      }
    });
    apply.immediate();
  } finally {
    client.pragma('foreign_keys = ON');
  }
  const tags = migrationTags(opts.dir ?? defaultMigrationsDir);
  result.applied = plan.pending.map((m) => tags.get(m.folderMillis) ?? String(m.folderMillis));
  return result;
}
