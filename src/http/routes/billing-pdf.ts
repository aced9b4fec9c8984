/**
 * Invoice PDF with pdfmake's declarative tables, server side. The PDF standard fonts (Helvetica)
 * need no font files, so nothing is read from disk. Amounts are formatted by money.ts from integers:
 * the document never rounds.
 */
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

const rate = (bp: number) => `${bp / 100} %`;

export function invoiceDocDefinition(inv: PdfInvoice, customer: PdfCustomer | null): unknown {
  const m = (v: number) => formatMoney(v, inv.currency);
  const right = (text: string, bold = false) => ({ text, alignment: 'right', bold });
  return {
    info: { title: `Invoice ${inv.number}`, creator: 'Tollgate' },
    defaultStyle: { font: 'Helvetica', fontSize: 9 },
    content: [
      { text: `Invoice ${inv.number}`, fontSize: 16, bold: true, margin: [0, 0, 0, 8] },
      {
        columns: [
          [
            { text: customer?.name ?? '', bold: true },
            ...(customer?.address ? [{ text: customer.address }] : []),
            ...(customer?.taxId ? [{ text: `Tax ID: ${customer.taxId}` }] : []),
          ],
          [right(`Issue date: ${inv.issueDate}`), right(`Due date: ${inv.dueDate}`)],
        ],
        margin: [0, 0, 0, 12],
      },
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
    ],
  };
}

export function invoicePdf(inv: PdfInvoice, customer: PdfCustomer | null): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = printer.createPdfKitDocument(invoiceDocDefinition(inv, customer));
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.end();
  });
}
