/**
 * What network actions read and write: a service's open sessions with their NAS, the action log
 * (nas_actions), and the suspend and resume transactions (service status, service_suspensions and
 * the audit row together). The only place with SQL for src/nas/actions.ts.
 *
 * nas_actions is also the outbox several nodes on one database share. Whoever works on an action
 * holds a claim on it: the node that inserts it (and sends it at once), or the checker of any node
 * that takes an ACKed action due for its check, or a pending one whose sender died (its claim
 * expired). A claim names its holder, when it expires and a token; every write made under a claim
 * names the token, so once another node has taken the action over, a late answer from the old
 * holder's attempt changes nothing.
 */
import { auditRecorder } from './audit.js';
import { decodeCursor, encodeCursor, type Page } from './crud.js';
import { dialectSql } from './dialect.js';
import { Conditions } from './conditions.js';
import type { Param, SqlClient } from './sql.js';
import { nasActionOutcomes } from './schema/index.js';
import { notFound, said, TollgateError } from '../lib/errors.js';

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
  /** The reason by catalogue key, JSON `{key, values}`; null on rows from before keys were stored, or a reason typed by hand. */
  reasonMessage: string | null;
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
  /** The error by catalogue key, JSON `[{key, values}]` (src/nas/action-errors.ts); null on rows from before keys were stored. */
  errorMessage: string | null;
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
  Partial<Pick<NasActionRow, 'fallbackOf' | 'error' | 'reasonMessage'>> & { at: string };

export type ActionUpdate = Partial<
  Pick<NasActionRow, 'outcome' | 'errorCause' | 'errorCauseName' | 'error' | 'errorMessage' | 'attempts' | 'retries' | 'via' | 'target' | 'request' | 'answeredAt' | 'confirmedAt' | 'checkAt'>
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
    throw new TollgateError('conflict', said('fault.suspend.status', `service ${serviceId} is ${status}: only an active or free service can be suspended`, { id: String(serviceId), status }), 'status');
  }
}

const SESSION_COLS = `rs.id, rs.service_id as "serviceId", rs.acct_session_id as "acctSessionId", rs.username,
  rs.framed_ip_address as "framedIpAddress", rs.nas_ip_address as "nasIpAddress", rs.calling_station_id as "callingStationId",
  rs.nas_id as "nasId", n.ip_address as "nasAddress", n.secret_enc as "nasSecretEnc", n.coa_port as "coaPort", n.vendor`;

const ACTION_COLS = `id, kind, reason, reason_message as "reasonMessage", actor, service_id as "serviceId", session_id as "sessionId", acct_session_id as "acctSessionId",
  username, nas_id as "nasId", target, request, outcome, error_cause as "errorCause", error_cause_name as "errorCauseName", error, error_message as "errorMessage",
  attempts, retries, via, fallback_of as "fallbackOf", created_at as "createdAt", answered_at as "answeredAt",
  confirmed_at as "confirmedAt", check_at as "checkAt", updated_at as "updatedAt"`;

const UPDATABLE: Record<keyof Omit<ActionUpdate, 'at'>, string> = {
  outcome: 'outcome',
  errorCause: 'error_cause',
  errorCauseName: 'error_cause_name',
  error: 'error',
  errorMessage: 'error_message',
  attempts: 'attempts',
  retries: 'retries',
  via: 'via',
  target: 'target',
  request: 'request',
  answeredAt: 'answered_at',
  confirmedAt: 'confirmed_at',
  checkAt: 'check_at',
};

/** A hold on one action: writes under it name its token. */
export interface Claim {
  id: number;
  token: number;
}

/** Who claims, at which instant, and until when (ISO instants of the caller's clock). */
export interface ClaimTerms {
  holder: string;
  now: string;
  until: string;
}

/**
 * How an update is guarded: under a claim (the row changes only while the claim is the latest one
 * taken), or `acked` (the row changes only while still ACKed and nobody holds an unexpired claim:
 * the checker's confirmations, which any node may make without sending anything).
 */
export type UpdateGuard = { claim: Claim } | { acked: { now: string } };

