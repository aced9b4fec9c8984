/**
 * CSV for exports (RFC 4180: comma, CRLF, quotes doubled), streamed page by page so that an export of
 * 100,000 rows neither builds one big string nor holds a read cursor open across event-loop turns.
 */
import { Readable } from 'node:stream';

export type CsvValue = string | number | boolean | null | undefined;

/**
 * One cell. A text cell starting with = + - @ (or a tab or CR) would be evaluated as a formula by a
 * spreadsheet: it gets a leading apostrophe (OWASP "CSV injection"). Numbers are written as they are.
 */
export function csvCell(v: CsvValue): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  const safe = typeof v === 'string' && /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export const csvLine = (cells: CsvValue[]): string => cells.map(csvCell).join(',') + '\r\n';

/**
 * A stream of CSV text: the header, then the rows of each page `fetch` returns until it returns no
 * cursor. Each page is read when the client has taken the previous one.
 */
export function csvStream<T>(columns: string[], fetch: (cursor: string | undefined) => Promise<{ items: T[]; next: string | null }>, cell: (row: T, column: string) => CsvValue): Readable {
  async function* lines() {
    yield csvLine(columns);
    let cursor: string | undefined;
    for (;;) {
      const page = await fetch(cursor);
      if (page.items.length) yield page.items.map((row) => csvLine(columns.map((c) => cell(row, c)))).join('');
      if (!page.next) return;
      cursor = page.next;
    }
  }
  return Readable.from(lines(), { objectMode: false });
}
