/**
 * The contract store: the facts the invoice generator bills from. A service's billing terms, dated
 * plan changes, suspensions, recurring items, one-off charges and discounts; the status and plan
 * changes the billing jobs make to services; and `loadCustomers`, which reads all of them for a
 * chunk of customers in one query per table, as the billing run needs.
 */
import type { BillingDay } from '../../domain/billing/periods.js';
import type {
  CustomerBilling,
  Discount,
  OneOffCharge,
  PlanTerms,
  RecurringItem,
  ServiceContract,
  Suspension,
} from '../../domain/billing/invoicing.js';
import { dialectSql } from '../dialect.js';
import type { SqlClient } from '../sql.js';
import { billingBase, bool, ids, type Row } from './shared.js';

export interface ServiceTerms {
  startPlanId: number;
  billingPeriodMonths?: number | null;
  billingMode: 'advance' | 'arrears';
  billingDay: BillingDay;
  trialEndDate?: string | null;
  endDate?: string | null;
  setupFee?: number | null;
  termMonths?: number | null;
  autoRenew?: boolean;
  noticeDays?: number;
  noticeDate?: string | null;
}

export interface ItemRow {
  id: number;
  serviceId: number;
  description: string;
  amount: number;
  taxRateBp: number;
  taxInclusive: boolean;
  vatNature: string | null;
  vatLegalRef: string | null;
  startDate: string | null;
  endDate: string | null;
  createdAt: string;
}

export interface ChargeRow {
  id: number;
  customerId: number;
  serviceId: number | null;
  description: string;
  amount: number;
  taxRateBp: number;
  taxInclusive: boolean;
  vatNature: string | null;
  vatLegalRef: string | null;
  date: string;
  createdAt: string;
}

/** A service whose dated plan change is due (the daily plan-changes job). */
export interface PlanSwitchRow {
  serviceId: number;
  /** services.plan_id now. */
  fromPlanId: number;
  status: string;
  /** The latest change effective by the date. */
  changeId: number;
  toPlanId: number;
  effectiveDate: string;
  superseded: boolean;
}

/** A service's stored contract terms (service_billing), as written. */
export interface TermsRow {
  serviceId: number;
  startPlanId: number | null;
  billingPeriodMonths: number | null;
  billingMode: string;
  billingDay: string;
  trialEndDate: string | null;
  endDate: string | null;
  setupFee: number | null;
  termMonths: number | null;
  autoRenew: boolean;
  noticeDays: number;
  noticeDate: string | null;
}

export interface CloseCandidate {
  serviceId: number;
  status: string;
  startDate: string;
  trialEndDate: string | null;
  endDate: string | null;
  termMonths: number | null;
  autoRenew: boolean;
}

type PlanChangeRow = { id: number; planId: number; effectiveDate: string; createdAt: string; appliedAt: string | null };

const NATURE_COLS = (a = '') => `${a}vat_nature as "vatNature", ${a}vat_legal_ref as "vatLegalRef"`;
const ITEM_COLS = `id, service_id as "serviceId", description, amount, tax_rate_bp as "taxRateBp", tax_inclusive as "taxInclusive", ${NATURE_COLS()}, start_date as "startDate",
  end_date as "endDate", created_at as "createdAt"`;
const CHARGE_COLS = `id, customer_id as "customerId", service_id as "serviceId", description, amount, tax_rate_bp as "taxRateBp", tax_inclusive as "taxInclusive",
  ${NATURE_COLS()}, date, created_at as "createdAt"`;
const DISCOUNT_COLS = `id, customer_id as "customerId", description, target_kind as "targetKind", service_id as "serviceId", item_id as "itemId",
  value_type as "valueType", percent_bp as "percentBp", amount, start_date as "startDate", periods, promotion_id as "promotionId", created_at as "createdAt"`;
const PLAN_COLS = (a: string) => `${a}.id as "planId", ${a}.name as "planName", ${a}.price as price, ${a}.tax_rate_bp as "taxRateBp",
  ${a}.tax_inclusive as "taxInclusive", ${NATURE_COLS(`${a}.`)}, ${a}.type as "planType"`;

function planOf(r: Row): PlanTerms {
  return { planId: r.planId as number, name: r.planName as string, price: r.price as number, taxRateBp: r.taxRateBp as number, taxInclusive: bool(r.taxInclusive), ...natureOf(r) };
}

