/**
 * What RouterOS reconciliation, SNMP polling, onboarding and the CoA self-test read and write.
 * Closing and opening sessions is not here: that goes through the accounting writer, which keeps the
 * RADIUS server's in-memory index of open sessions in step (src/db/radius.ts).
 */
import { auditRecorder } from './audit.js';
import { bool } from './billing/shared.js';
import type { nas } from './schema/index.js';
import type { SqlClient } from './sql.js';

export type NasRow = typeof nas.$inferSelect;

export interface OpenSessionRow {
  id: number;
  acctSessionId: string;
  username: string;
  framedIpAddress: string | null;
  callingStationId: string | null;
  startedAt: string;
  updatedAt: string;
  origin: string | null;
}

export type ReconcileAction = 'created' | 'closed' | 'skipped';

export interface ReconcileItem {
  action: ReconcileAction;
  /** Which side had the session: `router` (missing here) or `ours` (missing on the router). */
  side: 'router' | 'ours';
  kind?: 'ppp' | 'hotspot' | undefined;
  username: string;
  address?: string | undefined;
  callerId?: string | undefined;
  acctSessionId?: string | undefined;
  reason: string;
}

export interface ReconciliationRecord {
  id: number;
  nasId: number;
  trigger: 'schedule' | 'api';
  startedAt: string;
  finishedAt: string;
  outcome: 'ok' | 'error';
  error: string | null;
  routerSessions: number;
  ourSessions: number;
  matched: number;
  created: number;
  closed: number;
  skipped: number;
  items: ReconcileItem[];
}

export interface NasStatusRecord {
  nasId: number;
  state: 'unknown' | 'up' | 'down';
  lastPollAt: string | null;
  lastSeenAt: string | null;
  uptimeSeconds: number | null;
  consecutiveFailures: number;
  lastError: string | null;
  /** `lastError` by catalogue key, JSON `{key, values}` (keyedError reads it); null before keys were stored. */
  lastErrorMessage: string | null;
}

export interface InterfaceRecord {
  ifIndex: number;
  name: string;
  inOctets: string;
  outOctets: string;
  at: string;
}

export interface TrafficSample {
  ifIndex: number;
  at: string;
  seconds: number;
  inOctets: number;
  outOctets: number;
  inBps: number;
  outBps: number;
}

/** Reports kept per NAS; older ones are deleted as new ones are written. */
const REPORTS_KEPT = 100;

const NAS_COLS = `id, name, ip_address as "ipAddress", nas_identifier as "nasIdentifier", secret_enc as "secretEnc", vendor, coa_port as "coaPort",
  require_message_authenticator as "requireMessageAuthenticator", description, routeros_enabled as "routerosEnabled", routeros_host as "routerosHost",
  routeros_port as "routerosPort", routeros_tls as "routerosTls", routeros_username as "routerosUsername", routeros_password_enc as "routerosPasswordEnc",
  routeros_fingerprint256 as "routerosFingerprint256", snmp_enabled as "snmpEnabled", snmp_host as "snmpHost", snmp_port as "snmpPort",
  snmp_version as "snmpVersion", snmp_community_enc as "snmpCommunityEnc", snmp_v3_user as "snmpV3User", snmp_v3_auth_key_enc as "snmpV3AuthKeyEnc",
  snmp_v3_priv_key_enc as "snmpV3PrivKeyEnc", created_at as "createdAt", updated_at as "updatedAt"`;

type NasDbRow = Omit<NasRow, 'requireMessageAuthenticator' | 'routerosEnabled' | 'routerosTls' | 'snmpEnabled'> & {
  requireMessageAuthenticator: unknown;
  routerosEnabled: unknown;
  routerosTls: unknown;
  snmpEnabled: unknown;
};

/** The flags as booleans whichever backend read them (SQLite has 0/1). */
const nasRow = (r: NasDbRow): NasRow => ({
  ...r,
  requireMessageAuthenticator: bool(r.requireMessageAuthenticator),
  routerosEnabled: bool(r.routerosEnabled),
  routerosTls: bool(r.routerosTls),
  snmpEnabled: bool(r.snmpEnabled),
});

