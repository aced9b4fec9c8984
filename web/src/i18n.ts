// The UI's language: the catalogue lookup `t`, the formatter of the chosen language (money, dates,
// sizes in the billing time zone) and the switch. The catalogues and the formatting are the server's
// own (src/i18n/), so a screen, a PDF and an email say the same thing the same way.
import { LitElement } from 'lit';
import { formatter, type Formatter } from '../../src/i18n/format.js';
import { LOCALES, LOCALE_NAMES, isLocale, negotiate, type Locale } from '../../src/i18n/locales.js';
import { isMessageKey, translate, type MessageKey, type MessageValues } from '../../src/i18n/messages.js';

export { LOCALES, LOCALE_NAMES, isLocale, isMessageKey, type Locale, type MessageKey };

/** The browser's languages (none outside a browser, as in unit tests). */
export const browserLanguages = (): readonly string[] => (typeof navigator === 'undefined' ? [] : navigator.languages ?? [navigator.language]);

let current: Locale = negotiate(browserLanguages(), 'en');
let context = { timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone, currency: 'EUR' };
let fmt: Formatter = formatter(current, context);

export const locale = (): Locale => current;
/** The formatter of the UI's language, billing time zone and currency. */
export const f = (): Formatter => fmt;

/** The message `key` in the UI's language. */
export function t(key: MessageKey, values?: MessageValues): string {
  return translate(current, key, values);
}

/** The billing time zone and currency the formatter uses (from /auth/me). */
export function setFormatContext(timeZone: string, currency: string): void {
  context = { timeZone, currency };
  fmt = formatter(current, context);
}

/**
 * Switches the UI's language: `<html lang>` follows and every element on the page renders again
 * from the data it holds (nothing is fetched again).
 */
export function setLocale(next: Locale): void {
  const changed = next !== current;
  current = next;
  fmt = formatter(current, context);
  if (typeof document === 'undefined') return;
  // The page title is the shell's (main.ts names each screen); it renders again below when the language changed.
  document.documentElement.lang = next;
  if (changed) rerender(document);
}

let picked: Locale | undefined;
/** A language picked before signing in (not stored anywhere yet): it holds until the admin stores one. */
export function pickBeforeSignIn(l: Locale): void {
  picked = l;
  setLocale(l);
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
