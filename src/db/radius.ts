import type { Db } from './client.js';
import { dialectSql } from './dialect.js';
import type { SqlClient } from './sql.js';

/**
 * What the RADIUS server reads and writes. Reads go through SqlClient on either backend, and the
 * login path reads none of them: the server keeps services and NAS in memory (src/aaa) and fills
 * those from here. Writes go through an AcctWriter, which batches them into one transaction per
 * event-loop turn or few milliseconds (group commit) so durability does not cost throughput: on
 * SQLite AccountingWriter (synchronous, in a worker thread for a file: writer-thread.ts), on
 * PostgreSQL PgAccountingWriter (pg-writer.ts).
 */

export interface NasClientRow {
  id: number;
  name: string;
  ipAddress: string;
  nasIdentifier: string | null;
  secretEnc: string;
  vendor: 'mikrotik' | 'generic';
  coaPort: number;
  requireMessageAuthenticator: boolean;
}

export interface ServiceAuthRow {
  id: number;
  customerId: number;
  username: string;
  passwordEnc: string;
  status: 'proposal' | 'active' | 'suspended' | 'ended' | 'free';
  startDate: string;
  macAddress: string | null;
  staticIp: string | null;
  ipv6Prefix: string | null;
  delegatedIpv6Prefix: string | null;
  simultaneousUse: number;
  expiresAt: string | null;
  planId: number;
  planType: 'recurring' | 'prepaid';
  downloadKbps: number;
  uploadKbps: number;
  burstDownloadKbps: number | null;
  burstUploadKbps: number | null;
  burstThresholdDownloadKbps: number | null;
  burstThresholdUploadKbps: number | null;
  burstTimeSeconds: number | null;
  dataCapBytes: number | null;
  capAction: 'block' | 'throttle' | null;
  throttleDownloadKbps: number | null;
  throttleUploadKbps: number | null;
  framedPool: string | null;
  suspensionMode: 'reject' | 'walled-garden' | null;
  /** Data-cap periods: the contract's billing day and period length (1 for prepaid). */
  billingDay: string;
  periodMonths: number;
  /** The login is a redeemed hotspot voucher (the code as username): an empty password is accepted too. */
  voucherLogin: boolean;
  /** The customer's language (Reply-Messages); null: the installation's. */
  language: string | null;
}

/** A row as either backend returns it: SQLite has no boolean type and answers 0 or 1. */
type ServiceDbRow = Omit<ServiceAuthRow, 'voucherLogin'> & { voucherLogin: boolean | number };
type NasDbRow = Omit<NasClientRow, 'requireMessageAuthenticator'> & { requireMessageAuthenticator: boolean | number };


/**
 * The row rebuilt as one object literal. better-sqlite3 adds a row's columns one by one, and past a
 * dozen V8 turns such an object into a hash table: every `row.x` on the login path was then a
 * dictionary lookup (a tenth of the event loop's time at saturation, in perf). A literal has one
 * fixed shape, which the optimizer reads at a fixed offset.
 */
function fastServiceRow(r: ServiceDbRow): ServiceAuthRow {
  return {
    id: r.id, customerId: r.customerId, username: r.username, passwordEnc: r.passwordEnc, status: r.status, startDate: r.startDate,
    macAddress: r.macAddress, staticIp: r.staticIp, ipv6Prefix: r.ipv6Prefix, delegatedIpv6Prefix: r.delegatedIpv6Prefix,
    simultaneousUse: r.simultaneousUse, expiresAt: r.expiresAt, planId: r.planId, planType: r.planType,
    downloadKbps: r.downloadKbps, uploadKbps: r.uploadKbps, burstDownloadKbps: r.burstDownloadKbps, burstUploadKbps: r.burstUploadKbps,
    burstThresholdDownloadKbps: r.burstThresholdDownloadKbps, burstThresholdUploadKbps: r.burstThresholdUploadKbps,
    burstTimeSeconds: r.burstTimeSeconds, dataCapBytes: r.dataCapBytes, capAction: r.capAction,
    throttleDownloadKbps: r.throttleDownloadKbps, throttleUploadKbps: r.throttleUploadKbps, framedPool: r.framedPool,
    suspensionMode: r.suspensionMode, billingDay: r.billingDay, periodMonths: r.periodMonths, voucherLogin: r.voucherLogin === true || r.voucherLogin === 1,
    language: r.language,
  };
}

