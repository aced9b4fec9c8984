/**
 * Billing periods of a contract, as pure calendar arithmetic.
 *
 * A contract's periods lie on a grid of anchor dates `periodMonths` apart. The grid starts at
 * - the anniversary of the billing start (billingDay 'anniversary'): 2026-01-31 monthly gives
 *   Jan 31, Feb 28, Mar 31, Apr 30… (each anchor is computed from the origin, so a short month never
 *   drags later anchors down);
 * - or a fixed day of the month (1..28, or 'last' for the month's last day). When the billing start
 *   is not on that day, a first partial period runs from the billing start to the day before the
 *   first anchor, and is measured against the full grid period that ends there.
 * The billing start is the day after the trial's last day, or the start date when there is no trial.
 * The end date, when there is one, is the last day of service: the period containing it is the last,
 * and its `end` is the end date (a last partial period).
 *
 * Dates are inclusive on both ends: a period { start: 2026-03-01, end: 2026-03-31 } has 31 days.
 */
import {
  addDays,
  dateInMonth,
  daysInclusive,
  parseDate,
  partsOf,
  type CalDate,
} from '../../lib/calendar.js';
import type { ErrorCode } from '../../lib/error-codes.js';
import { TollgateError } from '../../lib/errors.js';

export const PERIOD_MONTHS = [1, 2, 3, 6, 12] as const;
export type PeriodMonths = (typeof PERIOD_MONTHS)[number];

/** 'anniversary' of the billing start, a fixed day 1..28, or the last day of each month. */
export type BillingDay = 'anniversary' | 'last' | number;

export interface ScheduleInput {
  readonly startDate: CalDate;
  readonly billingPeriodMonths: number;
  readonly billingDay: BillingDay;
  /** The last day of the free trial, inclusive; billing starts the day after. */
  readonly trialEndDate?: CalDate | null;
  /** The last day of service, inclusive. */
  readonly endDate?: CalDate | null;
}

export interface Schedule {
  readonly startDate: CalDate;
  readonly billingStart: CalDate;
  readonly periodMonths: PeriodMonths;
  readonly endDate: CalDate | null;
  /** Year and month of anchor 0, and the day rule applied in every anchor month. */
  readonly originYear: number;
  readonly originMonth: number;
  readonly anchorDay: number | 'last';
  /** True when the billing start falls before anchor 0 (fixed billing day). */
  readonly leadingPartial: boolean;
}

export interface BillingPeriod {
  /** 0 for the first period of the contract. */
  readonly index: number;
  /** First day of service in this period. */
  readonly start: CalDate;
  /** Last day of service in this period: `fullEnd`, or the contract's end date in the last period. */
  readonly end: CalDate;
  /** The grid period this one lies in; proration divides by its length. */
  readonly fullStart: CalDate;
  readonly fullEnd: CalDate;
  /** Days from start to end, inclusive. */
  readonly days: number;
  /** Days from fullStart to fullEnd, inclusive. */
  readonly fullDays: number;
  /** start > fullStart: the contract (or its billing after a trial) began inside this grid period. */
  readonly firstPartial: boolean;
  /** end < fullEnd: the contract ends inside this grid period. */
  readonly lastPartial: boolean;
}

function invalid(code: ErrorCode, field: string, message: string): TollgateError {
  return new TollgateError(code, message, field);
}

export function isPeriodMonths(n: unknown): n is PeriodMonths {
  return typeof n === 'number' && (PERIOD_MONTHS as readonly number[]).includes(n);
}

