/**
 * Promotions: one discount applied in bulk, e.g. "50 % for 3 periods" to every service of plan X or
 * to a list of services, and optionally to each new contract on plan X from now on.
 *
 * A promotion writes one ordinary discount per targeted service (target 'service', tied to the
 * promotion by a UNIQUE (promotion_id, service_id)), so the invoice generator bills it like any other
 * discount and nothing is applied twice. For an existing service the discount covers the N periods
 * starting on or after the promotion's start date; for a new contract, its N first periods.
 *
 * Idempotent: a request carries a `key`; the same key with the same terms answers the promotion
 * already made and changes nothing; the same key with other terms is refused. Every row written has
 * its audit record in the same transaction.
 */
import { parseDate, type CalDate } from '../lib/calendar.js';
import type { Clock } from '../lib/clock.js';
import { type LocalText, notFound, said, TollgateError } from '../lib/errors.js';
import { minor } from '../lib/money.js';
import type { ContractStore, PromotionRow, PromotionStore } from '../db/billing.js';
import type { Actor } from '../db/crud.js';

export interface PromotionInput {
  key: string;
  description: string;
  /** Exactly one of percentBp (5000 = 50 %) and amount (fixed per period, minor units). */
  percentBp?: number | undefined;
  amount?: number | undefined;
  startDate: CalDate;
  /** Periods of each service; null: until removed. */
  periods?: number | null | undefined;
  target: { planId: number } | { serviceIds: number[] };
  /** Plan target only: also every new contract on the plan starting on or after startDate. */
  appliesToNew?: boolean | undefined;
  /** Last start date of a new contract that still gets it. */
  newUntil?: CalDate | null | undefined;
}

const bad = (field: string, message: string | LocalText) => new TollgateError('invalid_input', message, field);
export const MAX_PROMOTION_SERVICES = 10_000;

export type PromotionService = ReturnType<typeof promotionService>;

