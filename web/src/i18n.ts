// The UI's language: the catalogue lookup `t`, the formatter of the chosen language (money, dates,
// sizes in the billing time zone) and the switch. The catalogues and the formatting are the server's
// own (src/i18n/), so a screen, a PDF and an email say the same thing the same way.
//
// English is in the bundle; every other catalogue is a chunk of its own, loaded the first time its
// language is chosen (src/i18n/locales.ts names the files), so the UI downloads only what it shows.
import { LitElement } from 'lit';
import { en } from '../../src/i18n/catalogues/en.js';
import { formatter, type Formatter } from '../../src/i18n/format.js';
import { LANGUAGES, LOCALES, LOCALE_NAMES, isLocale, negotiate, type Catalogue, type Locale } from '../../src/i18n/locales.js';
import { formatMessage, isMessageKey, type MessageKey, type MessageValues } from '../../src/i18n/message-format.js';

export { LOCALES, LOCALE_NAMES, isLocale, isMessageKey, type Locale, type MessageKey };

/** The browser's languages (none outside a browser, as in unit tests). */
export const browserLanguages = (): readonly string[] => (typeof navigator === 'undefined' ? [] : navigator.languages ?? [navigator.language]);

const loaded: Partial<Record<Locale, Catalogue>> = { en };
// Until a catalogue is loaded the UI speaks English: the shell chooses (and loads) the language as it starts.
let current: Locale = 'en';
let catalogue: Catalogue = en;
let context = { timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone, currency: 'EUR' };
let fmt: Formatter = formatter(current, context);

export const locale = (): Locale => current;
/** The formatter of the UI's language, billing time zone and currency. */
export const f = (): Formatter => fmt;

/** The message `key` in the UI's language. */
export function t(key: MessageKey, values?: MessageValues): string {
  return formatMessage(catalogue, current, key, values);
}

/** The billing time zone and currency the formatter uses (from /auth/me). */
export function setFormatContext(timeZone: string, currency: string): void {
  context = { timeZone, currency };
  fmt = formatter(current, context);
}

/** The catalogue of `l`, loaded once (a network request the first time for any language but English). */
async function load(l: Locale): Promise<Catalogue> {
  return (loaded[l] ??= await LANGUAGES[l].messages());
}

let switches = 0;
/**
 * Switches the UI's language once its catalogue is loaded: `<html lang>` follows and every element on
 * the page renders again from the data it holds (nothing is fetched again). When switches overlap, the
 * last one asked for wins; when a catalogue cannot be loaded the language stays and the promise rejects.
 */
export async function setLocale(next: Locale): Promise<void> {
  const ticket = ++switches;
  const nextCatalogue = await load(next);
  if (ticket !== switches) return;
  const changed = next !== current;
  current = next;
  catalogue = nextCatalogue;
  fmt = formatter(current, context);
  if (typeof document === 'undefined') return;
  // The page title is the shell's (main.ts names each screen); it renders again below when the language changed.
  document.documentElement.lang = next;
  if (changed) rerender(document);
}

let picked: Locale | undefined;
/** A language picked before signing in (not stored anywhere yet): it holds until the admin stores one. */
export function pickBeforeSignIn(l: Locale): Promise<void> {
  picked = l;
  return setLocale(l);
}
export const pickedBeforeSignIn = (): Locale | undefined => picked;

/** The language to use: the admin's choice, else the browser's when we speak it, else the installation's. */
export function chooseLocale(chosen: string | null | undefined, installation: Locale): Locale {
  return isLocale(chosen) ? chosen : negotiate(browserLanguages(), installation);
}

function rerender(root: Document | ShadowRoot): void {
  for (const el of root.querySelectorAll('*')) {
    if (el instanceof LitElement) el.requestUpdate();
    if (el.shadowRoot) rerender(el.shadowRoot);
  }
}
