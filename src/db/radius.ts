import type { Db } from './client.js';

/**
 * What the RADIUS server reads and writes. Hot-path reads are prepared statements (a point lookup
 * costs ~6 µs); writes go through AccountingWriter, which batches them into one transaction per
 * event-loop turn (group commit) so durability does not cost throughput.
 */

export interface NasClientRow {
  id: number;
  name: string;
  ipAddress: string;
  nasIdentifier: string | null;
  secretEnc: string;
  vendor: 'mikrotik' | 'generic';
  coaPort: number;
  requireMessageAuthenticator: number;
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
}

export interface AuthLogRecord {
  at: string;
  nasId: number | null;
  serviceId: number | null;
  username: string;
  outcome: 'accept' | 'reject';
  reason: string | null;
  method: string | null;
  callingStationId: string | null;
}

export function radiusQueries(db: Db) {
  const c = db.$client;
  const service = c.prepare(`
    select s.id, s.customer_id as customerId, s.username, s.password_enc as passwordEnc, s.status, s.start_date as startDate,
      s.mac_address as macAddress, s.static_ip as staticIp, s.ipv6_prefix as ipv6Prefix,
      s.delegated_ipv6_prefix as delegatedIpv6Prefix, s.simultaneous_use as simultaneousUse, s.expires_at as expiresAt,
      p.id as planId, p.type as planType, p.download_kbps as downloadKbps, p.upload_kbps as uploadKbps,
      p.burst_download_kbps as burstDownloadKbps, p.burst_upload_kbps as burstUploadKbps,
      p.burst_threshold_download_kbps as burstThresholdDownloadKbps, p.burst_threshold_upload_kbps as burstThresholdUploadKbps,
      p.burst_time_seconds as burstTimeSeconds, p.data_cap_bytes as dataCapBytes, p.cap_action as capAction,
      p.throttle_download_kbps as throttleDownloadKbps, p.throttle_upload_kbps as throttleUploadKbps, p.framed_pool as framedPool
    from services s join plans p on p.id = s.plan_id where s.username = ?`);
  const openSessions = c.prepare(
    `select nas_id as nasId, calling_station_id as callingStationId from radius_sessions where service_id = ? and stopped_at is null`,
  );
  const usageSince = c.prepare(
    `select coalesce(sum(input_octets + output_octets), 0) as total from usage_daily where service_id = ? and day >= ?`,
  );
  const nasList = c.prepare(`select id, name, ip_address as ipAddress, nas_identifier as nasIdentifier, secret_enc as secretEnc,
      vendor, coa_port as coaPort, require_message_authenticator as requireMessageAuthenticator from nas order by id`);
  return {
    service: (username: string) => service.get(username) as ServiceAuthRow | undefined,
    openSessions: (serviceId: number) => openSessions.all(serviceId) as { nasId: number | null; callingStationId: string | null }[],
    usageSince: (serviceId: number, day: string) => (usageSince.get(serviceId, day) as { total: number }).total,
    nasClients: () => nasList.all() as NasClientRow[],
  };
}

/**
 * Group commit for accounting and the auth log. `accounting()` resolves only after the record's
 * transaction has committed, so the Accounting-Response goes out only for durable records; a failed
 * commit rejects and the NAS, getting no answer, retransmits. Auth-log rows ride along in the same
 * transactions but nobody waits for them.
 */
export class AccountingWriter {
  private queue: { rec: AcctRecord; resolve: () => void; reject: (e: unknown) => void }[] = [];
  private authQueue: AuthLogRecord[] = [];
  private scheduled = false;
  private closed = false;
  private readonly stmts;
  private readonly flushTx;
  /** Batches committed and records written, for metrics. */
  readonly stats = { batches: 0, records: 0, authRows: 0, failures: 0 };

