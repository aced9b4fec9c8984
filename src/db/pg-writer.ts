/**
 * The accounting writer on PostgreSQL: the AcctWriter contract of the SQLite one (radius.ts), with
 * its commits as round trips instead of a worker thread.
 *
 * - Group commit, pipelined. Records wait at most BATCH_MS for others, then commit together;
 *   while it commits, the next batch gathers and may commit beside it, up to IN_FLIGHT batches on
 *   their own connections (PostgreSQL merges their WAL flushes), so a commit's flush is not the
 *   ceiling of the throughput. A session's records are never in two batches at once: a record whose
 *   session is in a batch still committing waits for the next one, so a Stop is never committed
 *   before the Interim sent ahead of it. Accounting-On/Off, which close every session of a NAS,
 *   commit alone.
 * - Acknowledged means durable. `accounting()` resolves only after COMMIT returned on a connection
 *   with synchronous_commit = on (openPostgres sets it), so the Accounting-Response leaves only for
 *   a record that survives a crash; a failed commit rejects every record of the batch and the NAS,
 *   unanswered, retransmits.
 * - One statement per batch, whatever its size, and no transaction around it. The statement takes
 *   the batch as one JSON parameter (one prepared statement for any number of records) and, in
 *   data-modifying CTEs, updates the open sessions on the unique session key (nas_id,
 *   acct_session_id), inserts the sessions not there yet (ON CONFLICT DO NOTHING), and adds the
 *   day's usage per service; PostgreSQL commits it as its own transaction, so the batch costs one
 *   round trip instead of six (BEGIN, a service lookup, UPDATE, INSERT, usage, COMMIT). Usage deltas
 *   are the counters' growth over what was stored, so a retransmission adds nothing; a closed
 *   session ignores late records, as on SQLite. That is also why a record that met another node's
 *   write of its session may go again in a statement of its own: were that one to fail, the NAS
 *   retransmits the unanswered batch, and what the first statement wrote counts nothing twice.
 * - Order within a batch. PostgreSQL changes a row once per statement, so a session with several
 *   records in one batch (a Start, an Interim and a Stop a NAS sent together) has them written in
 *   rounds, the first of each session's records in the first round and so on, which applies them
 *   in order. Accounting-On/Off, which close every open session of a NAS, split the batch where
 *   they stand. A batch of more than one statement runs them in one transaction.
 * - Not behind the billing run: the transaction does not take the shared write lock
 *   (`serialized: false`); each statement is atomic on its own and takes row locks in id order.
 *   Another node writing the same new session at the same moment makes this one's INSERT skip
 *   it; the statement then runs again for that record.
 * - The auth log rides along in the same transactions (nobody waits for it), or alone every
 *   AUTH_DELAY_MS.
 *
 * The SQL here is PostgreSQL's (json_to_recordset, `::json`, greatest): this writer exists only for
 * that backend.
 */
import { systemClock, type Clock } from '../lib/clock.js';
import { authLogIndexerSql } from './auth-log-index.js';
import {
  AUTH_LOG_STRIDE,
  OPEN_SESSIONS_SQL,
  OpenSessionIndex,
  pushAuthLog,
  setWriteBarrier,
  staleSessionsSql,
  type AcctRecord,
  type AcctWriter,
  type AuthLogRecord,
  type AuthLogRows,
  type OpenRow,
  type OpenSession,
  type SessionChange,
  type UsageDelta,
} from './radius.js';
import type { SqlClient, Statement } from './sql.js';
import type { StorageHealth } from './storage-health.js';

/** How long the first record of a batch waits for others. */
const BATCH_MS = 2;
/**
 * Batches committing at once, each on its own pooled connection. Two: one runs its statement while
 * the other waits for its WAL flush, and whatever comes in meanwhile makes the next batches larger,
 * which is where the throughput comes from (a batch's fixed cost, its round trip, plan start and
 * commit, is spread over more records). Four made smaller batches and more backends contending for
 * the same cores: 9 % fewer durable records a second, in three pairs of runs (bench/README.md).
 */
