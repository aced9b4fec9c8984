/**
 * Payments, customer credit, refunds, credit notes and the account statement, as pure functions.
 *
 * The account is a replay of its events (invoice issued, payment received, credit note issued,
 * refund paid) in the order they happened. The rules:
 * - A payment settles the oldest open invoices issued on or before its date first: by due date, then
 *   issue date, then number; a payment for a named invoice settles that one first, then the oldest. What is left over becomes customer credit. An invoice issued after the
 *   payment's date is never settled by the payment itself (a payment recorded late, dated before it).
 * - Credit is applied at once to open invoices, oldest first; so a customer never holds credit while
 *   owing, and the next invoice consumes credit the moment it is issued. Credit settling an invoice
 *   issued after the event that freed it is dated on the invoice's issue date: that is when it took it.
 * - A credit note reduces its invoice's open amount; whatever exceeds what was still open (the invoice
 *   was already paid) becomes credit. A note never credits more than the invoice's total.
 * - A refund pays credit back. A refund of a payment that settled invoices (money back to the
 *   customer) takes the credit held first and then reverses settlement, newest invoice first: first
 *   the invoices that payment settled, then any other settled invoice; each re-opens by what it is no
 *   longer paid (planRefund, reopenRoom). Without `reopen` a refund cannot exceed the credit held.
 * - An invoice with a negative total adds its amount to the credit. A plan change's credit of a
 *   charge already invoiced never makes one: it is a credit note against that invoice
 *   (creditNoteOfCorrection). End credits and reversals after a late end date still can.
 * Invariant: balance = invoices − payments − credit notes + refunds = Σ open − credit.
 *
 * Errors are thrown TollgateErrors with a code (e.g. `refund_exceeds_credit`), so the service can
 * refuse the request before anything is written.
 */
import type { CalDate } from '../../lib/calendar.js';
import { said, TollgateError } from '../../lib/errors.js';
import { formatMoney, minor, sum, taxLine, type Minor } from '../../lib/money.js';
import { summarizeTaxes, type CorrectionLine, type EntityId, type TaxSummary } from './invoicing.js';

// ---- allocation -----------------------------------------------------------------------------------

export interface OpenInvoice {
  readonly invoiceId: EntityId;
  readonly number: string;
  readonly issueDate: CalDate;
  readonly dueDate: CalDate;
  /** What is still owed, ≥ 0. */
  readonly open: Minor;
}

/** Oldest first: due date, then issue date, then number. */
export function compareForAllocation(
  a: Pick<OpenInvoice, 'dueDate' | 'issueDate' | 'number'>,
  b: Pick<OpenInvoice, 'dueDate' | 'issueDate' | 'number'>,
): number {
  if (a.dueDate !== b.dueDate) return a.dueDate < b.dueDate ? -1 : 1;
  if (a.issueDate !== b.issueDate) return a.issueDate < b.issueDate ? -1 : 1;
  return a.number < b.number ? -1 : a.number > b.number ? 1 : 0;
}

export interface AllocationResult {
  readonly allocations: readonly { readonly invoiceId: EntityId; readonly amount: Minor }[];
  /** The part of the amount no open invoice took (becomes credit). */
  readonly remaining: Minor;
}

/** Spreads `amount` over open invoices, oldest first, each up to what it still owes. */
export function allocateOldestFirst(amount: Minor, invoices: readonly OpenInvoice[]): AllocationResult {
  minor(amount);
  if (amount < 0) throw new TollgateError('invalid_amount', said('fault.payment.negative', 'an amount to allocate cannot be negative'), 'amount');
  let left = amount;
  const allocations: { invoiceId: EntityId; amount: Minor }[] = [];
  for (const inv of [...invoices].sort(compareForAllocation)) {
    if (left === 0) break;
    if (inv.open <= 0) continue;
    const take = Math.min(left, inv.open);
    allocations.push({ invoiceId: inv.invoiceId, amount: take });
    left -= take;
  }
  return { allocations, remaining: left };
}

// ---- account replay -------------------------------------------------------------------------------

