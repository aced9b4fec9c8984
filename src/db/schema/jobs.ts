import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { now } from './columns.js';

// ---- Scheduler, dunning and notifications (H5a) ------------------------------------------------------

/** Each scheduled job's progress: the last billing date it completed, and its failures. */
export const jobState = sqliteTable('job_state', {
  name: text('name').primaryKey(),
  lastDate: text('last_date'),
  lastStartedAt: text('last_started_at'),
  lastFinishedAt: text('last_finished_at'),
  /** Consecutive failures since the last success. */
  failures: integer('failures').notNull().default(0),
  lastError: text('last_error'),
  /** JSON `{key, values}`: `last_error` by catalogue key (src/lib/failure.ts), so Settings shows it in its reader's language. */
  lastErrorMessage: text('last_error_message'),
  lastErrorAt: text('last_error_at'),
  /** The date that failed, retried at next_retry_at. */
  failedDate: text('failed_date'),
  nextRetryAt: text('next_retry_at'),
  updatedAt: text('updated_at').notNull().default(now),
});

/**
 * A lease so that two processes on one database never run the jobs at once. The holder's host, boot
 * id and pid let a process on the same host take over at once from a holder that has died (null in a
 * row written before they were recorded: such a lease waits for its expiry).
 */
export const jobLeases = sqliteTable('job_leases', {
  name: text('name').primaryKey(),
  holder: text('holder').notNull(),
  expiresAt: text('expires_at').notNull(),
  /** The holder's hostname. */
  host: text('host'),
  /** The holder's kernel boot id (/proc/sys/kernel/random/boot_id): a pid means nothing across reboots. */
  bootId: text('boot_id'),
  pid: integer('pid'),
});
