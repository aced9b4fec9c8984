/**
 * THE invoice generator: what is due up to the run date and not yet billed, as draft invoices.
 *
 * It is a pure function of (contracts, charges, discounts, keys already billed, run date). Every line
 * carries a unique key naming the fact it bills (`service:42:period:2026-03-01`, `charge:7`,
 * `discount:3:on:service:42:period:2026-03-01`…). The caller stores each line's key under a UNIQUE
 * constraint in the same transaction as the invoice, and passes the stored keys back on the next run.
 * So a re-run emits nothing, a run that crashed half-way emits exactly the rest, and a run after
 * missed days emits every missed line, each dated by its own bill date.
 *
 * Why lines never depend on WHEN a fact became known: each line is computed from one fact and the
 * contract's immutable shape (start, trial, billing day, period length), never from the other
 * facts. The recurring line of a period always covers the period from its start to the grid end at
 * the plan in effect before the period began; a plan change effective inside a period (on its first
 * day included) adds a credit of the old plan and a charge of the new from the change to the grid end;
 * an end date inside a period adds a credit from the day after the end to the grid end at the plan
 * in effect on the end date. These telescope to the exact charge for the days served, whichever run
 * happened to learn each fact, so an upgrade or a cancellation recorded after an in-advance period was
 * billed produces correcting lines instead of a silent mismatch. Issued lines are never edited.
 *
 * Rules, stated once:
 * - Statuses: 'proposal' and 'free' are never billed; 'suspended' periods (the service suspended on
 *   the period's first day, per the suspension history) are skipped unless the customer's
 *   `billSuspended` is set; 'ended' bills up to its end date (which it must have).
 * - In advance, a period is billed on its first day; in arrears, on the day after its last day
 *   (the end date for the last period).
 * - The setup fee is billed once, with the first period, taxed like the initial plan.
 * - Recurring items (equipment rent) are priced per billing period of their service, billed with each
 *   period whose first day falls within the item's dates, prorated like the plan.
 * - One-off charges are billed on the first run on or after their date; a charge tied to a service
 *   still in 'proposal' waits until it is not.
 * - Discounts: a percentage applies to every recurring, item, plan-change and end-credit line of its
 *   target in a discounted period (so a credit is discounted as its charge was); a fixed amount
 *   applies to the recurring and item lines of a period, capped at their sum, split across them by
 *   amount (largest remainder) and is not reduced by a later end credit. A discount covers N periods
 *   of each targeted service, counted from the first period starting on or after its start date
 *   (a first partial period counts as one). Several discounts on one line do not compound: each is
 *   computed on the undiscounted line. 'invoice' targets every service of the customer; one-off
 *   charges and setup fees are never discounted.
 * - Money rounds once per line (money.ts) for proration; tax is computed per rate (and exemption
 *   nature) on the invoice's taxable total and shared out to its lines (document-tax.ts), so invoice
 *   totals are sums of the lines and each rate's tax is rounded once.
 * - Corrections are credit notes, not negative invoice lines: a plan change's credit of the old plan
 *   (`corrects` names the line that charged those days: the period, or the change before it) whose
 *   charge is already on an issued invoice leaves the invoice and goes to `corrections`, with the
 *   discount lines on it; the service issues it as a credit note against that invoice
 *   (splitCorrections). The new plan's charge stays an invoice line. A credit of a charge due in
 *   the same run stays beside it on the invoice.
 * - Plan changes must be recorded in effective-date order (the API refuses one dated before the
 *   latest) and before an end date is set (the end credit is priced at the plan on the end date).
 * - An end date recorded after later days were billed (the customer left in March, recorded in
 *   April after April was billed in advance): every line billed for days after the end is reversed
 *   exactly as billed (key `void:<key>`), and the setup fee too when no billable day is left. An end
 *   date, once credited, is not re-credited if edited later (a credit note corrects it).
 * - Terms (terms.ts): a non-renewing term gives the end date; an end before the end of its term
 *   keeps the committed days of the last period (its end credit starts after the term's last day)
 *   and charges each later grid period of the term on an `early_termination` line
 *   (`service:42:etf:period:2026-05-01`), due with the last period (in advance) or the day after
 *   the end (in arrears). These lines are never discounted nor reversed by a later end date.
 *
 * Errors: invalid input throws a TollgateError with a code and field; the run catches it per
 * service (or per discount / charge) and reports it in `problems`, so one bad contract does not stop
 * the run for every other customer.
 */
import {
  addDays,
  daysInclusive,
  parseDate,
  type CalDate,
} from '../../lib/calendar.js';
import type { ErrorCode } from '../../lib/error-codes.js';
import { TollgateError } from '../../lib/errors.js';
import { allocate, formatMoney, minor, neg, percentOf, sum, taxLine, type Minor } from '../../lib/money.js';
import { buildSchedule, periods as gridPeriods, periodsStartingThrough, type BillingDay, type BillingPeriod, type Schedule } from './periods.js';
import { applyDocumentTax, isVatNature, rateSummary } from './document-tax.js';
import { prorate } from './proration.js';
import { checkTermRules, commitmentEnd, effectiveEndDate } from './terms.js';

export type EntityId = number | string;

export type ServiceStatus = 'proposal' | 'active' | 'suspended' | 'ended' | 'free';
export type BillingMode = 'advance' | 'arrears';

export interface TaxTerms {
  /** Tax rate in basis points: 22 % = 2200. */
  readonly taxRateBp: number;
  /** true: amounts include the tax; false: the tax is added (document-tax.ts: computed per rate on the document). */
  readonly taxInclusive: boolean;
  /** FatturaPA exemption nature (N1 … N7 with subcodes) when the rate is 0; null for a taxed price. */
  readonly vatNature?: string | null;
  /** The law the exemption rests on, printed with the line (e.g. "Art. 1, c. 54-89, L. 190/2014"). */
  readonly vatLegalRef?: string | null;
}

