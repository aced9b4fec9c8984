/**
 * Tax identifiers of the countries Tollgate's operators bill in, with their check digits.
 *
 * Each validator takes what an operator types (spaces, dots, dashes and a leading country prefix are
 * tolerated), and answers the normalised identifier or the reason it is not one. Pure: no I/O.
 *
 * - Italy, codice fiscale of a person: 16 characters, the last a check letter over the first 15
 *   (odd and even position tables of DM 12/03/1974). Omocodia: when two people would share a code,
 *   the Agenzia delle Entrate replaces digits from the right with the letters LMNPQRSTUV (0 to 9);
 *   such a code is valid with its own check letter. A company's codice fiscale is 11 digits, checked
 *   like a partita IVA.
 * - Italy, partita IVA: 11 digits, the 11th a Luhn check over the first 10.
 * - Spain: NIF of a person (DNI, 8 digits + a letter from the remainder mod 23), NIE of a foreigner
 *   (X, Y or Z standing for 0, 1, 2 before 7 digits, then the same letter), CIF of a company (a
 *   letter, 7 digits and a control that is a digit or a letter from a Luhn-like sum).
 * - Argentina: CUIT/CUIL, 11 digits, mod-11 check with weights 5432765432.
 */

import { said, type LocalText } from '../../lib/errors.js';

export type TaxIdKind = 'it_cf' | 'it_piva' | 'es_nif' | 'es_nie' | 'es_cif' | 'ar_cuit' | 'other';

export type TaxIdResult =
  | { readonly ok: true; readonly value: string; readonly kind: TaxIdKind }
  | { readonly ok: false; readonly reason: string; readonly local: LocalText };

/** A refusal: the English reason, and the same by catalogue key for readers of other languages. */
const bad = (key: string, reason: string, values?: Readonly<Record<string, string>>): TaxIdResult => ({ ok: false, reason, local: said(key, reason, values) });

/** Upper case without spaces, dots, dashes and slashes. */
export function compact(input: string): string {
  return input.toUpperCase().replace(/[\s.\-/]/g, '');
}

// ---- Italy ---------------------------------------------------------------------------------------

/** Value of a character at an odd (1st, 3rd, …) position of a codice fiscale: digits and letters share a table. */
const CF_ODD: Readonly<Record<string, number>> = (() => {
  const odd = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23];
  const table: Record<string, number> = {};
  for (let i = 0; i < 26; i++) table[String.fromCharCode(65 + i)] = odd[i]!;
  for (let d = 0; d < 10; d++) table[String(d)] = odd[d]!;
  return table;
})();

function cfEvenValue(c: string): number {
  return c >= '0' && c <= '9' ? c.charCodeAt(0) - 48 : c.charCodeAt(0) - 65;
}

/** The check letter of the first 15 characters of a codice fiscale. */
export function codiceFiscaleCheck(first15: string): string {
  let total = 0;
  for (let i = 0; i < 15; i++) {
    const c = first15[i]!;
    total += i % 2 === 0 ? CF_ODD[c]! : cfEvenValue(c);
  }
  return String.fromCharCode(65 + (total % 26));
}

const OMOCODIA = 'LMNPQRSTUV';
/** Positions (0-based) that hold digits in a plain code and may hold an omocodia letter. */
const CF_DIGIT_POSITIONS = [6, 7, 9, 10, 12, 13, 14];
const CF_MONTHS = 'ABCDEHLMPRST';

/** The code with omocodia letters turned back into digits: the birth data as registered. */
export function codiceFiscaleBase(cf: string): string {
  const chars = [...cf];
  for (const p of CF_DIGIT_POSITIONS) {
    const i = OMOCODIA.indexOf(chars[p]!);
    if (i >= 0) chars[p] = String(i);
  }
  return chars.join('');
}