const IN_FLIGHT = 2;
/** How long auth-log rows wait for an accounting batch to ride along with. */
const AUTH_DELAY_MS = 50;
/** Auth-log rows per transaction at most: a login storm's log is written in pieces. */
const AUTH_CHUNK = 5000;
/** Sessions inserted before the first statistics refresh (a new or newly copied database). */
const ANALYZE_FIRST = 1000;
/** How often the auth log's per-subscriber indexes catch up, and with how many rows at most per batch. */
const INDEX_EVERY_MS = 1000;
const INDEX_CHUNK = 20_000;
/** Rows younger than this are left to the next round (see authLogIndexerSql). */
const INDEX_SETTLE_MS = 10_000;

export interface PgAccountingWriterOptions {
  onError?: (e: unknown) => void;
  /** Called after each commit (and after its Accounting-Responses are released) with the traffic it added. */
  onUsage?: (usage: readonly UsageDelta[]) => void;
  /** Told of every commit's outcome: a failed one makes /healthz answer 503 until one succeeds. */
  storage?: StorageHealth;
  /** Milliseconds a batch gathers for (default 2). */
  batchMs?: number;
  /** The clock the auth log's instants come from (the indexer leaves rows younger than 10 s of it). */
  clock?: Clock;
  /**
   * Called after each commit with the services whose open sessions it changed: the other nodes
   * sharing the database refresh theirs (src/db/pg-changes.ts), so a simultaneous-use limit holds
   * whichever node a subscriber's accounting goes to.
   */
  onSessions?: (serviceIds: readonly number[]) => void;
}

interface Waiting {
  rec: AcctRecord;
  /** sessionKey(rec), made once: the batching reads it several times per record. */
  key: string;
  resolve: () => void;
  reject: (e: unknown) => void;
}

/** A session record as the statements read it from their JSON parameter. */
interface SessionInput {
  i: number;
  nas_id: number;
  acct_session_id: string;
  service_id: number | null;
  username: string;
  nas_ip_address: string | null;
  nas_port: string | null;
  framed_ip_address: string | null;
  calling_station_id: string | null;
  called_station_id: string | null;
  started_at: string;
  at: string;
  stopped_at: string | null;
  session_time: number | null;
  input_octets: number | null;
  output_octets: number | null;
  interim_interval: number | null;
  terminate_cause: string | null;
  day: string;
  /** The record does not say its service: the statement finds it by username. */
  lookup: boolean;
}

const INPUT_COLUMNS = `i int, nas_id bigint, acct_session_id text, service_id bigint, username text, nas_ip_address text, nas_port text,
  framed_ip_address text, calling_station_id text, called_station_id text, started_at text, at text, stopped_at text, session_time bigint,
  input_octets bigint, output_octets bigint, interim_interval integer, terminate_cause text, day text, lookup boolean`;

/** A record's fate in its round: its session updated (u), inserted (n) or already closed (c). */
interface Applied {
  kind: 'u' | 'n' | 'c';
  i: number;
  id: number;
  serviceId: number | null;
  oldIn: number;
  oldOut: number;
}

/** What a batch's statements did: the open-session changes, the traffic, and the services whose open sessions changed. */
interface Written {
  changes: SessionChange[];
  usage: UsageDelta[];
  services: Set<number>;
  /** Sessions inserted (statistics: see analyzeSessions). */
  inserted: number;
}

/** A batch's statements in order: rounds of session records, and Accounting-On/Off between them. */
type Step = { round: AcctRecord[] } | { nasWide: AcctRecord };

