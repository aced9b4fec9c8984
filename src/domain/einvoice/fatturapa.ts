/**
 * FatturaPA 1.2.2 (valid under 1.2.3 too: it only adds codes): an invoice (TD01) or a credit note
 * (TD04) as the XML SDI takes, from the document as Tollgate stored it.
 *
 * Rules, stated once:
 * - The file's amounts are the stored document's, to the cent: each DettaglioLinee's PrezzoTotale is
 *   the line's net, each DatiRiepilogo the stored tax summary of its rate (and nature), and
 *   ImportoTotaleDocumento the stored total. Nothing is recomputed here, so the XML, the PDF and the
 *   API agree by construction.
 * - FPA12 for a public administration (recipient code of 6 characters), FPR12 otherwise. A public
 *   administration's taxed rates are split payment (EsigibilitaIVA S) and it pays only the taxable
 *   amount (DatiPagamento); CIG and CUP go in DatiContratto.
 * - Recipient: the customer's SDI code; else 0000000 with its PEC (when it has one); a foreign
 *   customer XXXXXXX, with postal code 00000 outside Italy as SDI wants it.
 * - Stamp duty (DatiBollo, virtual, 2.00 EUR) when the lines without VAT (exempt, out of scope,
 *   forfettario: natures N2.x, N3.x except exports, N4) exceed 77.47 EUR. The duty is declared here;
 *   charging it to the customer is a one-off charge (nature N1) the operator adds, not a silent line.
 * - Text is Latin-1 only (the schema's pattern): other characters are replaced (– to -, ’ to ').
 * - The file name is IT<transmitter code>_<progressive>.xml, the progressive 5 characters of base 36
 *   (SDI allows [A-Za-z0-9]{1,5} unique per transmitter).
 * Pure: the caller supplies every fact; xmlbuilder2 only serialises.
 */
import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import { toDecimalString, type Minor } from '../../lib/money.js';
import { recipientCode, type FiscalFields } from '../fiscal/customer.js';

export type DocumentType = 'TD01' | 'TD04';
export type PaymentMethod = 'MP05' | 'MP19' | 'MP08';

export interface SellerFiscal {
  readonly name: string;
  readonly vatCountry: string;
  readonly vatNumber: string;
  readonly taxCode: string;
  readonly regimeFiscale: string;
  readonly street: string;
  readonly streetNumber: string;
  readonly postalCode: string;
  readonly city: string;
  readonly province: string;
  readonly country: string;
  readonly email?: string;
  readonly phone?: string;
  readonly iban?: string;
  /** REA registration, when the seller has one. */
  readonly rea?: {
    readonly office: string;
    readonly number: string;
    /** Share capital in cents; 0: not stated. */
    readonly capital: Minor;
    readonly soleShareholder: '' | 'SU' | 'SM';
    readonly liquidation: 'LS' | 'LN';
  } | null;
}

export interface Transmitter {
  readonly country: string;
  readonly code: string;
}

export interface DocumentLine {
  readonly description: string;
  readonly periodStart: string | null;
  readonly periodEnd: string | null;
  readonly net: Minor;
  readonly taxRateBp: number;
  readonly vatNature?: string | null;
}

export interface DocumentSummary {
  readonly taxRateBp: number;
  readonly vatNature: string | null;
  /** The law the exemption rests on (RiferimentoNormativo), for a nature. */
  readonly legalRef?: string | null;
  readonly net: Minor;
  readonly tax: Minor;
}

export interface FiscalDocument {
  readonly type: DocumentType;
  readonly number: string;
  readonly date: string;
  readonly currency: string;
  readonly lines: readonly DocumentLine[];
  readonly taxes: readonly DocumentSummary[];
  readonly total: Minor;
  readonly dueDate?: string | null;
  /** For a credit note: the invoice it corrects. */
  readonly corrects?: { readonly number: string; readonly date: string } | null;
  readonly reason?: string | null;
}

export interface FatturaInput {
  readonly transmitter: Transmitter;
  /** ProgressivoInvio: unique per transmitter, up to 10 characters. */
  readonly progressive: string;
  readonly seller: SellerFiscal;
  readonly customer: FiscalFields;
  readonly document: FiscalDocument;
  readonly paymentMethod?: PaymentMethod;
  readonly attachment?: { readonly name: string; readonly pdf: Buffer } | null;
}

/** Stamp duty threshold: the duty is due on documents with more than this much without VAT. */
export const STAMP_DUTY_THRESHOLD: Minor = 7747;
export const STAMP_DUTY: Minor = 200;

const NS = 'http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/v1.2';

/** Natures on which the stamp duty is due (exempt, not taxable, out of scope), exports aside. */
function stampable(nature: string | null): boolean {
  if (nature === null) return false;
  return nature.startsWith('N2') || nature === 'N3.5' || nature === 'N3.6' || nature === 'N4';
}

