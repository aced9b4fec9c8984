/**
 * The outbox's three statements on the synchronous SQLite connection, for the one caller that still
 * queues notices inside a synchronous better-sqlite3 transaction (dunning). Goes once dunning awaits
 * `OutboxNotifier.enqueue` inside `SqlClient.transaction` (issue: PostgreSQL as a second backend).
 */
import type { Db } from './client.js';
import type { Channel, Contact, OutboxInsert, TemplateRow } from './notify.js';

type RawTemplate = Omit<TemplateRow, 'enabled'> & { enabled: number };

export function outboxSyncWriter(db: Db) {
  const c = db.$client;
  const template = c.prepare<[string, Channel], RawTemplate>(`select key, channel, subject, body, delay_minutes as delayMinutes, send_from as sendFrom,
    send_until as sendUntil, enabled, updated_at as updatedAt from notification_templates where key = ? and channel = ?`);
  const contact = c.prepare<[number], Contact>(`select id, name, email, phone from customers where id = ?`);
  const insert = c.prepare<[OutboxInsert], { id: number }>(`insert into notification_outbox (customer_id, service_id, template, channel, recipient, subject, body, status, attempts, next_attempt_at, dedupe_key, created_at)
    values (@customerId, @serviceId, @template, @channel, @recipient, @subject, @body, 'queued', 0, @nextAttemptAt, @dedupeKey, @createdAt)
    on conflict (dedupe_key, channel) do nothing returning id`);
  return {
    contact: (customerId: number): Contact | null => contact.get(customerId) ?? null,
    template(key: string, channel: Channel): TemplateRow | null {
      const r = template.get(key, channel);
      return r ? { ...r, enabled: r.enabled !== 0 } : null;
    },
    insert: (row: OutboxInsert): number | null => insert.get(row)?.id ?? null,
  };
}
