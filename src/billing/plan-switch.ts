/**
 * The daily `plan-changes` job: a plan change recorded ahead of its date (contracts.ts `changePlan`)
 * becomes the enforced plan on its effective date. Invoicing reads the dated changes itself; what this
 * moves is `services.plan_id`, the plan RADIUS authorizes and rates a login by.
 *
 * For a date, every service with a change due by then and not applied yet takes the plan of its latest
 * change effective by that date (unless that latest one was applied already: a later change recorded as
 * effective at once). One transaction: the switches, an audit row each, and the changes marked applied.
 * After the commit RADIUS drops its cached rows, and each switched service's live sessions get the new
 * rate through ServiceControl.refreshRate (CoA, Disconnect as its fallback), as an immediate plan
 * change does. Idempotent: a change is applied once, so running a date again changes and sends nothing,
 * and a later hand edit of the plan (PATCH planId) is not undone by the next day's run.
 */
import type { ContractStore } from '../db/billing.js';
import type { Actor } from '../db/crud.js';
import type { CalDate } from '../lib/calendar.js';
import type { Clock } from '../lib/clock.js';
import { because, type ServiceControl } from '../nas/control.js';
import { said } from '../lib/errors.js';

/** Audit actor and action-log `by` of the switches. */
export const PLAN_SWITCH_ACTOR: Actor = { id: 'system:plan-changes' };

export interface PlanSwitchOptions {
  store: ContractStore;
  clock: Clock;
  /** Live sessions get the new rate; absent, only the database changes (the next login gets it). */
  control?: ServiceControl | undefined;
  /** Called after commit with the services switched: RADIUS drops its cached rows. */
  onServicesChanged?: ((serviceIds: number[]) => void) | undefined;
  /** A CoA that failed after the commit (logged; the run still succeeds: the plan has switched). */
  onError?: ((err: unknown, context: Record<string, unknown>) => void) | undefined;
}

export interface PlanSwitch {
  serviceId: number;
  fromPlanId: number;
  toPlanId: number;
  planChangeId: number;
  effectiveDate: CalDate;
}

export interface PlanSwitchResult {
  date: CalDate;
  switched: PlanSwitch[];
  /** Changes marked applied (switched, already on the plan, or superseded). */
  applied: number;
}

/**
 * The job, to register with the runner: order 5, before billing (10), so that every job of a date
 * (dunning's suspensions, prepaid, the cap reset's CoA) acts on the plan in force that day, and a
 * billing failure, which stops the run, does not hold a rate change back.
 */
export function planSwitchJob(opts: PlanSwitchOptions) {
  const { store, clock } = opts;

  async function runFor(date: CalDate): Promise<PlanSwitchResult> {
    const at = clock.now().toISOString();
    const { switched, applied } = await store.transaction(async () => {
      const out: PlanSwitch[] = [];
      for (const r of await store.duePlanSwitches(date)) {
        if (r.superseded || r.fromPlanId === r.toPlanId) continue;
        await store.setServicePlan(r.serviceId, r.toPlanId, at);
        const s = { serviceId: r.serviceId, fromPlanId: r.fromPlanId, toPlanId: r.toPlanId, planChangeId: r.changeId, effectiveDate: r.effectiveDate };
        await store.audit(PLAN_SWITCH_ACTOR, at, 'plan_switch', 'service', r.serviceId, { planId: s.toPlanId, previousPlanId: s.fromPlanId, planChangeId: s.planChangeId, effectiveDate: s.effectiveDate, runDate: date });
        out.push(s);
      }
      return { switched: out, applied: await store.markPlanChangesApplied(date, at) };
    });
    if (switched.length > 0) opts.onServicesChanged?.(switched.map((s) => s.serviceId));
    // One service at a time, as the cap reset does: a NAS that does not answer delays, never fails, the run.
    for (const s of switched) {
      if (!opts.control) break;
      try {
        await opts.control.refreshRate(s.serviceId, {
          ...because(said('reason.action.planSwitched', `plan changed from ${s.fromPlanId} to ${s.toPlanId} (effective ${s.effectiveDate})`, { from: s.fromPlanId, to: s.toPlanId, date: s.effectiveDate })),
          by: PLAN_SWITCH_ACTOR.id,
        });
      } catch (err) {
        opts.onError?.(err, { serviceId: s.serviceId, action: 'refreshRate' });
      }
    }
    return { date, switched, applied };
  }

  return { name: 'plan-changes', order: 5, runFor };
}