export interface PlanTerms extends TaxTerms {
  readonly planId: EntityId;
  readonly name: string;
  /** Price per billing period, in minor units, ≥ 0. */
  readonly price: Minor;
}

export interface PlanChange {
  readonly id: EntityId;
  /** The first day on the new plan. */
  readonly effectiveDate: CalDate;
  readonly plan: PlanTerms;
}

export interface RecurringItem extends TaxTerms {
  readonly id: EntityId;
  readonly description: string;
  /** Price per billing period of the service, ≥ 0. */
  readonly amount: Minor;
  /** Billed for periods whose first day is on or after this date (default: all). */
  readonly startDate?: CalDate | null;
  /** Billed for periods whose first day is on or before this date (default: all). */
  readonly endDate?: CalDate | null;
}

export interface Suspension {
  /** First day suspended. */
  readonly from: CalDate;
  /** First day active again; null while still suspended. */
  readonly to: CalDate | null;
}

export interface ServiceContract {
  readonly serviceId: EntityId;
  /** Shown in line descriptions (the username, typically). */
  readonly label?: string;
  readonly status: ServiceStatus;
  /** The plan at the start of the contract. */
  readonly plan: PlanTerms;
  /** Later plan changes, in effective-date order. Period length stays the contract's. */
  readonly planChanges?: readonly PlanChange[];
  readonly billingPeriodMonths: number;
  readonly billingMode: BillingMode;
  readonly billingDay: BillingDay;
  readonly startDate: CalDate;
  /** The last day of the free trial, inclusive. */
  readonly trialEndDate?: CalDate | null;
  /** The last day of service, inclusive. Required when status is 'ended' (unless a non-renewing term gives it). */
  readonly endDate?: CalDate | null;
  /** Contract term in months (terms.ts): the minimum term and the renewal length; null for none. */
  readonly termMonths?: number | null;
  /** With a term: renews tacitly (default true); false: ends by itself after the first term. */
  readonly autoRenew?: boolean;
  /** One-time fee billed with the first period, 0 for none. */
  readonly setupFee?: Minor;
  readonly recurringItems?: readonly RecurringItem[];
  readonly suspensions?: readonly Suspension[];
}

export interface OneOffCharge extends TaxTerms {
  readonly id: EntityId;
  readonly serviceId?: EntityId | null;
  readonly description: string;
  /** May be negative (a goodwill credit); never a float. */
  readonly amount: Minor;
  /** Billed on the first run on or after this date. */
  readonly date: CalDate;
}

export type DiscountTarget =
  | { readonly kind: 'invoice' }
  | { readonly kind: 'service'; readonly serviceId: EntityId }
  | { readonly kind: 'item'; readonly serviceId: EntityId; readonly itemId: EntityId };

export type DiscountValue =
  | { readonly type: 'percent'; /** 5000 = 50 % */ readonly bp: number }
  | { readonly type: 'fixed'; /** per period, ≥ 0 */ readonly amount: Minor };

export interface Discount {
  readonly id: EntityId;
  readonly description: string;
  readonly target: DiscountTarget;
  readonly value: DiscountValue;
  /** Applies to periods starting on or after this date. */
  readonly startDate: CalDate;
  /** How many periods of each targeted service; null = until the discount is removed. */
  readonly periods: number | null;
}

export interface CustomerBilling {
  readonly customerId: EntityId;
  /** Due date = issue date + this many days. */
  readonly daysUntilDue: number;
  /** Bill periods that start while the service is suspended (billing profile option). */
  readonly billSuspended?: boolean;
  readonly services: readonly ServiceContract[];
  readonly oneOffCharges?: readonly OneOffCharge[];
  readonly discounts?: readonly Discount[];
}

/** A line as it was billed, for an exact reversal. */
export interface BilledLine {
  readonly key: string;
  readonly description: string;
  /** Null for the setup fee. */
  readonly periodStart: CalDate | null;
  readonly periodEnd: CalDate | null;
  readonly amount: Minor;
  readonly taxRateBp: number;
  readonly taxInclusive: boolean;
  readonly vatNature?: string | null;
  readonly vatLegalRef?: string | null;
  readonly net: Minor;
  readonly tax: Minor;
  readonly gross: Minor;
  /**
   * For a credit the run issued on a credit note: the invoice line that note credited. Its reversal
   * goes on a note against that line's invoice too.
   */
  readonly credits?: string;
}

/** The keys already on issued or draft invoices; a Set<string> fits. */
export interface BilledKeys {
  has(key: string): boolean;
}

export interface BillingRunInput {
  /** The billing date, in the billing time zone. Everything due on or before it is billed. */
  readonly runDate: CalDate;
  /** ISO 4217 code of every amount in the input. */
  readonly currency: string;
  readonly customers: readonly CustomerBilling[];
  readonly alreadyBilled: BilledKeys;
  /**
   * The lines already billed for a service's days after `afterDate` (its end date), end credits
   * excluded, plus its setup fee. When an end date is recorded after later periods were billed,
   * these are reversed exactly (the setup fee only when no billable day is left: the contract ended
   * during its trial). Absent: nothing is looked up (a run from facts alone).
   */
  readonly billedAfterEnd?: (serviceId: EntityId, afterDate: CalDate) => readonly BilledLine[];
}

export type LineKind =
  | 'recurring'
  | 'item'
  | 'setup'
  | 'plan_change_credit'
  | 'plan_change_charge'
  | 'end_credit'
  | 'item_end_credit'
  | 'one_off'
  | 'discount'
  | 'early_termination';

