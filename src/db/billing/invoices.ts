/**
 * The invoice store: billing runs, document numbering, invoices and their lines (what was billed).
 *
 * The billing run reads whole chunks of customers per query (`in (${d.idList})`, one JSON-array
 * parameter) and writes with prepared statements, because a run over 100,000 services must stay well under ten
 * seconds (a query built per call costs ~10× a prepared one).
 */
import type { BilledLine, DraftInvoice } from '../../domain/billing/invoicing.js';
import type { InvoiceAccount } from '../../domain/billing/payments.js';
import { dialectSql } from '../dialect.js';
import type { SqlClient } from '../sql.js';
import { billingBase, bool, ids, periodWhere, type PeriodFilter, type Row } from './shared.js';

export interface InvoiceRow {
  id: number;
  customerId: number;
  number: string;
  issueDate: string;
  dueDate: string;
  currency: string;
  net: number;
  tax: number;
  total: number;
  paid: number;
  credited: number;
  open: number;
  createdAt: string;
}

export interface InvoiceLineRow {
  id: number;
  invoiceId: number;
  position: number;
  key: string;
  kind: string;
  serviceId: number | null;
  description: string;
  periodStart: string | null;
  periodEnd: string | null;
  billDate: string;
  amount: number;
  taxRateBp: number;
  taxInclusive: boolean;
  vatNature: string | null;
  vatLegalRef: string | null;
  net: number;
  tax: number;
  gross: number;
  appliesTo: string | null;
}

export interface BillingRunRow {
  runDate: string;
  startedAt: string;
  finishedAt: string | null;
  invoices: number;
  lines: number;
  total: number;
  problems: unknown[];
}

export interface InvoiceFilter {
  customerId?: number | undefined;
  from?: string | undefined;
  to?: string | undefined;
  status?: 'open' | 'paid' | undefined;
}

/** The fields the invoice list sorts by, and their columns (each NOT NULL; ties go by id). */
export const INVOICE_SORT = { id: 'id', issueDate: 'issue_date', dueDate: 'due_date', number: 'number', total: 'total', open: 'open' } as const;
export type InvoiceSortField = keyof typeof INVOICE_SORT;
export interface InvoiceOrder {
  field: InvoiceSortField;
  desc: boolean;
  /** The last row of the previous page: its sort value and id (keyset paging). */
  after?: { value: string | number; id: number } | undefined;
}

export const INVOICE_COLS = `id, customer_id as "customerId", number, issue_date as "issueDate", due_date as "dueDate", currency, net, tax, total, paid, credited, open, created_at as "createdAt"`;
const LINE_COLS = `id, invoice_id as "invoiceId", position, key, kind, service_id as "serviceId", description, period_start as "periodStart",
  period_end as "periodEnd", bill_date as "billDate", amount, tax_rate_bp as "taxRateBp", tax_inclusive as "taxInclusive",
  vat_nature as "vatNature", vat_legal_ref as "vatLegalRef", net, tax, gross, applies_to as "appliesTo"`;

function lineRow(r: Row): InvoiceLineRow {
  return { ...(r as unknown as InvoiceLineRow), taxInclusive: bool(r.taxInclusive) };
}

export function toAccount(r: InvoiceRow): InvoiceAccount {
  return { invoiceId: r.id, number: r.number, issueDate: r.issueDate, dueDate: r.dueDate, total: r.total, paid: r.paid, credited: r.credited, open: r.open };
}

export type InvoiceStore = ReturnType<typeof invoiceStore>;

type TaxRow = {
  number: string; issueDate: string; dueDate: string; customerId: number; customerName: string; taxId: string | null; currency: string;
  taxRateBp: number; net: number; tax: number; gross: number; total: number; open: number;
};

