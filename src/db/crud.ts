import { and, asc, desc, eq, gt, lt, or, sql, type SQL } from 'drizzle-orm';
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core';
import { TollgateError } from '../lib/errors.js';
import type { Db } from './client.js';
import { constraintOf } from './sql.js';
import { auditLog } from './schema/index.js';
import { systemClock, type Clock } from '../lib/clock.js';

/** Who made a change, for the audit log. */
export interface Actor {
  /** `admin:3`, `token:7`, `cli`, `system`. */
  id: string;
  ip?: string | undefined;
}

export interface Page<T> {
  items: T[];
  /** Opaque cursor for the next page, or null at the end. */
  next: string | null;
}

export interface ListQuery {
  limit?: number | undefined;
  cursor?: string | undefined;
  /** Order by this column (then by id); the default is by id ascending. */
  sort?: ListSort | undefined;
}

/** A whitelisted sort: the API field name, the column behind it (NOT NULL), the direction. */
export interface ListSort {
  field: string;
  column: SQLiteColumn;
  desc: boolean;
}

/** The cursor of a sorted list: the sort field, the last row's value and id. */
export function encodeSortCursor(field: string, value: unknown, id: number): string {
  return Buffer.from(`s:${JSON.stringify([field, value, id])}`).toString('base64url');
}

export function decodeSortCursor(cursor: string, field: string): { value: string | number; id: number } {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  let parsed: unknown;
  try {
    parsed = text.startsWith('s:') ? JSON.parse(text.slice(2)) : undefined;
  } catch {
    parsed = undefined;
  }
  const [f, value, id] = Array.isArray(parsed) ? parsed : [];
  if (f !== field || !(typeof value === 'string' || typeof value === 'number') || !Number.isSafeInteger(id)) {
    throw new TollgateError('invalid_input', 'the cursor is not one this API gave out for this sort', 'cursor');
  }
  return { value, id: id as number };
}

export function encodeCursor(id: number): string {
  return Buffer.from(`id:${id}`).toString('base64url');
}

export function decodeCursor(cursor: string): number {
  const m = /^id:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) throw new TollgateError('invalid_input', 'the cursor is not one this API gave out', 'cursor');
  return Number(m[1]);
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
    throw new TollgateError('conflict', `another record already has this ${field}`, field);
  }
  if (v?.kind === 'check') {
    const name = v.constraint ?? '';
    throw new TollgateError('invalid_input', `the value breaks the rule ${name}`, fields[name]);
  }
  if (v?.kind === 'foreign_key') {
    throw new TollgateError('in_use', 'the record is referenced by other records and cannot be removed or changed so');
  }
  throw e;
}

export interface ResourceSpec<Row, Api, Create, Patch> {
  /** Audit log entity name, e.g. `nas`. */
  entity: string;
  table: SQLiteTable & { id: SQLiteColumn };
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
  references?(db: Db, row: Record<string, unknown>): void;
}

/**
 * Create, read, update, delete and list for a resource, each change and its audit record in one
 * transaction so that a change without its audit trail (or the reverse) cannot exist. Functions are
 * async-shaped so that a later PostgreSQL backend can slot in behind the same calls.
 */
export class Resource<Row extends { id: number }, Api, Create, Patch> {
  constructor(
    private readonly db: Db,
    private readonly spec: ResourceSpec<Row, Api, Create, Patch>,
    private readonly clock: Clock = systemClock,
  ) {}

  private audit(actor: Actor, action: string, id: number, before: Row | undefined, after: Row | undefined): void {
    const view = (r: Row | undefined) => (r === undefined ? null : JSON.stringify((this.spec.toAudit ?? this.spec.toApi)(r)));
    this.db
      .insert(auditLog)
      .values({
        at: this.clock.now().toISOString(),
        actor: actor.id,
        actorIp: actor.ip ?? null,
        action,
        entity: this.spec.entity,
        entityId: String(id),
        before: view(before),
        after: view(after),
      })
      .run();
  }

  private row(id: number): Row | undefined {
    return this.db.select().from(this.spec.table).where(eq(this.spec.table.id, id)).get() as Row | undefined;
  }

  async get(id: number): Promise<Api | undefined> {
    const r = this.row(id);
    return r && this.spec.toApi(r);
  }

  async getRow(id: number): Promise<Row | undefined> {
    return this.row(id);
  }

