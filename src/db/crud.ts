import { getTableColumns } from 'drizzle-orm';
import { getTableConfig, type SQLiteTable } from 'drizzle-orm/sqlite-core';
import { said, TollgateError } from '../lib/errors.js';
import { auditRecorder, type AuditRecorder } from './audit.js';
import type { Condition } from './conditions.js';
import { constraintOf, type Param, type SqlClient, type Statement } from './sql.js';
import { systemClock, type Clock } from '../lib/clock.js';
import { decodeCursor, decodeSortCursor, encodeCursor, encodeSortCursor, type Page } from './paging.js';

export { decodeCursor, decodeSortCursor, encodeCursor, encodeSortCursor, type Page };

/** Who made a change, for the audit log. */
export interface Actor {
  /** `admin:3`, `token:7`, `cli`, `system`. */
  id: string;
  ip?: string | undefined;
}

export interface ListQuery {
  limit?: number | undefined;
  cursor?: string | undefined;
  /** Order by this column (then by id); the default is by id ascending. */
  sort?: ListSort | undefined;
}

/** A whitelisted sort: the field (a NOT NULL column of the resource's row), the direction. */
export interface ListSort {
  field: string;
  desc: boolean;
}

/**
 * Maps a refused write (either backend's, see ConstraintViolation) to a domain error naming the API
 * field at fault; `fields` maps column and constraint names to fields.
 */
export function constraintError(e: unknown, fields: Record<string, string>): never {
  const v = constraintOf(e);
  if (v?.kind === 'unique') {
    const column = v.column ?? '';
    const field = fields[column] ?? (v.constraint !== undefined ? fields[v.constraint] : undefined) ?? column;
    throw new TollgateError('conflict', said('fault.duplicate', `another record already has this ${field}`, { field }), field);
  }
  if (v?.kind === 'check') {
    const name = v.constraint ?? '';
    throw new TollgateError('invalid_input', said('fault.rule', `the value breaks the rule ${name}`, { rule: name }), fields[name]);
  }
  if (v?.kind === 'foreign_key') {
    throw new TollgateError('in_use', said('fault.inUse', 'the record is referenced by other records and cannot be removed or changed so'));
  }
  throw e;
}


/** One column of a table as plain SQL sees it: its name in the database and what its values are. */
interface ColumnInfo {
  name: string;
  kind: 'number' | 'string' | 'boolean' | 'other';
}

/**
 * A table as plain SQL on either backend, from the drizzle schema's metadata (the SQLite schema; the
 * PostgreSQL one has the same table and column names, tests/unit/db/schema-parity.test.ts): its select
 * list with the row's camelCase keys, and rows read back as drizzle gave them (booleans as true/false:
 * SQLite has 0/1).
 */
export class TableShape {
  readonly name: string;
  readonly columns: ReadonlyMap<string, ColumnInfo>;
  readonly #booleans: string[];

  constructor(table: SQLiteTable) {
    this.name = getTableConfig(table).name;
    const columns = new Map<string, ColumnInfo>();
    for (const [key, c] of Object.entries(getTableColumns(table))) {
      const kind = c.dataType === 'number' || c.dataType === 'string' || c.dataType === 'boolean' ? c.dataType : 'other';
      columns.set(key, { name: c.name, kind });
    }
    this.columns = columns;
    this.#booleans = [...columns].filter(([, c]) => c.kind === 'boolean').map(([k]) => k);
  }

  /** `"col" as "key", …` for every column, each qualified by `alias` when given. */
  selectList(alias?: string): string {
    const q = alias ? `${alias}.` : '';
    return [...this.columns].map(([key, c]) => `${q}"${c.name}" as "${key}"`).join(', ');
  }

  /** The database name of the column behind `key`; a key not in the table is a programming error. */
  column(key: string): ColumnInfo {
    const c = this.columns.get(key);
    if (!c) throw new Error(`${this.name} has no column ${key}`);
    return c;
  }

  /** A row as read, with booleans as true/false on both backends (in place: rows are fresh objects). */
  fromDb<R extends object>(row: R): R {
    for (const k of this.#booleans) {
      const v: unknown = Reflect.get(row, k);
      if (v !== null && v !== undefined) Reflect.set(row, k, v === true || v === 1);
    }
    return row;
  }
}

/** A value from a row built in TypeScript, as a statement parameter. */
export function param(v: unknown, column: string): Param {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint' || Buffer.isBuffer(v)) return v;
  throw new TypeError(`column ${column}: ${typeof v} is not a value a column holds`);
}

