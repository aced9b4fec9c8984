/**
 * The invoice store: billing runs, document numbering, invoices and their lines (what was billed).
 *
 * The billing run reads whole chunks of customers per query (`in (select value from json_each(?))`)
 * and writes with prepared statements, because a run over 100,000 services must stay well under ten
 * seconds (a query built per call costs ~10× a prepared one).
 */
import type { BilledLine, DraftInvoice } from '../../domain/billing/invoicing.js';
import type { InvoiceAccount } from '../../domain/billing/payments.js';
import type { Db } from '../client.js';
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

export const INVOICE_COLS = `id, customer_id as customerId, number, issue_date as issueDate, due_date as dueDate, currency, net, tax, total, paid, credited, open, created_at as createdAt`;
const LINE_COLS = `id, invoice_id as invoiceId, position, key, kind, service_id as serviceId, description, period_start as periodStart,
  period_end as periodEnd, bill_date as billDate, amount, tax_rate_bp as taxRateBp, tax_inclusive as taxInclusive, net, tax, gross, applies_to as appliesTo`;

function lineRow(r: Row): InvoiceLineRow {
  return { ...(r as unknown as InvoiceLineRow), taxInclusive: bool(r.taxInclusive) };
}

export function toAccount(r: InvoiceRow): InvoiceAccount {
  return { invoiceId: r.id, number: r.number, issueDate: r.issueDate, dueDate: r.dueDate, total: r.total, paid: r.paid, credited: r.credited, open: r.open };
}

export type InvoiceStore = ReturnType<typeof invoiceStore>;