export interface DraftLine {
  /** Unique idempotency key: store it under a UNIQUE constraint. */
  readonly key: string;
  readonly kind: LineKind;
  readonly customerId: EntityId;
  readonly serviceId: EntityId | null;
  readonly description: string;
  /** Service days this line covers, inclusive; null for one-off charges and setup fees. */
  readonly periodStart: CalDate | null;
  readonly periodEnd: CalDate | null;
  /** The day this line became billable. */
  readonly billDate: CalDate;
  /** The amount as priced: gross when taxInclusive, net otherwise. */
  readonly amount: Minor;
  readonly taxRateBp: number;
  readonly taxInclusive: boolean;
  /** Exemption nature and its legal reference, for a line without VAT (FatturaPA `Natura`). */
  readonly vatNature?: string | null;
  readonly vatLegalRef?: string | null;
  readonly net: Minor;
  readonly tax: Minor;
  readonly gross: Minor;
  readonly planId?: EntityId;
  readonly itemId?: EntityId;
  readonly chargeId?: EntityId;
  readonly changeId?: EntityId;
  readonly discountId?: EntityId;
  /** For a discount line: the key of the line it discounts. */
  readonly appliesTo?: string;
  /**
   * For a credit that gives back part of an earlier charge (a plan change's credit of the old plan):
   * the key of the line that charged it. Once that line is on an issued invoice, the credit is a
   * credit note against that invoice, never a negative line on a new one.
   */
  readonly corrects?: string;
}

export interface TaxSummary {
  readonly taxRateBp: number;
  /** The exemption nature of a 0 % group (N2.2 …); null for a taxed rate. */
  readonly vatNature: string | null;
  readonly net: Minor;
  readonly tax: Minor;
  readonly gross: Minor;
}

export interface DraftInvoice {
  readonly customerId: EntityId;
  readonly currency: string;
  readonly issueDate: CalDate;
  readonly dueDate: CalDate;
  readonly lines: readonly DraftLine[];
  readonly net: Minor;
  readonly tax: Minor;
  /**
   * Σ line gross, never negative: credits of charges already issued are credit notes
   * (splitCorrections), and credits that would take an invoice below zero wait (holdBackCredits).
   */
  readonly total: Minor;
  /** One entry per tax rate (and exemption nature), ascending: document-tax.ts. */
  readonly taxes: readonly TaxSummary[];
}

export interface BillingProblem {
  readonly customerId: EntityId;
  readonly serviceId: EntityId | null;
  readonly code: ErrorCode;
  readonly field?: string;
  readonly message: string;
}

/** A line of a correction: the draft line and the issued line it gives back (part of). */
export interface CorrectionLine {
  readonly line: DraftLine;
  /** The key of the issued invoice line it reverses (its invoice is the one the note corrects). */
  readonly creditsKey: string;
  /** The line whose invoice the note is against: the charge the credit corrects. */
  readonly against: string;
}

/**
 * Credits due for lines already on issued invoices: each becomes a credit note (one per invoice
 * corrected, numbered in the credit-note series) dated the run date, never a negative invoice line.
 */
export interface DraftCorrection {
  readonly customerId: EntityId;
  readonly currency: string;
  readonly issueDate: CalDate;
  readonly lines: readonly CorrectionLine[];
}

export interface BillingRunOutput {
  readonly runDate: CalDate;
  /** At most one per customer, in input order; customers with nothing due have none. */
  readonly invoices: readonly DraftInvoice[];
  /** At most one per customer: credits of lines already issued, for credit notes. */
  readonly corrections: readonly DraftCorrection[];
  /** Credits due that no invoice could take yet (holdBackCredits): the next run offers them again. */
  readonly held: readonly DraftLine[];
  readonly problems: readonly BillingProblem[];
}

// ---- keys -----------------------------------------------------------------------------------------

export const billingKeys = {
  period: (serviceId: EntityId, periodStart: CalDate) => `service:${serviceId}:period:${periodStart}`,
  item: (serviceId: EntityId, itemId: EntityId, periodStart: CalDate) => `service:${serviceId}:item:${itemId}:period:${periodStart}`,
  setup: (serviceId: EntityId) => `service:${serviceId}:setup`,
  changeCredit: (serviceId: EntityId, changeId: EntityId) => `service:${serviceId}:change:${changeId}:credit`,
  changeCharge: (serviceId: EntityId, changeId: EntityId) => `service:${serviceId}:change:${changeId}:charge`,
  endCredit: (serviceId: EntityId) => `service:${serviceId}:end:credit`,
  itemEndCredit: (serviceId: EntityId, itemId: EntityId) => `service:${serviceId}:item:${itemId}:end:credit`,
  earlyTermination: (serviceId: EntityId, periodStart: CalDate) => `service:${serviceId}:etf:period:${periodStart}`,
  reversal: (billedKey: string) => `void:${billedKey}`,
  charge: (chargeId: EntityId) => `charge:${chargeId}`,
  discount: (discountId: EntityId, targetKey: string) => `discount:${discountId}:on:${targetKey}`,
} as const;

// ---- validation helpers ---------------------------------------------------------------------------

function fail(code: ErrorCode, field: string, message: string): never {
  throw new TollgateError(code, message, field);
}