export type AccountEvent =
  | { readonly type: 'invoice'; readonly id: EntityId; readonly number: string; readonly date: CalDate; readonly dueDate: CalDate; readonly total: Minor }
  | {
    readonly type: 'payment'; readonly id: EntityId; readonly date: CalDate; readonly amount: Minor;
    /** The invoice the payer named: settled first, the rest oldest first as usual. */
    readonly invoiceId?: EntityId | undefined;
  }
  | { readonly type: 'credit_note'; readonly id: EntityId; readonly date: CalDate; readonly invoiceId: EntityId; readonly amount: Minor }
  | {
    readonly type: 'refund'; readonly id: EntityId; readonly date: CalDate; readonly amount: Minor;
    /** The payment refunded: reversal allocations name it. */
    readonly paymentId?: EntityId;
    /** Settlement reversed per invoice (from planRefund); the rest of the amount comes from credit. */
    readonly reopen?: readonly { readonly invoiceId: EntityId; readonly amount: Minor }[];
  };

export interface InvoiceAccount {
  readonly invoiceId: EntityId;
  readonly number: string;
  readonly issueDate: CalDate;
  readonly dueDate: CalDate;
  readonly total: Minor;
  /** Settled by payments or credit. */
  readonly paid: Minor;
  /** Σ of credit notes against it (part may have gone to credit). */
  readonly credited: Minor;
  /** Still owed: total − paid − the part of credit notes that reduced it. */
  readonly open: Minor;
}

export type AllocationSource =
  | { readonly type: 'payment'; readonly paymentId: EntityId }
  | { readonly type: 'credit' };

export interface Allocation {
  readonly invoiceId: EntityId;
  readonly amount: Minor;
  readonly date: CalDate;
  readonly source: AllocationSource;
}

export interface AccountState {
  readonly invoices: readonly InvoiceAccount[];
  /** Customer credit (prepayment, overpayment, excess credit notes), ≥ 0. */
  readonly credit: Minor;
  readonly allocations: readonly Allocation[];
  readonly invoiced: Minor;
  readonly paid: Minor;
  readonly creditNoted: Minor;
  readonly refunded: Minor;
}

export const emptyAccount: AccountState = {
  invoices: [], credit: 0, allocations: [], invoiced: 0, paid: 0, creditNoted: 0, refunded: 0,
};

function positive(amount: Minor, field: string): Minor {
  minor(amount, field);
  if (amount <= 0) throw new TollgateError('invalid_amount', said('fault.amount.positive', `${field} must be positive`, { field }), field);
  return amount;
}

/**
 * Applies credit to open invoices, oldest first. Each allocation is dated `date`, or the invoice's
 * issue date when that is later (the invoice took the credit when it was issued).
 */
function settleWithCredit(invoices: InvoiceAccount[], credit: Minor, date: CalDate, allocations: Allocation[]): Minor {
  if (credit === 0) return 0;
  const r = allocateOldestFirst(credit, invoices.map((i) => ({ ...i })));
  for (const a of r.allocations) {
    const idx = invoices.findIndex((i) => i.invoiceId === a.invoiceId);
    const inv = invoices[idx]!;
    invoices[idx] = { ...inv, paid: inv.paid + a.amount, open: inv.open - a.amount };
    allocations.push({ invoiceId: a.invoiceId, amount: a.amount, date: inv.issueDate > date ? inv.issueDate : date, source: { type: 'credit' } });
  }
  return r.remaining;
}