const SAMPLE_COLS = `if_index as "ifIndex", at, seconds, in_octets as "inOctets", out_octets as "outOctets", in_bps as "inBps", out_bps as "outBps"`;

export function nasStore(sql: SqlClient) {
  const q = {
    nas: sql.prepare<NasDbRow>(`select ${NAS_COLS} from nas where id = ?`),
    routerosNas: sql.prepare<NasDbRow>(`select ${NAS_COLS} from nas where routeros_enabled order by id`),
    snmpNas: sql.prepare<NasDbRow>(`select ${NAS_COLS} from nas where snmp_enabled order by id`),
    openSessions: sql.prepare<OpenSessionRow>(`select id, acct_session_id as "acctSessionId", username, framed_ip_address as "framedIpAddress",
        calling_station_id as "callingStationId", started_at as "startedAt", updated_at as "updatedAt", origin
      from radius_sessions where nas_id = ? and stopped_at is null order by (origin is not null), id`),
    sessionByKey: sql.prepare(`select id from radius_sessions where nas_id = ? and acct_session_id = ?`),
    markOrigin: sql.prepare(`update radius_sessions set origin = ? where nas_id = ? and acct_session_id = ?`),
    lastNasIp: sql.prepare<{ ip: string }>(`select nas_ip_address as "ip" from radius_sessions where nas_id = ? and nas_ip_address is not null order by id desc limit 1`),
    insertReport: sql.prepare<{ id: number }>(`insert into nas_reconciliations (nas_id, trigger, started_at, finished_at, outcome, error, router_sessions,
        our_sessions, matched, created, closed, skipped, items)
      values (@nasId, @trigger, @startedAt, @finishedAt, @outcome, @error, @routerSessions, @ourSessions, @matched, @created, @closed, @skipped, @items)
      returning id`),
    pruneReports: sql.prepare(`delete from nas_reconciliations where nas_id = ? and id <= (
        select id from nas_reconciliations where nas_id = ? order by id desc limit 1 offset ${REPORTS_KEPT})`),
    reports: sql.prepare<Omit<ReconciliationRecord, 'items'> & { items: string }>(`select id, nas_id as "nasId", trigger, started_at as "startedAt",
        finished_at as "finishedAt", outcome, error, router_sessions as "routerSessions", our_sessions as "ourSessions", matched, created, closed, skipped, items
      from nas_reconciliations where nas_id = ? order by id desc limit ?`),
    status: sql.prepare<NasStatusRecord>(`select nas_id as "nasId", state, last_poll_at as "lastPollAt", last_seen_at as "lastSeenAt", uptime_seconds as "uptimeSeconds",
        consecutive_failures as "consecutiveFailures", last_error as "lastError", last_error_message as "lastErrorMessage" from nas_status where nas_id = ?`),
    saveStatus: sql.prepare(`insert into nas_status (nas_id, state, last_poll_at, last_seen_at, uptime_seconds, consecutive_failures, last_error, last_error_message)
      values (@nasId, @state, @lastPollAt, @lastSeenAt, @uptimeSeconds, @consecutiveFailures, @lastError, @lastErrorMessage)
      on conflict (nas_id) do update set state = excluded.state, last_poll_at = excluded.last_poll_at, last_seen_at = excluded.last_seen_at,
        uptime_seconds = excluded.uptime_seconds, consecutive_failures = excluded.consecutive_failures, last_error = excluded.last_error,
        last_error_message = excluded.last_error_message`),
    interfaces: sql.prepare<InterfaceRecord>(`select if_index as "ifIndex", name, in_octets as "inOctets", out_octets as "outOctets", at
      from nas_interfaces where nas_id = ? order by if_index`),
    saveInterface: sql.prepare(`insert into nas_interfaces (nas_id, if_index, name, in_octets, out_octets, at) values (?, ?, ?, ?, ?, ?)
      on conflict (nas_id, if_index) do update set name = excluded.name, in_octets = excluded.in_octets, out_octets = excluded.out_octets, at = excluded.at`),
    insertSample: sql.prepare(`insert into nas_traffic_samples (nas_id, if_index, at, seconds, in_octets, out_octets, in_bps, out_bps)
      values (?, ?, ?, ?, ?, ?, ?, ?)`),
    traffic: sql.prepare<TrafficSample>(`select ${SAMPLE_COLS} from nas_traffic_samples where nas_id = ? and at >= ? and at <= ? order by at, if_index limit ?`),
    trafficOf: sql.prepare<TrafficSample>(`select ${SAMPLE_COLS} from nas_traffic_samples where nas_id = ? and at >= ? and at <= ? and if_index = ?
      order by at, if_index limit ?`),
    pruneSamples: sql.prepare(`delete from nas_traffic_samples where at < ?`),
  };

  return {
    nas: async (id: number): Promise<NasRow | undefined> => {
      const r = await q.nas.get(id);
      return r && nasRow(r);
    },
    routerosNas: async (): Promise<NasRow[]> => (await q.routerosNas.all()).map(nasRow),
    snmpNas: async (): Promise<NasRow[]> => (await q.snmpNas.all()).map(nasRow),

    /** Our open sessions on the NAS, those from accounting first (reconciliation-made duplicates last). */
    openSessions: (nasId: number) => q.openSessions.all(nasId),
    sessionExists: async (nasId: number, acctSessionId: string) => (await q.sessionByKey.get(nasId, acctSessionId)) !== undefined,
    markOrigin: async (nasId: number, acctSessionId: string, origin: string): Promise<void> => {
      await q.markOrigin.run(origin, nasId, acctSessionId);
    },
    /** The NAS-IP-Address the NAS last sent in accounting, if any. */
    lastNasIp: async (nasId: number) => (await q.lastNasIp.get(nasId))?.ip,

    saveReconciliation(r: Omit<ReconciliationRecord, 'id'>): Promise<ReconciliationRecord> {
      return sql.transaction(async () => {
        const row = await q.insertReport.get({ ...r, items: JSON.stringify(r.items) });
        await q.pruneReports.run(r.nasId, r.nasId);
        return { id: row!.id, ...r };
      });
    },
    async reconciliations(nasId: number, limit: number): Promise<ReconciliationRecord[]> {
      return (await q.reports.all(nasId, limit)).map((r) => ({ ...r, items: JSON.parse(r.items) as ReconcileItem[] }));
    },

    status: (nasId: number) => q.status.get(nasId),
    interfaces: (nasId: number) => q.interfaces.all(nasId),
    /** One poll's outcome in one transaction: status, the new counter baselines, and the samples. */
    savePoll(status: NasStatusRecord, interfaces: (InterfaceRecord & { nasId: number })[], samples: (TrafficSample & { nasId: number })[]): Promise<void> {
      return sql.transaction(async () => {
        await q.saveStatus.run({ ...status });
        for (const i of interfaces) await q.saveInterface.run(i.nasId, i.ifIndex, i.name, i.inOctets, i.outOctets, i.at);
        for (const s of samples) await q.insertSample.run(s.nasId, s.ifIndex, s.at, s.seconds, s.inOctets, s.outOctets, s.inBps, s.outBps);
      });
    },
    traffic(nasId: number, from: string, to: string, ifIndex: number | undefined, limit: number): Promise<TrafficSample[]> {
      return ifIndex === undefined ? q.traffic.all(nasId, from, to, limit) : q.trafficOf.all(nasId, from, to, ifIndex, limit);
    },
    pruneSamples: async (before: string) => (await q.pruneSamples.run(before)).changes,
  };
}

export type NasStore = ReturnType<typeof nasStore>;

/** An audit row for an action on a NAS made through the API (never with a secret in it). */
export function auditNas(sql: SqlClient): (actor: { id: string; ip?: string | undefined }, at: string, action: string, nasId: number, after: unknown) => Promise<void> {
  const record = auditRecorder(sql);
  return (actor, at, action, nasId, after) => record(actor, at, action, 'nas', nasId, undefined, after);
}
