/**
 * The facts the invoice generator bills from: a service's contract terms, dated plan changes,
 * recurring items, one-off charges and discounts. Each change is one transaction with its audit
 * record. Facts are validated here with the same rules the generator applies, so a bad fact is
 * refused at the door instead of showing up later as a billing problem.
 */
import { dateInZone, parseDate, type CalDate } from '../lib/calendar.js';
import type { Clock } from '../lib/clock.js';
import { TollgateError } from '../lib/errors.js';
import { minor } from '../lib/money.js';
import type { BillingStore, ServiceTerms } from '../db/billing.js';
import type { Actor } from '../db/crud.js';
import type { Discount } from './domain/invoicing.js';
import { buildSchedule, type BillingDay } from './domain/periods.js';

const bad = (field: string, message: string) => new TollgateError('invalid_input', message, field);

export interface TermsInput {
  billingMode?: 'advance' | 'arrears';
  billingDay?: BillingDay | string;
  billingPeriodMonths?: number | null;
  trialEndDate?: CalDate | null;
  endDate?: CalDate | null;
  setupFee?: number | null;
}

function billingDayOf(v: BillingDay | string): BillingDay {
  if (v === 'anniversary' || v === 'last') return v;
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 28) throw bad('billingDay', "billingDay is 'anniversary', 'last' or a day 1..28");
  return n;
}

export type ContractService = ReturnType<typeof contractService>;

