// Field sets that more than one page shows.
import type { Field } from './components/form.js';
import { LOCALES, LOCALE_NAMES, t } from './i18n.js';

/** The customer form's fields, in the UI's language (a function: the labels follow a language switch). */
export const customerFields = (): Field[] => [
  { name: 'name', label: t('customer.field.name'), required: true, maxLength: 200 },
  { name: 'email', label: t('customer.field.email'), type: 'email', nullable: true, maxLength: 254 },
  { name: 'phone', label: t('customer.field.phone'), type: 'tel', nullable: true, pattern: '\\+?[0-9 ()./-]{3,32}', patternMessage: t('customer.field.phonePattern') },
  { name: 'address', label: t('customer.field.address'), nullable: true, maxLength: 1000 },
  { name: 'taxId', label: t('customer.field.taxId'), nullable: true, maxLength: 64 },
  {
    name: 'language', label: t('customer.field.language'), type: 'select', nullable: true,
    options: LOCALES.map((l) => [l, LOCALE_NAMES[l]]), help: t('customer.field.languageHelp'),
  },
  { name: 'notes', label: t('customer.field.notes'), type: 'textarea', maxLength: 10000 },
];