export function invoiceStore(sql: SqlClient) {
  const d = dialectSql(sql.dialect);
  const p = <R = Row>(text: string) => sql.prepare<R>(text);

  const s = {
    lastFinishedRun: p<{ d: string | null }>(`select max(run_date) as d from billing_runs where finished_at is not null`),
    getRun: p<Omit<BillingRunRow, 'problems'> & { problems: string }>(`select run_date as "runDate", started_at as "startedAt", finished_at as "finishedAt",
      invoices, lines, total, problems from billing_runs where run_date = ?`),
    startRun: p(`insert into billing_runs (run_date, started_at) values (?, ?) on conflict (run_date) do nothing`),
    finishRun: p(`update billing_runs set finished_at = ?, invoices = invoices + ?, lines = lines + ?, total = total + ?, problems = ? where run_date = ?`),
    addToRun: p(`update billing_runs set invoices = invoices + ?, lines = lines + ?, total = total + ? where run_date = ?`),

    // What was billed: invoice lines, and the facts the run credited on credit notes.
    billedKeys: p<{ key: string }>(`select key from invoice_lines where customer_id in (${d.idList})
      union all select l.line_key from credit_note_lines l join credit_notes n on n.id = l.credit_note_id
      where l.line_key is not null and n.customer_id in (${d.idList})`),
    invoiceOfLine: p<{ id: number }>(`select invoice_id as id from invoice_lines where key = ?`),
    // What a service was billed for days after its end (except the end's own credits), and its setup fee.
    billedAfter: p(`select 0 as src, id, key, description, period_start as "periodStart", period_end as "periodEnd", amount, tax_rate_bp as "taxRateBp",
        tax_inclusive as "taxInclusive", vat_nature as "vatNature", vat_legal_ref as "vatLegalRef", net, tax, gross, cast(null as text) as credits
      from invoice_lines where service_id = @sid and (kind = 'setup' or (period_start > @date and kind not in ('end_credit', 'item_end_credit', 'early_termination')
      and (applies_to is null or applies_to not like '%:end:credit')))
      union all
      -- Credits the run issued on credit notes (a plan change's old plan), with the invoice line's sign.
      select 1, id, line_key, description, period_start, period_end, -amount, tax_rate_bp, tax_inclusive, vat_nature, vat_legal_ref, -net, -tax, -gross, credits_key
      -- Not the end's own credits nor reversals, which the run also issues on credit notes.
      from credit_note_lines where line_key is not null and service_id = @sid and period_start > @date
        and line_key not like '%:end:credit' and line_key not like 'void:%'
      order by src, id`),
    endCredited: p(`select 1 as found from invoice_lines where service_id = ? and kind in ('end_credit', 'item_end_credit', 'early_termination') limit 1`),

    // The table's name qualifies the old value: PostgreSQL would not know which last_sequence is meant.
    nextSequence: p<{ seq: number }>(`insert into number_series (prefix, year, last_sequence) values (?, ?, ?)
      on conflict (prefix, year) do update set last_sequence = number_series.last_sequence + excluded.last_sequence returning last_sequence as seq`),
    // Positional parameters: binding an object by name costs measurably more per row in a big run.
    insertInvoice: p<{ id: number }>(`insert into invoices (customer_id, number, series, year, sequence, issue_date, due_date, currency, net, tax, total, paid, credited, open, created_at)
      values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, ?, ?) returning id`),
    insertLine: p(`insert into invoice_lines (invoice_id, customer_id, position, key, kind, service_id, description, period_start, period_end, bill_date,
      amount, tax_rate_bp, tax_inclusive, vat_nature, vat_legal_ref, net, tax, gross, applies_to)
      values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),

    invoice: p<InvoiceRow>(`select ${INVOICE_COLS} from invoices where id = ?`),
    invoiceLines: p(`select ${LINE_COLS} from invoice_lines where invoice_id = ? order by position`),
    customerDoc: p<{ name: string; address: string | null; taxId: string | null; email: string | null; language: string | null }>(
      `select name, address, tax_id as "taxId", email, language from customers where id = ?`),
  };

  return {
    ...billingBase(sql),

    // ---- billing runs

    async lastFinishedRun(): Promise<string | null> {
      return (await s.lastFinishedRun.get())?.d ?? null;
    },
    async getRun(date: string): Promise<BillingRunRow | null> {
      const r = await s.getRun.get(date);
      return r ? { ...r, problems: JSON.parse(r.problems) as unknown[] } : null;
    },
    async startRun(date: string, at: string): Promise<void> {
      await s.startRun.run(date, at);
    },
    async addToRun(date: string, invoices: number, lines: number, total: number): Promise<void> {
      await s.addToRun.run(invoices, lines, total, date);
    },
    async finishRun(date: string, at: string, problems: unknown[]): Promise<void> {
      await s.finishRun.run(at, 0, 0, 0, JSON.stringify(problems), date);
    },

    // ---- what was billed

    async billedKeys(customerIds: readonly number[]): Promise<Set<string>> {
      const list = ids(customerIds);
      const out = new Set<string>();
      for (const r of await s.billedKeys.all(list, list)) out.add(r.key);
      return out;
    },
    /** The invoice an issued line is on. */
    async invoiceOfLine(key: string): Promise<number | null> {
      return (await s.invoiceOfLine.get(key))?.id ?? null;
    },
    async billedLinesAfter(serviceId: number, date: string): Promise<BilledLine[]> {
      return (await s.billedAfter.all({ sid: serviceId, date })).map(({ src: _src, id: _id, credits, ...r }) => ({
        ...(r as unknown as BilledLine), taxInclusive: bool(r.taxInclusive), ...(typeof credits === 'string' ? { credits } : {}),
      }));
    },
    /** Whether lines for the service's end were billed (an end credit, a reversal, early termination). */
    async endCredited(serviceId: number): Promise<boolean> {
      return (await s.endCredited.get(serviceId)) !== undefined;
    },

    // ---- numbering

    /** The next sequence of (prefix, year), taken in the caller's transaction. */
    async nextSequence(prefix: string, year: number): Promise<number> {
      return (await s.nextSequence.get(prefix, year, 1))!.seq;
    },
    /**
     * Reserves `count` consecutive sequences of (prefix, year) and returns the first. Only for callers
     * that use every one of them in the same transaction, so the series stays gapless.
     */
    async reserveSequences(prefix: string, year: number, count: number): Promise<number> {
      return (await s.nextSequence.get(prefix, year, count))!.seq - count + 1;
    },

    // ---- invoices

    async insertInvoice(draft: DraftInvoice, n: { number: string; series: string; year: number; sequence: number }, createdAt: string): Promise<number> {
      const { id } = (await s.insertInvoice.get(
        draft.customerId, n.number, n.series, n.year, n.sequence, draft.issueDate, draft.dueDate, draft.currency,
        draft.net, draft.tax, draft.total, Math.max(draft.total, 0), createdAt,
      ))!;
      for (let position = 0; position < draft.lines.length; position++) {
        const l = draft.lines[position]!;
        await s.insertLine.run(
          id, draft.customerId, position, l.key, l.kind, l.serviceId ?? null, l.description, l.periodStart, l.periodEnd, l.billDate,
          l.amount, l.taxRateBp, l.taxInclusive, l.vatNature ?? null, l.vatLegalRef ?? null, l.net, l.tax, l.gross, l.appliesTo ?? null,
        );
      }
      return id;
    },
    async invoice(id: number): Promise<InvoiceRow | null> {
      return (await s.invoice.get(id)) ?? null;
    },
    async invoiceLines(invoiceId: number): Promise<InvoiceLineRow[]> {
      return (await s.invoiceLines.all(invoiceId)).map(lineRow);
    },
    /** A page of invoices in id order after `afterId`, or in `order` (keyset over the sort value and id). */
    async listInvoices(f: InvoiceFilter, limit: number, afterId: number | null, order?: InvoiceOrder): Promise<InvoiceRow[]> {
      const where = periodWhere('issue_date', 'customer_id', f);
      if (f.status === 'open') where.add('open > 0');
      if (f.status === 'paid') where.add('open = 0');
      const col = INVOICE_SORT[order?.field ?? 'id'];
      const dir = order?.desc ? 'desc' : 'asc';
      const cmp = order?.desc ? '<' : '>';
      if (col === 'id') {
        const after = order?.after?.id ?? afterId;
        if (after !== null) where.add(`id ${cmp} ?`, after);
      } else if (order?.after) {
        // A row value: both backends compare it as one key, and walk the (column, id) order of an index.
        where.add(`(${col}, id) ${cmp} (?, ?)`, order.after.value, order.after.id);
      }
      const by = col === 'id' ? `id ${dir}` : `${col} ${dir}, id ${dir}`;
      return sql.all<InvoiceRow>(`select ${INVOICE_COLS} from invoices ${where.sql} order by ${by} limit ?`, ...where.args, limit);
    },
    /** Invoices of a period, one row per tax rate, for exports. */
    async invoiceTaxRows(f: PeriodFilter): Promise<TaxRow[]> {
      const where = periodWhere('i.issue_date', 'i.customer_id', f);
      return sql.all<TaxRow>(`select i.number, i.issue_date as "issueDate", i.due_date as "dueDate", i.customer_id as "customerId", cu.name as "customerName",
          cu.tax_id as "taxId", i.currency, l.tax_rate_bp as "taxRateBp", sum(l.net) as net, sum(l.tax) as tax, sum(l.gross) as gross, i.total, i.open
        from invoices i join invoice_lines l on l.invoice_id = i.id join customers cu on cu.id = i.customer_id ${where.sql}
        group by i.id, l.tax_rate_bp, cu.name, cu.tax_id order by i.issue_date, i.number, l.tax_rate_bp`, ...where.args);
    },
    /** Who a document (invoice or credit note) is addressed to. */
    async customerForDocument(id: number): Promise<{ name: string; address: string | null; taxId: string | null; email: string | null; language: string | null } | null> {
      return (await s.customerDoc.get(id)) ?? null;
    },
  };
}
