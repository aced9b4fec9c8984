import type { Db } from './client.js';
import { systemClock, type Clock } from '../lib/clock.js';

/**
 * Whether the database can take writes, as the last commit found out. SQLite reports a full disk
 * (SQLITE_FULL), an I/O error (SQLITE_IOERR and its extended codes) or a file it may no longer
 * write (SQLITE_READONLY...) only when a write is tried, so the state follows the outcome of the
 * writes themselves: the accounting writer reports every commit, the API reports every storage
 * failure and every request after which its connection had committed rows. After a failure
 * /healthz answers 503 with the reason until a commit succeeds again.
 */

/** SQLite's result code (better-sqlite3's `err.code`), also under drizzle's DrizzleQueryError (`cause`). */
function sqliteCode(e: unknown): string | undefined {
  for (let cur = e, depth = 0; cur && typeof cur === 'object' && depth < 5; cur = (cur as { cause?: unknown }).cause, depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('SQLITE_')) return code;
  }
  return undefined;
}

/** The SQLite result codes that mean the storage, not the request, is at fault. */
export function isStorageFailure(e: unknown): boolean {
  const code = sqliteCode(e);
  return code !== undefined && (code === 'SQLITE_FULL' || code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_READONLY'));
}

export interface StorageFailure {
  /** What failed and SQLite's words for it. */
  reason: string;
  /** ISO instant of the first failure since the last successful commit. */
  since: string;
}

export class StorageHealth {
  private failure: StorageFailure | undefined;
  private readonly totalChanges: (() => number) | undefined;
  private seenChanges = 0;

  /** `db`: the API's connection, whose commits `observeCommits()` notices. */
  constructor(db?: Db, private readonly clock: Clock = systemClock) {
    if (db) {
      const stmt = db.$client.prepare('select total_changes()').pluck();
      this.totalChanges = () => stmt.get() as number;
      this.seenChanges = this.totalChanges();
    }
  }

  /** A commit succeeded: the storage takes writes again. */
  committed(): void {
    this.failure = undefined;
  }

  /** A commit failed (`what` says whose); the first failure's instant is kept until a commit succeeds. */
  failed(what: string, e: unknown): void {
    const code = sqliteCode(e);
    const cause = (e as { cause?: unknown } | null)?.cause;
    const message = cause instanceof Error ? cause.message : e instanceof Error ? e.message : String(e);
    const reason = `${what}: ${message}${code ? ` (${code})` : ''}`;
    this.failure = { reason, since: this.failure?.since ?? this.clock.now().toISOString() };
    // Rows a failed transaction changed before it rolled back are not a commit observeCommits() may see.
    if (this.totalChanges) this.seenChanges = this.totalChanges();
  }

  /**
   * After a request that succeeded: if the connection changed rows since the last look, a commit
   * went through (a failed commit rolls back, and its request fails).
   */
  observeCommits(): void {
    if (!this.totalChanges) return;
    const n = this.totalChanges();
    if (n !== this.seenChanges) {
      this.seenChanges = n;
      this.committed();
    }
  }

  /** undefined while the storage takes writes. */
  get problem(): StorageFailure | undefined {
    return this.failure;
  }
}
