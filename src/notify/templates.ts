/**
 * Notification templates: a built-in default for every key Tollgate sends, per channel, that an
 * operator may override through `/api/v1/notification-templates` (a row per key and channel).
 * Rendering is plain `{{name}}` substitution; in an email body the values are HTML-escaped (the
 * template itself is HTML), in a subject or an SMS they are inserted as text.
 */
import type { Channel } from './types.js';

export interface TemplateText {
  subject: string;
  body: string;
}

const email = (subject: string, body: string): TemplateText => ({ subject, body });
const sms = (body: string): TemplateText => ({ subject: '', body });

/** The keys Tollgate uses, with their default texts. */
export const DEFAULT_TEMPLATES: Record<string, Record<Channel, TemplateText>> = {
  'invoice.issued': {
    email: email('Invoice {{invoiceNumber}}', '<p>Dear {{customerName}},</p><p>invoice {{invoiceNumber}} for {{amount}} is due on {{dueDate}}.</p>'),
    sms: sms('Invoice {{invoiceNumber}}: {{amount}} due {{dueDate}}.'),
  },
  'payment.received': {
    email: email('Payment received', '<p>Dear {{customerName}},</p><p>we received your payment of {{amount}}. Thank you.</p>'),
    sms: sms('Payment of {{amount}} received. Thank you.'),
  },
  'invoice.reminder.1': {
    email: email('Reminder: invoice {{invoiceNumber}} is overdue', '<p>Dear {{customerName}},</p><p>invoice {{invoiceNumber}} ({{amount}} open) was due on {{dueDate}}. Please pay at your earliest convenience.</p>'),
    sms: sms('Reminder: invoice {{invoiceNumber}}, {{amount}} open, was due {{dueDate}}.'),
  },
  'invoice.reminder.2': {
    email: email('Second reminder: invoice {{invoiceNumber}}', '<p>Dear {{customerName}},</p><p>invoice {{invoiceNumber}} ({{amount}} open) is still unpaid since {{dueDate}}. Without payment the service may be suspended from {{suspendDate}}.</p>'),
    sms: sms('2nd reminder: invoice {{invoiceNumber}}, {{amount}} open since {{dueDate}}. Service may be suspended from {{suspendDate}}.'),
  },
  'invoice.reminder.3': {
    email: email('Final reminder: invoice {{invoiceNumber}}', '<p>Dear {{customerName}},</p><p>final reminder: invoice {{invoiceNumber}} ({{amount}} open, due {{dueDate}}). The service will be suspended from {{suspendDate}} unless paid.</p>'),
    sms: sms('Final reminder: invoice {{invoiceNumber}}, {{amount}} open. Suspension from {{suspendDate}} unless paid.'),
  },
  'invoice.late_fee': {
    email: email('Late fee for invoice {{invoiceNumber}}', '<p>Dear {{customerName}},</p><p>a late fee of {{fee}} was added for invoice {{invoiceNumber}}.</p>'),
    sms: sms('A late fee of {{fee}} was added for invoice {{invoiceNumber}}.'),
  },
  'service.suspended': {
    email: email('Service suspended', '<p>Dear {{customerName}},</p><p>your service {{username}} is suspended for non-payment ({{amount}} overdue). It is restored as soon as the payment is received.</p>'),
    sms: sms('Service {{username}} suspended for non-payment ({{amount}} overdue). Restored as soon as you pay.'),
  },
  'service.resumed': {
    email: email('Service restored', '<p>Dear {{customerName}},</p><p>thank you: your service {{username}} is active again.</p>'),
    sms: sms('Thank you: service {{username}} is active again.'),
  },
  'prepaid.expiring': {
    email: email('Your service expires on {{expiresOn}}', '<p>Dear {{customerName}},</p><p>your prepaid service {{username}} expires on {{expiresOn}} ({{daysLeft}} days left). Top up to keep it running.</p>'),
    sms: sms('Service {{username}} expires {{expiresOn}} ({{daysLeft}} days left). Top up to keep it running.'),
  },
  'prepaid.expired': {
    email: email('Your service has expired', '<p>Dear {{customerName}},</p><p>your prepaid service {{username}} expired. Top up to reactivate it.</p>'),
    sms: sms('Service {{username}} expired. Top up to reactivate it.'),
  },
  'prepaid.topup': {
    email: email('Top-up received', '<p>Dear {{customerName}},</p><p>your service {{username}} now runs until {{expiresOn}}. Receipt {{receipt}}, amount {{amount}}.</p>'),
    sms: sms('Top-up OK: {{username}} runs until {{expiresOn}}.'),
  },
  'cap.80': {
    email: email('80% of your data used', '<p>Dear {{customerName}},</p><p>service {{username}} has used {{used}} of {{cap}} this period (until {{periodEnd}}).</p>'),
    sms: sms('{{username}}: 80% of your data used ({{used}} of {{cap}}).'),
  },
  'cap.100': {
    email: email('Data allowance used up', '<p>Dear {{customerName}},</p><p>service {{username}} has used its {{cap}} for this period; {{action}} until {{periodEnd}}.</p>'),
    sms: sms('{{username}}: data allowance {{cap}} used up; {{action}} until {{periodEnd}}.'),
  },
};

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const VAR = /\{\{\s*([A-Za-z0-9_.]+)\s*\}\}/g;

/** `{{name}}` → the value (missing or null: empty), escaped by `escape`. */
export function render(text: string, data: Record<string, string | number | null | undefined>, escape: (s: string) => string = (s) => s): string {
  return text.replace(VAR, (_m, name: string) => {
    const v = data[name];
    return v === null || v === undefined ? '' : escape(String(v));
  });
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
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&')
    .trim();
}

export interface RenderedMessage {
  subject: string;
  body: string;
}

/** Renders one channel's text: email body HTML-escaped, subject and SMS as text (newlines out of a subject). */
export function renderMessage(channel: Channel, t: TemplateText, data: Record<string, string | number | null | undefined>): RenderedMessage {
  if (channel === 'email') return { subject: render(t.subject, data).replace(/[\r\n]+/g, ' '), body: render(t.body, data, escapeHtml) };
  return { subject: '', body: render(t.body, data) };
}