export type AcctKind = 'start' | 'interim' | 'stop' | 'on' | 'off';

export interface AcctRecord {
  kind: AcctKind;
  nasId: number;
  /** Empty for Accounting-On/Off. */
  acctSessionId: string;
  username: string;
  /** ISO instant the server received it. */
  at: string;
  /** Calendar day (billing time zone) the traffic delta is counted on. */
  day: string;
  nasIpAddress: string | null;
  nasPort: string | null;
  framedIpAddress: string | null;
  callingStationId: string | null;
  calledStationId: string | null;
  sessionTime: number | null;
  /** Octets with gigawords folded in. */
  inputOctets: number | null;
  outputOctets: number | null;
  terminateCause: string | null;
  interimInterval: number | null;
  /**
   * The service whose username this is, when the caller already knows (the RADIUS server's cache):
   * a Start then costs the writer no lookup. Absent: the writer looks the username up.
   */
  serviceId?: number | null | undefined;
}

export interface AuthLogRecord {
  /** Epoch milliseconds: the ISO text is made by the writer, off the RADIUS event loop. */
  at: number;
  nasId: number | null;
  serviceId: number | null;
  username: string;
  outcome: 'accept' | 'reject';
  reason: string | null;
  /** The reason (or an accept's note) as a catalogue message, JSON `{"key","values"}`; absent: none. */
  reasonMessage?: string | null;
  method: string | null;
  callingStationId: string | null;
}

/**
 * Auth-log rows packed flat, AUTH_LOG_STRIDE values per row in the order of `pushAuthLog`. An
 * Access-Request costs one row: handed to the writer thread as one array of primitives, a row is
 * a few values to copy, where an object would also carry its key names through the structured
 * clone (that clone was a tenth of the event loop's time per request).
 */
export type AuthLogRows = (string | number | null)[];
export const AUTH_LOG_STRIDE = 9;

const AUTH_LOG_INSERT = 'insert into auth_log (at, nas_id, service_id, username, outcome, reason, method, calling_station_id, reason_message) values';
const AUTH_LOG_VALUES = '(?, ?, ?, ?, ?, ?, ?, ?, ?)';
const AUTH_LOG_ROWS_PER_INSERT = 32;
/** Auth-log rows written between two pauses (a multiple of AUTH_LOG_ROWS_PER_INSERT): under a millisecond of work. */
const AUTH_ROWS_PER_PAUSE = 256;

export function pushAuthLog(rows: AuthLogRows, r: AuthLogRecord): void {
  rows.push(r.at, r.nasId, r.serviceId, r.username, r.outcome, r.reason, r.method, r.callingStationId, r.reasonMessage ?? null);
}

/**
 * The reads that fill the RADIUS server's memory: the service cache (a login that misses it, and
 * the warm-up in chunks) and the NAS list. Prepared once; on PostgreSQL each is a round trip, so
 * nothing on the login path waits for one except a cache miss.
 */