  constructor(db: Db, private readonly onError: (e: unknown) => void = () => {}) {
    const c = db.$client;
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
      usage: c.prepare(`insert into usage_daily (service_id, day, input_octets, output_octets) values (?, ?, ?, ?)
          on conflict (service_id, day) do update set input_octets = input_octets + excluded.input_octets,
          output_octets = output_octets + excluded.output_octets`),
      closeNas: c.prepare(`update radius_sessions set stopped_at = ?, updated_at = ?, terminate_cause = ? where nas_id = ? and stopped_at is null`),
      authLog: c.prepare(`insert into auth_log (at, nas_id, service_id, username, outcome, reason, method, calling_station_id)
          values (@at, @nasId, @serviceId, @username, @outcome, @reason, @method, @callingStationId)`),
    };
    this.flushTx = c.transaction((records: AcctRecord[], auth: AuthLogRecord[]) => {
      for (const r of records) this.apply(r);
      for (const a of auth) this.stmts.authLog.run(a);
    });
  }

  /** Applies one accounting record; idempotent, so a retransmission changes nothing twice. */
  private apply(r: AcctRecord): void {
    const s = this.stmts;
    if (r.kind === 'on' || r.kind === 'off') {
      s.closeNas.run(r.at, r.at, r.kind === 'on' ? 'NAS-Reboot' : 'NAS-Request', r.nasId);
      return;
    }
    const existing = s.find.get(r.nasId, r.acctSessionId) as
      | { id: number; serviceId: number | null; inputOctets: number; outputOctets: number; stoppedAt: string | null }
      | undefined;
    const stoppedAt = r.kind === 'stop' ? r.at : null;
    let dIn = 0;
    let dOut = 0;
    let serviceId: number | null;
    if (!existing) {
      // Interim or Stop without a Start (lost Start, or we were down) still records the session.
      serviceId = ((s.serviceId.get(r.username) as { id: number } | undefined)?.id) ?? null;
      const startedAt = r.sessionTime ? new Date(Date.parse(r.at) - r.sessionTime * 1000).toISOString() : r.at;
      s.insert.run({ ...r, serviceId, startedAt, stoppedAt, sessionTime: r.sessionTime ?? 0, inputOctets: r.inputOctets ?? 0, outputOctets: r.outputOctets ?? 0 });
      dIn = r.inputOctets ?? 0;
      dOut = r.outputOctets ?? 0;
    } else {
      // A closed session ignores late or repeated records: counters only move forward once.
      if (existing.stoppedAt !== null) return;
      serviceId = existing.serviceId;
      dIn = Math.max(0, (r.inputOctets ?? 0) - existing.inputOctets);
      dOut = Math.max(0, (r.outputOctets ?? 0) - existing.outputOctets);
      s.update.run({
        id: existing.id, at: r.at, sessionTime: r.sessionTime, inputOctets: r.inputOctets, outputOctets: r.outputOctets,
        framedIpAddress: r.framedIpAddress, interimInterval: r.interimInterval, stoppedAt, terminateCause: r.terminateCause,
      });
    }
    if (serviceId !== null && (dIn > 0 || dOut > 0)) s.usage.run(serviceId, r.day, dIn, dOut);
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
    this.authQueue.push(rec);
    this.schedule();
  }

  get pending(): number {
    return this.queue.length + this.authQueue.length;
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
      this.flushTx.immediate(batch.map((b) => b.rec), auth);
      this.stats.batches++;
      this.stats.records += batch.length;
      this.stats.authRows += auth.length;
      for (const b of batch) b.resolve();
    } catch (e) {
      this.stats.failures++;
      this.onError(e);
      for (const b of batch) b.reject(e);
    }
  }

  /** Writes what is queued and refuses new work. */
  close(): void {
    this.flush();
    this.closed = true;
  }
}

/** Closes sessions that missed their interim updates: a dead session must not block the next login. */
export function closeStaleSessions(db: Db, now: Date, defaultIntervalSeconds: number, missedIntervals: number): number {
  const nowIso = now.toISOString();
  const res = db.$client
    .prepare(
      `update radius_sessions set stopped_at = ?, terminate_cause = 'Stale'
       where stopped_at is null
         and (julianday(?) - julianday(updated_at)) * 86400 > coalesce(interim_interval, ?) * ?`,
    )
    .run(nowIso, nowIso, defaultIntervalSeconds, missedIntervals);
  return res.changes;
}
