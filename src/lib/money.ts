/**
 * Money: the only module that knows how amounts round.
 *
 * An amount is an integer number of minor units (cents for EUR) held in a plain `number` and guarded
 * with `Number.isSafeInteger`, so it maps 1:1 to an SQLite INTEGER and a JSON number. Products and
 * quotients are computed in BigInt, so `amount × numerator` never loses precision even when it
 * passes 2^53; only the final, rounded result must be a safe integer again.
 *
 * The rounding rule, stated once: ROUND HALF UP, AWAY FROM ZERO. An exact half goes to the larger
 * magnitude: 2.5 → 3 and −2.5 → −3. It is applied once per computed line (a proration, a
 * percentage, a tax amount), never to intermediate sums: totals are exact sums of rounded lines.
 *
 * Percentages are basis points (1 % = 100 bp, 22 % = 2200 bp) so no rate is ever a float.
 */
import { TollgateError } from './errors.js';

/** Integer minor units of some currency (cents for EUR). */
export type Minor = number;

/** An amount with its currency beside it, for the places that cross a currency boundary (display, API). */
export interface Money {
  readonly amount: Minor;
  readonly currency: string;
}

export const BASIS_POINTS_PER_UNIT = 10_000;

/** Throws `invalid_amount` unless `value` is a safe integer; returns it typed as Minor. */
export function minor(value: number, field = 'amount'): Minor {
  if (!Number.isSafeInteger(value)) {
    throw new TollgateError(
      'invalid_amount',
      `${field} must be an integer number of minor units within ±${Number.MAX_SAFE_INTEGER}, got ${String(value)}`,
      field,
    );
  }
  // Normalise −0 so that `Object.is`-based comparisons and JSON never see a negative zero.
  return value === 0 ? 0 : value;
}

function fromBig(value: bigint, field: string): Minor {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < -BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new TollgateError('amount_overflow', `${field} is beyond the safe integer range`, field);
  }
  return minor(Number(value), field);
}

export function add(a: Minor, b: Minor): Minor {
  return fromBig(BigInt(minor(a, 'a')) + BigInt(minor(b, 'b')), 'sum');
}

export function sub(a: Minor, b: Minor): Minor {
  return fromBig(BigInt(minor(a, 'a')) - BigInt(minor(b, 'b')), 'difference');
}

export function neg(a: Minor): Minor {
  return minor(-minor(a));
}

export function sum(values: Iterable<Minor>): Minor {
  let total = 0n;
  for (const v of values) total += BigInt(minor(v, 'summand'));
  return fromBig(total, 'sum');
}

/**
 * Divides two BigInts rounding half up, away from zero. The single rounding primitive of the app.
 * q = floor((2|n| + |d|) / (2|d|)) with the sign of n/d reapplied.
 */
function divRoundHalfUp(n: bigint, d: bigint): bigint {
  if (d === 0n) throw new TollgateError('division_by_zero', 'division by zero in a money computation');
  const negative = n < 0n !== d < 0n && n !== 0n;
  const an = n < 0n ? -n : n;
  const ad = d < 0n ? -d : d;
  const q = (2n * an + ad) / (2n * ad);
  return negative ? -q : q;
}

/**
 * amount × numerator / denominator, rounded once, half up away from zero. This is the proration
 * primitive (e.g. price × usedDays / daysInPeriod) and the base of every percentage.
 */
export function mulRatio(amount: Minor, numerator: number, denominator: number): Minor {
  if (!Number.isSafeInteger(numerator) || !Number.isSafeInteger(denominator) || denominator === 0) {
    throw new TollgateError(
      'invalid_ratio',
      `a ratio needs integer terms and a non-zero denominator, got ${numerator}/${denominator}`,
    );
  }
  minor(amount);
  // Fast path, same rule: while every intermediate stays a safe integer, double arithmetic on
  // integers is exact (`%` included), so the BigInt round trip is not needed. Billing runs call this
  // hundreds of thousands of times.
  const n = amount * numerator;
  const an = Math.abs(n);
  const ad = Math.abs(denominator);
  const top = 2 * an + ad;
  if (Number.isSafeInteger(n) && Number.isSafeInteger(top) && Number.isSafeInteger(2 * ad)) {
    const q = (top - (top % (2 * ad))) / (2 * ad);
    return minor(n < 0 !== denominator < 0 && n !== 0 ? -q : q);
  }
  return fromBig(divRoundHalfUp(BigInt(amount) * BigInt(numerator), BigInt(denominator)), 'product');
}

function checkBp(bp: number, field = 'rateBp'): number {
  if (!Number.isSafeInteger(bp) || bp < 0) {
    throw new TollgateError('invalid_rate', `${field} must be a non-negative integer of basis points, got ${bp}`, field);
  }
  return bp;
}

/** `bp` basis points of `amount` (2200 bp = 22 %), rounded once half up. */
export function percentOf(amount: Minor, bp: number): Minor {
  return mulRatio(amount, checkBp(bp), BASIS_POINTS_PER_UNIT);
}

