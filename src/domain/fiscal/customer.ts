/**
 * The customer's fiscal record: who the customer is for the tax authority, checked and normalised.
 *
 * Rules, stated once:
 * - A customer is a `person` (first and last name) or a `company` (company name). The display `name`
 *   is derived from them when they are given: "First Last" or the company name; a record without
 *   them (customers from before the fiscal record) keeps the name it has.
 * - `country` is ISO 3166-1 alpha-2. Tax identifiers are checked for it (tax-ids.ts): a wrong check
 *   digit names the field. Without a country, Italy is assumed for the check (Tollgate's first
 *   e-invoicing country) only when a codice fiscale or partita IVA is given.
 * - `sdiCode` is SDI's recipient code: 7 letters and digits for a private recipient (0000000: none,
 *   the invoice waits in the customer's tax area; XXXXXXX: a foreign customer), 6 for a public
 *   administration office (its Codice Univoco Ufficio from IPA). `pec` is an email address.
 * - `cig` (10 characters) and `cup` (15) are quoted on a public administration's invoices.
 * Pure; throws TollgateError naming the API field.
 */
import { said, TollgateError, type LocalText } from '../../lib/errors.js';
import { taxCodeFor, vatNumberFor } from './tax-ids.js';

export type CustomerKind = 'person' | 'company';

/** The fiscal fields as the API and the store name them. */
export interface FiscalFields {
  name?: string;
  kind?: CustomerKind;
  firstName?: string | null;
  lastName?: string | null;
  companyName?: string | null;
  taxCode?: string | null;
  vatNumber?: string | null;
  country?: string | null;
  street?: string | null;
  streetNumber?: string | null;
  postalCode?: string | null;
  city?: string | null;
  province?: string | null;
  customerNumber?: string | null;
  sdiCode?: string | null;
  pec?: string | null;
  publicAdministration?: boolean;
  cig?: string | null;
  cup?: string | null;
}

function fail(field: string, key: string, message: string): never {
  throw new TollgateError('invalid_input', said(key, message), field);
}

const trimmed = (v: string | null | undefined): string | null | undefined => (v === undefined ? undefined : v === null ? null : v.trim() === '' ? null : v.trim());

/**
 * The record as it will be stored, normalised (upper-case codes, trimmed text, derived name), from
 * the stored record (`current`, empty for a new one) and the change. Throws on the first bad field.
 */
export function normalizeFiscal(current: FiscalFields, change: FiscalFields): FiscalFields {
  const out: FiscalFields = {};
  for (const [k, v] of Object.entries(change) as [keyof FiscalFields, unknown][]) {
    if (v === undefined) continue;
    Reflect.set(out, k, typeof v === 'string' ? trimmed(v) : v);
  }
  const merged = { ...current, ...out };
  const country = merged.country ?? null;
  if (out.country != null) {
    const c = out.country.toUpperCase();
    if (!/^[A-Z]{2}$/.test(c)) fail('country', 'fault.country', 'a country is its ISO 3166-1 alpha-2 code, e.g. IT, ES, AR');
    out.country = c;
  }
  const checkCountry = (out.country ?? country ?? 'IT').toUpperCase();
  if (merged.taxCode != null && (out.taxCode !== undefined || out.country !== undefined)) {
    const r = taxCodeFor(checkCountry, merged.taxCode);
    if (!r.ok) throw new TollgateError('invalid_tax_code', r.local, 'taxCode');
    out.taxCode = r.value;
  }
  if (merged.vatNumber != null && (out.vatNumber !== undefined || out.country !== undefined)) {
    const r = vatNumberFor(checkCountry, merged.vatNumber);
    if (!r.ok) throw new TollgateError('invalid_vat_number', r.local, 'vatNumber');
    out.vatNumber = r.value;
  }
  if (out.sdiCode != null) {
    const s = out.sdiCode.toUpperCase();
    if (!/^[A-Z0-9]{6,7}$/.test(s)) fail('sdiCode', 'fault.sdiCode.shape', 'an SDI recipient code is 7 letters and digits (6 for a public administration office)');
    out.sdiCode = s;
  }
  if (out.pec != null && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(out.pec)) fail('pec', 'fault.pec', 'a PEC is an email address');
  if (out.province != null) out.province = out.province.toUpperCase();
  if (out.postalCode != null && (out.country ?? country) === 'IT' && !/^\d{5}$/.test(out.postalCode)) fail('postalCode', 'fault.cap', 'an Italian CAP is 5 digits');
  if (out.cig != null) {
    const s = out.cig.toUpperCase();
    if (!/^[A-Z0-9]{10}$/.test(s)) fail('cig', 'fault.cig', 'a CIG is 10 letters and digits');
    out.cig = s;
  }
  if (out.cup != null) {
    const s = out.cup.toUpperCase();
    if (!/^[A-Z0-9]{15}$/.test(s)) fail('cup', 'fault.cup', 'a CUP is 15 letters and digits');
    out.cup = s;
  }
  const final = { ...current, ...out };
  const kind = final.kind ?? 'person';
  const sdi = final.sdiCode ?? null;
  if (sdi !== null) {
    const pa = final.publicAdministration === true;
    if (pa && sdi.length !== 6) fail('sdiCode', 'fault.sdiCode.office', "a public administration office's code (Codice Univoco Ufficio) is 6 characters");
    if (!pa && sdi.length !== 7) fail('sdiCode', 'fault.sdiCode.private', 'a private recipient code is 7 characters');
  }
  // The display name follows the parts whenever they are given.
  const touchesName = ['kind', 'firstName', 'lastName', 'companyName'].some((k) => Reflect.get(out, k) !== undefined);
  if (touchesName) {
    const derived = kind === 'company' ? final.companyName ?? null : [final.firstName, final.lastName].filter((x) => x != null && x !== '').join(' ') || null;
    if (derived !== null) out.name = derived;
  }
  if ((out.name ?? final.name ?? '').trim() === '') {
    if (kind === 'company') fail('companyName', 'fault.companyName', 'a company needs its name');
    fail('lastName', 'fault.personName', 'a person needs a first and last name (or a name)');
  }
  return out;
}

