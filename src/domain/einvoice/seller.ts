/**
 * Whether the seller's own data (the config file's `[company]` and `[einvoice]`) let Tollgate send
 * e-invoices, and what is wrong when they do not, named by config key (`[company] vat_number`) so the
 * operator knows what to edit. Pure: the caller passes the values.
 *
 * Two kinds of problem:
 * - `seller`: the data every FatturaPA file carries (CedentePrestatore, the transmitter's id). One
 *   of these stops every document (the daily run reports it for each) until the config is fixed:
 *   name, partita IVA (with its check digit), registered office; a codice fiscale, REA entry or
 *   transmitter's code that is set must be valid too, or SDI rejects the file.
 * - `channel`: the way to SDI. Without a channel the files are generated and served but not sent;
 *   with one, its mailbox or account must be set.
 */
import { codiceFiscale, partitaIva } from '../fiscal/tax-ids.js';
import { said, type LocalText } from '../../lib/errors.js';

/** The `[company]` keys this looks at, as the config holds them. */
export interface SellerConfig {
  readonly name: string;
  readonly vat_country: string;
  readonly vat_number: string;
  readonly tax_code: string;
  readonly street: string;
  readonly postal_code: string;
  readonly city: string;
  readonly province: string;
  readonly country: string;
  readonly rea_office: string;
  readonly rea_number: string;
}

/** The `[einvoice]` keys this looks at. */
export interface ChannelConfig {
  readonly channel: string;
  readonly transmitter_country: string;
  readonly transmitter_code: string;
  readonly pec_address: string;
  readonly pec_smtp_url: string;
  readonly pec_imap_url: string;
  readonly acube_email: string;
  readonly acube_password: string;
}

export interface SellerProblem {
  /** The config key at fault, as the operator writes it: `[company] vat_number`. */
  readonly key: string;
  readonly section: 'company' | 'einvoice';
  readonly field: string;
  readonly kind: 'seller' | 'channel';
  /** `missing`: not set; `invalid`: set but wrong (a check digit, a format). */
  readonly code: 'missing' | 'invalid';
  readonly message: string;
  /** What is wrong with a value that is set, by catalogue key (the message's part after the key), for the reader's language. */
  readonly reason?: LocalText;
}

const problem = (section: 'company' | 'einvoice', field: string, code: 'missing' | 'invalid', message: string, reason?: LocalText): SellerProblem => ({
  key: `[${section}] ${field}`, section, field, kind: section === 'company' || field.startsWith('transmitter') ? 'seller' : 'channel', code, message,
  ...(reason ? { reason } : {}),
});
/** A value that is set but wrong: its message is the key, then why. */
const invalid = (section: 'company' | 'einvoice', field: string, reason: LocalText) => problem(section, field, 'invalid', `[${section}] ${field}: ${reason.text}`, reason);
const missing = (section: 'company' | 'einvoice', field: string) => problem(section, field, 'missing', `[${section}] ${field} is not set`);

/** The seller's data that every file needs; an empty list: files can be made. */
export function sellerProblems(c: SellerConfig, e: Pick<ChannelConfig, 'transmitter_country' | 'transmitter_code'>): SellerProblem[] {
  const out: SellerProblem[] = [];
  const italian = c.vat_country === 'IT';
  if (!c.name.trim()) out.push(missing('company', 'name'));
  if (!c.vat_number.trim()) out.push(missing('company', 'vat_number'));
  else if (italian) {
    const p = partitaIva(c.vat_number);
    if (!p.ok) out.push(invalid('company', 'vat_number', p.local));
    else if (/^IT/i.test(c.vat_number.trim())) out.push(invalid('company', 'vat_number', said('fault.seller.itPrefix', 'without the "IT" prefix (that is vat_country)')));
  }
  if (c.tax_code.trim() && italian) {
    const cf = codiceFiscale(c.tax_code);
    if (!cf.ok) out.push(invalid('company', 'tax_code', cf.local));
  }
  for (const k of ['street', 'postal_code', 'city'] as const) if (!c[k].trim()) out.push(missing('company', k));
  if (c.country === 'IT') {
    if (c.postal_code.trim() && !/^\d{5}$/.test(c.postal_code.trim())) out.push(invalid('company', 'postal_code', said('fault.cap', 'an Italian CAP is 5 digits')));
    if (c.province.trim() && !/^[A-Z]{2}$/.test(c.province.trim())) out.push(invalid('company', 'province', said('fault.seller.province', 'the two capital letters of the province (RM, MI…)')));
  }
  // REA: both office and number, or neither (the file carries IscrizioneREA only with both).
  if (c.rea_office.trim() || c.rea_number.trim()) {
    if (!c.rea_office.trim()) out.push(problem('company', 'rea_office', 'missing', '[company] rea_office is not set while rea_number is'));
    else if (!/^[A-Z]{2}$/.test(c.rea_office.trim())) out.push(invalid('company', 'rea_office', said('fault.seller.reaOffice', 'the two capital letters of the province of the Registro delle Imprese')));
    if (!c.rea_number.trim()) out.push(problem('company', 'rea_number', 'missing', '[company] rea_number is not set while rea_office is'));
  }
  // The transmitter: an intermediary's own code when set (else the seller's, checked above).
  if (e.transmitter_code.trim() && e.transmitter_country === 'IT') {
    const cf = codiceFiscale(e.transmitter_code);
    if (!cf.ok) out.push(invalid('einvoice', 'transmitter_code', cf.local));
  }
  return out;
}

/** What the channel to SDI lacks; `[einvoice] channel` unset is itself the problem (nothing is sent). */
export function channelProblems(e: ChannelConfig): SellerProblem[] {
  if (e.channel === '') return [problem('einvoice', 'channel', 'missing', '[einvoice] channel is not set: the files are made but nothing is sent to SDI ("pec" or "acube")')];
  const need: readonly (keyof ChannelConfig)[] = e.channel === 'pec' ? ['pec_address', 'pec_smtp_url', 'pec_imap_url'] : e.channel === 'acube' ? ['acube_email', 'acube_password'] : [];
  const out = need.filter((k) => !e[k].trim()).map((k) => missing('einvoice', k));
  if (e.channel === 'pec' && e.pec_address.trim() && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(e.pec_address.trim())) {
    out.push(invalid('einvoice', 'pec_address', said('fault.seller.pec', 'not an email address')));
  }
  return out;
}
