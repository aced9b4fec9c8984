import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import * as schema from './schema.js';

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
 * process waits instead of failing.
 */
export function openDatabase(opts: OpenOptions): Db {
  if (opts.path !== ':memory:' && !opts.readonly) mkdirSync(dirname(opts.path), { recursive: true });
  const client = new Database(opts.path, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false });
  if (!opts.readonly) client.pragma('journal_mode = WAL');
  client.pragma(`synchronous = ${(opts.synchronous ?? 'full').toUpperCase()}`);
  client.pragma('foreign_keys = ON');
  client.pragma('busy_timeout = 5000');
  return drizzle({ client, schema }) as Db;
}