function checkTax(t: TaxTerms, field: string): void {
  if (!Number.isInteger(t.taxRateBp) || t.taxRateBp < 0 || t.taxRateBp > 100_000) {
    fail('invalid_tax_rate', `${field}.taxRateBp`, 'taxRateBp must be an integer number of basis points, 0..100000');
  }
  if (typeof t.taxInclusive !== 'boolean') fail('invalid_tax_inclusive', `${field}.taxInclusive`, 'taxInclusive must be a boolean');
  if (t.vatNature != null) {
    if (!isVatNature(t.vatNature)) fail('invalid_tax_rate', `${field}.vatNature`, `${t.vatNature} is not an exemption nature (N1, N2.1 … N7)`);
    if (t.taxRateBp !== 0) fail('invalid_tax_rate', `${field}.vatNature`, 'an exemption nature goes with a 0 % rate');
  }
}

/** The tax terms a line takes from its plan, item or charge. */
function taxOf(t: TaxTerms): Pick<DraftLine, 'taxRateBp' | 'taxInclusive' | 'vatNature' | 'vatLegalRef'> {
  return {
    taxRateBp: t.taxRateBp, taxInclusive: t.taxInclusive,
    ...(t.vatNature != null ? { vatNature: t.vatNature, vatLegalRef: t.vatLegalRef ?? null } : {}),
  };
}

function checkPrice(amount: Minor, field: string): void {
  minor(amount, field);
  if (amount < 0) fail('invalid_amount', field, `${field} must not be negative`);
}

function checkPlan(plan: PlanTerms, field: string): void {
  checkPrice(plan.price, `${field}.price`);
  checkTax(plan, field);
}

// ---- line building --------------------------------------------------------------------------------

type LineFields = Omit<DraftLine, 'net' | 'tax' | 'gross'>;

function makeLine(fields: LineFields): DraftLine {
  const taxed = taxLine(fields.amount, fields.taxRateBp, fields.taxInclusive);
  return { ...fields, net: taxed.net, tax: taxed.tax, gross: taxed.gross };
}

/** A line of a service period that discounts may target. */
interface PeriodLine {
  readonly line: DraftLine;
  readonly period: BillingPeriod;
  readonly itemId: EntityId | null;
}

interface ServiceResult {
  readonly lines: DraftLine[];
  readonly periodLines: PeriodLine[];
  readonly periods: BillingPeriod[];
}

function range(a: CalDate, b: CalDate): string {
  return a === b ? a : `${a} – ${b}`;
}

/** The plan after every change effective strictly before `date`. */
function planBefore(contract: ServiceContract, changes: readonly PlanChange[], date: CalDate): PlanTerms {
  let plan = contract.plan;
  for (const c of changes) {
    if (c.effectiveDate < date) plan = c.plan;
    else break;
  }
  return plan;
}

function suspendedOn(suspensions: readonly Suspension[], date: CalDate): boolean {
  return suspensions.some((s) => s.from <= date && (s.to === null || date < s.to));
}

/**
 * `skipBilled`: a period whose every key is already billed is not computed at all (the lines would be
 * filtered out anyway). Only allowed when no discount needs the period's lines as targets.
 */