export class PgAccountingWriter implements AcctWriter {
  private queue: Waiting[] = [];
  private auth: AuthLogRows = [];
  private timer: NodeJS.Timeout | undefined;
  private due = Infinity;
  /** Batches committing now, and the sessions (`nasId acctSessionId`) they hold. */
  private readonly inFlight = new Set<Promise<void>>();
  private readonly busy = new Set<string>();
  /** A batch with an Accounting-On/Off is committing: it runs alone. */
  private exclusive = false;
  private closed = false;
  private indexing: Promise<void> | undefined;
  private readonly indexTimer: NodeJS.Timeout;
  private readonly indexer: ReturnType<typeof authLogIndexerSql>;
  private readonly clock: Clock;
  private readonly batchMs: number;
  private readonly onError: (e: unknown) => void;
  private readonly onUsage: (usage: readonly UsageDelta[]) => void;
  private readonly onCommit: () => void;
  private readonly onSessions: (serviceIds: readonly number[]) => void;
  /** Refreshes reading the database now: the services a local commit changed meanwhile (their read may be older). */
  private readonly refreshing = new Set<Set<number>>();
  /** Sessions this writer inserted since radius_sessions' statistics were last refreshed, and what they counted then. */
  private insertedSinceAnalyze = 0;
  private analyzedRows = 0;
  private analyzing: Promise<void> | undefined;
  private readonly q: {
    apply: Statement<Applied>;
    closeNas: Statement<{ id: number; serviceId: number | null }>;
    openOf: Statement<OpenRow>;
    analyze: Statement;
    estimate: Statement<{ rows: number }>;
    openAll: Statement<OpenRow>;
    authLog: Statement;
    stale: Statement<{ id: number }>;
  };
  readonly stats = { batches: 0, records: 0, authRows: 0, failures: 0 };