export function needsStampDuty(taxes: readonly Pick<DocumentSummary, 'vatNature' | 'net'>[]): boolean {
  const exempt = taxes.filter((t) => stampable(t.vatNature)).reduce((a, t) => a + t.net, 0);
  return exempt > STAMP_DUTY_THRESHOLD;
}

/** The format a customer's documents take: FPA12 for a public administration, else FPR12. */
export function formatFor(customer: FiscalFields): 'FPA12' | 'FPR12' {
  return customer.publicAdministration ? 'FPA12' : 'FPR12';
}

/** The progressive of a file name: `n` in base 36, 5 characters, upper case. */
export function fileProgressive(n: number): string {
  if (!Number.isSafeInteger(n) || n < 1 || n >= 36 ** 5) throw new RangeError(`file progressive ${n} is outside 1 … 36^5 - 1`);
  return n.toString(36).toUpperCase().padStart(5, '0');
}

/** `IT01234567890_0000A.xml`. */
export function fileName(t: Transmitter, n: number): string {
  return `${t.country}${t.code}_${fileProgressive(n)}.xml`;
}

/** Latin-1 text the schema accepts, at most `max` characters. */
export function latin(text: string, max: number): string {
  const mapped = text
    .replace(/[\u2013\u2014\u2212]/g, '-')
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/\u2026/g, '...')
    .replace(/\s+/g, ' ')
    .trim();
  let out = '';
  for (const ch of mapped) out += ch.charCodeAt(0) <= 0xff && ch.length === 1 ? ch : '?';
  return out.slice(0, max) || '-';
}

const amount = (m: Minor) => toDecimalString(m, 2);
const rate = (bp: number) => toDecimalString(bp, 2);