export function radiusQueries(sql: SqlClient) {
  const columns = `
    select s.id, s.customer_id as "customerId", s.username, s.password_enc as "passwordEnc", s.status, s.start_date as "startDate",
      s.mac_address as "macAddress", s.static_ip as "staticIp", s.ipv6_prefix as "ipv6Prefix",
      s.delegated_ipv6_prefix as "delegatedIpv6Prefix", s.simultaneous_use as "simultaneousUse", s.expires_at as "expiresAt",
      p.id as "planId", p.type as "planType", p.download_kbps as "downloadKbps", p.upload_kbps as "uploadKbps",
      p.burst_download_kbps as "burstDownloadKbps", p.burst_upload_kbps as "burstUploadKbps",
      p.burst_threshold_download_kbps as "burstThresholdDownloadKbps", p.burst_threshold_upload_kbps as "burstThresholdUploadKbps",
      p.burst_time_seconds as "burstTimeSeconds", p.data_cap_bytes as "dataCapBytes", p.cap_action as "capAction",
      p.throttle_download_kbps as "throttleDownloadKbps", p.throttle_upload_kbps as "throttleUploadKbps", p.framed_pool as "framedPool",
      -- The open suspension's own mode (a billing profile may choose it) before the plan's.
      coalesce((select ss.mode from service_suspensions ss where ss.service_id = s.id and ss.to_date is null
        order by ss.id desc limit 1), p.suspension_mode) as "suspensionMode",
      coalesce(b.billing_day, 'anniversary') as "billingDay", coalesce(b.billing_period_months, p.billing_period_months, 1) as "periodMonths",
      exists (select 1 from vouchers v where v.service_id = s.id and v.code = s.username) as "voucherLogin",
      (select c.language from customers c where c.id = s.customer_id) as "language"
    from services s join plans p on p.id = s.plan_id left join service_billing b on b.service_id = s.id`;
  const service = sql.prepare<ServiceDbRow>(`${columns} where s.username = ?`);
  const serviceChunk = sql.prepare<ServiceDbRow>(`${columns} where s.id > ? order by s.id limit ?`);
  // One statement and one JSON parameter whatever the list's length (a statement per length before).
  const idList = dialectSql(sql.dialect).idList;
  const byServiceIds = sql.prepare<ServiceDbRow>(`${columns} where s.id in (${idList}) order by s.id`);
  const byCustomerIds = sql.prepare<ServiceDbRow>(`${columns} where s.customer_id in (${idList}) order by s.id`);
  const byIds = async (read: typeof byServiceIds, ids: readonly number[]): Promise<ServiceAuthRow[]> =>
    ids.length === 0 ? [] : (await read.all(JSON.stringify(ids))).map(fastServiceRow);
  const nasList = sql.prepare<NasDbRow>(`select id, name, ip_address as "ipAddress", nas_identifier as "nasIdentifier", secret_enc as "secretEnc",
      vendor, coa_port as "coaPort", require_message_authenticator as "requireMessageAuthenticator" from nas order by id`);
  return {
    service: async (username: string): Promise<ServiceAuthRow | undefined> => {
      const r = await service.get(username);
      return r && fastServiceRow(r);
    },
    /** Services in id order after `afterId`, `limit` at a time: the RADIUS server's cache warm-up. */
    servicesAfter: async (afterId: number, limit: number): Promise<ServiceAuthRow[]> => (await serviceChunk.all(afterId, limit)).map(fastServiceRow),
    /** Services by id, and the services of customers: what a change to them makes the cache read again. */
    servicesByIds: (ids: readonly number[]): Promise<ServiceAuthRow[]> => byIds(byServiceIds, ids),
    servicesOfCustomers: (ids: readonly number[]): Promise<ServiceAuthRow[]> => byIds(byCustomerIds, ids),
    nasClients: async (): Promise<NasClientRow[]> =>
      (await nasList.all()).map((r) => ({ ...r, requireMessageAuthenticator: r.requireMessageAuthenticator === true || r.requireMessageAuthenticator === 1 })),
  };
}

/** An open session as the authorization decision sees it (simultaneous use). */
export interface OpenSession {
  nasId: number | null;
  callingStationId: string | null;
}

/** A committed change to the set of open sessions, reported by the writer after each commit. */
export type SessionChange =
  | { op: 'open'; id: number; serviceId: number; nasId: number | null; callingStationId: string | null }
  | { op: 'close'; id: number };

const NO_SESSIONS: readonly OpenSession[] = Object.freeze([]);

