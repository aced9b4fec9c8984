/**
 * The auth log's reasons as the API gives them: the English `reason` (what the contract promises and
 * scripts read) and beside it `reasonCode`, the catalogue key, with `reasonValues`, so the UI words
 * the reason in its reader's language. The log stores the two together as JSON (`reason_message`).
 */

export interface ReasonCode {
  reasonCode: string | null;
  reasonValues: Record<string, string> | null;
}

function parse(message: string | null | undefined): ReasonCode {
  if (!message) return { reasonCode: null, reasonValues: null };
  try {
    const m = JSON.parse(message) as { key?: unknown; values?: unknown };
    if (typeof m.key !== 'string') return { reasonCode: null, reasonValues: null };
    const values: Record<string, string> = {};
    if (typeof m.values === 'object' && m.values !== null) for (const [k, v] of Object.entries(m.values)) values[k] = String(v);
    return { reasonCode: m.key, reasonValues: Object.keys(values).length ? values : null };
  } catch {
    // A row written by hand or by an older writer: the English reason still stands.
    return { reasonCode: null, reasonValues: null };
  }
}

/** The row without its stored `reasonMessage`, with `reasonCode` and `reasonValues` instead. */
export function withReasonCode<T extends { reasonMessage?: string | null }>(row: T): Omit<T, 'reasonMessage'> & ReasonCode {
  const { reasonMessage, ...rest } = row;
  return { ...rest, ...parse(reasonMessage) };
}
