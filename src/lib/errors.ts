import type { ErrorCode } from './error-codes.js';

/**
 * An error's message as the catalogue (src/i18n) words it: the key and its values, beside the English
 * `text` that logs, the CLI and English readers get. The key is plain text here because src/lib sits
 * below the catalogue; the API renders it in the reader's language and falls back to `text` for a key
 * it does not know (tests/unit/http/problems-i18n.test.ts checks every key thrown exists).
 */
export interface LocalText {
  readonly text: string;
  readonly key: string;
  readonly values?: Readonly<Record<string, string | number>>;
}

/** A message in English with its catalogue key: `said('fault.cf.check', 'the check letter of this codice fiscale is wrong')`. */
export function said(key: string, text: string, values?: Readonly<Record<string, string | number>>): LocalText {
  return values ? { text, key, values } : { text, key };
}

/** A catalogue message read back from the database: its key, and its values as text. */
export interface StoredText {
  key: string;
  values: Record<string, string>;
}

/**
 * A JSON column that keeps catalogue messages (`{key, values}`, or a list of them) parsed; undefined
 * when it is empty or not JSON (a row written by hand or by an older writer: its English text stands).
 */
export function parseStored(stored: string | null | undefined): unknown {
  if (!stored) return undefined;
  try {
    return JSON.parse(stored) as unknown;
  } catch {
    return undefined;
  }
}

/** One stored `{key, values}` as a message, its values as text; null when it is not one. */
export function storedText(m: unknown): StoredText | null {
  if (typeof m !== 'object' || m === null) return null;
  const { key, values } = m as { key?: unknown; values?: unknown };
  if (typeof key !== 'string') return null;
  const flat: Record<string, string> = {};
  if (typeof values === 'object' && values !== null) for (const [k, v] of Object.entries(values)) flat[k] = String(v);
  return { key, values: flat };
}

/** A message as a JSON column keeps it, `{key, values}`: what parseStored and storedText read back. */
export function storeText(m: Pick<LocalText, 'key' | 'values'>): string {
  return JSON.stringify(m.values ? { key: m.key, values: m.values } : { key: m.key });
}

/**
 * A stored failure as the API gives it beside its English `lastError`: the catalogue key and its
 * values, to word it in the reader's language; nulls when there is none or the row is older than the key.
 */
export function keyedError(stored: string | null): { lastErrorCode: string | null; lastErrorValues: Record<string, string> | null } {
  const m = storedText(parseStored(stored));
  return { lastErrorCode: m?.key ?? null, lastErrorValues: m ? m.values : null };
}

/** The records a path or an argument names, each with the catalogue key of "<record> <id> does not exist". */
const MISSING = {
  NAS: 'fault.missing.nas',
  plan: 'fault.noPlan',
  customer: 'fault.noCustomer',
  service: 'fault.noService',
  invoice: 'fault.missing.invoice',
  'credit note': 'fault.missing.creditNote',
  payment: 'fault.missing.payment',
  promotion: 'fault.missing.promotion',
  'voucher batch': 'fault.missing.voucherBatch',
  admin: 'fault.missing.admin',
  token: 'fault.missing.token',
  action: 'fault.missing.action',
  notification: 'fault.missing.notification',
  'billing profile': 'fault.missing.billingProfile',
  'billing run': 'fault.missing.billingRun',
  'fiscal document': 'fault.missing.fiscalDocument',
} as const;

export type MissingRecord = keyof typeof MISSING;

/**
 * Domain errors are values with a stable code. The code is one of the catalogue's
 * (src/lib/error-codes.ts), so the HTTP layer answers each with its own status and the CLI maps them
 * to exit codes. Library code never logs.
 */
export class TollgateError extends Error {
  /** The message by catalogue key, when the thrower gave one: API readers get it in their language. */
  readonly local?: LocalText;

  constructor(
    readonly code: ErrorCode,
    /** English text (logs, CLI, English readers), or English text with its catalogue key. */
    message: string | LocalText,
    /** The input field at fault, as the API names it (e.g. `ipAddress`). */
    readonly field?: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(typeof message === 'string' ? message : message.text);
    this.name = 'TollgateError';
    if (typeof message !== 'string') this.local = message;
  }
}

/** A configuration error: exit code 2, the message names the key, the file and the line. */
export class ConfigError extends TollgateError {
  constructor(
    message: string,
    readonly key?: string,
    readonly file?: string,
    readonly line?: number,
  ) {
    super('config_invalid', message, key);
    this.name = 'ConfigError';
  }
}

/** The 404 of a record that does not exist, worded in the reader's language: `notFound('plan', 7)` is "plan 7 does not exist". */
export function notFound(what: MissingRecord, id: number | string): TollgateError {
  return new TollgateError('not_found', said(MISSING[what], `${what} ${id} does not exist`, { id: String(id) }));
}