/** Traffic a committed batch added to a service (data caps watch these; see src/billing/caps.ts). */
export interface UsageDelta {
  serviceId: number;
  /** The calendar day (billing time zone) the bytes were counted on. */
  day: string;
  bytes: number;
}

export const OPEN_SESSIONS_SQL = `select id, service_id as "serviceId", nas_id as "nasId", calling_station_id as "callingStationId"
  from radius_sessions where stopped_at is null and service_id is not null`;
export type OpenRow = { id: number; serviceId: number; nasId: number | null; callingStationId: string | null };

/**
 * One open session in its service's list. Most services have one session open: a short list per
 * service, where a Map per service cost some 300 bytes of heap per open session (a million
 * subscribers online is a million of them, which V8 marks in every full collection).
 */
class OpenEntry {
  constructor(
    readonly id: number,
    readonly nasId: number | null,
    readonly callingStationId: string | null,
    public next: OpenEntry | undefined,
  ) {}
}

/**
 * The open sessions per service, in memory, so an Access-Request costs no SQLite query for its
 * simultaneous-use check. Loaded once from radius_sessions, then kept in step by the accounting
 * writer, which applies each commit's changes after the commit (never for a rolled-back batch).
 * Every change to radius_sessions.stopped_at must therefore go through the writer.
 */
export class OpenSessionIndex {
  /** Session id → its service. */
  private readonly byId = new Map<number, number>();
  /** Service → its open sessions, oldest first. */
  private readonly byService = new Map<number, OpenEntry>();

  /** From the database on either backend. */
  static async load(sql: SqlClient): Promise<OpenSessionIndex> {
    return OpenSessionIndex.of(await sql.all<OpenRow>(OPEN_SESSIONS_SQL));
  }

  /**
   * The same, synchronously, for the SQLite writers: they are built synchronously and reload the
   * index the moment their writer thread dies, before any other record is answered.
   */
  static loadSqlite(db: Db): OpenSessionIndex {
    return OpenSessionIndex.of(db.$client.prepare(OPEN_SESSIONS_SQL).all() as OpenRow[]);
  }

  private static of(rows: readonly OpenRow[]): OpenSessionIndex {
    const index = new OpenSessionIndex();
    for (const r of rows) index.open(r.id, r.serviceId, r.nasId, r.callingStationId);
    return index;
  }

  apply(changes: readonly SessionChange[]): void {
    for (const c of changes) {
      if (c.op === 'open') this.open(c.id, c.serviceId, c.nasId, c.callingStationId);
      else this.remove(c.id);
    }
  }

  private open(id: number, serviceId: number, nasId: number | null, callingStationId: string | null): void {
    this.remove(id);
    const entry = new OpenEntry(id, nasId, callingStationId, undefined);
    let last = this.byService.get(serviceId);
    if (last === undefined) this.byService.set(serviceId, entry);
    else {
      while (last.next !== undefined) last = last.next;
      last.next = entry;
    }
    this.byId.set(id, serviceId);
  }

  private remove(id: number): void {
    const serviceId = this.byId.get(id);
    if (serviceId === undefined) return;
    this.byId.delete(id);
    const first = this.byService.get(serviceId)!;
    if (first.id === id) {
      if (first.next === undefined) this.byService.delete(serviceId);
      else this.byService.set(serviceId, first.next);
      return;
    }
    for (let e = first; e.next !== undefined; e = e.next) {
      if (e.next.id === id) {
        e.next = e.next.next;
        return;
      }
    }
  }

  /** Sets a service's open sessions to what the database holds now (another node changed them). */
  replace(serviceId: number, rows: readonly { id: number; nasId: number | null; callingStationId: string | null }[]): void {
    for (let e = this.byService.get(serviceId); e !== undefined; e = e.next) this.byId.delete(e.id);
    this.byService.delete(serviceId);
    for (const r of rows) this.open(r.id, serviceId, r.nasId, r.callingStationId);
  }

  /** The services that have open sessions now. */
  services(): IterableIterator<number> {
    return this.byService.keys();
  }