/** The exemption nature columns of a row, left out when the price is taxed. */
function natureOf(r: Row): { vatNature?: string; vatLegalRef?: string | null } {
  return r.vatNature != null ? { vatNature: r.vatNature as string, vatLegalRef: (r.vatLegalRef as string | null) ?? null } : {};
}

function billingDayOf(v: string): BillingDay {
  return v === 'anniversary' || v === 'last' ? v : Number(v);
}

export type ContractStore = ReturnType<typeof contractStore>;

const withBool = <T extends { taxInclusive: unknown }>(r: T) => ({ ...r, taxInclusive: bool(r.taxInclusive) });

export function contractStore(sql: SqlClient) {
  const d = dialectSql(sql.dialect);
  const p = <R = Row>(text: string) => sql.prepare<R>(text);

  const s = {
    billableCustomers: p<{ id: number }>(`select distinct customer_id as id from services where status != 'proposal' and status != 'free'
      union select distinct customer_id from one_off_charges o where not exists (select 1 from invoice_lines l where l.key = 'charge:' || o.id)
      order by 1`),
    // The customer's billing profile (or the default profile) decides days until due and billing while suspended.
    accounts: p(`select c.id as "customerId", coalesce(bp.days_until_due, a.days_until_due, 14) as "daysUntilDue",
        coalesce(bp.bill_suspended, a.bill_suspended, false) as "billSuspended"
      from customers c left join customer_accounts a on a.customer_id = c.id
      left join billing_profiles bp on bp.id = coalesce(c.billing_profile_id, (select id from billing_profiles where is_default order by id limit 1))
      where c.id in (${d.idList}) order by c.id`),
    services: p(`select s.id as "serviceId", s.customer_id as "customerId", s.username, s.status, s.start_date as "startDate",
        b.billing_period_months as "contractMonths", coalesce(b.billing_mode, 'advance') as "billingMode", coalesce(b.billing_day, 'anniversary') as "billingDay",
        b.trial_end_date as "trialEndDate", b.end_date as "endDate", coalesce(b.setup_fee, p.setup_fee) as "setupFee",
        b.term_months as "termMonths", coalesce(b.auto_renew, true) as "autoRenew",
        p.billing_period_months as "planMonths", ${PLAN_COLS('p')}
      from services s left join service_billing b on b.service_id = s.id join plans p on p.id = coalesce(b.start_plan_id, s.plan_id)
      where s.customer_id in (${d.idList}) order by s.customer_id, s.id`),
    changes: p(`select pc.id, pc.service_id as "serviceId", pc.effective_date as "effectiveDate", ${PLAN_COLS('p')}
      from service_plan_changes pc join plans p on p.id = pc.plan_id join services s on s.id = pc.service_id
      where s.customer_id in (${d.idList}) order by pc.service_id, pc.effective_date, pc.id`),
    suspensions: p(`select ss.service_id as "serviceId", ss.from_date as "from", ss.to_date as "to" from service_suspensions ss join services s on s.id = ss.service_id
      where s.customer_id in (${d.idList}) order by ss.service_id, ss.from_date`),
    items: p(`select i.id, i.service_id as "serviceId", i.description, i.amount, i.tax_rate_bp as "taxRateBp", i.tax_inclusive as "taxInclusive", ${NATURE_COLS('i.')},
        i.start_date as "startDate", i.end_date as "endDate"
      from recurring_items i join services s on s.id = i.service_id where s.customer_id in (${d.idList}) order by i.id`),
    charges: p(`select id, customer_id as "customerId", service_id as "serviceId", description, amount, tax_rate_bp as "taxRateBp", tax_inclusive as "taxInclusive", ${NATURE_COLS()}, date
      from one_off_charges o where customer_id in (${d.idList})
      and not exists (select 1 from invoice_lines l where l.key = 'charge:' || o.id) order by id`),
    discounts: p(`select id, customer_id as "customerId", description, target_kind as "targetKind", service_id as "serviceId", item_id as "itemId",
      value_type as "valueType", percent_bp as "percentBp", amount, start_date as "startDate", periods
      from discounts where customer_id in (${d.idList}) order by id`),

    serviceRow: p<{ id: number; customerId: number; planId: number; status: string }>(
      `select id, customer_id as "customerId", plan_id as "planId", status from services where id = ?`),
    planRow: p<{ id: number; type: string }>(`select id, type from plans where id = ?`),
    planMonths: p<{ m: number | null }>(`select billing_period_months as m from plans where id = ?`),
    terms: p<Omit<TermsRow, 'autoRenew'> & { autoRenew: unknown }>(`select service_id as "serviceId", start_plan_id as "startPlanId",
      billing_period_months as "billingPeriodMonths", billing_mode as "billingMode", billing_day as "billingDay", trial_end_date as "trialEndDate",
      end_date as "endDate", setup_fee as "setupFee", term_months as "termMonths", auto_renew as "autoRenew", notice_days as "noticeDays",
      notice_date as "noticeDate" from service_billing where service_id = ?`),
    serviceStart: p<{ d: string }>(`select start_date as d from services where id = ?`),
    latestChange: p<{ d: string | null }>(`select max(effective_date) as d from service_plan_changes where service_id = ?`),
    upsertTerms: p(`insert into service_billing (service_id, start_plan_id, billing_period_months, billing_mode, billing_day, trial_end_date, end_date, setup_fee,
        term_months, auto_renew, notice_days, notice_date, updated_at)
      values (@serviceId, @startPlanId, @billingPeriodMonths, @billingMode, @billingDay, @trialEndDate, @endDate, @setupFee,
        @termMonths, @autoRenew, @noticeDays, @noticeDate, @at)
      on conflict (service_id) do update set start_plan_id = excluded.start_plan_id, billing_period_months = excluded.billing_period_months,
      billing_mode = excluded.billing_mode, billing_day = excluded.billing_day, trial_end_date = excluded.trial_end_date,
      end_date = excluded.end_date, setup_fee = excluded.setup_fee, term_months = excluded.term_months, auto_renew = excluded.auto_renew,
      notice_days = excluded.notice_days, notice_date = excluded.notice_date, updated_at = excluded.updated_at`),
    // Services still open whose contract may have reached its end (an end date, or a non-renewing term).
    closeCandidates: p<Omit<CloseCandidate, 'autoRenew'> & { autoRenew: unknown }>(`select s.id as "serviceId", s.status, s.start_date as "startDate",
        b.trial_end_date as "trialEndDate", b.end_date as "endDate", b.term_months as "termMonths", b.auto_renew as "autoRenew"
      from services s join service_billing b on b.service_id = s.id
      where s.status in ('active', 'suspended') and (b.end_date is not null or (b.term_months is not null and not b.auto_renew))`),
    setServiceStatus: p(`update services set status = ?, updated_at = ? where id = ? and status = ?`),
    // As resume ends a suspension (src/db/actions.ts): the day given is the first one not suspended.
    endOpenSuspension: p(`update service_suspensions set to_date = ${d.greatest('from_date', '?')} where service_id = ? and to_date is null`),

    insertPlanChange: p<{ id: number }>(`insert into service_plan_changes (service_id, plan_id, effective_date, created_at, applied_at) values (?, ?, ?, ?, ?) returning id`),
    setServicePlan: p(`update services set plan_id = ?, updated_at = ? where id = ?`),
    // Services with a change due by the date and not applied yet, each with the latest change effective
    // by then (which may be one applied already: a later change recorded as effective at once).
    duePlanSwitches: p<Omit<PlanSwitchRow, 'superseded'> & { superseded: unknown }>(`select s.id as "serviceId", s.plan_id as "fromPlanId", s.status,
        pc.id as "changeId", pc.plan_id as "toPlanId", pc.effective_date as "effectiveDate", pc.applied_at is not null as superseded
      from services s join service_plan_changes pc on pc.id = (select x.id from service_plan_changes x
        where x.service_id = s.id and x.effective_date <= @date order by x.effective_date desc, x.id desc limit 1)
      where s.id in (select service_id from service_plan_changes where applied_at is null and effective_date <= @date)
      order by s.id`),
    markPlanChangesApplied: p(`update service_plan_changes set applied_at = @at where applied_at is null and effective_date <= @date`),
    planChanges: p<PlanChangeRow>(`select id, plan_id as "planId", effective_date as "effectiveDate", created_at as "createdAt", applied_at as "appliedAt"
      from service_plan_changes where service_id = ? order by effective_date, id`),

    insertItem: p<ItemRow>(`insert into recurring_items (service_id, description, amount, tax_rate_bp, tax_inclusive, vat_nature, vat_legal_ref, start_date, end_date, created_at, updated_at)
      values (@serviceId, @description, @amount, @taxRateBp, @taxInclusive, @vatNature, @vatLegalRef, @startDate, @endDate, @at, @at) returning ${ITEM_COLS}`),
    itemsOf: p<ItemRow>(`select ${ITEM_COLS} from recurring_items where service_id = ? order by id`),
    allItems: p<ItemRow>(`select ${ITEM_COLS} from recurring_items order by id limit 1000`),
    itemRow: p<{ id: number; serviceId: number }>(`select id, service_id as "serviceId" from recurring_items where id = ?`),
    insertCharge: p<ChargeRow>(`insert into one_off_charges (customer_id, service_id, description, amount, tax_rate_bp, tax_inclusive, vat_nature, vat_legal_ref, date, created_at)
      values (@customerId, @serviceId, @description, @amount, @taxRateBp, @taxInclusive, @vatNature, @vatLegalRef, @date, @at) returning ${CHARGE_COLS}`),
    chargesOf: p<ChargeRow>(`select ${CHARGE_COLS} from one_off_charges where customer_id = ? order by id`),
    allCharges: p<ChargeRow>(`select ${CHARGE_COLS} from one_off_charges order by id limit 1000`),
    insertDiscount: p<{ id: number }>(`insert into discounts (customer_id, description, target_kind, service_id, item_id, value_type, percent_bp, amount, start_date, periods, created_at)
      values (@customerId, @description, @targetKind, @serviceId, @itemId, @valueType, @percentBp, @amount, @startDate, @periods, @at) returning id`),
    discountsOf: p(`select ${DISCOUNT_COLS} from discounts where customer_id = ? order by id`),
    allDiscounts: p(`select ${DISCOUNT_COLS} from discounts order by id limit 1000`),
  };

  return {
    ...billingBase(sql),

    // ---- what the billing run bills from

    /** Customers with a billable service or a one-off charge not invoiced yet. */
    async billableCustomers(): Promise<number[]> {
      return (await s.billableCustomers.all()).map((r) => r.id);
    },

    /**
     * The domain's view of a chunk of customers. A suspended service whose suspension history was never
     * recorded is treated as suspended from `runDate`, so it is not billed for periods starting now.
     */
    async loadCustomers(customerIds: readonly number[], runDate: string): Promise<{ customers: CustomerBilling[]; skipped: { customerId: number; serviceId: number; reason: string }[] }> {
      const arg = ids(customerIds);
      const byService = <T>(rows: Row[], map: (r: Row) => T) => {
        const m = new Map<number, T[]>();
        for (const r of rows) {
          const k = r.serviceId as number;
          const list = m.get(k);
          if (list) list.push(map(r));
          else m.set(k, [map(r)]);
        }
        return m;
      };
      const changes = byService(await s.changes.all(arg), (r) => ({ id: r.id as number, effectiveDate: r.effectiveDate as string, plan: planOf(r), planType: r.planType }));
      const suspensions = byService(await s.suspensions.all(arg), (r) => ({ from: r.from as string, to: (r.to as string | null) ?? null }) as Suspension);
      const items = byService(await s.items.all(arg), (r): RecurringItem => ({
        id: r.id as number, description: r.description as string, amount: r.amount as number, taxRateBp: r.taxRateBp as number,
        taxInclusive: bool(r.taxInclusive), ...natureOf(r), startDate: r.startDate as string | null, endDate: r.endDate as string | null,
      }));
      const byCustomer = new Map<number, { services: ServiceContract[]; charges: OneOffCharge[]; discounts: Discount[] }>();
      const slot = (id: number) => {
        let v = byCustomer.get(id);
        if (!v) byCustomer.set(id, (v = { services: [], charges: [], discounts: [] }));
        return v;
      };
      const skipped: { customerId: number; serviceId: number; reason: string }[] = [];
      for (const r of await s.services.all(arg)) {
        const serviceId = r.serviceId as number;
        // Prepaid plans are sold by validity, not billed by period.
        if (r.planType !== 'recurring') continue;
        const planChanges = changes.get(serviceId) ?? [];
        if (planChanges.some((ch) => ch.planType !== 'recurring')) {
          skipped.push({ customerId: r.customerId as number, serviceId, reason: 'a plan change to a prepaid plan cannot be billed by period' });
          continue;
        }
        let susp = suspensions.get(serviceId) ?? [];
        if (r.status === 'suspended' && !susp.some((x) => x.to === null)) susp = [...susp, { from: runDate, to: null }];
        slot(r.customerId as number).services.push({
          serviceId,
          label: r.username as string,
          status: r.status as ServiceContract['status'],
          plan: planOf(r),
          planChanges: planChanges.map(({ planType: _t, ...ch }) => ch),
          billingPeriodMonths: (r.contractMonths ?? r.planMonths) as number,
          billingMode: r.billingMode as 'advance',
          billingDay: billingDayOf(r.billingDay as string),
          startDate: r.startDate as string,
          trialEndDate: r.trialEndDate as string | null,
          endDate: r.endDate as string | null,
          setupFee: r.setupFee as number,
          ...(r.termMonths != null ? { termMonths: r.termMonths as number, autoRenew: bool(r.autoRenew) } : {}),
          recurringItems: items.get(serviceId) ?? [],
          suspensions: susp,
        });
      }
      for (const r of await s.charges.all(arg)) {
        slot(r.customerId as number).charges.push({
          id: r.id as number, serviceId: r.serviceId as number | null, description: r.description as string, amount: r.amount as number,
          taxRateBp: r.taxRateBp as number, taxInclusive: bool(r.taxInclusive), ...natureOf(r), date: r.date as string,
        });
      }
      for (const r of await s.discounts.all(arg)) {
        const target: Discount['target'] =
          r.targetKind === 'invoice' ? { kind: 'invoice' }
            : r.targetKind === 'service' ? { kind: 'service', serviceId: r.serviceId as number }
              : { kind: 'item', serviceId: r.serviceId as number, itemId: r.itemId as number };
        slot(r.customerId as number).discounts.push({
          id: r.id as number, description: r.description as string, target, startDate: r.startDate as string, periods: r.periods as number | null,
          value: r.valueType === 'percent' ? { type: 'percent', bp: r.percentBp as number } : { type: 'fixed', amount: r.amount as number },
        });
      }
      const customers: CustomerBilling[] = [];
      for (const a of await s.accounts.all(arg)) {
        const v = byCustomer.get(a.customerId as number);
        if (!v) continue;
        customers.push({
          customerId: a.customerId as number, daysUntilDue: a.daysUntilDue as number, billSuspended: bool(a.billSuspended),
          services: v.services, oneOffCharges: v.charges, discounts: v.discounts,
        });
      }
      return { customers, skipped };
    },

    // ---- services, plans and terms

    async serviceRow(id: number): Promise<{ id: number; customerId: number; planId: number; status: string } | null> {
      return (await s.serviceRow.get(id)) ?? null;
    },
    async planMonths(id: number): Promise<number | null> {
      return (await s.planMonths.get(id))?.m ?? null;
    },
    async planType(id: number): Promise<string | null> {
      return (await s.planRow.get(id))?.type ?? null;
    },
    async terms(serviceId: number): Promise<TermsRow | null> {
      const r = await s.terms.get(serviceId);
      return r ? { ...r, autoRenew: bool(r.autoRenew) } : null;
    },
    async serviceStartDate(serviceId: number): Promise<string> {
      return (await s.serviceStart.get(serviceId))!.d;
    },
    async latestChangeDate(serviceId: number): Promise<string | null> {
      return (await s.latestChange.get(serviceId))?.d ?? null;
    },
    async upsertTerms(serviceId: number, t: ServiceTerms, at: string): Promise<void> {
      await s.upsertTerms.run({
        serviceId, startPlanId: t.startPlanId, billingPeriodMonths: t.billingPeriodMonths ?? null, billingMode: t.billingMode,
        billingDay: String(t.billingDay), trialEndDate: t.trialEndDate ?? null, endDate: t.endDate ?? null, setupFee: t.setupFee ?? null,
        termMonths: t.termMonths ?? null, autoRenew: t.autoRenew !== false, noticeDays: t.noticeDays ?? 30, noticeDate: t.noticeDate ?? null, at,
      });
    },
    /** Open services whose contract has an end (explicit or a non-renewing term), for the automatic close. */
    async closeCandidates(): Promise<CloseCandidate[]> {
      return (await s.closeCandidates.all()).map((r) => ({ ...r, autoRenew: bool(r.autoRenew) }));
    },
    /** Moves a service from `from` to `to`; false when its status was no longer `from`. */
    async setServiceStatus(serviceId: number, from: string, to: string, at: string): Promise<boolean> {
      return (await s.setServiceStatus.run(to, at, serviceId, from)).changes === 1;
    },
    /** Ends the service's open suspension (if any) on `date`, the first day it is no longer suspended. */
    async endOpenSuspension(serviceId: number, date: string): Promise<boolean> {
      return (await s.endOpenSuspension.run(date, serviceId)).changes > 0;
    },

    // ---- plan changes

    /** `appliedAt`: when services.plan_id was set to it (a change already effective); null while pending. */
    async insertPlanChange(serviceId: number, planId: number, effectiveDate: string, at: string, appliedAt: string | null = null): Promise<number> {
      return (await s.insertPlanChange.get(serviceId, planId, effectiveDate, at, appliedAt))!.id;
    },
    /**
     * Every service with a plan change due by `date` that is not applied yet, with the latest change
     * effective by then; `superseded` when that latest one was applied already (nothing to switch).
     */
    async duePlanSwitches(date: string): Promise<PlanSwitchRow[]> {
      return (await s.duePlanSwitches.all({ date })).map((r) => ({ ...r, superseded: bool(r.superseded) }));
    },
    /** Marks every pending change effective by `date` applied; returns how many. */
    async markPlanChangesApplied(date: string, at: string): Promise<number> {
      return (await s.markPlanChangesApplied.run({ date, at })).changes;
    },
    async setServicePlan(serviceId: number, planId: number, at: string): Promise<void> {
      await s.setServicePlan.run(planId, at, serviceId);
    },
    /** A service's plan changes; `appliedAt` null while one waits for its date. */
    planChanges(serviceId: number): Promise<PlanChangeRow[]> {
      return s.planChanges.all(serviceId);
    },

    // ---- recurring items, one-off charges, discounts

    async insertItem(i: Omit<RecurringItem, 'id'> & { serviceId: number }, at: string): Promise<ItemRow> {
      const r = await s.insertItem.get({
        serviceId: i.serviceId, description: i.description, amount: i.amount, taxRateBp: i.taxRateBp, taxInclusive: i.taxInclusive,
        vatNature: i.vatNature ?? null, vatLegalRef: i.vatLegalRef ?? null, startDate: i.startDate ?? null, endDate: i.endDate ?? null, at,
      });
      return withBool(r!);
    },
    async listItems(serviceId: number | undefined): Promise<ItemRow[]> {
      return (await (serviceId === undefined ? s.allItems.all() : s.itemsOf.all(serviceId))).map(withBool);
    },
    async itemRow(id: number): Promise<{ id: number; serviceId: number } | null> {
      return (await s.itemRow.get(id)) ?? null;
    },
    async insertCharge(ch: Omit<OneOffCharge, 'id'> & { customerId: number }, at: string): Promise<ChargeRow> {
      const r = await s.insertCharge.get({
        customerId: ch.customerId, serviceId: ch.serviceId ?? null, description: ch.description, amount: ch.amount, taxRateBp: ch.taxRateBp,
        taxInclusive: ch.taxInclusive, vatNature: ch.vatNature ?? null, vatLegalRef: ch.vatLegalRef ?? null, date: ch.date, at,
      });
      return withBool(r!);
    },
    async listCharges(customerId: number | undefined): Promise<ChargeRow[]> {
      return (await (customerId === undefined ? s.allCharges.all() : s.chargesOf.all(customerId))).map(withBool);
    },
    async insertDiscount(d: Omit<Discount, 'id'> & { customerId: number }, at: string): Promise<number> {
      return (await s.insertDiscount.get({
        customerId: d.customerId, description: d.description, targetKind: d.target.kind,
        serviceId: d.target.kind === 'invoice' ? null : d.target.serviceId, itemId: d.target.kind === 'item' ? d.target.itemId : null,
        valueType: d.value.type, percentBp: d.value.type === 'percent' ? d.value.bp : null, amount: d.value.type === 'fixed' ? d.value.amount : null,
        startDate: d.startDate, periods: d.periods, at,
      }))!.id;
    },
    listDiscounts(customerId: number | undefined): Promise<Row[]> {
      return customerId === undefined ? s.allDiscounts.all() : s.discountsOf.all(customerId);
    },
  };
}
