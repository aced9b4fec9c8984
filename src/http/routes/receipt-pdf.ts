/**
 * The receipt of a payment as a PDF: who paid, when, how, how much, and what it settled. Like the
 * invoice (billing-pdf.ts) it is printed in the customer's language: every label comes from the
 * catalogue (`receipt.*`, the `pdf.*` tax-id lines and the payment methods' names), amounts and the
 * date from the one formatter, in the embedded Roboto of src/billing/pdf.ts. Amounts are integers
 * formatted exactly: the document never rounds.
 */
import { DOCUMENT_FONT, renderPdf } from '../../billing/pdf.js';
import { formatter } from '../../i18n/format.js';
import { isMessageKey, translator } from '../../i18n/messages.js';
import type { DocumentLocale, PdfCustomer, PdfSeller } from './billing-pdf.js';

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

export function receiptDocDefinition(r: PdfReceipt, customer: PdfCustomer | null, seller: PdfSeller | null, loc: DocumentLocale): unknown {
  const t = translator(loc.language);
  const f = formatter(loc.language, { timeZone: loc.timeZone, currency: r.currency });
  const m = (v: number) => f.money(v, r.currency);
  // A method Tollgate names (cash, bank…) in the reader's words; a gateway's own as recorded.
  const methodKey = `method.${r.method}`;
  const method = isMessageKey(methodKey) ? t(methodKey) : r.method;
  const title = t('receipt.title', { number: r.number });
  const applied = r.settled.reduce((s, x) => s + x.amount, 0);
  const credit = r.amount - r.refunded - applied;
  const sellerLines = seller
    ? [
      ...(seller.name ? [{ text: seller.name, bold: true, fontSize: 11 }] : []),
      ...linesOf(seller.address).map((text) => ({ text })),
      ...(seller.tax_id ? [{ text: t('pdf.sellerTaxId', { id: seller.tax_id }) }] : []),
      ...(seller.email ? [{ text: seller.email }] : []),
      ...(seller.phone ? [{ text: seller.phone }] : []),
    ]
    : [];
  return {
    info: { title, creator: 'Tollgate', ...(seller?.name ? { author: seller.name } : {}) },
    language: loc.language,
    defaultStyle: { font: DOCUMENT_FONT, fontSize: 9 },
    content: [
      {
        columns: [sellerLines, [{ text: title, fontSize: 16, bold: true, alignment: 'right', margin: [0, 0, 0, 6] }, right(t('receipt.date', { date: f.date(r.date, 'short') }))]],
        margin: [0, 0, 0, 14],
      },
      {
        margin: [0, 0, 0, 12],
        stack: [
          { text: t('receipt.receivedFrom'), bold: true, color: '#555555' },
          { text: customer?.name ?? '', bold: true },
          ...linesOf(customer?.address ?? '').map((text) => ({ text })),
          ...(customer?.taxId ? [{ text: t('pdf.buyerTaxId', { id: customer.taxId }) }] : []),
        ],
      },
      {
        table: {
          widths: ['*', 'auto'],
          body: [
            [t('receipt.method'), right(method)],
            ...(r.reference ? [[t('receipt.reference'), right(r.reference)]] : []),
            [{ text: t('receipt.amount'), bold: true }, right(m(r.amount), true)],
          ],
        },
        layout: 'noBorders',
      },
      { text: t('receipt.settled'), bold: true, margin: [0, 14, 0, 4] },
      r.settled.length === 0
        ? { text: t('receipt.none') }
        : {
          table: {
            headerRows: 1,
            widths: ['*', 'auto'],
            body: [[{ text: t('receipt.invoice'), bold: true }, right(t('receipt.applied'), true)], ...r.settled.map((s) => [s.invoiceNumber, right(m(s.amount))])],
          },
          layout: 'lightHorizontalLines',
        },
      {
        margin: [0, 12, 0, 0],
        columns: [{ text: '' }, [
          ...(r.refunded > 0 ? [right(t('receipt.refunded', { amount: m(r.refunded) }))] : []),
          ...(credit > 0 ? [right(t('receipt.toCredit', { amount: m(credit) }))] : []),
        ]],
      },
    ],
  };
}

export function receiptPdf(r: PdfReceipt, customer: PdfCustomer | null, seller: PdfSeller | null, loc: DocumentLocale): Promise<Buffer> {
  return renderPdf(receiptDocDefinition(r, customer, seller, loc));
}
