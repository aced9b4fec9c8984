/**
 * The notifications repository: templates (rows override the built-in defaults) and the outbox the
 * sender worker drains. Statements are prepared once; no transactions are opened here except by
 * `transaction()`.
 */
import type Database from 'better-sqlite3';
import type { Db } from './client.js';
import { Conditions } from './conditions.js';
import type { Actor } from './crud.js';

export type Channel = 'email' | 'sms';
export type OutboxStatus = 'queued' | 'sending' | 'sent' | 'failed';

export interface TemplateRow {
  key: string;
  channel: Channel;
  subject: string;
  body: string;
  delayMinutes: number;
  sendFrom: string | null;
  sendUntil: string | null;
  enabled: boolean;
  updatedAt: string;
}

export interface OutboxRow {
  id: number;
  customerId: number | null;
  serviceId: number | null;
  template: string;
  channel: Channel;
  recipient: string;
  subject: string;
  body: string;
  status: OutboxStatus;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: string;
  dedupeKey: string | null;
  createdAt: string;
  sentAt: string | null;
}

export interface OutboxInsert {
  customerId: number | null;
  serviceId: number | null;
  template: string;
  channel: Channel;
  recipient: string;
  subject: string;
  body: string;
  nextAttemptAt: string;
  dedupeKey: string | null;
  createdAt: string;
}

export interface OutboxFilter {
  status?: OutboxStatus | undefined;
  channel?: Channel | undefined;
  customerId?: number | undefined;
  template?: string | undefined;
}

const TEMPLATE_COLS = `key, channel, subject, body, delay_minutes as delayMinutes, send_from as sendFrom, send_until as sendUntil, enabled, updated_at as updatedAt`;
const OUTBOX_COLS = `id, customer_id as customerId, service_id as serviceId, template, channel, recipient, subject, body, status, attempts,
  last_error as lastError, next_attempt_at as nextAttemptAt, dedupe_key as dedupeKey, created_at as createdAt, sent_at as sentAt`;

const templateRow = (r: Record<string, unknown>): TemplateRow => ({ ...(r as unknown as TemplateRow), enabled: Boolean(r.enabled) });

export type NotifyStore = ReturnType<typeof notifyStore>;