/**
 * Work for a checker: an ACKed action whose check is due, or a pending action whose sender's claim
 * expired (it died before recording an answer). A pending action without a claim predates claims
 * (an older version's sender that died): it is left alone rather than sent long after the fact.
 */
const DUE = `(outcome = 'acked' and check_at <= @now and (claim_expires_at is null or claim_expires_at < @now))
  or (outcome = 'pending' and claim_expires_at < @now)`;

export function actionStore(sql: SqlClient) {
  const d = dialectSql(sql.dialect);
  const s = {
    service: sql.prepare<ServiceBrief>(`select s.id, s.username, s.status, s.plan_id as "planId", coalesce((select ss.mode from service_suspensions ss where ss.service_id = s.id and ss.to_date is null
        order by ss.id desc limit 1), p.suspension_mode) as "suspensionMode"
      from services s join plans p on p.id = s.plan_id where s.id = ?`),
    openSessions: sql.prepare<ActionSession>(`select ${SESSION_COLS} from radius_sessions rs left join nas n on n.id = rs.nas_id
      where rs.service_id = ? and rs.stopped_at is null order by rs.id`),
    session: sql.prepare<ActionSession>(`select ${SESSION_COLS} from radius_sessions rs left join nas n on n.id = rs.nas_id where rs.id = ?`),
    sessionState: sql.prepare<{ stoppedAt: string | null; updatedAt: string }>(`select stopped_at as "stoppedAt", updated_at as "updatedAt" from radius_sessions where id = ?`),
    closeSession: sql.prepare(`update radius_sessions set stopped_at = ?, updated_at = ?, terminate_cause = coalesce(terminate_cause, ?)
      where id = ? and stopped_at is null`),
    insert: sql.prepare<{ id: number; claimToken: number }>(`insert into nas_actions (kind, reason, reason_message, actor, service_id, session_id, acct_session_id, username, nas_id, target,
      request, outcome, error, fallback_of, created_at, updated_at, claimed_by, claim_expires_at, claim_token)
      values (@kind, @reason, @reasonMessage, @actor, @serviceId, @sessionId, @acctSessionId, @username, @nasId, @target, @request, @outcome,
      @error, @fallbackOf, @at, @at, @holder, @until, 1) returning id, claim_token as "claimToken"`),
    get: sql.prepare<NasActionRow>(`select ${ACTION_COLS} from nas_actions where id = ?`),
    acked: sql.prepare<NasActionRow>(`select ${ACTION_COLS} from nas_actions where outcome = 'acked' order by id`),
    anyDue: sql.prepare(`select 1 as "one" from nas_actions where outcome = 'acked' or (outcome = 'pending' and claim_expires_at < ?) limit 1`),
    // One statement: the row is picked and claimed together. On PostgreSQL the pick locks the row
    // and passes over rows another node is claiming at the same moment; on SQLite the transaction
    // it runs in is the only writer.
    claimDue: sql.prepare<NasActionRow & { claimToken: number }>(`update nas_actions set claimed_by = @holder, claim_expires_at = @until, claim_token = claim_token + 1
      where id = (select id from nas_actions where ${DUE} order by id limit 1 ${d.skipLocked})
      returning ${ACTION_COLS}, claim_token as "claimToken"`),
    release: sql.prepare(`update nas_actions set claimed_by = null, claim_expires_at = null where id = ? and claim_token = ?`),
    newer: sql.prepare<Pick<NasActionRow, 'id' | 'kind' | 'outcome'>>(`select id, kind, outcome from nas_actions where session_id = ? and id > ? and outcome in ('pending', 'acked', 'confirmed')
      order by id desc limit 1`),
    setStatus: sql.prepare(`update services set status = ?, updated_at = ? where id = ?`),
    openSuspension: sql.prepare<{ id: number; fromDate: string; mode: SuspensionMode | null }>(
      `select id, from_date as "fromDate", mode from service_suspensions where service_id = ? and to_date is null order by id desc limit 1`,
    ),
    insertSuspension: sql.prepare(`insert into service_suspensions (service_id, from_date, to_date, mode) values (?, ?, null, ?)`),
    endSuspension: sql.prepare(`update service_suspensions set to_date = ${d.greatest('from_date', '?')} where id = ?`),
  };
  const record = auditRecorder(sql);

  const audit = (at: string, actor: { id: string; ip?: string | undefined }, action: string, id: number, before: unknown, after: unknown) =>
    record(actor, at, action, 'service', id, before, after);

  const serviceOrThrow = async (id: number): Promise<ServiceBrief> => {
    const row = await s.service.get(id);
    if (!row) throw notFound('service', id);
    return row;
  };

  return {
    service: (id: number) => s.service.get(id),
    serviceOrThrow,
    openSessions: (serviceId: number) => s.openSessions.all(serviceId),
    session: (id: number) => s.session.get(id),
    sessionState: (id: number) => s.sessionState.get(id),
    /** Closes a session record directly (no RADIUS server in this process to do it through its writer). */
    closeSession: async (id: number, at: string, cause: string) => (await s.closeSession.run(at, at, cause, id)).changes > 0,

    /** Logs a new action, claimed by its sender (`holder`) until `until`. */
    async insertAction(a: NewAction, claim: { holder: string; until: string }): Promise<Claim> {
      const row = await s.insert.get({ fallbackOf: null, error: null, reasonMessage: null, ...a, ...claim });
      return { id: row!.id, token: row!.claimToken };
    },
    /**
     * Writes what became of an action, under `guard` (see UpdateGuard); `release` also gives the
     * claim up. False when the guard no longer holds: the action was taken over, or settled.
     */
    async updateAction(id: number, u: ActionUpdate, guard: UpdateGuard, release = false): Promise<boolean> {
      const sets: string[] = ['updated_at = @at'];
      const params: Record<string, Param> = { id, at: u.at };
      for (const [k, col] of Object.entries(UPDATABLE)) {
        const v = (u as Record<string, Param | undefined>)[k];
        if (v === undefined) continue;
        sets.push(`${col} = @${k}`);
        params[k] = v;
      }
      if (release) sets.push('claimed_by = null', 'claim_expires_at = null');
      let where = 'id = @id';
      if ('claim' in guard) {
        where += ' and claim_token = @token';
        params.token = guard.claim.token;
      } else {
        where += ` and outcome = 'acked' and (claim_expires_at is null or claim_expires_at < @now)`;
        params.now = guard.acked.now;
      }
      return (await sql.run(`update nas_actions set ${sets.join(', ')} where ${where}`, params)).changes > 0;
    },
    /** Gives a claim up (nothing when the action was taken over since). */
    release: async (c: Claim) => (await s.release.run(c.id, c.token)).changes > 0,
    action: (id: number) => s.get.get(id),
    /** Actions ACKed and waiting for accounting to confirm them. */
    ackedActions: () => s.acked.all(),
    /** Whether a checker has anything to look at: ACKed actions, or pending ones whose claim expired. */
    anyOpen: async (now: string) => (await s.anyDue.get(now)) !== undefined,
    /**
     * Claims the oldest action due (see DUE) for `terms.holder`, or undefined when none is. Nodes
     * claiming at once never get the same action.
     */
    async claimDue(terms: ClaimTerms): Promise<{ action: NasActionRow; claim: Claim } | undefined> {
      const claim = () => s.claimDue.get({ holder: terms.holder, now: terms.now, until: terms.until });
      // On PostgreSQL the statement alone is atomic and passes over rows being claimed, without
      // waiting for the write lock other transactions hold; SQLite's connection is shared, so the
      // claim is a transaction of its own there rather than part of whatever else is open on it.
      const row = await (sql.dialect === 'sqlite' ? sql.transaction(claim) : claim());
      if (!row) return undefined;
      const { claimToken, ...action } = row;
      return { action, claim: { id: action.id, token: claimToken } };
    },
    /**
     * The newest action on the same session after `afterId` that is in flight, ACKed or confirmed: it
     * carries the session's state as of later than the older one.
     */
    newerAction: (sessionId: number, afterId: number) => s.newer.get(sessionId, afterId),

    /** Newest first, as the other logs. */
    async listActions(f: ActionFilter, limit = 50, cursor?: string): Promise<Page<NasActionRow>> {
      const w = new Conditions()
        .when(f.serviceId, 'service_id = ?')
        .when(f.nasId, 'nas_id = ?')
        .when(f.outcome, 'outcome = ?')
        .when(f.kind, 'kind = ?')
        .when(cursor ? decodeCursor(cursor) : undefined, 'id < ?');
      const rows = await sql.all<NasActionRow>(`select ${ACTION_COLS} from nas_actions ${w.sql} order by id desc limit ?`, ...w.args, limit + 1);
      const more = rows.length > limit;
      const items = rows.slice(0, limit);
      return { items, next: more ? encodeCursor(items[items.length - 1]!.id) : null };
    },

    /**
     * Suspends: status, the open service_suspensions row (from `today`) and the audit row in one
     * transaction. A service already suspended is left as it is (changed: false). Only an active or
     * free service can be suspended.
     */
    suspend(serviceId: number, o: { at: string; today: string; mode: SuspensionMode; actor: { id: string; ip?: string }; reason: string }): Promise<StatusChange> {
      return sql.transaction(async (): Promise<StatusChange> => {
        const svc = await serviceOrThrow(serviceId);
        if (svc.status === 'suspended') {
          const open = await s.openSuspension.get(serviceId);
          return { changed: false, mode: open?.mode ?? null };
        }
        assertSuspendable(serviceId, svc.status);
        await s.setStatus.run('suspended', o.at, serviceId);
        await s.insertSuspension.run(serviceId, o.today, o.mode);
        await audit(o.at, o.actor, 'suspend', serviceId, { status: svc.status }, { status: 'suspended', from: o.today, mode: o.mode, reason: o.reason });
        return { changed: true, mode: o.mode };
      });
    },

    /**
     * Resumes: status back to active, the open suspension ended on `today` (its first day active
     * again), and the audit row. A service that is not suspended is left as it is (changed: false).
     */
    resume(serviceId: number, o: { at: string; today: string; actor: { id: string; ip?: string }; reason: string }): Promise<StatusChange> {
      return sql.transaction(async (): Promise<StatusChange> => {
        const svc = await serviceOrThrow(serviceId);
        if (svc.status !== 'suspended') return { changed: false, mode: null };
        const open = await s.openSuspension.get(serviceId);
        await s.setStatus.run('active', o.at, serviceId);
        if (open) await s.endSuspension.run(o.today, open.id);
        await audit(o.at, o.actor, 'resume', serviceId, { status: 'suspended', mode: open?.mode ?? null }, { status: 'active', to: o.today, reason: o.reason });
        return { changed: true, mode: open?.mode ?? null };
      });
    },

    /**
     * A suspended service's status changed by hand to something other than active (ended, free,
     * proposal): the status, the open suspension ended on `today` exactly as resume ends it (to_date is
     * the first day no longer suspended), and the audit row (`end-suspension`), in one transaction.
     * No RADIUS side effect here: the caller acts on the sessions. A service no longer suspended just
     * gets the status (changed: false).
     */
    leaveSuspension(serviceId: number, o: { status: Exclude<ServiceBrief['status'], 'suspended' | 'active'>; at: string; today: string; actor: { id: string; ip?: string }; reason: string }): Promise<StatusChange> {
      return sql.transaction(async (): Promise<StatusChange> => {
        const svc = await serviceOrThrow(serviceId);
        const open = svc.status === 'suspended' ? await s.openSuspension.get(serviceId) : undefined;
        await s.setStatus.run(o.status, o.at, serviceId);
        if (open) await s.endSuspension.run(o.today, open.id);
        await audit(o.at, o.actor, svc.status === 'suspended' ? 'end-suspension' : 'update', serviceId, { status: svc.status, mode: open?.mode ?? null },
          { status: o.status, ...(open ? { to: o.today } : {}), reason: o.reason });
        return { changed: svc.status === 'suspended', mode: open?.mode ?? null };
      });
    },
  };
}

export type ActionStore = ReturnType<typeof actionStore>;
