/**
 * The facts the invoice generator bills from: a service's contract terms, dated plan changes,
 * recurring items, one-off charges and discounts. Each change is one transaction with its audit
 * record. Facts are validated here with the same rules the generator applies, so a bad fact is
 * refused at the door instead of showing up later as a billing problem.
 */
import { addDays, dateInZone, parseDate, type CalDate } from '../lib/calendar.js';
import type { Clock } from '../lib/clock.js';
import { type LocalText, notFound, said, TollgateError } from '../lib/errors.js';
import { checkVatNature } from '../domain/billing/document-tax.js';
import { minor, sum } from '../lib/money.js';
import type { ContractStore, InvoiceStore, ServiceTerms } from '../db/billing.js';
import type { Actor } from '../db/crud.js';
import { generateInvoices, type Discount, type ServiceContract } from '../domain/billing/invoicing.js';
import { buildSchedule, periodContaining, type BillingDay } from '../domain/billing/periods.js';
import { checkTermRules, commitmentEnd, effectiveEndDate, endOnNotice, termAt, termContaining, type TermRules } from '../domain/billing/terms.js';

const bad = (field: string, message: string | LocalText) => new TollgateError('invalid_input', message, field);

export interface TermsInput {
  billingMode?: 'advance' | 'arrears';
  billingDay?: BillingDay | string;
  billingPeriodMonths?: number | null;
  trialEndDate?: CalDate | null;
  endDate?: CalDate | null;
  setupFee?: number | null;
  termMonths?: number | null;
  autoRenew?: boolean;
  noticeDays?: number;
}

function billingDayOf(v: BillingDay | string): BillingDay {
  if (v === 'anniversary' || v === 'last') return v;
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 28) throw bad('billingDay', "billingDay is 'anniversary', 'last' or a day 1..28");
  return n;
}

export type ContractService = ReturnType<typeof contractService>;

export interface CancelInput {
  noticeDate?: string | undefined;
  endDate?: string | undefined;
}

/**
 * `currency`: the configured one, which the generator's runs of a cancellation quote check (amounts
 * are minor units whatever it is).
 */