  /** The service a session in the index belongs to. */
  serviceOf(id: number): number | undefined {
    return this.byId.get(id);
  }

  /** The service's open sessions, as `select ... where service_id = ? and stopped_at is null` would return them. */
  of(serviceId: number): readonly OpenSession[] {
    let e = this.byService.get(serviceId);
    if (e === undefined) return NO_SESSIONS;
    const out: OpenSession[] = [];
    for (; e !== undefined; e = e.next) out.push({ nasId: e.nasId, callingStationId: e.callingStationId });
    return out;
  }

  get size(): number {
    return this.byId.size;
  }
}

/**
 * Read-your-writes for the RADIUS logs when the writer commits later than the answer (in another
 * thread, or a few milliseconds on in a PostgreSQL batch): a read of auth_log or radius_sessions
 * through src/db/logs.ts first waits for the writer to commit what it was handed, so the API shows
 * every request answered before it was asked. Keyed by the SqlClient the API and the server share
 * (on SQLite, one per connection: sqlOf).
 */
const barriers = new WeakMap<SqlClient, () => Promise<void>>();

export function setWriteBarrier(sql: SqlClient, barrier: (() => Promise<void>) | undefined): void {
  if (barrier) barriers.set(sql, barrier);
  else barriers.delete(sql);
}

export function writeBarrier(sql: SqlClient): Promise<void> {
  return barriers.get(sql)?.() ?? Promise.resolve();
}

/**
 * Closes sessions whose last record is older than `missed` interim intervals (their own, or the
 * default): parameters now, now, default interval, missed. The instants are ISO text on both backends.
 */
export function staleSessionsSql(sql: Pick<SqlClient, 'dialect'>): string {
  return `update radius_sessions set stopped_at = ?, terminate_cause = 'Stale'
  where stopped_at is null
    and ${dialectSql(sql.dialect).secondsBetween('?', 'updated_at')} > coalesce(interim_interval, ?) * ?
  returning id`;
}

const STALE_SQL = staleSessionsSql({ dialect: 'sqlite' });

/** What the RADIUS server needs from an accounting writer, in this thread or in a worker thread. */
export interface AcctWriter {
  accounting(rec: AcctRecord): Promise<void>;
  authLog(rec: AuthLogRecord): void;
  /** The service's open sessions as of the last commit. */
  openSessions(serviceId: number): readonly OpenSession[];
  /**
   * The service's open sessions read from the database now (several nodes: what another node
   * changed may not have reached this one's index). Absent where the index is the whole truth.
   */
  recheckOpenSessions?(serviceId: number): Promise<readonly OpenSession[]>;
  /** Closes sessions that missed their interim updates; resolves with how many were closed. */
  closeStale(now: Date, defaultIntervalSeconds: number, missedIntervals: number): Promise<number>;
  readonly pending: number;
  readonly stats: { batches: number; records: number; authRows: number; failures: number };
  /** Writes what is queued and refuses new work. */
  close(): void | Promise<void>;
}

export interface WriterOptions {
  /** Called on the server's thread after each commit with the traffic it added per service (data caps). */
  onUsage?: (usage: readonly UsageDelta[]) => void;
  /** Called on the server's thread after each successful commit (storage health: see storage-health.ts). */
  onCommit?: () => void;
  /** false: the writer only commits for another thread's index of open sessions. */
  index?: boolean;
  /**
   * Called between pieces of AUTH_ROWS_PER_PAUSE auth-log rows inside a transaction: the writer
   * thread passes one that gives its core away for a moment when it shares a single CPU with the
   * RADIUS event loop (see writer-worker.ts).
   */
  pause?: () => void;
}

/**
 * Group commit for accounting and the auth log. `accounting()` resolves only after the record's
 * transaction has committed, so the Accounting-Response goes out only for durable records; a failed
 * commit rejects and the NAS, getting no answer, retransmits. Auth-log rows ride along in the same
 * transactions but nobody waits for them.
 */