/** The FatturaPA XML of one document. */
export function fatturaXml(input: FatturaInput): string {
  const { seller, customer, document: doc } = input;
  const format = formatFor(customer);
  const pa = format === 'FPA12';
  const root = create({ version: '1.0', encoding: 'UTF-8' })
    .ele(NS, 'p:FatturaElettronica', { versione: format, 'xmlns:ds': 'http://www.w3.org/2000/09/xmldsig#' });

  // ---- header
  const header = root.ele('FatturaElettronicaHeader');
  const dt = header.ele('DatiTrasmissione');
  dt.ele('IdTrasmittente').ele('IdPaese').txt(input.transmitter.country).up().ele('IdCodice').txt(input.transmitter.code);
  dt.ele('ProgressivoInvio').txt(input.progressive);
  dt.ele('FormatoTrasmissione').txt(format);
  const code = recipientCode(customer);
  dt.ele('CodiceDestinatario').txt(code);
  if (code === '0000000' && customer.pec) dt.ele('PECDestinatario').txt(customer.pec);

  const cp = header.ele('CedentePrestatore');
  const cpa = cp.ele('DatiAnagrafici');
  cpa.ele('IdFiscaleIVA').ele('IdPaese').txt(seller.vatCountry).up().ele('IdCodice').txt(seller.vatNumber);
  if (seller.taxCode) cpa.ele('CodiceFiscale').txt(seller.taxCode);
  cpa.ele('Anagrafica').ele('Denominazione').txt(latin(seller.name, 80));
  cpa.ele('RegimeFiscale').txt(seller.regimeFiscale);
  address(cp.ele('Sede'), {
    street: seller.street, streetNumber: seller.streetNumber, postalCode: seller.postalCode, city: seller.city,
    province: seller.province, country: seller.country,
  });
  if (seller.rea && seller.rea.office && seller.rea.number) {
    const rea = cp.ele('IscrizioneREA');
    rea.ele('Ufficio').txt(seller.rea.office);
    rea.ele('NumeroREA').txt(latin(seller.rea.number, 20));
    if (seller.rea.capital > 0) rea.ele('CapitaleSociale').txt(amount(seller.rea.capital));
    if (seller.rea.soleShareholder) rea.ele('SocioUnico').txt(seller.rea.soleShareholder);
    rea.ele('StatoLiquidazione').txt(seller.rea.liquidation);
  }
  if (seller.email || seller.phone) {
    const c = cp.ele('Contatti');
    if (seller.phone) c.ele('Telefono').txt(latin(seller.phone, 12));
    if (seller.email) c.ele('Email').txt(seller.email);
  }

  const cc = header.ele('CessionarioCommittente');
  const cca = cc.ele('DatiAnagrafici');
  const country = customer.country ?? 'IT';
  if (customer.vatNumber) cca.ele('IdFiscaleIVA').ele('IdPaese').txt(country).up().ele('IdCodice').txt(customer.vatNumber);
  else if (country !== 'IT' && customer.taxCode) cca.ele('IdFiscaleIVA').ele('IdPaese').txt(country).up().ele('IdCodice').txt(customer.taxCode.slice(0, 28));
  if (country === 'IT' && customer.taxCode) cca.ele('CodiceFiscale').txt(customer.taxCode);
  const an = cca.ele('Anagrafica');
  if (customer.kind === 'company' || !customer.firstName || !customer.lastName) an.ele('Denominazione').txt(latin(customer.companyName ?? customer.name ?? '', 80));
  else an.ele('Nome').txt(latin(customer.firstName, 60)).up().ele('Cognome').txt(latin(customer.lastName, 60));
  address(cc.ele('Sede'), {
    street: customer.street ?? '', streetNumber: customer.streetNumber ?? '', postalCode: country === 'IT' ? customer.postalCode ?? '' : '00000',
    city: customer.city ?? '', province: country === 'IT' ? customer.province ?? '' : '', country,
  });

  // ---- body
  const body = root.ele('FatturaElettronicaBody');
  const dg = body.ele('DatiGenerali');
  const dgd = dg.ele('DatiGeneraliDocumento');
  dgd.ele('TipoDocumento').txt(doc.type);
  dgd.ele('Divisa').txt(doc.currency);
  dgd.ele('Data').txt(doc.date);
  dgd.ele('Numero').txt(latin(doc.number, 20));
  if (needsStampDuty(doc.taxes)) dgd.ele('DatiBollo').ele('BolloVirtuale').txt('SI').up().ele('ImportoBollo').txt(amount(STAMP_DUTY));
  dgd.ele('ImportoTotaleDocumento').txt(amount(doc.total));
  if (doc.reason) dgd.ele('Causale').txt(latin(doc.reason, 200));
  if (pa && (customer.cig || customer.cup)) {
    const contract = dg.ele('DatiContratto');
    contract.ele('IdDocumento').txt(latin(customer.cig ?? customer.cup ?? '', 20));
    if (customer.cup) contract.ele('CodiceCUP').txt(customer.cup);
    if (customer.cig) contract.ele('CodiceCIG').txt(customer.cig);
  }
  if (doc.corrects) dg.ele('DatiFattureCollegate').ele('IdDocumento').txt(latin(doc.corrects.number, 20)).up().ele('Data').txt(doc.corrects.date);

  const dbs = body.ele('DatiBeniServizi');
  doc.lines.forEach((l, i) => {
    const dl = dbs.ele('DettaglioLinee');
    dl.ele('NumeroLinea').txt(String(i + 1));
    dl.ele('Descrizione').txt(latin(l.description, 1000));
    if (l.periodStart) dl.ele('DataInizioPeriodo').txt(l.periodStart);
    if (l.periodEnd) dl.ele('DataFinePeriodo').txt(l.periodEnd);
    dl.ele('PrezzoUnitario').txt(amount(l.net));
    dl.ele('PrezzoTotale').txt(amount(l.net));
    dl.ele('AliquotaIVA').txt(rate(l.taxRateBp));
    if (l.vatNature) dl.ele('Natura').txt(l.vatNature);
  });
  for (const t of doc.taxes) {
    const r = dbs.ele('DatiRiepilogo');
    r.ele('AliquotaIVA').txt(rate(t.taxRateBp));
    if (t.vatNature) r.ele('Natura').txt(t.vatNature);
    r.ele('ImponibileImporto').txt(amount(t.net));
    r.ele('Imposta').txt(amount(t.tax));
    if (!t.vatNature) r.ele('EsigibilitaIVA').txt(pa ? 'S' : 'I');
    if (t.vatNature && t.legalRef) r.ele('RiferimentoNormativo').txt(latin(t.legalRef, 100));
  }

  if (doc.type === 'TD01' && input.paymentMethod) {
    // Split payment: the administration pays the taxable amount and the VAT to the State.
    const taxOfSplit = pa ? doc.taxes.filter((t) => !t.vatNature).reduce((a, t) => a + t.tax, 0) : 0;
    const due = doc.total - taxOfSplit;
    const dp = body.ele('DatiPagamento');
    dp.ele('CondizioniPagamento').txt('TP02');
    const det = dp.ele('DettaglioPagamento');
    det.ele('ModalitaPagamento').txt(input.paymentMethod);
    if (doc.dueDate) det.ele('DataScadenzaPagamento').txt(doc.dueDate);
    det.ele('ImportoPagamento').txt(amount(due));
    if (input.paymentMethod === 'MP05' && seller.iban) det.ele('IBAN').txt(seller.iban.replace(/\s/g, ''));
  }
  if (input.attachment) {
    const a = body.ele('Allegati');
    a.ele('NomeAttachment').txt(latin(input.attachment.name, 60));
    a.ele('FormatoAttachment').txt('PDF');
    a.ele('Attachment').txt(input.attachment.pdf.toString('base64'));
  }
  return root.end({ prettyPrint: true });
}

function address(
  node: XMLBuilder,
  a: { street: string; streetNumber: string; postalCode: string; city: string; province: string; country: string },
): void {
  node.ele('Indirizzo').txt(latin(a.street, 60));
  if (a.streetNumber) node.ele('NumeroCivico').txt(latin(a.streetNumber, 8));
  node.ele('CAP').txt(a.postalCode);
  node.ele('Comune').txt(latin(a.city, 60));
  if (a.province) node.ele('Provincia').txt(a.province);
  node.ele('Nazione').txt(a.country);
}