/** The account after one more event; the input state is not modified. */
export function applyAccountEvent(state: AccountState, event: AccountEvent): AccountState {
  const invoices = [...state.invoices];
  const allocations = [...state.allocations];
  let credit = state.credit;
  let { invoiced, paid, creditNoted, refunded } = state;
  switch (event.type) {
    case 'invoice': {
      minor(event.total, 'total');
      if (invoices.some((i) => i.invoiceId === event.id)) {
        throw new TollgateError('duplicate_invoice', said('fault.payment.invoiceTwice', `invoice ${String(event.id)} is already on the account`, { id: String(event.id) }), 'id');
      }
      invoiced += event.total;
      const open = Math.max(event.total, 0);
      credit += open - event.total; // a negative total is a credit
      invoices.push({
        invoiceId: event.id, number: event.number, issueDate: event.date, dueDate: event.dueDate,
        total: event.total, paid: 0, credited: 0, open,
      });
      break;
    }
    case 'payment': {
      positive(event.amount, 'amount');
      paid += event.amount;
      // Only what was already invoiced on the payment's date; the rest waits as credit (below).
      const eligible = invoices.filter((i) => i.issueDate <= event.date);
      const chosen = event.invoiceId === undefined ? undefined : eligible.find((i) => i.invoiceId === event.invoiceId && i.open > 0);
      if (event.invoiceId !== undefined && !chosen) {
        throw new TollgateError('invalid_input', said('fault.payment.notOpen', `invoice ${String(event.invoiceId)} is not open on this account on ${event.date}`, { id: String(event.invoiceId), date: event.date }), 'invoiceId');
      }
      const first = chosen ? [{ invoiceId: chosen.invoiceId, amount: Math.min(event.amount, chosen.open) }] : [];
      const rest = allocateOldestFirst(event.amount - (first[0]?.amount ?? 0), eligible.filter((i) => i !== chosen));
      const r = { allocations: [...first, ...rest.allocations], remaining: rest.remaining };
      for (const a of r.allocations) {
        const idx = invoices.findIndex((i) => i.invoiceId === a.invoiceId);
        const inv = invoices[idx]!;
        invoices[idx] = { ...inv, paid: inv.paid + a.amount, open: inv.open - a.amount };
        allocations.push({ invoiceId: a.invoiceId, amount: a.amount, date: event.date, source: { type: 'payment', paymentId: event.id } });
      }
      credit += r.remaining;
      break;
    }
    case 'credit_note': {
      positive(event.amount, 'amount');
      const idx = invoices.findIndex((i) => i.invoiceId === event.invoiceId);
      if (idx < 0) throw new TollgateError('invoice_not_found', said('fault.payment.noInvoice', `no invoice ${String(event.invoiceId)} on this account`, { id: String(event.invoiceId) }), 'invoiceId');
      const inv = invoices[idx]!;
      if (inv.credited + event.amount > inv.total) {
        throw new TollgateError(
          'credit_note_exceeds_invoice',
          said('fault.creditNote.invoiceMax', `invoice ${inv.number} can be credited by at most ${inv.total - inv.credited}`, { number: inv.number, max: String(inv.total - inv.credited) }),
          'amount',
        );
      }
      creditNoted += event.amount;
      const reduce = Math.min(inv.open, event.amount);
      invoices[idx] = { ...inv, credited: inv.credited + event.amount, open: inv.open - reduce };
      credit += event.amount - reduce;
      break;
    }
    case 'refund': {
      positive(event.amount, 'amount');
      const reopen = event.reopen ?? [];
      const reopened = sum(reopen.map((r) => positive(r.amount, 'reopen.amount')));
      const fromCredit = event.amount - reopened;
      if (fromCredit < 0 || fromCredit > credit) {
        throw new TollgateError('refund_exceeds_credit', said('fault.refund.credit', `the customer holds ${credit} of credit, less than the refund`, { credit: String(credit) }), 'amount');
      }
      // Settlement is reversed only once all credit went back: otherwise it would settle them again.
      if (reopened > 0 && fromCredit !== credit) {
        throw new TollgateError('refund_reopens_with_credit', said('fault.refund.creditFirst', 'a refund re-opens invoices only after returning all the credit held'), 'amount');
      }
      for (const r of reopen) {
        const idx = invoices.findIndex((i) => i.invoiceId === r.invoiceId);
        if (idx < 0) throw new TollgateError('invoice_not_found', said('fault.payment.noInvoice', `no invoice ${String(r.invoiceId)} on this account`, { id: String(r.invoiceId) }), 'invoiceId');
        const inv = invoices[idx]!;
        if (r.amount > reopenRoom(inv)) {
          throw new TollgateError('refund_exceeds_settled', said('fault.refund.reopenMax', `invoice ${inv.number} can re-open by at most ${reopenRoom(inv)}`, { number: inv.number, max: String(reopenRoom(inv)) }), 'amount');
        }
        invoices[idx] = { ...inv, paid: inv.paid - r.amount, open: inv.open + r.amount };
        allocations.push({
          invoiceId: r.invoiceId, amount: -r.amount, date: event.date,
          source: event.paymentId !== undefined ? { type: 'payment', paymentId: event.paymentId } : { type: 'credit' },
        });
      }
      refunded += event.amount;
      credit -= fromCredit;
      break;
    }
  }
  credit = settleWithCredit(invoices, credit, event.date, allocations);
  return { invoices, credit, allocations, invoiced, paid, creditNoted, refunded };
}

