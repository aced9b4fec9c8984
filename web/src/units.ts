// The operator's units in forms and back: money in the currency (minor units on the wire), VAT as a
// percentage (basis points), speeds in Mbit/s or kbit/s (kbit/s), data caps in GB or MB (bytes).
// Exact both ways: text is read as a decimal string and scaled by moving the decimal point, never
// through a float, so "19,99" is 1999 cents and 0.1 GB is 100,000,000 bytes; a value with more
// decimals than the unit holds is refused, never rounded. No DOM. The decimal separator is the
// admin's language's (uiDecimal: "," in Italian and Spanish, "." in English) unless one is passed;
// group separators are accepted.

import { minorDigits } from '../../src/i18n/format.js';
import { INTL_TAGS } from '../../src/i18n/locales.js';
import { locale } from './i18n.js';

/** Why a text is not a value: a code, which the form turns into a message of the catalogue. */
export type ParseError = 'empty' | 'not_a_number' | 'too_precise' | 'out_of_range';
export type Parsed = { ok: true; value: number } | { ok: false; error: ParseError };
const fail = (error: ParseError): Parsed => ({ ok: false, error });

/** The decimal separator of a locale: "," for it and es, "." for en. */
export function decimalSeparator(locale: string | undefined): '.' | ',' {
  const part = new Intl.NumberFormat(locale).formatToParts(1.5).find((p) => p.type === 'decimal');
  return part?.value === ',' ? ',' : '.';
}

/** The decimal separator of the admin's language, read at each call: switching language applies at once. */
export const uiDecimal = (): '.' | ',' => decimalSeparator(INTL_TAGS[locale()]);

/**
 * `text` × 10^scale as an integer: "12,5" with scale 2 and "," is 1250. Group separators (the other
 * of "." and ",", spaces, apostrophes) may split the integer part in threes: "1.234,50" is 123450.
 */
export function parseScaled(text: string, scale: number, decimal: '.' | ',' = uiDecimal()): Parsed {
  let t = text.trim().replace(/[\s\u00a0\u202f']/g, '');
  if (t === '') return fail('empty');
  const negative = t.startsWith('-');
  if (negative || t.startsWith('+')) t = t.slice(1);
  const parts = t.split(decimal);
  if (parts.length > 2) return fail('not_a_number');
  let int = parts[0]!;
  const frac = parts[1] ?? '';
  const group = decimal === ',' ? '.' : ',';
  if (int.includes(group)) {
    if (!new RegExp(`^\\d{1,3}(\\${group}\\d{3})+$`).test(int)) return fail('not_a_number');
    int = int.split(group).join('');
  }
  if (!/^\d*$/.test(int) || !/^\d*$/.test(frac) || (int === '' && frac === '')) return fail('not_a_number');
  const significant = frac.replace(/0+$/, '');
  if (significant.length > scale) return fail('too_precise');
  const digits = `${int === '' ? '0' : int}${significant.padEnd(scale, '0')}`;
  const big = BigInt(digits);
  if (big > BigInt(Number.MAX_SAFE_INTEGER)) return fail('out_of_range');
  const value = Number(big);
  return { ok: true, value: negative && value !== 0 ? -value : value };
}

/** An integer ÷ 10^scale as decimal text: trailing zeros trimmed, or kept to `scale` digits with `fixed`. */
export function formatScaled(value: number, scale: number, decimal: '.' | ',' = uiDecimal(), fixed = false): string {
  if (!Number.isSafeInteger(value)) throw new RangeError(`unsafe_integer: ${value}`);
  const digits = String(Math.abs(value)).padStart(scale + 1, '0');
  const int = digits.slice(0, digits.length - scale);
  const rawFrac = digits.slice(digits.length - scale);
  const frac = fixed ? rawFrac : rawFrac.replace(/0+$/, '');
  return `${value < 0 ? '-' : ''}${int}${frac ? decimal + frac : ''}`;
}

const within = (p: Parsed, min: number, max: number): Parsed => (p.ok && (p.value < min || p.value > max) ? fail('out_of_range') : p);

// ---- money: minor units of the currency (2 digits for EUR, 0 for CLP, 3 for KWD)

/** The minor-unit digits of a currency, as Intl knows them. */
export const currencyDigits = (currency: string): number => minorDigits(currency);
export const moneyToMinor = (text: string, digits = 2, decimal: '.' | ',' = uiDecimal()): Parsed => parseScaled(text, digits, decimal);
/** For an input's value: always `digits` decimals ("12.50"), no group separators. */
export const minorToMoneyText = (minor: number, digits = 2, decimal: '.' | ',' = uiDecimal()): string => formatScaled(minor, digits, decimal, true);

// ---- VAT: percent ↔ basis points (22 % = 2200 bp; 0 to 100 %, two decimals at most)

export const percentToBp = (text: string, decimal: '.' | ',' = uiDecimal()): Parsed => within(parseScaled(text.replace(/%\s*$/, ''), 2, decimal), 0, 10_000);
export const bpToPercent = (bp: number, decimal: '.' | ',' = uiDecimal()): string => formatScaled(bp, 2, decimal);

// ---- speeds: Mbit/s (three decimals: whole kbit/s) or kbit/s ↔ kbit/s

export type SpeedUnit = 'Mbit/s' | 'kbit/s';
/** Plans take 1 kbit/s to 100 Gbit/s. */
export const speedToKbps = (text: string, unit: SpeedUnit, decimal: '.' | ',' = uiDecimal()): Parsed =>
  within(parseScaled(text, unit === 'Mbit/s' ? 3 : 0, decimal), 1, 100_000_000);
/** Mbit/s from 1000 kbit/s up (exact: 2500 is "2.5"), kbit/s below. */
export function kbpsToSpeed(kbps: number, decimal: '.' | ',' = uiDecimal()): { value: string; unit: SpeedUnit } {
  return kbps >= 1000 ? { value: formatScaled(kbps, 3, decimal), unit: 'Mbit/s' } : { value: String(kbps), unit: 'kbit/s' };
}

// ---- data: GB or MB (decimal units, as ISPs sell them: 1 GB = 10^9 bytes) ↔ bytes

export type SizeUnit = 'GB' | 'MB';
const SIZE_SCALE: Record<SizeUnit, number> = { GB: 9, MB: 6 };
export const sizeToBytes = (text: string, unit: SizeUnit, decimal: '.' | ',' = uiDecimal()): Parsed => within(parseScaled(text, SIZE_SCALE[unit], decimal), 0, Number.MAX_SAFE_INTEGER);
/** GB from 1 GB up, MB below; exact (a count of bytes that is no whole MB shows its decimals). */
export function bytesToSize(bytes: number, decimal: '.' | ',' = uiDecimal()): { value: string; unit: SizeUnit } {
  const unit: SizeUnit = bytes >= 1e9 ? 'GB' : 'MB';
  return { value: formatScaled(bytes, SIZE_SCALE[unit], decimal), unit };
}