  constructor(
    private readonly sql: SqlClient,
    private readonly sessions: OpenSessionIndex,
    opts: PgAccountingWriterOptions = {},
  ) {
    if (sql.dialect !== 'postgres') throw new Error('PgAccountingWriter writes to PostgreSQL; SQLite has AccountingWriter');
    const { storage } = opts;
    this.batchMs = opts.batchMs ?? BATCH_MS;
    this.onError = (e) => {
      storage?.failed('accounting commit', e);
      opts.onError?.(e);
    };
    this.onUsage = opts.onUsage ?? (() => {});
    this.onCommit = () => storage?.committed();
    this.onSessions = opts.onSessions ?? (() => {});
    this.q = {
      // One statement per round. Each record's session is looked up once, on the session key (k: a
      // lateral lookup per record; a join, or a plain `stopped_at is null` here, lets the planner
      // scan the index of every open session when its statistics are stale, as after a start on a
      // new database), and what that finds decides the rest: the open ones are locked in id order
      // and re-checked on their latest version (o: the coalesce is that test in a form no index
      // answers, for a row another node has just changed), giving their counters as they were, and
      // move forward (u); the sessions not there at all are inserted (n), their service found by
      // username when the record does not say; the closed ones are reported (c: ignored, as on
      // SQLite). The day's usage grows by what u and n added (g). A record in none of u, n and c met
      // another node's write of its session, made after this statement's snapshot: it goes again.
      // One lookup per record instead of one per branch: each costs an index descent, about a
      // fifth of the statement's buffer accesses. The update finds the row it locked by its ctid
      // (no second descent of the primary key; locked, the row cannot move before the update) and
      // joins the record through o, which carries it (o scanned once, not once per record). A ctid
      // newer than the statement's snapshot (another node's write, locked after it) finds nothing:
      // that record goes again, like any other that met such a write.
      apply: sql.prepare(`with x as (select * from json_to_recordset(?::json) as x(${INPUT_COLUMNS})),
        k as (select x.i, k.id, k.service_id, k.stopped_at from x cross join lateral
            (select id, service_id, stopped_at from radius_sessions r where r.nas_id = x.nas_id and r.acct_session_id = x.acct_session_id) k),
        o as (select k.i, r.id, r.ctid, r.input_octets, r.output_octets from k join radius_sessions r on r.id = k.id
          where k.stopped_at is null and coalesce(r.stopped_at, '') = '' order by r.id for update of r),
        u as (update radius_sessions s set updated_at = x.at, session_time = coalesce(x.session_time, s.session_time),
            input_octets = greatest(s.input_octets, coalesce(x.input_octets, 0)), output_octets = greatest(s.output_octets, coalesce(x.output_octets, 0)),
            framed_ip_address = coalesce(x.framed_ip_address, s.framed_ip_address), interim_interval = coalesce(x.interim_interval, s.interim_interval),
            stopped_at = x.stopped_at, terminate_cause = coalesce(x.terminate_cause, s.terminate_cause)
          from o join x on x.i = o.i where s.ctid = o.ctid
          returning x.i, s.id, s.service_id, o.input_octets as old_in, o.output_octets as old_out),
        n as (insert into radius_sessions (nas_id, acct_session_id, service_id, username, nas_ip_address, nas_port,
            framed_ip_address, calling_station_id, called_station_id, started_at, updated_at, stopped_at, session_time,
            input_octets, output_octets, interim_interval, terminate_cause)
          select x.nas_id, x.acct_session_id, case when x.lookup then (select v.id from services v where v.username = x.username) else x.service_id end,
            x.username, x.nas_ip_address, x.nas_port, x.framed_ip_address, x.calling_station_id, x.called_station_id, x.started_at, x.at, x.stopped_at,
            coalesce(x.session_time, 0), coalesce(x.input_octets, 0), coalesce(x.output_octets, 0), x.interim_interval, x.terminate_cause
          from x where not exists (select 1 from k where k.i = x.i)
          order by x.i
          on conflict (nas_id, acct_session_id) do nothing
          returning id, nas_id, acct_session_id, service_id, input_octets, output_octets),
        t as (select u.service_id, x.day, greatest(coalesce(x.input_octets, 0) - u.old_in, 0) as di, greatest(coalesce(x.output_octets, 0) - u.old_out, 0) as dout
            from u join x on x.i = u.i
          union all select n.service_id, x.day, n.input_octets, n.output_octets from n join x on x.nas_id = n.nas_id and x.acct_session_id = n.acct_session_id),
        g as (insert into usage_daily (service_id, day, input_octets, output_octets)
          select service_id, day, sum(di), sum(dout) from t where service_id is not null group by service_id, day having sum(di) + sum(dout) > 0
          order by service_id, day
          on conflict (service_id, day) do update set input_octets = usage_daily.input_octets + excluded.input_octets,
            output_octets = usage_daily.output_octets + excluded.output_octets)
        select 'u' as kind, i, id, service_id as "serviceId", old_in as "oldIn", old_out as "oldOut" from u
        union all select 'n', x.i, n.id, n.service_id, 0, 0 from n join x on x.nas_id = n.nas_id and x.acct_session_id = n.acct_session_id
        union all select 'c', k.i, k.id, k.service_id, 0, 0 from k where k.stopped_at is not null`),
      closeNas: sql.prepare(`update radius_sessions set stopped_at = ?, updated_at = ?, terminate_cause = ? where nas_id = ? and stopped_at is null
        returning id, service_id as "serviceId"`),
      openOf: sql.prepare(`${OPEN_SESSIONS_SQL} and service_id in (select value::bigint from json_array_elements_text(?::json))`),
      openAll: sql.prepare(OPEN_SESSIONS_SQL),
      analyze: sql.prepare('analyze radius_sessions'),
      estimate: sql.prepare(`select cast(reltuples as bigint) as "rows" from pg_class where oid = cast('radius_sessions' as regclass)`),
      // The packed rows as one array of arrays, inserted in their order (ids follow time: logs.ts).
      authLog: sql.prepare(`insert into auth_log (at, nas_id, service_id, username, outcome, reason, method, calling_station_id, reason_message)
        select v->>0, (v->>1)::bigint, (v->>2)::bigint, v->>3, v->>4, v->>5, v->>6, v->>7, v->>8
        from json_array_elements(?::json) with ordinality as e(v, n) order by n`),
      stale: sql.prepare(staleSessionsSql(sql)),
    };
    setWriteBarrier(sql, () => this.sync());
    this.clock = opts.clock ?? systemClock;
    this.indexer = authLogIndexerSql(sql);
    this.indexTimer = setInterval(() => void this.indexAuthLog(), INDEX_EVERY_MS);
    this.indexTimer.unref();
  }