/** Checks the 11 digits of a partita IVA (or a company's numeric codice fiscale). */
function luhn11(digits: string): boolean {
  let total = 0;
  for (let i = 0; i < 10; i++) {
    let d = digits.charCodeAt(i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    total += d;
  }
  return (10 - (total % 10)) % 10 === digits.charCodeAt(10) - 48;
}

export function partitaIva(input: string): TaxIdResult {
  const v = compact(input).replace(/^IT/, '');
  if (!/^\d{11}$/.test(v)) return bad('fault.piva.length', 'a partita IVA is 11 digits');
  if (v === '00000000000') return bad('fault.piva.zeros', 'a partita IVA is not all zeros');
  if (!luhn11(v)) return bad('fault.piva.check', 'the check digit of this partita IVA is wrong');
  return { ok: true, value: v, kind: 'it_piva' };
}

export function codiceFiscale(input: string): TaxIdResult {
  const v = compact(input);
  if (/^\d{11}$/.test(v)) {
    // A company's (or an association's) codice fiscale: the partita IVA's digits and check.
    const p = partitaIva(v);
    return p.ok ? { ok: true, value: v, kind: 'it_cf' } : bad('fault.cf.numericCheck', 'the check digit of this numeric codice fiscale is wrong');
  }
  if (v.length !== 16) return bad('fault.cf.length', 'a codice fiscale is 16 characters (11 digits for a company)');
  const shape = /^[A-Z]{6}[0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$/;
  if (!shape.test(v)) return bad('fault.cf.shape', 'a codice fiscale is 6 letters, 2 digits, a letter, 2 digits, a letter, 3 digits and a check letter');
  const base = codiceFiscaleBase(v);
  if (!CF_MONTHS.includes(base[8]!)) return bad('fault.cf.month', `"${base[8]}" is not a month letter of a codice fiscale`, { letter: base[8]! });
  const day = Number(base.slice(9, 11));
  // Women have 40 added to the day of birth.
  if (!((day >= 1 && day <= 31) || (day >= 41 && day <= 71))) return bad('fault.cf.day', `${base.slice(9, 11)} is not a day of birth in a codice fiscale`, { day: base.slice(9, 11) });
  if (codiceFiscaleCheck(v) !== v[15]) return bad('fault.cf.check', 'the check letter of this codice fiscale is wrong');
  return { ok: true, value: v, kind: 'it_cf' };
}

// ---- Spain ---------------------------------------------------------------------------------------

const DNI_LETTERS = 'TRWAGMYFPDXBNJZSQVHLCKE';

/** NIF (DNI) or NIE of a person. */
export function nifOrNie(input: string): TaxIdResult {
  const v = compact(input).replace(/^ES(?=[0-9XYZ])/, '');
  let digits: string;
  let kind: TaxIdKind;
  if (/^\d{8}[A-Z]$/.test(v)) {
    digits = v.slice(0, 8);
    kind = 'es_nif';
  } else if (/^[XYZ]\d{7}[A-Z]$/.test(v)) {
    digits = String('XYZ'.indexOf(v[0]!)) + v.slice(1, 8);
    kind = 'es_nie';
  } else {
    return bad('fault.nif.shape', 'a NIF is 8 digits and a letter; a NIE is X, Y or Z, 7 digits and a letter');
  }
  if (DNI_LETTERS[Number(digits) % 23] !== v[8]) return bad('fault.nif.check', `the control letter of this ${kind === 'es_nif' ? 'NIF' : 'NIE'} is wrong`, { kind: kind === 'es_nif' ? 'NIF' : 'NIE' });
  return { ok: true, value: v, kind };
}

/** CIF of a Spanish company or entity (now also called NIF). */
export function cif(input: string): TaxIdResult {
  const v = compact(input).replace(/^ES(?=[A-W])/, '');
  if (!/^[ABCDEFGHJNPQRSUVW]\d{7}[0-9A-J]$/.test(v)) return bad('fault.cif.shape', 'a CIF is an entity letter, 7 digits and a control digit or letter');
  let total = 0;
  for (let i = 1; i <= 7; i++) {
    const d = v.charCodeAt(i) - 48;
    if (i % 2 === 0) total += d;
    else {
      const twice = d * 2;
      total += Math.floor(twice / 10) + (twice % 10);
    }
  }
  const control = (10 - (total % 10)) % 10;
  const letter = 'JABCDEFGHI'[control]!;
  const given = v[8]!;
  // Entities that are not companies (P, Q, R, S, N, W) carry a letter; A, B, E, H a digit; others either.
  const wantsLetter = 'PQRSNW'.includes(v[0]!);
  const wantsDigit = 'ABEH'.includes(v[0]!);
  const ok = (given === String(control) && !wantsLetter) || (given === letter && !wantsDigit);
  if (!ok) return bad('fault.cif.check', 'the control character of this CIF is wrong');
  return { ok: true, value: v, kind: 'es_cif' };
}

/** Any Spanish tax id: NIF, NIE or CIF. */
export function spanishTaxId(input: string): TaxIdResult {
  const v = compact(input).replace(/^ES/, '');
  if (/^[0-9XYZ]/.test(v)) return nifOrNie(v);
  return cif(v);
}

// ---- Argentina -----------------------------------------------------------------------------------

const CUIT_WEIGHTS = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];

export function cuit(input: string): TaxIdResult {
  const v = compact(input).replace(/^AR/, '');
  if (!/^\d{11}$/.test(v)) return bad('fault.cuit.length', 'a CUIT is 11 digits (e.g. 20-12345678-6)');
  if (!['20', '23', '24', '25', '26', '27', '30', '33', '34'].includes(v.slice(0, 2))) return bad('fault.cuit.prefix', `${v.slice(0, 2)} is not a CUIT type prefix`, { prefix: v.slice(0, 2) });
  let total = 0;
  for (let i = 0; i < 10; i++) total += (v.charCodeAt(i) - 48) * CUIT_WEIGHTS[i]!;
  const r = 11 - (total % 11);
  const expected = r === 11 ? 0 : r === 10 ? -1 : r;
  if (expected !== v.charCodeAt(10) - 48) return bad('fault.cuit.check', 'the check digit of this CUIT is wrong');
  return { ok: true, value: v, kind: 'ar_cuit' };
}

// ---- per country ---------------------------------------------------------------------------------

/**
 * The personal or company tax code of a customer in `country` (ISO 3166-1 alpha-2): codice fiscale,
 * NIF/NIE/CIF, CUIT. Other countries: any 2 to 32 letters and digits, as their registries differ.
 */
export function taxCodeFor(country: string, input: string): TaxIdResult {
  switch (country) {
    case 'IT':
      return codiceFiscale(input);
    case 'ES':
      return spanishTaxId(input);
    case 'AR':
      return cuit(input);
    default: {
      const v = compact(input);
      return /^[A-Z0-9]{2,32}$/.test(v) ? { ok: true, value: v, kind: 'other' } : bad('fault.taxCode.shape', 'a tax code is 2 to 32 letters and digits');
    }
  }
}

/**
 * A VAT number in `country`: a partita IVA in Italy, a NIF/CIF in Spain (its VAT number is the NIF),
 * a CUIT in Argentina; elsewhere 2 to 28 letters and digits (FatturaPA's IdCodice allows 28).
 * Answered without the country prefix.
 */
export function vatNumberFor(country: string, input: string): TaxIdResult {
  switch (country) {
    case 'IT':
      return partitaIva(input);
    case 'ES':
      return spanishTaxId(input);
    case 'AR':
      return cuit(input);
    default: {
      const v = compact(input);
      const bare = v.startsWith(country) ? v.slice(country.length) : v;
      return /^[A-Z0-9]{2,28}$/.test(bare) ? { ok: true, value: bare, kind: 'other' } : bad('fault.vatNumber.shape', 'a VAT number is 2 to 28 letters and digits');
    }
  }
}