/**
 * How much of an invoice's settlement can be reversed, each unit re-opening one unit: what it was
 * paid, when its credit notes all reduced it (credited ≤ total − paid). An invoice credited after it
 * was paid gave the excess to the customer's credit already; reversing it would re-open less than
 * it reverses, so it is left alone (0) and the refund looks to the credit and to other invoices.
 */
export function reopenRoom(inv: Pick<InvoiceAccount, 'total' | 'paid' | 'credited' | 'open'>): Minor {
  return inv.paid > 0 && inv.credited <= inv.total - inv.paid ? inv.paid : 0;
}

export interface RefundPlan {
  /** Paid back out of the credit held. */
  readonly fromCredit: Minor;
  /** Settlement reversed, per invoice, newest first. */
  readonly reopen: readonly { readonly invoiceId: EntityId; readonly amount: Minor }[];
}

/**
 * How a refund of `amount` is covered: the credit held first; then, when `reopen` is allowed, by
 * reversing settlement newest invoice first, the invoices this payment settled (`fromPayment`, its
 * net allocation to each) before any other. Throws `refund_exceeds_credit` (no re-open allowed) or
 * `refund_exceeds_settled` (not enough settled to reverse).
 */
export function planRefund(input: {
  amount: Minor;
  credit: Minor;
  /** For the amounts in the error messages, which people read. */
  currency: string;
  invoices: readonly (InvoiceAccount & { readonly fromPayment: Minor })[];
  reopen: boolean;
}): RefundPlan {
  positive(input.amount, 'amount');
  const fromCredit = Math.min(input.amount, input.credit);
  let rest = input.amount - fromCredit;
  if (rest > 0 && !input.reopen) {
    throw new TollgateError('refund_exceeds_credit', said('fault.refund.credit', `the customer holds ${formatMoney(input.credit, input.currency)} of credit, less than the refund`, { credit: formatMoney(input.credit, input.currency) }), 'amount');
  }
  const newestFirst = [...input.invoices].sort((a, b) => compareForAllocation(b, a));
  const taken = new Map<EntityId, Minor>();
  const phase = (eligible: (i: (typeof newestFirst)[number]) => Minor): void => {
    for (const inv of newestFirst) {
      if (rest === 0) return;
      const room = Math.min(eligible(inv), reopenRoom(inv) - (taken.get(inv.invoiceId) ?? 0));
      if (room <= 0) continue;
      const x = Math.min(rest, room);
      taken.set(inv.invoiceId, (taken.get(inv.invoiceId) ?? 0) + x);
      rest -= x;
    }
  };
  phase((i) => i.fromPayment);
  phase(() => Number.MAX_SAFE_INTEGER);
  if (rest > 0) {
    throw new TollgateError('refund_exceeds_settled', said('fault.refund.coverable', `only ${formatMoney(input.amount - rest, input.currency)} of the refund can be covered by credit and settled invoices`, { amount: formatMoney(input.amount - rest, input.currency) }), 'amount');
  }
  const reopen = newestFirst.filter((i) => taken.has(i.invoiceId)).map((i) => ({ invoiceId: i.invoiceId, amount: taken.get(i.invoiceId)! }));
  return { fromCredit, reopen };
}

export function replayAccount(events: readonly AccountEvent[], from: AccountState = emptyAccount): AccountState {
  return events.reduce(applyAccountEvent, from);
}

