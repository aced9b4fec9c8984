/**
 * The SQLite and PostgreSQL schemas are written twice (drizzle has no dialect-neutral schema), so this
 * test holds them together: both are reduced to one dialect-free description per table and compared.
 * A failure lists every difference at once, each naming the table and column or index.
 *
 * Compared: tables; columns with their kind (integer, text, boolean, real; bigint and integer are both
 * `integer`), nullability, primary-key-ness, enum values and whether they have a default (a literal
 * default must be the same value; an SQL default such as "now" differs in spelling by dialect);
 * composite primary keys; indexes by name with their uniqueness and column lists; foreign keys by
 * column with the table and column they reference and their ON DELETE; CHECK constraints by name
 * (their SQL is written per dialect and exercised on a real server by pg-migrations.test.ts).
 */
import { is, SQL, type Column } from 'drizzle-orm';
import { getTableConfig as pgTableConfig, PgTable } from 'drizzle-orm/pg-core';
import { getTableConfig as sqliteTableConfig, SQLiteInteger, SQLiteTable } from 'drizzle-orm/sqlite-core';
import { describe, expect, it } from 'vitest';
import * as pgSchema from '../../../src/db/schema-pg/index.js';
import * as sqliteSchema from '../../../src/db/schema/index.js';

/**
 * Indexes only the PostgreSQL schema has: customer search, which SQLite serves from its FTS5 table
 * (src/db/search.ts, created at start rather than by a migration) and PostgreSQL from these.
 */
const pgOnlyIndexes: Record<string, readonly string[]> = {
  customers: ['customers_search_fts_ix', 'customers_name_trgm_ix', 'customers_email_trgm_ix', 'customers_phone_trgm_ix'],
  services: ['services_username_trgm_ix', 'services_mac_trgm_ix', 'services_static_ip_trgm_ix'],
};

const kinds: Record<string, string> = {
  SQLiteInteger: 'integer',
  SQLiteText: 'text',
  SQLiteBoolean: 'boolean',
  SQLiteReal: 'real',
  PgInteger: 'integer',
  PgBigInt53: 'integer',
  PgText: 'text',
  PgBoolean: 'boolean',
  PgReal: 'real',
  PgDoublePrecision: 'real',
};

interface ColumnShape {
  kind: string;
  notNull: boolean;
  primaryKey: boolean;
  enumValues: readonly string[] | null;
  /** `none`, `sql` (an expression, spelled per dialect), or the literal value as JSON. */
  default: string;
}

interface TableShape {
  columns: Map<string, ColumnShape>;
  primaryKeys: string[];
  indexes: Map<string, string>;
  foreignKeys: Map<string, string>;
  checks: string[];
}

/**
 * The SQLite autoincrement key and the PostgreSQL identity both have a default: the next id. drizzle
 * also marks every other SQLite integer primary key as defaulted (it aliases the rowid, which SQLite
 * fills when omitted); those are keys that are also references (customer_accounts.customer_id), given
 * on every insert, and PostgreSQL rightly has no default for them.
 */
function hasDefault(c: Column): boolean {
  if (is(c, SQLiteInteger) && c.primary && !c.autoIncrement) return false;
  return c.hasDefault;
}

function columnShape(c: Column): ColumnShape {
  return {
    // An unknown column type is kept as is, so that it shows up as a difference.
    kind: kinds[c.columnType] ?? c.columnType,
    notNull: c.notNull,
    primaryKey: c.primary,
    enumValues: c.enumValues ?? null,
    default: !hasDefault(c) ? 'none' : c.default === undefined || is(c.default, SQL) ? 'sql' : JSON.stringify(c.default),
  };
}

/** What both dialects' table configs have in common, in the shapes `describe` reads. */
interface TableConfigLike {
  name: string;
  columns: Column[];
  primaryKeys: { columns: Column[] }[];
  indexes: { config: { name?: string; unique: boolean; columns: readonly object[] } }[];
  foreignKeys: { onDelete?: string | undefined; reference: () => { columns: Column[]; foreignColumns: Column[]; foreignTable: unknown } }[];
  checks: { name: string }[];
}

/** An indexed column's name; `expression` for an indexed expression (PostgreSQL's full-text index). */
function indexedName(c: object): string {
  if (is(c, SQL)) return 'expression';
  return 'name' in c && typeof c.name === 'string' ? c.name : '?';
}

function describeTable(cfg: TableConfigLike, tableName: (t: unknown) => string): TableShape {
  return {
    columns: new Map(cfg.columns.map((c) => [c.name, columnShape(c)])),
    primaryKeys: cfg.primaryKeys.map((k) => k.columns.map((c) => c.name).join(', ')).sort(),
    indexes: new Map(
      cfg.indexes.map((i) => [
        i.config.name ?? '(unnamed)',
        `${i.config.unique ? 'unique ' : ''}(${i.config.columns.map(indexedName).join(', ')})`,
      ]),
    ),
    foreignKeys: new Map(
      cfg.foreignKeys.map((fk) => {
        const ref = fk.reference();
        const from = ref.columns.map((c) => c.name).join(', ');
        const to = `${tableName(ref.foreignTable)}(${ref.foreignColumns.map((c) => c.name).join(', ')})`;
        // drizzle's default is `no action` in both dialects.
        return [from, `${to} on delete ${fk.onDelete ?? 'no action'}`];
      }),
    ),
    checks: cfg.checks.map((c) => c.name).sort(),
  };
}

