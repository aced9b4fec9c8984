/** Pages of a list and the opaque cursors that continue them. */
import { said, TollgateError } from '../lib/errors.js';

export interface Page<T> {
  items: T[];
  /** Opaque cursor for the next page, or null at the end. */
  next: string | null;
}

/** The cursor of a sorted list: the sort field, the last row's value and id. */
export function encodeSortCursor(field: string, value: unknown, id: number): string {
  return Buffer.from(`s:${JSON.stringify([field, value, id])}`).toString('base64url');
}

export function decodeSortCursor(cursor: string, field: string): { value: string | number; id: number } {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  let parsed: unknown;
  try {
    parsed = text.startsWith('s:') ? JSON.parse(text.slice(2)) : undefined;
  } catch {
    parsed = undefined;
  }
  const [f, value, id] = Array.isArray(parsed) ? parsed : [];
  if (f !== field || !(typeof value === 'string' || typeof value === 'number') || !Number.isSafeInteger(id)) {
    throw new TollgateError('invalid_input', said('fault.cursor', 'the cursor is not one this API gave out for this sort'), 'cursor');
  }
  return { value, id: id as number };
}

export function encodeCursor(id: number): string {
  return Buffer.from(`id:${id}`).toString('base64url');
}

export function decodeCursor(cursor: string): number {
  const m = /^id:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) throw new TollgateError('invalid_input', said('fault.cursor.unknown', 'the cursor is not one this API gave out'), 'cursor');
  return Number(m[1]);
}
