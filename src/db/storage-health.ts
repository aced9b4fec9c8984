import type { SqlClient } from './sql.js';
import { systemClock, type Clock } from '../lib/clock.js';

/**
 * Whether the database can take writes, as the last commit found out. SQLite reports a full disk
 * (SQLITE_FULL), an I/O error (SQLITE_IOERR and its extended codes) or a file it may no longer
 * write (SQLITE_READONLY...) only when a write is tried, and PostgreSQL likewise (disk_full,
 * io_error, a read-only transaction on a server that became a standby), so the state follows the
 * outcome of the writes themselves: the accounting writer reports every commit, the API reports
 * every storage failure and every request after which the database had taken writes. After a
 * failure /healthz answers 503 with the reason until a commit succeeds again.
 */

/** PostgreSQL's SQLSTATEs that mean the storage, not the request, is at fault. */
const POSTGRES_STORAGE_FAILURES: ReadonlySet<string> = new Set([
  '53100', // disk_full
  '58030', // io_error
  '25006', // read_only_sql_transaction: the server is (now) a standby
]);

/**
 * The database's code for a failure: SQLite's result code (better-sqlite3's `err.code`) or
 * PostgreSQL's SQLSTATE, also under drizzle's DrizzleQueryError (`cause`).
 */
function storageCode(e: unknown): string | undefined {
  for (let cur = e, depth = 0; cur && typeof cur === 'object' && depth < 5; cur = (cur as { cause?: unknown }).cause, depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string' && (code.startsWith('SQLITE_') || POSTGRES_STORAGE_FAILURES.has(code))) return code;
  }
  return undefined;
}

/** The result codes that mean the storage, not the request, is at fault. */
export function isStorageFailure(e: unknown): boolean {
  const code = storageCode(e);
  return code !== undefined && (code === 'SQLITE_FULL' || code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_READONLY') || POSTGRES_STORAGE_FAILURES.has(code));
}

/** Connection-level failures of the operating system (node's error codes). */
const NETWORK_FAILURES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
/** node-postgres's own words for a connection lost or never made (it gives them no code). */
const POSTGRES_CONNECTION_MESSAGES = /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error)/;

/**
 * The database cannot be reached now: PostgreSQL down, restarting or failing over to its standby
 * (connection refused or cut, SQLSTATE class 08, 57P01-57P03 administrator or crash shutdown,
 * cannot connect now). Not the request's fault and usually over in seconds: the API answers 503
 * with Retry-After rather than 500, and the pool connects again by itself.
 */
export function isDatabaseUnreachable(e: unknown): boolean {
  for (let cur = e, depth = 0; cur && typeof cur === 'object' && depth < 5; cur = (cur as { cause?: unknown }).cause, depth++) {
    const { code, message } = cur as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && (NETWORK_FAILURES.has(code) || /^08...$/.test(code) || /^57P0[123]$/.test(code))) return true;
    if (typeof message === 'string' && code === undefined && POSTGRES_CONNECTION_MESSAGES.test(message)) return true;
  }
  return false;
}

/**
 * What tells that writes went through since the last look: SQLite's count of rows this connection
 * changed; on PostgreSQL the next transaction id the server will assign, which moves whenever a
 * transaction of any node (or any database of the server) writes. The failures watched for are the
 * server's (its disk, its I/O, its being a standby), so another's write going through shows the
 * storage takes writes again as well as ours would.
 */
const WRITES_PROBE = {
  sqlite: 'select total_changes() as "n"',
  postgres: 'select cast(pg_snapshot_xmax(pg_current_snapshot()) as text) as "n"',
} as const;

export interface StorageFailure {
  /** What failed and SQLite's words for it. */
  reason: string;
  /** ISO instant of the first failure since the last successful commit. */
  since: string;
}

export class StorageHealth {
  private failure: StorageFailure | undefined;
  private readonly writes: (() => Promise<unknown>) | undefined;
  /** The probe's answer when the last failure was seen (a promise while it is being read). */
  private seenWrites: Promise<unknown> | undefined;

  /** `sql`: the API's database, whose commits `observeCommits()` notices. */
  constructor(sql?: SqlClient, private readonly clock: Clock = systemClock) {
    if (sql) {
      const probe = sql.prepare<{ n: unknown }>(WRITES_PROBE[sql.dialect]);
      this.writes = async () => (await probe.get())?.n;
    }
  }

  /** A commit succeeded: the storage takes writes again. */
  committed(): void {
    this.failure = undefined;
  }

  /**
   * A commit failed (`what` says whose); the first failure's instant is kept until a commit succeeds.
   * Resolves once the probe's reading at the failure is taken (callers need not wait for it).
   */
  failed(what: string, e: unknown): Promise<void> {
    const code = storageCode(e);
    const cause = (e as { cause?: unknown } | null)?.cause;
    const message = cause instanceof Error ? cause.message : e instanceof Error ? e.message : String(e);
    const reason = `${what}: ${message}${code ? ` (${code})` : ''}`;
    this.failure = { reason, since: this.failure?.since ?? this.clock.now().toISOString() };
    // Rows a failed transaction changed before it rolled back are not a commit observeCommits() may
    // see: the probe is read now (on SQLite synchronously, inside this call), and compared later.
    if (!this.writes) return Promise.resolve();
    const seen = this.writes().catch(() => undefined);
    this.seenWrites = seen;
    return seen.then(() => undefined);
  }

  /**
   * After a request that succeeded, while a failure stands: if writes went through since the
   * failure, a commit did (a failed commit rolls back, and its request fails). Healthy, it reads
   * nothing: there is nothing to recover from.
   */
  async observeCommits(): Promise<void> {
    if (!this.writes || !this.failure || !this.seenWrites) return;
    const seen = await this.seenWrites;
    const now = await this.writes().catch(() => seen);
    if (now !== seen) {
      this.seenWrites = Promise.resolve(now);
      this.committed();
    }
  }

  /** undefined while the storage takes writes. */
  get problem(): StorageFailure | undefined {
    return this.failure;
  }
}