export class AccountingWriter implements AcctWriter {
  private queue: { rec: AcctRecord; resolve: () => void; reject: (e: unknown) => void }[] = [];
  private authQueue: AuthLogRows = [];
  private scheduled = false;
  private closed = false;
  private readonly stmts;
  private readonly flushTx;
  /** Session changes of the transaction in progress; applied to the index only once it commits. */
  private changes: SessionChange[] = [];
  /** Traffic per service of the transaction in progress, and of the last committed one. */
  private usage: UsageDelta[] = [];
  private committedUsage: UsageDelta[] = [];
  /** Batches committed and records written, for metrics. */
  readonly stats = { batches: 0, records: 0, authRows: 0, failures: 0 };
  /** Open sessions per service; absent when the writer only commits for another thread's index. */
  readonly sessions: OpenSessionIndex | undefined;

  constructor(db: Db, private readonly onError: (e: unknown) => void = () => {}, private readonly opts: WriterOptions = {}) {
    const c = db.$client;
    this.sessions = opts.index === false ? undefined : OpenSessionIndex.loadSqlite(db);
    this.stmts = {
      find: c.prepare(`select id, service_id as serviceId, input_octets as inputOctets, output_octets as outputOctets,
          stopped_at as stoppedAt from radius_sessions where nas_id = ? and acct_session_id = ?`),
      serviceId: c.prepare(`select id from services where username = ?`),
      insert: c.prepare(`insert into radius_sessions (nas_id, acct_session_id, service_id, username, nas_ip_address, nas_port,
          framed_ip_address, calling_station_id, called_station_id, started_at, updated_at, stopped_at, session_time,
          input_octets, output_octets, interim_interval, terminate_cause)
          values (@nasId, @acctSessionId, @serviceId, @username, @nasIpAddress, @nasPort, @framedIpAddress, @callingStationId,
          @calledStationId, @startedAt, @at, @stoppedAt, @sessionTime, @inputOctets, @outputOctets, @interimInterval, @terminateCause)`),
      update: c.prepare(`update radius_sessions set updated_at = @at, session_time = coalesce(@sessionTime, session_time),
          input_octets = max(input_octets, coalesce(@inputOctets, 0)), output_octets = max(output_octets, coalesce(@outputOctets, 0)),
          framed_ip_address = coalesce(@framedIpAddress, framed_ip_address), interim_interval = coalesce(@interimInterval, interim_interval),
          stopped_at = @stoppedAt, terminate_cause = coalesce(@terminateCause, terminate_cause) where id = @id`),
      // An Interim-Update leaves stopped_at alone: an UPDATE that names a column rewrites every index
      // on it, and three of the session indexes hold stopped_at.
      interim: c.prepare(`update radius_sessions set updated_at = @at, session_time = coalesce(@sessionTime, session_time),
          input_octets = max(input_octets, coalesce(@inputOctets, 0)), output_octets = max(output_octets, coalesce(@outputOctets, 0)),
          framed_ip_address = coalesce(@framedIpAddress, framed_ip_address), interim_interval = coalesce(@interimInterval, interim_interval),
          terminate_cause = coalesce(@terminateCause, terminate_cause) where id = @id`),
      usage: c.prepare(`insert into usage_daily (service_id, day, input_octets, output_octets) values (?, ?, ?, ?)
          on conflict (service_id, day) do update set input_octets = input_octets + excluded.input_octets,
          output_octets = output_octets + excluded.output_octets`),
      closeNas: c.prepare(`update radius_sessions set stopped_at = ?, updated_at = ?, terminate_cause = ? where nas_id = ? and stopped_at is null returning id`),
      closeStale: c.prepare(STALE_SQL),
      authLog: c.prepare(`${AUTH_LOG_INSERT} ${AUTH_LOG_VALUES}`),
      // Many rows per statement: one step of the VM and one call into better-sqlite3 for
      // AUTH_LOG_ROWS_PER_INSERT logins (about 1 µs a row less than one statement per row).
      authLogMany: c.prepare(`${AUTH_LOG_INSERT} ${Array(AUTH_LOG_ROWS_PER_INSERT).fill(AUTH_LOG_VALUES).join(', ')}`),
    };
    const args = new Array<string | number | null>(AUTH_LOG_ROWS_PER_INSERT * AUTH_LOG_STRIDE);
    const oneRow = new Array<string | number | null>(AUTH_LOG_STRIDE);
    /** Copies `into.length` packed values from `auth` at `i` into `into`, each row's instant as ISO text. */
    const bind = (into: (string | number | null)[], auth: AuthLogRows, i: number) => {
      for (let j = 0; j < into.length; j++) into[j] = j % AUTH_LOG_STRIDE === 0 ? new Date(auth[i + j] as number).toISOString() : auth[i + j]!;
      return into;
    };
    this.flushTx = c.transaction((records: AcctRecord[], auth: AuthLogRows) => {
      for (const r of records) this.apply(r);
      const { authLog, authLogMany } = this.stmts;
      const pause = opts.pause;
      let i = 0;
      for (; i + args.length <= auth.length; i += args.length) {
        if (pause && i > 0 && i % (AUTH_ROWS_PER_PAUSE * AUTH_LOG_STRIDE) === 0) pause();
        authLogMany.run(bind(args, auth, i));
      }
      for (; i < auth.length; i += AUTH_LOG_STRIDE) authLog.run(bind(oneRow, auth, i));
    });
  }

