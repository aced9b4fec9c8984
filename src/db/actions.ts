/**
 * What network actions read and write: a service's open sessions with their NAS, the action log
 * (nas_actions), and the suspend and resume transactions (service status, service_suspensions and
 * the audit row together). The only place with SQL for src/nas/actions.ts.
 */
import type { Db } from './client.js';
import { Conditions } from './conditions.js';
import { decodeCursor, encodeCursor, type Page } from './crud.js';
import { nasActionOutcomes } from './schema/index.js';
import { TollgateError } from '../lib/errors.js';

export type NasActionKind = 'disconnect' | 'coa';
export type NasActionOutcome = (typeof nasActionOutcomes)[number];
export type SuspensionMode = 'reject' | 'walled-garden';

/** An open session as an action needs it: how to name it to the NAS, and where the NAS is. */
export interface ActionSession {
  id: number;
  serviceId: number | null;
  acctSessionId: string;
  username: string;
  framedIpAddress: string | null;
  nasIpAddress: string | null;
  callingStationId: string | null;
  nasId: number | null;
  /** The NAS row's address (an address or a CIDR range); null when the NAS row is gone. */
  nasAddress: string | null;
  nasSecretEnc: string | null;
  coaPort: number | null;
  vendor: 'mikrotik' | 'generic' | null;
}

export interface NasActionRow {
  id: number;
  kind: NasActionKind;
  reason: string;
  actor: string;
  serviceId: number | null;
  sessionId: number | null;
  acctSessionId: string;
  username: string;
  nasId: number | null;
  target: string | null;
  request: string;
  outcome: NasActionOutcome;
  errorCause: number | null;
  errorCauseName: string | null;
  error: string | null;
  attempts: number;
  retries: number;
  via: 'coa' | 'routeros';
  fallbackOf: number | null;
  createdAt: string;
  answeredAt: string | null;
  confirmedAt: string | null;
  checkAt: string | null;
  updatedAt: string;
}

export type NewAction = Pick<NasActionRow, 'kind' | 'reason' | 'actor' | 'serviceId' | 'sessionId' | 'acctSessionId' | 'username' | 'nasId' | 'target' | 'request' | 'outcome'> &
  Partial<Pick<NasActionRow, 'fallbackOf' | 'error'>> & { at: string };

export type ActionUpdate = Partial<
  Pick<NasActionRow, 'outcome' | 'errorCause' | 'errorCauseName' | 'error' | 'attempts' | 'retries' | 'via' | 'target' | 'request' | 'answeredAt' | 'confirmedAt' | 'checkAt'>
> & { at: string };

export interface ActionFilter {
  serviceId?: number | undefined;
  nasId?: number | undefined;
  outcome?: NasActionOutcome | undefined;
  kind?: NasActionKind | undefined;
}

export interface ServiceBrief {
  id: number;
  username: string;
  status: 'proposal' | 'active' | 'suspended' | 'ended' | 'free';
  planId: number;
  /** The plan's own suspension mode (null: the configured default). */
  suspensionMode: SuspensionMode | null;
}

export interface StatusChange {
  /** Whether this call changed the status (false: it already was so). */
  changed: boolean;
  /** The suspension's mode: the one chosen now (suspend) or the one ended (resume). */
  mode: SuspensionMode | null;
}

/**
 * Only an active or free service can be suspended: the suspend transaction's rule, also checked by a
 * PATCH of the status before it writes anything (src/http/routes/service-status.ts).
 */
export function assertSuspendable(serviceId: number, status: string): void {
  if (status !== 'active' && status !== 'free') {
    throw new TollgateError('conflict', `service ${serviceId} is ${status}: only an active or free service can be suspended`, 'status');
  }
}

const SESSION_COLS = `rs.id, rs.service_id as serviceId, rs.acct_session_id as acctSessionId, rs.username,
  rs.framed_ip_address as framedIpAddress, rs.nas_ip_address as nasIpAddress, rs.calling_station_id as callingStationId,
  rs.nas_id as nasId, n.ip_address as nasAddress, n.secret_enc as nasSecretEnc, n.coa_port as coaPort, n.vendor`;

const ACTION_COLS = `id, kind, reason, actor, service_id as serviceId, session_id as sessionId, acct_session_id as acctSessionId,
  username, nas_id as nasId, target, request, outcome, error_cause as errorCause, error_cause_name as errorCauseName, error,
  attempts, retries, via, fallback_of as fallbackOf, created_at as createdAt, answered_at as answeredAt,
  confirmed_at as confirmedAt, check_at as checkAt, updated_at as updatedAt`;

