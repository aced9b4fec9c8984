/**
 * ServiceControl (src/nas/control.ts) over RFC 5176: suspend, resume, disconnect and refresh the rate
 * of a service's live sessions, with every request in the action log (nas_actions).
 *
 * For each open session of the service the NAS of that session gets a Disconnect-Request or a
 * CoA-Request on its coaPort, naming the session by User-Name, Acct-Session-Id, Framed-IP-Address
 * and NAS-IP-Address where known (the CoA client adds Event-Timestamp and Message-Authenticator and
 * retransmits with backoff). What a live session should get is what a fresh login would get now
 * (the same `decide()`): a reject means Disconnect, an accept means a CoA with its rate (and, in the
 * walled garden, Mikrotik-Address-List). A NAK with Error-Cause 503 (Session-Context-Not-Found)
 * closes our record of the session; a NAKed CoA falls back to a Disconnect; a NAKed or unanswered
 * Disconnect falls back to the RouterOS API where the NAS has one.
 *
 * An ACK is not the end. A background checker confirms an ACKed Disconnect when the session's
 * Accounting-Stop arrives (its record closes) and an ACKed CoA when any accounting packet of the
 * session arrives after the ACK; past the confirmation timeout it retries once, then flags the action
 * `unconfirmed`. A CoA retry never resends the stored attributes: it sends what the service should get
 * at the time of the retry, and is dropped when a newer action on the same session superseded it.
 *
 * Several nodes may share one database, and any of them checks the action log: each action is worked
 * on under a claim (src/db/actions.ts), by the node that requested it while it sends it, then by
 * whichever node's checker claims it when its check is due. A node that dies while sending leaves a
 * pending action whose claim expires; another node's checker takes it over and sends it as a retry
 * would (a CoA with what the service should get then). Every write names its claim, so a node that
 * lost its claim (it stalled past the expiry and the action was taken over) records nothing more.
 */
import type { Logger } from 'pino';
import { decide, type ReplyAttr } from '../aaa/decide.js';
import { policyFromConfig } from '../aaa/policy.js';
import { loginCapCheckerOf } from '../aaa/caps.js';
import type { Config } from '../config/schema.js';
import { actionStore, type ActionSession, type ActionUpdate, type Claim, type NasActionKind, type NasActionOutcome, type NasActionRow, type SuspensionMode } from '../db/actions.js';
import type { SqlClient } from '../db/sql.js';
import { radiusQueries, writeBarrier, type AcctWriter } from '../db/radius.js';
import { dateInZone } from '../lib/calendar.js';
import type { Clock } from '../lib/clock.js';
import { parseStored } from '../lib/errors.js';
import { newInstanceId } from '../lib/process-holder.js';
import type { SecretBox } from '../lib/secretbox.js';
import type { Metrics } from '../metrics.js';
import { CoaClient, DEFAULT_COA_PORT, DEFAULT_RETRY, retransmitDelay, type CoaResult, type CoaSession } from '../radius/coa/index.js';
import type { Dictionary } from '../radius/dict/dictionary.js';
import { loadDictionary } from '../radius/dict/load.js';
import { coaHost, confirmSeconds, enforcement, judgeAcked, summarize, type Enforcement, type RequestSummary } from './action-plan.js';
import type { ActionRequest, ActionSummary, ServiceControl } from './control.js';
import { actionError, andThen, onRetry, storedErrorMessage, why, type ActionError, type ActionStage } from './action-errors.js';

/** A live session as the RouterOS fallback needs it to find the router's entry. */
export interface RouterOsSessionRef {
  username: string;
  acctSessionId: string;
  framedIpAddress: string | null;
  callingStationId: string | null;
}

/**
 * `notFound`: the router had no such session (it is gone, so our record is closed). `error`: the
 * router's words (or why it could not be reached), kept as said.
 */
export type RouterOsResult = { ok: true; notFound?: boolean } | { ok: false; error: string };

