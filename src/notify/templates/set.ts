/** The shape of a language's built-in templates: every key, both channels. */
import type { Channel } from '../types.js';

export interface TemplateText {
  subject: string;
  body: string;
}

export type TemplateSet<K extends string> = Readonly<Record<K, Readonly<Record<Channel, TemplateText>>>>;