  /** Moves settled auth-log rows into the per-subscriber indexes (src/db/auth-log-index.ts). */
  indexAuthLog(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.indexing ??= (async () => {
      try {
        const before = new Date(this.clock.now().getTime() - INDEX_SETTLE_MS).toISOString();
        while (!this.closed && (await this.indexer.run(INDEX_CHUNK, before)) === INDEX_CHUNK);
      } catch {
        // Derived data: readers scan the rows not indexed yet, and the next round catches up.
      } finally {
        this.indexing = undefined;
      }
    })();
    return this.indexing;
  }

  accounting(rec: AcctRecord): Promise<void> {
    if (this.closed) return Promise.reject(new Error('accounting writer is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ rec, key: sessionKey(rec), resolve, reject });
      this.schedule(this.batchMs);
    });
  }

  authLog(rec: AuthLogRecord): void {
    if (this.closed) return;
    pushAuthLog(this.auth, rec);
    this.schedule(this.auth.length >= AUTH_CHUNK * AUTH_LOG_STRIDE ? 0 : AUTH_DELAY_MS);
  }

  openSessions(serviceId: number): readonly OpenSession[] {
    return this.sessions.of(serviceId);
  }

  async recheckOpenSessions(serviceId: number): Promise<readonly OpenSession[]> {
    await this.refreshSessions([serviceId]);
    return this.sessions.of(serviceId);
  }

  async closeStale(now: Date, defaultIntervalSeconds: number, missedIntervals: number): Promise<number> {
    if (this.closed) return 0;
    const nowIso = now.toISOString();
    const rows = await this.q.stale.all(nowIso, nowIso, defaultIntervalSeconds, missedIntervals);
    const services = new Set<number>();
    for (const { id } of rows) {
      const serviceId = this.sessions.serviceOf(id);
      if (serviceId !== undefined) services.add(serviceId);
    }
    this.sessions.apply(rows.map(({ id }) => ({ op: 'close', id })));
    this.changedHere(services);
    return rows.length;
  }

  get pending(): number {
    return this.queue.length + this.auth.length / AUTH_LOG_STRIDE;
  }

  /** Resolves once everything handed over so far is committed (or failed): the API's read barrier. */
  sync(): Promise<void> {
    return this.run();
  }

  /** Commits what is queued and refuses new work. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.indexTimer);
    await this.indexing;
    await this.analyzing;
    await this.run();
    setWriteBarrier(this.sql, undefined);
  }

  /** A commit within `ms`, unless one is due sooner or none can start now (one ending takes what came in). */
  private schedule(ms: number): void {
    if (this.exclusive || this.inFlight.size >= IN_FLIGHT) return;
    const due = performance.now() + ms;
    if (this.timer !== undefined && this.due <= due) return;
    clearTimeout(this.timer);
    this.due = due;
    this.timer = setTimeout(() => this.kick(), ms);
  }

  /** Starts the batches that can start now. */
  private kick(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.due = Infinity;
    this.startBatches();
  }

  /**
   * Starts the batches that can start now; resolves once nothing is queued or committing (the read
   * barrier, and close). Only these callers wait in a loop: the timer and each batch's end start the
   * next batches themselves. (When the timer ran this loop too, every firing under sustained load
   * left one more loop waiting, since the batches in flight never all ended: hundreds of them after
   * a few seconds, each woken by every commit.)
   */
  private async run(): Promise<void> {
    this.kick();
    while (this.inFlight.size > 0) {
      await Promise.race(this.inFlight);
      this.startBatches();
    }
  }

  private startBatches(): void {
    while (!this.exclusive && this.inFlight.size < IN_FLIGHT && (this.queue.length > 0 || this.auth.length > 0)) {
      const batch = this.take();
      if (batch === undefined) return; // everything queued waits for a session in flight
      const keys = batch.records.map(({ key }) => key);
      for (const k of keys) this.busy.add(k);
      this.exclusive = batch.alone;
      let released = false;
      // Called by commit once the database has answered, before the records' answers are made:
      // what waited on these sessions, or for a free slot, goes to PostgreSQL while this node encodes
      // and sends the Accounting-Responses, instead of after them. Again when commit ends, a no-op.
      const release = (): void => {
        if (released) return;
        released = true;
        for (const k of keys) this.busy.delete(k);
        if (batch.alone) this.exclusive = false;
        this.inFlight.delete(slot);
        this.startBatches();
      };
      const slot: Promise<void> = this.commit(batch.records, batch.auth, release).finally(release);
      this.inFlight.add(slot);
    }
  }

