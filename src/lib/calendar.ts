/**
 * Calendar dates as `YYYY-MM-DD` strings, with pure arithmetic on them.
 *
 * Billing reasons in calendar dates in the billing time zone (CONTRACT.md), never in instants: a
 * period is "from 2026-03-15 to 2026-04-14", whatever the UTC offset was. The string form maps 1:1
 * to the API and to SQLite TEXT, and it sorts lexicographically in date order, so `<` on two valid
 * dates compares them. Arithmetic goes through a day number (days since 1970-01-01) computed with
 * Howard Hinnant's civil-date algorithms, so nothing here depends on the host time zone.
 *
 * Only the two zone functions at the bottom touch Intl; they turn instants into dates and back.
 */
import { said, TollgateError } from './errors.js';

/** A validated `YYYY-MM-DD` calendar date (years 0001..9999). */
export type CalDate = string;

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

export interface DateParts {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

/** Parses and validates; returns null on anything that is not a real calendar date. */
export function tryParts(value: string): DateParts | null {
  const m = DATE_RE.exec(value);
  if (!m) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  return { year, month, day };
}

export function isCalDate(value: unknown): value is CalDate {
  return typeof value === 'string' && (dayNumberMemo.has(value) || tryParts(value) !== null);
}

/** Validates a date or throws `invalid_date` naming the field. */
export function parseDate(value: string, field = 'date'): CalDate {
  if (!isCalDate(value)) {
    throw new TollgateError('invalid_date', said('fault.date', `${field} must be a calendar date YYYY-MM-DD, got ${JSON.stringify(value)}`, { field, value: JSON.stringify(value) }), field);
  }
  return value;
}

export function partsOf(date: CalDate): DateParts {
  const p = tryParts(date);
  if (!p) throw new TollgateError('invalid_date', `not a calendar date: ${JSON.stringify(date)}`, 'date');
  return p;
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

export function fromParts(year: number, month: number, day: number): CalDate {
  const s = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
  return parseDate(s);
}

// Billing works over a few thousand distinct dates but converts them millions of times in a run:
// the conversions are memoised (bounded, so a long-lived process cannot grow them without limit).
const MEMO_LIMIT = 50_000;
const dayNumberMemo = new Map<string, number>();
const dateMemo = new Map<number, CalDate>();

/** Days since 1970-01-01 (negative before). */
export function toDayNumber(date: CalDate): number {
  const hit = dayNumberMemo.get(date);
  if (hit !== undefined) return hit;
  const n = computeDayNumber(date);
  if (dayNumberMemo.size >= MEMO_LIMIT) dayNumberMemo.clear();
  dayNumberMemo.set(date, n);
  return n;
}

function computeDayNumber(date: CalDate): number {
  const { year, month, day } = partsOf(date);
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function fromDayNumber(n: number): CalDate {
  const hit = dateMemo.get(n);
  if (hit !== undefined) return hit;
  const d = computeDate(n);
  if (dateMemo.size >= MEMO_LIMIT) dateMemo.clear();
  dateMemo.set(n, d);
  return d;
}

function computeDate(n: number): CalDate {
  if (!Number.isSafeInteger(n)) throw new TollgateError('invalid_date', `not a day number: ${n}`, 'date');
  const z = n + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return fromParts(yoe + era * 400 + (month <= 2 ? 1 : 0), month, day);
}

export function addDays(date: CalDate, days: number): CalDate {
  return fromDayNumber(toDayNumber(date) + days);
}

/** b − a in days: daysBetween('2026-03-01', '2026-03-31') = 30. */
export function daysBetween(a: CalDate, b: CalDate): number {
  return toDayNumber(b) - toDayNumber(a);
}

/** Days from a to b counting both ends: ('2026-03-01', '2026-03-31') = 31. */
export function daysInclusive(a: CalDate, b: CalDate): number {
  return daysBetween(a, b) + 1;
}

/** The day `day` (clamped to the month's length) or the last day of year/month (month may overflow). */
export function dateInMonth(year: number, month: number, day: number | 'last'): CalDate {
  const index = year * 12 + (month - 1);
  const y = Math.floor(index / 12);
  const m = index - y * 12 + 1;
  const last = daysInMonth(y, m);
  return fromParts(y, m, day === 'last' ? last : Math.min(day, last));
}

/** Adds calendar months, clamping to the month end: 2026-01-31 + 1 month = 2026-02-28. */
export function addMonths(date: CalDate, months: number): CalDate {
  const { year, month, day } = partsOf(date);
  return dateInMonth(year, month + months, day);
}

export function compareDates(a: CalDate, b: CalDate): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function minDate(a: CalDate, b: CalDate): CalDate {
  return a <= b ? a : b;
}

export function maxDate(a: CalDate, b: CalDate): CalDate {
  return a >= b ? a : b;
}

/** ISO weekday: 1 = Monday … 7 = Sunday. */
export function dayOfWeek(date: CalDate): number {
  // 1970-01-01 was a Thursday (ISO 4).
  return ((((toDayNumber(date) + 3) % 7) + 7) % 7) + 1;
}

export function isLastDayOfMonth(date: CalDate): boolean {
  const { year, month, day } = partsOf(date);
  return day === daysInMonth(year, month);
}

// ---- Time zones -----------------------------------------------------------------------------------

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      throw new TollgateError('invalid_timezone', `unknown IANA time zone ${JSON.stringify(timeZone)}`, 'timezone');
    }
    formatters.set(timeZone, f);
  }
  return f;
}

