/**
 * A fresh database on either backend for a test: SQLite in memory, migrated; or a PostgreSQL
 * database copied from the run's migrated template (tests/helpers/pg-global.ts). Store tests run
 * once per backend with `describe.each(backendNames)`; `defaultBackend` is the one the rest of the
 * suite uses, PostgreSQL when `TOLLGATE_TEST_BACKEND=postgres`.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, inject } from 'vitest';
import { openDatabase, type Db } from '../../src/db/client.js';
import { migrate } from '../../src/db/migrate.js';
import { createPgAccountingWriter } from '../../src/db/pg-writer.js';
import type { AcctWriter } from '../../src/db/radius.js';
import { openPostgres, sqliteClient, type SqlClient } from '../../src/db/sql.js';
import { createAccountingWriter, type AccountingWriterOptions } from '../../src/db/writer-thread.js';

export type BackendName = 'sqlite' | 'postgres';

const templateUrl = inject('pgTemplateUrl');
const admin = inject('pgAdmin');

export const postgresReady = templateUrl !== '';
export const backendNames: BackendName[] = postgresReady ? ['sqlite', 'postgres'] : ['sqlite'];
export const defaultBackend: BackendName = process.env.TOLLGATE_TEST_BACKEND === 'postgres' ? 'postgres' : 'sqlite';

export interface TestBackend {
  name: BackendName;
  sql: SqlClient;
  /** SQLite only: the drizzle handle on the same connection, for code not yet on SqlClient. */
  db: Db | undefined;
  /** PostgreSQL only: the database's URL (the daemon's `[database] url`). */
  url: string | undefined;
  close(): Promise<void>;
}

async function asAdmin(statement: string): Promise<void> {
  if (!admin) throw new Error('no PostgreSQL server in this run');
  const client = new pg.Client({ host: admin.host, port: admin.port, user: 'postgres', database: 'postgres' });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/**
 * A new PostgreSQL database owned by the unprivileged role, its URL: with the schema (a copy of the
 * run's migrated template), or `empty` as a new installation finds it.
 */
export async function createPostgresDatabase(opts: { empty?: boolean } = {}): Promise<string> {
  const name = `t_${randomBytes(6).toString('hex')}`;
  await asAdmin(`create database ${name} template ${opts.empty ? 'template0' : 'tollgate_template'} owner tollgate`);
  const url = new URL(templateUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * A fresh, migrated database of backend `name`. SQLite is in memory unless `file` is given: a file
 * there opened as the daemon opens it (WAL, synchronous normal), for tests whose app runs the
 * accounting writer thread or reads the file from another connection.
 */
export async function openTestBackend(name: BackendName = defaultBackend, opts: { file?: string } = {}): Promise<TestBackend> {
  if (name === 'sqlite') {
    const db = opts.file ? openDatabase({ path: opts.file, synchronous: 'normal' }) : openDatabase({ path: ':memory:' });
    await migrate(db.$client);
    const sql = sqliteClient(db.$client);
    return { name, sql, db, url: undefined, close: () => sql.close() };
  }
  const url = await createPostgresDatabase();
  const sql = openPostgres({ url, max: 4 });
  return { name, sql, db: undefined, url, close: () => sql.close() };
}

/**
 * A fresh database of backend `name` for the enclosing `describe`: opened before its tests (ahead of
 * the hooks registered after this call) and closed after them. The handle is read inside tests and
 * hooks: `const b = useTestBackend(name); beforeAll(() => { store = jobStore(b.sql); });`.
 */
export function useTestBackend(name: BackendName = defaultBackend): TestBackend {
  let opened: TestBackend | undefined;
  beforeAll(async () => {
    opened = await openTestBackend(name);
  });
  afterAll(async () => {
    await opened?.close();
  });
  const live = (): TestBackend => {
    if (!opened) throw new Error('the test backend opens in beforeAll: use it inside a test or a hook');
    return opened;
  };
  return {
    name,
    get sql() { return live().sql; },
    get db() { return live().db; },
    get url() { return live().url; },
    close: () => live().close(),
  };
}

/** The database of an app under test on the run's backend: a SQLite file in `dir`, or a PostgreSQL database. */
export function openAppDatabase(dir: string, file = 'tollgate.db'): Promise<TestBackend> {
  return openTestBackend(defaultBackend, { file: join(dir, file) });
}

/** The RADIUS accounting writer the daemon builds on this backend (src/main.ts). */
export async function accountingWriter(backend: TestBackend, opts: AccountingWriterOptions = {}): Promise<AcctWriter> {
  return backend.db ? createAccountingWriter(backend.db, opts) : createPgAccountingWriter(backend.sql, opts);
}

/** A spawned daemon's database on the run's backend: its config's `[database]` keys, and a reader. */
export interface DaemonDatabase {
  /** The keys of the `[database]` table (the secret key stays beside `path` either way). */
  toml: string;
  /** A client on the daemon's database for a test's own reads (SQLite: read-only); close it after. */
  open(): SqlClient;
}

/** The database of a daemon spawned in `dir`: data/tollgate.db, or a PostgreSQL database copied from the template. */
export async function daemonDatabase(dir: string): Promise<DaemonDatabase> {
  const path = join(dir, 'data/tollgate.db');
  if (defaultBackend === 'sqlite') {
    return {
      toml: `path = "${path}"\nsynchronous = "normal"`,
      open: () => sqliteClient(new Database(path, { readonly: true, fileMustExist: true })),
    };
  }
  const url = await createPostgresDatabase();
  return { toml: `path = "${path}"\nurl = "${url}"`, open: () => openPostgres({ url, max: 1 }) };
}