  /** Applies one accounting record; idempotent, so a retransmission changes nothing twice. */
  private apply(r: AcctRecord): void {
    const s = this.stmts;
    if (r.kind === 'on' || r.kind === 'off') {
      const closed = s.closeNas.all(r.at, r.at, r.kind === 'on' ? 'NAS-Reboot' : 'NAS-Request', r.nasId) as { id: number }[];
      for (const { id } of closed) this.changes.push({ op: 'close', id });
      return;
    }
    const existing = s.find.get(r.nasId, r.acctSessionId) as
      | { id: number; serviceId: number | null; inputOctets: number; outputOctets: number; stoppedAt: string | null }
      | undefined;
    const stoppedAt = r.kind === 'stop' ? r.at : null;
    let dIn: number;
    let dOut: number;
    let serviceId: number | null;
    if (!existing) {
      // Interim or Stop without a Start (lost Start, or we were down) still records the session.
      serviceId = r.serviceId !== undefined ? r.serviceId : (((s.serviceId.get(r.username) as { id: number } | undefined)?.id) ?? null);
      const startedAt = r.sessionTime ? new Date(Date.parse(r.at) - r.sessionTime * 1000).toISOString() : r.at;
      const id = Number(
        s.insert.run({ ...r, serviceId, startedAt, stoppedAt, sessionTime: r.sessionTime ?? 0, inputOctets: r.inputOctets ?? 0, outputOctets: r.outputOctets ?? 0 }).lastInsertRowid,
      );
      if (stoppedAt === null && serviceId !== null) this.changes.push({ op: 'open', id, serviceId, nasId: r.nasId, callingStationId: r.callingStationId });
      dIn = r.inputOctets ?? 0;
      dOut = r.outputOctets ?? 0;
    } else {
      // A closed session ignores late or repeated records: counters only move forward once.
      if (existing.stoppedAt !== null) return;
      serviceId = existing.serviceId;
      dIn = Math.max(0, (r.inputOctets ?? 0) - existing.inputOctets);
      dOut = Math.max(0, (r.outputOctets ?? 0) - existing.outputOctets);
      const change = {
        id: existing.id, at: r.at, sessionTime: r.sessionTime, inputOctets: r.inputOctets, outputOctets: r.outputOctets,
        framedIpAddress: r.framedIpAddress, interimInterval: r.interimInterval, terminateCause: r.terminateCause,
      };
      if (stoppedAt === null) s.interim.run(change);
      else s.update.run({ ...change, stoppedAt });
      if (stoppedAt !== null) this.changes.push({ op: 'close', id: existing.id });
    }
    if (serviceId !== null && (dIn > 0 || dOut > 0)) {
      s.usage.run(serviceId, r.day, dIn, dOut);
      this.usage.push({ serviceId, day: r.day, bytes: dIn + dOut });
    }
  }

