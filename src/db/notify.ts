/**
 * The notifications repository: templates (rows override the built-in defaults) and the outbox the
 * sender workers drain. Statements are prepared once; no transactions are opened here except by
 * `transaction()` and `claimDue()`.
 *
 * Several senders (one per node) may drain one outbox: `claimDue` takes due rows atomically (on
 * PostgreSQL the rows another sender is claiming are skipped, `for update skip locked`; SQLite's
 * single writer already excludes), marks them `sending` under the claimant's id until a claim
 * expiry kept in next_attempt_at, and counts the attempt. A row whose claim expired (its sender
 * died) is due again. The outcome is written only by the claim that is current (same attempt
 * number), so a sender whose claim expired cannot overwrite the next one's.
 */
import { storeText, type LocalText } from '../lib/errors.js';
import { auditRecorder } from './audit.js';
import type { Actor } from './crud.js';
import { dialectSql } from './dialect.js';
import { Conditions } from './conditions.js';
import type { SqlClient } from './sql.js';

export type Channel = 'email' | 'sms';
export type OutboxStatus = 'queued' | 'sending' | 'sent' | 'failed';

export interface TemplateRow {
  key: string;
  channel: Channel;
  /** The language of the text; '' for an override of every language (the rows written before languages). */
  language: string;
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
  /** `lastError` by catalogue key, JSON `{key, values}` (keyedError reads it); null before keys were stored. */
  lastErrorMessage: string | null;
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

/** A message a sender holds: delivered by it alone until its claim expires. */
export interface Claim {
  id: number;
  /** The attempt this claim is (the row's attempts after claiming): the outcome's fence. */
  attempt: number;
}

export interface Contact {
  id: number;
  name: string;
  email: string | null;
  phone: string | null;
  /** The customer's language; null: the installation's. */
  language: string | null;
}

export interface IssuedInvoice {
  id: number;
  customerId: number;
  number: string;
  dueDate: string;
  total: number;
}

const TEMPLATE_COLS = `key, channel, language, subject, body, delay_minutes as "delayMinutes", send_from as "sendFrom", send_until as "sendUntil", enabled, updated_at as "updatedAt"`;
const OUTBOX_COLS = `id, customer_id as "customerId", service_id as "serviceId", template, channel, recipient, subject, body, status, attempts,
  last_error as "lastError", last_error_message as "lastErrorMessage", next_attempt_at as "nextAttemptAt", dedupe_key as "dedupeKey", created_at as "createdAt", sent_at as "sentAt"`;

type RawTemplate = Omit<TemplateRow, 'enabled'> & { enabled: boolean | number };
/** SQLite reads booleans as 0/1, PostgreSQL as true/false. */
const templateRow = (r: RawTemplate): TemplateRow => ({ ...r, enabled: Boolean(r.enabled) });

export type NotifyStore = ReturnType<typeof notifyStore>;

export function notifyStore(sql: SqlClient) {
  const d = dialectSql(sql.dialect);
  const audit = auditRecorder(sql);
  // Rows another sender is claiming right now are skipped rather than waited for (PostgreSQL).
  const skipLocked = sql.dialect === 'postgres' ? ' for update skip locked' : '';
  const s = {
    // The row in the language asked for, else the row of every language ('' sorts first, hence desc).
    template: sql.prepare<RawTemplate>(`select ${TEMPLATE_COLS} from notification_templates where key = ? and channel = ? and language in (?, '')
      order by language desc limit 1`),
    templateExact: sql.prepare<RawTemplate>(`select ${TEMPLATE_COLS} from notification_templates where key = ? and channel = ? and language = ?`),
    templates: sql.prepare<RawTemplate>(`select ${TEMPLATE_COLS} from notification_templates order by key, channel, language`),
    upsertTemplate: sql.prepare(`insert into notification_templates (key, channel, language, subject, body, delay_minutes, send_from, send_until, enabled, created_at, updated_at)
      values (@key, @channel, @language, @subject, @body, @delayMinutes, @sendFrom, @sendUntil, @enabled, @at, @at)
      on conflict (key, channel, language) do update set subject = excluded.subject, body = excluded.body, delay_minutes = excluded.delay_minutes,
      send_from = excluded.send_from, send_until = excluded.send_until, enabled = excluded.enabled, updated_at = excluded.updated_at`),
    deleteTemplate: sql.prepare(`delete from notification_templates where key = ? and channel = ? and language = ?`),
    contact: sql.prepare<Contact>(`select id, name, email, phone, language from customers where id = ?`),
    insert: sql.prepare<{ id: number }>(`insert into notification_outbox (customer_id, service_id, template, channel, recipient, subject, body, status, attempts, next_attempt_at, dedupe_key, created_at)
      values (@customerId, @serviceId, @template, @channel, @recipient, @subject, @body, 'queued', 0, @nextAttemptAt, @dedupeKey, @createdAt)
      on conflict (dedupe_key, channel) do nothing returning id`),
    // Due: queued and its time has come, or claimed by a sender whose claim has expired.
    claimDue: sql.prepare<OutboxRow>(`update notification_outbox set status = 'sending', attempts = attempts + 1, next_attempt_at = ?, claimed_by = ?
      where id in (select id from notification_outbox where status in ('queued', 'sending') and next_attempt_at <= ? order by next_attempt_at, id limit ?${skipLocked})
      returning ${OUTBOX_COLS}`),
    claim: sql.prepare(`update notification_outbox set status = 'sending', attempts = attempts + 1, next_attempt_at = ?, claimed_by = ? where id = ? and status = 'queued'`),
    sent: sql.prepare(`update notification_outbox set status = 'sent', sent_at = ?, last_error = null, last_error_message = null, claimed_by = null where id = ? and status = 'sending' and attempts = ?`),
    retry: sql.prepare(`update notification_outbox set status = 'queued', last_error = ?, last_error_message = ?, next_attempt_at = ?, claimed_by = null where id = ? and status = 'sending' and attempts = ?`),
    failed: sql.prepare(`update notification_outbox set status = 'failed', last_error = ?, last_error_message = ?, claimed_by = null where id = ? and status = 'sending' and attempts = ?`),
    unclaim: sql.prepare(`update notification_outbox set status = 'queued', attempts = attempts - 1, next_attempt_at = ?, claimed_by = null
      where id = ? and status = 'sending' and attempts = ?`),
    sending: sql.prepare<{ id: number; claimedBy: string | null }>(`select id, claimed_by as "claimedBy" from notification_outbox where status = 'sending' order by id`),
    interrupted: sql.prepare<{ id: number }>(`update notification_outbox set status = 'failed', last_error = ?, last_error_message = ?, claimed_by = null
      where status = 'sending' and id in (${d.idList}) returning id`),
    requeue: sql.prepare(`update notification_outbox set status = 'queued', next_attempt_at = ?, last_error = coalesce(last_error, '') where id = ? and status = 'failed'`),
    get: sql.prepare<OutboxRow>(`select ${OUTBOX_COLS} from notification_outbox where id = ?`),
    issuedOn: sql.prepare<IssuedInvoice>(`select id, customer_id as "customerId", number, due_date as "dueDate", total from invoices where issue_date = ? and id > ? order by id limit ?`),
  };
  return {
    /** A write transaction; the store's calls made inside it join it. */
    transaction<T>(fn: () => Promise<T>): Promise<T> {
      return sql.transaction(fn);
    },
    /** The operator's text for a key, channel and language: that language's row, else the row of every language. */
    async template(key: string, channel: Channel, language: string): Promise<TemplateRow | null> {
      const r = await s.template.get(key, channel, language);
      return r ? templateRow(r) : null;
    },
    /** The row of exactly this language ('' the row of every language). */
    async templateExact(key: string, channel: Channel, language: string): Promise<TemplateRow | null> {
      const r = await s.templateExact.get(key, channel, language);
      return r ? templateRow(r) : null;
    },
    async templates(): Promise<TemplateRow[]> {
      return (await s.templates.all()).map(templateRow);
    },
    async upsertTemplate(t: Omit<TemplateRow, 'updatedAt'>, at: string): Promise<void> {
      await s.upsertTemplate.run({ key: t.key, channel: t.channel, language: t.language, subject: t.subject, body: t.body, delayMinutes: t.delayMinutes, sendFrom: t.sendFrom, sendUntil: t.sendUntil, enabled: t.enabled, at });
    },
    async deleteTemplate(key: string, channel: Channel, language: string): Promise<boolean> {
      return (await s.deleteTemplate.run(key, channel, language)).changes > 0;
    },
    async contact(customerId: number): Promise<Contact | null> {
      return (await s.contact.get(customerId)) ?? null;
    },
    /** The new row's id, or null when the dedupe key was used already for this channel. */
    async insert(row: OutboxInsert): Promise<number | null> {
      const r = await s.insert.get({ ...row });
      return r?.id ?? null;
    },
    /**
     * Claims up to `limit` messages due at `now` for the sender `by` until `until` (each counts an
     * attempt) and answers them, by id. No other sender gets them before `until`.
     */
    async claimDue(now: string, limit: number, by: string, until: string): Promise<OutboxRow[]> {
      const rows = await sql.transaction(() => s.claimDue.all(until, by, now, limit));
      return rows.sort((a, b) => a.id - b.id);
    },
    /** Claims one queued message for `by` until `until`; false if it is not queued. */
    async claim(id: number, by: string, until: string): Promise<boolean> {
      return (await s.claim.run(until, by, id)).changes === 1;
    },
    /** The outcome of a claim; false when the claim is no longer current (it expired and was taken). */
    async markSent(c: Claim, at: string): Promise<boolean> {
      return (await s.sent.run(at, c.id, c.attempt)).changes === 1;
    },
    /** `error`: the failure in English and by catalogue key, stored side by side. */
    async markRetry(c: Claim, error: LocalText, nextAttemptAt: string): Promise<boolean> {
      return (await s.retry.run(error.text, storeText(error), nextAttemptAt, c.id, c.attempt)).changes === 1;
    },
    async markFailed(c: Claim, error: LocalText): Promise<boolean> {
      return (await s.failed.run(error.text, storeText(error), c.id, c.attempt)).changes === 1;
    },
    /** Gives back a claim whose message was not tried (the sender stops): queued again as of `at`, the attempt not counted. */
    async unclaim(c: Claim, at: string): Promise<boolean> {
      return (await s.unclaim.run(at, c.id, c.attempt)).changes === 1;
    },
    /** The messages claimed now, with their claimant (null: claimed before claimants were recorded). */
    sending(): Promise<{ id: number; claimedBy: string | null }[]> {
      return s.sending.all();
    },
    /** Marks these messages, left mid-send by a crash, failed: never re-sent blindly (they may have gone out). */
    async failInterrupted(ids: readonly number[], error: LocalText): Promise<number[]> {
      if (ids.length === 0) return [];
      return (await s.interrupted.all(error.text, storeText(error), JSON.stringify(ids))).map((r) => r.id).sort((a, b) => a - b);
    },
    async requeue(id: number, at: string): Promise<boolean> {
      return (await s.requeue.run(at, id)).changes === 1;
    },
    async get(id: number): Promise<OutboxRow | null> {
      return (await s.get.get(id)) ?? null;
    },
    list(f: OutboxFilter, limit: number, beforeId: number | null): Promise<OutboxRow[]> {
      // Empty strings are no filter, as absent ones are. Built per call: an admin listing, and each
      // filter set gets a statement the indexes serve.
      const set = <T>(v: T | '' | undefined): T | undefined => (v === '' ? undefined : v);
      const w = new Conditions()
        .when(set(f.status), 'status = ?')
        .when(set(f.channel), 'channel = ?')
        .when(set(f.customerId), 'customer_id = ?')
        .when(set(f.template), 'template = ?')
        .when(beforeId ?? undefined, 'id < ?');
      return sql.all<OutboxRow>(`select ${OUTBOX_COLS} from notification_outbox ${w.sql} order by id desc limit ?`, ...w.args, limit);
    },
    /** Invoices issued on a date, by id, a page at a time (the invoice.issued notices). */
    invoicesIssuedOn(date: string, afterId: number, limit: number): Promise<IssuedInvoice[]> {
      return s.issuedOn.all(date, afterId, limit);
    },
    audit(actor: Actor, at: string, action: string, entity: string, id: string | number, before: unknown, after: unknown): Promise<void> {
      return audit(actor, at, action, entity, id, before, after);
    },
  };
}