const sqliteTableName = (t: unknown) => (is(t, SQLiteTable) ? sqliteTableConfig(t).name : '?');
const pgTableName = (t: unknown) => (is(t, PgTable) ? pgTableConfig(t).name : '?');

const sqliteExports: unknown[] = Object.values(sqliteSchema);
const pgExports: unknown[] = Object.values(pgSchema);

const sqliteTables = new Map(
  sqliteExports
    .filter((v): v is SQLiteTable => is(v, SQLiteTable))
    .map((t) => {
      const cfg = sqliteTableConfig(t);
      return [cfg.name, describeTable(cfg, sqliteTableName)] as const;
    }),
);
const pgTables = new Map(
  pgExports
    .filter((v): v is PgTable => is(v, PgTable))
    .map((t) => {
      const cfg = pgTableConfig(t);
      return [cfg.name, describeTable(cfg, pgTableName)] as const;
    }),
);

/** Names in `a` missing from `b`, each as `<label>: only in <dialect>`. */
function onlyIn<T>(a: Map<string, T>, b: Map<string, T>, label: (name: string) => string, dialect: string, skip: readonly string[] = []): string[] {
  return [...a.keys()].filter((k) => !b.has(k) && !skip.includes(k)).map((k) => `${label(k)}: only in ${dialect}`);
}

function differences(): string[] {
  const out: string[] = [];
  const table = (t: string) => `table ${t}`;
  out.push(...onlyIn(sqliteTables, pgTables, table, 'SQLite'), ...onlyIn(pgTables, sqliteTables, table, 'PostgreSQL'));
  for (const [name, lite] of sqliteTables) {
    const pg = pgTables.get(name);
    if (!pg) continue;
    const column = (c: string) => `column ${name}.${c}`;
    out.push(...onlyIn(lite.columns, pg.columns, column, 'SQLite'), ...onlyIn(pg.columns, lite.columns, column, 'PostgreSQL'));
    for (const [col, l] of lite.columns) {
      const p = pg.columns.get(col);
      if (!p) continue;
      for (const key of ['kind', 'notNull', 'primaryKey', 'default'] as const) {
        if (l[key] !== p[key]) out.push(`column ${name}.${col}: ${key} is ${String(l[key])} in SQLite, ${String(p[key])} in PostgreSQL`);
      }
      if (JSON.stringify(l.enumValues) !== JSON.stringify(p.enumValues)) {
        out.push(`column ${name}.${col}: enum ${JSON.stringify(l.enumValues)} in SQLite, ${JSON.stringify(p.enumValues)} in PostgreSQL`);
      }
    }
    if (lite.primaryKeys.join('; ') !== pg.primaryKeys.join('; ')) {
      out.push(`table ${name}: primary key (${lite.primaryKeys.join('; ')}) in SQLite, (${pg.primaryKeys.join('; ')}) in PostgreSQL`);
    }
    const pgOnly = pgOnlyIndexes[name] ?? [];
    const index = (i: string) => `index ${name} ${i}`;
    out.push(...onlyIn(lite.indexes, pg.indexes, index, 'SQLite'), ...onlyIn(pg.indexes, lite.indexes, index, 'PostgreSQL', pgOnly));
    for (const [ix, l] of lite.indexes) {
      const p = pg.indexes.get(ix);
      if (p !== undefined && p !== l) out.push(`index ${name} ${ix}: ${l} in SQLite, ${p} in PostgreSQL`);
    }
    const fk = (cols: string) => `foreign key ${name}(${cols})`;
    out.push(...onlyIn(lite.foreignKeys, pg.foreignKeys, fk, 'SQLite'), ...onlyIn(pg.foreignKeys, lite.foreignKeys, fk, 'PostgreSQL'));
    for (const [cols, l] of lite.foreignKeys) {
      const p = pg.foreignKeys.get(cols);
      if (p !== undefined && p !== l) out.push(`foreign key ${name}(${cols}): ${l} in SQLite, ${p} in PostgreSQL`);
    }
    if (lite.checks.join(', ') !== pg.checks.join(', ')) out.push(`table ${name}: checks [${lite.checks.join(', ')}] in SQLite, [${pg.checks.join(', ')}] in PostgreSQL`);
  }
  return out;
}

describe('the SQLite and PostgreSQL schemas', () => {
  it('describe the same tables, columns, keys and indexes', () => {
    expect(sqliteTables.size).toBeGreaterThan(40);
    expect(differences()).toEqual([]);
  });

  it('declare every PostgreSQL-only index, so a new one is a decision', () => {
    for (const [table, names] of Object.entries(pgOnlyIndexes)) {
      for (const ix of names) expect(pgTables.get(table)?.indexes.has(ix), `${table}.${ix}`).toBe(true);
    }
  });
});
