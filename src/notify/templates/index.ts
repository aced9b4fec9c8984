/**
 * The built-in notification templates of every language. English is the reference: its keys are
 * `TemplateKey`, and each other language is typed against them, so a language missing a template
 * does not compile. Adding a language: a file beside this one and a line in `BUILT_IN`.
 */
import type { Locale } from '../../i18n/locales.js';
import { en } from './en.js';
import { es } from './es.js';
import { it } from './it.js';
import type { TemplateSet } from './set.js';

export type TemplateKey = keyof typeof en;
export type { TemplateText } from './set.js';

export const BUILT_IN: Readonly<Record<Locale, TemplateSet<TemplateKey>>> = { en, it, es };

export function isTemplateKey(key: string): key is TemplateKey {
  return Object.prototype.hasOwnProperty.call(en, key);
}
