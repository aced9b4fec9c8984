/**
 * The languages Tollgate speaks and how a reader's language is chosen. Adding a language is a
 * catalogue file in catalogues/ and one line in `LOCALES` (and in messages.ts's table, which the
 * compiler then asks for).
 */

/** The languages, in the order the UI lists them. */
export const LOCALES = ['en', 'it', 'es'] as const;
export type Locale = (typeof LOCALES)[number];

/** Each language's name in itself, for pickers (never translated: a reader looks for their own). */
export const LOCALE_NAMES: Readonly<Record<Locale, string>> = { en: 'English', it: 'Italiano', es: 'Español' };

/**
 * The BCP 47 tag handed to Intl for each language. English is British English: day before month,
 * like the Italian and Spanish readers Tollgate is made for.
 */
export const INTL_TAGS: Readonly<Record<Locale, string>> = { en: 'en-GB', it: 'it-IT', es: 'es-ES' };

export function isLocale(v: unknown): v is Locale {
  return typeof v === 'string' && (LOCALES as readonly string[]).includes(v);
}

/**
 * The first supported language among `wanted` (tags such as "it-IT", "es-419", "en"; an
 * Accept-Language header or navigator.languages), by primary subtag and in the order given; `fallback`
 * when none is supported.
 */
export function negotiate(wanted: string | readonly string[] | null | undefined, fallback: Locale): Locale {
  const tags = typeof wanted === 'string' ? parseAcceptLanguage(wanted) : (wanted ?? []);
  for (const tag of tags) {
    const primary = tag.trim().toLowerCase().split(/[-_]/)[0];
    if (isLocale(primary)) return primary;
  }
  return fallback;
}

/** The tags of an Accept-Language header, highest weight first (a weight of 0 means "not this one"). */
export function parseAcceptLanguage(header: string): string[] {
  return header
    .split(',')
    .map((part, i) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)).find(Boolean);
      return { tag: tag.trim(), q: q ? Number(q[1]) : 1, i };
    })
    .filter((x) => x.tag !== '' && x.tag !== '*' && x.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i)
    .map((x) => x.tag);
}