export function promotionService(store: PromotionStore & Pick<ContractStore, 'planType'>, clock: Clock) {
  const at = () => clock.now().toISOString();

  function normalise(input: PromotionInput): Omit<PromotionRow, 'id' | 'createdAt'> {
    if (!/^[\x21-\x7e]{1,100}$/.test(input.key)) throw bad('key', said('fault.promo.key', 'key is 1..100 printable characters without spaces'));
    if ((input.percentBp === undefined) === (input.amount === undefined)) {
      throw bad(input.percentBp === undefined ? 'percentBp' : 'amount', said('fault.promo.oneOf', 'give exactly one of percentBp and amount'));
    }
    if (input.percentBp !== undefined && (!Number.isInteger(input.percentBp) || input.percentBp < 1 || input.percentBp > 10_000)) {
      throw bad('percentBp', said('fault.promo.percent', 'percentBp is 1..10000 (5000 = 50 %)'));
    }
    if (input.amount !== undefined && (minor(input.amount, 'amount') <= 0)) throw bad('amount', said('fault.promo.amount', 'amount must be positive'));
    const startDate = parseDate(input.startDate, 'startDate');
    const periods = input.periods ?? null;
    if (periods !== null && (!Number.isInteger(periods) || periods < 1)) throw bad('periods', said('fault.promo.periods', 'periods is a positive integer or null'));
    const planId = 'planId' in input.target ? input.target.planId : null;
    const serviceIds = 'serviceIds' in input.target ? [...new Set(input.target.serviceIds)].sort((a, b) => a - b) : null;
    if (serviceIds !== null && (serviceIds.length === 0 || serviceIds.length > MAX_PROMOTION_SERVICES)) {
      throw bad('target.serviceIds', said('fault.promo.services', `give 1..${MAX_PROMOTION_SERVICES} services`, { max: String(MAX_PROMOTION_SERVICES) }));
    }
    const appliesToNew = input.appliesToNew === true;
    if (appliesToNew && planId === null) throw bad('appliesToNew', said('fault.promo.newNeedsPlan', 'only a promotion on a plan can apply to new contracts'));
    const newUntil = input.newUntil == null ? null : parseDate(input.newUntil, 'newUntil');
    if (newUntil !== null && !appliesToNew) throw bad('newUntil', said('fault.promo.untilNeedsNew', 'newUntil needs appliesToNew'));
    if (newUntil !== null && newUntil < startDate) throw bad('newUntil', said('fault.promo.untilBeforeStart', 'newUntil is before startDate'));
    return {
      key: input.key, description: input.description, valueType: input.percentBp !== undefined ? 'percent' : 'fixed',
      percentBp: input.percentBp ?? null, amount: input.amount ?? null, startDate, periods, planId, serviceIds, appliesToNew, newUntil,
    };
  }

  const sameTerms = (a: Omit<PromotionRow, 'id' | 'createdAt'>, b: PromotionRow) =>
    a.description === b.description && a.valueType === b.valueType && a.percentBp === b.percentBp && a.amount === b.amount &&
    a.startDate === b.startDate && a.periods === b.periods && a.planId === b.planId && a.appliesToNew === b.appliesToNew &&
    a.newUntil === b.newUntil && JSON.stringify(a.serviceIds) === JSON.stringify(b.serviceIds);

  async function view(p: PromotionRow) {
    return { ...p, serviceIdsApplied: await store.promotionServices(p.id) };
  }

  /** Writes the promotion's discount on one service, with its audit record; false when it had it. */
  async function applyTo(p: PromotionRow, target: { serviceId: number; customerId: number; startDate: string }, actor: Actor, startDate: CalDate): Promise<boolean> {
    const id = await store.insertPromotionDiscount(p, { ...target, startDate }, at());
    if (id === null) return false;
    await store.audit(actor, at(), 'create', 'discount', id, {
      promotionId: p.id, customerId: target.customerId, serviceId: target.serviceId, valueType: p.valueType,
      percentBp: p.percentBp, amount: p.amount, startDate, periods: p.periods,
    });
    return true;
  }

  return {
    /** Creates a promotion and applies it to the services it targets now. `created` false: a replay. */
    create(input: PromotionInput, actor: Actor): Promise<{ created: boolean; promotion: Awaited<ReturnType<typeof view>> }> {
      return store.transaction(async () => {
        const wanted = normalise(input);
        const existing = await store.promotionByKey(wanted.key);
        if (existing) {
          if (!sameTerms(wanted, existing)) {
            throw new TollgateError('conflict', said('fault.promotion.keyUsed', `promotion key ${wanted.key} was already used with other terms`, { key: wanted.key }), 'key');
          }
          return { created: false, promotion: await view(existing) };
        }
        let targets: { serviceId: number; customerId: number; startDate: string }[];
        if (wanted.planId !== null) {
          const type = await store.planType(wanted.planId);
          if (type === null) throw bad('target.planId', said('fault.noPlan', `plan ${wanted.planId} does not exist`, { id: String(wanted.planId) }));
          if (type !== 'recurring') throw bad('target.planId', said('fault.promo.recurring', 'a promotion discounts billing periods: the plan must be recurring'));
          targets = await store.servicesOfPlan(wanted.planId);
        } else {
          targets = [];
          for (const id of wanted.serviceIds!) {
            const svc = await store.serviceForPromotion(id);
            if (!svc) throw bad('target.serviceIds', said('fault.noService', `service ${id} does not exist`, { id: String(id) }));
            if (svc.status === 'ended' || svc.status === 'free') throw bad('target.serviceIds', said('fault.promo.notBilled', `service ${id} is ${svc.status}: it is not billed`, { id: String(id), status: svc.status }));
            targets.push(svc);
          }
        }
        const id = await store.insertPromotion(wanted, at());
        const promotion = (await store.promotion(id))!;
        await store.audit(actor, at(), 'create', 'promotion', id, promotion);
        for (const t of targets) await applyTo(promotion, t, actor, promotion.startDate);
        return { created: true, promotion: await view(promotion) };
      });
    },

    async get(id: number) {
      const p = await store.promotion(id);
      if (!p) throw notFound('promotion', id);
      return view(p);
    },

    list: (limit: number, afterId: number | null) => store.listPromotions(limit, afterId),

    /**
     * Ends a promotion for new contracts: those starting after `newUntil` no longer get it. Services
     * that have its discount keep it for its periods (an issued discount is never taken back). An end
     * only comes earlier: a date after the end already set is refused, the same date again changes
     * nothing. (A replay of the create with its first terms is then a conflict: the terms changed.)
     */
    endForNew(id: number, newUntil: string, actor: Actor): Promise<{ changed: boolean; promotion: Awaited<ReturnType<typeof view>> }> {
      return store.transaction(async () => {
        const p = await store.promotion(id);
        if (!p) throw notFound('promotion', id);
        const until = parseDate(newUntil, 'newUntil');
        if (!p.appliesToNew) throw bad('newUntil', 'the promotion gives nothing to new contracts: there is nothing to end');
        if (until < p.startDate) throw bad('newUntil', `is before the promotion's start date ${p.startDate}`);
        if (p.newUntil !== null && until > p.newUntil) throw bad('newUntil', `is after the end already set (${p.newUntil}): an end only comes earlier`);
        if (p.newUntil === until) return { changed: false, promotion: await view(p) };
        await store.endPromotionForNew(id, until);
        const after = (await store.promotion(id))!;
        await store.auditChange(actor, at(), 'end', 'promotion', id, p, after);
        return { changed: true, promotion: await view(after) };
      });
    },

    /**
     * Gives open promotions to new contracts on their plan (started in the promotion's window) that
     * do not have them yet; each discount starts on the contract's start date. The billing run calls
     * this before billing a day; it is idempotent. Returns how many discounts it wrote.
     */
    async applyToNewContracts(actor: Actor): Promise<number> {
      let n = 0;
      const cache = new Map<number, PromotionRow>();
      for (const r of await store.newForPromotions()) {
        const p = cache.get(r.promotionId) ?? (await store.promotion(r.promotionId))!;
        cache.set(r.promotionId, p);
        if (await applyTo(p, r, actor, r.startDate)) n++;
      }
      return n;
    },
  };
}
