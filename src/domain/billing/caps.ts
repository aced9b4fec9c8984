/**
 * Data caps as pure functions: the cap period a day falls in (anchored to the customer's billing day,
 * not the calendar month), the fair-use tier a usage puts a service in, and which 80 % / 100 % notices a
 * change of usage crosses.
 *
 * A plan's policy is its tiers (up to three: from N bytes on, this rate) plus its own data cap: with
 * capAction "throttle" the cap is one more tier at the throttle rate, with "block" the service is
 * refused from the cap on. Data top-ups of the period move every threshold up by their bytes.
 */
import { addDays, partsOf, type CalDate } from '../../lib/calendar.js';
import { said, TollgateError } from '../../lib/errors.js';
import { anchorDate, buildSchedule, type BillingDay } from './periods.js';

export interface CapTier {
  fromBytes: number;
  downloadKbps: number;
  uploadKbps: number;
}

export interface PlanCapFacts {
  dataCapBytes: number | null;
  capAction: 'block' | 'throttle' | null;
  throttleDownloadKbps: number | null;
  throttleUploadKbps: number | null;
}

export interface CapPolicy {
  /** Ascending fromBytes. */
  tiers: CapTier[];
  /** From this many bytes on the service is refused; null when the plan never blocks. */
  blockAtBytes: number | null;
}

export const MAX_TIERS = 3;
/** The tier level of a blocked service (levels 0..3 are full rate and the tiers). */
export const BLOCKED = 4;

/** The plan's policy, or null when the plan has neither a cap nor tiers. */
export function capPolicy(plan: PlanCapFacts, tiers: readonly CapTier[]): CapPolicy | null {
  const list = [...tiers].sort((a, b) => a.fromBytes - b.fromBytes);
  let blockAtBytes: number | null = null;
  if (plan.dataCapBytes != null) {
    if (plan.capAction === 'throttle' && plan.throttleDownloadKbps != null && plan.throttleUploadKbps != null) {
      if (!list.some((t) => t.fromBytes === plan.dataCapBytes)) {
        list.push({ fromBytes: plan.dataCapBytes, downloadKbps: plan.throttleDownloadKbps, uploadKbps: plan.throttleUploadKbps });
        list.sort((a, b) => a.fromBytes - b.fromBytes);
      }
    } else blockAtBytes = plan.dataCapBytes;
  }
  if (list.length === 0 && blockAtBytes === null) return null;
  return { tiers: list, blockAtBytes };
}

/**
 * Checks a plan's tier list as the API receives it and answers it in ascending order. An error names
 * the field as the request does (`tiers.<i>.fromBytes`, i its position in the request, not in the
 * sorted list), so a form can put it beside the row that was typed.
 */
export function validateTiers(tiers: readonly CapTier[]): CapTier[] {
  if (tiers.length > MAX_TIERS) throw new TollgateError('invalid_input', said('fault.tiers.max', `at most ${MAX_TIERS} fair-use tiers`, { n: MAX_TIERS }), 'tiers');
  const order = tiers.map((_t, i) => i).sort((a, b) => tiers[a]!.fromBytes - tiers[b]!.fromBytes);
  order.forEach((i, n) => {
    const t = tiers[i]!;
    if (!Number.isSafeInteger(t.fromBytes) || t.fromBytes <= 0) throw new TollgateError('invalid_input', said('fault.tiers.fromBytes', 'fromBytes must be a positive integer'), `tiers.${i}.fromBytes`);
    if (n > 0 && t.fromBytes === tiers[order[n - 1]!]!.fromBytes) throw new TollgateError('invalid_input', said('fault.tiers.same', 'two tiers start at the same usage'), `tiers.${i}.fromBytes`);
  });
  return order.map((i) => tiers[i]!);
}

export interface TierState {
  /** 0 full rate, 1..3 the n-th tier, BLOCKED. */
  level: number;
  blocked: boolean;
  /** The tier's rate; null means the plan's own rate. */
  rate: { downloadKbps: number; uploadKbps: number } | null;
  /** Where the next change happens (bytes used, top-ups included), or null. */
  nextAtBytes: number | null;
}

