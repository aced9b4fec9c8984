/**
 * Data caps around the pure rules of domain/caps.ts:
 * - at login, the tier from the period's usage (usage_daily, shared by all of a service's sessions)
 *   and its data top-ups (`loginCapChecker`, beside its reader in src/aaa/caps.ts);
 * - on every committed accounting batch, in-memory counters per service that see the moment a
 *   threshold is crossed; a crossing is cross-checked against the database before a CoA
 *   (ServiceControl.refreshRate) goes out, and the 80 % / 100 % notices go out once per period.
 *   The counters a batch lacks are read in a few statements for all its services, and a change of
 *   a service or a plan, on this node or another, drops the counters it affects;
 * - at each period reset (a job), services whose tier falls back get the full rate again by CoA;
 * - data top-ups and the usage report.
 * The tier the NAS was last told is kept in service_cap_state, so restarts neither miss nor repeat a CoA.
 */
import { dateInZone, type CalDate } from '../lib/calendar.js';
import type { Clock } from '../lib/clock.js';
import type { Change, Topic } from '../lib/topic.js';
import { type LocalText, notFound, said, TollgateError } from '../lib/errors.js';
import type { SqlClient } from '../db/sql.js';
import type { Actor } from '../db/crud.js';
import { capStore, type CapServiceRow } from '../db/prepaid.js';
import type { UsageDelta } from '../db/radius.js';
import { because, type ActionRequest, type ServiceControl } from '../nas/control.js';
import type { Notifier } from '../notify/types.js';
import {
  allowanceBytes,
  billingDayOf,
  capPeriod,
  capPolicy,
  reachedNotices,
  tierAt,
  validateTiers,
  type CapPeriod,
  type CapPolicy,
  type CapTier,
  type TierState,
} from '../domain/billing/caps.js';

export interface CapsOptions {
  sql: SqlClient;
  clock: Clock;
  timezone: string;
  notifier?: Notifier | undefined;
  control?: ServiceControl | undefined;
  /** Committed changes of services and plans (this node's and, on PostgreSQL, the other nodes'): the counters they affect are read again. */
  changes?: Topic<Change> | undefined;
  /** Errors of the after-commit work (a CoA that failed): logged by the caller, never thrown at the writer. */
  onError?: ((err: unknown, context: Record<string, unknown>) => void) | undefined;
}

/**
 * One capped service whose accounting this node receives: a million on a large capped network, so
 * it holds only what changes per service. The policy is its plan's and the period an object shared
 * by the services with the same dates; the customer and username a notice needs are read when one
 * goes out (twice a period at most). 143 bytes each, where a counter with its own policy, period,
 * notice set and names took 702 (bench/caps-memory.mjs); the collector's work grows with each one.
 */
interface Counter {
  serviceId: number;
  period: CapPeriod;
  policy: CapPolicy;
  used: number;
  extra: number;
  /** The tier the sessions were last given. */
  level: number;
  /** Notices done this period: NOTICE_BIT of each. */
  noticed: number;
  /**
   * performance.now() at load. Changes of the service or its plan drop the counter at once (the
   * changes topic); it is also read again after COUNTER_TTL_MS for the traffic other nodes committed
   * for the same service (a NAS that failed over and back), which only the database sums.
   */
  loadedAt: number;
}

const COUNTER_TTL_MS = 300_000;
const NOTICE_BIT = { 80: 1, 100: 2 } as const;
/** Services whose counters one read loads, and whose facts the period reset reads at once. */
const LOAD_CHUNK = 1000;
const RESET_CHUNK = 500;
/** Past this many distinct periods the shared ones start again (counters keep theirs). */
const MAX_SHARED_PERIODS = 10_000;

export interface CapUsage {
  serviceId: number;
  period: CapPeriod;
  usedBytes: number;
  topupBytes: number;
  /** The allowance at full speed (first threshold plus top-ups): what 80 % and 100 % refer to. */
  capBytes: number | null;
  tier: TierState & { name: string };
  tiers: CapTier[];
  blockAtBytes: number | null;
}

function tierName(t: TierState): string {
  return t.blocked ? 'blocked' : t.level === 0 ? 'full' : `tier ${t.level}`;
}

