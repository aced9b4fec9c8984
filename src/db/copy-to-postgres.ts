/**
 * Copies a SQLite installation into an empty PostgreSQL database (`tollgate migrate-to-postgres`),
 * for the day an operator outgrows one machine.
 *
 * The rules, in the order the copy applies them:
 * - The source is read on its own read-only connection inside ONE read transaction: under WAL the
 *   daemon may keep writing, and the copy is of the instant the transaction first read. Writes after
 *   that instant are not copied.
 * - The source must carry every migration of this build and nothing newer, and hold no table the
 *   PostgreSQL schema lacks (beside SQLite's own objects: the FTS5 customer search and its shadow
 *   tables, sqlite_sequence, the migration bookkeeping): rows nobody copies are refused, not lost.
 * - The target gets migrations-pg first, and is refused when any Tollgate table already has a row:
 *   checked before migrating (so a refused target is not even migrated) and again inside the copy's
 *   transaction, under the write lock every node's writers take.
 * - Tables are copied in foreign-key order, derived from the PostgreSQL schema's own metadata, in
 *   multi-row INSERTs, all in one PostgreSQL transaction. Integers are read as bigint and written
 *   as their decimal text, so nothing passes through a double; SQLite's 0/1 become booleans where
 *   the PostgreSQL column is boolean (anything else there is refused).
 * - Each identity sequence is moved past the ids copied, and past the highest id SQLite ever gave
 *   (sqlite_sequence: AUTOINCREMENT never reuses the id of a deleted row, nor may PostgreSQL).
 * - Before COMMIT, every table's row count and the sum of every money column are compared between
 *   the snapshot and the target; any difference rolls everything back and names the table/column.
 * Sealed secrets (the `*_enc` columns) are copied as they are: they open only with the same key.
 */
import Database from 'better-sqlite3';
import { getTableName, is } from 'drizzle-orm';
import { getTableConfig, PgTable } from 'drizzle-orm/pg-core';
import pg from 'pg';
import { migratePostgres } from './migrate-pg.js';
import { MigrationError, planMigrations } from './migrate.js';
import * as pgSchema from './schema-pg/index.js';
import { redactUrl, WRITE_LOCK_KEY } from './sql.js';
export { redactUrl } from './sql.js';

/** The copy was refused or failed; the target holds nothing of it (rolled back, or never begun). */
export class CopyError extends Error {
  override name = 'CopyError';
}

export interface CopyColumn {
  name: string;
  /** The PostgreSQL type, as the schema declares it (`boolean`, `bigint`, `integer`, `text`). */
  type: string;
  /** A bigint amount of money in minor units, whose sum the copy verifies. */
  money: boolean;
}

export interface CopyTable {
  name: string;
  columns: CopyColumn[];
  /** The identity column (a sequence to move past the copied ids), if any. */
  identity: string | undefined;
  /** The tables this one's foreign keys point at (itself excluded). */
  references: string[];
}

/**
 * What a money column is called: the settlement and document amounts (amount, net, tax, gross,
 * total, paid, credited, open, refunded), balances and credit, prices and fees. Only bigint columns
 * qualify, so rates (`tax_rate_bp`, integer) and byte counts never match.
 */
const MONEY_NAME = /^(amount|net|tax|gross|total|paid|credited|open|refunded|balance|credit|price|setup_fee)$|_(amount|fee|price|balance|credit|total)$/;

/**
 * The tables of the PostgreSQL schema in an order where every table comes after the tables its
 * foreign keys reference; ties keep the schema's declaration order. A cycle (none today) is an error:
 * such a pair would need deferred constraints, which the schema does not declare.
 */
export function copyPlan(schema: Record<string, unknown> = pgSchema): CopyTable[] {
  const declared: CopyTable[] = [];
  for (const value of Object.values(schema)) {
    if (!is(value, PgTable)) continue;
    const config = getTableConfig(value);
    const columns = config.columns.map((c) => {
      const type = c.getSQLType();
      return { name: c.name, type, money: type === 'bigint' && MONEY_NAME.test(c.name) };
    });
    const identity = config.columns.find((c) => c.generatedIdentity !== undefined)?.name;
    const references = [...new Set(config.foreignKeys.map((fk) => getTableName(fk.reference().foreignTable)))].filter((t) => t !== config.name);
    declared.push({ name: config.name, columns, identity, references });
  }
  const ordered: CopyTable[] = [];
  const done = new Set<string>();
  const known = new Set(declared.map((t) => t.name));
  let pending = declared;
  while (pending.length > 0) {
    const ready = pending.filter((t) => t.references.every((r) => done.has(r) || !known.has(r)));
    if (ready.length === 0) throw new Error(`the schema's foreign keys form a cycle among ${pending.map((t) => t.name).join(', ')}`);
    for (const t of ready) {
      ordered.push(t);
      done.add(t.name);
    }
    pending = pending.filter((t) => !done.has(t.name));
  }
  return ordered;
}

