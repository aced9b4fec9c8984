/**
 * The payment store: the customer's account. Payments, refunds and credit notes, the allocations
 * that settle invoices with them, the credit a customer holds, and the ledger read back from them.
 * It writes the settlement columns of invoices (paid, credited, open), never what an invoice bills.
 */
import type { CreditNoteDraft, CreditNoteLine, InvoiceAccount } from '../../domain/billing/payments.js';
import { dialectSql } from '../dialect.js';
import type { SqlClient } from '../sql.js';
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

const PAYMENT_COLS = `id, customer_id as "customerId", amount, method, reference, received_at as "receivedAt", date, refunded, created_at as "createdAt"`;
const NOTE_COLS = `id, customer_id as "customerId", invoice_id as "invoiceId", number, issue_date as "issueDate", currency, net, tax, total, reason, created_at as "createdAt"`;
const REFUND_COLS = `id, customer_id as "customerId", payment_id as "paymentId", amount, date, reason, created_at as "createdAt"`;
const NOTE_LINE_COLS = (a: string) => `${a}credits_key as "creditsKey", ${a}description, ${a}amount, ${a}tax_rate_bp as "taxRateBp",
  ${a}tax_inclusive as "taxInclusive", ${a}vat_nature as "vatNature", ${a}vat_legal_ref as "vatLegalRef", ${a}net, ${a}tax, ${a}gross`;

type StatementEvent = { type: 'invoice' | 'payment' | 'credit_note' | 'refund'; id: number; number: string | null; date: string; dueDate: string | null; amount: number; invoiceId: number | null };
type LedgerTotals = { invoiced: number; paid: number; creditNoted: number; refunded: number; open: number; credit: number };
type PaymentExportRow = { id: number; date: string; receivedAt: string; customerId: number; customerName: string; method: string; reference: string | null; amount: number; refunded: number };
type NoteTaxRow = {
  number: string; issueDate: string; invoiceNumber: string; customerId: number; customerName: string; taxId: string | null; currency: string;
  taxRateBp: number; net: number; tax: number; gross: number; total: number; reason: string | null;
};
/** The payments list's filters: customer, period (date received) and method. */
export type PaymentFilter = PeriodFilter & { method?: string | undefined };
type Allocation = { id: number; paymentId: number | null; amount: number; date: string };

function noteLine(r: Row): CreditNoteLine {
  return { ...(r as unknown as CreditNoteLine), taxInclusive: bool(r.taxInclusive) };
}

export type PaymentStore = ReturnType<typeof paymentStore>;

