/**
 * Contract terms: a minimum term, tacit renewal and notice, as pure calendar arithmetic.
 *
 * A contract with `termMonths` runs in consecutive terms counted from its billing start (the day
 * after the trial, or the start date): term k covers [billingStart + k·N months, billingStart +
 * (k+1)·N months − 1 day], each boundary computed from the billing start (so a 31st start clamps in
 * short months and comes back to the 31st). The rules, stated once:
 *
 * - Tacit renewal (`autoRenew`, the default): at the end of each term the contract renews for another
 *   term unless the customer gave notice at least `noticeDays` days before that term's last day
 *   (notice on day C ends the contract on the first term end T with C + noticeDays ≤ T).
 *   Without renewal the contract ends by itself on the first term's last day (an end date can only
 *   bring that earlier; to go on, switch renewal on).
 * - Minimum term: a contract is committed to the end of the term its end date falls in. Ending
 *   earlier is allowed and the rest of that term stays due (the WISP rule "you pay the remaining
 *   months"): the last period is not credited for the committed days, and each later grid period up
 *   to the term's last day is charged on an `early_termination` line, prorated by days like any
 *   period, at the plan price in effect on the end date (no discounts, no recurring items: the
 *   equipment comes back). Without renewal, only the first term commits.
 * - A trial is free to leave: ending on or before the trial's last day owes nothing, and a notice
 *   given during the trial ends the contract on the trial's last day.
 * - No `termMonths`: open-ended, no commitment, any end date, nothing more to pay.
 */
import { addDays, addMonths, parseDate, partsOf, type CalDate } from '../../lib/calendar.js';
import { said, TollgateError } from '../../lib/errors.js';

export interface TermRules {
  /** Months per term, 1..120; null or absent: no term. */
  readonly termMonths?: number | null;
  /** Renew for another term unless notice is given in time; default true. */
  readonly autoRenew?: boolean;
  /** Days of notice before a term's last day; default 30. */
  readonly noticeDays?: number;
}

export interface Term {
  /** 0 for the first term. */
  readonly index: number;
  readonly start: CalDate;
  /** The term's last day, inclusive. */
  readonly end: CalDate;
}

export const MAX_TERM_MONTHS = 120;
export const MAX_NOTICE_DAYS = 365;

/** Validates term rules with a code and the API's field name. */
export function checkTermRules(t: TermRules): void {
  if (t.termMonths != null && (!Number.isInteger(t.termMonths) || t.termMonths < 1 || t.termMonths > MAX_TERM_MONTHS)) {
    throw new TollgateError('invalid_term', said('fault.terms.months', `termMonths is a whole number of months, 1..${MAX_TERM_MONTHS}, or null`, { max: MAX_TERM_MONTHS }), 'termMonths');
  }
  if (t.noticeDays !== undefined && (!Number.isInteger(t.noticeDays) || t.noticeDays < 0 || t.noticeDays > MAX_NOTICE_DAYS)) {
    throw new TollgateError('invalid_notice', said('fault.terms.notice', `noticeDays is 0..${MAX_NOTICE_DAYS}`, { max: MAX_NOTICE_DAYS }), 'noticeDays');
  }
  if (t.autoRenew !== undefined && typeof t.autoRenew !== 'boolean') {
    throw new TollgateError('invalid_auto_renew', said('fault.terms.autoRenew', 'autoRenew is a boolean'), 'autoRenew');
  }
}

/** Term k of a contract whose billing starts on `billingStart`. */
export function termAt(billingStart: CalDate, termMonths: number, k: number): Term {
  return { index: k, start: addMonths(billingStart, k * termMonths), end: addDays(addMonths(billingStart, (k + 1) * termMonths), -1) };
}

/** The term that contains `date`, or null before billing starts. */
export function termContaining(billingStart: CalDate, termMonths: number, date: CalDate): Term | null {
  if (date < billingStart) return null;
  const a = partsOf(billingStart);
  const d = partsOf(date);
  // A first guess from whole months, then a step back or forward: clamping moves a boundary by days only.
  let k = Math.max(0, Math.floor(((d.year - a.year) * 12 + (d.month - a.month)) / termMonths));
  for (;;) {
    const t = termAt(billingStart, termMonths, k);
    if (date < t.start) k--;
    else if (date > t.end) k++;
    else return t;
  }
}

/**
 * The last day of service: the end date; without renewal, the first term's last day unless the end
 * date comes first; with renewal or without a term, none but the end date.
 */
export function effectiveEndDate(billingStart: CalDate, rules: TermRules, endDate: CalDate | null | undefined): CalDate | null {
  if (rules.termMonths != null && rules.autoRenew === false) {
    const termEnd = termAt(billingStart, rules.termMonths, 0).end;
    return endDate != null && endDate < termEnd ? endDate : termEnd;
  }
  return endDate ?? null;
}

/**
 * The last day the contract is committed to when it ends on `endDate`: the end of the term the end
 * date falls in (only the first term without renewal), or null when nothing binds (no term, ended in
 * the trial, or after a non-renewing first term).
 */
export function commitmentEnd(billingStart: CalDate, rules: TermRules, endDate: CalDate): CalDate | null {
  if (rules.termMonths == null || endDate < billingStart) return null;
  const t = termContaining(billingStart, rules.termMonths, endDate)!;
  if (rules.autoRenew === false && t.index > 0) return null;
  return t.end;
}

/**
 * The end date a notice given on `noticeDate` brings: the first term end at least `noticeDays`
 * after it (renewal), the first term's end (no renewal: never later), the trial's last day for a
 * notice in the trial, or the notice date itself when the contract has no term.
 */
export function endOnNotice(billingStart: CalDate, rules: TermRules, noticeDate: CalDate): CalDate {
  const notice = parseDate(noticeDate, 'noticeDate');
  if (rules.termMonths == null) return notice;
  if (notice < billingStart) return addDays(billingStart, -1);
  const noticeDays = rules.noticeDays ?? 30;
  const earliest = addDays(notice, noticeDays);
  if (rules.autoRenew === false) {
    const first = termAt(billingStart, rules.termMonths, 0);
    return first.end >= notice ? first.end : notice;
  }
  let t = termContaining(billingStart, rules.termMonths, notice)!;
  while (t.end < earliest) t = termAt(billingStart, rules.termMonths, t.index + 1);
  return t.end;
}