  /**
   * The unfiltered list's statements, one per order and cursor shape, built and prepared once: the
   * list's busiest form (a page of a table in some order), where drizzle's per-request building and
   * SQLite's preparing cost as much as running the query.
   */
  private readonly plainLists = new Map<string, { all(values: Record<string, unknown>): unknown[] }>();

  async list(q: ListQuery, filters: SQL[] = []): Promise<Page<Api>> {
    const limit = Math.min(Math.max(q.limit ?? 50, 1), 500);
    const id = this.spec.table.id;
    const sort = q.sort && q.sort.column !== id ? q.sort : undefined;
    const descending = q.sort?.desc ?? false;
    const cursor = q.cursor === undefined ? undefined : sort ? decodeSortCursor(q.cursor, sort.field) : { value: undefined, id: decodeCursor(q.cursor) };
    const query = (value: unknown, after: unknown, extra: SQL[]) => {
      const where = [...extra];
      if (cursor) {
        // Keyset over (value, id): the rows after the last one given, in the same order.
        const cmp = descending ? lt : gt;
        where.push(sort ? or(cmp(sort.column, value), and(eq(sort.column, value), cmp(id, after)))! : cmp(id, after));
      }
      const dir = descending ? desc : asc;
      return this.db
        .select()
        .from(this.spec.table)
        .where(where.length ? and(...where) : undefined)
        .orderBy(...(sort ? [dir(sort.column), dir(id)] : [dir(id)]));
    };
    let rows: Row[];
    if (filters.length === 0) {
      const key = `${sort?.field ?? 'id'}|${descending}|${cursor ? 'after' : 'first'}`;
      let prepared = this.plainLists.get(key);
      if (!prepared) {
        prepared = query(sql.placeholder('value'), sql.placeholder('after'), []).limit(sql.placeholder('limit')).prepare();
        this.plainLists.set(key, prepared);
      }
      rows = prepared.all({ value: cursor?.value, after: cursor?.id, limit: limit + 1 }) as Row[];
    } else {
      rows = query(cursor?.value, cursor?.id, filters).limit(limit + 1).all() as Row[];
    }
    return this.page(rows, limit, sort);
  }

  /**
   * A page from up to `limit + 1` rows read in the list's order (the extra row says there is more):
   * for the generic list, and for a list that reads its rows its own way (customer search).
   */
  page(rows: Row[], limit: number, sort?: ListQuery['sort']): Page<Api> {
    const more = rows.length > limit;
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    const next = !more || !last ? null : sort && sort.column !== this.spec.table.id ? encodeSortCursor(sort.field, (last as Record<string, unknown>)[sort.field], last.id) : encodeCursor(last.id);
    return { items: items.map((r) => this.spec.toApi(r)), next };
  }

  async create(input: Create, actor: Actor): Promise<Api> {
    const values = this.spec.toInsert(input);
    this.spec.validate?.(values);
    const row = this.db.transaction((tx) => {
      this.spec.references?.(tx as unknown as Db, values);
      let created: Row;
      try {
        created = tx.insert(this.spec.table).values(values as never).returning().get() as Row;
      } catch (e) {
        constraintError(e, this.spec.fields);
      }
      this.audit(actor, 'create', created.id, undefined, created);
      return created;
    });
    return this.spec.toApi(row);
  }

  async update(id: number, patch: Patch, actor: Actor): Promise<Api | undefined> {
    const row = this.db.transaction((tx) => {
      const before = this.row(id);
      if (!before) return undefined;
      const changes = this.spec.toUpdate(patch, before);
      const merged = { ...before, ...changes };
      this.spec.validate?.(merged);
      this.spec.references?.(tx as unknown as Db, changes);
      let after: Row;
      try {
        after = tx
          .update(this.spec.table)
          .set({ ...changes, ...('updatedAt' in before ? { updatedAt: this.clock.now().toISOString() } : {}) } as never)
          .where(eq(this.spec.table.id, id))
          .returning()
          .get() as Row;
      } catch (e) {
        constraintError(e, this.spec.fields);
      }
      this.audit(actor, 'update', id, before, after);
      return after;
    });
    return row && this.spec.toApi(row);
  }

  async delete(id: number, actor: Actor): Promise<boolean> {
    return this.db.transaction((tx) => {
      const before = this.row(id);
      if (!before) return false;
      try {
        tx.delete(this.spec.table).where(eq(this.spec.table.id, id)).run();
      } catch (e) {
        constraintError(e, this.spec.fields);
      }
      this.audit(actor, 'delete', id, before, undefined);
      return true;
    });
  }
}
