/**
 * The receipt of a payment as a PDF (pdfmake, the PDF standard fonts): who paid, when, how, how
 * much, and what it settled. Every word printed is in RECEIPT_LABELS, so the receipt is translated
 * in one place. Amounts are formatted by money.ts from integers: the document never rounds.
 */
import { createRequire } from 'node:module';
import { formatMoney } from '../../lib/money.js';
import type { PdfCustomer, PdfSeller } from './billing-pdf.js';

type PdfDoc = NodeJS.ReadableStream & { end(): void };
type Printer = { createPdfKitDocument(def: unknown): PdfDoc };
const require = createRequire(import.meta.url);
const PdfPrinter = require('pdfmake/src/printer') as new (fonts: unknown) => Printer;
const printer = new PdfPrinter({
  Helvetica: { normal: 'Helvetica', bold: 'Helvetica-Bold', italics: 'Helvetica-Oblique', bolditalics: 'Helvetica-BoldOblique' },
});

/** Every label the receipt prints (English until the catalogue carries them). */
export const RECEIPT_LABELS = {
  title: (number: string) => `Receipt ${number}`,
  received: 'Received',
  receivedFrom: 'Received from',
  taxId: 'Tax ID',
  sellerTaxId: 'VAT / Tax ID',
  method: 'Method',
  reference: 'Reference',
  amount: 'Amount received',
  settled: 'Applied to',
  invoice: 'Invoice',
  applied: 'Amount',
  toCredit: 'Kept as credit',
  refunded: 'Refunded',
  none: 'Nothing settled: the amount is kept as credit.',
} as const;

export interface PdfReceipt {
  /** The receipt's number: the payment's, R-<id>. */
  number: string;
  receivedAt: string;
  date: string;
  currency: string;
  method: string;
  reference: string | null;
  amount: number;
  refunded: number;
  /** What the payment still settles, per invoice. */
  settled: { invoiceNumber: string; amount: number }[];
}

/** A config value may carry line breaks as "\n" (TOML basic string) or a literal backslash-n. */
const linesOf = (v: string) => v.split(/\r?\n|\\n/).map((l) => l.trim()).filter(Boolean);
const right = (text: string, bold = false) => ({ text, alignment: 'right', bold });

export function receiptDocDefinition(r: PdfReceipt, customer: PdfCustomer | null, seller: PdfSeller | null): unknown {
  const L = RECEIPT_LABELS;
  const m = (v: number) => formatMoney(v, r.currency);
  const applied = r.settled.reduce((s, x) => s + x.amount, 0);
  const credit = r.amount - r.refunded - applied;
  const sellerLines = seller
    ? [
      ...(seller.name ? [{ text: seller.name, bold: true, fontSize: 11 }] : []),
      ...linesOf(seller.address).map((text) => ({ text })),
      ...(seller.tax_id ? [{ text: `${L.sellerTaxId}: ${seller.tax_id}` }] : []),
      ...(seller.email ? [{ text: seller.email }] : []),
      ...(seller.phone ? [{ text: seller.phone }] : []),
    ]
    : [];
  return {
    info: { title: L.title(r.number), creator: 'Tollgate', ...(seller?.name ? { author: seller.name } : {}) },
    defaultStyle: { font: 'Helvetica', fontSize: 9 },
    content: [
      {
        columns: [sellerLines, [{ text: L.title(r.number), fontSize: 16, bold: true, alignment: 'right', margin: [0, 0, 0, 6] }, right(`${L.received}: ${r.date}`)]],
        margin: [0, 0, 0, 14],
      },
      {
        margin: [0, 0, 0, 12],
        stack: [
          { text: L.receivedFrom, bold: true, color: '#555555' },
          { text: customer?.name ?? '', bold: true },
          ...linesOf(customer?.address ?? '').map((text) => ({ text })),
          ...(customer?.taxId ? [{ text: `${L.taxId}: ${customer.taxId}` }] : []),
        ],
      },
      {
        table: {
          widths: ['*', 'auto'],
          body: [
            [L.method, right(r.method)],
            ...(r.reference ? [[L.reference, right(r.reference)]] : []),
            [{ text: L.amount, bold: true }, right(m(r.amount), true)],
          ],
        },
        layout: 'noBorders',
      },
      { text: L.settled, bold: true, margin: [0, 14, 0, 4] },
      r.settled.length === 0
        ? { text: L.none }
        : {
          table: {
            headerRows: 1,
            widths: ['*', 'auto'],
            body: [[{ text: L.invoice, bold: true }, right(L.applied, true)], ...r.settled.map((s) => [s.invoiceNumber, right(m(s.amount))])],
          },
          layout: 'lightHorizontalLines',
        },
      {
        margin: [0, 12, 0, 0],
        columns: [{ text: '' }, [...(r.refunded > 0 ? [right(`${L.refunded}: ${m(r.refunded)}`)] : []), ...(credit > 0 ? [right(`${L.toCredit}: ${m(credit)}`)] : [])]],
      },
    ],
  };
}

export function receiptPdf(r: PdfReceipt, customer: PdfCustomer | null, seller: PdfSeller | null): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = printer.createPdfKitDocument(receiptDocDefinition(r, customer, seller));
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.end();
  });
}
