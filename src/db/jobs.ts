/**
 * The scheduler's repository: per-job progress (`job_state`) and the lease that keeps two processes
 * on one database from running the jobs at once (`job_leases`).
 */
import type Database from 'better-sqlite3';
import type { Db } from './client.js';

export interface JobStateRow {
  name: string;
  lastDate: string | null;
  lastStartedAt: string | null;
  lastFinishedAt: string | null;
  failures: number;
  lastError: string | null;
  lastErrorAt: string | null;
  failedDate: string | null;
  nextRetryAt: string | null;
}

const COLS = `name, last_date as lastDate, last_started_at as lastStartedAt, last_finished_at as lastFinishedAt, failures,
  last_error as lastError, last_error_at as lastErrorAt, failed_date as failedDate, next_retry_at as nextRetryAt`;

export type JobStore = ReturnType<typeof jobStore>;

export function jobStore(db: Db) {
  const c: Database.Database = db.$client;
  const s = {
    get: c.prepare(`select ${COLS} from job_state where name = ?`),
    all: c.prepare(`select ${COLS} from job_state order by name`),
    ensure: c.prepare(`insert into job_state (name, updated_at) values (?, ?) on conflict(name) do nothing`),
    started: c.prepare(`update job_state set last_started_at = ?, updated_at = ? where name = ?`),
    done: c.prepare(`update job_state set last_date = max(coalesce(last_date, ''), ?), last_finished_at = ?, failures = 0, failed_date = null,
      next_retry_at = null, updated_at = ? where name = ?`),
    failed: c.prepare(`update job_state set failures = failures + 1, last_error = ?, last_error_at = ?, failed_date = ?, next_retry_at = ?, updated_at = ?
      where name = ? returning failures`),
    lease: c.prepare(`insert into job_leases (name, holder, expires_at) values (?, ?, ?)
      on conflict(name) do update set holder = excluded.holder, expires_at = excluded.expires_at
      where job_leases.holder = excluded.holder or job_leases.expires_at < ? returning holder`),
    release: c.prepare(`delete from job_leases where name = ? and holder = ?`),
    leaseOf: c.prepare(`select holder, expires_at as expiresAt from job_leases where name = ?`),
  };
  return {
    get(name: string): JobStateRow | null {
      return (s.get.get(name) as JobStateRow | undefined) ?? null;
    },
    all(): JobStateRow[] {
      return s.all.all() as JobStateRow[];
    },
    ensure(name: string, at: string): void {
      s.ensure.run(name, at);
    },
    started(name: string, at: string): void {
      s.started.run(at, at, name);
    },
    completed(name: string, date: string, at: string): void {
      s.done.run(date, at, at, name);
    },
    /** Records a failure; returns the number of consecutive failures. */
    failed(name: string, date: string, error: string, at: string, nextRetryAt: string): number {
      return (s.failed.get(error, at, date, nextRetryAt, at, name) as { failures: number }).failures;
    },
    /** Takes or renews the lease until `expiresAt`; false when another holder has a live one. */
    acquireLease(name: string, holder: string, now: string, expiresAt: string): boolean {
      return s.lease.get(name, holder, expiresAt, now) !== undefined;
    },
    releaseLease(name: string, holder: string): void {
      s.release.run(name, holder);
    },
    lease(name: string): { holder: string; expiresAt: string } | null {
      return (s.leaseOf.get(name) as { holder: string; expiresAt: string } | undefined) ?? null;
    },
  };
}