export function paymentStore(sql: SqlClient) {
  const d = dialectSql(sql.dialect);
  const p = <R = Row>(text: string) => sql.prepare<R>(text);

  const s = {
    credits: p<{ id: number; credit: number }>(`select customer_id as id, credit from customer_accounts where credit > 0 and customer_id in (${d.idList})`),
    credit: p<{ credit: number }>(`select credit from customer_accounts where customer_id = ?`),
    ensureAccount: p(`insert into customer_accounts (customer_id) values (?) on conflict (customer_id) do nothing`),
    setCredit: p(`update customer_accounts set credit = ?, updated_at = ? where customer_id = ?`),

    openInvoices: p<InvoiceRow>(`select ${INVOICE_COLS} from invoices where customer_id = ? and open > 0 order by due_date, issue_date, number`),
    settle: p(`update invoices set paid = ?, credited = ?, open = ? where id = ?`),
    settledInvoices: p<InvoiceRow>(`select ${INVOICE_COLS} from invoices where customer_id = ? and paid > 0 order by due_date, issue_date, number`),
    paymentAllocationNet: p<{ invoiceId: number; amount: number }>(`select invoice_id as "invoiceId", sum(amount) as amount from payment_allocations where payment_id = ? group by invoice_id`),
    insertAllocation: p(`insert into payment_allocations (invoice_id, payment_id, amount, date) values (?, ?, ?, ?)`),
    allocationsOf: p<Allocation>(`select a.id, a.payment_id as "paymentId", a.amount, a.date from payment_allocations a where a.invoice_id = ? order by a.id`),

    payment: p<PaymentRow>(`select ${PAYMENT_COLS} from payments where id = ?`),
    insertPayment: p<{ id: number }>(`insert into payments (customer_id, amount, method, reference, received_at, date, refunded, created_at)
      values (?, ?, ?, ?, ?, ?, 0, ?) returning id`),
    addRefunded: p(`update payments set refunded = refunded + ? where id = ?`),
    insertRefund: p<{ id: number }>(`insert into refunds (customer_id, payment_id, amount, date, reason, created_at) values (?, ?, ?, ?, ?, ?) returning id`),
    refund: p<RefundRow>(`select ${REFUND_COLS} from refunds where id = ?`),
    refundsOfPayment: p<RefundRow>(`select ${REFUND_COLS} from refunds where payment_id = ? order by id`),

    creditNote: p<CreditNoteRow>(`select ${NOTE_COLS} from credit_notes where id = ?`),
    creditNoteLines: p(`select ${NOTE_LINE_COLS('')} from credit_note_lines where credit_note_id = ? order by position`),
    creditNoteLinesOfInvoice: p(`select ${NOTE_LINE_COLS('l.')}
      from credit_note_lines l join credit_notes n on n.id = l.credit_note_id where n.invoice_id = ? order by n.id, l.position`),
    insertCreditNote: p<{ id: number }>(`insert into credit_notes (customer_id, invoice_id, number, series, year, sequence, issue_date, currency, net, tax, total, reason, created_at)
      values (@customerId, @invoiceId, @number, @series, @year, @sequence, @issueDate, @currency, @net, @tax, @total, @reason, @createdAt) returning id`),
    insertCreditNoteLine: p(`insert into credit_note_lines (credit_note_id, position, credits_key, line_key, service_id, period_start, period_end,
        description, amount, tax_rate_bp, tax_inclusive, vat_nature, vat_legal_ref, net, tax, gross)
      values (@creditNoteId, @position, @creditsKey, @lineKey, @serviceId, @periodStart, @periodEnd, @description, @amount, @taxRateBp, @taxInclusive,
        @vatNature, @vatLegalRef, @net, @tax, @gross)`),

    // The first branch's null is typed: PostgreSQL resolves a union's column types branch by branch.
    statementEvents: p<StatementEvent>(`
      select 'invoice' as type, id, number, issue_date as date, due_date as "dueDate", total as amount, cast(null as bigint) as "invoiceId", created_at as at from invoices where customer_id = @id
      union all select 'payment', id, null, date, null, amount, null, created_at from payments where customer_id = @id
      union all select 'credit_note', id, number, issue_date, null, total, invoice_id, created_at from credit_notes where customer_id = @id
      union all select 'refund', id, null, date, null, amount, null, created_at from refunds where customer_id = @id
      order by date, at, type, id`),
    ledgerTotals: p<LedgerTotals>(`select
      (select coalesce(sum(total), 0) from invoices where customer_id = @id) as invoiced,
      (select coalesce(sum(amount), 0) from payments where customer_id = @id) as paid,
      (select coalesce(sum(total), 0) from credit_notes where customer_id = @id) as "creditNoted",
      (select coalesce(sum(amount), 0) from refunds where customer_id = @id) as refunded,
      (select coalesce(sum(open), 0) from invoices where customer_id = @id) as open,
      (select coalesce(credit, 0) from customer_accounts where customer_id = @id) as credit`),
  };

  return {
    ...billingBase(sql),

    // ---- credit

    /** Customers of the list holding credit, with how much. */
    async credits(customerIds: readonly number[]): Promise<Map<number, number>> {
      return new Map((await s.credits.all(ids(customerIds))).map((r) => [r.id, r.credit]));
    },
    async credit(customerId: number): Promise<number> {
      return (await s.credit.get(customerId))?.credit ?? 0;
    },
    async setCredit(customerId: number, credit: number, at: string): Promise<void> {
      await s.ensureAccount.run(customerId);
      await s.setCredit.run(credit, at, customerId);
    },

    // ---- settlement

    /** Invoices still owed, oldest first, as the account domain sees them. */
    async openInvoices(customerId: number): Promise<InvoiceAccount[]> {
      return (await s.openInvoices.all(customerId)).map(toAccount);
    },
    /** Invoices that payments or credit settled, in part or whole. */
    async settledInvoices(customerId: number): Promise<InvoiceAccount[]> {
      return (await s.settledInvoices.all(customerId)).map(toAccount);
    },
    /** What a payment still settles, per invoice (its allocations net of reversals). */
    async paymentAllocationNet(paymentId: number): Promise<Map<number, number>> {
      return new Map((await s.paymentAllocationNet.all(paymentId)).map((r) => [r.invoiceId, r.amount]));
    },
    async settleInvoice(inv: InvoiceAccount): Promise<void> {
      await s.settle.run(inv.paid, inv.credited, inv.open, inv.invoiceId);
    },
    async insertAllocation(invoiceId: number, paymentId: number | null, amount: number, date: string): Promise<void> {
      await s.insertAllocation.run(invoiceId, paymentId, amount, date);
    },
    allocationsOf(invoiceId: number): Promise<Allocation[]> {
      return s.allocationsOf.all(invoiceId);
    },

    // ---- payments and refunds

    async payment(id: number): Promise<PaymentRow | null> {
      return (await s.payment.get(id)) ?? null;
    },
    async insertPayment(p: { customerId: number; amount: number; method: string; reference: string | null; receivedAt: string; date: string }, createdAt: string): Promise<number> {
      return (await s.insertPayment.get(p.customerId, p.amount, p.method, p.reference, p.receivedAt, p.date, createdAt))!.id;
    },
    listPayments(f: PaymentFilter, limit: number, afterId: number | null): Promise<PaymentRow[]> {
      const where = periodWhere('date', 'customer_id', f).when(f.method, 'method = ?');
      if (afterId !== null) where.add('id > ?', afterId);
      return sql.all<PaymentRow>(`select ${PAYMENT_COLS} from payments ${where.sql} order by id limit ?`, ...where.args, limit);
    },
    /** The list's filters summed per method over every match, largest amount first. */
    paymentTotals(f: PaymentFilter): Promise<Array<{ method: string; count: number; amount: number; refunded: number }>> {
      const where = periodWhere('date', 'customer_id', f).when(f.method, 'method = ?');
      return sql.all<{ method: string; count: number; amount: number; refunded: number }>(
        `select method, count(*) as "count", coalesce(sum(amount), 0) as "amount", coalesce(sum(refunded), 0) as "refunded"
          from payments ${where.sql} group by method order by 3 desc, method`, ...where.args);
    },
    /** Payments of a period with the customer's name, for exports. */
    paymentRows(f: PeriodFilter): Promise<PaymentExportRow[]> {
      const where = periodWhere('p.date', 'p.customer_id', f);
      return sql.all<PaymentExportRow>(`select p.id, p.date, p.received_at as "receivedAt", p.customer_id as "customerId", cu.name as "customerName", p.method, p.reference,
          p.amount, p.refunded from payments p join customers cu on cu.id = p.customer_id ${where.sql} order by p.date, p.id`, ...where.args);
    },
    async insertRefund(r: { customerId: number; paymentId: number | null; amount: number; date: string; reason: string | null }, createdAt: string): Promise<number> {
      if (r.paymentId !== null) await s.addRefunded.run(r.amount, r.paymentId);
      return (await s.insertRefund.get(r.customerId, r.paymentId, r.amount, r.date, r.reason, createdAt))!.id;
    },
    async refund(id: number): Promise<RefundRow | null> {
      return (await s.refund.get(id)) ?? null;
    },
    refundsOfPayment(paymentId: number): Promise<RefundRow[]> {
      return s.refundsOfPayment.all(paymentId);
    },

    // ---- credit notes

    async creditNote(id: number): Promise<CreditNoteRow | null> {
      return (await s.creditNote.get(id)) ?? null;
    },
    async creditNoteLines(id: number): Promise<CreditNoteLine[]> {
      return (await s.creditNoteLines.all(id)).map(noteLine);
    },
    async creditNoteLinesOfInvoice(invoiceId: number): Promise<CreditNoteLine[]> {
      return (await s.creditNoteLinesOfInvoice.all(invoiceId)).map(noteLine);
    },
    async insertCreditNote(
      note: { customerId: number; invoiceId: number; issueDate: string; currency: string; reason: string | null },
      n: { number: string; series: string; year: number; sequence: number },
      draft: CreditNoteDraft,
      createdAt: string,
      /** Per line, the fact the run credits (see credit_note_lines.line_key); none for an operator's note. */
      facts: readonly { key: string; serviceId: number | null; periodStart: string | null; periodEnd: string | null }[] = [],
    ): Promise<number> {
      const { id } = (await s.insertCreditNote.get({ ...note, ...n, net: draft.net, tax: draft.tax, total: draft.total, createdAt }))!;
      for (let position = 0; position < draft.lines.length; position++) {
        const l = draft.lines[position]!;
        const f = facts[position];
        await s.insertCreditNoteLine.run({
          creditNoteId: id, position, creditsKey: l.creditsKey, description: l.description, amount: l.amount, taxRateBp: l.taxRateBp,
          taxInclusive: l.taxInclusive, vatNature: l.vatNature ?? null, vatLegalRef: l.vatLegalRef ?? null, net: l.net, tax: l.tax, gross: l.gross,
          lineKey: f?.key ?? null, serviceId: f?.serviceId ?? null, periodStart: f?.periodStart ?? null, periodEnd: f?.periodEnd ?? null,
        });
      }
      return id;
    },
    listCreditNotes(f: PeriodFilter & { invoiceId?: number | undefined }, limit: number, afterId: number | null): Promise<CreditNoteRow[]> {
      const where = periodWhere('issue_date', 'customer_id', f).when(f.invoiceId, 'invoice_id = ?');
      if (afterId !== null) where.add('id > ?', afterId);
      return sql.all<CreditNoteRow>(`select ${NOTE_COLS} from credit_notes ${where.sql} order by id limit ?`, ...where.args, limit);
    },
    /** Credit notes of a period, one row per tax rate, for exports. */
    creditNoteTaxRows(f: PeriodFilter): Promise<NoteTaxRow[]> {
      const where = periodWhere('n.issue_date', 'n.customer_id', f);
      return sql.all<NoteTaxRow>(`select n.number, n.issue_date as "issueDate", i.number as "invoiceNumber", n.customer_id as "customerId", cu.name as "customerName",
          cu.tax_id as "taxId", n.currency, l.tax_rate_bp as "taxRateBp", sum(l.net) as net, sum(l.tax) as tax, sum(l.gross) as gross, n.total, n.reason
        from credit_notes n join credit_note_lines l on l.credit_note_id = n.id join invoices i on i.id = n.invoice_id join customers cu on cu.id = n.customer_id ${where.sql}
        group by n.id, l.tax_rate_bp, i.number, cu.name, cu.tax_id order by n.issue_date, n.number, l.tax_rate_bp`, ...where.args);
    },

    // ---- the ledger

    /** Every event of a customer's account in the order it happened (date, then recording order). */
    statementEvents(customerId: number): Promise<StatementEvent[]> {
      return s.statementEvents.all({ id: customerId });
    },
    async ledgerTotals(customerId: number): Promise<LedgerTotals> {
      return (await s.ledgerTotals.get({ id: customerId }))!;
    },
  };
}
