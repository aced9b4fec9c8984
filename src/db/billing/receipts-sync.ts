/**
 * The writes of a prepaid top-up's receipt (a payment, an invoice issued paid, its allocation), for
 * the prepaid service while it still runs synchronously inside a better-sqlite3 transaction: the
 * invoice and payment stores are asynchronous now, and their results cannot be had in a synchronous
 * body. The statements are the invoice and payment stores' own, in SQLite's spelling. Once the prepaid
 * service is on SqlClient it calls invoiceStore and paymentStore (same method names) and this goes.
 */
import type { DraftInvoice } from '../../domain/billing/invoicing.js';
import type { InvoiceAccount } from '../../domain/billing/payments.js';
import type { Db } from '../client.js';

export function receiptWriterSync(db: Db) {
  const c = db.$client;
  const nextSequence = c.prepare<[string, number], { seq: number }>(`insert into number_series (prefix, year, last_sequence) values (?, ?, 1)
    on conflict (prefix, year) do update set last_sequence = number_series.last_sequence + 1 returning last_sequence as seq`);
  const insertInvoice = c.prepare<unknown[], { id: number }>(`insert into invoices (customer_id, number, series, year, sequence, issue_date, due_date, currency, net, tax, total, paid, credited, open, created_at)
    values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, ?, ?) returning id`);
  const insertLine = c.prepare(`insert into invoice_lines (invoice_id, customer_id, position, key, kind, service_id, description, period_start, period_end, bill_date,
    amount, tax_rate_bp, tax_inclusive, net, tax, gross, applies_to)
    values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const insertAllocation = c.prepare(`insert into payment_allocations (invoice_id, payment_id, amount, date) values (?, ?, ?, ?)`);
  const settle = c.prepare(`update invoices set paid = ?, credited = ?, open = ? where id = ?`);
  const insertPayment = c.prepare<unknown[], { id: number }>(`insert into payments (customer_id, amount, method, reference, received_at, date, refunded, created_at)
    values (?, ?, ?, ?, ?, ?, 0, ?) returning id`);
  return {
    nextSequence(prefix: string, year: number): number {
      return nextSequence.get(prefix, year)!.seq;
    },
    insertInvoice(draft: DraftInvoice, n: { number: string; series: string; year: number; sequence: number }, createdAt: string): number {
      const { id } = insertInvoice.get(
        draft.customerId, n.number, n.series, n.year, n.sequence, draft.issueDate, draft.dueDate, draft.currency,
        draft.net, draft.tax, draft.total, Math.max(draft.total, 0), createdAt,
      )!;
      draft.lines.forEach((l, position) => {
        insertLine.run(
          id, draft.customerId, position, l.key, l.kind, l.serviceId ?? null, l.description, l.periodStart, l.periodEnd, l.billDate,
          l.amount, l.taxRateBp, l.taxInclusive ? 1 : 0, l.net, l.tax, l.gross, l.appliesTo ?? null,
        );
      });
      return id;
    },
    insertAllocation(invoiceId: number, paymentId: number | null, amount: number, date: string): void {
      insertAllocation.run(invoiceId, paymentId, amount, date);
    },
    settleInvoice(inv: InvoiceAccount): void {
      settle.run(inv.paid, inv.credited, inv.open, inv.invoiceId);
    },
    insertPayment(p: { customerId: number; amount: number; method: string; reference: string | null; receivedAt: string; date: string }, createdAt: string): number {
      return insertPayment.get(p.customerId, p.amount, p.method, p.reference, p.receivedAt, p.date, createdAt)!.id;
    },
  };
}