function serviceLines(
  customer: CustomerBilling, contract: ServiceContract, runDate: CalDate, billed: BilledKeys, skipBilled: boolean,
  billedAfterEnd?: BillingRunInput['billedAfterEnd'],
): ServiceResult {
  const empty: ServiceResult = { lines: [], periodLines: [], periods: [] };
  if (contract.status === 'proposal' || contract.status === 'free') return empty;
  if (contract.billingMode !== 'advance' && contract.billingMode !== 'arrears') {
    fail('invalid_billing_mode', 'billingMode', "billingMode must be 'advance' or 'arrears'");
  }
  checkPlan(contract.plan, 'plan');
  // A term changes the end date (a non-renewing term ends by itself) and what an early end owes.
  let schedule: Schedule = buildSchedule(contract);
  let endDate = contract.endDate ?? null;
  let committedTo: CalDate | null = null;
  if (contract.termMonths != null) {
    checkTermRules(contract);
    endDate = effectiveEndDate(schedule.billingStart, contract, contract.endDate);
    if (endDate !== contract.endDate) schedule = buildSchedule({ ...contract, endDate });
    if (endDate !== null) {
      const c = commitmentEnd(schedule.billingStart, contract, endDate);
      if (c !== null && c > endDate) committedTo = c;
    }
  }
  if (contract.status === 'ended' && endDate == null) {
    fail('ended_without_end_date', 'endDate', 'an ended service needs its end date to be billed up to it');
  }
  const changes = [...(contract.planChanges ?? [])];
  changes.forEach((c, i) => {
    parseDate(c.effectiveDate, `planChanges[${i}].effectiveDate`);
    checkPlan(c.plan, `planChanges[${i}].plan`);
    if (i > 0 && c.effectiveDate < changes[i - 1]!.effectiveDate) {
      fail('plan_changes_out_of_order', `planChanges[${i}].effectiveDate`, 'plan changes must be in effective-date order');
    }
  });
  const items = contract.recurringItems ?? [];
  items.forEach((it, i) => {
    checkPrice(it.amount, `recurringItems[${i}].amount`);
    checkTax(it, `recurringItems[${i}]`);
    if (it.startDate != null) parseDate(it.startDate, `recurringItems[${i}].startDate`);
    if (it.endDate != null) parseDate(it.endDate, `recurringItems[${i}].endDate`);
  });
  const suspensions = contract.suspensions ?? [];
  suspensions.forEach((s, i) => {
    parseDate(s.from, `suspensions[${i}].from`);
    if (s.to !== null && parseDate(s.to, `suspensions[${i}].to`) < s.from) {
      fail('invalid_suspension', `suspensions[${i}].to`, 'a suspension cannot end before it starts');
    }
  });
  if (contract.status === 'suspended' && !suspensions.some((s) => s.to === null)) {
    fail('suspended_without_interval', 'suspensions', 'a suspended service needs its open suspension (from which day) to be billed correctly');
  }
  const setupFee = contract.setupFee ?? 0;
  checkPrice(setupFee, 'setupFee');

  const sid = contract.serviceId;
  const who = contract.label ? ` (${contract.label})` : '';
  const base = { customerId: customer.customerId, serviceId: sid };
  const lines: DraftLine[] = [];
  const periodLines: PeriodLine[] = [];
  const periods = periodsStartingThrough(schedule, runDate);
  const advance = contract.billingMode === 'advance';

  const allBilled = (q: BillingPeriod): boolean => {
    if (!billed.has(billingKeys.period(sid, q.start))) return false;
    for (const it of items) {
      if ((it.startDate == null || it.startDate <= q.start) && (it.endDate == null || q.start <= it.endDate) && !billed.has(billingKeys.item(sid, it.id, q.start))) return false;
    }
    for (const c of changes) {
      if (c.effectiveDate >= q.start && c.effectiveDate <= q.end) return false;
    }
    return !q.lastPartial;
  };

  for (const q of periods) {
    if (!customer.billSuspended && suspendedOn(suspensions, q.start)) continue;
    // A run over a long-lived contract meets mostly billed periods: skip them cheaply.
    if (skipBilled && allBilled(q)) continue;
    const billDate = advance ? q.start : addDays(q.end, 1);
    // The recurring line covers the period to its grid end; a contract end inside the period is a
    // separate credit (see the module comment).
    const chargedDays = daysInclusive(q.start, q.fullEnd);
    const plan = planBefore(contract, changes, q.start);
    const push = (line: DraftLine, itemId: EntityId | null = null): void => {
      lines.push(line);
      periodLines.push({ line, period: q, itemId });
    };
    push(makeLine({
      ...base, key: billingKeys.period(sid, q.start), kind: 'recurring',
      description: `${plan.name}${who} ${range(q.start, q.fullEnd)}`,
      periodStart: q.start, periodEnd: q.fullEnd, billDate,
      amount: prorate(plan.price, chargedDays, q.fullDays),
      ...taxOf(plan), planId: plan.planId,
    }));
    const activeItems = items.filter(
      (it) => (it.startDate == null || it.startDate <= q.start) && (it.endDate == null || q.start <= it.endDate),
    );
    for (const it of activeItems) {
      push(makeLine({
        ...base, key: billingKeys.item(sid, it.id, q.start), kind: 'item',
        description: `${it.description}${who} ${range(q.start, q.fullEnd)}`,
        periodStart: q.start, periodEnd: q.fullEnd, billDate,
        amount: prorate(it.amount, chargedDays, q.fullDays),
        ...taxOf(it), itemId: it.id,
      }), it.id);
    }
    // Plan changes effective inside the served part of this period.
    let previous = plan;
    // The line that charged the old plan for these days: the period, or the change before this one.
    let previousCharge = billingKeys.period(sid, q.start);
    let lastChange: CalDate | null = null;
    for (const c of changes) {
      if (c.effectiveDate < q.start) continue;
      if (c.effectiveDate > q.end) break;
      const days = daysInclusive(c.effectiveDate, q.fullEnd);
      const changeBill = advance ? c.effectiveDate : billDate;
      lastChange = c.effectiveDate;
      const credit = neg(prorate(previous.price, days, q.fullDays));
      if (credit !== 0) {
        push(makeLine({
          ...base, key: billingKeys.changeCredit(sid, c.id), kind: 'plan_change_credit',
          description: `${previous.name}${who} unused ${range(c.effectiveDate, q.fullEnd)}`,
          periodStart: c.effectiveDate, periodEnd: q.fullEnd, billDate: changeBill, amount: credit,
          ...taxOf(previous), planId: previous.planId, changeId: c.id,
          corrects: previousCharge,
        }));
      }
      const charge = prorate(c.plan.price, days, q.fullDays);
      if (charge !== 0) {
        push(makeLine({
          ...base, key: billingKeys.changeCharge(sid, c.id), kind: 'plan_change_charge',
          description: `${c.plan.name}${who} ${range(c.effectiveDate, q.fullEnd)}`,
          periodStart: c.effectiveDate, periodEnd: q.fullEnd, billDate: changeBill, amount: charge,
          ...taxOf(c.plan), planId: c.plan.planId, changeId: c.id,
        }));
        previousCharge = billingKeys.changeCharge(sid, c.id);
      }
      previous = c.plan;
    }
    // The contract ends inside this period: give back the days after the end, except those a
    // minimum term still commits the customer to (terms.ts).
    if (q.lastPartial) {
      const from = addDays(q.end, 1);
      const days = daysInclusive(from, q.fullEnd);
      // In advance the credit is due as soon as the end is known (after any change it follows);
      // in arrears it goes on the final invoice with the period.
      const creditBill = advance ? (lastChange ?? q.start) : billDate;
      const endPlan = previous;
      const planFrom = committedTo !== null && committedTo > q.end ? addDays(committedTo, 1) : from;
      const credit = planFrom > q.fullEnd ? 0 : neg(prorate(endPlan.price, daysInclusive(planFrom, q.fullEnd), q.fullDays));
      if (credit !== 0) {
        push(makeLine({
          ...base, key: billingKeys.endCredit(sid), kind: 'end_credit',
          description: `${endPlan.name}${who} not used after the end, ${range(planFrom, q.fullEnd)}`,
          periodStart: planFrom, periodEnd: q.fullEnd, billDate: creditBill, amount: credit,
          ...taxOf(endPlan), planId: endPlan.planId,
          corrects: previousCharge,
        }));
      }
      for (const it of activeItems) {
        const itemCredit = neg(prorate(it.amount, days, q.fullDays));
        if (itemCredit === 0) continue;
        push(makeLine({
          ...base, key: billingKeys.itemEndCredit(sid, it.id), kind: 'item_end_credit',
          description: `${it.description}${who} not used after the end, ${range(from, q.fullEnd)}`,
          periodStart: from, periodEnd: q.fullEnd, billDate: creditBill, amount: itemCredit,
          ...taxOf(it), itemId: it.id,
          corrects: billingKeys.item(sid, it.id, q.start),
        }), it.id);
      }
    }
  }

  // Ended before the end of its term: every grid period after the last one, up to the term's last
  // day, is charged at the plan on the end date, prorated like a period, with the last period.
  if (committedTo !== null && endDate !== null) {
    const last = periods.length > 0 ? periods[periods.length - 1]! : null;
    // The last period may not be reached by this run yet; its shape is fixed by the facts.
    let lastPeriod: BillingPeriod | null = last !== null && last.end === endDate ? last : null;
    if (lastPeriod === null) for (const p of gridPeriods(schedule)) lastPeriod = p;
    if (lastPeriod !== null) {
      const endPlan = planBefore(contract, changes, addDays(endDate, 1));
      const etfBill = advance ? lastPeriod.start : addDays(endDate, 1);
      for (const g of gridPeriods({ ...schedule, endDate: null })) {
        if (g.start <= lastPeriod.fullEnd) continue;
        if (g.start > committedTo) break;
        const to = g.fullEnd < committedTo ? g.fullEnd : committedTo;
        const amount = prorate(endPlan.price, daysInclusive(g.start, to), g.fullDays);
        if (amount === 0) continue;
        lines.push(makeLine({
          ...base, key: billingKeys.earlyTermination(sid, g.start), kind: 'early_termination',
          description: `Early termination, term to ${committedTo}: ${endPlan.name}${who} ${range(g.start, to)}`,
          periodStart: g.start, periodEnd: to, billDate: etfBill, amount,
          ...taxOf(endPlan), planId: endPlan.planId,
        }));
      }
    }
  }

  // An end date recorded after later days were billed: those lines are reversed exactly as billed
  // (not recomputed, so a price edited since cannot leave a cent behind), due from the end.
  if (endDate != null && billedAfterEnd) {
    const from = addDays(endDate, 1);
    for (const b of billedAfterEnd(sid, endDate)) {
      const setupWithoutService = b.periodStart === null && b.key === billingKeys.setup(sid) && periods.length === 0;
      if (!setupWithoutService && (b.periodStart === null || b.periodStart < from)) continue;
      lines.push({
        key: billingKeys.reversal(b.key), kind: 'end_credit', customerId: customer.customerId, serviceId: sid,
        description: `Reversal after the end on ${endDate}: ${b.description}`,
        periodStart: b.periodStart, periodEnd: b.periodEnd, billDate: from,
        amount: -b.amount, ...taxOf(b), net: -b.net, tax: -b.tax, gross: -b.gross,
        corrects: b.credits ?? b.key,
      });
    }
  }

  const first = periods[0];
  if (setupFee > 0 && first) {
    lines.push(makeLine({
      ...base, key: billingKeys.setup(sid), kind: 'setup',
      description: `Setup fee${who}`, periodStart: null, periodEnd: null,
      billDate: advance ? first.start : addDays(first.end, 1), amount: setupFee,
      ...taxOf(contract.plan), planId: contract.plan.planId,
    }));
  }
  return { lines, periodLines, periods };
}

