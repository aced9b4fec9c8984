/**
 * Notification templates: a built-in text for every key Tollgate sends, per channel and per language
 * (src/i18n/templates/en.ts, it.ts, es.ts: a language's files sit with its catalogue, see
 * src/i18n/locales.ts), that an operator may override through
 * `/api/v1/notification-templates` (a row per key, channel and language, or one row for every
 * language). Rendering is plain `{{name}}` substitution; in an email body the values are
 * HTML-escaped (the template itself is HTML), in a subject or an SMS they are inserted as text.
 * Amounts, dates and sizes are formatted in the template's language (src/i18n/format.ts).
 */
import type { Formatter } from '../i18n/format.js';
import { translate } from '../i18n/messages.js';
import { loadAll, type Locale, type Templates } from '../i18n/locales.js';
import type { TemplateText } from '../i18n/templates/set.js';
import type { Channel, TemplateValue } from './types.js';

export type { TemplateText };
/** The keys of the built-in templates: English's, which every other language is typed against. */
export type TemplateKey = keyof Templates;

/** Every language's built-in templates, loaded once as the module loads. */
export const BUILT_IN: Readonly<Record<Locale, Templates>> = await loadAll('templates');

export function isTemplateKey(key: string): key is TemplateKey {
  return Object.prototype.hasOwnProperty.call(BUILT_IN.en, key);
}

/** The keys Tollgate sends, in a stable order. */
export const TEMPLATE_KEYS = Object.keys(BUILT_IN.en).filter(isTemplateKey);

/** The built-in text of a key and channel in a language (undefined for a key only an operator added). */
export function builtInTemplate(language: Locale, key: string, channel: Channel): TemplateText | undefined {
  return isTemplateKey(key) ? BUILT_IN[language][key][channel] : undefined;
}

/** Text as HTML; the no-break spaces Intl puts in amounts ("29,90 €") as entities, so they survive any transfer encoding. */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;')
    .replace(/\u00a0/g, '&nbsp;').replace(/\u202f/g, '&#8239;');
}

/**
 * Text for a subject line or an SMS: no-break spaces as plain ones. An SMS with a character outside
 * the GSM 7-bit alphabet is sent as UCS-2, at less than half the length per part.
 */
export const plainSpaces = (s: string): string => s.replace(/[\u00a0\u202f]/g, ' ');

const VAR = /\{\{\s*([A-Za-z0-9_.]+)\s*\}\}/g;

/** `{{name}}` → the value (missing or null: empty), escaped by `escape`. */
export function render(text: string, data: Record<string, string | number | null | undefined>, escape: (s: string) => string = (s) => s): string {
  return text.replace(VAR, (_m, name: string) => {
    const v = data[name];
    return v === null || v === undefined ? '' : escape(String(v));
  });
}

/** A template value as text in the formatter's language: amounts, dates and sizes formatted, messages worded. */
export function formatValue(v: TemplateValue | undefined, f: Formatter): string | number | null | undefined {
  if (v === null || v === undefined || typeof v === 'string') return v;
  // Plain numbers are ids and counts, inserted as they are (an invoice id grouped as "1.234" would mislead).
  if (typeof v === 'number') return v;
  if ('money' in v) return f.money(v.money, v.currency);
  if ('date' in v) return f.day(v.date);
  if ('bytes' in v) return f.bytes(v.bytes);
  return translate(f.locale, v.message);
}

/** Every value of a request's data formatted for one language. */
export function formatData(data: Readonly<Record<string, TemplateValue | undefined>>, f: Formatter): Record<string, string | number | null | undefined> {
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, formatValue(v, f)]));
}

/** The variables a template uses, for the API. */
export function variablesOf(text: string): string[] {
  return [...new Set([...text.matchAll(VAR)].map((m) => m[1]!))];
}

/** A plain-text alternative of an HTML email body. */
export function htmlToText(html: string): string {
  return html
    .replace(/<\/p>\s*/gi, '\n\n')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&nbsp;|&#8239;/g, ' ').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&')
    .trim();
}

export interface RenderedMessage {
  subject: string;
  body: string;
}

/** Renders one channel's text: email body HTML-escaped, subject and SMS as text (newlines out of a subject). */
export function renderMessage(channel: Channel, t: TemplateText, data: Record<string, string | number | null | undefined>): RenderedMessage {
  if (channel === 'email') return { subject: plainSpaces(render(t.subject, data).replace(/[\r\n]+/g, ' ')), body: render(t.body, data, escapeHtml) };
  return { subject: '', body: plainSpaces(render(t.body, data)) };
}
