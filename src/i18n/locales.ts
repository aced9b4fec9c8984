/**
 * The languages Tollgate speaks and how a reader's language is chosen.
 *
 * A language is two files and one line. The files: its message catalogue, catalogues/xx.ts (the UI,
 * the PDFs, Reply-Messages and problem texts), and its notification templates, templates/xx.ts. Both
 * are typed against English, so a missing message or template does not compile. The line: its entry
 * in `LANGUAGES` below (its name, its Intl tag and the two files), from which everything that lists
 * languages is derived: `LOCALES`, `LOCALE_NAMES`, `INTL_TAGS`, the server's catalogues
 * (messages.ts) and built-in templates (src/notify/templates.ts), the UI's picker.
 *
 * The files are named by functions rather than imported so each reader loads only what it needs: the
 * server loads every language once, as it starts; the admin UI loads a catalogue when an admin picks
 * its language (each is a chunk of its own) and never loads a template.
 */
import type { en as enMessages } from './catalogues/en.js';
import type { en as enTemplates } from './templates/en.js';
import type { TemplateSet } from './templates/set.js';

/** A catalogue: a message for every key of the English one. */
export type Catalogue = Readonly<Record<keyof typeof enMessages, string>>;
/** A language's built-in notification templates: every key of the English ones. */
export type Templates = TemplateSet<keyof typeof enTemplates>;

export interface Language {
  /** Its name in itself, for pickers (never translated: a reader looks for their own). */
  readonly name: string;
  /** The BCP 47 tag handed to Intl. */
  readonly tag: string;
  readonly messages: () => Promise<Catalogue>;
  readonly templates: () => Promise<Templates>;
}

/**
 * The languages, in the order the UI lists them. English is British English (en-GB): day before
 * month, like the Italian and Spanish readers Tollgate is made for.
 */
export const LANGUAGES = {
  en: { name: 'English', tag: 'en-GB', messages: async () => (await import('./catalogues/en.js')).en, templates: async () => (await import('./templates/en.js')).en },
  it: { name: 'Italiano', tag: 'it-IT', messages: async () => (await import('./catalogues/it.js')).it, templates: async () => (await import('./templates/it.js')).it },
  es: { name: 'Español', tag: 'es-ES', messages: async () => (await import('./catalogues/es.js')).es, templates: async () => (await import('./templates/es.js')).es },
} as const satisfies Readonly<Record<string, Language>>;

export type Locale = keyof typeof LANGUAGES;

const entries = Object.entries(LANGUAGES) as Array<[Locale, Language]>;
export const LOCALES: readonly Locale[] = entries.map(([l]) => l);
/** The codes as API descriptions list them: "en, it, es". */
export const LANGUAGE_LIST = LOCALES.join(', ');
export const LOCALE_NAMES: Readonly<Record<Locale, string>> = tableOf((l) => l.name);
export const INTL_TAGS: Readonly<Record<Locale, string>> = tableOf((l) => l.tag);

/** One value per language. */
function tableOf<T>(pick: (l: Language) => T): Readonly<Record<Locale, T>> {
  return Object.fromEntries(entries.map(([code, l]) => [code, pick(l)])) as Record<Locale, T>;
}

/** Every language's catalogues or templates, loaded (the server's start). */
export async function loadAll<P extends 'messages' | 'templates'>(part: P): Promise<Readonly<Record<Locale, Awaited<ReturnType<Language[P]>>>>> {
  const loaded = await Promise.all(entries.map(async ([code, l]) => [code, await l[part]()] as const));
  return Object.fromEntries(loaded) as Record<Locale, Awaited<ReturnType<Language[P]>>>;
}

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
