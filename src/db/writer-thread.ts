import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { sqlOf, type Db } from './client.js';
import type { StorageHealth } from './storage-health.js';
import {
  AccountingWriter,
  OpenSessionIndex,
  setWriteBarrier,
  type AcctRecord,
  type AcctWriter,
  type AuthLogRecord,
  type AuthLogRows,
  AUTH_LOG_STRIDE,
  pushAuthLog,
  type OpenSession,
  type SessionChange,
  type UsageDelta,
} from './radius.js';

/**
 * Accounting records go to the writer thread packed flat, one value per key of ACCT_KEYS in that
 * order, for the reason auth-log rows do (see AuthLogRows): a structured clone of objects also copies
 * every key name of every record.
 */
const ACCT_KEYS = [
  'kind', 'nasId', 'acctSessionId', 'username', 'at', 'day', 'nasIpAddress', 'nasPort', 'framedIpAddress', 'callingStationId',
  'calledStationId', 'sessionTime', 'inputOctets', 'outputOctets', 'terminateCause', 'interimInterval', 'serviceId',
] as const satisfies readonly (keyof AcctRecord)[];
export type AcctRows = (string | number | null | undefined)[];

function packAcct(out: AcctRows, r: AcctRecord): void {
  for (const k of ACCT_KEYS) out.push(r[k]);
}

export function unpackAcct(rows: AcctRows): AcctRecord[] {
  const out: AcctRecord[] = [];
  for (let i = 0; i < rows.length; i += ACCT_KEYS.length) {
    const r: Record<string, unknown> = {};
    for (let j = 0; j < ACCT_KEYS.length; j++) r[ACCT_KEYS[j]!] = rows[i + j];
    out.push(r as unknown as AcctRecord);
  }
  return out;
}

/** Messages to the writer thread (writer-worker.ts). */
export type ToWriter =
  | { t: 'batch'; seq: number; acct: AcctRows; auth: AuthLogRows }
  | { t: 'stale'; seq: number; now: string; interval: number; missed: number }
  | { t: 'sync'; seq: number }
  | { t: 'close' };

/** Messages from the writer thread. */
export type FromWriter =
  | { t: 'done'; seqs: number[]; changes: SessionChange[]; authRows: number; error?: string; code?: string; usage?: UsageDelta[] }
  | { t: 'stale'; seq: number; ids: number[]; error?: string }
  | { t: 'synced'; seq: number }
  | { t: 'closed' };

export interface WriterThreadOptions {
  /** The database file; the thread opens its own connection to it. */
  path: string;
  synchronous: 'normal' | 'full';
}

const WORKER = new URL('./writer-worker.js', import.meta.url);
const AUTH_POST_MS = 50;
const AUTH_POST_ROWS = 1000;

interface Waiting {
  rec: AcctRecord;
  resolve: () => void;
  reject: (e: unknown) => void;
}

/**
 * The accounting writer with its commits in a worker thread. The event loop that answers RADIUS
 * never waits for SQLite to write or fsync: it hands each turn's accounting records and auth-log
 * rows to the thread and goes on answering Access-Requests, and an Accounting-Response goes out when
 * the thread reports the commit (so acknowledged still means durable). While one commit runs, the
 * next batch builds up, so batches grow with load (group commit that adapts by itself), and the
 * auth log's index maintenance, the dearest write per Access-Request, happens off the event loop.
 * SQLite WAL lets this thread's connection read while the writer thread writes.
 */
