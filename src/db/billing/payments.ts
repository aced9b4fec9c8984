/**
 * The payment store: the customer's account. Payments, refunds and credit notes, the allocations
 * that settle invoices with them, the credit a customer holds, and the ledger read back from them.
 * It writes the settlement columns of invoices (paid, credited, open), never what an invoice bills.
 */
import type { CreditNoteDraft, CreditNoteLine, InvoiceAccount } from '../../domain/billing/payments.js';
import type { Db } from '../client.js';
import { INVOICE_COLS, toAccount, type InvoiceRow } from './invoices.js';
import { billingBase, bool, ids, periodWhere, type PeriodFilter, type Row } from './shared.js';

export interface PaymentRow {
  id: number;
  customerId: number;
  amount: number;
  method: string;
  reference: string | null;
  receivedAt: string;
  date: string;
  refunded: number;
  createdAt: string;
}

export interface CreditNoteRow {
  id: number;
  customerId: number;
  invoiceId: number;
  number: string;
  issueDate: string;
  currency: string;
  net: number;
  tax: number;
  total: number;
  reason: string | null;
  createdAt: string;
}

export interface RefundRow {
  id: number;
  customerId: number;
  paymentId: number | null;
  amount: number;
  date: string;
  reason: string | null;
  createdAt: string;
}

const PAYMENT_COLS = `id, customer_id as customerId, amount, method, reference, received_at as receivedAt, date, refunded, created_at as createdAt`;
const NOTE_COLS = `id, customer_id as customerId, invoice_id as invoiceId, number, issue_date as issueDate, currency, net, tax, total, reason, created_at as createdAt`;

export type PaymentStore = ReturnType<typeof paymentStore>;