  accounting(rec: AcctRecord): Promise<void> {
    if (this.closed) return Promise.reject(new Error('accounting writer is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ rec, resolve, reject });
      this.schedule();
    });
  }

  authLog(rec: AuthLogRecord): void {
    if (this.closed) return;
    pushAuthLog(this.authQueue, rec);
    this.schedule();
  }

  get pending(): number {
    return this.queue.length + this.authQueue.length / AUTH_LOG_STRIDE;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // setImmediate runs after the poll phase has handed us every datagram that was waiting, so one
    // transaction (one fsync) covers them all.
    setImmediate(() => this.flush());
  }

  flush(): void {
    this.scheduled = false;
    if (this.queue.length === 0 && this.authQueue.length === 0) return;
    const batch = this.queue;
    const auth = this.authQueue;
    this.queue = [];
    this.authQueue = [];
    try {
      const changes = this.commit(batch.map((b) => b.rec), auth);
      this.sessions?.apply(changes);
      for (const b of batch) b.resolve();
      this.opts.onCommit?.();
      const usage = this.takeUsage();
      if (usage.length > 0) this.opts.onUsage?.(usage);
    } catch (e) {
      this.stats.failures++;
      this.onError(e);
      for (const b of batch) b.reject(e);
    }
  }

  /**
   * One transaction for a batch of accounting records and auth-log rows. Returns the batch's
   * session changes; throws (and changes nothing) when the transaction fails.
   */
  commit(records: AcctRecord[], auth: AuthLogRows): SessionChange[] {
    this.changes = [];
    this.usage = [];
    try {
      this.flushTx.immediate(records, auth);
    } catch (e) {
      this.changes = [];
      this.usage = [];
      throw e;
    }
    this.committedUsage = this.usage;
    this.usage = [];
    this.stats.batches++;
    this.stats.records += records.length;
    this.stats.authRows += auth.length / AUTH_LOG_STRIDE;
    const changes = this.changes;
    this.changes = [];
    return changes;
  }

  /** The traffic the last successful commit added, once (then empty until the next commit). */
  takeUsage(): UsageDelta[] {
    const u = this.committedUsage;
    this.committedUsage = [];
    return u;
  }

  /** Runs the stale-session sweep; returns the ids it closed. */
  closeStaleIds(now: Date, defaultIntervalSeconds: number, missedIntervals: number): number[] {
    const nowIso = now.toISOString();
    const ids = (this.stmts.closeStale.all(nowIso, nowIso, defaultIntervalSeconds, missedIntervals) as { id: number }[]).map((r) => r.id);
    this.sessions?.apply(ids.map((id) => ({ op: 'close', id })));
    return ids;
  }

  async closeStale(now: Date, defaultIntervalSeconds: number, missedIntervals: number): Promise<number> {
    return this.closeStaleIds(now, defaultIntervalSeconds, missedIntervals).length;
  }

  openSessions(serviceId: number): readonly OpenSession[] {
    return this.sessions?.of(serviceId) ?? NO_SESSIONS;
  }

  /** Writes what is queued and refuses new work. */
  close(): void {
    this.flush();
    this.closed = true;
  }
}

/**
 * Closes sessions that missed their interim updates: a dead session must not block the next login.
 * A running server sweeps through its writer (`AcctWriter.closeStale`), which also updates its
 * in-memory index of open sessions; this is for tools that work on the database alone.
 */
export async function closeStaleSessions(sql: SqlClient, now: Date, defaultIntervalSeconds: number, missedIntervals: number): Promise<number> {
  const nowIso = now.toISOString();
  return (await sql.all(staleSessionsSql(sql), nowIso, nowIso, defaultIntervalSeconds, missedIntervals)).length;
}