export class ThreadedAccountingWriter implements AcctWriter {
  private worker!: Worker;
  private acct: Waiting[] = [];
  private auth: AuthLogRows = [];
  private readonly inflight = new Map<number, Waiting[]>();
  private inflightRecords = 0;
  private readonly staleWaits = new Map<number, { resolve: (n: number) => void; reject: (e: unknown) => void }>();
  private readonly syncWaits = new Map<number, () => void>();
  private seq = 0;
  private scheduled = false;
  private authTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private closedWait: Promise<void> | undefined;
  private onClosed: (() => void) | undefined;
  private sessions: OpenSessionIndex;
  readonly stats = { batches: 0, records: 0, authRows: 0, failures: 0 };
  constructor(
    private readonly db: Db,
    private readonly opts: WriterThreadOptions,
    private readonly onError: (e: unknown) => void = () => {},
    private readonly onUsage: (usage: readonly UsageDelta[]) => void = () => {},
    private readonly onCommit: () => void = () => {},
  ) {
    this.sessions = OpenSessionIndex.loadSqlite(db);
    this.spawn();
    setWriteBarrier(sqlOf(db), () => this.sync());
  }

  /** Resolves once everything handed over so far is committed (or failed): the API's read barrier. */
  sync(): Promise<void> {
    if (this.closedWait) return this.closedWait;
    this.post();
    const seq = ++this.seq;
    return new Promise((resolve) => {
      this.syncWaits.set(seq, resolve);
      this.worker.postMessage({ t: 'sync', seq } satisfies ToWriter);
    });
  }

  private spawn(): void {
    const w = new Worker(WORKER, { workerData: this.opts, name: 'tollgate-db-writer' });
    // The thread must never keep the process alive on its own: close() is what ends it cleanly.
    w.unref();
    w.on('message', (m: FromWriter) => this.onMessage(m));
    w.on('error', (e) => this.onError(e));
    w.on('exit', () => {
      if (this.worker !== w) return;
      if (this.onClosed) return this.onClosed();
      // The thread died: what it had not reported is unacknowledged (the NAS retransmits), and
      // the index is rebuilt because a commit may have happened without its report.
      const err = new Error('the accounting writer thread exited');
      this.failInflight(err);
      this.onError(err);
      this.sessions = OpenSessionIndex.loadSqlite(this.db);
      if (!this.closed) this.spawn();
    });
    this.worker = w;
  }

  private failInflight(err: Error): void {
    for (const batch of this.inflight.values()) for (const b of batch) b.reject(err);
    this.inflight.clear();
    this.inflightRecords = 0;
    for (const s of this.staleWaits.values()) s.reject(err);
    this.staleWaits.clear();
    for (const s of this.syncWaits.values()) s();
    this.syncWaits.clear();
  }

  accounting(rec: AcctRecord): Promise<void> {
    if (this.closed) return Promise.reject(new Error('accounting writer is closed'));
    return new Promise((resolve, reject) => {
      this.acct.push({ rec, resolve, reject });
      this.schedule();
    });
  }

  authLog(rec: AuthLogRecord): void {
    if (this.closed) return;
    pushAuthLog(this.auth, rec);
    // Nobody waits for auth-log rows: they go over with the next accounting batch, or every
    // AUTH_POST_MS, so that Access-Requests alone do not wake the writer thread (a context switch
    // on the same core) on every event-loop turn. The read barrier (sync) sends them at once.
    if (this.auth.length >= AUTH_POST_ROWS * AUTH_LOG_STRIDE) this.schedule();
    else this.authTimer ??= setTimeout(() => {
      this.authTimer = undefined;
      this.schedule();
    }, AUTH_POST_MS);
  }

  openSessions(serviceId: number): readonly OpenSession[] {
    return this.sessions.of(serviceId);
  }

  closeStale(now: Date, interval: number, missed: number): Promise<number> {
    if (this.closed) return Promise.resolve(0);
    const seq = ++this.seq;
    return new Promise((resolve, reject) => {
      this.staleWaits.set(seq, { resolve, reject });
      this.worker.postMessage({ t: 'stale', seq, now: now.toISOString(), interval, missed } satisfies ToWriter);
    });
  }

  get pending(): number {
    return this.acct.length + this.auth.length / AUTH_LOG_STRIDE + this.inflightRecords;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // After the poll phase has handed us every waiting datagram: one message per event-loop turn.
    setImmediate(() => this.post());
  }

