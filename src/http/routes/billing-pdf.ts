/**
 * Invoice and credit-note PDFs with pdfmake's declarative tables, server side. The PDF standard
 * fonts (Helvetica) need no font files. The seller block comes from the `[company]` config keys
 * (name, address, tax id, contacts, IBAN and payment terms, an optional logo), the buyer block from
 * the customer (name, address, tax id). Amounts are formatted by money.ts from integers: the
 * document never rounds.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { formatMoney } from '../../lib/money.js';

// pdfmake 0.2 ships no types and is CommonJS; its server-side printer is this module.
type PdfDoc = NodeJS.ReadableStream & { end(): void };
type Printer = { createPdfKitDocument(def: unknown): PdfDoc };
const require = createRequire(import.meta.url);
const PdfPrinter = require('pdfmake/src/printer') as new (fonts: unknown) => Printer;

const printer = new PdfPrinter({
  Helvetica: { normal: 'Helvetica', bold: 'Helvetica-Bold', italics: 'Helvetica-Oblique', bolditalics: 'Helvetica-BoldOblique' },
});

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

const rate = (bp: number) => `${bp / 100} %`;
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
function header(seller: PdfSeller | null, title: string, dates: string[]): unknown[] {
  const logo = seller ? logoDataUrl(seller.logo) : null;
  const sellerLines = seller
    ? [
      ...(seller.name ? [{ text: seller.name, bold: true, fontSize: 11 }] : []),
      ...linesOf(seller.address).map((text) => ({ text })),
      ...(seller.tax_id ? [{ text: `VAT / Tax ID: ${seller.tax_id}` }] : []),
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

function buyer(customer: PdfCustomer | null): unknown {
  return {
    margin: [0, 0, 0, 12],
    stack: [
      { text: 'Bill to', bold: true, color: '#555555' },
      { text: customer?.name ?? '', bold: true },
      ...linesOf(customer?.address ?? '').map((text) => ({ text })),
      ...(customer?.taxId ? [{ text: `Tax ID: ${customer.taxId}` }] : []),
      ...(customer?.email ? [{ text: customer.email }] : []),
    ],
  };
}

function paymentDetails(seller: PdfSeller | null, reference: string): unknown[] {
  if (!seller || (!seller.iban && !seller.payment_terms)) return [];
  return [{
    margin: [0, 16, 0, 0],
    stack: [
      { text: 'Payment details', bold: true },
      ...(seller.iban ? [{ text: `IBAN: ${seller.iban}` }] : []),
      ...(seller.name && seller.iban ? [{ text: `Beneficiary: ${seller.name}` }] : []),
      ...(seller.iban ? [{ text: `Reference: ${reference}` }] : []),
      ...(seller.payment_terms ? [{ text: seller.payment_terms }] : []),
    ],
  }];
}

export function invoiceDocDefinition(inv: PdfInvoice, customer: PdfCustomer | null, seller: PdfSeller | null = null): unknown {
  const m = (v: number) => formatMoney(v, inv.currency);
  return {
    info: { title: `Invoice ${inv.number}`, creator: 'Tollgate', ...(seller?.name ? { author: seller.name } : {}) },
    defaultStyle: { font: 'Helvetica', fontSize: 9 },
    content: [
      ...header(seller, `Invoice ${inv.number}`, [`Issue date: ${inv.issueDate}`, `Due date: ${inv.dueDate}`]),
      buyer(customer),
      {
        table: {
          headerRows: 1,
          widths: ['*', 'auto', 'auto', 'auto', 'auto'],
          body: [
            [{ text: 'Description', bold: true }, right('Tax', true), right('Net', true), right('Tax amount', true), right('Total', true)],
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
            [{ text: 'Tax summary', bold: true }, right('Net', true), right('Tax', true), right('Total', true)],
            ...inv.taxes.map((t) => [rate(t.taxRateBp), right(m(t.net)), right(m(t.tax)), right(m(t.gross))]),
            [{ text: 'Invoice total', bold: true }, right(m(inv.net), true), right(m(inv.tax), true), right(m(inv.total), true)],
          ],
        },
        layout: 'noBorders',
      },
      { margin: [0, 12, 0, 0], columns: [{ text: '' }, [right(`Paid: ${m(inv.paid)}`), right(`Amount due: ${m(inv.open)}`, true)]] },
      ...paymentDetails(seller, inv.number),
    ],
  };
}

/** A credit note: the invoice it corrects, the reversed lines (shown as positive credits) and totals. */
export function creditNoteDocDefinition(note: PdfCreditNote, customer: PdfCustomer | null, seller: PdfSeller | null = null): unknown {
  const m = (v: number) => formatMoney(v, note.currency);
  const taxes = new Map<number, { net: number; tax: number; gross: number }>();
  for (const l of note.lines) {
    const t = taxes.get(l.taxRateBp) ?? { net: 0, tax: 0, gross: 0 };
    taxes.set(l.taxRateBp, { net: t.net + l.net, tax: t.tax + l.tax, gross: t.gross + l.gross });
  }
  return {
    info: { title: `Credit note ${note.number}`, creator: 'Tollgate', ...(seller?.name ? { author: seller.name } : {}) },
    defaultStyle: { font: 'Helvetica', fontSize: 9 },
    content: [
      ...header(seller, `Credit note ${note.number}`, [`Issue date: ${note.issueDate}`, `Corrects invoice ${note.invoiceNumber}`]),
      buyer(customer),
      ...(note.reason ? [{ text: `Reason: ${note.reason}`, margin: [0, 0, 0, 8] }] : []),
      {
        table: {
          headerRows: 1,
          widths: ['*', 'auto', 'auto', 'auto', 'auto'],
          body: [
            [{ text: 'Credited', bold: true }, right('Tax', true), right('Net', true), right('Tax amount', true), right('Total', true)],
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
            [{ text: 'Tax summary', bold: true }, right('Net', true), right('Tax', true), right('Total', true)],
            ...[...taxes.entries()].sort((a, b) => a[0] - b[0]).map(([bp, t]) => [rate(bp), right(m(t.net)), right(m(t.tax)), right(m(t.gross))]),
            [{ text: 'Credit note total', bold: true }, right(m(note.net), true), right(m(note.tax), true), right(m(note.total), true)],
          ],
        },
        layout: 'noBorders',
      },
    ],
  };
}

export function creditNotePdf(note: PdfCreditNote, customer: PdfCustomer | null, seller: PdfSeller | null = null): Promise<Buffer> {
  return render(creditNoteDocDefinition(note, customer, seller));
}

export function invoicePdf(inv: PdfInvoice, customer: PdfCustomer | null, seller: PdfSeller | null = null): Promise<Buffer> {
  return render(invoiceDocDefinition(inv, customer, seller));
}

function render(definition: unknown): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = printer.createPdfKitDocument(definition);
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.end();
  });
}