  /**
   * The next batch: the queued records whose session is not in a batch committing (in their order),
   * up to an Accounting-On/Off, which goes in a batch of its own once nothing else commits.
   */
  private take(): { records: Waiting[]; auth: AuthLogRows; alone: boolean } | undefined {
    const records: Waiting[] = [];
    const rest: Waiting[] = [];
    let alone = false;
    const held = new Set<string>();
    for (const w of this.queue) {
      const nasWide = w.rec.kind === 'on' || w.rec.kind === 'off';
      if (alone || (nasWide && (records.length > 0 || this.inFlight.size > 0 || rest.length > 0))) {
        rest.push(w);
        alone ||= nasWide;
        continue;
      }
      if (nasWide) {
        records.push(w);
        alone = true;
        continue;
      }
      const { key } = w;
      // Behind a record of its session that waits, or whose batch commits: keep the session's order.
      if (this.busy.has(key) || held.has(key)) {
        held.add(key);
        rest.push(w);
      } else records.push(w);
    }
    this.queue = rest;
    const auth = this.auth.length > AUTH_CHUNK * AUTH_LOG_STRIDE ? this.auth.splice(0, AUTH_CHUNK * AUTH_LOG_STRIDE) : this.auth;
    if (auth === this.auth) this.auth = [];
    if (records.length === 0 && auth.length === 0) return undefined;
    return { records, auth, alone: alone && records.some(({ rec }) => rec.kind === 'on' || rec.kind === 'off') };
  }

  /** Writes a batch and answers its records; `release` frees its slot and sessions once the database has answered. */
  private async commit(batch: Waiting[], auth: AuthLogRows, release: () => void): Promise<void> {
    let written: Written;
    const steps = plan(batch);
    // Never released before the first await: the slot is registered when commit returns its promise.
    await undefined;
    try {
      // One statement commits on its own (PostgreSQL's implicit transaction): no BEGIN and COMMIT
      // round trips, which on a busy machine cost more than the statement. Only a batch of several
      // statements (a session twice, an Accounting-On/Off, auth-log rows) needs a transaction.
      written = steps.length + (auth.length > 0 ? 1 : 0) <= 1
        ? await this.write(steps, auth)
        : await this.sql.transaction(() => this.write(steps, auth), { serialized: false });
    } catch (e) {
      this.stats.failures++;
      this.onError(e);
      release();
      for (const b of batch) b.reject(e);
      return;
    }
    this.stats.batches++;
    this.stats.records += batch.length;
    this.stats.authRows += auth.length / AUTH_LOG_STRIDE;
    this.sessions.apply(written.changes);
    release();
    this.changedHere(written.services);
    this.insertedSinceAnalyze += written.inserted;
    if (this.insertedSinceAnalyze >= Math.max(ANALYZE_FIRST, this.analyzedRows)) void this.analyzeSessions();
    this.onCommit();
    for (const b of batch) b.resolve();
    // After the Accounting-Responses are released: data-cap checks never delay an answer.
    if (written.usage.length > 0) this.onUsage(written.usage);
  }

  /** One batch's statements (inside its transaction when there are several); the session changes and usage they made. */
  private async write(steps: readonly Step[], auth: AuthLogRows): Promise<Written> {
    const written: Written = { changes: [], usage: [], services: new Set(), inserted: 0 };
    for (const step of steps) {
      if ('round' in step) {
        await this.round(step.round, written);
        continue;
      }
      const rec = step.nasWide;
      const closed = await this.q.closeNas.all(rec.at, rec.at, rec.kind === 'on' ? 'NAS-Reboot' : 'NAS-Request', rec.nasId);
      for (const { id, serviceId } of closed) {
        written.changes.push({ op: 'close', id });
        if (serviceId !== null) written.services.add(serviceId);
      }
    }
    if (auth.length > 0) await this.q.authLog.run(JSON.stringify(authRows(auth)));
    return written;
  }