const MS_PER_DAY = 86_400_000;

/** The local wall-clock time of an instant in a zone, as "milliseconds since 1970 if that wall time were UTC". */
function wallMs(instantMs: number, timeZone: string): number {
  const parts = formatterFor(timeZone).formatToParts(new Date(instantMs));
  const get = (type: Intl.DateTimeFormatPartTypes): number => Number(parts.find((p) => p.type === type)?.value);
  const date = fromParts(get('year'), get('month'), get('day'));
  const ms = ((instantMs % 1000) + 1000) % 1000;
  return toDayNumber(date) * MS_PER_DAY + ((get('hour') * 60 + get('minute')) * 60 + get('second')) * 1000 + ms;
}

/** The calendar date in `timeZone` at `instant` (e.g. 2026-03-28T23:30Z is 2026-03-29 in Europe/Rome). */
export function dateInZone(instant: Date, timeZone: string): CalDate {
  return fromDayNumber(Math.floor(wallMs(instant.getTime(), timeZone) / MS_PER_DAY));
}

const HHMM_RE = /^([01]\d|2[0-3]):([0-5]\d)$/;

/**
 * The UTC instant at which the wall clock in `timeZone` reads `time` (HH:MM) on `date`.
 *
 * DST: a wall time that does not exist (in the spring-forward gap, e.g. 02:30 on 2026-03-29 in
 * Europe/Rome) moves to the first valid instant after the gap (03:00 CEST), so a daily job set in
 * the gap still runs that day; a wall time that occurs twice (fall back, 02:30 on 2026-10-25) takes
 * the first occurrence (CEST), so it runs once and as early as possible.
 */
export function instantOfLocalTime(date: CalDate, time: string, timeZone: string): Date {
  const m = HHMM_RE.exec(time);
  if (!m) throw new TollgateError('invalid_time', `time must be HH:MM (24 h), got ${JSON.stringify(time)}`, 'time');
  const target = toDayNumber(date) * MS_PER_DAY + (Number(m[1]) * 60 + Number(m[2])) * 60_000;
  // Offsets a day either side bracket any single transition near the target (real zones change at
  // most twice a year), giving the at most two candidate instants.
  const offBefore = wallMs(target - MS_PER_DAY, timeZone) - (target - MS_PER_DAY);
  const offAfter = wallMs(target + MS_PER_DAY, timeZone) - (target + MS_PER_DAY);
  const candidates = [...new Set([target - offBefore, target - offAfter])].sort((a, b) => a - b);
  const valid = candidates.filter((t) => wallMs(t, timeZone) === target);
  if (valid.length > 0) return new Date(valid[0]!);
  // In a gap: find the first instant whose wall time is at or past the target. Wall time rises
  // monotonically across a spring-forward jump, so a binary search between the candidates works.
  let lo = candidates[0]!;
  let hi = candidates[candidates.length - 1]!;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (wallMs(mid, timeZone) >= target) hi = mid;
    else lo = mid;
  }
  return new Date(hi);
}
