/** Reading the audit log: filters, free text, newest first, with secrets redacted on the way out. */
import type { Db } from './client.js';
import { Conditions } from './conditions.js';
import { dialectSql } from './dialect.js';
import type { SqlClient } from './sql.js';
import { decodeCursor, encodeCursor, type Page } from './paging.js';

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

export function auditStore(sql: SqlClient) {
  // Free text is case-insensitive on both backends, as SQLite's LIKE is for ASCII.
  const like = dialectSql(sql.dialect).ilike;
  const text = (c: string) => `${c} ${like} ? escape '\\'`;
  const free = `(${['actor', 'entity_id', 'action', '"before"', '"after"'].map(text).join(' or ')})`;
  return {
    async list(f: AuditFilter, limit = 50, cursor?: string): Promise<Page<AuditEntry>> {
      const w = new Conditions()
        .when(f.actor, 'actor = ?')
        .when(f.entity, 'entity = ?')
        .when(f.entityId, 'entity_id = ?')
        .when(f.action, 'action = ?')
        .when(f.from === undefined ? undefined : new Date(f.from).toISOString(), 'at >= ?')
        .when(f.to === undefined ? undefined : new Date(f.to).toISOString(), 'at < ?');
      if (f.q !== undefined && f.q !== '') {
        const pattern = `%${likeEscape(f.q)}%`;
        w.add(free, pattern, pattern, pattern, pattern, pattern);
      }
      if (cursor) w.add('id < ?', decodeCursor(cursor));
      const rows = await sql.all<Omit<AuditEntry, 'before' | 'after'> & { before: string | null; after: string | null }>(
        `select id, at, actor, actor_ip as "actorIp", action, entity, entity_id as "entityId", "before", "after"
          from audit_log ${w.sql} order by id desc limit ?`,
        ...w.args, limit + 1,
      );
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
