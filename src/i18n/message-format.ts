/**
 * Messages, given a catalogue: the lookup the server (messages.ts, every language loaded) and the
 * admin UI (web/src/i18n.ts, the languages it has loaded) share. A message is ICU MessageFormat
 * (intl-messageformat): `{name}` inserts a value, `{n, plural, one {# day} other {# days}}` picks a
 * plural form, and so on. Amounts, dates and sizes are formatted beforehand by format.ts and passed
 * in as text, so one formatting module serves the UI, the PDFs and the notifications alike.
 *
 * English is the reference catalogue: its keys are the `MessageKey` type, and every other catalogue is
 * typed against it, so a missing key does not compile (tests/unit/i18n/catalogues.test.ts also fails
 * on unused keys and on user-facing text that bypasses the catalogue).
 */
import { IntlMessageFormat } from 'intl-messageformat';
import { en } from './catalogues/en.js';
import { INTL_TAGS, type Catalogue, type Locale } from './locales.js';

export type { Catalogue };
export type MessageKey = keyof typeof en;
export type MessageValues = Readonly<Record<string, string | number | null | undefined>>;

const compiled = new Map<string, IntlMessageFormat>();

/** The message `key` of `catalogue`, the catalogue of `locale`, with `values` inserted. */
export function formatMessage(catalogue: Catalogue, locale: Locale, key: MessageKey, values?: MessageValues): string {
  const id = `${locale}\u0000${key}`;
  let mf = compiled.get(id);
  if (!mf) {
    mf = new IntlMessageFormat(catalogue[key], INTL_TAGS[locale]);
    compiled.set(id, mf);
  }
  // A value left out renders as empty rather than throwing: a message must never break a page or a PDF.
  const safe: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(values ?? {})) safe[k] = v ?? '';
  for (const name of placeholders(catalogue[key])) if (!(name in safe)) safe[name] = '';
  return String(mf.format(safe));
}

/** Whether `key` names a message (for keys built from data, such as a status name). */
export function isMessageKey(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(en, key);
}

const placeholderCache = new Map<string, string[]>();
/** The argument names of a message: `{name}` and `{name, plural, …}` at any depth. */
export function placeholders(message: string): string[] {
  let names = placeholderCache.get(message);
  if (!names) {
    names = [...new Set([...message.matchAll(/\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*[,}]/g)].map((m) => m[1]!))];
    placeholderCache.set(message, names);
  }
  return names;
}
