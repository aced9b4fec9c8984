/** The shape of a language's built-in notification templates: every key, both channels. */

/** How a notification travels. */
export type Channel = 'email' | 'sms';

export interface TemplateText {
  subject: string;
  body: string;
}

export type TemplateSet<K extends string> = Readonly<Record<K, Readonly<Record<Channel, TemplateText>>>>;