/**
 * Removes an active session through the NAS's RouterOS API. Resolves to undefined when the NAS has
 * no RouterOS API configured, so the caller knows there is no fallback.
 */
export type RouterOsFallback = (nasId: number, session: RouterOsSessionRef) => Promise<RouterOsResult | undefined>;

/** Closes our record of a session the NAS says it does not have. */
export type SessionCloser = (s: { id: number; nasId: number | null; acctSessionId: string; username: string; at: Date; cause: string }) => Promise<void>;

export interface ServiceControlDeps {
  /** The database of the action log and of the RADIUS-side readers (service facts, data caps, the write barrier). */
  sql: SqlClient;
  box: SecretBox;
  config: Config;
  clock: Clock;
  /** The RFC 5176 client; one is made (and closed by stop()) from `[radius] coa_*` when absent. */
  coa?: CoaClient;
  dictionary?: Dictionary;
  /**
   * Closes a session record. In the daemon this goes through the RADIUS server's accounting writer
   * (`writerSessionCloser`) so its in-memory index of open sessions follows; absent, the row is
   * updated directly (a process without a RADIUS server).
   */
  closeSession?: SessionCloser;
  /** Called after a service's status changed, before any packet goes out: RADIUS drops its cached row. */
  onServiceChange?: (serviceId: number) => void;
  routerOs?: RouterOsFallback;
  metrics?: Metrics;
  log?: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** How often the checker looks at ACKed actions; default 1000 ms. */
  checkIntervalMs?: number;
  /** This node's name on the actions it claims; default host, pid and a random part. */
  holder?: string;
  /**
   * How long a claim holds before another node may take the action over; default the longest a
   * CoA exchange may take with the configured retries, plus the RouterOS fallback, plus a minute.
   */
  claimMs?: number;
}

export interface ServiceControlRuntime extends ServiceControl {
  /** Starts the background checker (idempotent). */
  start(): void;
  /** Stops the checker, ends outstanding requests and waits for the actions in flight. */
  stop(): Promise<void>;
  /** One pass of the checker (what the interval runs); tests call it with a moved clock. */
  check(): Promise<void>;
}

type Entry = ActionSummary['actions'][number];

/**
 * A SessionCloser through the RADIUS server's accounting writer: an Accounting-Stop of our own
 * making (no counters, so usage does not move), committed like any other, so the writer's index of
 * open sessions stays in step. A session whose NAS row is gone is closed directly.
 */
export function writerSessionCloser(sql: SqlClient, writer: AcctWriter, timezone: string): SessionCloser {
  const store = actionStore(sql);
  return async (s) => {
    if (s.nasId === null) {
      await store.closeSession(s.id, s.at.toISOString(), s.cause);
      return;
    }
    await writer.accounting({
      kind: 'stop', nasId: s.nasId, acctSessionId: s.acctSessionId, username: s.username, at: s.at.toISOString(), day: dateInZone(s.at, timezone),
      nasIpAddress: null, nasPort: null, framedIpAddress: null, callingStationId: null, calledStationId: null, sessionTime: null,
      inputOctets: null, outputOctets: null, terminateCause: s.cause, interimInterval: null,
    });
  };
}

const NOT_FOUND_CAUSE = 'Session-Context-Not-Found';

/** The RouterOS fallback's connect and command timeouts (src/nas/routeros-fallback.ts), with room to spare. */
const ROUTEROS_MS = 15_000;

/** The longest one CoA exchange waits with `tries` transmissions `timeoutMs` apart, backing off. */
function coaExchangeMs(timeoutMs: number, tries: number): number {
  const retry = { ...DEFAULT_RETRY, initialTimeoutMs: timeoutMs, maxTries: tries };
  let ms = 0;
  for (let attempt = 1; attempt <= tries; attempt++) ms += retransmitDelay(retry, attempt);
  return ms;
}