/** What FatturaPA needs of a customer, and whether the record has it. */
export interface EinvoiceCustomerProblem {
  readonly field: string;
  readonly message: string;
  /** The message by catalogue key, for readers of other languages. */
  readonly local?: LocalText;
}

/** A problem with its English message and catalogue key. */
const missing = (field: string, key: string, message: string): EinvoiceCustomerProblem => ({ field, message, local: said(key, message) });

/**
 * Why this customer cannot be invoiced electronically (empty: it can). The run reports these per
 * customer and goes on with the others.
 */
export function einvoiceProblems(c: FiscalFields): EinvoiceCustomerProblem[] {
  const out: EinvoiceCustomerProblem[] = [];
  const country = c.country ?? null;
  const foreign = country !== null && country !== 'IT';
  if (country === null) out.push(missing('country', 'fault.einvoice.country', 'the country is missing'));
  if (c.kind === 'company') {
    if (!c.companyName) out.push(missing('companyName', 'fault.einvoice.companyName', 'a company needs its company name'));
  } else if (!c.firstName || !c.lastName) {
    out.push(missing(c.firstName ? 'lastName' : 'firstName', 'fault.einvoice.personName', 'a person needs a first and a last name'));
  }
  if (!foreign) {
    if (!c.taxCode && !c.vatNumber) out.push(missing('taxCode', 'fault.einvoice.taxId', 'an Italian customer needs a codice fiscale or a partita IVA'));
    if (c.kind === 'company' && !c.vatNumber && !c.publicAdministration) out.push(missing('vatNumber', 'fault.einvoice.piva', 'an Italian company needs its partita IVA'));
    if (c.publicAdministration && (c.sdiCode ?? '').length !== 6) out.push(missing('sdiCode', 'fault.einvoice.office', "a public administration needs its office's 6-character code"));
  } else if (!c.vatNumber && !c.taxCode) {
    out.push(missing('vatNumber', 'fault.einvoice.foreign', 'a foreign customer needs a VAT number or tax code'));
  }
  if (!c.street) out.push(missing('street', 'fault.einvoice.street', 'the street is missing'));
  if (!c.city) out.push(missing('city', 'fault.einvoice.city', 'the city is missing'));
  if (!c.postalCode) out.push(missing('postalCode', 'fault.einvoice.postalCode', 'the postal code is missing'));
  if (country === 'IT' && c.postalCode && !/^\d{5}$/.test(c.postalCode)) out.push(missing('postalCode', 'fault.cap', 'an Italian CAP is 5 digits'));
  return out;
}

/**
 * SDI's recipient code for the customer: its own (an office's 6 characters, an intermediary's 7),
 * XXXXXXX for a foreign customer, else 0000000 (delivered to the PEC if any, or left in the tax area).
 */
export function recipientCode(c: FiscalFields): string {
  if (c.sdiCode) return c.sdiCode;
  if (c.country != null && c.country !== 'IT') return 'XXXXXXX';
  return '0000000';
}