export interface ResourceSpec<Row, Api, Create, Patch> {
  /** Audit log entity name, e.g. `nas`. */
  entity: string;
  /** The table, for its name and columns (the SQLite schema's, the same names on PostgreSQL). */
  table: SQLiteTable;
  toApi(row: Row): Api;
  /** The row to insert; seals secrets; throws TollgateError naming the field for bad input. */
  toInsert(input: Create): Record<string, unknown>;
  /** The columns to change, given the current row (for cross-field checks). */
  toUpdate(patch: Patch, current: Row): Record<string, unknown>;
  /** The audit view of a row: never a secret. Defaults to toApi. */
  toAudit?(row: Row): unknown;
  /** Column or constraint name to API field, for constraint errors. */
  fields: Record<string, string>;
  /** Cross-field validation of the row as it will be stored. */
  validate?(row: Record<string, unknown>): void;
  /** Extra existence checks (foreign keys) with field names, run inside the transaction. */
  references?(sql: SqlClient, row: Record<string, unknown>): Promise<void>;
}

/**
 * Create, read, update, delete and list for a resource on either backend, each change and its audit
 * record in one transaction so that a change without its audit trail (or the reverse) cannot exist.
 * The SQL is plain text built from the table's columns; what is read or listed most is prepared once.
 */
export class Resource<Row extends { id: number }, Api, Create, Patch> {
  private readonly shape: TableShape;
  private readonly select: string;
  private readonly audit: AuditRecorder;
  private readonly rowById: Statement<Row>;
  private readonly deleteById: Statement;
  private readonly hasUpdatedAt: boolean;

  constructor(
    private readonly sql: SqlClient,
    private readonly spec: ResourceSpec<Row, Api, Create, Patch>,
    private readonly clock: Clock = systemClock,
  ) {
    this.shape = new TableShape(spec.table);
    this.select = this.shape.selectList();
    this.audit = auditRecorder(sql);
    this.hasUpdatedAt = this.shape.columns.has('updatedAt');
    this.rowById = sql.prepare<Row>(`select ${this.select} from ${this.shape.name} where id = ?`);
    this.deleteById = sql.prepare(`delete from ${this.shape.name} where id = ?`);
  }

  private async row(id: number): Promise<Row | undefined> {
    const r = await this.rowById.get(id);
    return r && this.shape.fromDb(r);
  }

  private record(actor: Actor, action: string, id: number, before: Row | undefined, after: Row | undefined): Promise<void> {
    const view = (r: Row | undefined) => (r === undefined ? undefined : (this.spec.toAudit ?? this.spec.toApi)(r));
    return this.audit(actor, this.clock.now().toISOString(), action, this.spec.entity, id, view(before), view(after));
  }

  async get(id: number): Promise<Api | undefined> {
    const r = await this.row(id);
    return r && this.spec.toApi(r);
  }

  async getRow(id: number): Promise<Row | undefined> {
    return this.row(id);
  }

  /**
   * The unfiltered list's statements, one per order and cursor shape, built and prepared once: the
   * list's busiest form (a page of a table in some order), where building and preparing per request
   * cost as much as running the query.
   */
  private readonly plainLists = new Map<string, Statement<Row>>();

  /** The list's SQL for one shape: filters, order, and whether a cursor continues it. */
  private listText(filters: readonly Condition[], sortColumn: string | undefined, descending: boolean, after: boolean): string {
    const where = filters.map((f) => `(${f.sql})`);
    if (after) {
      // Keyset over (value, id): the rows after the last one given, in the same order.
      const cmp = descending ? '<' : '>';
      where.push(sortColumn ? `("${sortColumn}" ${cmp} ? or ("${sortColumn}" = ? and id ${cmp} ?))` : `id ${cmp} ?`);
    }
    const dir = descending ? 'desc' : 'asc';
    const order = sortColumn ? `"${sortColumn}" ${dir}, id ${dir}` : `id ${dir}`;
    return `select ${this.select} from ${this.shape.name}${where.length ? ` where ${where.join(' and ')}` : ''} order by ${order} limit ?`;
  }

