import { integer, pgTable, text } from 'drizzle-orm/pg-core';
import { now } from './columns.js';

// ---- Scheduler, dunning and notifications (H5a) ------------------------------------------------------

/** Each scheduled job's progress: the last billing date it completed, and its failures. */
export const jobState = pgTable('job_state', {
  name: text('name').primaryKey(),
  lastDate: text('last_date'),
  lastStartedAt: text('last_started_at'),
  lastFinishedAt: text('last_finished_at'),
  /** Consecutive failures since the last success. */
  failures: integer('failures').notNull().default(0),
  lastError: text('last_error'),
  lastErrorAt: text('last_error_at'),
  /** The date that failed, retried at next_retry_at. */
  failedDate: text('failed_date'),
  nextRetryAt: text('next_retry_at'),
  updatedAt: text('updated_at').notNull().default(now),
});

/** A lease so that two processes on one database never run the jobs at once. */
export const jobLeases = pgTable('job_leases', {
  name: text('name').primaryKey(),
  holder: text('holder').notNull(),
  expiresAt: text('expires_at').notNull(),
});