function targets(discount: Discount, pl: PeriodLine): boolean {
  const t = discount.target;
  const sid = pl.line.serviceId;
  switch (t.kind) {
    case 'invoice':
      return true;
    case 'service':
      return sid === t.serviceId && pl.itemId === null;
    case 'item':
      return sid === t.serviceId && pl.itemId === t.itemId;
  }
}

function checkDiscount(d: Discount, serviceIds: ReadonlySet<EntityId>): void {
  parseDate(d.startDate, 'startDate');
  if (d.periods !== null && (!Number.isInteger(d.periods) || d.periods < 1)) {
    fail('invalid_discount_periods', 'periods', 'periods must be a positive integer or null');
  }
  if (d.value.type === 'percent') {
    if (!Number.isInteger(d.value.bp) || d.value.bp < 0 || d.value.bp > 10_000) {
      fail('invalid_discount_percent', 'value.bp', 'a percentage discount is 0..10000 basis points');
    }
  } else if (d.value.type === 'fixed') {
    checkPrice(d.value.amount, 'value.amount');
  } else {
    fail('invalid_discount_type', 'value.type', "a discount is 'percent' or 'fixed'");
  }
  if (d.target.kind !== 'invoice' && !serviceIds.has(d.target.serviceId)) {
    fail('discount_target_unknown', 'target.serviceId', `discount ${d.id} targets a service this customer does not have`);
  }
}

/** Whether `period` is within the first N periods of its service starting on or after the discount's start. */
function discountCovers(d: Discount, servicePeriods: readonly BillingPeriod[], period: BillingPeriod): boolean {
  if (period.start < d.startDate) return false;
  if (d.periods === null) return true;
  const firstIndex = servicePeriods.find((p) => p.start >= d.startDate)?.index ?? period.index;
  return period.index - firstIndex < d.periods;
}

