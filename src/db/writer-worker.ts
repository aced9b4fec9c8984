/**
 * The accounting writer thread (see writer-thread.ts): its own SQLite connection, committing what
 * the RADIUS event loop hands it. Accounting records are never held back behind auth-log rows: each
 * transaction takes every queued accounting record and at most AUTH_CHUNK auth-log rows. Auth-log
 * rows alone wait until AUTH_MIN_ROWS have gathered or the oldest is AUTH_MAX_DELAY_MS old: each of
 * them changes a page at a random place in the auth log's username and service indexes, and a page
 * changed by many rows of one transaction is written (and fsynced) once instead of once per row.
 */
import { availableParallelism } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from './client.js';
import { AccountingWriter, AUTH_LOG_STRIDE, type AcctRecord, type AuthLogRows } from './radius.js';
import { AUTH_LOG_INDEX_CHUNK, authLogIndexer } from './auth-log-index.js';
import { unpackAcct, type FromWriter, type ToWriter, type WriterThreadOptions } from './writer-thread.js';

const AUTH_CHUNK = 5000;
const AUTH_MIN_ROWS = 2000;
const AUTH_MAX_DELAY_MS = 200;
const opts = workerData as WriterThreadOptions;
const port = parentPort!;
const db = openDatabase({ path: opts.path, synchronous: opts.synchronous });
// Room for the auth log's index pages: its username and service indexes take inserts at random
// places, and a page that is already in the cache is not read back before it is changed.
db.$client.pragma('cache_size = -65536');
// When this thread and the RADIUS event loop have one CPU between them (a one-vCPU machine, or a
// process pinned to one core), a commit or an index batch would hold the event loop for as long as
// it runs: the scheduler lets a thread run for a few milliseconds once it has the core, and every
// request in flight waits that long (a commit of 2,000 auth-log rows takes 4 to 5 ms). So the long
// work goes in pieces of under a millisecond, with a 1 ms sleep between two pieces in which the
// event loop answers what has come in. With more CPUs the scheduler runs the two side by side, and
// sleeping would only delay the commit.
const PAUSE_MS = 1;
const sleeper = new Int32Array(new SharedArrayBuffer(4));
const pause = availableParallelism() === 1 ? () => void Atomics.wait(sleeper, 0, 0, PAUSE_MS) : undefined;
const writer = new AccountingWriter(db, undefined, { index: false, pause });

// The auth log's per-subscriber indexes are filled in sorted batches (see auth-log-index.ts) of at
// most AUTH_LOG_INDEX_CHUNK rows, a few milliseconds each: this thread shares the RADIUS core, and a
// long batch would hold the event loop at half speed for as long (batches of 100,000 rows every
// 10 s did, for half a second at a time). Behind by more than a batch, the next one follows in the
// next turn, after any accounting commit that is waiting.
// The batches commit with synchronous = NORMAL: they are derived data (a batch lost to a power cut
// is redone from the log), and the next accounting commit syncs the WAL they are in anyway.
const INDEX_EVERY_MS = 100;
const indexer = authLogIndexer(db.$client);
const synchronous = opts.synchronous.toUpperCase();
let indexing = false;
function indexSome(): void {
  let more = false;
  try {
    db.$client.pragma('synchronous = NORMAL');
    more = indexer.run(AUTH_LOG_INDEX_CHUNK, { pause }) === AUTH_LOG_INDEX_CHUNK;
  } catch {
    // SQLITE_BUSY from a migration or a backup: the next tick catches up.
  } finally {
    db.$client.pragma(`synchronous = ${synchronous}`);
  }
  if (more) setImmediate(indexSome);
  else indexing = false;
}
const indexTimer = setInterval(() => {
  if (indexing) return;
  indexing = true;
  indexSome();
}, INDEX_EVERY_MS);

let acct: { seq: number; recs: AcctRecord[] }[] = [];
let auth: AuthLogRows = [];
let scheduled = false;
let authSince = 0;
let authTimer: NodeJS.Timeout | undefined;

const send = (m: FromWriter) => port.postMessage(m);

function commitOnce(): void {
  const batches = acct;
  acct = [];
  const rows = auth.length > AUTH_CHUNK * AUTH_LOG_STRIDE ? auth.splice(0, AUTH_CHUNK * AUTH_LOG_STRIDE) : auth;
  if (rows === auth) auth = [];
  const seqs = batches.map((b) => b.seq);
  const records = batches.length === 1 ? batches[0]!.recs : batches.flatMap((b) => b.recs);
  try {
    const changes = writer.commit(records, rows);
    send({ t: 'done', seqs, changes, authRows: rows.length / AUTH_LOG_STRIDE, usage: writer.takeUsage() });
  } catch (e) {
    // SQLite's result code goes along (SQLITE_FULL, SQLITE_IOERR_...): storage health reads it.
    const code = (e as { code?: unknown }).code;
    send({ t: 'done', seqs, changes: [], authRows: 0, error: (e as Error).message, ...(typeof code === 'string' ? { code } : {}) });
  }
}

function run(): void {
  scheduled = false;
  if (acct.length === 0) {
    if (auth.length === 0) return;
    const age = performance.now() - authSince;
    if (auth.length < AUTH_MIN_ROWS * AUTH_LOG_STRIDE && age < AUTH_MAX_DELAY_MS) {
      authTimer ??= setTimeout(() => {
        authTimer = undefined;
        schedule();
      }, AUTH_MAX_DELAY_MS - age);
      return;
    }
  }
  commitOnce();
  // Let the messages that came in during the commit join the next one.
  if (acct.length > 0 || auth.length > 0) schedule();
}

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  setImmediate(run);
}

port.on('message', (m: ToWriter) => {
  switch (m.t) {
    case 'batch':
      if (m.acct.length > 0) acct.push({ seq: m.seq, recs: unpackAcct(m.acct) });
      if (auth.length === 0 && m.auth.length > 0) authSince = performance.now();
      // One copy per message (spread into push would hit the argument limit on a large batch).
      if (auth.length === 0) auth = m.auth;
      else for (let i = 0; i < m.auth.length; i++) auth.push(m.auth[i]!);
      schedule();
      break;
    case 'stale':
      try {
        send({ t: 'stale', seq: m.seq, ids: writer.closeStaleIds(new Date(m.now), m.interval, m.missed) });
      } catch (e) {
        send({ t: 'stale', seq: m.seq, ids: [], error: (e as Error).message });
      }
      break;
    case 'sync':
      // A reader waits: commit everything now, whatever its size.
      while (acct.length > 0 || auth.length > 0) commitOnce();
      send({ t: 'synced', seq: m.seq });
      break;
    case 'close':
      clearTimeout(authTimer);
      clearInterval(indexTimer);
      while (acct.length > 0 || auth.length > 0) commitOnce();
      db.$client.close();
      send({ t: 'closed' });
      port.close();
      break;
  }
});