/** The tier for `usedBytes` of the period, with `extraBytes` of data top-ups. */
export function tierAt(policy: CapPolicy, usedBytes: number, extraBytes = 0): TierState {
  const used = usedBytes - extraBytes;
  if (policy.blockAtBytes !== null && used >= policy.blockAtBytes) return { level: BLOCKED, blocked: true, rate: null, nextAtBytes: null };
  let level = 0;
  while (level < policy.tiers.length && used >= policy.tiers[level]!.fromBytes) level++;
  const t = level === 0 ? null : policy.tiers[level - 1]!;
  const nextTier = policy.tiers[level]?.fromBytes ?? null;
  const next = nextTier === null ? policy.blockAtBytes : policy.blockAtBytes === null ? nextTier : Math.min(nextTier, policy.blockAtBytes);
  return { level, blocked: false, rate: t && { downloadKbps: t.downloadKbps, uploadKbps: t.uploadKbps }, nextAtBytes: next === null ? null : next + extraBytes };
}

/**
 * The allowance the 80 % and 100 % notices measure: the data at full speed, i.e. up to the first
 * threshold (first tier or the block), plus the period's top-ups.
 */
export function allowanceBytes(policy: CapPolicy, extraBytes = 0): number {
  const first = policy.tiers[0]?.fromBytes ?? Number.POSITIVE_INFINITY;
  return Math.min(first, policy.blockAtBytes ?? Number.POSITIVE_INFINITY) + extraBytes;
}

/** Bytes for people: 1 decimal in the largest fitting decimal unit (what an ISP's plans are sold in). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let v = bytes;
  let i = 0;
  while (Math.abs(v) >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return i === 0 ? `${bytes} B` : `${v.toFixed(1)} ${units[i]}`;
}

/** The notice percentages (80, 100) that usage going from `before` to `after` reaches for the first time. */
export function crossedNotices(allowance: number, before: number, after: number): (80 | 100)[] {
  const out: (80 | 100)[] = [];
  for (const pct of [80, 100] as const) {
    const at = Math.ceil((allowance * pct) / 100);
    if (before < at && after >= at) out.push(pct);
  }
  return out;
}

/** Notice percentages reached at `used` (for a check that does not know the previous usage). */
export function reachedNotices(allowance: number, used: number): (80 | 100)[] {
  return crossedNotices(allowance, -1, used);
}

export interface CapPeriodInput {
  startDate: CalDate;
  billingDay: BillingDay;
  /** The contract's billing period; prepaid services use 1. */
  periodMonths: number;
}

export interface CapPeriod {
  start: CalDate;
  end: CalDate;
}

/**
 * The cap period containing `date`: periods follow the contract's billing grid (its billing day and
 * period length), so a customer billed on the 15th gets fresh data on the 15th. Before the start
 * date, the first period. O(1): no walk over the contract's history.
 */
export function capPeriod(input: CapPeriodInput, date: CalDate): CapPeriod {
  const schedule = buildSchedule({ startDate: input.startDate, billingPeriodMonths: input.periodMonths, billingDay: input.billingDay });
  const d = date < schedule.billingStart ? schedule.billingStart : date;
  const first = anchorDate(schedule, 0);
  if (schedule.leadingPartial && d < first) return { start: schedule.billingStart, end: addDays(first, -1) };
  const p = partsOf(d);
  let k = Math.floor(((p.year - schedule.originYear) * 12 + (p.month - schedule.originMonth)) / schedule.periodMonths);
  while (k > 0 && anchorDate(schedule, k) > d) k--;
  while (anchorDate(schedule, k + 1) <= d) k++;
  return { start: anchorDate(schedule, k), end: addDays(anchorDate(schedule, k + 1), -1) };
}

/** billing_day as stored ('anniversary', 'last', '1'..'28') to the domain's form. */
export function billingDayOf(stored: string | null | undefined): BillingDay {
  if (stored == null || stored === 'anniversary') return 'anniversary';
  if (stored === 'last') return 'last';
  return Number(stored);
}