  async list(q: ListQuery, filters: readonly Condition[] = []): Promise<Page<Api>> {
    const limit = Math.min(Math.max(q.limit ?? 50, 1), 500);
    const sort = q.sort && q.sort.field !== 'id' ? q.sort : undefined;
    const sortColumn = sort ? this.shape.column(sort.field) : undefined;
    const descending = q.sort?.desc ?? false;
    const cursor = q.cursor === undefined ? undefined : sort ? decodeSortCursor(q.cursor, sort.field) : { value: undefined, id: decodeCursor(q.cursor) };
    if (cursor && sortColumn && typeof cursor.value !== (sortColumn.kind === 'number' ? 'number' : 'string')) {
      throw new TollgateError('invalid_input', said('fault.cursor', 'the cursor is not one this API gave out for this sort'), 'cursor');
    }
    let statement: Statement<Row>;
    if (filters.length === 0) {
      const key = `${sort?.field ?? 'id'}|${descending}|${cursor ? 'after' : 'first'}`;
      let prepared = this.plainLists.get(key);
      if (!prepared) {
        prepared = this.sql.prepare<Row>(this.listText([], sortColumn?.name, descending, cursor !== undefined));
        this.plainLists.set(key, prepared);
      }
      statement = prepared;
    } else {
      statement = this.sql.prepare<Row>(this.listText(filters, sortColumn?.name, descending, cursor !== undefined));
    }
    const args: Param[] = filters.flatMap((f) => f.args);
    if (cursor) args.push(...(cursor.value === undefined ? [cursor.id] : [cursor.value, cursor.value, cursor.id]));
    args.push(limit + 1);
    const rows = await statement.all(...args);
    return this.page(rows.map((r) => this.shape.fromDb(r)), limit, sort);
  }

  /**
   * A page from up to `limit + 1` rows read in the list's order (the extra row says there is more):
   * for the generic list, and for a list that reads its rows its own way (customer search).
   */
  page(rows: Row[], limit: number, sort?: ListQuery['sort']): Page<Api> {
    const more = rows.length > limit;
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    const next = !more || !last ? null : sort && sort.field !== 'id' ? encodeSortCursor(sort.field, Reflect.get(last, sort.field), last.id) : encodeCursor(last.id);
    return { items: items.map((r) => this.spec.toApi(r)), next };
  }

  /** `"a", "b"` and the values in the same order, for the columns `values` names. */
  private assignments(values: Record<string, unknown>): { names: string[]; args: Param[] } {
    const names: string[] = [];
    const args: Param[] = [];
    for (const [key, v] of Object.entries(values)) {
      if (v === undefined) continue;
      const c = this.shape.column(key);
      names.push(`"${c.name}"`);
      args.push(param(v, c.name));
    }
    return { names, args };
  }

  async create(input: Create, actor: Actor): Promise<Api> {
    const values = this.spec.toInsert(input);
    this.spec.validate?.(values);
    const { names, args } = this.assignments(values);
    const text = names.length
      ? `insert into ${this.shape.name} (${names.join(', ')}) values (${names.map(() => '?').join(', ')}) returning ${this.select}`
      : `insert into ${this.shape.name} default values returning ${this.select}`;
    const row = await this.sql.transaction(async () => {
      await this.spec.references?.(this.sql, values);
      let created: Row | undefined;
      try {
        created = await this.sql.prepare<Row>(text).get(...args);
      } catch (e) {
        constraintError(e, this.spec.fields);
      }
      if (!created) throw new Error(`insert into ${this.shape.name} returned no row`);
      this.shape.fromDb(created);
      await this.record(actor, 'create', created.id, undefined, created);
      return created;
    });
    return this.spec.toApi(row);
  }

  async update(id: number, patch: Patch, actor: Actor): Promise<Api | undefined> {
    const row = await this.sql.transaction(async () => {
      const before = await this.row(id);
      if (!before) return undefined;
      const changes = this.spec.toUpdate(patch, before);
      this.spec.validate?.({ ...before, ...changes });
      await this.spec.references?.(this.sql, changes);
      const { names, args } = this.assignments(this.hasUpdatedAt ? { ...changes, updatedAt: this.clock.now().toISOString() } : changes);
      let after: Row | undefined = before;
      if (names.length) {
        try {
          after = await this.sql
            .prepare<Row>(`update ${this.shape.name} set ${names.map((n) => `${n} = ?`).join(', ')} where id = ? returning ${this.select}`)
            .get(...args, id);
        } catch (e) {
          constraintError(e, this.spec.fields);
        }
        if (!after) throw new Error(`update of ${this.shape.name} ${id} returned no row`);
        this.shape.fromDb(after);
      }
      await this.record(actor, 'update', id, before, after);
      return after;
    });
    return row && this.spec.toApi(row);
  }

  async delete(id: number, actor: Actor): Promise<boolean> {
    return this.sql.transaction(async () => {
      const before = await this.row(id);
      if (!before) return false;
      try {
        await this.deleteById.run(id);
      } catch (e) {
        constraintError(e, this.spec.fields);
      }
      await this.record(actor, 'delete', id, before, undefined);
      return true;
    });
  }
}
