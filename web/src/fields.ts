// Field sets that more than one page shows.
import type { Field } from './components/form.js';
import { LOCALES, LOCALE_NAMES, t, type MessageKey } from './i18n.js';

const isCompany = (v: Record<string, unknown>) => v.kind === 'company';

/**
 * The customer form's fields, in the UI's language (a function: the labels follow a language switch).
 * The fiscal record (what an e-invoice needs) comes after the contacts: a person's first and last name
 * or a company's name (the kind chosen shows which), the tax identifiers, the structured address, and
 * where SDI delivers (recipient code or PEC; CIG and CUP for a public administration). The server checks
 * the codice fiscale's and partita IVA's check digits and names the field at fault. The free-text tax
 * id of customers from before the fiscal record shows only on those that have one.
 */
export const customerFields = (customer?: { taxId?: string | null }): Field[] => [
  { name: 'kind', label: t('customer.field.kind'), type: 'select', required: true, options: [['person', t('customer.kind.person')], ['company', t('customer.kind.company')]] },
  { name: 'firstName', label: t('customer.field.firstName'), nullable: true, maxLength: 100, visible: (v) => !isCompany(v) },
  { name: 'lastName', label: t('customer.field.lastName'), nullable: true, maxLength: 100, visible: (v) => !isCompany(v) },
  { name: 'companyName', label: t('customer.field.companyName'), nullable: true, maxLength: 200, visible: isCompany },
  { name: 'name', label: t('customer.field.name'), maxLength: 200, help: t('customer.field.nameHelp') },
  { name: 'email', label: t('customer.field.email'), type: 'email', nullable: true, maxLength: 254 },
  { name: 'phone', label: t('customer.field.phone'), type: 'tel', nullable: true, pattern: '\\+?[0-9 ()./-]{3,32}', patternMessage: t('customer.field.phonePattern') },
  { name: 'taxCode', label: t('customer.field.taxCode'), nullable: true, maxLength: 32, help: t('customer.field.taxCodeHelp') },
  { name: 'vatNumber', label: t('customer.field.vatNumber'), nullable: true, maxLength: 32, help: t('customer.field.vatNumberHelp') },
  ...(customer?.taxId ? [{ name: 'taxId', label: t('customer.field.taxId'), nullable: true, maxLength: 64, help: t('customer.field.taxIdHelp') }] : []),
  { name: 'country', label: t('customer.field.country'), nullable: true, pattern: '[A-Za-z]{2}', patternMessage: t('customer.field.countryPattern'), help: t('customer.field.countryHelp') },
  { name: 'street', label: t('customer.field.street'), nullable: true, maxLength: 200 },
  { name: 'streetNumber', label: t('customer.field.streetNumber'), nullable: true, maxLength: 20 },
  { name: 'postalCode', label: t('customer.field.postalCode'), nullable: true, maxLength: 20 },
  { name: 'city', label: t('customer.field.city'), nullable: true, maxLength: 100 },
  { name: 'province', label: t('customer.field.province'), nullable: true, maxLength: 60 },
  { name: 'address', label: t('customer.field.address'), nullable: true, maxLength: 1000, help: t('customer.field.addressHelp') },
  { name: 'customerNumber', label: t('customer.field.customerNumber'), nullable: true, maxLength: 40 },
  { name: 'sdiCode', label: t('customer.field.sdiCode'), nullable: true, pattern: '[A-Za-z0-9]{6,7}', patternMessage: t('customer.field.sdiCodePattern'), help: t('customer.field.sdiCodeHelp') },
  { name: 'pec', label: t('customer.field.pec'), type: 'email', nullable: true, maxLength: 254, help: t('customer.field.pecHelp') },
  { name: 'publicAdministration', label: t('customer.field.publicAdministration'), type: 'checkbox', help: t('customer.field.publicAdministrationHelp') },
  { name: 'cig', label: t('customer.field.cig'), nullable: true, pattern: '[A-Za-z0-9]{10}', patternMessage: t('customer.field.cigPattern'), visible: (v) => v.publicAdministration === true },
  { name: 'cup', label: t('customer.field.cup'), nullable: true, pattern: '[A-Za-z0-9]{15}', patternMessage: t('customer.field.cupPattern'), visible: (v) => v.publicAdministration === true },
  {
    name: 'language', label: t('customer.field.language'), type: 'select', nullable: true,
    options: LOCALES.map((l) => [l, LOCALE_NAMES[l]]), help: t('customer.field.languageHelp'),
  },
  { name: 'notes', label: t('customer.field.notes'), type: 'textarea', maxLength: 10000 },
];

const fiscalFieldKeys: Record<string, MessageKey> = {
  kind: 'customer.field.kind',
  firstName: 'customer.field.firstName',
  lastName: 'customer.field.lastName',
  companyName: 'customer.field.companyName',
  name: 'customer.field.name',
  taxCode: 'customer.field.taxCode',
  vatNumber: 'customer.field.vatNumber',
  country: 'customer.field.country',
  street: 'customer.field.street',
  streetNumber: 'customer.field.streetNumber',
  postalCode: 'customer.field.postalCode',
  city: 'customer.field.city',
  province: 'customer.field.province',
  sdiCode: 'customer.field.sdiCode',
  pec: 'customer.field.pec',
  cig: 'customer.field.cig',
  cup: 'customer.field.cup',
};

/** A customer field the API names (an e-invoice's missing data), by its label in the UI's language. */
export const fiscalFieldLabel = (field: string): string => {
  const key = fiscalFieldKeys[field];
  return key ? t(key) : field;
};