/** The request's catalogue message as the action log stores it (`reason_message`). */
function storedMessage(req: ActionRequest): string | null {
  const m = req.reasonMessage;
  return m ? JSON.stringify(m.values ? { key: m.key, values: m.values } : { key: m.key }) : null;
}

/** The request a logged action was made for: a fallback or a retry keeps its reason in every language. */
function requestOf(a: NasActionRow): ActionRequest {
  // Its values stay as stored (numbers too: a plural needs its number). Not JSON (written by hand):
  // the English reason alone goes on.
  const m = parseStored(a.reasonMessage) as { key?: unknown; values?: Record<string, string | number> } | undefined;
  const reasonMessage: ActionRequest['reasonMessage'] = m && typeof m.key === 'string' ? (m.values ? { key: m.key, values: m.values } : { key: m.key }) : undefined;
  return { reason: a.reason, reasonMessage, by: a.actor };
}

export function createServiceControl(deps: ServiceControlDeps): ServiceControlRuntime {
  const { sql, box, config, clock } = deps;
  const store = actionStore(sql);
  const holder = deps.holder ?? newInstanceId();
  const claimMs = deps.claimMs ?? coaExchangeMs(config.radius.coa_timeout_ms, config.radius.coa_tries) + ROUTEROS_MS + 60_000;
  const rq = radiusQueries(sql);
  const dict = deps.dictionary ?? loadDictionary(config.radius.dictionaries);
  const ownCoa = deps.coa === undefined;
  const coa = deps.coa ?? new CoaClient({ clock, dictionary: dict, retry: { initialTimeoutMs: config.radius.coa_timeout_ms, maxTries: config.radius.coa_tries } });
  const policy = policyFromConfig(config);
  const timezone = config.billing.timezone;
  const confirm = {
    disconnectConfirmSeconds: config.radius.disconnect_confirm_seconds,
    coaConfirmSeconds: config.radius.coa_confirm_seconds,
    interimInterval: config.radius.interim_interval,
  };
  const inflight = new Set<Promise<unknown>>();
  let timer: NodeJS.Timeout | undefined;
  let checking: Promise<void> | undefined;
  let stopped = false;

  const iso = (d: Date = clock.now()) => d.toISOString();
  const checkAt = (kind: NasActionKind, from: Date) => iso(new Date(from.getTime() + confirmSeconds(kind, confirm) * 1000));
  const counted = (kind: NasActionKind, outcome: NasActionOutcome) => deps.metrics?.nasActions.inc({ kind, outcome });
  const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

  function track<T>(p: Promise<T>): Promise<T> {
    inflight.add(p);
    void p.finally(() => inflight.delete(p)).catch(() => {});
    return p;
  }

  async function closeSession(s: Pick<ActionSession, 'id' | 'nasId' | 'acctSessionId' | 'username'>): Promise<void> {
    const at = clock.now();
    try {
      if (deps.closeSession) await deps.closeSession({ id: s.id, nasId: s.nasId, acctSessionId: s.acctSessionId, username: s.username, at, cause: NOT_FOUND_CAUSE });
      else await store.closeSession(s.id, iso(at), NOT_FOUND_CAUSE);
    } catch (e) {
      deps.log?.error({ err: message(e), session: s.id }, 'could not close the session record after a NAK Session-Context-Not-Found');
    }
  }

  /** The terms of a claim taken now. */
  function claimTerms() {
    const now = clock.now();
    return { holder, now: iso(now), until: iso(new Date(now.getTime() + claimMs)) };
  }

  /**
   * Records what became of an action under its claim. False when the claim was lost (the action was
   * taken over by another node meanwhile): then this answer is logged, not recorded, and nothing
   * follows from it.
   */
  async function record(claim: Claim, update: ActionUpdate & { failure?: ActionError }, release = false): Promise<boolean> {
    const { failure, ...rest } = update;
    const u: ActionUpdate = failure ? { ...rest, error: failure.text, errorMessage: storedErrorMessage(failure) } : rest;
    if (await store.updateAction(claim.id, u, { claim }, release)) return true;
    deps.log?.warn({ action: claim.id, holder, update: u }, 'the action was taken over by another node: this answer is not recorded');
    return false;
  }

  function coaSession(s: Pick<ActionSession, 'username' | 'acctSessionId' | 'framedIpAddress' | 'nasIpAddress'>): CoaSession {
    return {
      userName: s.username,
      acctSessionId: s.acctSessionId,
      ...(s.framedIpAddress !== null ? { framedIpAddress: s.framedIpAddress } : {}),
      ...(s.nasIpAddress !== null ? { nasIpAddress: s.nasIpAddress } : {}),
    };
  }

  type Sent = CoaResult | { outcome: 'failed'; failure: ActionError; attempts: number; sessionNotFound: false };

  /** One request to the session's NAS; never rejects. */
  async function transmit(kind: NasActionKind, s: ActionSession, attributes: readonly ReplyAttr[]): Promise<Sent> {
    const host = coaHost(s.nasAddress, s.nasIpAddress);
    if (s.nasId === null || s.nasSecretEnc === null) return { outcome: 'failed', failure: actionError(why.noNas()), attempts: 0, sessionNotFound: false };
    if (host === undefined) return { outcome: 'failed', failure: actionError(why.rangeAddress(String(s.nasAddress), s.nasIpAddress)), attempts: 0, sessionNotFound: false };
    try {
      const target = { host, port: s.coaPort ?? DEFAULT_COA_PORT, secret: box.openBuffer(s.nasSecretEnc) };
      if (kind === 'disconnect') return await coa.disconnect(target, coaSession(s));
      const attrs = attributes.map(([name, value]) => {
        const def = dict.attr(name);
        if (!def) throw new Error(`attribute ${name} is not in the dictionary`);
        return { def, value };
      });
      return await coa.coa(target, coaSession(s), attrs);
    } catch (e) {
      return { outcome: 'failed', failure: actionError(why.sendFailed(message(e))), attempts: 0, sessionNotFound: false };
    }
  }

  function targetOf(s: ActionSession): string | null {
    const host = coaHost(s.nasAddress, s.nasIpAddress);
    if (host === undefined) return null;
    const port = s.coaPort ?? DEFAULT_COA_PORT;
    return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  }

  /** The session removed through its NAS's RouterOS API; undefined when the NAS has none. Never rejects. */
  async function routerOs(s: ActionSession): Promise<RouterOsResult | undefined> {
    if (s.nasId === null || !deps.routerOs) return undefined;
    try {
      return await deps.routerOs(s.nasId, { username: s.username, acctSessionId: s.acctSessionId, framedIpAddress: s.framedIpAddress, callingStationId: s.callingStationId });
    } catch (e) {
      return { ok: false, error: message(e) };
    }
  }

  /** The RouterOS fallback for a Disconnect, if the NAS has the API: true when the router removed the session. */
  async function viaRouterOs(claim: Claim, s: ActionSession, attemptsBefore: number, errorBefore: ActionError | null): Promise<boolean> {
    if (s.nasId === null || !deps.routerOs) return false;
    const r = await routerOs(s);
    if (r === undefined) return false;
    const now = clock.now();
    if (r.ok) {
      if (!(await record(claim, { at: iso(now), outcome: 'acked', via: 'routeros', attempts: attemptsBefore + 1, answeredAt: iso(now), checkAt: checkAt('disconnect', now) }))) return false;
      counted('disconnect', 'acked');
      if (r.notFound) await closeSession(s);
      return true;
    }
    await record(claim, { at: iso(now), via: 'routeros', attempts: attemptsBefore + 1, failure: andThen(errorBefore, why.routerOs(r.error)) });
    return false;
  }

  /** Sends one action for one session, logs it and runs its fallbacks; returns every action it made. */
  async function act(kind: NasActionKind, s: ActionSession, attributes: ReplyAttr[], req: ActionRequest, fallbackOf: number | null = null): Promise<number[]> {
    const claim = await store.insertAction({
      kind, reason: req.reason, reasonMessage: storedMessage(req), actor: req.by, serviceId: s.serviceId, sessionId: s.id, acctSessionId: s.acctSessionId, username: s.username,
      nasId: s.nasId, target: targetOf(s), request: JSON.stringify(summarize(s, attributes)), outcome: 'pending', fallbackOf, at: iso(),
    }, claimTerms());
    const more = await deliver(claim, kind, s, attributes, req, 0);
    // Not released when deliver threw (its answer may be unrecorded): the claim expires and the
    // action is taken over and sent again rather than left pending for good.
    await store.release(claim);
    return [claim.id, ...more];
  }

  /**
   * Sends a claimed action (new, or taken over from a node that died) and records the answer and its
   * fallbacks; returns the fallback actions it made.
   */
  async function deliver(claim: Claim, kind: NasActionKind, s: ActionSession, attributes: ReplyAttr[], req: ActionRequest, attemptsBefore: number): Promise<number[]> {
    const r = await transmit(kind, s, attributes);
    const now = clock.now();
    const attempts = attemptsBefore + r.attempts;
    if (r.outcome === 'ack') {
      if (await record(claim, { at: iso(now), outcome: 'acked', attempts, answeredAt: iso(now), checkAt: checkAt(kind, now) })) counted(kind, 'acked');
      return [];
    }
    if (r.outcome === 'nak') {
      if (!(await record(claim, { at: iso(now), outcome: 'nak', attempts, answeredAt: iso(now), errorCause: r.errorCause ?? null, errorCauseName: r.errorCauseName ?? null }))) return [];
      counted(kind, 'nak');
      if (r.sessionNotFound) {
        await closeSession(s);
        return [];
      }
      if (kind === 'coa') return act('disconnect', s, [], req, claim.id);
      await viaRouterOs(claim, s, attempts, null);
      return [];
    }
    const failure = r.outcome === 'failed' ? r.failure : actionError(r.error !== undefined ? why.sendFailed(r.error) : why.noAnswer(r.attempts));
    if (!(await record(claim, { at: iso(now), outcome: r.outcome, attempts, failure }))) return [];
    counted(kind, r.outcome);
    if (kind === 'disconnect') await viaRouterOs(claim, s, attempts, failure);
    return [];
  }

  async function summary(serviceId: number, ids: number[]): Promise<ActionSummary> {
    return {
      serviceId,
      actions: await Promise.all(
        ids.map(async (id): Promise<Entry> => {
          const a = (await store.action(id))!;
          return { id, kind: a.kind, sessionId: a.acctSessionId, outcome: a.outcome };
        }),
      ),
    };
  }

  async function openSessions(serviceId: number): Promise<ActionSession[]> {
    // Read-your-writes: accounting handed to the writer thread before now is committed first.
    await writeBarrier(sql);
    return store.openSessions(serviceId);
  }

  /** What a live session of the service should get now: what a fresh login would get (the same decide()). */
  async function wanted(username: string): Promise<(s: ActionSession) => Enforcement> {
    const facts = await rq.service(username);
    const now = clock.now();
    // The data-cap facts exactly as a login reads them (fair-use tier, block, top-ups).
    const cap = facts ? await loginCapCheckerOf(sql).load(facts, dateInZone(now, timezone)) : undefined;
    return (s) => enforcement(decide(
      facts,
      { passwordOk: true, callingStationId: facts?.macAddress ?? s.callingStationId, nasId: s.nasId ?? 0, vendor: s.vendor ?? 'generic' },
      { now, openSessions: [], policy, cap },
    ));
  }

  /** Every open session to what a fresh login would get now (CoA), or cut when it would be refused. */
  async function enforce(serviceId: number, req: ActionRequest): Promise<ActionSummary> {
    const svc = await store.serviceOrThrow(serviceId);
    const sessions = await openSessions(serviceId);
    const want = await wanted(svc.username);
    const ids = await Promise.all(
      sessions.map(async (s) => {
        const e = want(s);
        if (e.kind === 'none') return [];
        if (e.kind === 'disconnect') return act('disconnect', s, [], req);
        return act('coa', s, e.attributes, req);
      }),
    );
    return summary(serviceId, ids.flat());
  }

  async function disconnectAll(serviceId: number, req: ActionRequest): Promise<ActionSummary> {
    await store.serviceOrThrow(serviceId);
    const sessions = await openSessions(serviceId);
    const ids = await Promise.all(sessions.map((s) => act('disconnect', s, [], req)));
    return summary(serviceId, ids.flat());
  }

  function actor(req: ActionRequest) {
    return { id: req.by };
  }

  async function suspend(serviceId: number, req: ActionRequest): Promise<ActionSummary> {
    const now = clock.now();
    const svc = await store.serviceOrThrow(serviceId);
    const mode: SuspensionMode = req.mode ?? svc.suspensionMode ?? policy.suspendedMode;
    const change = await store.suspend(serviceId, { at: iso(now), today: dateInZone(now, timezone), mode, actor: actor(req), reason: req.reason });
    if (change.changed) deps.onServiceChange?.(serviceId);
    return enforce(serviceId, req);
  }

  async function resume(serviceId: number, req: ActionRequest): Promise<ActionSummary> {
    const now = clock.now();
    const change = await store.resume(serviceId, { at: iso(now), today: dateInZone(now, timezone), actor: actor(req), reason: req.reason });
    if (!change.changed) return { serviceId, actions: [] };
    deps.onServiceChange?.(serviceId);
    // RADIUS cannot take an address out of a list: a walled-garden session is cut, and the customer's
    // next login is accepted at the full rate without the list. A rejected one had no session.
    if (change.mode !== 'walled-garden') return { serviceId, actions: [] };
    return disconnectAll(serviceId, req);
  }

  // ---- the checker

  /**
   * Ends a claimed action without sending it again, with why: an ACKed one is flagged unconfirmed
   * (not retried), a pending one taken over from a node that died fails (not sent).
   */
  async function giveUp(a: NasActionRow, claim: Claim, because: (stage: ActionStage) => ActionError['messages'][number]): Promise<void> {
    const outcome = a.outcome === 'pending' ? 'failed' : 'unconfirmed';
    const failure = actionError(because(a.outcome === 'pending' ? 'notSent' : 'notRetried'));
    if (await record(claim, { at: iso(), outcome, checkAt: null, failure }, true)) counted(a.kind, outcome);
  }

  /**
   * The attributes a CoA retry (or a taken-over CoA) sends: never the stored ones, which may be
   * stale (a plan change ACKed before a suspension must not give the walled-garden session its full
   * rate back), but what the service should get now. Null when there is nothing to send: a newer
   * action on the session superseded this one, the service is gone, nothing a CoA carries applies
   * any more, or the service would now be refused (then the session is disconnected instead, as a
   * fallback of this action).
   */
  async function coaRetryAttributes(a: NasActionRow, claim: Claim, s: ActionSession): Promise<ReplyAttr[] | null> {
    const newer = await store.newerAction(s.id, a.id);
    if (newer !== undefined) {
      await giveUp(a, claim, (stage) => why.superseded(stage, newer.id, newer.kind, newer.outcome));
      return null;
    }
    const svc = a.serviceId === null ? undefined : await store.service(a.serviceId);
    if (svc === undefined) {
      await giveUp(a, claim, why.serviceGone);
      return null;
    }
    const e = (await wanted(svc.username))(s);
    if (e.kind === 'coa') return e.attributes;
    if (e.kind === 'none') {
      await giveUp(a, claim, why.nothingApplies);
      return null;
    }
    await giveUp(a, claim, (stage) => why.wouldBeRefused(stage, e.reason, e.reply));
    await act('disconnect', s, [], requestOf(a), a.id);
    return null;
  }

  /** For a CoA, what to send now, the request summary brought up to date; null: nothing to send. */
  async function attributesNow(a: NasActionRow, claim: Claim, s: ActionSession): Promise<ReplyAttr[] | null> {
    if (a.kind !== 'coa') return [];
    const current = await coaRetryAttributes(a, claim, s);
    if (current === null) return null;
    const request = JSON.parse(a.request) as RequestSummary;
    if (JSON.stringify(request.attributes) !== JSON.stringify(current)) {
      if (!(await record(claim, { at: iso(), request: JSON.stringify(summarize(s, current)) }))) return null;
    }
    return current;
  }

  async function retry(a: NasActionRow, claim: Claim): Promise<void> {
    const s = a.sessionId === null ? undefined : await store.session(a.sessionId);
    const now = clock.now();
    if (s === undefined) {
      if (await record(claim, { at: iso(now), outcome: 'unconfirmed', failure: actionError(why.sessionGone()) })) counted(a.kind, 'unconfirmed');
      return;
    }
    if (a.kind === 'disconnect' && deps.routerOs && s.nasId !== null) {
      const r = await routerOs(s);
      if (r !== undefined) {
        const t = clock.now();
        if (r.ok) {
          if (!(await record(claim, { at: iso(t), via: 'routeros', retries: 1, attempts: a.attempts + 1, checkAt: r.notFound ? iso(t) : checkAt(a.kind, t) }))) return;
          if (r.notFound) await closeSession(s);
        } else if (await record(claim, { at: iso(t), via: 'routeros', retries: 1, attempts: a.attempts + 1, outcome: 'unconfirmed', failure: actionError(why.routerOs(r.error, 'retry')) })) {
          counted(a.kind, 'unconfirmed');
        }
        return;
      }
    }
    const attributes = await attributesNow(a, claim, s);
    if (attributes === null) return;
    const r = await transmit(a.kind, s, attributes);
    const t = clock.now();
    const attempts = a.attempts + r.attempts;
    if (r.outcome === 'ack') {
      await record(claim, { at: iso(t), retries: 1, attempts, checkAt: checkAt(a.kind, t) });
      return;
    }
    if (r.outcome === 'nak' && r.sessionNotFound) {
      // The NAS has no such session: closing our record confirms a Disconnect on the next pass.
      if (!(await record(claim, { at: iso(t), retries: 1, attempts, errorCause: r.errorCause ?? null, errorCauseName: r.errorCauseName ?? null, checkAt: iso(t) }))) return;
      await closeSession(s);
      return;
    }
    const failure = actionError(
      r.outcome === 'nak' ? why.retryNak(r.errorCause ?? null, r.errorCauseName ?? null)
        : r.outcome === 'failed' ? onRetry(r.failure.messages[0]!)
          : r.error !== undefined ? why.sendFailed(r.error, 'retry') : why.retryNoAnswer(),
    );
    const flagged = await record(claim, {
      at: iso(t), retries: 1, attempts, outcome: 'unconfirmed', failure,
      ...(r.outcome === 'nak' ? { errorCause: r.errorCause ?? null, errorCauseName: r.errorCauseName ?? null } : {}),
    });
    if (flagged) counted(a.kind, 'unconfirmed');
  }

  /**
   * A pending action whose sender died before recording an answer: sent again as a retry is (a CoA
   * with what the service should get now). A session that has ended meanwhile needs nothing: that is
   * what confirms an ACKed action, and so it confirms this one.
   */
  async function takeOver(a: NasActionRow, claim: Claim): Promise<void> {
    const s = a.sessionId === null ? undefined : await store.session(a.sessionId);
    const state = s === undefined ? undefined : await store.sessionState(s.id);
    deps.log?.warn({ action: a.id, holder }, 'taking over a network action whose sender stopped before recording an answer');
    if (s === undefined || state?.stoppedAt != null) {
      const now = iso();
      if (a.kind === 'disconnect' || state?.stoppedAt != null) {
        if (await record(claim, { at: now, outcome: 'confirmed', confirmedAt: now, checkAt: null, failure: actionError(why.senderStopped()) }, true)) {
          counted(a.kind, 'confirmed');
        }
      } else {
        await giveUp(a, claim, why.sessionGone);
      }
      return;
    }
    const attributes = await attributesNow(a, claim, s);
    if (attributes === null) return;
    await deliver(claim, a.kind, s, attributes, requestOf(a), a.attempts);
  }

  /** One claimed action: a pending one taken over, or an ACKed one whose check is due. */
  async function work(a: NasActionRow, claim: Claim): Promise<void> {
    if (a.outcome === 'pending') {
      await takeOver(a, claim);
    } else {
      const state = a.sessionId === null ? undefined : await store.sessionState(a.sessionId);
      const now = clock.now();
      const verdict = judgeAcked(a, state, now);
      if (verdict === 'confirmed') {
        if (await record(claim, { at: iso(now), outcome: 'confirmed', confirmedAt: iso(now), checkAt: null })) counted(a.kind, 'confirmed');
      } else if (verdict === 'unconfirmed') {
        // An error recorded on the retry stays as it is; without one, why it ends unconfirmed.
        const failure = a.error === null ? { failure: actionError(why.neverConfirmed()) } : {};
        if (await record(claim, { at: iso(now), outcome: 'unconfirmed', checkAt: null, ...failure })) {
          counted(a.kind, 'unconfirmed');
        }
      } else if (verdict === 'retry') {
        await retry(a, claim);
      }
    }
    await store.release(claim);
  }

  async function checkOnce(): Promise<void> {
    if (!(await store.anyOpen(iso()))) return;
    await writeBarrier(sql);
    // Confirmations first: any node may record one (nothing is sent), and only while nobody holds the action.
    for (const a of await store.ackedActions()) {
      const state = a.sessionId === null ? undefined : await store.sessionState(a.sessionId);
      const now = clock.now();
      if (judgeAcked(a, state, now) !== 'confirmed') continue;
      if (await store.updateAction(a.id, { at: iso(now), outcome: 'confirmed', confirmedAt: iso(now), checkAt: null }, { acked: { now: iso(now) } })) {
        counted(a.kind, 'confirmed');
      }
    }
    // Then what is due, claimed one at a time: each is worked on by one node. One that fails keeps
    // its claim until it expires, so this pass does not take it again.
    while (!stopped) {
      const due = await store.claimDue(claimTerms());
      if (due === undefined) return;
      try {
        await work(due.action, due.claim);
      } catch (e) {
        deps.log?.error({ err: message(e), action: due.action.id }, 'checking a network action failed');
      }
    }
  }

  function check(): Promise<void> {
    checking ??= checkOnce()
      .catch((e: unknown) => deps.log?.error({ err: message(e) }, 'checking network actions failed'))
      .finally(() => (checking = undefined));
    return checking;
  }

  const guarded = <T>(fn: () => Promise<T>): Promise<T> => {
    if (stopped) return Promise.reject(new Error('service control is stopped'));
    return track(fn());
  };

  return {
    suspend: (serviceId, req) => guarded(() => suspend(serviceId, req)),
    resume: (serviceId, req) => guarded(() => resume(serviceId, req)),
    disconnect: (serviceId, req) => guarded(() => disconnectAll(serviceId, req)),
    refreshRate: (serviceId, req) => guarded(() => enforce(serviceId, req)),
    check,
    start() {
      if (timer !== undefined || stopped) return;
      timer = setInterval(() => void check(), deps.checkIntervalMs ?? 1000);
      timer.unref();
    },
    async stop() {
      stopped = true;
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      // Outstanding requests end now (logged as timeouts, "client closed") rather than holding shutdown.
      if (ownCoa) await coa.close();
      await Promise.allSettled([...inflight]);
      await checking;
    },
  };
}