export function notifyStore(db: Db) {
  const c: Database.Database = db.$client;
  const s = {
    template: c.prepare(`select ${TEMPLATE_COLS} from notification_templates where key = ? and channel = ?`),
    templates: c.prepare(`select ${TEMPLATE_COLS} from notification_templates order by key, channel`),
    upsertTemplate: c.prepare(`insert into notification_templates (key, channel, subject, body, delay_minutes, send_from, send_until, enabled, created_at, updated_at)
      values (@key, @channel, @subject, @body, @delayMinutes, @sendFrom, @sendUntil, @enabled, @at, @at)
      on conflict(key, channel) do update set subject = excluded.subject, body = excluded.body, delay_minutes = excluded.delay_minutes,
      send_from = excluded.send_from, send_until = excluded.send_until, enabled = excluded.enabled, updated_at = excluded.updated_at`),
    deleteTemplate: c.prepare(`delete from notification_templates where key = ? and channel = ?`),
    contact: c.prepare(`select id, name, email, phone from customers where id = ?`),
    insert: c.prepare(`insert into notification_outbox (customer_id, service_id, template, channel, recipient, subject, body, status, attempts, next_attempt_at, dedupe_key, created_at)
      values (@customerId, @serviceId, @template, @channel, @recipient, @subject, @body, 'queued', 0, @nextAttemptAt, @dedupeKey, @createdAt)
      on conflict(dedupe_key, channel) do nothing returning id`),
    due: c.prepare(`select ${OUTBOX_COLS} from notification_outbox where status = 'queued' and next_attempt_at <= ? order by next_attempt_at, id limit ?`),
    claim: c.prepare(`update notification_outbox set status = 'sending', attempts = attempts + 1 where id = ? and status = 'queued'`),
    sent: c.prepare(`update notification_outbox set status = 'sent', sent_at = ?, last_error = null where id = ?`),
    retry: c.prepare(`update notification_outbox set status = 'queued', last_error = ?, next_attempt_at = ? where id = ?`),
    failed: c.prepare(`update notification_outbox set status = 'failed', last_error = ? where id = ?`),
    interrupted: c.prepare(`update notification_outbox set status = 'failed', last_error = ? where status = 'sending' returning id`),
    requeue: c.prepare(`update notification_outbox set status = 'queued', next_attempt_at = ?, last_error = coalesce(last_error, '') where id = ? and status = 'failed'`),
    get: c.prepare(`select ${OUTBOX_COLS} from notification_outbox where id = ?`),
    issuedOn: c.prepare(`select id, customer_id as customerId, number, due_date as dueDate, total from invoices where issue_date = ? and id > ? order by id limit ?`),
    audit: c.prepare(`insert into audit_log (at, actor, actor_ip, action, entity, entity_id, before, after) values (?, ?, ?, ?, ?, ?, ?, ?)`),
  };
  return {
    transaction<T>(fn: () => T): T {
      return c.transaction(fn).immediate();
    },
    template(key: string, channel: Channel): TemplateRow | null {
      const r = s.template.get(key, channel) as Record<string, unknown> | undefined;
      return r ? templateRow(r) : null;
    },
    templates(): TemplateRow[] {
      return (s.templates.all() as Record<string, unknown>[]).map(templateRow);
    },
    upsertTemplate(t: Omit<TemplateRow, 'updatedAt'>, at: string): void {
      s.upsertTemplate.run({ ...t, enabled: t.enabled ? 1 : 0, at });
    },
    deleteTemplate(key: string, channel: Channel): boolean {
      return s.deleteTemplate.run(key, channel).changes > 0;
    },
    contact(customerId: number): { id: number; name: string; email: string | null; phone: string | null } | null {
      return (s.contact.get(customerId) as { id: number; name: string; email: string | null; phone: string | null } | undefined) ?? null;
    },
    /** The new row's id, or null when the dedupe key was used already for this channel. */
    insert(row: OutboxInsert): number | null {
      const r = s.insert.get(row) as { id: number } | undefined;
      return r?.id ?? null;
    },
    due(now: string, limit: number): OutboxRow[] {
      return s.due.all(now, limit) as OutboxRow[];
    },
    /** Marks a queued message as being sent (committed before the send starts); false if gone. */
    claim(id: number): boolean {
      return s.claim.run(id).changes === 1;
    },
    markSent(id: number, at: string): void {
      s.sent.run(at, id);
    },
    markRetry(id: number, error: string, nextAttemptAt: string): void {
      s.retry.run(error, nextAttemptAt, id);
    },
    markFailed(id: number, error: string): void {
      s.failed.run(error, id);
    },
    /** Messages left mid-send by a crash: failed, never re-sent blindly (they may have gone out). */
    failInterrupted(error: string): number[] {
      return (s.interrupted.all(error) as { id: number }[]).map((r) => r.id);
    },
    requeue(id: number, at: string): boolean {
      return s.requeue.run(at, id).changes === 1;
    },
    get(id: number): OutboxRow | null {
      return (s.get.get(id) as OutboxRow | undefined) ?? null;
    },
    list(f: OutboxFilter, limit: number, beforeId: number | null): OutboxRow[] {
      // Empty strings are no filter, as absent ones are.
      const where = new Conditions().when(f.status || undefined, 'status = ?').when(f.channel || undefined, 'channel = ?')
        .when(f.customerId, 'customer_id = ?').when(f.template || undefined, 'template = ?');
      if (beforeId !== null) where.add('id < ?', beforeId);
      const sql = `select ${OUTBOX_COLS} from notification_outbox ${where.sql} order by id desc limit ?`;
      return c.prepare(sql).all(...where.args, limit) as OutboxRow[];
    },
    /** Invoices issued on a date, by id, a page at a time (the invoice.issued notices). */
    invoicesIssuedOn(date: string, afterId: number, limit: number): { id: number; customerId: number; number: string; dueDate: string; total: number }[] {
      return s.issuedOn.all(date, afterId, limit) as { id: number; customerId: number; number: string; dueDate: string; total: number }[];
    },
    audit(actor: Actor, at: string, action: string, entity: string, id: string | number, before: unknown, after: unknown): void {
      s.audit.run(at, actor.id, actor.ip ?? null, action, entity, String(id), before === undefined ? null : JSON.stringify(before), after === undefined ? null : JSON.stringify(after));
    },
  };
}
