/**
 * The server's messages: every language's catalogue, loaded once as the module loads (the languages
 * are listed in locales.ts), and the lookup bound to them. The lookup itself is message-format.ts,
 * which the admin UI shares with its own, lazily loaded catalogues.
 */
import { loadAll, type Locale } from './locales.js';
import { formatMessage, type Catalogue, type MessageKey, type MessageValues } from './message-format.js';

export { isMessageKey, placeholders, type Catalogue, type MessageKey, type MessageValues } from './message-format.js';

export const CATALOGUES: Readonly<Record<Locale, Catalogue>> = await loadAll('messages');

/** The message `key` in `locale` with `values` inserted. */
export function translate(locale: Locale, key: MessageKey, values?: MessageValues): string {
  return formatMessage(CATALOGUES[locale], locale, key, values);
}

export type Translate = (key: MessageKey, values?: MessageValues) => string;

/** `translate` bound to one language. */
export function translator(locale: Locale): Translate {
  return (key, values) => translate(locale, key, values);
}
