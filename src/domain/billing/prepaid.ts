/**
 * Prepaid validity as pure arithmetic: how a top-up moves the expiry, and which expiry notice is due.
 * Validity is counted in whole days of 24 hours from an instant, so "30 days" is the same length in
 * every time zone and across DST changes.
 */
import { said, TollgateError } from '../../lib/errors.js';

const DAY_MS = 86_400_000;

/**
 * The new expiry after a top-up of `validityDays` (times `count`): from the later of now and the current
 * expiry, so credit bought early is never lost and an expired service starts afresh from now.
 */
export function extendExpiry(now: Date, currentExpiresAt: string | null, validityDays: number, count = 1): string {
  if (!Number.isInteger(validityDays) || validityDays < 1) throw new TollgateError('invalid_input', said('fault.prepaid.validity', 'the plan has no validity in days'), 'validityDays');
  if (!Number.isInteger(count) || count < 1 || count > 120) throw new TollgateError('invalid_input', said('fault.prepaid.count', 'count must be an integer from 1 to 120'), 'count');
  const current = currentExpiresAt === null ? Number.NaN : Date.parse(currentExpiresAt);
  const base = Number.isNaN(current) ? now.getTime() : Math.max(now.getTime(), current);
  return new Date(base + validityDays * count * DAY_MS).toISOString();
}

/** Parses the notice days setting ("7,3,1"): up to three distinct whole days 1..365, largest first. */
export function parseNoticeDays(value: string, field = 'notice_days'): number[] {
  const trimmed = value.trim();
  if (trimmed === '') return [];
  const parts = trimmed.split(',').map((s) => s.trim());
  const days = parts.map(Number);
  if (parts.some((p) => !/^\d+$/.test(p)) || days.some((d) => d < 1 || d > 365)) {
    throw new TollgateError('invalid_input', said('fault.prepaid.noticeDays', 'notice days are whole days from 1 to 365, separated by commas (e.g. "7,3,1")'), field);
  }
  if (new Set(days).size !== days.length) throw new TollgateError('invalid_input', said('fault.prepaid.noticeDistinct', 'notice days must be distinct'), field);
  if (days.length > 3) throw new TollgateError('invalid_input', said('fault.prepaid.noticeMax', 'at most three notice days'), field);
  return days.sort((a, b) => b - a);
}

export interface ExpiryNoticeDecision {
  /** The notice to send now (the most urgent one due), or null. */
  send: number | null;
  /** Every notice day whose window has opened: recorded as done, so a late one is never sent after an earlier one. */
  done: number[];
}

/**
 * Which expiry notice is due at `now` for an expiry, given the notice days already done. A notice for
 * N days is due from `expiresAt - N days` until the expiry; when several are due at once (the daemon
 * was down, or a top-up made the expiry near), only the most urgent goes out.
 */
export function dueExpiryNotice(now: Date, expiresAt: string, noticeDays: readonly number[], done: ReadonlySet<number>): ExpiryNoticeDecision {
  const exp = Date.parse(expiresAt);
  const t = now.getTime();
  if (Number.isNaN(exp) || t >= exp) return { send: null, done: [] };
  const open = noticeDays.filter((n) => t >= exp - n * DAY_MS).sort((a, b) => a - b);
  const fresh = open.filter((n) => !done.has(n));
  if (fresh.length === 0) return { send: null, done: [] };
  // The most urgent open window: if it was done already, nothing new is worth saying.
  const urgent = open[0]!;
  return { send: done.has(urgent) ? null : urgent, done: fresh };
}

/** Whole days left until the expiry, rounded up (what a notice says). */
export function daysLeft(now: Date, expiresAt: string): number {
  return Math.max(0, Math.ceil((Date.parse(expiresAt) - now.getTime()) / DAY_MS));
}