/** Why a counter moved the service to tier `t` (`used` bytes so far, `up` when it got slower), by catalogue key. */
function tierReason(t: TierState, used: number, up: boolean): LocalText {
  if (up) {
    const english = `data cap: ${used} bytes used, now ${tierName(t)}`;
    return t.blocked ? said('reason.action.capBlocked', english, { bytes: used }) : said('reason.action.capTier', english, { bytes: used, level: t.level });
  }
  const english = `data cap: back to ${tierName(t)}`;
  return t.level === 0 && !t.blocked ? said('reason.action.capBackFull', english) : said('reason.action.capBackTier', english, { level: t.level });
}

/** Why a new cap period moved the service to tier `t`, by catalogue key. */
function periodReason(t: TierState, start: string): LocalText {
  const english = `data cap period from ${start}: ${tierName(t)}`;
  if (t.blocked) return said('reason.action.capPeriodBlocked', english, { date: start });
  return t.level === 0 ? said('reason.action.capPeriodFull', english, { date: start }) : said('reason.action.capPeriodTier', english, { date: start, level: t.level });
}

export type CapsService = ReturnType<typeof capsService>;

export function capsService(opts: CapsOptions) {
  const store = capStore(opts.sql);
  const now = () => opts.clock.now();
  const today = (): CalDate => dateInZone(now(), opts.timezone);
  /** Capped services followed; a service is in at most one of the two maps. */
  const counters = new Map<number, Counter>();
  /** When a service was found to have no cap: looked at again after COUNTER_TTL_MS. */
  const noCapSince = new Map<number, number>();
  const forgetAll = () => {
    counters.clear();
    noCapSince.clear();
  };
  /** What a read found: a counter, or no cap (null). */
  const hold = (id: number, c: Counter | null) => {
    if (c) {
      counters.set(id, c);
      noCapSince.delete(id);
    } else {
      counters.delete(id);
      noCapSince.set(id, performance.now());
    }
  };
  const pending = new Set<Promise<unknown>>();

  const periodOf = (row: CapServiceRow, date: CalDate) =>
    capPeriod({ startDate: row.startDate, billingDay: billingDayOf(row.billingDay), periodMonths: row.periodMonths }, date);
  const policyOf = async (row: CapServiceRow) => capPolicy(row, await store.tiersOf(row.planId));

  /** Each plan's tiers, and its policy (null: no cap), read once until a plan changes. */
  const planTiers = new Map<number, CapTier[]>();
  const planPolicies = new Map<number, CapPolicy | null>();
  /** Periods by their dates, one object for every counter that has them. */
  const periods = new Map<string, CapPeriod>();
  const sharedPeriod = (p: CapPeriod): CapPeriod => {
    const key = `${p.start}/${p.end}`;
    const known = periods.get(key);
    if (known) return known;
    if (periods.size >= MAX_SHARED_PERIODS) periods.clear();
    periods.set(key, p);
    return p;
  };
  /** What a read learnt of plans: kept only if no plan changed while it ran. */
  interface Learnt {
    tiers: Map<number, CapTier[]>;
    policies: Map<number, CapPolicy | null>;
  }
  /** A plan's facts are the same on each of its services' rows. */
  const planPolicy = (row: CapServiceRow, learnt: Learnt): CapPolicy | null => {
    let policy = learnt.policies.has(row.planId) ? learnt.policies.get(row.planId) : planPolicies.get(row.planId);
    if (policy === undefined) {
      policy = capPolicy(row, learnt.tiers.get(row.planId) ?? planTiers.get(row.planId) ?? []);
      learnt.policies.set(row.planId, policy);
    }
    return policy;
  };
  /**
   * Services changed while counters were being read (or all of them): those counters may predate
   * the change and are not kept. Reads run one at a time (the evaluation chain), so one guard serves.
   */
  let readGuard: { ids: Set<number>; all: boolean } | undefined;

  /**
   * Fresh counters from the database (which already holds every committed delta) for the services of
   * a batch: a handful of reads however many services, so a restart under a capped network, or the
   * counters' expiry, costs queries per batch rather than six per service. `justAdded`: the bytes of
   * this batch, already in the database, that the sessions were not yet given a tier for.
   */
  async function loadCounters(wanted: ReadonlyMap<number, { date: CalDate; justAdded: number }>): Promise<Map<number, Counter | null>> {
    const guard = { ids: new Set<number>(), all: false };
    readGuard = guard;
    try {
      const learnt: Learnt = { tiers: new Map(), policies: new Map() };
      const out = await readCounters(wanted, learnt);
      if (guard.all) return new Map();
      for (const [id, tiers] of learnt.tiers) planTiers.set(id, tiers);
      for (const [id, policy] of learnt.policies) planPolicies.set(id, policy);
      for (const id of guard.ids) out.delete(id);
      return out;
    } finally {
      readGuard = undefined;
    }
  }

  async function readCounters(wanted: ReadonlyMap<number, { date: CalDate; justAdded: number }>, learnt: Learnt): Promise<Map<number, Counter | null>> {
    const out = new Map<number, Counter | null>();
    for (const id of wanted.keys()) out.set(id, null);
    const rows = await store.capServices([...wanted.keys()]);
    const missing = [...new Set(rows.map((r) => r.planId))].filter((id) => !planTiers.has(id));
    if (missing.length > 0) for (const [id, tiers] of await store.tiersOfPlans(missing)) learnt.tiers.set(id, tiers);
    const capped = new Map<number, { row: CapServiceRow; policy: CapPolicy; period: CapPeriod }>();
    for (const row of rows) {
      const policy = planPolicy(row, learnt);
      if (policy) capped.set(row.id, { row, policy, period: sharedPeriod(periodOf(row, wanted.get(row.id)!.date)) });
    }
    const facts = await store.counterFacts([...capped.values()].map(({ row, period }) => ({ serviceId: row.id, start: period.start, end: period.end })));
    const loadedAt = performance.now();
    for (const f of facts) {
      const { row, policy, period } = capped.get(f.serviceId)!;
      let noticed = 0;
      for (const k of f.noticeKeys) if (k === `cap.80:${period.start}`) noticed |= NOTICE_BIT[80];
      else if (k === `cap.100:${period.start}`) noticed |= NOTICE_BIT[100];
      // A new period with no recorded state starts from what the sessions were last told (the reset job
      // brings them back); with no state at all the sessions got the login's tier, computed the same way.
      const level = f.state ? f.state.tier : tierAt(policy, f.usedBytes - wanted.get(row.id)!.justAdded, f.topupBytes).level;
      // Sessions that got a reduced tier at login: recorded, so the period reset brings the full rate back.
      if (!f.state && level > 0) await store.setCapState(row.id, period.start, level, now().toISOString());
      out.set(row.id, { serviceId: row.id, period, policy, used: f.usedBytes, extra: f.topupBytes, level, noticed, loadedAt });
    }
    return out;
  }

  /** Forgets counters after a committed change (this node's or another's): services by id, or all. */
  function forget(serviceIds?: readonly number[]): void {
    if (serviceIds === undefined) {
      forgetAll();
      if (readGuard) readGuard.all = true;
      return;
    }
    for (const id of serviceIds) {
      counters.delete(id);
      noCapSince.delete(id);
      readGuard?.ids.add(id);
    }
  }

  // Changes of cached data, from this node (API, jobs, network actions) and from the others: a
  // service's plan, start date or billing day sets its period and policy, a plan its cap and tiers.
  // Customers hold nothing a counter uses (a deleted customer's services are gone with it).
  opts.changes?.subscribe((change) => {
    if (change.entity === 'plan') {
      planTiers.clear();
      planPolicies.clear();
      anyCap = undefined;
      forget();
    } else if (change.entity === 'service') forget(change.ids);
  });

  function track(p: Promise<unknown>): void {
    pending.add(p);
    void p.finally(() => pending.delete(p));
  }

  /** A new rate by CoA; a block cuts the sessions instead (the next login is refused with the reason). */
  function act(c: Counter, blocked: boolean, reason: LocalText): void {
    if (!opts.control) return;
    const req: ActionRequest = { ...because(reason), by: 'system:caps' };
    const p = blocked ? opts.control.disconnect(c.serviceId, req) : opts.control.refreshRate(c.serviceId, req);
    track(p.catch((e) => opts.onError?.(e, { serviceId: c.serviceId, action: blocked ? 'disconnect' : 'refreshRate' })));
  }

  async function notify(c: Counter, pct: 80 | 100): Promise<void> {
    const key = `cap.${pct}:${c.period.start}`;
    if (!(await store.markNotice(c.serviceId, key, now().toISOString()))) return;
    if (!opts.notifier) return;
    const row = await store.capService(c.serviceId);
    if (!row) return; // deleted since its usage was committed
    track(opts.notifier.enqueue({
      customerId: row.customerId, serviceId: c.serviceId, template: `cap.${pct}`,
      data: {
        username: row.username, used: { bytes: c.used }, cap: { bytes: allowanceBytes(c.policy, c.extra) }, usedBytes: c.used,
        capBytes: allowanceBytes(c.policy, c.extra), periodStart: c.period.start, periodEnd: { date: c.period.end },
        action: { message: pct === 80 ? 'notify.cap.fullSpeed' : c.policy.tiers.length > 0 ? 'notify.cap.reducedSpeed' : 'notify.cap.blocked' },
      },
      dedupeKey: `cap.${pct}:${c.serviceId}:${c.period.start}`,
    }).catch((e) => opts.onError?.(e, { serviceId: c.serviceId, action: 'notify' })));
  }

  /** Compares the counter's usage with its tier and thresholds; acts on a change. */
  async function evaluate(c: Counter): Promise<void> {
    let t = tierAt(c.policy, c.used, c.extra);
    if (t.level !== c.level) {
      // Cross-check with the database before telling the NAS: the counter could have drifted (a
      // writer-thread restart, a top-up made through another process).
      ({ usedBytes: c.used, topupBytes: c.extra } = await store.periodTotals(c.serviceId, c.period.start, c.period.end));
      t = tierAt(c.policy, c.used, c.extra);
    }
    if (t.level !== c.level) {
      const from = c.level;
      c.level = t.level;
      await store.setCapState(c.serviceId, c.period.start, t.level, now().toISOString());
      act(c, t.blocked, tierReason(t, c.used, t.level > from));
    }
    for (const pct of reachedNotices(allowanceBytes(c.policy, c.extra), c.used)) {
      if (c.noticed & NOTICE_BIT[pct]) continue;
      c.noticed |= NOTICE_BIT[pct];
      await notify(c, pct);
    }
  }

  /**
   * The writer's after-commit hook: bytes each service just used. The evaluation, CoA and notices run
   * in the background, one evaluation after the other (the counters are shared), in the order the
   * batches committed. Deltas that arrive while one runs wait for the next, together: a watcher that
   * falls behind catches up in larger batches rather than queueing one evaluation per commit.
   */
  let queued: UsageDelta[] = [];
  let evaluating: Promise<void> = Promise.resolve();
  function onUsage(deltas: readonly UsageDelta[]): void {
    // Deferred to the next turn: the Accounting-Responses of the batch go out first.
    if (queued.length === 0) setImmediate(() => {
      evaluating = evaluating.then(() => {
        const batch = queued;
        queued = [];
        return evaluateBatch(batch);
      }).catch((e: unknown) => {
        // The database went away (shutdown) or a read failed: the counters reload on the next batch.
        forgetAll();
        opts.onError?.(e, { action: 'usage' });
      });
      track(evaluating);
    });
    for (const d of deltas) queued.push(d);
  }

  /**
   * Whether any plan has a cap, re-read as often as the counters are and after a tier change. Many
   * networks cap nothing: their usage then costs no query at all, where each service's first record
   * (and, the counters lasting as long as an interim interval, nearly every interim) cost two.
   */
  let anyCap: { value: boolean; at: number } | undefined;
  async function anyPlanCapped(): Promise<boolean> {
    if (!anyCap || performance.now() - anyCap.at > COUNTER_TTL_MS) anyCap = { value: (await store.cappedPlanIds()).length > 0, at: performance.now() };
    return anyCap.value;
  }

  async function evaluateBatch(deltas: readonly UsageDelta[]): Promise<void> {
    if (!(await anyPlanCapped())) {
      forgetAll();
      return;
    }
    const batch = new Map<number, number>();
    for (const d of deltas) batch.set(d.serviceId, (batch.get(d.serviceId) ?? 0) + d.bytes);
    // Once per batch: the zone's date goes through Intl, and a batch holds hundreds of records.
    const day = today();
    const at = performance.now();
    // Services to read afresh: never seen, past their counter's period or its time to live, or found
    // without a cap long enough ago. Read after the commit: the database already holds this batch.
    const stale = new Map<number, { date: CalDate; justAdded: number }>();
    for (const d of deltas) {
      const c = counters.get(d.serviceId);
      const noCap = noCapSince.get(d.serviceId);
      const expired = c
        ? d.day > c.period.end || at - c.loadedAt > COUNTER_TTL_MS
        : noCap === undefined || at - noCap > COUNTER_TTL_MS;
      if (!expired) continue;
      const date = d.day > day ? d.day : day;
      const was = stale.get(d.serviceId);
      if (!was || date > was.date) stale.set(d.serviceId, { date, justAdded: batch.get(d.serviceId) ?? 0 });
    }
    const touched = new Map<number, Counter>();
    // In chunks: a watcher catching up may hold tens of thousands, and each chunk's rows are handled
    // on the event loop the RADIUS server answers on.
    const wanted = [...stale];
    for (let i = 0; i < wanted.length; i += LOAD_CHUNK) {
      for (const [id, c] of await loadCounters(new Map(wanted.slice(i, i + LOAD_CHUNK)))) {
        hold(id, c);
        if (c) touched.set(id, c);
      }
    }
    for (const d of deltas) {
      if (stale.has(d.serviceId)) continue;
      const c = counters.get(d.serviceId);
      if (!c) continue;
      if (d.day >= c.period.start) c.used += d.bytes;
      touched.set(d.serviceId, c);
    }
    for (const c of touched.values()) {
      try {
        await evaluate(c);
      } catch (e) {
        counters.delete(c.serviceId);
        opts.onError?.(e, { serviceId: c.serviceId, action: 'evaluate' });
      }
    }
  }

  async function usage(serviceId: number): Promise<CapUsage> {
    const row = await store.capService(serviceId);
    if (!row) throw notFound('service', serviceId);
    const policy = await policyOf(row);
    const period = periodOf(row, today());
    const { usedBytes: used, topupBytes: extra } = await store.periodTotals(serviceId, period.start, period.end);
    const t = policy ? tierAt(policy, used, extra) : { level: 0, blocked: false, rate: null, nextAtBytes: null };
    return {
      serviceId, period, usedBytes: used, topupBytes: extra, capBytes: policy ? allowanceBytes(policy, extra) : null,
      tier: { ...t, name: tierName(t) }, tiers: policy?.tiers ?? [], blockAtBytes: policy?.blockAtBytes == null ? null : policy.blockAtBytes + extra,
    };
  }

  /** Adds data to the current period; a service held back by its cap gets its rate back at once. */
  async function topupData(serviceId: number, bytes: number, actor: Actor) {
    if (!Number.isSafeInteger(bytes) || bytes <= 0) throw new TollgateError('invalid_input', said('fault.topup.bytes', 'bytes must be a positive integer'), 'bytes');
    const created = await store.transaction(async () => {
      const row = await store.capService(serviceId);
      if (!row) throw notFound('service', serviceId);
      if (!(await policyOf(row))) throw new TollgateError('conflict', said('fault.topup.noCap', `service ${serviceId} has no data cap`, { id: String(serviceId) }), 'serviceId');
      const period = periodOf(row, today());
      const at = now().toISOString();
      const t = await store.insertDataTopup(serviceId, period.start, bytes, at, actor.id);
      await store.audit(actor, at, 'data_topup', 'service', serviceId, undefined, t);
      return t;
    });
    // In turn with the usage batches, which share the counters.
    const reload = evaluating.then(async () => {
      forget([serviceId]);
      const c = (await loadCounters(new Map([[serviceId, { date: today(), justAdded: 0 }]]))).get(serviceId);
      if (c) {
        hold(serviceId, c);
        await evaluate(c);
      }
    });
    evaluating = reload.catch(() => undefined);
    await reload;
    return { ...created, usage: await usage(serviceId) };
  }

  /**
   * The period-reset job: every capped service whose period changed since its sessions were last
   * told a tier gets the tier of its new period (full rate, usually) by CoA. State-driven and idempotent.
   */
  async function runReset(at: Date = now()): Promise<{ reset: number[] }> {
    const date = dateInZone(at, opts.timezone);
    const reset: number[] = [];
    // Those whose recorded tier is of an earlier period than today's: none on most days, and on a
    // period's first day their facts are read a chunk at a time, not five statements each.
    const due = (await store.reducedServices())
      .map((row) => ({ row, period: periodOf(row, date) }))
      .filter(({ row, period }) => row.statePeriodStart < period.start);
    const tiers = new Map<number, CapTier[]>();
    for (let i = 0; i < due.length; i += RESET_CHUNK) {
      const chunk = due.slice(i, i + RESET_CHUNK);
      const facts = await store.counterFacts(chunk.map(({ row, period }) => ({ serviceId: row.id, start: period.start, end: period.end })));
      const factsOf = new Map(facts.map((f) => [f.serviceId, f]));
      for (const { row, period } of chunk) {
        const f = factsOf.get(row.id);
        // Reset meanwhile (a run that overlapped), or its state gone with the service.
        if (!f?.state || f.state.periodStart >= period.start) continue;
        let planTierList = tiers.get(row.planId);
        if (!planTierList) tiers.set(row.planId, (planTierList = await store.tiersOf(row.planId)));
        const policy = capPolicy(row, planTierList);
        const t = policy ? tierAt(policy, f.usedBytes, f.topupBytes) : { level: 0, blocked: false, rate: null, nextAtBytes: null };
        await store.setCapState(row.id, period.start, t.level, at.toISOString());
        counters.delete(row.id);
        if (t.level === f.state.tier) continue;
        reset.push(row.id);
        if (opts.control) {
          try {
            await opts.control.refreshRate(row.id, { ...because(periodReason(t, period.start)), by: 'system:caps' });
          } catch (e) {
            opts.onError?.(e, { serviceId: row.id, action: 'refreshRate' });
          }
        }
      }
    }
    return { reset };
  }

  async function setPlanTiers(planId: number, tiers: CapTier[], actor: Actor): Promise<CapTier[]> {
    const list = validateTiers(tiers);
    return store.transaction(async () => {
      if (!(await store.planExists(planId))) throw notFound('plan', planId);
      const before = await store.tiersOf(planId);
      await store.replaceTiers(planId, list);
      await store.audit(actor, now().toISOString(), 'update', 'plan_cap_tiers', planId, before, list);
      planTiers.delete(planId);
      planPolicies.delete(planId);
      anyCap = undefined;
      forget();
      return store.tiersOf(planId);
    });
  }

  /** A service's data top-ups, newest first (the latest `limit`). */
  async function dataTopups(serviceId: number, limit: number) {
    if (!(await store.capService(serviceId))) throw notFound('service', serviceId);
    return store.dataTopups(serviceId, limit);
  }

  return {
    onUsage,
    usage,
    topupData,
    dataTopups,
    runReset,
    setPlanTiers,
    planTiers: async (planId: number): Promise<CapTier[]> => {
      if (!(await store.planExists(planId))) throw notFound('plan', planId);
      return store.tiersOf(planId);
    },
    /** Counters held (capped services followed) and usage records waiting, for the metrics. */
    stats: (): { counters: number; queued: number } => ({ counters: counters.size, queued: queued.length }),
    /** Resolves when the queued usage is evaluated and the CoAs and notices started so far have settled (tests, shutdown). */
    idle: async () => {
      while (queued.length > 0 || pending.size > 0) {
        await new Promise((r) => setImmediate(r));
        await Promise.allSettled([...pending]);
      }
    },
  };
}
