/** I modelli di notifica predefiniti in italiano: le stesse chiavi dell'inglese. */
import type { en } from './en.js';
import type { TemplateSet } from './set.js';

const email = (subject: string, body: string) => ({ subject, body });
const sms = (body: string) => ({ subject: '', body });

export const it: TemplateSet<keyof typeof en> = {
  'invoice.issued': {
    email: email('Fattura {{invoiceNumber}}', '<p>Gentile {{customerName}},</p><p>è stata emessa la fattura {{invoiceNumber}} di {{amount}}, con scadenza il {{dueDate}}.</p>'),
    sms: sms('Fattura {{invoiceNumber}}: {{amount}}, scadenza {{dueDate}}.'),
  },
  'payment.received': {
    email: email('Pagamento ricevuto', '<p>Gentile {{customerName}},</p><p>abbiamo ricevuto il tuo pagamento di {{amount}}. Grazie.</p>'),
    sms: sms('Pagamento di {{amount}} ricevuto. Grazie.'),
  },
  'invoice.reminder.1': {
    email: email('Sollecito: la fattura {{invoiceNumber}} è scaduta', '<p>Gentile {{customerName}},</p><p>la fattura {{invoiceNumber}} ({{amount}} da pagare) è scaduta il {{dueDate}}. Ti chiediamo di saldarla appena possibile.</p>'),
    sms: sms('Sollecito: fattura {{invoiceNumber}}, {{amount}} da pagare, scaduta il {{dueDate}}.'),
  },
  'invoice.reminder.2': {
    email: email('Secondo sollecito: fattura {{invoiceNumber}}', '<p>Gentile {{customerName}},</p><p>la fattura {{invoiceNumber}} ({{amount}} da pagare) risulta ancora insoluta dal {{dueDate}}. In mancanza di pagamento il servizio potrà essere sospeso dal {{suspendDate}}.</p>'),
    sms: sms('2° sollecito: fattura {{invoiceNumber}}, {{amount}} insoluti dal {{dueDate}}. Servizio sospendibile dal {{suspendDate}}.'),
  },
  'invoice.reminder.3': {
    email: email('Ultimo sollecito: fattura {{invoiceNumber}}', '<p>Gentile {{customerName}},</p><p>ultimo sollecito: la fattura {{invoiceNumber}} ({{amount}} da pagare, scaduta il {{dueDate}}) è ancora insoluta. Senza pagamento il servizio sarà sospeso dal {{suspendDate}}.</p>'),
    sms: sms('Ultimo sollecito: fattura {{invoiceNumber}}, {{amount}} da pagare. Sospensione dal {{suspendDate}} senza pagamento.'),
  },
  'invoice.late_fee': {
    email: email('Penale di mora sulla fattura {{invoiceNumber}}', '<p>Gentile {{customerName}},</p><p>per il ritardato pagamento della fattura {{invoiceNumber}} è stata addebitata una penale di mora di {{fee}}.</p>'),
    sms: sms('Addebitata una penale di mora di {{fee}} sulla fattura {{invoiceNumber}}.'),
  },
  'service.suspended': {
    email: email('Servizio sospeso', '<p>Gentile {{customerName}},</p><p>il tuo servizio {{username}} è stato sospeso per mancato pagamento ({{amount}} scaduti). Verrà riattivato appena riceveremo il pagamento.</p>'),
    sms: sms('Servizio {{username}} sospeso per mancato pagamento ({{amount}} scaduti). Riattivazione appena paghi.'),
  },
  'service.resumed': {
    email: email('Servizio riattivato', '<p>Gentile {{customerName}},</p><p>grazie: il tuo servizio {{username}} è di nuovo attivo.</p>'),
    sms: sms('Grazie: il servizio {{username}} è di nuovo attivo.'),
  },
  'prepaid.expiring': {
    email: email('Il tuo servizio scade il {{expiresOn}}', '<p>Gentile {{customerName}},</p><p>il tuo servizio prepagato {{username}} scade il {{expiresOn}} (mancano {{daysLeft}} giorni). Fai una ricarica per non restare senza connessione.</p>'),
    sms: sms('Il servizio {{username}} scade il {{expiresOn}} (mancano {{daysLeft}} giorni). Ricarica per restare connesso.'),
  },
  'prepaid.expired': {
    email: email('Il tuo servizio è scaduto', '<p>Gentile {{customerName}},</p><p>il tuo servizio prepagato {{username}} è scaduto. Fai una ricarica per riattivarlo.</p>'),
    sms: sms('Il servizio {{username}} è scaduto. Ricarica per riattivarlo.'),
  },
  'prepaid.topup': {
    email: email('Ricarica ricevuta', '<p>Gentile {{customerName}},</p><p>il tuo servizio {{username}} ora è attivo fino al {{expiresOn}}. Ricevuta {{receipt}}, importo {{amount}}.</p>'),
    sms: sms('Ricarica effettuata: {{username}} attivo fino al {{expiresOn}}.'),
  },
  'cap.80': {
    email: email('Hai usato l’80% del traffico', '<p>Gentile {{customerName}},</p><p>il servizio {{username}} ha usato {{used}} su {{cap}} in questo periodo (fino al {{periodEnd}}).</p>'),
    sms: sms('{{username}}: hai usato l’80% del traffico ({{used}} su {{cap}}).'),
  },
  'cap.100': {
    email: email('Traffico incluso esaurito', '<p>Gentile {{customerName}},</p><p>il servizio {{username}} ha esaurito i {{cap}} inclusi per questo periodo; {{action}} fino al {{periodEnd}}.</p>'),
    sms: sms('{{username}}: traffico incluso di {{cap}} esaurito; {{action}} fino al {{periodEnd}}.'),
  },
};
