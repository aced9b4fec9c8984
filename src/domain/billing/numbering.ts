/**
 * Gapless document numbers per series and year, e.g. `INV-2026-000123`.
 *
 * A number is given at issue time, not when a draft is generated, so deleting a draft never leaves a
 * hole. This module is pure: the caller reads the last sequence issued in (series, year) and writes
 * the new one in the same transaction as the issued invoice (a UNIQUE (series, year, sequence)
 * constraint makes a concurrent issue fail instead of duplicating).
 */
import { partsOf, type CalDate } from '../../lib/calendar.js';
import { TollgateError } from '../../lib/errors.js';

export interface NumberSeries {
  /** e.g. 'INV' for invoices, 'CN' for credit notes: letters, digits, '_' or '/', 1..12 chars. */
  readonly prefix: string;
  /** Zero-padded width of the sequence; default 6. */
  readonly digits?: number;
}

export interface DocumentNumber {
  readonly prefix: string;
  readonly year: number;
  readonly sequence: number;
  readonly number: string;
}

const PREFIX_RE = /^[A-Za-z0-9_/]{1,12}$/;

function check(series: NumberSeries): Required<NumberSeries> {
  if (!PREFIX_RE.test(series.prefix)) {
    throw new TollgateError('invalid_series_prefix', 'a series prefix is 1..12 letters, digits, _ or /', 'prefix');
  }
  const digits = series.digits ?? 6;
  if (!Number.isInteger(digits) || digits < 1 || digits > 12) {
    throw new TollgateError('invalid_series_digits', 'a series has 1..12 sequence digits', 'digits');
  }
  return { prefix: series.prefix, digits };
}

export function formatDocumentNumber(series: NumberSeries, year: number, sequence: number): string {
  const { prefix, digits } = check(series);
  return `${prefix}-${year}-${String(sequence).padStart(digits, '0')}`;
}

/**
 * The next number of `series` for a document issued on `issueDate`, given the last sequence issued
 * in that series and the issue date's year (null when none yet: the year starts at 1).
 */
export function nextDocumentNumber(series: NumberSeries, issueDate: CalDate, lastSequenceInYear: number | null): DocumentNumber {
  const { year } = partsOf(issueDate);
  if (lastSequenceInYear !== null && (!Number.isSafeInteger(lastSequenceInYear) || lastSequenceInYear < 1)) {
    throw new TollgateError('invalid_last_sequence', 'the last sequence is a positive integer or null', 'lastSequenceInYear');
  }
  const sequence = (lastSequenceInYear ?? 0) + 1;
  return { prefix: series.prefix, year, sequence, number: formatDocumentNumber(series, year, sequence) };
}

/** Parses a number of this series back into its parts; null when it is not one. */
export function parseDocumentNumber(series: NumberSeries, value: string): DocumentNumber | null {
  const { prefix } = check(series);
  if (!value.startsWith(`${prefix}-`)) return null;
  const m = /^(\d{4})-(\d+)$/.exec(value.slice(prefix.length + 1));
  if (!m) return null;
  const sequence = Number(m[2]);
  if (!Number.isSafeInteger(sequence) || sequence < 1) return null;
  return { prefix, year: Number(m[1]), sequence, number: value };
}

/**
 * Checks that a series' numbers run 1..n in each year with no gap or duplicate; returns the
 * problems found (empty when gapless). For tests and for an admin integrity check.
 */
export function findNumberingGaps(series: NumberSeries, numbers: readonly string[]): string[] {
  const byYear = new Map<number, number[]>();
  const problems: string[] = [];
  for (const n of numbers) {
    const parsed = parseDocumentNumber(series, n);
    if (!parsed) {
      problems.push(`${n} is not a ${series.prefix} number`);
      continue;
    }
    const list = byYear.get(parsed.year) ?? [];
    list.push(parsed.sequence);
    byYear.set(parsed.year, list);
  }
  for (const [year, seqs] of byYear) {
    seqs.sort((a, b) => a - b);
    seqs.forEach((s, i) => {
      if (s !== i + 1) problems.push(`${series.prefix} ${year}: expected sequence ${i + 1}, found ${s}`);
    });
  }
  return problems;
}
