import { chmodSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from './config/schema.js';
import { openWritableDatabase, sqlOf, type Db } from './db/client.js';
import { migrate } from './db/migrate.js';
import { migratePostgres } from './db/migrate-pg.js';
import { openPostgres, redactUrl, type SqlClient } from './db/sql.js';
import { ConfigError } from './lib/errors.js';
import { adminStore } from './db/security.js';
import { dataDir, initialPasswordFile, loadSecretBox } from './keys.js';
import { systemClock, type Clock } from './lib/clock.js';
import type { SecretBox } from './lib/secretbox.js';
import { hashPassword } from './lib/password.js';
import { ensurePrivateDir, PRIVATE_FILE_MODE } from './lib/private-files.js';

export interface Opened {
  db: Db;
  box: SecretBox;
}

/** The database of either backend, migrated, with the at-rest key. */
export interface Storage {
  backend: 'sqlite' | 'postgres';
  sql: SqlClient;
  /** SQLite only: the connection's drizzle handle, for the SQLite-only parts (backup, the accounting writer's file). */
  db: Db | undefined;
  box: SecretBox;
  close(): Promise<void>;
}

/**
 * Opens the configured backend: PostgreSQL when `[database] url` is set (migrated under a lock, so
 * nodes starting together migrate once), else the SQLite file. A server that cannot be reached or
 * refuses the credentials stops start-up naming the key (ConfigError, exit 2), never the password.
 */
export async function openStorage(config: Config, log?: Logger, clock: Clock = systemClock): Promise<Storage> {
  if (config.database.url === '') {
    const { db, box } = await openAndMigrate(config, log, clock);
    const sql = sqlOf(db);
    return { backend: 'sqlite', sql, db, box, close: () => sql.close() };
  }
  const url = config.database.url;
  try {
    const result = await migratePostgres(url);
    if (result.applied.length) log?.info({ applied: result.applied }, 'database migrated');
  } catch (e) {
    throw postgresStartError(e, url);
  }
  const sql = openPostgres({ url, max: config.database.pool_size, onIdleError: (err) => log?.warn({ err: err.message }, 'a pooled PostgreSQL connection failed') });
  try {
    const sealed = await sql.get<{ n: number }>('select (select count(*) from nas) + (select count(*) from services) as "n"');
    const { box, created } = loadSecretBox(config, { create: true, hasSealedData: (sealed?.n ?? 0) > 0 });
    if (created) log?.warn({ file: created }, 'created the at-rest secret key: every node needs a copy of it, and backups too');
    return { backend: 'postgres', sql, db: undefined, box, close: () => sql.close() };
  } catch (e) {
    await sql.close();
    throw e;
  }
}

/** A connection failure as a ConfigError naming `database.url` without its password; others as they are. */
function postgresStartError(e: unknown, url: string): unknown {
  const code = (e as { code?: unknown }).code;
  const connection = ['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', '28P01', '28000', '3D000'].includes(String(code));
  if (!connection) return e;
  return new ConfigError(`PostgreSQL at ${redactUrl(url)} refused or could not be reached: ${(e as Error).message}`, 'database.url');
}

/**
 * Opens and migrates the database and loads the at-rest key: what every command that writes needs. A
 * database this process cannot write stops it here, before any listener (ConfigError, exit 2).
 */
export async function openAndMigrate(config: Config, log?: Logger, clock: Clock = systemClock): Promise<Opened> {
  const db = openWritableDatabase({ path: config.database.path, synchronous: config.database.synchronous as 'normal' | 'full' });
  try {
    const backupDir = config.database.backup_before_migrate ? config.database.backup_dir || resolve(dataDir(config), 'backups') : undefined;
    const result = await migrate(db.$client, { backupDir, clock });
    if (result.applied.length) log?.info({ applied: result.applied, backup: result.backup }, 'database migrated');
    const sealed = db.$client.prepare('select (select count(*) from nas) + (select count(*) from services) as n').get() as { n: number };
    const { box, created } = loadSecretBox(config, { create: true, hasSealedData: sealed.n > 0 });
    if (created) log?.warn({ file: created }, 'created the at-rest secret key: back it up with the database');
    return { db, box };
  } catch (e) {
    db.$client.close();
    throw e;
  }
}

/**
 * First start with no admin: a super-admin with a random password, printed once and written to
 * `initial-admin-password` (0600) beside the database; the admin's first own password change removes the
 * file (keys.ts `forgetInitialPassword`). There are no default credentials.
 */
export async function ensureFirstAdmin(sql: SqlClient, config: Config, log: Logger, clock: Clock): Promise<void> {
  const admins = adminStore(sql, clock);
  if ((await admins.count()) > 0) return;
  const password = randomBytes(18).toString('base64url');
  const username = config.security.initial_admin_username;
  await admins.create({ username, passwordHash: await hashPassword(password), role: 'super-admin', mustChangePassword: true, actor: { id: 'system' }, at: clock.now() });
  ensurePrivateDir(dataDir(config));
  const file = initialPasswordFile(config);
  writeFileSync(file, `${username}\n${password}\n`, { mode: PRIVATE_FILE_MODE });
  chmodSync(file, PRIVATE_FILE_MODE); // mode applies only when the file is new
  // The one deliberate exception to "no secrets in logs": the operator needs this once, at first start.
  log.warn({ username, initialPassword: password, file }, 'created the first super-admin; change this password at first login');
}