export function paymentStore(db: Db) {
  const c = db.$client;
  const p = (sql: string) => c.prepare(sql);

  const s = {
    credits: p(`select customer_id as id, credit from customer_accounts where credit > 0 and customer_id in (select value from json_each(?))`),
    credit: p(`select credit from customer_accounts where customer_id = ?`),
    ensureAccount: p(`insert into customer_accounts (customer_id) values (?) on conflict(customer_id) do nothing`),
    setCredit: p(`update customer_accounts set credit = ?, updated_at = ? where customer_id = ?`),

    openInvoices: p(`select ${INVOICE_COLS} from invoices where customer_id = ? and open > 0 order by due_date, issue_date, number`),
    settle: p(`update invoices set paid = ?, credited = ?, open = ? where id = ?`),
    settledInvoices: p(`select ${INVOICE_COLS} from invoices where customer_id = ? and paid > 0 order by due_date, issue_date, number`),
    paymentAllocationNet: p(`select invoice_id as invoiceId, sum(amount) as amount from payment_allocations where payment_id = ? group by invoice_id`),
    insertAllocation: p(`insert into payment_allocations (invoice_id, payment_id, amount, date) values (?, ?, ?, ?)`),
    allocationsOf: p(`select a.id, a.payment_id as paymentId, a.amount, a.date from payment_allocations a where a.invoice_id = ? order by a.id`),

    payment: p(`select ${PAYMENT_COLS} from payments where id = ?`),
    insertPayment: p(`insert into payments (customer_id, amount, method, reference, received_at, date, refunded, created_at)
      values (?, ?, ?, ?, ?, ?, 0, ?) returning id`),
    addRefunded: p(`update payments set refunded = refunded + ? where id = ?`),
    insertRefund: p(`insert into refunds (customer_id, payment_id, amount, date, reason, created_at) values (?, ?, ?, ?, ?, ?) returning id`),
    refund: p(`select id, customer_id as customerId, payment_id as paymentId, amount, date, reason, created_at as createdAt from refunds where id = ?`),
    refundsOfPayment: p(`select id, customer_id as customerId, payment_id as paymentId, amount, date, reason, created_at as createdAt from refunds where payment_id = ? order by id`),

    creditNote: p(`select ${NOTE_COLS} from credit_notes where id = ?`),
    creditNoteLines: p(`select credits_key as creditsKey, description, amount, tax_rate_bp as taxRateBp, tax_inclusive as taxInclusive, net, tax, gross
      from credit_note_lines where credit_note_id = ? order by position`),
    creditNoteLinesOfInvoice: p(`select l.credits_key as creditsKey, l.description, l.amount, l.tax_rate_bp as taxRateBp, l.tax_inclusive as taxInclusive, l.net, l.tax, l.gross
      from credit_note_lines l join credit_notes n on n.id = l.credit_note_id where n.invoice_id = ? order by n.id, l.position`),
    insertCreditNote: p(`insert into credit_notes (customer_id, invoice_id, number, series, year, sequence, issue_date, currency, net, tax, total, reason, created_at)
      values (@customerId, @invoiceId, @number, @series, @year, @sequence, @issueDate, @currency, @net, @tax, @total, @reason, @createdAt) returning id`),
    insertCreditNoteLine: p(`insert into credit_note_lines (credit_note_id, position, credits_key, line_key, service_id, period_start, period_end,
        description, amount, tax_rate_bp, tax_inclusive, net, tax, gross)
      values (@creditNoteId, @position, @creditsKey, @lineKey, @serviceId, @periodStart, @periodEnd, @description, @amount, @taxRateBp, @taxInclusive, @net, @tax, @gross)`),

    statementEvents: p(`
      select 'invoice' as type, id, number, issue_date as date, due_date as dueDate, total as amount, null as invoiceId, created_at as at from invoices where customer_id = @id
      union all select 'payment', id, null, date, null, amount, null, created_at from payments where customer_id = @id
      union all select 'credit_note', id, number, issue_date, null, total, invoice_id, created_at from credit_notes where customer_id = @id
      union all select 'refund', id, null, date, null, amount, null, created_at from refunds where customer_id = @id
      order by date, at, type, id`),
    ledgerTotals: p(`select
      (select coalesce(sum(total), 0) from invoices where customer_id = @id) as invoiced,
      (select coalesce(sum(amount), 0) from payments where customer_id = @id) as paid,
      (select coalesce(sum(total), 0) from credit_notes where customer_id = @id) as creditNoted,
      (select coalesce(sum(amount), 0) from refunds where customer_id = @id) as refunded,
      (select coalesce(sum(open), 0) from invoices where customer_id = @id) as open,
      (select coalesce(credit, 0) from customer_accounts where customer_id = @id) as credit`),
  };

  return {
    ...billingBase(db),

    // ---- credit

    /** Customers of the list holding credit, with how much. */
    credits(customerIds: readonly number[]): Map<number, number> {
      return new Map((s.credits.all(ids(customerIds)) as { id: number; credit: number }[]).map((r) => [r.id, r.credit]));
    },
    credit(customerId: number): number {
      return (s.credit.get(customerId) as { credit: number } | undefined)?.credit ?? 0;
    },
    setCredit(customerId: number, credit: number, at: string): void {
      s.ensureAccount.run(customerId);
      s.setCredit.run(credit, at, customerId);
    },

    // ---- settlement

    /** Invoices still owed, oldest first, as the account domain sees them. */
    openInvoices(customerId: number): InvoiceAccount[] {
      return (s.openInvoices.all(customerId) as InvoiceRow[]).map(toAccount);
    },
    /** Invoices that payments or credit settled, in part or whole. */
    settledInvoices(customerId: number): InvoiceAccount[] {
      return (s.settledInvoices.all(customerId) as InvoiceRow[]).map(toAccount);
    },
    /** What a payment still settles, per invoice (its allocations net of reversals). */
    paymentAllocationNet(paymentId: number): Map<number, number> {
      return new Map((s.paymentAllocationNet.all(paymentId) as { invoiceId: number; amount: number }[]).map((r) => [r.invoiceId, r.amount]));
    },
    settleInvoice(inv: InvoiceAccount): void {
      s.settle.run(inv.paid, inv.credited, inv.open, inv.invoiceId);
    },
    insertAllocation(invoiceId: number, paymentId: number | null, amount: number, date: string): void {
      s.insertAllocation.run(invoiceId, paymentId, amount, date);
    },
    allocationsOf(invoiceId: number): { id: number; paymentId: number | null; amount: number; date: string }[] {
      return s.allocationsOf.all(invoiceId) as { id: number; paymentId: number | null; amount: number; date: string }[];
    },

    // ---- payments and refunds

    payment(id: number): PaymentRow | null {
      return (s.payment.get(id) as PaymentRow | undefined) ?? null;
    },
    insertPayment(p: { customerId: number; amount: number; method: string; reference: string | null; receivedAt: string; date: string }, createdAt: string): number {
      return (s.insertPayment.get(p.customerId, p.amount, p.method, p.reference, p.receivedAt, p.date, createdAt) as { id: number }).id;
    },
    listPayments(f: PeriodFilter, limit: number, afterId: number | null): PaymentRow[] {
      const where = periodWhere('date', 'customer_id', f);
      if (afterId !== null) where.add('id > ?', afterId);
      const sql = `select ${PAYMENT_COLS} from payments ${where.sql} order by id limit ?`;
      return c.prepare(sql).all(...where.args, limit) as PaymentRow[];
    },
    /** Payments of a period with the customer's name, for exports. */
    paymentRows(f: PeriodFilter) {
      const where = periodWhere('p.date', 'p.customer_id', f);
      return c.prepare(`select p.id, p.date, p.received_at as receivedAt, p.customer_id as customerId, cu.name as customerName, p.method, p.reference,
          p.amount, p.refunded from payments p join customers cu on cu.id = p.customer_id ${where.sql} order by p.date, p.id`).all(...where.args) as {
        id: number; date: string; receivedAt: string; customerId: number; customerName: string; method: string; reference: string | null; amount: number; refunded: number;
      }[];
    },
    insertRefund(r: { customerId: number; paymentId: number | null; amount: number; date: string; reason: string | null }, createdAt: string): number {
      if (r.paymentId !== null) s.addRefunded.run(r.amount, r.paymentId);
      return (s.insertRefund.get(r.customerId, r.paymentId, r.amount, r.date, r.reason, createdAt) as { id: number }).id;
    },
    refund(id: number): RefundRow | null {
      return (s.refund.get(id) as RefundRow | undefined) ?? null;
    },
    refundsOfPayment(paymentId: number): RefundRow[] {
      return s.refundsOfPayment.all(paymentId) as RefundRow[];
    },

    // ---- credit notes

    creditNote(id: number): CreditNoteRow | null {
      return (s.creditNote.get(id) as CreditNoteRow | undefined) ?? null;
    },
    creditNoteLines(id: number): CreditNoteLine[] {
      return (s.creditNoteLines.all(id) as Row[]).map((r) => ({ ...(r as unknown as CreditNoteLine), taxInclusive: bool(r.taxInclusive) }));
    },
    creditNoteLinesOfInvoice(invoiceId: number): CreditNoteLine[] {
      return (s.creditNoteLinesOfInvoice.all(invoiceId) as Row[]).map((r) => ({ ...(r as unknown as CreditNoteLine), taxInclusive: bool(r.taxInclusive) }));
    },
    insertCreditNote(
      note: { customerId: number; invoiceId: number; issueDate: string; currency: string; reason: string | null },
      n: { number: string; series: string; year: number; sequence: number },
      draft: CreditNoteDraft,
      createdAt: string,
      /** Per line, the fact the run credits (see credit_note_lines.line_key); none for an operator's note. */
      facts: readonly { key: string; serviceId: number | null; periodStart: string | null; periodEnd: string | null }[] = [],
    ): number {
      const { id } = s.insertCreditNote.get({ ...note, ...n, net: draft.net, tax: draft.tax, total: draft.total, createdAt }) as { id: number };
      draft.lines.forEach((l, position) => {
        const f = facts[position];
        s.insertCreditNoteLine.run({
          creditNoteId: id, position, ...l, lineKey: f?.key ?? null, serviceId: f?.serviceId ?? null, periodStart: f?.periodStart ?? null,
          periodEnd: f?.periodEnd ?? null, taxInclusive: l.taxInclusive ? 1 : 0,
        });
      });
      return id;
    },
    listCreditNotes(f: PeriodFilter & { invoiceId?: number | undefined }, limit: number, afterId: number | null): CreditNoteRow[] {
      const where = periodWhere('issue_date', 'customer_id', f).when(f.invoiceId, 'invoice_id = ?');
      if (afterId !== null) where.add('id > ?', afterId);
      const sql = `select ${NOTE_COLS} from credit_notes ${where.sql} order by id limit ?`;
      return c.prepare(sql).all(...where.args, limit) as CreditNoteRow[];
    },
    /** Credit notes of a period, one row per tax rate, for exports. */
    creditNoteTaxRows(f: PeriodFilter) {
      const where = periodWhere('n.issue_date', 'n.customer_id', f);
      return c.prepare(`select n.number, n.issue_date as issueDate, i.number as invoiceNumber, n.customer_id as customerId, cu.name as customerName,
          cu.tax_id as taxId, n.currency, l.tax_rate_bp as taxRateBp, sum(l.net) as net, sum(l.tax) as tax, sum(l.gross) as gross, n.total, n.reason
        from credit_notes n join credit_note_lines l on l.credit_note_id = n.id join invoices i on i.id = n.invoice_id join customers cu on cu.id = n.customer_id ${where.sql}
        group by n.id, l.tax_rate_bp order by n.issue_date, n.number, l.tax_rate_bp`).all(...where.args) as {
        number: string; issueDate: string; invoiceNumber: string; customerId: number; customerName: string; taxId: string | null; currency: string;
        taxRateBp: number; net: number; tax: number; gross: number; total: number; reason: string | null;
      }[];
    },

    // ---- the ledger

    /** Every event of a customer's account in the order it happened (date, then recording order). */
    statementEvents(customerId: number): { type: 'invoice' | 'payment' | 'credit_note' | 'refund'; id: number; number: string | null; date: string; dueDate: string | null; amount: number; invoiceId: number | null }[] {
      return s.statementEvents.all({ id: customerId }) as never;
    },
    ledgerTotals(customerId: number): { invoiced: number; paid: number; creditNoted: number; refunded: number; open: number; credit: number } {
      return s.ledgerTotals.get({ id: customerId }) as never;
    },
  };
}
