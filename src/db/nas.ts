/**
 * What RouterOS reconciliation, SNMP polling, onboarding and the CoA self-test read and write.
 * Closing and opening sessions is not here: that goes through the accounting writer, which keeps the
 * RADIUS server's in-memory index of open sessions in step (src/db/radius.ts).
 */
import { eq } from 'drizzle-orm';
import type { Db } from './client.js';
import { nas } from './schema/index.js';

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

export function nasStore(db: Db) {
  const c = db.$client;
  const q = {
    openSessions: c.prepare(`select id, acct_session_id as acctSessionId, username, framed_ip_address as framedIpAddress,
        calling_station_id as callingStationId, started_at as startedAt, updated_at as updatedAt, origin
      from radius_sessions where nas_id = ? and stopped_at is null order by (origin is not null), id`),
    sessionByKey: c.prepare(`select id, stopped_at as stoppedAt from radius_sessions where nas_id = ? and acct_session_id = ?`),
    markOrigin: c.prepare(`update radius_sessions set origin = ? where nas_id = ? and acct_session_id = ?`),
    lastNasIp: c.prepare(`select nas_ip_address as ip from radius_sessions where nas_id = ? and nas_ip_address is not null order by id desc limit 1`),
    insertReport: c.prepare(`insert into nas_reconciliations (nas_id, trigger, started_at, finished_at, outcome, error, router_sessions,
        our_sessions, matched, created, closed, skipped, items)
      values (@nasId, @trigger, @startedAt, @finishedAt, @outcome, @error, @routerSessions, @ourSessions, @matched, @created, @closed, @skipped, @items)`),
    pruneReports: c.prepare(`delete from nas_reconciliations where nas_id = ? and id <= (
        select id from nas_reconciliations where nas_id = ? order by id desc limit 1 offset ${REPORTS_KEPT})`),
    reports: c.prepare(`select id, nas_id as nasId, trigger, started_at as startedAt, finished_at as finishedAt, outcome, error,
        router_sessions as routerSessions, our_sessions as ourSessions, matched, created, closed, skipped, items
      from nas_reconciliations where nas_id = ? order by id desc limit ?`),
    status: c.prepare(`select nas_id as nasId, state, last_poll_at as lastPollAt, last_seen_at as lastSeenAt, uptime_seconds as uptimeSeconds,
        consecutive_failures as consecutiveFailures, last_error as lastError from nas_status where nas_id = ?`),
    saveStatus: c.prepare(`insert into nas_status (nas_id, state, last_poll_at, last_seen_at, uptime_seconds, consecutive_failures, last_error)
      values (@nasId, @state, @lastPollAt, @lastSeenAt, @uptimeSeconds, @consecutiveFailures, @lastError)
      on conflict (nas_id) do update set state = excluded.state, last_poll_at = excluded.last_poll_at, last_seen_at = excluded.last_seen_at,
        uptime_seconds = excluded.uptime_seconds, consecutive_failures = excluded.consecutive_failures, last_error = excluded.last_error`),
    interfaces: c.prepare(`select if_index as ifIndex, name, in_octets as inOctets, out_octets as outOctets, at from nas_interfaces where nas_id = ? order by if_index`),
    saveInterface: c.prepare(`insert into nas_interfaces (nas_id, if_index, name, in_octets, out_octets, at) values (?, ?, ?, ?, ?, ?)
      on conflict (nas_id, if_index) do update set name = excluded.name, in_octets = excluded.in_octets, out_octets = excluded.out_octets, at = excluded.at`),
    insertSample: c.prepare(`insert into nas_traffic_samples (nas_id, if_index, at, seconds, in_octets, out_octets, in_bps, out_bps)
      values (@nasId, @ifIndex, @at, @seconds, @inOctets, @outOctets, @inBps, @outBps)`),
    pruneSamples: c.prepare(`delete from nas_traffic_samples where at < ?`),
  };

  return {
    nas: (id: number): NasRow | undefined => db.select().from(nas).where(eq(nas.id, id)).get(),
    routerosNas: (): NasRow[] => db.select().from(nas).where(eq(nas.routerosEnabled, true)).all(),
    snmpNas: (): NasRow[] => db.select().from(nas).where(eq(nas.snmpEnabled, true)).all(),

    /** Our open sessions on the NAS, those from accounting first (reconciliation-made duplicates last). */
    openSessions: (nasId: number) => q.openSessions.all(nasId) as OpenSessionRow[],
    sessionExists: (nasId: number, acctSessionId: string) => q.sessionByKey.get(nasId, acctSessionId) !== undefined,
    markOrigin: (nasId: number, acctSessionId: string, origin: string) => void q.markOrigin.run(origin, nasId, acctSessionId),
    /** The NAS-IP-Address the NAS last sent in accounting, if any. */
    lastNasIp: (nasId: number) => (q.lastNasIp.get(nasId) as { ip: string } | undefined)?.ip,

    saveReconciliation(r: Omit<ReconciliationRecord, 'id'>): ReconciliationRecord {
      return c.transaction(() => {
        const id = Number(q.insertReport.run({ ...r, items: JSON.stringify(r.items) }).lastInsertRowid);
        q.pruneReports.run(r.nasId, r.nasId);
        return { id, ...r };
      })();
    },
    reconciliations(nasId: number, limit: number): ReconciliationRecord[] {
      return (q.reports.all(nasId, limit) as (Omit<ReconciliationRecord, 'items'> & { items: string })[]).map((r) => ({
        ...r,
        items: JSON.parse(r.items) as ReconcileItem[],
      }));
    },

    status: (nasId: number) => q.status.get(nasId) as NasStatusRecord | undefined,
    interfaces: (nasId: number) => q.interfaces.all(nasId) as InterfaceRecord[],
    /** One poll's outcome in one transaction: status, the new counter baselines, and the samples. */
    savePoll(status: NasStatusRecord, interfaces: (InterfaceRecord & { nasId: number })[], samples: (TrafficSample & { nasId: number })[]): void {
      c.transaction(() => {
        q.saveStatus.run(status);
        for (const i of interfaces) q.saveInterface.run(i.nasId, i.ifIndex, i.name, i.inOctets, i.outOctets, i.at);
        for (const s of samples) q.insertSample.run(s);
      })();
    },
    traffic(nasId: number, from: string, to: string, ifIndex: number | undefined, limit: number): TrafficSample[] {
      const where = ['nas_id = ?', 'at >= ?', 'at <= ?'];
      const args: (string | number)[] = [nasId, from, to];
      if (ifIndex !== undefined) {
        where.push('if_index = ?');
        args.push(ifIndex);
      }
      return c
        .prepare(`select if_index as ifIndex, at, seconds, in_octets as inOctets, out_octets as outOctets, in_bps as inBps, out_bps as outBps
          from nas_traffic_samples where ${where.join(' and ')} order by at, if_index limit ?`)
        .all(...args, limit) as TrafficSample[];
    },
    pruneSamples: (before: string) => q.pruneSamples.run(before).changes,
  };
}

export type NasStore = ReturnType<typeof nasStore>;

/** An audit row for an action on a NAS made through the API (never with a secret in it). */
export function auditNas(db: Db, actor: { id: string; ip?: string | undefined }, at: string, action: string, nasId: number, after: unknown): void {
  db.$client
    .prepare(`insert into audit_log (at, actor, actor_ip, action, entity, entity_id, before, after) values (?, ?, ?, ?, 'nas', ?, null, ?)`)
    .run(at, actor.id, actor.ip ?? null, action, String(nasId), JSON.stringify(after));
}
