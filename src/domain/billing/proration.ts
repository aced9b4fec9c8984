/**
 * Proration by days, exact: amount × usedDays / daysInPeriod, rounded once (half up, away from zero,
 * by src/lib/money.ts). The day counts come from the billing period, so a 31-day and a 28-day month
 * each prorate against their own length.
 */
import { daysInclusive, type CalDate } from '../../lib/calendar.js';
import { TollgateError } from '../../lib/errors.js';
import { minor, mulRatio, neg, type Minor } from '../../lib/money.js';

export function prorate(amount: Minor, usedDays: number, periodDays: number): Minor {
  if (!Number.isInteger(periodDays) || periodDays <= 0) {
    throw new TollgateError('invalid_period_days', `a period has a positive number of days, got ${periodDays}`, 'periodDays');
  }
  if (!Number.isInteger(usedDays) || usedDays < 0 || usedDays > periodDays) {
    throw new TollgateError('invalid_used_days', `used days must be 0..${periodDays}, got ${usedDays}`, 'usedDays');
  }
  if (usedDays === periodDays) return minor(amount);
  return mulRatio(amount, usedDays, periodDays);
}

export interface PlanChangeProration {
  /** Days from the change date to the period's last day, inclusive. */
  readonly remainingDays: number;
  readonly periodDays: number;
  /** Negative: the unused part of the old plan, given back. */
  readonly credit: Minor;
  /** Positive: the new plan for the rest of the period. */
  readonly charge: Minor;
}

/**
 * A plan change on `changeDate` inside a period ending on `periodEnd` (inclusive) of `periodDays`
 * days: a credit line for the old plan's unused days and a charge line for the new plan's, each
 * rounded once. Two lines rather than one net amount so the invoice shows what happened.
 */
export function planChangeProration(input: {
  oldAmount: Minor;
  newAmount: Minor;
  changeDate: CalDate;
  periodEnd: CalDate;
  periodDays: number;
}): PlanChangeProration {
  const remainingDays = daysInclusive(input.changeDate, input.periodEnd);
  return {
    remainingDays,
    periodDays: input.periodDays,
    credit: neg(prorate(input.oldAmount, remainingDays, input.periodDays)),
    charge: prorate(input.newAmount, remainingDays, input.periodDays),
  };
}