/** One line's amounts after tax. `net + tax === gross` always holds exactly. */
export interface TaxedAmount {
  readonly net: Minor;
  readonly tax: Minor;
  readonly gross: Minor;
}

/** Tax on a price that excludes it: tax = round(net × rate), gross = net + tax. */
export function taxExclusive(net: Minor, rateBp: number): TaxedAmount {
  const tax = percentOf(net, rateBp);
  return { net: minor(net), tax, gross: add(net, tax) };
}

/**
 * Tax extracted from a price that includes it: tax = round(gross × rate / (1 + rate)), net = gross −
 * tax. Extracting the tax (rather than rounding the net) keeps the gross the customer was quoted
 * exactly as quoted, which is what "price includes VAT" promises.
 */
export function taxInclusive(gross: Minor, rateBp: number): TaxedAmount {
  const tax = mulRatio(gross, checkBp(rateBp), BASIS_POINTS_PER_UNIT + rateBp);
  return { net: sub(gross, tax), tax, gross: minor(gross) };
}

/** Tax for one line, whichever way its price is quoted. */
export function taxLine(amount: Minor, rateBp: number, inclusive: boolean): TaxedAmount {
  return inclusive ? taxInclusive(amount, rateBp) : taxExclusive(amount, rateBp);
}

/**
 * Splits `amount` into parts proportional to `weights` with no minor unit lost: each part gets the
 * floor of its exact share (towards zero), and the units left over go one each to the parts with the
 * largest remainders (ties to the earlier part). Σ parts === amount, always.
 */
export function allocate(amount: Minor, weights: readonly number[]): Minor[] {
  minor(amount);
  if (weights.length === 0) throw new TollgateError('invalid_weights', 'allocate needs at least one weight', 'weights');
  let total = 0n;
  for (const w of weights) {
    if (!Number.isSafeInteger(w) || w < 0) {
      throw new TollgateError('invalid_weights', `weights must be non-negative integers, got ${w}`, 'weights');
    }
    total += BigInt(w);
  }
  if (total === 0n) throw new TollgateError('invalid_weights', 'weights must not all be zero', 'weights');
  // Work on the magnitude so that a negative amount splits as the mirror image of a positive one.
  const sign = amount < 0 ? -1n : 1n;
  const magnitude = BigInt(amount) * sign;
  const parts = weights.map((w) => (magnitude * BigInt(w)) / total);
  const remainders = weights.map((w, i) => ({ i, r: (magnitude * BigInt(w)) % total }));
  let left = magnitude - parts.reduce((a, b) => a + b, 0n);
  remainders.sort((a, b) => (a.r === b.r ? a.i - b.i : a.r > b.r ? -1 : 1));
  for (const { i } of remainders) {
    if (left === 0n) break;
    parts[i] = parts[i]! + 1n;
    left -= 1n;
  }
  return parts.map((p) => fromBig(p * sign, 'part'));
}

/**
 * ISO 4217 minor-unit digits for currencies whose exponent is not 2. Callers may always pass the
 * digits explicitly; this table serves display and `oneUnit`.
 */
const MINOR_DIGITS: Readonly<Record<string, number>> = {
  BHD: 3, BIF: 0, CLP: 0, DJF: 0, GNF: 0, IQD: 3, ISK: 0, JOD: 3, JPY: 0, KMF: 0, KRW: 0, KWD: 3,
  LYD: 3, OMR: 3, PYG: 0, RWF: 0, TND: 3, UGX: 0, UYI: 0, VND: 0, VUV: 0, XAF: 0, XOF: 0, XPF: 0,
};

export function minorDigits(currency: string): number {
  return MINOR_DIGITS[currency.toUpperCase()] ?? 2;
}

/** One unit of a currency in its minor units: 100 for EUR, 1 for JPY, 1000 for KWD. */
export function oneUnit(currency: string): Minor {
  return 10 ** minorDigits(currency);
}

/** The exact decimal string of an amount, e.g. (-1205, 2) → "-12.05". No float is involved. */
export function toDecimalString(amount: Minor, digits: number): string {
  minor(amount);
  if (!Number.isInteger(digits) || digits < 0 || digits > 6) {
    throw new TollgateError('invalid_digits', `minor-unit digits must be 0..6, got ${digits}`, 'digits');
  }
  const negative = amount < 0;
  const abs = String(Math.abs(amount)).padStart(digits + 1, '0');
  const whole = abs.slice(0, abs.length - digits);
  const frac = abs.slice(abs.length - digits);
  return `${negative ? '-' : ''}${whole}${digits > 0 ? `.${frac}` : ''}`;
}

/**
 * Formats an amount for people, e.g. formatMoney(123456, 'EUR', { locale: 'it-IT' }) → "1.234,56 €".
 * Intl is used only here, and it is given an exact decimal string, so display never rounds.
 */
export function formatMoney(
  amount: Minor,
  currency: string,
  options: { locale?: string; digits?: number } = {},
): string {
  const digits = options.digits ?? minorDigits(currency);
  const decimal = toDecimalString(amount, digits) as `${number}`;
  return new Intl.NumberFormat(options.locale ?? 'en', {
    style: 'currency',
    currency,
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(decimal);
}
