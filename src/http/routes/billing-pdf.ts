/**
 * Invoice and credit-note PDFs with pdfmake's declarative tables, server side, in the customer's
 * language: every label comes from the catalogue (src/i18n/), amounts, rates and dates from the one
 * formatter, and the font is Roboto, embedded (src/billing/pdf.ts). The seller block comes from the
 * `[company]` config keys (name, address, tax id, contacts, IBAN and payment terms, an optional
 * logo), the buyer block from the customer (name, address, tax id). Amounts are integers formatted
 * exactly: the document never rounds.
 */
import { readFileSync } from 'node:fs';
import { DOCUMENT_FONT, renderPdf } from '../../billing/pdf.js';
import { formatter, type Formatter } from '../../i18n/format.js';
import type { Locale } from '../../i18n/locales.js';
import { translator, type Translate } from '../../i18n/messages.js';

/** The reader of a document: its language and the billing time zone. */
export interface DocumentLocale {
  language: Locale;
  timeZone: string;
}

interface Words {
  t: Translate;
  f: Formatter;
}
const wordsFor = (loc: DocumentLocale, currency: string): Words => ({ t: translator(loc.language), f: formatter(loc.language, { timeZone: loc.timeZone, currency }) });

export interface PdfInvoice {
  number: string;
  issueDate: string;
  dueDate: string;
  currency: string;
  net: number;
  tax: number;
  total: number;
  paid: number;
  open: number;
  lines: { description: string; periodStart: string | null; periodEnd: string | null; taxRateBp: number; net: number; tax: number; gross: number }[];
  taxes: { taxRateBp: number; net: number; tax: number; gross: number }[];
}

export interface PdfCustomer {
  name: string;
  address: string | null;
  taxId: string | null;
  email: string | null;
  /** The customer's language (null: the installation's); `?lang=` may ask for another. */
  language?: string | null;
}

/** The `[company]` config section: empty strings are left out of the document. */
export interface PdfSeller {
  readonly name: string;
  readonly address: string;
  readonly tax_id: string;
  readonly email: string;
  readonly phone: string;
  readonly iban: string;
  readonly payment_terms: string;
  readonly logo: string;
}

export interface PdfCreditNote {
  number: string;
  issueDate: string;
  currency: string;
  net: number;
  tax: number;
  total: number;
  reason: string | null;
  invoiceNumber: string;
  lines: { description: string; taxRateBp: number; net: number; tax: number; gross: number }[];
}

const right = (text: string, bold = false) => ({ text, alignment: 'right', bold });
/** A config value may carry line breaks as "\n" (TOML basic string) or a literal backslash-n. */
const linesOf = (v: string) => v.split(/\r?\n|\\n/).map((l) => l.trim()).filter(Boolean);

/** A logo file as a data URL pdfmake can embed; read once per path. */
const logoCache = new Map<string, string | null>();
function logoDataUrl(path: string): string | null {
  if (path === '') return null;
  if (!logoCache.has(path)) {
    const bytes = readFileSync(path);
    const type = bytes.subarray(0, 4).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47])) ? 'png' : bytes[0] === 0xff && bytes[1] === 0xd8 ? 'jpeg' : null;
    logoCache.set(path, type ? `data:image/${type};base64,${bytes.toString('base64')}` : null);
  }
  return logoCache.get(path) ?? null;
}

/** The top of a document: the seller (and logo) on the left, the title and dates on the right. */
function header(w: Words, seller: PdfSeller | null, title: string, dates: string[]): unknown[] {
  const logo = seller ? logoDataUrl(seller.logo) : null;
  const sellerLines = seller
    ? [
      ...(seller.name ? [{ text: seller.name, bold: true, fontSize: 11 }] : []),
      ...linesOf(seller.address).map((text) => ({ text })),
      ...(seller.tax_id ? [{ text: w.t('pdf.sellerTaxId', { id: seller.tax_id }) }] : []),
      ...(seller.email ? [{ text: seller.email }] : []),
      ...(seller.phone ? [{ text: seller.phone }] : []),
    ]
    : [];
  return [
    {
      columns: [
        [...(logo ? [{ image: logo, fit: [140, 60], margin: [0, 0, 0, 6] }] : []), ...sellerLines],
        [{ text: title, fontSize: 16, bold: true, alignment: 'right', margin: [0, 0, 0, 6] }, ...dates.map((d) => right(d))],
      ],
      margin: [0, 0, 0, 14],
    },
  ];
}

function buyer(w: Words, customer: PdfCustomer | null): unknown {
  return {
    margin: [0, 0, 0, 12],
    stack: [
      { text: w.t('pdf.billTo'), bold: true, color: '#555555' },
      { text: customer?.name ?? '', bold: true },
      ...linesOf(customer?.address ?? '').map((text) => ({ text })),
      ...(customer?.taxId ? [{ text: w.t('pdf.buyerTaxId', { id: customer.taxId }) }] : []),
      ...(customer?.email ? [{ text: customer.email }] : []),
    ],
  };
}

function paymentDetails(w: Words, seller: PdfSeller | null, reference: string): unknown[] {
  if (!seller || (!seller.iban && !seller.payment_terms)) return [];
  return [{
    margin: [0, 16, 0, 0],
    stack: [
      { text: w.t('pdf.paymentDetails'), bold: true },
      ...(seller.iban ? [{ text: `IBAN: ${seller.iban}` }] : []),
      ...(seller.name && seller.iban ? [{ text: w.t('pdf.beneficiary', { name: seller.name }) }] : []),
      ...(seller.iban ? [{ text: w.t('pdf.reference', { reference }) }] : []),
      ...(seller.payment_terms ? [{ text: seller.payment_terms }] : []),
    ],
  }];
}

