/**
 * An in-memory stand-in for the billing service: runs the pure generator day by day, keeps the billed
 * keys and gives gapless numbers at issue time, as the service does in SQLite.
 */
import { addDays, type CalDate } from '../../../src/lib/calendar.js';
import { generateInvoices, type CorrectionLine, type CustomerBilling, type DraftInvoice, type DraftLine } from '../../../src/domain/billing/invoicing.js';
import { nextDocumentNumber } from '../../../src/domain/billing/numbering.js';

export interface Issued extends DraftInvoice {
  readonly number: string;
}

/** A credit note the run issued: credits of charges already invoiced, against the invoice of `against`. */
export interface IssuedCorrection {
  readonly issueDate: CalDate;
  readonly against: string;
  readonly lines: readonly CorrectionLine[];
  /** What it gives back: Σ −gross of its lines, > 0. */
  readonly total: number;
}

export class Ledger {
  readonly billed = new Set<string>();
  readonly invoices: Issued[] = [];
  readonly creditNotes: IssuedCorrection[] = [];
  /** Credits due but held back by the last run, because no invoice could take them yet. */
  waiting: DraftLine[] = [];
  private readonly lastSeq = new Map<number, number>();

  constructor(public customers: CustomerBilling[], private readonly currency = 'EUR') {}

  /**
   * One billing run. `crashAfter` simulates a process dying after that many invoices were committed
   * (each invoice is its own commit here, the finest grain the service could have).
   */
  run(date: CalDate, crashAfter?: number): Issued[] {
    const out = generateInvoices({
      runDate: date, currency: this.currency, customers: this.customers, alreadyBilled: this.billed,
      // As the repository answers it: billed lines of the service after the end, end credits excluded.
      billedAfterEnd: (serviceId, endDate) => [
        ...this.invoices.flatMap((i) => i.lines).filter((l) =>
          l.serviceId === serviceId && (l.kind === 'setup' || (l.periodStart !== null && l.periodStart > endDate &&
          l.kind !== 'end_credit' && l.kind !== 'item_end_credit' && l.kind !== 'early_termination' && !(l.appliesTo ?? '').endsWith(':end:credit'))),
        ),
        // And the credits issued on credit notes, as their lines were drafted (not the end's own credits
        // nor reversals, which go on credit notes too).
        ...this.creditNotes.flatMap((n) => n.lines).filter(({ line: l }) => l.serviceId === serviceId && l.periodStart !== null && l.periodStart > endDate
          && !l.key.endsWith(':end:credit') && !l.key.startsWith('void:'))
          .map(({ line, creditsKey }) => ({ ...line, credits: creditsKey })),
      ],
    });
    const problems = out.problems.filter((p) => p.code !== 'credit_held_back');
    if (problems.length > 0) throw new Error(`billing problems: ${JSON.stringify(problems)}`);
    this.waiting = [...out.held];
    for (const c of out.corrections) {
      // One note per invoice corrected, as the service issues them (the invoice of the charge corrected).
      const invoiceOf = (key: string) => this.invoices.find((i) => i.lines.some((l) => l.key === key))!.number;
      const groups = new Map<string, CorrectionLine[]>();
      for (const l of c.lines) groups.set(invoiceOf(l.against), [...(groups.get(invoiceOf(l.against)) ?? []), l]);
      for (const [against, lines] of groups) {
        for (const l of lines) this.billed.add(l.line.key);
        this.creditNotes.push({ issueDate: c.issueDate, against, lines, total: -lines.reduce((t, l) => t + l.line.gross, 0) });
      }
    }
    const issued: Issued[] = [];
    for (const inv of out.invoices) {
      if (crashAfter !== undefined && issued.length >= crashAfter) break;
      const year = Number(inv.issueDate.slice(0, 4));
      const n = nextDocumentNumber({ prefix: 'INV' }, inv.issueDate, this.lastSeq.get(year) ?? null);
      this.lastSeq.set(year, n.sequence);
      for (const l of inv.lines) this.billed.add(l.key);
      const done = { ...inv, number: n.number };
      this.invoices.push(done);
      issued.push(done);
    }
    return issued;
  }

  /** Runs every day from `from` to `to` inclusive. */
  runDays(from: CalDate, to: CalDate): Issued[] {
    const all: Issued[] = [];
    for (let d = from; d <= to; d = addDays(d, 1)) all.push(...this.run(d));
    return all;
  }
}

/** The comparable content of issued invoices. */
export function shape(invoices: readonly Issued[]) {
  return invoices.map((i) => ({
    number: i.number, customerId: i.customerId, issueDate: i.issueDate, dueDate: i.dueDate, total: i.total, tax: i.tax,
    lines: i.lines.map((l) => [l.key, l.amount, l.net, l.tax, l.gross, l.periodStart, l.periodEnd].join('|')),
  }));
}
