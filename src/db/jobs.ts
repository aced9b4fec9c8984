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

/** Who holds a lease: a unique id, and the host, boot and process it runs in (null where unknown). */
export interface LeaseHolder {
  id: string;
  host: string | null;
  bootId: string | null;
  pid: number | null;
}

export interface LeaseRow {
  holder: string;
  expiresAt: string;
  host: string | null;
  bootId: string | null;
  pid: number | null;
}

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
    lease: c.prepare(`insert into job_leases (name, holder, expires_at, host, boot_id, pid) values (?, ?, ?, ?, ?, ?)
      on conflict(name) do update set holder = excluded.holder, expires_at = excluded.expires_at, host = excluded.host, boot_id = excluded.boot_id,
        pid = excluded.pid
      where job_leases.holder = excluded.holder or job_leases.expires_at < ? returning holder`),
    takeOver: c.prepare(`update job_leases set holder = ?, expires_at = ?, host = ?, boot_id = ?, pid = ? where name = ? and holder = ? returning holder`),
    release: c.prepare(`delete from job_leases where name = ? and holder = ?`),
    leaseOf: c.prepare(`select holder, expires_at as expiresAt, host, boot_id as bootId, pid from job_leases where name = ?`),
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
    acquireLease(name: string, holder: LeaseHolder, now: string, expiresAt: string): boolean {
      return s.lease.get(name, holder.id, expiresAt, holder.host, holder.bootId, holder.pid, now) !== undefined;
    },
    /**
     * Takes the lease from `from`, a holder known to be dead, whatever its expiry; false when the row
     * changed meanwhile (another process took it first, or it was released).
     */
    takeOverLease(name: string, from: string, holder: LeaseHolder, expiresAt: string): boolean {
      return s.takeOver.get(holder.id, expiresAt, holder.host, holder.bootId, holder.pid, name, from) !== undefined;
    },
    releaseLease(name: string, holder: string): void {
      s.release.run(name, holder);
    },
    lease(name: string): LeaseRow | null {
      return (s.leaseOf.get(name) as LeaseRow | undefined) ?? null;
    },
  };
}