export function invoiceDocDefinition(inv: PdfInvoice, customer: PdfCustomer | null, seller: PdfSeller | null, loc: DocumentLocale): unknown {
  const w = wordsFor(loc, inv.currency);
  const { t, f } = w;
  const m = (v: number) => f.money(v, inv.currency);
  const rate = (bp: number) => f.percent(bp);
  const title = t('pdf.invoiceTitle', { number: inv.number });
  return {
    info: { title, creator: 'Tollgate', ...(seller?.name ? { author: seller.name } : {}) },
    language: loc.language,
    defaultStyle: { font: DOCUMENT_FONT, fontSize: 9 },
    content: [
      ...header(w, seller, title, [t('pdf.issueDate', { date: f.date(inv.issueDate, 'short') }), t('pdf.dueDate', { date: f.date(inv.dueDate, 'short') })]),
      buyer(w, customer),
      {
        table: {
          headerRows: 1,
          widths: ['*', 'auto', 'auto', 'auto', 'auto'],
          body: [
            [{ text: t('pdf.description'), bold: true }, right(t('pdf.taxRate'), true), right(t('pdf.net'), true), right(t('pdf.taxAmount'), true), right(t('pdf.total'), true)],
            ...inv.lines.map((l) => [
              l.description,
              right(rate(l.taxRateBp)),
              right(m(l.net)),
              right(m(l.tax)),
              right(m(l.gross)),
            ]),
          ],
        },
        layout: 'lightHorizontalLines',
      },
      {
        margin: [0, 12, 0, 0],
        table: {
          widths: ['*', 'auto', 'auto', 'auto'],
          body: [
            [{ text: t('pdf.taxSummary'), bold: true }, right(t('pdf.net'), true), right(t('pdf.taxAmount'), true), right(t('pdf.total'), true)],
            ...inv.taxes.map((x) => [rate(x.taxRateBp), right(m(x.net)), right(m(x.tax)), right(m(x.gross))]),
            [{ text: t('pdf.invoiceTotal'), bold: true }, right(m(inv.net), true), right(m(inv.tax), true), right(m(inv.total), true)],
          ],
        },
        layout: 'noBorders',
      },
      { margin: [0, 12, 0, 0], columns: [{ text: '' }, [right(t('pdf.paid', { amount: m(inv.paid) })), right(t('pdf.amountDue', { amount: m(inv.open) }), true)]] },
      ...paymentDetails(w, seller, inv.number),
    ],
  };
}

/** A credit note: the invoice it corrects, the reversed lines (shown as positive credits) and totals. */
export function creditNoteDocDefinition(note: PdfCreditNote, customer: PdfCustomer | null, seller: PdfSeller | null, loc: DocumentLocale): unknown {
  const w = wordsFor(loc, note.currency);
  const { t, f } = w;
  const m = (v: number) => f.money(v, note.currency);
  const rate = (bp: number) => f.percent(bp);
  const title = t('pdf.creditNoteTitle', { number: note.number });
  const taxes = new Map<number, { net: number; tax: number; gross: number }>();
  for (const l of note.lines) {
    const t = taxes.get(l.taxRateBp) ?? { net: 0, tax: 0, gross: 0 };
    taxes.set(l.taxRateBp, { net: t.net + l.net, tax: t.tax + l.tax, gross: t.gross + l.gross });
  }
  return {
    info: { title, creator: 'Tollgate', ...(seller?.name ? { author: seller.name } : {}) },
    language: loc.language,
    defaultStyle: { font: DOCUMENT_FONT, fontSize: 9 },
    content: [
      ...header(w, seller, title, [t('pdf.issueDate', { date: f.date(note.issueDate, 'short') }), t('pdf.corrects', { number: note.invoiceNumber })]),
      buyer(w, customer),
      ...(note.reason ? [{ text: t('pdf.reason', { reason: note.reason }), margin: [0, 0, 0, 8] }] : []),
      {
        table: {
          headerRows: 1,
          widths: ['*', 'auto', 'auto', 'auto', 'auto'],
          body: [
            [{ text: t('pdf.credited'), bold: true }, right(t('pdf.taxRate'), true), right(t('pdf.net'), true), right(t('pdf.taxAmount'), true), right(t('pdf.total'), true)],
            ...note.lines.map((l) => [l.description, right(rate(l.taxRateBp)), right(m(l.net)), right(m(l.tax)), right(m(l.gross))]),
          ],
        },
        layout: 'lightHorizontalLines',
      },
      {
        margin: [0, 12, 0, 0],
        table: {
          widths: ['*', 'auto', 'auto', 'auto'],
          body: [
            [{ text: t('pdf.taxSummary'), bold: true }, right(t('pdf.net'), true), right(t('pdf.taxAmount'), true), right(t('pdf.total'), true)],
            ...[...taxes.entries()].sort((a, b) => a[0] - b[0]).map(([bp, x]) => [rate(bp), right(m(x.net)), right(m(x.tax)), right(m(x.gross))]),
            [{ text: t('pdf.creditNoteTotal'), bold: true }, right(m(note.net), true), right(m(note.tax), true), right(m(note.total), true)],
          ],
        },
        layout: 'noBorders',
      },
    ],
  };
}

export function creditNotePdf(note: PdfCreditNote, customer: PdfCustomer | null, seller: PdfSeller | null, loc: DocumentLocale): Promise<Buffer> {
  return renderPdf(creditNoteDocDefinition(note, customer, seller, loc));
}

export function invoicePdf(inv: PdfInvoice, customer: PdfCustomer | null, seller: PdfSeller | null, loc: DocumentLocale): Promise<Buffer> {
  return renderPdf(invoiceDocDefinition(inv, customer, seller, loc));
}
