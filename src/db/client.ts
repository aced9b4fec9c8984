import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import * as schema from './schema/index.js';
import { ConfigError } from '../lib/errors.js';
import { createPrivateFile, ensurePrivateDir } from '../lib/private-files.js';
import { sqliteClient, type SqlClient } from './sql.js';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

export interface OpenOptions {
  path: string;
  /** `full` survives power loss; `normal` survives a process crash or kill. */
  synchronous?: 'normal' | 'full';
  readonly?: boolean;
}

/**
 * Opens the database with the pragmas every connection needs: WAL so readers never block the writer,
 * foreign keys on (SQLite's default is off), and a busy timeout so a `tollgate backup` or a second
 * process waits instead of failing. A new database file is created 0600 (in a 0700 folder when that is
 * new too), so it and the -wal and -shm SQLite gives its mode are the owner's only, whatever the umask.
 */
export function openDatabase(opts: OpenOptions): Db {
  if (opts.path !== ':memory:' && opts.path !== '' && !opts.readonly) {
    ensurePrivateDir(dirname(opts.path));
    createPrivateFile(opts.path);
  }
  const client = new Database(opts.path, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false });
  if (!opts.readonly) client.pragma('journal_mode = WAL');
  client.pragma(`synchronous = ${(opts.synchronous ?? 'full').toUpperCase()}`);
  client.pragma('foreign_keys = ON');
  client.pragma('busy_timeout = 5000');
  // 64 MiB of page cache instead of SQLite's 2 MiB: the billing run inserts into indexes on random
  // keys across hundreds of thousands of invoice lines, and a 2 MiB cache turns that into page misses
  // (100,000 services: 10.6 s with the default, 8.7 s with this).
  client.pragma('cache_size = -65536');
  return drizzle({ client, schema }) as Db;
}

/** What a refused write looks like: SQLite's read-only and cannot-open codes, and the file system's. */
function isUnwritable(e: unknown): boolean {
  const code = (e as { code?: unknown }).code;
  if (typeof code !== 'string') return false;
  return code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN') || code === 'SQLITE_PERM' || ['EACCES', 'EPERM', 'EROFS'].includes(code);
}

/**
 * Opens the database for a process that writes to it (the daemon, `migrate`, the CLI commands that
 * change things) and proves that it can, before anything else starts: it commits one write that
 * changes nothing (`user_version` set to its own value), which needs the file writable and, for the
 * -wal and -shm files, its folder too. A file or folder this user cannot write, or a read-only mount,
 * is a ConfigError naming the file (exit 2) instead of a crash once the daemon serves.
 */
export function openWritableDatabase(opts: Omit<OpenOptions, 'readonly'>): Db {
  let db: Db | undefined;
  try {
    db = openDatabase(opts);
    const version = Number(db.$client.pragma('user_version', { simple: true }));
    db.$client.pragma(`user_version = ${version}`);
    return db;
  } catch (e) {
    db?.$client.close();
    if (!isUnwritable(e)) throw e;
    const who = process.getuid ? ` (user id ${process.getuid()})` : '';
    throw new ConfigError(
      `the database ${opts.path} cannot be written by this process${who}: ${(e as Error).message}; the file and its folder (where SQLite keeps the -wal and -shm files) must be writable`,
      'database.path',
    );
  }
}


/**
 * The SQL client on the connection of `db` (always the same one for a connection). Code moved onto
 * SqlClient reaches the SQLite connection it used to through this, until the composition hands
 * every part a SqlClient of either backend (issue: PostgreSQL as a second backend).
 */
export function sqlOf(db: Db): SqlClient {
  return sqliteClient(db.$client);
}
