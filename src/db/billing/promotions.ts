/**
 * The promotion store: promotions, the services they target, and the one discount each writes per
 * service. UNIQUE (promotion_id, service_id) on discounts is what keeps a promotion from being
 * applied twice, so the insert here is a no-op on a service that has it already.
 */
import { auditRecorder } from '../audit.js';
import type { SqlClient } from '../sql.js';
import { billingBase, bool, type Row } from './shared.js';

export interface PromotionRow {
  id: number;
  key: string;
  description: string;
  valueType: 'percent' | 'fixed';
  percentBp: number | null;
  amount: number | null;
  startDate: string;
  periods: number | null;
  planId: number | null;
  serviceIds: number[] | null;
  appliesToNew: boolean;
  newUntil: string | null;
  createdAt: string;
}

const PROMO_COLS = `id, key, description, value_type as "valueType", percent_bp as "percentBp", amount, start_date as "startDate", periods, plan_id as "planId",
  service_ids as "serviceIds", applies_to_new as "appliesToNew", new_until as "newUntil", created_at as "createdAt"`;

type Target = { serviceId: number; customerId: number; startDate: string };

function promotionRow(r: Row): PromotionRow {
  return {
    ...(r as unknown as PromotionRow),
    serviceIds: r.serviceIds == null ? null : (JSON.parse(r.serviceIds as string) as number[]),
    appliesToNew: bool(r.appliesToNew),
  };
}

export type PromotionStore = ReturnType<typeof promotionStore>;

export function promotionStore(sql: SqlClient) {
  const p = <R = Row>(text: string) => sql.prepare<R>(text);

  const s = {
    promotionByKey: p(`select ${PROMO_COLS} from promotions where key = ?`),
    promotion: p(`select ${PROMO_COLS} from promotions where id = ?`),
    promotions: p(`select ${PROMO_COLS} from promotions where id > ? order by id limit ?`),
    insertPromotion: p<{ id: number }>(`insert into promotions (key, description, value_type, percent_bp, amount, start_date, periods, plan_id, service_ids, applies_to_new, new_until, created_at)
      values (@key, @description, @valueType, @percentBp, @amount, @startDate, @periods, @planId, @serviceIds, @appliesToNew, @newUntil, @at) returning id`),
    endForNew: p(`update promotions set new_until = ? where id = ?`),
    promotionServices: p<{ serviceId: number }>(`select service_id as "serviceId" from discounts where promotion_id = ? order by service_id`),
    // Services a promotion may target: not ended, not free.
    servicesOfPlan: p<Target>(`select id as "serviceId", customer_id as "customerId", start_date as "startDate" from services
      where plan_id = ? and status in ('proposal', 'active', 'suspended') order by id`),
    serviceForPromotion: p<Target & { status: string }>(`select id as "serviceId", customer_id as "customerId", start_date as "startDate", status from services where id = ?`),
    // New contracts on a promoted plan, started within its window, that do not have it yet.
    newForPromotions: p<Target & { promotionId: number }>(`select p.id as "promotionId", s.id as "serviceId", s.customer_id as "customerId", s.start_date as "startDate"
      from promotions p join services s on coalesce((select b.start_plan_id from service_billing b where b.service_id = s.id), s.plan_id) = p.plan_id
      where p.applies_to_new and s.status in ('proposal', 'active', 'suspended') and s.start_date >= p.start_date
        and (p.new_until is null or s.start_date <= p.new_until)
        and not exists (select 1 from discounts d where d.promotion_id = p.id and d.service_id = s.id)
      order by p.id, s.id`),
    insertPromotionDiscount: p<{ id: number }>(`insert into discounts (customer_id, description, target_kind, service_id, item_id, value_type, percent_bp, amount, start_date, periods, promotion_id, created_at)
      values (@customerId, @description, 'service', @serviceId, null, @valueType, @percentBp, @amount, @startDate, @periods, @promotionId, @at)
      on conflict (promotion_id, service_id) do nothing returning id`),
  };

  return {
    ...billingBase(sql),

    async promotionByKey(key: string): Promise<PromotionRow | null> {
      const r = await s.promotionByKey.get(key);
      return r ? promotionRow(r) : null;
    },
    async promotion(id: number): Promise<PromotionRow | null> {
      const r = await s.promotion.get(id);
      return r ? promotionRow(r) : null;
    },
    async listPromotions(limit: number, afterId: number | null): Promise<PromotionRow[]> {
      return (await s.promotions.all(afterId ?? 0, limit)).map(promotionRow);
    },
    async insertPromotion(p: Omit<PromotionRow, 'id' | 'createdAt'>, at: string): Promise<number> {
      return (await s.insertPromotion.get({
        key: p.key, description: p.description, valueType: p.valueType, percentBp: p.percentBp, amount: p.amount, startDate: p.startDate,
        periods: p.periods, planId: p.planId, serviceIds: p.serviceIds === null ? null : JSON.stringify(p.serviceIds), appliesToNew: p.appliesToNew,
        newUntil: p.newUntil, at,
      }))!.id;
    },
    /** New contracts starting after `newUntil` no longer get the promotion. */
    async endPromotionForNew(id: number, newUntil: string): Promise<void> {
      await s.endForNew.run(newUntil, id);
    },
    /** An audit record with the row before and after (the base's `audit` records only after). */
    auditChange: auditRecorder(sql),
    async promotionServices(promotionId: number): Promise<number[]> {
      return (await s.promotionServices.all(promotionId)).map((r) => r.serviceId);
    },
    servicesOfPlan(planId: number): Promise<Target[]> {
      return s.servicesOfPlan.all(planId);
    },
    async serviceForPromotion(id: number): Promise<(Target & { status: string }) | null> {
      return (await s.serviceForPromotion.get(id)) ?? null;
    },
    newForPromotions(): Promise<(Target & { promotionId: number })[]> {
      return s.newForPromotions.all();
    },
    /** The promotion's discount on one service; null when that service has it already. */
    async insertPromotionDiscount(p: PromotionRow, target: Target, at: string): Promise<number | null> {
      const r = await s.insertPromotionDiscount.get({
        customerId: target.customerId, description: p.description, serviceId: target.serviceId, valueType: p.valueType,
        percentBp: p.percentBp, amount: p.amount, startDate: target.startDate, periods: p.periods, promotionId: p.id, at,
      });
      return r?.id ?? null;
    },
  };
}
