/**
 * The built-in notification templates in English: the reference set of keys. `{{name}}` inserts a
 * value; amounts, dates and sizes arrive formatted in the template's language.
 */
import type { TemplateSet } from './set.js';

const email = (subject: string, body: string) => ({ subject, body });
const sms = (body: string) => ({ subject: '', body });

export const en = {
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
} satisfies TemplateSet<string>;
