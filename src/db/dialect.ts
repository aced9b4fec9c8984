/**
 * The SQL the two backends spell differently, as fragments a store puts into its statements. Stores
 * otherwise write the subset SQLite and PostgreSQL read alike: `on conflict … do update`,
 * `returning`, `coalesce`, `||`, `limit`/`offset`, column aliases in double quotes (PostgreSQL folds
 * bare names to lower case), booleans tested as `col` / `not col` rather than compared with 1 or 0.
 */
import type { Dialect } from './sql.js';

export interface DialectSql {
  /**
   * A set of integer ids from one JSON-array parameter (`ids([1, 2])` in billing/shared.ts), for
   * `x in (${d.idList})`: one statement and one parameter whatever the list's length.
   */
  idList: string;
  /** The same for a list of strings. */
  textList: string;
  /**
   * The objects of one JSON-array parameter as rows with these columns, for `from (${d.jsonRows({ id:
   * 'integer', day: 'text' })}) q`: values that differ per row (each service's own period, say) in
   * one statement and one parameter. Columns are quoted: refer to them as `q."day"`.
   */
  jsonRows(columns: Readonly<Record<string, 'integer' | 'text'>>): string;
  /** Case-insensitive LIKE (SQLite's LIKE already is, for ASCII). */
  ilike: string;
  /** The larger / smaller of two values (SQLite's two-argument max/min). */
  greatest(a: string, b: string): string;
  least(a: string, b: string): string;
  /** Concatenates `expr` over a group with `sep` (a literal, quoted). */
  groupConcat(expr: string, sep: string): string;
  /**
   * After a `select … limit n` that picks rows to claim: on PostgreSQL the rows are locked and rows
   * another transaction holds are passed over (`for update skip locked`); SQLite has one writer at a
   * time, so nothing is needed there.
   */
  skipLocked: string;
  /** Seconds from the instant `earlier` to the instant `later`, both ISO 8601 text (a column or `?`). */
  secondsBetween(later: string, earlier: string): string;
  /** The member `key` (a plain name) of the JSON object in the text `expr`, as text. */
  jsonText(expr: string, key: string): string;
}

const sqlite: DialectSql = {
  idList: 'select value from json_each(?)',
  textList: 'select value from json_each(?)',
  jsonRows: (columns) => `select ${Object.keys(columns).map((k) => `json_extract(value, '$.${k}') as "${k}"`).join(', ')} from json_each(?)`,
  ilike: 'like',
  greatest: (a, b) => `max(${a}, ${b})`,
  least: (a, b) => `min(${a}, ${b})`,
  groupConcat: (expr, sep) => `group_concat(${expr}, ${sep})`,
  skipLocked: '',
  secondsBetween: (later, earlier) => `((julianday(${later}) - julianday(${earlier})) * 86400)`,
  jsonText: (expr, key) => `cast(json_extract(${expr}, '$.${key}') as text)`,
};

const postgres: DialectSql = {
  idList: 'select value::bigint from json_array_elements_text(?::json)',
  textList: 'select value from json_array_elements_text(?::json)',
  jsonRows: (columns) =>
    `select * from json_to_recordset(?::json) as r(${Object.entries(columns).map(([k, t]) => `"${k}" ${t === 'integer' ? 'bigint' : 'text'}`).join(', ')})`,
  ilike: 'ilike',
  greatest: (a, b) => `greatest(${a}, ${b})`,
  least: (a, b) => `least(${a}, ${b})`,
  groupConcat: (expr, sep) => `string_agg(${expr}, ${sep})`,
  skipLocked: 'for update skip locked',
  secondsBetween: (later, earlier) => `extract(epoch from (cast(${later} as timestamptz) - cast(${earlier} as timestamptz)))`,
  jsonText: (expr, key) => `(cast(${expr} as json) ->> '${key}')`,
};

export function dialectSql(dialect: Dialect): DialectSql {
  return dialect === 'sqlite' ? sqlite : postgres;
}