export function invoiceStore(db: Db) {
  const c = db.$client;
  const p = (sql: string) => c.prepare(sql);

  const s = {
    lastFinishedRun: p(`select max(run_date) as d from billing_runs where finished_at is not null`),
    getRun: p(`select run_date as runDate, started_at as startedAt, finished_at as finishedAt, invoices, lines, total, problems from billing_runs where run_date = ?`),
    startRun: p(`insert into billing_runs (run_date, started_at) values (?, ?) on conflict(run_date) do nothing`),
    finishRun: p(`update billing_runs set finished_at = ?, invoices = invoices + ?, lines = lines + ?, total = total + ?, problems = ? where run_date = ?`),
    addToRun: p(`update billing_runs set invoices = invoices + ?, lines = lines + ?, total = total + ? where run_date = ?`),

    // What was billed: invoice lines, and the facts the run credited on credit notes.
    billedKeys: p(`select key from invoice_lines where customer_id in (select value from json_each(?))
      union all select l.line_key from credit_note_lines l join credit_notes n on n.id = l.credit_note_id
      where l.line_key is not null and n.customer_id in (select value from json_each(?))`),
    invoiceOfLine: p(`select invoice_id as id from invoice_lines where key = ?`),
    // What a service was billed for days after its end (except the end's own credits), and its setup fee.
    billedAfter: p(`select 0 as src, id, key, description, period_start as periodStart, period_end as periodEnd, amount, tax_rate_bp as taxRateBp,
        tax_inclusive as taxInclusive, net, tax, gross
      from invoice_lines where service_id = @sid and (kind = 'setup' or (period_start > @date and kind not in ('end_credit', 'item_end_credit', 'early_termination')
      and (applies_to is null or applies_to not like '%:end:credit')))
      union all
      -- Credits the run issued on credit notes (a plan change's old plan), with the invoice line's sign.
      select 1, id, line_key, description, period_start, period_end, -amount, tax_rate_bp, tax_inclusive, -net, -tax, -gross
      from credit_note_lines where line_key is not null and service_id = @sid and period_start > @date
      order by src, id`),
    endCredited: p(`select 1 from invoice_lines where service_id = ? and kind in ('end_credit', 'item_end_credit', 'early_termination') limit 1`),

    nextSequence: p(`insert into number_series (prefix, year, last_sequence) values (?, ?, ?)
      on conflict(prefix, year) do update set last_sequence = last_sequence + excluded.last_sequence returning last_sequence as seq`),
    // Positional parameters: binding an object by name costs measurably more per row in a big run.
    insertInvoice: p(`insert into invoices (customer_id, number, series, year, sequence, issue_date, due_date, currency, net, tax, total, paid, credited, open, created_at)
      values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, ?, ?)`),
    insertLine: p(`insert into invoice_lines (invoice_id, customer_id, position, key, kind, service_id, description, period_start, period_end, bill_date,
      amount, tax_rate_bp, tax_inclusive, net, tax, gross, applies_to)
      values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),

    invoice: p(`select ${INVOICE_COLS} from invoices where id = ?`),
    invoiceLines: p(`select ${LINE_COLS} from invoice_lines where invoice_id = ? order by position`),
    customerDoc: p(`select name, address, tax_id as taxId, email from customers where id = ?`),
  };

  return {
    ...billingBase(db),

    // ---- billing runs

    lastFinishedRun(): string | null {
      return (s.lastFinishedRun.get() as { d: string | null }).d;
    },
    getRun(date: string): BillingRunRow | null {
      const r = s.getRun.get(date) as (Omit<BillingRunRow, 'problems'> & { problems: string }) | undefined;
      return r ? { ...r, problems: JSON.parse(r.problems) as unknown[] } : null;
    },
    startRun(date: string, at: string): void {
      s.startRun.run(date, at);
    },
    addToRun(date: string, invoices: number, lines: number, total: number): void {
      s.addToRun.run(invoices, lines, total, date);
    },
    finishRun(date: string, at: string, problems: unknown[]): void {
      s.finishRun.run(at, 0, 0, 0, JSON.stringify(problems), date);
    },

    // ---- what was billed

    billedKeys(customerIds: readonly number[]): Set<string> {
      const out = new Set<string>();
      const list = ids(customerIds);
      for (const k of s.billedKeys.pluck().iterate(list, list) as Iterable<string>) out.add(k);
      return out;
    },
    /** The invoice an issued line is on. */
    invoiceOfLine(key: string): number | null {
      return (s.invoiceOfLine.get(key) as { id: number } | undefined)?.id ?? null;
    },
    billedLinesAfter(serviceId: number, date: string): BilledLine[] {
      return (s.billedAfter.all({ sid: serviceId, date }) as Row[]).map(({ src: _src, id: _id, ...r }) => ({ ...(r as unknown as BilledLine), taxInclusive: bool(r.taxInclusive) }));
    },
    /** Whether lines for the service's end were billed (an end credit, a reversal, early termination). */
    endCredited(serviceId: number): boolean {
      return s.endCredited.get(serviceId) !== undefined;
    },

    // ---- numbering

    /** The next sequence of (prefix, year), taken in the caller's transaction. */
    nextSequence(prefix: string, year: number): number {
      return (s.nextSequence.get(prefix, year, 1) as { seq: number }).seq;
    },
    /**
     * Reserves `count` consecutive sequences of (prefix, year) and returns the first. Only for callers
     * that use every one of them in the same transaction, so the series stays gapless.
     */
    reserveSequences(prefix: string, year: number, count: number): number {
      return (s.nextSequence.get(prefix, year, count) as { seq: number }).seq - count + 1;
    },

    // ---- invoices

    insertInvoice(draft: DraftInvoice, n: { number: string; series: string; year: number; sequence: number }, createdAt: string): number {
      const id = Number(s.insertInvoice.run(
        draft.customerId, n.number, n.series, n.year, n.sequence, draft.issueDate, draft.dueDate, draft.currency,
        draft.net, draft.tax, draft.total, Math.max(draft.total, 0), createdAt,
      ).lastInsertRowid);
      for (let position = 0; position < draft.lines.length; position++) {
        const l = draft.lines[position]!;
        s.insertLine.run(
          id, draft.customerId, position, l.key, l.kind, l.serviceId ?? null, l.description, l.periodStart, l.periodEnd, l.billDate,
          l.amount, l.taxRateBp, l.taxInclusive ? 1 : 0, l.net, l.tax, l.gross, l.appliesTo ?? null,
        );
      }
      return id;
    },
    invoice(id: number): InvoiceRow | null {
      return (s.invoice.get(id) as InvoiceRow | undefined) ?? null;
    },
    invoiceLines(invoiceId: number): InvoiceLineRow[] {
      return (s.invoiceLines.all(invoiceId) as Row[]).map(lineRow);
    },
    listInvoices(f: InvoiceFilter, limit: number, afterId: number | null): InvoiceRow[] {
      const where = periodWhere('issue_date', 'customer_id', f);
      if (f.status === 'open') where.add('open > 0');
      if (f.status === 'paid') where.add('open = 0');
      if (afterId !== null) where.add('id > ?', afterId);
      const sql = `select ${INVOICE_COLS} from invoices ${where.sql} order by id limit ?`;
      return c.prepare(sql).all(...where.args, limit) as InvoiceRow[];
    },
    /** Invoices of a period, one row per tax rate, for exports. */
    invoiceTaxRows(f: PeriodFilter) {
      const where = periodWhere('i.issue_date', 'i.customer_id', f);
      return c.prepare(`select i.number, i.issue_date as issueDate, i.due_date as dueDate, i.customer_id as customerId, cu.name as customerName,
          cu.tax_id as taxId, i.currency, l.tax_rate_bp as taxRateBp, sum(l.net) as net, sum(l.tax) as tax, sum(l.gross) as gross, i.total, i.open
        from invoices i join invoice_lines l on l.invoice_id = i.id join customers cu on cu.id = i.customer_id ${where.sql}
        group by i.id, l.tax_rate_bp order by i.issue_date, i.number, l.tax_rate_bp`).all(...where.args) as {
        number: string; issueDate: string; dueDate: string; customerId: number; customerName: string; taxId: string | null; currency: string;
        taxRateBp: number; net: number; tax: number; gross: number; total: number; open: number;
      }[];
    },
    /** Who a document (invoice or credit note) is addressed to. */
    customerForDocument(id: number): { name: string; address: string | null; taxId: string | null; email: string | null } | null {
      return (s.customerDoc.get(id) as never) ?? null;
    },
  };
}