  /**
   * Refreshes radius_sessions' planner statistics each time the table has doubled through this
   * writer. The batch statement looks sessions up by their key; with statistics from when the
   * table was nearly empty (a new database, or one just copied by migrate-to-postgres) the planner
   * scans the whole table for each batch instead, which cut throughput by half until autovacuum's
   * next analyze, a minute or more later. ANALYZE samples the table (milliseconds) and runs beside
   * the batches, never before an answer. Not the table's owner: left to autovacuum.
   */
  private analyzeSessions(): Promise<void> {
    this.analyzing ??= (async () => {
      this.insertedSinceAnalyze = 0;
      try {
        await this.q.analyze.run();
        this.analyzedRows = Math.max(0, (await this.q.estimate.get())?.rows ?? 0);
      } catch {
        // Not the owner, or the database went away: autovacuum keeps the statistics; not tried again.
        this.analyzedRows = Number.MAX_SAFE_INTEGER;
      } finally {
        this.analyzing = undefined;
      }
    })();
    return this.analyzing;
  }

  /** Services whose open sessions this node changed: told to the other nodes, and kept from a refresh reading older rows. */
  private changedHere(services: ReadonlySet<number>): void {
    if (services.size === 0) return;
    for (const watching of this.refreshing) for (const id of services) watching.add(id);
    this.onSessions([...services]);
  }

  /**
   * Another node changed these services' open sessions: read them again. A service this node
   * changed while the read was under way is read once more, since the read may predate that commit.
   */
  async refreshSessions(serviceIds: readonly number[], attempts = 3): Promise<void> {
    if (this.closed || serviceIds.length === 0) return;
    const again = await this.replaceFromDatabase(() => this.q.openOf.all(JSON.stringify(serviceIds)), () => serviceIds);
    if (again.length > 0 && attempts > 1) await this.refreshSessions(again, attempts - 1);
  }

  /** Reads every open session again: after notifications from the other nodes may have been missed. */
  async reloadSessions(): Promise<void> {
    if (this.closed) return;
    const again = await this.replaceFromDatabase(() => this.q.openAll.all(), (read) => new Set([...this.sessions.services(), ...read.keys()]));
    if (again.length > 0) await this.refreshSessions(again);
  }

  /**
   * Replaces the services' open sessions in the index with what `read` finds, except those a
   * commit of this node changed while the read was under way (the read may predate that commit):
   * answered, to be read again.
   */
  private async replaceFromDatabase(read: () => Promise<OpenRow[]>, services: (read: Map<number, OpenRow[]>) => Iterable<number>): Promise<number[]> {
    const changedMeanwhile = new Set<number>();
    this.refreshing.add(changedMeanwhile);
    let rows: OpenRow[];
    try {
      rows = await read();
    } finally {
      this.refreshing.delete(changedMeanwhile);
    }
    const byService = groupByService(rows);
    const again: number[] = [];
    for (const id of services(byService)) {
      if (changedMeanwhile.has(id)) again.push(id);
      else this.sessions.replace(id, byService.get(id) ?? []);
    }
    return again;
  }

  /**
   * Start, Interim and Stop records with at most one per session: one statement writes them and
   * the day's usage. Usage deltas are the counters' growth over what was stored, computed here as
   * the statement computed them for usage_daily.
   */
  private async round(round: readonly AcctRecord[], written: Written): Promise<void> {
    const { changes, usage, services } = written;
    let inputs = round.map((r, i) => input(r, i));
    // A record that met another node's write of its session goes once more; the second time its
    // session is there, open (updated) or closed (ignored).
    for (let pass = 0; pass < 2 && inputs.length > 0; pass++) {
      const done = new Set<number>();
      for (const a of await this.q.apply.all(JSON.stringify(inputs))) {
        done.add(a.i);
        const r = round[a.i]!;
        if (a.kind === 'c') continue;
        if (a.kind === 'n') written.inserted++;
        const dIn = a.kind === 'u' ? Math.max(0, (r.inputOctets ?? 0) - a.oldIn) : (r.inputOctets ?? 0);
        const dOut = a.kind === 'u' ? Math.max(0, (r.outputOctets ?? 0) - a.oldOut) : (r.outputOctets ?? 0);
        if (a.serviceId !== null && (dIn > 0 || dOut > 0)) usage.push({ serviceId: a.serviceId, day: r.day, bytes: dIn + dOut });
        if (a.kind === 'u' && r.kind === 'stop') {
          changes.push({ op: 'close', id: a.id });
          if (a.serviceId !== null) services.add(a.serviceId);
        }
        if (a.kind === 'n' && r.kind !== 'stop' && a.serviceId !== null) {
          changes.push({ op: 'open', id: a.id, serviceId: a.serviceId, nasId: r.nasId, callingStationId: r.callingStationId });
          services.add(a.serviceId);
        }
      }
      inputs = inputs.filter((x) => !done.has(x.i));
    }
  }
}