/** Validates a contract's schedule inputs once; everything else works on the result. */
export function buildSchedule(input: ScheduleInput): Schedule {
  const startDate = parseDate(input.startDate, 'startDate');
  if (!isPeriodMonths(input.billingPeriodMonths)) {
    throw invalid('invalid_period_months', 'billingPeriodMonths', `billingPeriodMonths must be one of ${PERIOD_MONTHS.join(', ')}`);
  }
  const day = input.billingDay;
  if (!(day === 'anniversary' || day === 'last' || (Number.isInteger(day) && day >= 1 && day <= 28))) {
    throw invalid('invalid_billing_day', 'billingDay', "billingDay must be 'anniversary', 'last' or a day 1..28");
  }
  let billingStart = startDate;
  if (input.trialEndDate != null) {
    const trialEnd = parseDate(input.trialEndDate, 'trialEndDate');
    if (trialEnd < startDate) throw invalid('invalid_trial_end', 'trialEndDate', 'the trial cannot end before the start date');
    billingStart = addDays(trialEnd, 1);
  }
  let endDate: CalDate | null = null;
  if (input.endDate != null) {
    endDate = parseDate(input.endDate, 'endDate');
    if (endDate < startDate) throw invalid('invalid_end_date', 'endDate', 'the end date cannot be before the start date');
  }
  const s = partsOf(billingStart);
  if (day === 'anniversary') {
    return {
      startDate, billingStart, periodMonths: input.billingPeriodMonths, endDate,
      originYear: s.year, originMonth: s.month, anchorDay: s.day, leadingPartial: false,
    };
  }
  const anchorDay: number | 'last' = day;
  const sameMonth = dateInMonth(s.year, s.month, anchorDay);
  const first = sameMonth >= billingStart ? sameMonth : dateInMonth(s.year, s.month + 1, anchorDay);
  const f = partsOf(first);
  return {
    startDate, billingStart, periodMonths: input.billingPeriodMonths, endDate,
    originYear: f.year, originMonth: f.month, anchorDay, leadingPartial: first > billingStart,
  };
}

/** The k-th grid anchor (k may be negative). */
export function anchorDate(schedule: Schedule, k: number): CalDate {
  return dateInMonth(schedule.originYear, schedule.originMonth + k * schedule.periodMonths, schedule.anchorDay);
}

function makePeriod(schedule: Schedule, index: number, start: CalDate, fullStart: CalDate, fullEnd: CalDate): BillingPeriod {
  const end = schedule.endDate !== null && schedule.endDate < fullEnd ? schedule.endDate : fullEnd;
  return {
    index, start, end, fullStart, fullEnd,
    days: daysInclusive(start, end),
    fullDays: daysInclusive(fullStart, fullEnd),
    firstPartial: start > fullStart,
    lastPartial: end < fullEnd,
  };
}

/**
 * The contract's periods in order, as a lazy sequence: all of them when the contract has an end
 * date, otherwise forever (the caller stops). Nothing is produced when the contract ends before
 * billing starts (it ended during its trial).
 */
export function* periods(schedule: Schedule): Generator<BillingPeriod> {
  if (schedule.endDate !== null && schedule.endDate < schedule.billingStart) return;
  let index = 0;
  if (schedule.leadingPartial) {
    const p = makePeriod(schedule, index++, schedule.billingStart, anchorDate(schedule, -1), addDays(anchorDate(schedule, 0), -1));
    yield p;
    if (p.lastPartial || p.end === schedule.endDate) return;
  }
  for (let k = 0; ; k++) {
    const fullStart = anchorDate(schedule, k);
    const fullEnd = addDays(anchorDate(schedule, k + 1), -1);
    const p = makePeriod(schedule, index++, fullStart, fullStart, fullEnd);
    yield p;
    if (p.end === schedule.endDate) return;
  }
}

/** Periods that start on or before `lastStart`, in order. */
export function periodsStartingThrough(schedule: Schedule, lastStart: CalDate): BillingPeriod[] {
  const out: BillingPeriod[] = [];
  for (const p of periods(schedule)) {
    if (p.start > lastStart) break;
    out.push(p);
  }
  return out;
}

/** The period that contains `date`, or null before billing starts or after the end date. */
export function periodContaining(schedule: Schedule, date: CalDate): BillingPeriod | null {
  for (const p of periods(schedule)) {
    if (p.start > date) return null;
    if (date <= p.end) return p;
  }
  return null;
}
