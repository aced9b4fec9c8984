import { sql } from 'drizzle-orm';
import { check, index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { timestamps } from './columns.js';

export const notificationTemplates = sqliteTable(
  'notification_templates',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    key: text('key').notNull(),
    channel: text('channel', { enum: ['email', 'sms'] }).notNull(),
    /** The language of the text (en, it, es); '' for a row that overrides the template in every language. */
    language: text('language').notNull().default(''),
    subject: text('subject').notNull().default(''),
    body: text('body').notNull(),
    /** Minutes to wait after the event before sending. */
    delayMinutes: integer('delay_minutes').notNull().default(0),
    /** Sending hours (HH:MM, billing time zone); null: any time. */
    sendFrom: text('send_from'),
    sendUntil: text('send_until'),
    enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
    ...timestamps,
  },
  (t) => [uniqueIndex('notification_templates_key_language_uq').on(t.key, t.channel, t.language), check('notification_templates_channel_ck', sql`channel in ('email', 'sms')`)],
);

export const notificationOutbox = sqliteTable(
  'notification_outbox',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    customerId: integer('customer_id'),
    serviceId: integer('service_id'),
    template: text('template').notNull(),
    channel: text('channel', { enum: ['email', 'sms'] }).notNull(),
    recipient: text('recipient').notNull(),
    subject: text('subject').notNull().default(''),
    body: text('body').notNull(),
    /** queued, sending (claimed by the worker), sent or failed. */
    status: text('status', { enum: ['queued', 'sending', 'sent', 'failed'] }).notNull().default('queued'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    /** JSON `{key, values}`: `last_error` by catalogue key (src/lib/failure.ts, src/notify/transports.ts), so the list reads in its reader's language. */
    lastErrorMessage: text('last_error_message'),
    nextAttemptAt: text('next_attempt_at').notNull(),
    dedupeKey: text('dedupe_key'),
    createdAt: text('created_at').notNull(),
    sentAt: text('sent_at'),
    /**
     * The sender that claimed a `sending` row (`host:pid:random`); its claim lasts until
     * next_attempt_at, after which another sender retries it. Null when never claimed.
     */
    claimedBy: text('claimed_by'),
  },
  (t) => [
    uniqueIndex('notification_outbox_dedupe_uq').on(t.dedupeKey, t.channel),
    index('notification_outbox_due_ix').on(t.status, t.nextAttemptAt),
    index('notification_outbox_customer_ix').on(t.customerId, t.id),
    check('notification_outbox_status_ck', sql`status in ('queued', 'sending', 'sent', 'failed')`),
    check('notification_outbox_channel_ck', sql`channel in ('email', 'sms')`),
  ],
);