export function contractService(store: BillingStore, clock: Clock, timezone: string) {
  const at = () => clock.now().toISOString();

  function service(id: number) {
    const s = store.serviceRow(id);
    if (!s) throw new TollgateError('not_found', `service ${id} does not exist`);
    return s;
  }

  function currentTerms(serviceId: number): ServiceTerms & { exists: boolean } {
    const s = service(serviceId);
    const t = store.terms(serviceId);
    if (!t) return { exists: false, startPlanId: s.planId, billingPeriodMonths: null, billingMode: 'advance', billingDay: 'anniversary', trialEndDate: null, endDate: null, setupFee: null };
    return {
      exists: true,
      startPlanId: (t.startPlanId as number | null) ?? s.planId,
      billingPeriodMonths: t.billingPeriodMonths as number | null,
      billingMode: t.billingMode as 'advance',
      billingDay: billingDayOf(t.billingDay as string),
      trialEndDate: t.trialEndDate as string | null,
      endDate: t.endDate as string | null,
      setupFee: t.setupFee as number | null,
    };
  }

  function view(serviceId: number) {
    const { exists: _e, ...t } = currentTerms(serviceId);
    return { serviceId, ...t, planChanges: store.planChanges(serviceId) };
  }

  return {
    terms: view,

    /** Sets a service's contract terms; fields not given keep their value. */
    setTerms(serviceId: number, input: TermsInput, actor: Actor) {
      return store.transaction(() => {
        const s = service(serviceId);
        const cur = currentTerms(serviceId);
        const next: ServiceTerms = {
          startPlanId: cur.startPlanId,
          billingMode: input.billingMode ?? cur.billingMode,
          billingDay: input.billingDay === undefined ? cur.billingDay : billingDayOf(input.billingDay),
          billingPeriodMonths: input.billingPeriodMonths === undefined ? cur.billingPeriodMonths ?? null : input.billingPeriodMonths,
          trialEndDate: input.trialEndDate === undefined ? cur.trialEndDate ?? null : input.trialEndDate,
          endDate: input.endDate === undefined ? cur.endDate ?? null : input.endDate,
          setupFee: input.setupFee === undefined ? cur.setupFee ?? null : input.setupFee,
        };
        if (next.setupFee != null && (minor(next.setupFee, 'setupFee') < 0)) throw bad('setupFee', 'setupFee must not be negative');
        const startDate = store.serviceStartDate(serviceId);
        // The same schedule rules as the generator: a bad combination is refused now.
        buildSchedule({
          startDate, billingPeriodMonths: next.billingPeriodMonths ?? 1, billingDay: next.billingDay,
          trialEndDate: next.trialEndDate ?? null, endDate: next.endDate ?? null,
        });
        if (s.status === 'ended' && next.endDate == null) throw bad('endDate', 'an ended service needs its last day of service');
        store.upsertTerms(serviceId, next, at());
        const after = view(serviceId);
        store.audit(actor, at(), 'update', 'service_billing', serviceId, after);
        return after;
      });
    },

    /**
     * Records a plan change effective on `effectiveDate` (the first day on the new plan). Changes are
     * kept in date order, so one dated before the latest is refused. The service's current plan (what
     * RADIUS enforces) follows at once when the change is already effective.
     */
    changePlan(serviceId: number, planId: number, effectiveDate: string, actor: Actor) {
      return store.transaction(() => {
        const s = service(serviceId);
        const date = parseDate(effectiveDate, 'effectiveDate');
        const type = store.planType(planId);
        if (type === null) throw bad('planId', `plan ${planId} does not exist`);
        if (type !== 'recurring') throw bad('planId', 'a contract can only change to a recurring plan');
        const latest = store.latestChangeDate(serviceId);
        if (latest !== null && date < latest) throw bad('effectiveDate', `plan changes are kept in order: the latest is effective ${latest}`);
        const start = store.serviceStartDate(serviceId);
        if (date < start) throw bad('effectiveDate', 'a plan change cannot take effect before the service starts');
        const cur = currentTerms(serviceId);
        // The end credit is computed at the plan in effect on the end date and billed once; a change
        // recorded after it would leave that credit at the wrong price.
        if (cur.endDate != null) {
          throw bad('effectiveDate', `the service ends on ${cur.endDate}: record plan changes before setting the end date, or clear the end date first`);
        }
        // Pin the plan the contract started on before the service's own plan moves.
        if (!cur.exists) store.upsertTerms(serviceId, cur, at());
        const id = store.insertPlanChange(serviceId, planId, date, at());
        if (date <= dateInZone(clock.now(), timezone)) store.setServicePlan(s.id, planId, at());
        store.audit(actor, at(), 'plan_change', 'service', serviceId, { id, planId, effectiveDate: date });
        return view(serviceId);
      });
    },

    addItem(input: { serviceId: number; description: string; amount: number; taxRateBp?: number; taxInclusive?: boolean; startDate?: string | null; endDate?: string | null }, actor: Actor) {
      return store.transaction(() => {
        service(input.serviceId);
        minor(input.amount, 'amount');
        if (input.amount < 0) throw bad('amount', 'a recurring item amount must not be negative');
        if (input.startDate != null) parseDate(input.startDate, 'startDate');
        if (input.endDate != null) parseDate(input.endDate, 'endDate');
        if (input.startDate != null && input.endDate != null && input.endDate < input.startDate) throw bad('endDate', 'endDate is before startDate');
        const row = store.insertItem({ ...input, taxRateBp: input.taxRateBp ?? 0, taxInclusive: input.taxInclusive ?? true }, at());
        store.audit(actor, at(), 'create', 'recurring_item', row.id, row);
        return row;
      });
    },

    addCharge(input: { customerId: number; serviceId?: number | null; description: string; amount: number; date: string; taxRateBp?: number; taxInclusive?: boolean }, actor: Actor) {
      return store.transaction(() => {
        if (!store.customerExists(input.customerId)) throw bad('customerId', `customer ${input.customerId} does not exist`);
        if (input.serviceId != null && store.serviceRow(input.serviceId)?.customerId !== input.customerId) {
          throw bad('serviceId', `service ${input.serviceId} is not one of customer ${input.customerId}'s`);
        }
        minor(input.amount, 'amount');
        parseDate(input.date, 'date');
        const row = store.insertCharge({ ...input, serviceId: input.serviceId ?? null, taxRateBp: input.taxRateBp ?? 0, taxInclusive: input.taxInclusive ?? true }, at());
        store.audit(actor, at(), 'create', 'one_off_charge', row.id, row);
        return row;
      });
    },

    addDiscount(input: Omit<Discount, 'id'> & { customerId: number }, actor: Actor) {
      return store.transaction(() => {
        if (!store.customerExists(input.customerId)) throw bad('customerId', `customer ${input.customerId} does not exist`);
        parseDate(input.startDate, 'startDate');
        if (input.target.kind !== 'invoice') {
          if (store.serviceRow(Number(input.target.serviceId))?.customerId !== input.customerId) {
            throw bad('serviceId', `service ${input.target.serviceId} is not one of customer ${input.customerId}'s`);
          }
        }
        if (input.target.kind === 'item' && store.itemRow(Number(input.target.itemId))?.serviceId !== input.target.serviceId) {
          throw bad('itemId', `item ${input.target.itemId} is not on service ${input.target.serviceId}`);
        }
        const id = store.insertDiscount(input, at());
        const row = store.listDiscounts(input.customerId).find((d) => d.id === id)!;
        store.audit(actor, at(), 'create', 'discount', id, row);
        return row;
      });
    },
  };
}