/** What the customer owes (negative: what we owe them) = Σ open − credit. */
export function accountBalance(state: AccountState): Minor {
  return sum(state.invoices.map((i) => i.open)) - state.credit;
}

export interface StatementEntry {
  readonly date: CalDate;
  readonly type: AccountEvent['type'];
  readonly id: EntityId;
  /** Signed effect on the balance: invoices and refunds +, payments and credit notes −. */
  readonly amount: Minor;
  readonly balance: Minor;
}

function signedAmount(e: AccountEvent): Minor {
  switch (e.type) {
    case 'invoice':
      return e.total;
    case 'payment':
      return -e.amount;
    case 'credit_note':
      return -e.amount;
    case 'refund':
      return e.amount;
  }
}

/**
 * The account statement: events in date order (ties keep the order given, which is the order they
 * were recorded) with a running balance. The last balance equals accountBalance(replayAccount(events)).
 */
export function accountStatement(events: readonly AccountEvent[], openingBalance: Minor = 0): StatementEntry[] {
  const ordered = events.map((e, i) => ({ e, i })).sort((a, b) => (a.e.date < b.e.date ? -1 : a.e.date > b.e.date ? 1 : a.i - b.i));
  let balance = minor(openingBalance, 'openingBalance');
  return ordered.map(({ e }) => {
    const amount = signedAmount(e);
    balance = balance + amount;
    minor(balance, 'balance');
    return { date: e.date, type: e.type, id: e.id, amount, balance };
  });
}

// ---- credit notes ---------------------------------------------------------------------------------

/** The parts of an issued invoice line a credit note needs. */
export interface CreditableLine {
  readonly key: string;
  readonly description: string;
  readonly amount: Minor;
  readonly taxRateBp: number;
  readonly taxInclusive: boolean;
  readonly vatNature?: string | null;
  readonly vatLegalRef?: string | null;
  readonly net: Minor;
  readonly tax: Minor;
  readonly gross: Minor;
}

export interface CreditNoteLine {
  /** The invoice line this reverses. */
  readonly creditsKey: string;
  readonly description: string;
  /** As priced (gross if inclusive): the same sign as the line it reverses. */
  readonly amount: Minor;
  readonly taxRateBp: number;
  readonly taxInclusive: boolean;
  /** The credited line's exemption nature, if any (FatturaPA). */
  readonly vatNature?: string | null;
  readonly vatLegalRef?: string | null;
  readonly net: Minor;
  readonly tax: Minor;
  readonly gross: Minor;
}

export type CreditNoteRequest =
  | { readonly kind: 'full' }
  /** Listed lines: the whole remaining line, or `amount` of it (as priced, same sign as the line). */
  | { readonly kind: 'lines'; readonly lines: readonly { readonly key: string; readonly amount?: Minor }[] };

export interface CreditNoteDraft {
  readonly lines: readonly CreditNoteLine[];
  readonly net: Minor;
  readonly tax: Minor;
  /** > 0: the amount of the `credit_note` account event. */
  readonly total: Minor;
  readonly taxes: readonly TaxSummary[];
}

/**
 * A credit note for an invoice: a full reversal, or chosen lines fully or partly. `previous` are the
 * lines of earlier credit notes on the same invoice; what they reversed cannot be reversed again.
 * Reversing the rest of a line takes exactly what remains of its net, tax and gross, so an invoice
 * credited in several steps is reversed to the cent; a partial amount is taxed as its own line.
 */