const UPDATABLE: Record<keyof Omit<ActionUpdate, 'at'>, string> = {
  outcome: 'outcome',
  errorCause: 'error_cause',
  errorCauseName: 'error_cause_name',
  error: 'error',
  attempts: 'attempts',
  retries: 'retries',
  via: 'via',
  target: 'target',
  request: 'request',
  answeredAt: 'answered_at',
  confirmedAt: 'confirmed_at',
  checkAt: 'check_at',
};

export function actionStore(db: Db) {
  const c = db.$client;
  const s = {
    service: c.prepare(`select s.id, s.username, s.status, s.plan_id as planId, coalesce((select ss.mode from service_suspensions ss where ss.service_id = s.id and ss.to_date is null
        order by ss.id desc limit 1), p.suspension_mode) as suspensionMode
      from services s join plans p on p.id = s.plan_id where s.id = ?`),
    openSessions: c.prepare(`select ${SESSION_COLS} from radius_sessions rs left join nas n on n.id = rs.nas_id
      where rs.service_id = ? and rs.stopped_at is null order by rs.id`),
    session: c.prepare(`select ${SESSION_COLS} from radius_sessions rs left join nas n on n.id = rs.nas_id where rs.id = ?`),
    sessionState: c.prepare(`select stopped_at as stoppedAt, updated_at as updatedAt from radius_sessions where id = ?`),
    closeSession: c.prepare(`update radius_sessions set stopped_at = ?, updated_at = ?, terminate_cause = coalesce(terminate_cause, ?)
      where id = ? and stopped_at is null`),
    insert: c.prepare(`insert into nas_actions (kind, reason, actor, service_id, session_id, acct_session_id, username, nas_id, target,
      request, outcome, error, fallback_of, created_at, updated_at)
      values (@kind, @reason, @actor, @serviceId, @sessionId, @acctSessionId, @username, @nasId, @target, @request, @outcome,
      @error, @fallbackOf, @at, @at) returning id`),
    get: c.prepare(`select ${ACTION_COLS} from nas_actions where id = ?`),
    acked: c.prepare(`select ${ACTION_COLS} from nas_actions where outcome = 'acked' order by id`),
    newer: c.prepare(`select id, kind, outcome from nas_actions where session_id = ? and id > ? and outcome in ('pending', 'acked', 'confirmed')
      order by id desc limit 1`),
    setStatus: c.prepare(`update services set status = ?, updated_at = ? where id = ?`),
    openSuspension: c.prepare(`select id, from_date as fromDate, mode from service_suspensions where service_id = ? and to_date is null order by id desc limit 1`),
    insertSuspension: c.prepare(`insert into service_suspensions (service_id, from_date, to_date, mode) values (?, ?, null, ?)`),
    endSuspension: c.prepare(`update service_suspensions set to_date = max(from_date, ?) where id = ?`),
    audit: c.prepare(`insert into audit_log (at, actor, actor_ip, action, entity, entity_id, before, after) values (?, ?, ?, ?, 'service', ?, ?, ?)`),
  };

  const audit = (at: string, actor: { id: string; ip?: string | undefined }, action: string, id: number, before: unknown, after: unknown) =>
    s.audit.run(at, actor.id, actor.ip ?? null, action, String(id), JSON.stringify(before), JSON.stringify(after));

  const serviceOrThrow = (id: number): ServiceBrief => {
    const row = s.service.get(id) as ServiceBrief | undefined;
    if (!row) throw new TollgateError('not_found', `service ${id} does not exist`);
    return row;
  };

  return {
    service: (id: number) => s.service.get(id) as ServiceBrief | undefined,
    serviceOrThrow,
    openSessions: (serviceId: number) => s.openSessions.all(serviceId) as ActionSession[],
    session: (id: number) => s.session.get(id) as ActionSession | undefined,
    sessionState: (id: number) => s.sessionState.get(id) as { stoppedAt: string | null; updatedAt: string } | undefined,
    /** Closes a session record directly (no RADIUS server in this process to do it through its writer). */
    closeSession: (id: number, at: string, cause: string) => s.closeSession.run(at, at, cause, id).changes > 0,

    insertAction: (a: NewAction): number =>
      (s.insert.get({ fallbackOf: null, error: null, ...a }) as { id: number }).id,
    updateAction(id: number, u: ActionUpdate): void {
      const sets: string[] = ['updated_at = @at'];
      const params: Record<string, unknown> = { id, at: u.at };
      for (const [k, col] of Object.entries(UPDATABLE)) {
        const v = (u as Record<string, unknown>)[k];
        if (v === undefined) continue;
        sets.push(`${col} = @${k}`);
        params[k] = v;
      }
      c.prepare(`update nas_actions set ${sets.join(', ')} where id = @id`).run(params);
    },
    action: (id: number) => s.get.get(id) as NasActionRow | undefined,
    /** Actions ACKed and waiting for accounting to confirm them. */
    ackedActions: () => s.acked.all() as NasActionRow[],
    /**
     * The newest action on the same session after `afterId` that is in flight, ACKed or confirmed: it
     * carries the session's state as of later than the older one.
     */
    newerAction: (sessionId: number, afterId: number) =>
      s.newer.get(sessionId, afterId) as Pick<NasActionRow, 'id' | 'kind' | 'outcome'> | undefined,

    /** Newest first, as the other logs. */
    listActions(f: ActionFilter, limit = 50, cursor?: string): Page<NasActionRow> {
      const where = new Conditions().when(f.serviceId, 'service_id = ?').when(f.nasId, 'nas_id = ?').when(f.outcome, 'outcome = ?').when(f.kind, 'kind = ?');
      if (cursor) where.add('id < ?', decodeCursor(cursor));
      const rows = c.prepare(`select ${ACTION_COLS} from nas_actions ${where.sql} order by id desc limit ?`).all(...where.args, limit + 1) as NasActionRow[];
      const more = rows.length > limit;
      const items = rows.slice(0, limit);
      return { items, next: more ? encodeCursor(items[items.length - 1]!.id) : null };
    },

    /**
     * Suspends: status, the open service_suspensions row (from `today`) and the audit row in one
     * transaction. A service already suspended is left as it is (changed: false). Only an active or
     * free service can be suspended.
     */
    suspend(serviceId: number, o: { at: string; today: string; mode: SuspensionMode; actor: { id: string; ip?: string }; reason: string }): StatusChange {
      return c.transaction((): StatusChange => {
        const svc = serviceOrThrow(serviceId);
        if (svc.status === 'suspended') {
          const open = s.openSuspension.get(serviceId) as { mode: SuspensionMode | null } | undefined;
          return { changed: false, mode: open?.mode ?? null };
        }
        assertSuspendable(serviceId, svc.status);
        s.setStatus.run('suspended', o.at, serviceId);
        s.insertSuspension.run(serviceId, o.today, o.mode);
        audit(o.at, o.actor, 'suspend', serviceId, { status: svc.status }, { status: 'suspended', from: o.today, mode: o.mode, reason: o.reason });
        return { changed: true, mode: o.mode };
      }).immediate();
    },

    /**
     * Resumes: status back to active, the open suspension ended on `today` (its first day active
     * again), and the audit row. A service that is not suspended is left as it is (changed: false).
     */
    resume(serviceId: number, o: { at: string; today: string; actor: { id: string; ip?: string }; reason: string }): StatusChange {
      return c.transaction((): StatusChange => {
        const svc = serviceOrThrow(serviceId);
        if (svc.status !== 'suspended') return { changed: false, mode: null };
        const open = s.openSuspension.get(serviceId) as { id: number; fromDate: string; mode: SuspensionMode | null } | undefined;
        s.setStatus.run('active', o.at, serviceId);
        if (open) s.endSuspension.run(o.today, open.id);
        audit(o.at, o.actor, 'resume', serviceId, { status: 'suspended', mode: open?.mode ?? null }, { status: 'active', to: o.today, reason: o.reason });
        return { changed: true, mode: open?.mode ?? null };
      }).immediate();
    },

    /**
     * A suspended service's status changed by hand to something other than active (ended, free,
     * proposal): the status, the open suspension ended on `today` exactly as resume ends it (to_date is
     * the first day no longer suspended), and the audit row (`end-suspension`), in one transaction.
     * No RADIUS side effect here: the caller acts on the sessions. A service no longer suspended just
     * gets the status (changed: false).
     */
    leaveSuspension(serviceId: number, o: { status: Exclude<ServiceBrief['status'], 'suspended' | 'active'>; at: string; today: string; actor: { id: string; ip?: string }; reason: string }): StatusChange {
      return c.transaction((): StatusChange => {
        const svc = serviceOrThrow(serviceId);
        const open = svc.status === 'suspended' ? (s.openSuspension.get(serviceId) as { id: number; fromDate: string; mode: SuspensionMode | null } | undefined) : undefined;
        s.setStatus.run(o.status, o.at, serviceId);
        if (open) s.endSuspension.run(o.today, open.id);
        audit(o.at, o.actor, svc.status === 'suspended' ? 'end-suspension' : 'update', serviceId, { status: svc.status, mode: open?.mode ?? null },
          { status: o.status, ...(open ? { to: o.today } : {}), reason: o.reason });
        return { changed: svc.status === 'suspended', mode: open?.mode ?? null };
      }).immediate();
    },
  };
}

export type ActionStore = ReturnType<typeof actionStore>;