/** Row counts per table and sums per `table.column`, exact. */
export interface Tally {
  rows: Map<string, bigint>;
  sums: Map<string, bigint>;
}

/** Every difference between the snapshot's tally and the target's, one sentence each. */
export function tallyMismatches(source: Tally, target: Tally): string[] {
  const out: string[] = [];
  for (const [table, n] of source.rows) {
    const m = target.rows.get(table);
    if (m !== n) out.push(`${table}: ${n} rows in SQLite, ${m ?? 'none'} in PostgreSQL`);
  }
  for (const [column, s] of source.sums) {
    const t = target.sums.get(column);
    if (t !== s) out.push(`${column}: sum ${s} in SQLite, ${t ?? 'none'} in PostgreSQL`);
  }
  return out;
}

/** Why `url` is not a PostgreSQL connection URL, or undefined when it is one. */
export function postgresUrlProblem(url: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return `"${url}" is not a URL; expected postgres://USER:PASSWORD@HOST[:PORT]/DATABASE`;
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') return `${redactUrl(url)} is not a PostgreSQL URL; expected postgres://USER:PASSWORD@HOST[:PORT]/DATABASE`;
  if (u.pathname.length <= 1) return `${redactUrl(url)} names no database; expected postgres://USER:PASSWORD@HOST[:PORT]/DATABASE`;
  return undefined;
}

export interface CopyOptions {
  /** The SQLite database file (the daemon may be running on it). */
  sqlitePath: string;
  /** The target PostgreSQL database, empty. */
  url: string;
  /** Rows per INSERT; at most what PostgreSQL's 65,535 parameters allow. */
  batchRows?: number;
  /** Called once the snapshot is taken, with the instant's row counts read. */
  onSnapshot?: () => void;
  /** Called as each table is copied. */
  onTable?: (table: string, rows: number) => void;
}