export function buildCreditNote(
  invoiceLines: readonly CreditableLine[],
  request: CreditNoteRequest,
  previous: readonly CreditNoteLine[] = [],
): CreditNoteDraft {
  const done = new Map<string, { amount: Minor; net: Minor; tax: Minor; gross: Minor }>();
  for (const p of previous) {
    const d = done.get(p.creditsKey) ?? { amount: 0, net: 0, tax: 0, gross: 0 };
    done.set(p.creditsKey, { amount: d.amount + p.amount, net: d.net + p.net, tax: d.tax + p.tax, gross: d.gross + p.gross });
  }
  const byKey = new Map(invoiceLines.map((l) => [l.key, l]));
  const wanted = request.kind === 'full' ? invoiceLines.map((l) => ({ key: l.key, amount: undefined as Minor | undefined })) : request.lines;
  const lines: CreditNoteLine[] = [];
  const seen = new Set<string>();
  for (const w of wanted) {
    const line = byKey.get(w.key);
    if (!line) throw new TollgateError('credit_note_line_unknown', said('fault.creditNote.noLine', `the invoice has no line ${w.key}`, { line: String(w.key) }), 'lines');
    if (seen.has(w.key)) throw new TollgateError('credit_note_line_repeated', said('fault.creditNote.lineTwice', `line ${w.key} is listed twice`, { line: String(w.key) }), 'lines');
    seen.add(w.key);
    const d = done.get(line.key) ?? { amount: 0, net: 0, tax: 0, gross: 0 };
    const rest = { amount: line.amount - d.amount, net: line.net - d.net, tax: line.tax - d.tax, gross: line.gross - d.gross };
    const base = {
      creditsKey: line.key, description: line.description, taxRateBp: line.taxRateBp, taxInclusive: line.taxInclusive,
      ...(line.vatNature != null ? { vatNature: line.vatNature, vatLegalRef: line.vatLegalRef ?? null } : {}),
    };
    if (w.amount === undefined || w.amount === rest.amount) {
      if (rest.amount === 0 && rest.gross === 0) {
        if (request.kind === 'full') continue; // already fully reversed by an earlier note
        throw new TollgateError('credit_note_line_exhausted', said('fault.creditNote.lineDone', `line ${w.key} is already fully credited`, { line: String(w.key) }), 'lines');
      }
      lines.push({ ...base, ...rest });
      continue;
    }
    minor(w.amount, 'amount');
    const sameSign = (w.amount > 0 && rest.amount > 0) || (w.amount < 0 && rest.amount < 0);
    if (!sameSign || Math.abs(w.amount) > Math.abs(rest.amount)) {
      throw new TollgateError('credit_note_exceeds_line', said('fault.creditNote.lineMax', `line ${w.key} can be credited by at most ${rest.amount}`, { line: String(w.key), max: String(rest.amount) }), 'amount');
    }
    lines.push({ ...base, amount: w.amount, ...taxLine(w.amount, line.taxRateBp, line.taxInclusive) });
  }
  const total = sum(lines.map((l) => l.gross));
  if (total <= 0) {
    throw new TollgateError('credit_note_not_positive', said('fault.creditNote.positive', 'a credit note must credit a positive total'), 'lines');
  }
  return {
    lines,
    net: sum(lines.map((l) => l.net)),
    tax: sum(lines.map((l) => l.tax)),
    total,
    taxes: summarizeTaxes(lines),
  };
}

/**
 * The credit note the billing run issues for credits of charges already invoiced (invoicing.ts
 * splitCorrections), all against one invoice: each credit line reverses, as issued, its own amount of
 * the charge it corrects (so the note's lines carry the charge's sign, positive), and a discount line
 * that followed its credit reverses the discount likewise (negative). Totals are sums of the lines.
 */
export function creditNoteOfCorrection(lines: readonly CorrectionLine[]): CreditNoteDraft {
  const out: CreditNoteLine[] = lines.map(({ line, creditsKey }) => ({
    creditsKey, description: line.description, amount: -line.amount, taxRateBp: line.taxRateBp, taxInclusive: line.taxInclusive,
    ...(line.vatNature != null ? { vatNature: line.vatNature, vatLegalRef: line.vatLegalRef ?? null } : {}),
    net: -line.net, tax: -line.tax, gross: -line.gross,
  }));
  const total = sum(out.map((l) => l.gross));
  if (total <= 0) throw new TollgateError('credit_note_not_positive', said('fault.creditNote.positive', 'a credit note must credit a positive total'), 'lines');
  return { lines: out, net: sum(out.map((l) => l.net)), tax: sum(out.map((l) => l.tax)), total, taxes: summarizeTaxes(out) };
}