function discountLines(
  customer: CustomerBilling,
  discount: Discount,
  periodLines: readonly PeriodLine[],
  periodsByService: ReadonlyMap<EntityId, readonly BillingPeriod[]>,
): DraftLine[] {
  const eligible = periodLines.filter(
    (pl) => targets(discount, pl) && discountCovers(discount, periodsByService.get(pl.line.serviceId!) ?? [], pl.period),
  );
  const make = (target: DraftLine, amount: Minor): DraftLine => makeLine({
    key: billingKeys.discount(discount.id, target.key), kind: 'discount',
    customerId: customer.customerId, serviceId: target.serviceId,
    description: `${discount.description}: ${target.description}`,
    periodStart: target.periodStart, periodEnd: target.periodEnd, billDate: target.billDate, amount,
    ...taxOf(target),
    discountId: discount.id, appliesTo: target.key,
  });
  const out: DraftLine[] = [];
  const value = discount.value;
  if (value.type === 'percent') {
    for (const { line } of eligible) {
      const amount = neg(percentOf(line.amount, value.bp));
      if (amount !== 0) out.push(make(line, amount));
    }
    return out;
  }
  // Fixed: per (service, period), over that period's recurring and item lines.
  const groups = new Map<string, DraftLine[]>();
  for (const { line, period } of eligible) {
    if (line.kind !== 'recurring' && line.kind !== 'item') continue;
    const k = `${String(line.serviceId)}|${period.start}`;
    const g = groups.get(k);
    if (g) g.push(line);
    else groups.set(k, [line]);
  }
  for (const group of groups.values()) {
    const available = sum(group.map((l) => l.amount));
    const applied = Math.min(value.amount, available);
    if (applied <= 0) continue;
    const parts = allocate(applied, group.map((l) => l.amount));
    group.forEach((line, i) => {
      if (parts[i]! !== 0) out.push(make(line, neg(parts[i]!)));
    });
  }
  return out;
}

const KIND_ORDER: Record<LineKind, number> = {
  setup: 0, recurring: 1, item: 2, plan_change_credit: 3, plan_change_charge: 4,
  end_credit: 5, item_end_credit: 6, discount: 7, one_off: 8, early_termination: 9,
};

export function summarizeTaxes(lines: readonly Pick<DraftLine, 'taxRateBp' | 'vatNature' | 'net' | 'tax' | 'gross'>[]): TaxSummary[] {
  return rateSummary(lines);
}

/**
 * Builds a draft from lines: the tax is computed per rate on the document (document-tax.ts) and
 * shared out to the lines, so totals are still exact sums of the lines.
 */
export function draftInvoice(
  customerId: EntityId,
  currency: string,
  issueDate: CalDate,
  dueDate: CalDate,
  due: readonly DraftLine[],
): DraftInvoice {
  const lines = applyDocumentTax(due, (l) => l.key.startsWith('void:'));
  return {
    customerId, currency, issueDate, dueDate, lines,
    net: sum(lines.map((l) => l.net)),
    tax: sum(lines.map((l) => l.tax)),
    total: sum(lines.map((l) => l.gross)),
    taxes: summarizeTaxes(lines),
  };
}

/**
 * Takes out of the lines due the credits of charges already issued (and the discount lines on those
 * credits, which go with them): they are credit notes against the invoice of the charge. A credit of
 * a charge due in the same run stays on the invoice beside it.
 */
export function splitCorrections(
  due: readonly DraftLine[],
  alreadyBilled: BilledKeys,
): { invoiceLines: DraftLine[]; corrections: CorrectionLine[] } {
  const against = new Map<string, string>();
  for (const l of due) {
    // Any sign: the reversal of a discount or of a credit, after a late end date, lessens the note
    // that reverses the charge beside it.
    if (l.corrects !== undefined && alreadyBilled.has(l.corrects)) against.set(l.key, l.corrects);
  }
  const candidates: CorrectionLine[] = [];
  for (const l of due) {
    const own = against.get(l.key);
    if (own !== undefined) {
      // The reversal of a discount goes with the charge it discounted (the same invoice).
      candidates.push({ line: l, creditsKey: own, against: /^discount:[^:]+:on:(.+)$/.exec(own)?.[1] ?? own });
      continue;
    }
    const target = l.kind === 'discount' && l.appliesTo !== undefined ? against.get(l.appliesTo) : undefined;
    if (target !== undefined) {
      // The discount on the credit reverses the discount on the charge, when that one was billed.
      const discountOfCharge = billingKeys.discount(l.discountId ?? '', target);
      candidates.push({ line: l, creditsKey: alreadyBilled.has(discountOfCharge) ? discountOfCharge : target, against: target });
    }
  }
  // A note credits a positive amount. What corrects one charge and comes to a charge or to nothing
  // (a late end's credit less the reversal of an earlier credit of the same days) is billed instead.
  const back = new Map<string, number>();
  for (const c of candidates) back.set(c.against, (back.get(c.against) ?? 0) - c.line.gross);
  const corrections = candidates.filter((c) => back.get(c.against)! > 0);
  const onNotes = new Set(corrections.map((c) => c.line.key));
  return { invoiceLines: due.filter((l) => !onNotes.has(l.key)), corrections };
}

/**
 * An invoice never has a negative total. Credits left on it after the corrections (a goodwill credit
 * larger than what is due, a credit whose charge is due in a later run) that would take it below zero
 * are held back, latest first and with the discounts on them: they stay unbilled and come due again
 * on the next run, until an invoice can take them.
 */
export function holdBackCredits(
  customerId: EntityId, currency: string, issueDate: CalDate, dueDate: CalDate, lines: readonly DraftLine[],
): { invoice: DraftInvoice | null; held: DraftLine[] } {
  let kept = [...lines];
  const held: DraftLine[] = [];
  const credits = lines
    .filter((l) => l.kind !== 'discount' && l.gross < 0)
    .sort((a, b) => b.billDate.localeCompare(a.billDate) || a.gross - b.gross);
  let draft = kept.length > 0 ? draftInvoice(customerId, currency, issueDate, dueDate, kept) : null;
  for (const credit of credits) {
    if (draft === null || draft.total >= 0) break;
    const goes = (l: DraftLine) => l.key === credit.key || (l.kind === 'discount' && l.appliesTo === credit.key);
    held.push(...kept.filter(goes));
    kept = kept.filter((l) => !goes(l));
    draft = kept.length > 0 ? draftInvoice(customerId, currency, issueDate, dueDate, kept) : null;
  }
  // Whatever is left negative is made of credits alone (a discount never exceeds its line).
  if (draft !== null && draft.total < 0) return { invoice: null, held: [...held, ...kept] };
  return { invoice: draft, held };
}