export interface CopyReport {
  /** Rows copied per table, in the order copied. */
  tables: { name: string; rows: number }[];
  /** The money columns verified, with the sum both sides agree on (minor units). */
  sums: { table: string; column: string; sum: bigint }[];
  /** SQLite-only tables left behind on purpose. */
  skipped: string[];
  /** migrations-pg applied to the target first. */
  migrationsApplied: string[];
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** SQLite's own objects that PostgreSQL does differently or not at all. */
function sqliteOnly(entry: { name: string; type: string }): boolean {
  return entry.type === 'virtual' || entry.type === 'shadow' || entry.name.startsWith('sqlite_') || entry.name === '__drizzle_migrations';
}

type SqliteValue = bigint | number | string | Buffer | null;
type PgValue = string | number | boolean | Buffer | null;

/** A SQLite value as the PostgreSQL column takes it. */
function converter(table: string, column: CopyColumn): (v: SqliteValue) => PgValue {
  if (column.type === 'boolean') {
    return (v) => {
      if (v === null) return null;
      if (v === 0n) return false;
      if (v === 1n) return true;
      throw new CopyError(`${table}.${column.name} holds ${String(v)}, not a boolean 0 or 1; nothing was copied`);
    };
  }
  return (v) => (typeof v === 'bigint' ? v.toString() : v);
}

async function connect(url: string): Promise<pg.Client> {
  // int8 and numeric come back as text (pg's default): counts and sums are compared as BigInt.
  const client = new pg.Client({ connectionString: url, options: '-c synchronous_commit=on -c timezone=UTC' });
  client.on('error', () => undefined); // a dropped connection fails the query in flight instead
  try {
    await client.connect();
  } catch (e) {
    await client.end().catch(() => undefined);
    throw new CopyError(`cannot connect to PostgreSQL at ${redactUrl(url)}: ${(e as Error).message}`, { cause: e });
  }
  return client;
}

/** The Tollgate tables of the target that already hold rows. */
async function nonEmptyTables(client: pg.Client, plan: CopyTable[]): Promise<string[]> {
  const existing = await client.query<{ name: string }>(
    'select table_name as name from information_schema.tables where table_schema = current_schema() and table_name = any($1)',
    [plan.map((t) => t.name)],
  );
  const names = new Set(existing.rows.map((r) => r.name));
  const full: string[] = [];
  for (const t of plan) {
    if (!names.has(t.name)) continue;
    const r = await client.query(`select 1 from ${quote(t.name)} limit 1`);
    if (r.rowCount) full.push(t.name);
  }
  return full;
}

function refuseNonEmpty(full: string[]): never {
  throw new CopyError(
    `the PostgreSQL database is not empty: ${full.join(', ')} already ${full.length === 1 ? 'has' : 'have'} rows; ` +
      'migrate-to-postgres copies into an empty database only (nothing was written)',
  );
}

/** The source's tables beside the schema's: SQLite-only ones to skip, and refusals for the rest. */
function checkSourceTables(source: Database.Database, plan: CopyTable[]): string[] {
  const listed = source.pragma('table_list') as { schema: string; name: string; type: string }[];
  // sqlite_schema is the catalogue itself, not a table of the installation.
  const tables = listed.filter((t) => t.schema === 'main' && t.type !== 'view' && t.name !== 'sqlite_schema');
  const planned = new Map(plan.map((t) => [t.name, t]));
  const skipped: string[] = [];
  const problems: string[] = [];
  for (const t of tables) {
    if (planned.has(t.name)) continue;
    if (sqliteOnly(t)) skipped.push(t.name);
    else problems.push(`the SQLite table ${t.name} has no PostgreSQL counterpart (its rows would be lost)`);
  }
  for (const t of plan) {
    if (!tables.some((s) => s.name === t.name)) {
      problems.push(`the SQLite database has no table ${t.name}`);
      continue;
    }
    const have = new Set((source.pragma(`table_info(${quote(t.name)})`) as { name: string }[]).map((c) => c.name));
    const want = new Set(t.columns.map((c) => c.name));
    const missing = [...want].filter((c) => !have.has(c));
    const extra = [...have].filter((c) => !want.has(c));
    if (missing.length) problems.push(`${t.name} lacks ${missing.join(', ')} in SQLite`);
    if (extra.length) problems.push(`${t.name} has ${extra.join(', ')} in SQLite only`);
  }
  if (problems.length) throw new CopyError(`the SQLite schema does not match this build's PostgreSQL schema: ${problems.join('; ')}; nothing was copied`);
  return skipped.sort();
}

/** Row counts and money sums of the snapshot, and the highest id each AUTOINCREMENT table gave. */
function sourceTally(source: Database.Database, plan: CopyTable[]): { tally: Tally; sequences: Map<string, bigint> } {
  // SQLite's sum() of integers is exact (it raises on overflow rather than round).
  const exact = (text: string): bigint => source.prepare<[], bigint>(text).pluck().safeIntegers(true).get() ?? 0n;
  const rows = new Map<string, bigint>();
  const sums = new Map<string, bigint>();
  for (const t of plan) {
    rows.set(t.name, exact(`select count(*) from ${quote(t.name)}`));
    for (const c of t.columns.filter((col) => col.money)) {
      sums.set(`${t.name}.${c.name}`, exact(`select coalesce(sum(${quote(c.name)}), 0) from ${quote(t.name)}`));
    }
  }
  const sequences = new Map<string, bigint>();
  const hasSequence = source.prepare(`select 1 from sqlite_master where type = 'table' and name = 'sqlite_sequence'`).get();
  if (hasSequence) {
    for (const r of source.prepare<[], { name: string; seq: bigint }>('select name, seq from sqlite_sequence').safeIntegers(true).all()) sequences.set(r.name, r.seq);
  }
  return { tally: { rows, sums }, sequences };
}

async function targetTally(client: pg.Client, plan: CopyTable[]): Promise<Tally> {
  const rows = new Map<string, bigint>();
  const sums = new Map<string, bigint>();
  for (const t of plan) {
    const money = t.columns.filter((c) => c.money);
    const select = ['cast(count(*) as text) as n', ...money.map((c, i) => `cast(coalesce(sum(${quote(c.name)}), 0) as text) as s${i}`)].join(', ');
    const r = (await client.query<Record<string, string>>(`select ${select} from ${quote(t.name)}`)).rows[0]!;
    rows.set(t.name, BigInt(r.n!));
    money.forEach((c, i) => sums.set(`${t.name}.${c.name}`, BigInt(r[`s${i}`]!)));
  }
  return { rows, sums };
}

/** Streams one table of the snapshot into the target in multi-row INSERTs; the rows copied. */
async function copyTable(source: Database.Database, client: pg.Client, table: CopyTable, batchRows: number): Promise<number> {
  const names = table.columns.map((c) => quote(c.name)).join(', ');
  const convert = table.columns.map((c) => converter(table.name, c));
  const width = table.columns.length;
  const perInsert = Math.max(1, Math.min(batchRows, Math.floor(65_535 / width)));
  const insertText = (n: number) => {
    const tuples: string[] = [];
    for (let r = 0; r < n; r++) tuples.push(`(${table.columns.map((_, c) => `$${r * width + c + 1}`).join(', ')})`);
    return `insert into ${quote(table.name)} (${names}) values ${tuples.join(', ')}`;
  };
  const fullText = insertText(perInsert);
  // raw(): rows as arrays in the column order asked for; safeIntegers: every integer exact.
  const read = source.prepare<[], SqliteValue[]>(`select ${names} from ${quote(table.name)}`).raw(true).safeIntegers(true);
  let copied = 0;
  let batch: PgValue[] = [];
  let inBatch = 0;
  const flush = async () => {
    if (inBatch === 0) return;
    try {
      await client.query(inBatch === perInsert ? fullText : insertText(inBatch), batch);
    } catch (e) {
      const detail = (e as { detail?: unknown }).detail;
      throw new CopyError(`PostgreSQL refused rows of ${table.name}: ${(e as Error).message}${typeof detail === 'string' ? ` (${detail})` : ''}; rolled back, nothing was copied`, { cause: e });
    }
    copied += inBatch;
    batch = [];
    inBatch = 0;
  };
  // The iterator holds the connection between batches; nothing else reads it meanwhile.
  for (const row of read.iterate()) {
    for (let c = 0; c < width; c++) batch.push(convert[c]!(row[c]!));
    if (++inBatch === perInsert) await flush();
  }
  await flush();
  return copied;
}

/** Moves the table's identity sequence past its copied ids and the highest id SQLite ever gave. */
async function moveSequence(client: pg.Client, table: CopyTable, sqliteSeq: bigint | undefined): Promise<void> {
  if (!table.identity) return;
  const r = await client.query<{ max: string | null }>(`select cast(max(${quote(table.identity)}) as text) as max from ${quote(table.name)}`);
  const copied = r.rows[0]?.max == null ? 0n : BigInt(r.rows[0].max);
  const last = sqliteSeq !== undefined && sqliteSeq > copied ? sqliteSeq : copied;
  // setval(s, n, true): the next id is n + 1; with nothing ever given, (1, false) leaves it at 1.
  await client.query('select setval(pg_get_serial_sequence($1, $2), $3, $4)', [quote(table.name), table.identity, last > 0n ? last.toString() : '1', last > 0n]);
}

/** The copy; see the module comment for its rules. Throws CopyError (or MigrationError) on refusal. */
export async function copyToPostgres(opts: CopyOptions): Promise<CopyReport> {
  const plan = copyPlan();
  const problem = postgresUrlProblem(opts.url);
  if (problem) throw new CopyError(problem);

  const source = new Database(opts.sqlitePath, { readonly: true, fileMustExist: true });
  let client: pg.Client | undefined;
  try {
    source.pragma('busy_timeout = 5000');
    const migrations = planMigrations(source);
    if (migrations.pending.length > 0) {
      throw new CopyError(`the SQLite database lacks ${migrations.pending.length} migration(s) of this build: run \`tollgate migrate\` (or start the daemon once) first`);
    }
    // Before the target is touched: a source this build cannot copy whole is refused outright.
    const skipped = checkSourceTables(source, plan);

    client = await connect(opts.url);
    const before = await nonEmptyTables(client, plan);
    if (before.length) refuseNonEmpty(before);
    let migrationsApplied: string[];
    try {
      migrationsApplied = (await migratePostgres(opts.url)).applied;
    } catch (e) {
      if (e instanceof MigrationError) throw e;
      throw new CopyError(`migrating the PostgreSQL database failed: ${(e as Error).message}`, { cause: e });
    }

    await client.query('begin');
    try {
      // The lock every node's write transactions take: no daemon writes here while the copy runs.
      await client.query('select pg_advisory_xact_lock($1)', [WRITE_LOCK_KEY]);
      const full = await nonEmptyTables(client, plan);
      if (full.length) refuseNonEmpty(full);

      // The snapshot: one read transaction, begun by its first read, held to the end of the copy.
      source.exec('begin');
      try {
        const { tally, sequences } = sourceTally(source, plan);
        opts.onSnapshot?.();
        const tables: CopyReport['tables'] = [];
        for (const t of plan) {
          const rows = await copyTable(source, client, t, opts.batchRows ?? 1000);
          tables.push({ name: t.name, rows });
          opts.onTable?.(t.name, rows);
          await moveSequence(client, t, sequences.get(t.name));
        }
        const mismatches = tallyMismatches(tally, await targetTally(client, plan));
        if (mismatches.length) throw new CopyError(`verification failed, rolled back (nothing was copied): ${mismatches.join('; ')}`);
        await client.query('commit');
        const sums = plan.flatMap((t) => t.columns.filter((c) => c.money).map((c) => ({ table: t.name, column: c.name, sum: tally.sums.get(`${t.name}.${c.name}`)! })));
        return { tables, sums, skipped, migrationsApplied };
      } finally {
        if (source.inTransaction) source.exec('rollback');
      }
    } catch (e) {
      await client.query('rollback').catch(() => undefined);
      throw e;
    }
  } finally {
    await client?.end().catch(() => undefined);
    source.close();
  }
}