  private post(): void {
    this.scheduled = false;
    if (this.authTimer !== undefined) {
      clearTimeout(this.authTimer);
      this.authTimer = undefined;
    }
    if (this.acct.length === 0 && this.auth.length === 0) return;
    const seq = ++this.seq;
    const acct = this.acct;
    if (acct.length > 0) {
      this.inflight.set(seq, acct);
      this.inflightRecords += acct.length;
    }
    const rows: AcctRows = [];
    for (const w of acct) packAcct(rows, w.rec);
    this.worker.postMessage({ t: 'batch', seq, acct: rows, auth: this.auth } satisfies ToWriter);
    this.acct = [];
    this.auth = [];
  }

  private onMessage(m: FromWriter): void {
    if (m.t === 'done') {
      const err = m.error === undefined ? undefined : Object.assign(new Error(m.error), m.code === undefined ? {} : { code: m.code });
      if (err) {
        this.stats.failures++;
        this.onError(err);
      } else {
        this.onCommit();
        this.sessions.apply(m.changes);
        this.stats.batches++;
        this.stats.authRows += m.authRows;
      }
      for (const seq of m.seqs) {
        const batch = this.inflight.get(seq);
        if (!batch) continue;
        this.inflight.delete(seq);
        this.inflightRecords -= batch.length;
        if (!err) this.stats.records += batch.length;
        for (const b of batch) {
          if (err) b.reject(err);
          else b.resolve();
        }
      }
      // After the Accounting-Responses are released: data-cap checks never delay an answer.
      if (!err && m.usage && m.usage.length > 0) this.onUsage(m.usage);
    } else if (m.t === 'stale') {
      const w = this.staleWaits.get(m.seq);
      this.staleWaits.delete(m.seq);
      if (m.error !== undefined) return w?.reject(new Error(m.error));
      this.sessions.apply(m.ids.map((id) => ({ op: 'close', id })));
      w?.resolve(m.ids.length);
    } else if (m.t === 'synced') {
      this.syncWaits.get(m.seq)?.();
      this.syncWaits.delete(m.seq);
    } else if (m.t === 'closed') {
      this.onClosed?.();
    }
  }

  /** Commits what is queued, waits for the thread to finish and close its connection. */
  close(): Promise<void> {
    if (this.closedWait) return this.closedWait;
    this.post();
    this.closed = true;
    setWriteBarrier(sqlOf(this.db), undefined);
    this.closedWait = new Promise<void>((resolve) => {
      let done = false;
      this.onClosed = () => {
        if (done) return;
        done = true;
        void this.worker.terminate().then(() => resolve());
      };
      this.worker.postMessage({ t: 'close' } satisfies ToWriter);
    });
    return this.closedWait;
  }
}

/**
 * The writer for a server: in a worker thread for a database file (the daemon), in this thread for
 * an in-memory database or where the compiled thread entry is not there (tests run the TypeScript
 * sources directly).
 */
export interface AccountingWriterOptions {
  onError?: (e: unknown) => void;
  onUsage?: (usage: readonly UsageDelta[]) => void;
  /** Told of every commit's outcome: a failed one makes /healthz answer 503 until one succeeds. */
  storage?: StorageHealth;
}

export function createAccountingWriter(db: Db, opts: AccountingWriterOptions = {}): AcctWriter {
  const c = db.$client;
  const { storage } = opts;
  const onError = (e: unknown) => {
    storage?.failed('accounting commit', e);
    opts.onError?.(e);
  };
  const onCommit = () => storage?.committed();
  if (c.memory || !c.name || !existsSync(fileURLToPath(WORKER))) {
    return new AccountingWriter(db, onError, { onCommit, ...(opts.onUsage ? { onUsage: opts.onUsage } : {}) });
  }
  const level = c.pragma('synchronous', { simple: true }) as number;
  return new ThreadedAccountingWriter(db, { path: c.name, synchronous: level === 2 || level === 3 ? 'full' : 'normal' }, onError, opts.onUsage, onCommit);
}
