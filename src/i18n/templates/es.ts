/** Las plantillas de notificación predeterminadas en español: las mismas claves que el inglés. */
import type { en } from './en.js';
import type { TemplateSet } from './set.js';

const email = (subject: string, body: string) => ({ subject, body });
const sms = (body: string) => ({ subject: '', body });

export const es: TemplateSet<keyof typeof en> = {
  'invoice.issued': {
    email: email('Factura {{invoiceNumber}}', '<p>Hola, {{customerName}}:</p><p>hemos emitido la factura {{invoiceNumber}} por {{amount}}, con vencimiento el {{dueDate}}.</p>'),
    sms: sms('Factura {{invoiceNumber}}: {{amount}}, vence el {{dueDate}}.'),
  },
  'payment.received': {
    email: email('Pago recibido', '<p>Hola, {{customerName}}:</p><p>hemos recibido tu pago de {{amount}}. Gracias.</p>'),
    sms: sms('Pago de {{amount}} recibido. Gracias.'),
  },
  'invoice.reminder.1': {
    email: email('Aviso de pago: la factura {{invoiceNumber}} está vencida', '<p>Hola, {{customerName}}:</p><p>la factura {{invoiceNumber}} ({{amount}} pendiente) venció el {{dueDate}}. Te rogamos que la abones lo antes posible.</p>'),
    sms: sms('Aviso: factura {{invoiceNumber}}, {{amount}} pendiente, vencida el {{dueDate}}.'),
  },
  'invoice.reminder.2': {
    email: email('Segundo aviso: factura {{invoiceNumber}}', '<p>Hola, {{customerName}}:</p><p>la factura {{invoiceNumber}} ({{amount}} pendiente) sigue impagada desde el {{dueDate}}. Si no se abona, el servicio podrá cortarse a partir del {{suspendDate}}.</p>'),
    sms: sms('2.º aviso: factura {{invoiceNumber}}, {{amount}} pendiente desde el {{dueDate}}. Posible corte a partir del {{suspendDate}}.'),
  },
  'invoice.reminder.3': {
    email: email('Último aviso: factura {{invoiceNumber}}', '<p>Hola, {{customerName}}:</p><p>último aviso: la factura {{invoiceNumber}} ({{amount}} pendiente, vencida el {{dueDate}}) sigue sin pagar. Si no se abona, el servicio se cortará a partir del {{suspendDate}}.</p>'),
    sms: sms('Último aviso: factura {{invoiceNumber}}, {{amount}} pendiente. Corte a partir del {{suspendDate}} si no se paga.'),
  },
  'invoice.late_fee': {
    email: email('Recargo por mora en la factura {{invoiceNumber}}', '<p>Hola, {{customerName}}:</p><p>se ha añadido un recargo por mora de {{fee}} por el retraso en el pago de la factura {{invoiceNumber}}.</p>'),
    sms: sms('Se ha añadido un recargo por mora de {{fee}} a la factura {{invoiceNumber}}.'),
  },
  'service.suspended': {
    email: email('Servicio cortado', '<p>Hola, {{customerName}}:</p><p>tu servicio {{username}} se ha cortado por falta de pago ({{amount}} vencido). Se reconectará en cuanto recibamos el pago.</p>'),
    sms: sms('Servicio {{username}} cortado por falta de pago ({{amount}} vencido). Se reconecta en cuanto pagues.'),
  },
  'service.resumed': {
    email: email('Servicio reconectado', '<p>Hola, {{customerName}}:</p><p>gracias: tu servicio {{username}} vuelve a estar activo.</p>'),
    sms: sms('Gracias: el servicio {{username}} vuelve a estar activo.'),
  },
  'prepaid.expiring': {
    email: email('Tu servicio vence el {{expiresOn}}', '<p>Hola, {{customerName}}:</p><p>tu servicio prepago {{username}} vence el {{expiresOn}} (quedan {{daysLeft}} días). Haz una recarga para seguir conectado.</p>'),
    sms: sms('El servicio {{username}} vence el {{expiresOn}} (quedan {{daysLeft}} días). Recarga para seguir conectado.'),
  },
  'prepaid.expired': {
    email: email('Tu servicio ha vencido', '<p>Hola, {{customerName}}:</p><p>tu servicio prepago {{username}} ha vencido. Haz una recarga para reactivarlo.</p>'),
    sms: sms('El servicio {{username}} ha vencido. Recarga para reactivarlo.'),
  },
  'prepaid.topup': {
    email: email('Recarga recibida', '<p>Hola, {{customerName}}:</p><p>tu servicio {{username}} queda activo hasta el {{expiresOn}}. Recibo {{receipt}}, importe {{amount}}.</p>'),
    sms: sms('Recarga hecha: {{username}} activo hasta el {{expiresOn}}.'),
  },
  'cap.80': {
    email: email('Has usado el 80 % de tus datos', '<p>Hola, {{customerName}}:</p><p>el servicio {{username}} ha usado {{used}} de {{cap}} en este periodo (hasta el {{periodEnd}}).</p>'),
    sms: sms('{{username}}: has usado el 80 % de tus datos ({{used}} de {{cap}}).'),
  },
  'cap.100': {
    email: email('Datos incluidos agotados', '<p>Hola, {{customerName}}:</p><p>el servicio {{username}} ha agotado los {{cap}} incluidos en este periodo; {{action}} hasta el {{periodEnd}}.</p>'),
    sms: sms('{{username}}: datos incluidos de {{cap}} agotados; {{action}} hasta el {{periodEnd}}.'),
  },
};
