/** Reading the audit log: filters, free text, newest first, with secrets redacted on the way out. */
import { and, desc, eq, gte, lt, or, sql, type SQL } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import type { Db } from './client.js';
import type { SqlClient } from './sql.js';
import { decodeCursor, encodeCursor, type Page } from './crud.js';
import { auditLog } from './schema/index.js';

export interface AuditFilter {
  actor?: string | undefined;
  entity?: string | undefined;
  entityId?: string | undefined;
  action?: string | undefined;
  /** Inclusive, ISO 8601 instant. */
  from?: string | undefined;
  /** Exclusive, ISO 8601 instant. */
  to?: string | undefined;
  /** Free text, found in the actor, the entity id or anywhere in before/after. */
  q?: string | undefined;
}

export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  actorIp: string | null;
  action: string;
  entity: string;
  entityId: string | null;
  before: unknown;
  after: unknown;
}

/**
 * Keys whose values are never shown, whatever wrote the row: writers already leave secrets out
 * (crud.ts audits the API view, which has none), this is the second line. Booleans stay (`…Set`).
 */
const SECRET_KEY = /pass(word|phrase)|secret|token|totp|recovery|community|auth_?key|priv_?key|api_?key|hash|(_e|E)nc$|seed/i;
export const REDACTED = '[redacted]';

export function redact(value: unknown, key = ''): unknown {
  if (value === null || value === undefined) return value ?? null;
  if (key && SECRET_KEY.test(key) && typeof value !== 'boolean') return REDACTED;
  if (Array.isArray(value)) return value.map((v) => redact(v));
  if (typeof value === 'object') return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, redact(v, k)]));
  return value;
}

function parse(text: string | null): unknown {
  if (text === null) return null;
  try {
    return redact(JSON.parse(text));
  } catch {
    return REDACTED; // not JSON: cannot be checked for secrets, so not shown
  }
}

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export function auditStore(db: Db) {
  return {
    async list(f: AuditFilter, limit = 50, cursor?: string): Promise<Page<AuditEntry>> {
      const w: SQL[] = [];
      if (f.actor !== undefined) w.push(eq(auditLog.actor, f.actor));
      if (f.entity !== undefined) w.push(eq(auditLog.entity, f.entity));
      if (f.entityId !== undefined) w.push(eq(auditLog.entityId, f.entityId));
      if (f.action !== undefined) w.push(eq(auditLog.action, f.action));
      if (f.from !== undefined) w.push(gte(auditLog.at, new Date(f.from).toISOString()));
      if (f.to !== undefined) w.push(lt(auditLog.at, new Date(f.to).toISOString()));
      if (f.q !== undefined && f.q !== '') {
        const pattern = `%${likeEscape(f.q)}%`;
        const like = (c: SQLiteColumn) => sql`${c} like ${pattern} escape '\\'`;
        w.push(or(like(auditLog.actor), like(auditLog.entityId), like(auditLog.action), like(auditLog.before), like(auditLog.after))!);
      }
      if (cursor) w.push(lt(auditLog.id, decodeCursor(cursor)));
      const rows = db.select().from(auditLog).where(w.length ? and(...w) : undefined).orderBy(desc(auditLog.id)).limit(limit + 1).all();
      const more = rows.length > limit;
      const items = rows.slice(0, limit);
      return {
        items: items.map((r) => ({ ...r, before: parse(r.before), after: parse(r.after) })),
        next: more ? encodeCursor(items[items.length - 1]!.id) : null,
      };
    },
  };
}

/**
 * The audit record's INSERT, for stores that write one inside their own transactions: the statement
 * prepared once per store, `before` and `after` as JSON (absent: null).
 */
export function auditWriter(db: Db) {
  const insert = db.$client.prepare(`insert into audit_log (at, actor, actor_ip, action, entity, entity_id, before, after) values (?, ?, ?, ?, ?, ?, ?, ?)`);
  return (actor: { id: string; ip?: string | undefined }, at: string, action: string, entity: string, entityId: number | string, before: unknown, after: unknown): void => {
    insert.run(at, actor.id, actor.ip ?? null, action, entity, String(entityId), before === undefined ? null : JSON.stringify(before), after === undefined ? null : JSON.stringify(after));
  };
}

/** `entityId` null: a record about no stored entity (a failed login for an unknown username). */
export type AuditRecorder = (actor: { id: string; ip?: string | undefined }, at: string, action: string, entity: string, entityId: number | string | null, before: unknown, after: unknown) => Promise<void>;

/**
 * auditWriter on either backend: the audit record's INSERT for a store on SqlClient, joining the
 * transaction the store's caller has open.
 */
export function auditRecorder(sql: SqlClient): AuditRecorder {
  const insert = sql.prepare(`insert into audit_log (at, actor, actor_ip, action, entity, entity_id, before, after) values (?, ?, ?, ?, ?, ?, ?, ?)`);
  return async (actor, at, action, entity, entityId, before, after) => {
    await insert.run(at, actor.id, actor.ip ?? null, action, entity, entityId === null ? null : String(entityId), before === undefined ? null : JSON.stringify(before), after === undefined ? null : JSON.stringify(after));
  };
}