export function contractService(store: ContractStore & Pick<InvoiceStore, 'endCredited'>, clock: Clock, timezone: string, currency = 'EUR') {
  const at = () => clock.now().toISOString();

  async function service(id: number) {
    const s = await store.serviceRow(id);
    if (!s) throw notFound('service', id);
    return s;
  }

  async function currentTerms(serviceId: number): Promise<ServiceTerms & { exists: boolean }> {
    const s = await service(serviceId);
    const t = await store.terms(serviceId);
    if (!t) {
      return {
        exists: false, startPlanId: s.planId, billingPeriodMonths: null, billingMode: 'advance', billingDay: 'anniversary', trialEndDate: null, endDate: null, setupFee: null,
        termMonths: null, autoRenew: true, noticeDays: 30, noticeDate: null,
      };
    }
    return {
      exists: true,
      startPlanId: t.startPlanId ?? s.planId,
      billingPeriodMonths: t.billingPeriodMonths,
      billingMode: t.billingMode as 'advance',
      billingDay: billingDayOf(t.billingDay),
      trialEndDate: t.trialEndDate,
      endDate: t.endDate,
      setupFee: t.setupFee,
      termMonths: t.termMonths,
      autoRenew: t.autoRenew,
      noticeDays: t.noticeDays,
      noticeDate: t.noticeDate,
    };
  }

  const billingStartOf = async (serviceId: number, t: { trialEndDate?: string | null }): Promise<CalDate> =>
    t.trialEndDate != null ? addDays(t.trialEndDate, 1) : store.serviceStartDate(serviceId);
  const rulesOf = (t: ServiceTerms): TermRules => ({ termMonths: t.termMonths ?? null, autoRenew: t.autoRenew !== false, noticeDays: t.noticeDays ?? 30 });

  /**
   * An end once billed (its credit, reversals, early termination) is final: moving the last day of
   * service afterwards would leave those lines wrong, so it is refused and a credit note corrects it.
   */
  async function guardBilledEnd(serviceId: number, before: ServiceTerms, after: ServiceTerms): Promise<void> {
    const was = effectiveEndDate(await billingStartOf(serviceId, before), rulesOf(before), before.endDate);
    const will = effectiveEndDate(await billingStartOf(serviceId, after), rulesOf(after), after.endDate);
    if (was !== will && (await store.endCredited(serviceId))) {
      throw new TollgateError('conflict', said('fault.contract.endBilled', `the end of service ${serviceId} on ${was ?? 'its end date'} is already billed: correct it with a credit note`, { id: String(serviceId), date: was ?? '—' }), 'endDate');
    }
  }

  /** The terms as stored, and what they mean today: the current term, the last day, the earliest end on notice. */
  async function view(serviceId: number) {
    const { exists: _e, ...t } = await currentTerms(serviceId);
    const today = dateInZone(clock.now(), timezone);
    const start = await billingStartOf(serviceId, t);
    const rules = rulesOf(t);
    const term = t.termMonths == null ? null : termContaining(start, t.termMonths, today) ?? termAt(start, t.termMonths, 0);
    return {
      serviceId, ...t,
      currentTerm: term === null ? null : { start: term.start, end: term.end },
      lastDayOfService: effectiveEndDate(start, rules, t.endDate),
      endOnNoticeToday: t.termMonths == null ? null : endOnNotice(start, rules, today),
      planChanges: await store.planChanges(serviceId),
    };
  }

  /** The end a cancellation gives and the committed days after it; refuses what `cancel` refuses. */
  async function cancellation(serviceId: number, input: CancelInput) {
    const s = await service(serviceId);
    if (s.status === 'ended') throw new TollgateError('conflict', said('fault.contract.ended', `service ${serviceId} has already ended`, { id: String(serviceId) }));
    const cur = await currentTerms(serviceId);
    const notice = input.noticeDate === undefined ? dateInZone(clock.now(), timezone) : parseDate(input.noticeDate, 'noticeDate');
    const start = await billingStartOf(serviceId, cur);
    const rules = rulesOf(cur);
    const endDate = input.endDate === undefined ? endOnNotice(start, rules, notice) : parseDate(input.endDate, 'endDate');
    const startDate = await store.serviceStartDate(serviceId);
    if (endDate < startDate) throw bad('endDate', said('fault.contract.endBeforeStart', 'the end date cannot be before the start date'));
    if (notice < startDate) throw bad('noticeDate', said('fault.contract.noticeBeforeStart', 'notice cannot be given before the service starts'));
    const { exists: _e, ...keep } = cur;
    const committedTo = commitmentEnd(start, rules, endDate);
    const earlyTermination = committedTo !== null && committedTo > endDate ? { from: addDays(endDate, 1), to: committedTo } : null;
    return { customerId: s.customerId, cur, keep, notice, endDate, earlyTermination };
  }

  /**
   * What a service's term costs on top of ending on `endDate`: two runs of the generator over the
   * service alone (its own discounts and the customer's invoice-wide ones), nothing billed yet, with
   * and without the term. `amount` as the plan prices it, `gross` with the tax.
   */
  async function termCost(customerId: number, serviceId: number, endDate: CalDate): Promise<{ amount: number; gross: number }> {
    // Everything an end bills (the last period, its end credit, the early-termination lines) is due
    // by the day after it: the run only has to reach that day.
    const runDate = addDays(endDate, 1);
    const { customers } = await store.loadCustomers([customerId], runDate);
    const customer = customers.find((c) => c.customerId === customerId);
    const contract = customer?.services.find((c) => c.serviceId === serviceId);
    if (!customer || !contract) throw new TollgateError('conflict', said('fault.contract.notPeriodic', `service ${serviceId} is not billed by period: no early-termination charge applies`, { id: String(serviceId) }));
    const { termMonths: _t, autoRenew: _r, ...noTerm } = contract;
    const total = (c: ServiceContract) => {
      const out = generateInvoices({
        runDate, currency, alreadyBilled: new Set(),
        customers: [{
          ...customer, oneOffCharges: [], services: [c],
          discounts: (customer.discounts ?? []).filter((d) => d.target.kind === 'invoice' || d.target.serviceId === serviceId),
        }],
      });
      const problem = out.problems.find((x) => x.serviceId === serviceId || x.serviceId === null);
      if (problem) throw new TollgateError('conflict', `service ${serviceId} cannot be billed as it stands: ${problem.message}`);
      const lines = out.invoices.flatMap((i) => i.lines).filter((l) => l.serviceId === serviceId);
      return { amount: sum(lines.map((l) => l.amount)), gross: sum(lines.map((l) => l.gross)) };
    };
    const withTerm = total({ ...contract, endDate });
    const without = total({ ...noTerm, endDate });
    return { amount: withTerm.amount - without.amount, gross: withTerm.gross - without.gross };
  }

  return {
    terms: view,

    /** Sets a service's contract terms; fields not given keep their value. */
    setTerms(serviceId: number, input: TermsInput, actor: Actor) {
      return store.transaction(async () => {
        const s = await service(serviceId);
        const cur = await currentTerms(serviceId);
        const next: ServiceTerms = {
          startPlanId: cur.startPlanId,
          billingMode: input.billingMode ?? cur.billingMode,
          billingDay: input.billingDay === undefined ? cur.billingDay : billingDayOf(input.billingDay),
          billingPeriodMonths: input.billingPeriodMonths === undefined ? cur.billingPeriodMonths ?? null : input.billingPeriodMonths,
          trialEndDate: input.trialEndDate === undefined ? cur.trialEndDate ?? null : input.trialEndDate,
          endDate: input.endDate === undefined ? cur.endDate ?? null : input.endDate,
          setupFee: input.setupFee === undefined ? cur.setupFee ?? null : input.setupFee,
          termMonths: input.termMonths === undefined ? cur.termMonths ?? null : input.termMonths,
          autoRenew: input.autoRenew ?? cur.autoRenew ?? true,
          noticeDays: input.noticeDays ?? cur.noticeDays ?? 30,
          noticeDate: cur.noticeDate ?? null,
        };
        checkTermRules(next);
        await guardBilledEnd(serviceId, cur, next);
        if (next.setupFee != null && (minor(next.setupFee, 'setupFee') < 0)) throw bad('setupFee', said('fault.contract.setupFee', 'setupFee must not be negative'));
        const startDate = await store.serviceStartDate(serviceId);
        // The same schedule rules as the generator: a bad combination is refused now.
        buildSchedule({
          startDate, billingPeriodMonths: next.billingPeriodMonths ?? 1, billingDay: next.billingDay,
          trialEndDate: next.trialEndDate ?? null, endDate: next.endDate ?? null,
        });
        if (s.status === 'ended' && next.endDate == null) throw bad('endDate', said('fault.contract.endedNeedsEnd', 'an ended service needs its last day of service'));
        await store.upsertTerms(serviceId, next, at());
        const after = await view(serviceId);
        await store.audit(actor, at(), 'update', 'service_billing', serviceId, after);
        return after;
      });
    },

    /**
     * Cancels a contract: the customer gives notice on `noticeDate` (default today). Without an
     * `endDate` the contract ends when the notice rule says (terms.ts: the end of the current term
     * when the notice is in time, else of the next; at once without a term). An explicit earlier
     * `endDate` is accepted and the rest of its term is charged as early termination.
     */
    cancel(serviceId: number, input: CancelInput, actor: Actor) {
      return store.transaction(async () => {
        const p = await cancellation(serviceId, input);
        await guardBilledEnd(serviceId, p.cur, { ...p.keep, endDate: p.endDate });
        await store.upsertTerms(serviceId, { ...p.keep, endDate: p.endDate, noticeDate: p.notice }, at());
        const after = { ...(await view(serviceId)), earlyTermination: p.earlyTermination };
        await store.audit(actor, at(), 'cancel', 'service_billing', serviceId, { noticeDate: p.notice, endDate: p.endDate, earlyTermination: p.earlyTermination });
        return after;
      });
    },

    /**
     * What `cancel` with the same input would do, without doing it: the end date, the committed days
     * after it and what they cost. The cost is the invoice generator's own answer: the service's
     * contract billed from its start with this end and its term, less the same contract billed with
     * this end and no term. What is left is exactly what the term adds: the `early_termination` lines
     * and the committed days of the last period that the end credit does not give back (with
     * whatever the discounts make of them).
     */
    async cancelQuote(serviceId: number, input: CancelInput) {
      const p = await cancellation(serviceId, input);
      await guardBilledEnd(serviceId, p.cur, { ...p.keep, endDate: p.endDate });
      const charge = p.earlyTermination === null ? { amount: 0, gross: 0 } : await termCost(p.customerId, serviceId, p.endDate);
      return {
        serviceId, noticeDate: p.notice, endDate: p.endDate, lastDayOfService: p.endDate,
        earlyTermination: p.earlyTermination, earlyTerminationCharge: charge.gross, earlyTerminationAmount: charge.amount, currency,
      };
    },

    /**
     * Records a plan change effective on `effectiveDate` (the first day on the new plan). Changes are
     * kept in date order, so one dated before the latest is refused. The service's current plan (what
     * RADIUS enforces) follows at once when the change is already effective; a later date is switched to
     * on that day by the daily `plan-changes` job (plan-switch.ts).
     */
    changePlan(serviceId: number, planId: number, effectiveDate: string, actor: Actor) {
      return store.transaction(async () => {
        const s = await service(serviceId);
        const date = parseDate(effectiveDate, 'effectiveDate');
        const type = await store.planType(planId);
        if (type === null) throw bad('planId', said('fault.noPlan', `plan ${planId} does not exist`, { id: String(planId) }));
        if (type !== 'recurring') throw bad('planId', said('fault.contract.recurringOnly', 'a contract can only change to a recurring plan'));
        const latest = await store.latestChangeDate(serviceId);
        if (latest !== null && date < latest) throw bad('effectiveDate', `plan changes are kept in order: the latest is effective ${latest}`);
        const start = await store.serviceStartDate(serviceId);
        if (date < start) throw bad('effectiveDate', said('fault.contract.changeBeforeStart', 'a plan change cannot take effect before the service starts'));
        const cur = await currentTerms(serviceId);
        // The end credit is computed at the plan in effect on the end date and billed once; a change
        // recorded after it would leave that credit at the wrong price.
        if (cur.endDate != null) {
          throw bad('effectiveDate', `the service ends on ${cur.endDate}: record plan changes before setting the end date, or clear the end date first`);
        }
        // A term that does not renew fixes the last day from the start: the same rule holds for a
        // change inside the last period, whose end credit may be billed already.
        const lastDay = effectiveEndDate(await billingStartOf(serviceId, cur), rulesOf(cur), null);
        if (lastDay !== null && date <= lastDay) {
          const months = cur.billingPeriodMonths ?? (await store.planMonths(cur.startPlanId)) ?? 1;
          const last = periodContaining(buildSchedule({ startDate: start, billingPeriodMonths: months, billingDay: cur.billingDay, trialEndDate: cur.trialEndDate ?? null, endDate: lastDay }), lastDay);
          if (last !== null && date >= last.start) {
            throw bad('effectiveDate', `the contract ends on ${lastDay} (its term does not renew): a plan change cannot take effect in its last period (from ${last.start})`);
          }
        }
        // Pin the plan the contract started on before the service's own plan moves.
        if (!cur.exists) await store.upsertTerms(serviceId, cur, at());
        const effective = date <= dateInZone(clock.now(), timezone);
        const id = await store.insertPlanChange(serviceId, planId, date, at(), effective ? at() : null);
        if (effective) await store.setServicePlan(s.id, planId, at());
        await store.audit(actor, at(), 'plan_change', 'service', serviceId, { id, planId, effectiveDate: date });
        return view(serviceId);
      });
    },

    addItem(input: { serviceId: number; description: string; amount: number; taxRateBp?: number; taxInclusive?: boolean; vatNature?: string | null; vatLegalRef?: string | null; startDate?: string | null; endDate?: string | null }, actor: Actor) {
      return store.transaction(async () => {
        await service(input.serviceId);
        minor(input.amount, 'amount');
        if (input.amount < 0) throw bad('amount', said('fault.contract.itemNegative', 'a recurring item amount must not be negative'));
        if (input.startDate != null) parseDate(input.startDate, 'startDate');
        if (input.endDate != null) parseDate(input.endDate, 'endDate');
        if (input.startDate != null && input.endDate != null && input.endDate < input.startDate) throw bad('endDate', said('fault.item.endBeforeStart', 'endDate is before startDate'));
        checkVatNature(input.taxRateBp, input.vatNature);
        const row = await store.insertItem({ ...input, taxRateBp: input.taxRateBp ?? 0, taxInclusive: input.taxInclusive ?? true }, at());
        await store.audit(actor, at(), 'create', 'recurring_item', row.id, row);
        return row;
      });
    },

    addCharge(input: { customerId: number; serviceId?: number | null; description: string; amount: number; date: string; taxRateBp?: number; taxInclusive?: boolean; vatNature?: string | null; vatLegalRef?: string | null }, actor: Actor) {
      return store.transaction(async () => {
        if (!(await store.customerExists(input.customerId))) throw bad('customerId', `customer ${input.customerId} does not exist`);
        if (input.serviceId != null && (await store.serviceRow(input.serviceId))?.customerId !== input.customerId) {
          throw bad('serviceId', `service ${input.serviceId} is not one of customer ${input.customerId}'s`);
        }
        minor(input.amount, 'amount');
        parseDate(input.date, 'date');
        checkVatNature(input.taxRateBp, input.vatNature);
        const row = await store.insertCharge({ ...input, serviceId: input.serviceId ?? null, taxRateBp: input.taxRateBp ?? 0, taxInclusive: input.taxInclusive ?? true }, at());
        await store.audit(actor, at(), 'create', 'one_off_charge', row.id, row);
        return row;
      });
    },

    addDiscount(input: Omit<Discount, 'id'> & { customerId: number }, actor: Actor) {
      return store.transaction(async () => {
        if (!(await store.customerExists(input.customerId))) throw bad('customerId', `customer ${input.customerId} does not exist`);
        parseDate(input.startDate, 'startDate');
        if (input.target.kind !== 'invoice') {
          if ((await store.serviceRow(Number(input.target.serviceId)))?.customerId !== input.customerId) {
            throw bad('serviceId', `service ${input.target.serviceId} is not one of customer ${input.customerId}'s`);
          }
        }
        if (input.target.kind === 'item' && (await store.itemRow(Number(input.target.itemId)))?.serviceId !== input.target.serviceId) {
          throw bad('itemId', `item ${input.target.itemId} is not on service ${input.target.serviceId}`);
        }
        const id = await store.insertDiscount(input, at());
        const row = (await store.listDiscounts(input.customerId)).find((d) => d.id === id)!;
        await store.audit(actor, at(), 'create', 'discount', id, row);
        return row;
      });
    },
  };
}
