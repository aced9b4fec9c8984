/**
 * The auth log's reasons as the API gives them: the English `reason` (what the contract promises and
 * scripts read) and beside it `reasonCode`, the catalogue key, with `reasonValues`, so the UI words
 * the reason in its reader's language. The log stores the two together as JSON (`reason_message`).
 */
import { parseStored, storedText } from '../lib/errors.js';

export interface ReasonCode {
  reasonCode: string | null;
  reasonValues: Record<string, string> | null;
}

function parse(message: string | null | undefined): ReasonCode {
  // A row written by hand or by an older writer has none: the English reason still stands.
  const m = storedText(parseStored(message));
  return m ? { reasonCode: m.key, reasonValues: Object.keys(m.values).length ? m.values : null } : { reasonCode: null, reasonValues: null };
}

/** The row without its stored `reasonMessage`, with `reasonCode` and `reasonValues` instead. */
export function withReasonCode<T extends { reasonMessage?: string | null }>(row: T): Omit<T, 'reasonMessage'> & ReasonCode {
  const { reasonMessage, ...rest } = row;
  return { ...rest, ...parse(reasonMessage) };
}
