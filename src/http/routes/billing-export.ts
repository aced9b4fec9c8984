/** CSV exports of invoices, credit notes and payments for a period (RFC 4180: CRLF, quotes doubled). */
import type { InvoiceStore, PaymentStore } from '../../db/billing.js';
import { toDecimalString, minorDigits } from '../../lib/money.js';

type Cell = string | number | null;

function cell(v: Cell): string {
  if (v === null) return '';
  const s = String(v);
  // A leading = + - @ would make a spreadsheet evaluate the cell: prefix it (OWASP CSV injection).
  const safe = typeof v === 'string' && /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function csv(rows: Cell[][]): string {
  return rows.map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}

/**
 * One row per invoice and tax rate (what an accountant posts), amounts both in minor units and as
 * exact decimals.
 */
export async function invoicesCsvRows(store: Pick<InvoiceStore, 'invoiceTaxRows'>, f: { customerId?: number | undefined; from?: string | undefined; to?: string | undefined }): Promise<Cell[][]> {
  const rows: Cell[][] = [['number', 'issue_date', 'due_date', 'customer_id', 'customer_name', 'customer_tax_id', 'currency', 'tax_rate_bp', 'net_minor', 'tax_minor', 'gross_minor', 'net', 'tax', 'gross', 'invoice_total_minor', 'open_minor']];
  for (const r of await store.invoiceTaxRows(f)) {
    const d = minorDigits(r.currency);
    rows.push([r.number, r.issueDate, r.dueDate, r.customerId, r.customerName, r.taxId, r.currency, r.taxRateBp, r.net, r.tax, r.gross,
      toDecimalString(r.net, d), toDecimalString(r.tax, d), toDecimalString(r.gross, d), r.total, r.open]);
  }
  return rows;
}

export async function paymentsCsvRows(store: Pick<PaymentStore, 'paymentRows'>, f: { customerId?: number | undefined; from?: string | undefined; to?: string | undefined }): Promise<Cell[][]> {
  const rows: Cell[][] = [['id', 'date', 'received_at', 'customer_id', 'customer_name', 'method', 'reference', 'amount_minor', 'refunded_minor']];
  for (const p of await store.paymentRows(f)) rows.push([p.id, p.date, p.receivedAt, p.customerId, p.customerName, p.method, p.reference, p.amount, p.refunded]);
  return rows;
}

/**
 * One row per credit note and tax rate, with the invoice it corrects. Amounts are positive (what was
 * credited), in minor units and as exact decimals, like the invoices export.
 */
export async function creditNotesCsvRows(store: Pick<PaymentStore, 'creditNoteTaxRows'>, f: { customerId?: number | undefined; from?: string | undefined; to?: string | undefined }): Promise<Cell[][]> {
  const rows: Cell[][] = [['number', 'issue_date', 'invoice_number', 'customer_id', 'customer_name', 'customer_tax_id', 'currency', 'tax_rate_bp', 'net_minor', 'tax_minor', 'gross_minor', 'net', 'tax', 'gross', 'note_total_minor', 'reason']];
  for (const r of await store.creditNoteTaxRows(f)) {
    const d = minorDigits(r.currency);
    rows.push([r.number, r.issueDate, r.invoiceNumber, r.customerId, r.customerName, r.taxId, r.currency, r.taxRateBp, r.net, r.tax, r.gross,
      toDecimalString(r.net, d), toDecimalString(r.tax, d), toDecimalString(r.gross, d), r.total, r.reason]);
  }
  return rows;
}