function problemOf(customerId: EntityId, serviceId: EntityId | null, err: unknown): BillingProblem {
  if (err instanceof TollgateError) {
    return { customerId, serviceId, code: err.code, ...(err.field ? { field: err.field } : {}), message: err.message };
  }
  throw err;
}

/**
 * The billing run for one date: every line due on or before `runDate` whose key is not in
 * `alreadyBilled`, one draft invoice per customer (all of the customer's services together).
 */
export function generateInvoices(input: BillingRunInput): BillingRunOutput {
  const runDate = parseDate(input.runDate, 'runDate');
  if (!/^[A-Z]{3}$/.test(input.currency)) fail('invalid_currency', 'currency', 'currency must be an ISO 4217 code such as EUR');
  const invoices: DraftInvoice[] = [];
  const corrections: DraftCorrection[] = [];
  const heldLines: DraftLine[] = [];
  const problems: BillingProblem[] = [];
  for (const customer of input.customers) {
    if (!Number.isInteger(customer.daysUntilDue) || customer.daysUntilDue < 0) {
      const err = new TollgateError('invalid_days_until_due', 'daysUntilDue must be a non-negative integer', 'daysUntilDue');
      problems.push(problemOf(customer.customerId, null, err));
      continue;
    }
    const candidates: DraftLine[] = [];
    const periodLines: PeriodLine[] = [];
    const periodsByService = new Map<EntityId, readonly BillingPeriod[]>();
    const servicePos = new Map<EntityId, number>();
    const statusOf = new Map<EntityId, ServiceStatus>();
    customer.services.forEach((contract, i) => {
      servicePos.set(contract.serviceId, i);
      statusOf.set(contract.serviceId, contract.status);
      try {
        const r = serviceLines(customer, contract, runDate, input.alreadyBilled, (customer.discounts ?? []).length === 0, input.billedAfterEnd);
        candidates.push(...r.lines);
        periodLines.push(...r.periodLines);
        periodsByService.set(contract.serviceId, r.periods);
      } catch (err) {
        problems.push(problemOf(customer.customerId, contract.serviceId, err));
      }
    });
    const serviceIds = new Set(servicePos.keys());
    for (const discount of customer.discounts ?? []) {
      try {
        checkDiscount(discount, serviceIds);
        candidates.push(...discountLines(customer, discount, periodLines, periodsByService));
      } catch (err) {
        problems.push(problemOf(customer.customerId, discount.target.kind === 'invoice' ? null : discount.target.serviceId, err));
      }
    }
    for (const charge of customer.oneOffCharges ?? []) {
      const serviceId = charge.serviceId ?? null;
      try {
        parseDate(charge.date, 'date');
        minor(charge.amount, 'amount');
        checkTax(charge, 'charge');
        if (serviceId !== null && statusOf.get(serviceId) === 'proposal') continue;
        candidates.push(makeLine({
          key: billingKeys.charge(charge.id), kind: 'one_off', customerId: customer.customerId, serviceId,
          description: charge.description, periodStart: null, periodEnd: null, billDate: charge.date,
          amount: charge.amount, ...taxOf(charge), chargeId: charge.id,
        }));
      } catch (err) {
        problems.push(problemOf(customer.customerId, serviceId, err));
      }
    }
    const due = candidates.filter((l) => l.billDate <= runDate && !input.alreadyBilled.has(l.key));
    if (due.length === 0) continue;
    const seen = new Set<string>();
    for (const l of due) {
      // Two facts mapping to one key would silently drop a line at the UNIQUE constraint.
      if (seen.has(l.key)) throw new Error(`billing generated the key ${l.key} twice for customer ${String(customer.customerId)}`);
      seen.add(l.key);
    }
    const pos = (l: DraftLine): number => (l.serviceId === null ? Number.MAX_SAFE_INTEGER : servicePos.get(l.serviceId) ?? Number.MAX_SAFE_INTEGER);
    due.sort((a, b) =>
      a.billDate.localeCompare(b.billDate) ||
      pos(a) - pos(b) ||
      (a.periodStart ?? '').localeCompare(b.periodStart ?? '') ||
      KIND_ORDER[a.kind] - KIND_ORDER[b.kind] ||
      (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
    );
    const split = splitCorrections(due, input.alreadyBilled);
    if (split.corrections.length > 0) {
      corrections.push({ customerId: customer.customerId, currency: input.currency, issueDate: runDate, lines: split.corrections });
    }
    if (split.invoiceLines.length > 0) {
      const { invoice, held } = holdBackCredits(customer.customerId, input.currency, runDate, addDays(runDate, customer.daysUntilDue), split.invoiceLines);
      if (invoice !== null) invoices.push(invoice);
      heldLines.push(...held);
      const waiting = -sum(held.map((l) => l.gross));
      if (held.length > 0) {
        const err = new TollgateError('credit_held_back', `a credit of ${formatMoney(waiting, input.currency)} waits for an invoice that can take it (an invoice is never negative): ${held.map((l) => l.description).join('; ')}`, 'amount');
        problems.push(problemOf(customer.customerId, held[0]!.serviceId, err));
      }
    }
  }
  return { runDate, invoices, corrections, held: heldLines, problems };
}
