/**
 * The scheduler's repository: per-job progress (`job_state`) and what keeps two processes on one
 * database from running the jobs at once: the lease row (`job_leases`, who holds the run and until
 * when) and, where the database has them, a session lock that dies with its holder's connection.
 */
import { createHash } from 'node:crypto';
import type { LeaseHolder, LeaseRow } from '../lib/process-holder.js';
import { dialectSql } from './dialect.js';
import type { SessionLock, SqlClient } from './sql.js';

export interface JobStateRow {
  name: string;
  lastDate: string | null;
  lastStartedAt: string | null;
  lastFinishedAt: string | null;
  failures: number;
  lastError: string | null;
  /** `lastError` by catalogue key, JSON `{key, values}` (src/lib/failure.ts); null on rows from before keys were stored. */
  lastErrorMessage: string | null;
  lastErrorAt: string | null;
  failedDate: string | null;
  nextRetryAt: string | null;
}

const COLS = `name, last_date as "lastDate", last_started_at as "lastStartedAt", last_finished_at as "lastFinishedAt", failures,
  last_error as "lastError", last_error_message as "lastErrorMessage", last_error_at as "lastErrorAt", failed_date as "failedDate", next_retry_at as "nextRetryAt"`;

export type { LeaseHolder, LeaseRow };

/** The session lock's key for a lease name: 48 bits of its hash, a number JavaScript holds exactly. */
export function sessionLockKey(name: string): number {
  return parseInt(createHash('sha256').update(`tollgate:job-lease:${name}`).digest('hex').slice(0, 12), 16);
}

export type JobStore = ReturnType<typeof jobStore>;

export function jobStore(sql: SqlClient) {
  const d = dialectSql(sql.dialect);
  const leaseCols = `holder, expires_at as "expiresAt", host, boot_id as "bootId", pid`;
  const s = {
    get: sql.prepare<JobStateRow>(`select ${COLS} from job_state where name = ?`),
    all: sql.prepare<JobStateRow>(`select ${COLS} from job_state order by name`),
    ensure: sql.prepare(`insert into job_state (name, updated_at) values (?, ?) on conflict (name) do nothing`),
    started: sql.prepare(`update job_state set last_started_at = ?, updated_at = ? where name = ?`),
    claim: sql.prepare(`update job_state set last_started_at = ?, updated_at = ? where name = ? and coalesce(last_date, '') < ?`),
    done: sql.prepare(`update job_state set last_date = ${d.greatest(`coalesce(last_date, '')`, '?')}, last_finished_at = ?, failures = 0, failed_date = null,
      next_retry_at = null, updated_at = ? where name = ?`),
    failed: sql.prepare<{ failures: number }>(`update job_state set failures = failures + 1, last_error = ?, last_error_message = ?, last_error_at = ?, failed_date = ?, next_retry_at = ?,
      updated_at = ? where name = ? returning failures`),
    lease: sql.prepare<{ holder: string }>(`insert into job_leases (name, holder, expires_at, host, boot_id, pid) values (?, ?, ?, ?, ?, ?)
      on conflict (name) do update set holder = excluded.holder, expires_at = excluded.expires_at, host = excluded.host, boot_id = excluded.boot_id,
        pid = excluded.pid
      where job_leases.holder = excluded.holder or job_leases.expires_at < ? returning holder`),
    forceLease: sql.prepare(`insert into job_leases (name, holder, expires_at, host, boot_id, pid) values (?, ?, ?, ?, ?, ?)
      on conflict (name) do update set holder = excluded.holder, expires_at = excluded.expires_at, host = excluded.host, boot_id = excluded.boot_id,
        pid = excluded.pid`),
    takeOver: sql.prepare<{ holder: string }>(`update job_leases set holder = ?, expires_at = ?, host = ?, boot_id = ?, pid = ? where name = ? and holder = ? returning holder`),
    release: sql.prepare(`delete from job_leases where name = ? and holder = ?`),
    leaseOf: sql.prepare<LeaseRow>(`select ${leaseCols} from job_leases where name = ?`),
  };
  return {
    async get(name: string): Promise<JobStateRow | null> {
      return (await s.get.get(name)) ?? null;
    },
    all(): Promise<JobStateRow[]> {
      return s.all.all();
    },
    async ensure(name: string, at: string): Promise<void> {
      await s.ensure.run(name, at);
    },
    async started(name: string, at: string): Promise<void> {
      await s.started.run(at, at, name);
    },
    /**
     * Records that `date` of the job starts, unless it is done already (its last date is `date` or
     * later: another process completed it since this one looked); false then, and it must not run.
     */
    async claim(name: string, date: string, at: string): Promise<boolean> {
      return (await s.claim.run(at, at, name, date)).changes === 1;
    },
    async completed(name: string, date: string, at: string): Promise<void> {
      await s.done.run(date, at, at, name);
    },
    /**
     * Records a failure, in English and (`message`, JSON `{key, values}`) by catalogue key; returns the
     * number of consecutive failures.
     */
    async failed(name: string, date: string, error: string, at: string, nextRetryAt: string, message: string | null = null): Promise<number> {
      const r = await s.failed.get(error, message, at, date, nextRetryAt, at, name);
      return r?.failures ?? 0;
    },
    /**
     * The session lock of the lease `name`, or null while another process holds it (see
     * SqlClient.sessionLock: on SQLite always granted, the lease row being the exclusion there).
     */
    sessionLock(name: string): Promise<SessionLock | null> {
      return sql.sessionLock(sessionLockKey(name));
    },
    /** Whether the session lock excludes other processes on its own (then the lease row only informs). */
    sessionLockExcludes: sql.dialect === 'postgres',
    /** Takes or renews the lease until `expiresAt`; false when another holder has a live one. */
    async acquireLease(name: string, holder: LeaseHolder, now: string, expiresAt: string): Promise<boolean> {
      return (await s.lease.get(name, holder.id, expiresAt, holder.host, holder.bootId, holder.pid, now)) !== undefined;
    },
    /** Writes the lease for `holder` whoever had it: for a holder of the session lock, which proves the last one gone. */
    async forceLease(name: string, holder: LeaseHolder, expiresAt: string): Promise<void> {
      await s.forceLease.run(name, holder.id, expiresAt, holder.host, holder.bootId, holder.pid);
    },
    /**
     * Takes the lease from `from`, a holder known to be dead, whatever its expiry; false when the row
     * changed meanwhile (another process took it first, or it was released).
     */
    async takeOverLease(name: string, from: string, holder: LeaseHolder, expiresAt: string): Promise<boolean> {
      return (await s.takeOver.get(holder.id, expiresAt, holder.host, holder.bootId, holder.pid, name, from)) !== undefined;
    },
    async releaseLease(name: string, holder: string): Promise<void> {
      await s.release.run(name, holder);
    },
    async lease(name: string): Promise<LeaseRow | null> {
      return (await s.leaseOf.get(name)) ?? null;
    },
  };
}