/**
 * A batch as statements: its session records in rounds that hold at most one record per session
 * (PostgreSQL changes a row once per statement, so a Start, an Interim and a Stop a NAS sent
 * together go in three rounds, in order), split where an Accounting-On/Off stands.
 */
function plan(batch: readonly Waiting[]): Step[] {
  const steps: Step[] = [];
  let segment: Waiting[] = [];
  const flush = (): void => {
    const rounds: AcctRecord[][] = [];
    const seen = new Map<string, number>();
    for (const { rec, key } of segment) {
      const n = seen.get(key) ?? 0;
      seen.set(key, n + 1);
      (rounds[n] ??= []).push(rec);
    }
    for (const round of rounds) steps.push({ round });
    segment = [];
  };
  for (const w of batch) {
    if (w.rec.kind === 'on' || w.rec.kind === 'off') {
      flush();
      steps.push({ nasWide: w.rec });
    } else segment.push(w);
  }
  flush();
  return steps;
}

/** A session's identity across batches: its NAS and the NAS's Acct-Session-Id. */
function sessionKey(r: AcctRecord): string {
  return `${r.nasId} ${r.acctSessionId}`;
}

function input(r: AcctRecord, i: number): SessionInput {
  return {
    i, nas_id: r.nasId, acct_session_id: r.acctSessionId, service_id: r.serviceId ?? null, lookup: r.serviceId === undefined, day: r.day, username: r.username, nas_ip_address: r.nasIpAddress,
    nas_port: r.nasPort, framed_ip_address: r.framedIpAddress, calling_station_id: r.callingStationId, called_station_id: r.calledStationId,
    started_at: r.sessionTime ? new Date(Date.parse(r.at) - r.sessionTime * 1000).toISOString() : r.at,
    at: r.at, stopped_at: r.kind === 'stop' ? r.at : null, session_time: r.sessionTime, input_octets: r.inputOctets, output_octets: r.outputOctets,
    interim_interval: r.interimInterval, terminate_cause: r.terminateCause,
  };
}

function groupByService(rows: readonly OpenRow[]): Map<number, OpenRow[]> {
  const by = new Map<number, OpenRow[]>();
  for (const r of rows) {
    const list = by.get(r.serviceId);
    if (list) list.push(r);
    else by.set(r.serviceId, [r]);
  }
  return by;
}

/** Packed auth-log rows as arrays, each row's instant as ISO text. */
function authRows(auth: AuthLogRows): (string | number | null)[][] {
  const rows: (string | number | null)[][] = [];
  for (let i = 0; i < auth.length; i += AUTH_LOG_STRIDE) {
    const row = auth.slice(i, i + AUTH_LOG_STRIDE);
    row[0] = new Date(row[0] as number).toISOString();
    rows.push(row);
  }
  return rows;
}

/**
 * The accounting writer for a PostgreSQL database, its index of open sessions loaded first. The
 * options are createAccountingWriter's.
 */
export async function createPgAccountingWriter(sql: SqlClient, opts: PgAccountingWriterOptions = {}): Promise<PgAccountingWriter> {
  return new PgAccountingWriter(sql, await OpenSessionIndex.load(sql), opts);
}
