/**
 * Billing services: the daily run, payments, refunds, credit notes and the statement, around the pure
 * domain. Each operation is one transaction (the billing run, one per chunk of customers); time comes
 * from the injected clock, never from the host.
 *
 * The run is state-driven: a date is done once its billing_runs row is finished, a later run first
 * runs every missed day in order (so each invoice carries the date it was due and numbers follow
 * dates), and the UNIQUE line key makes a run interrupted half-way finish exactly the rest.
 */
import { rateSummary } from '../domain/billing/document-tax.js';
import { addDays, dateInZone, parseDate, partsOf, type CalDate } from '../lib/calendar.js';
import type { Clock } from '../lib/clock.js';
import { notFound, said, TollgateError } from '../lib/errors.js';
import { formatMoney, minor } from '../lib/money.js';
import type { BillingStore, InvoiceRow } from '../db/billing.js';
import { toAccount } from '../db/billing.js';
import type { Actor } from '../db/crud.js';
import { generateInvoices, type BilledKeys, type BilledLine, type BillingProblem, type CustomerBilling, type DraftCorrection, type DraftInvoice } from '../domain/billing/invoicing.js';
import { formatDocumentNumber } from '../domain/billing/numbering.js';
import { effectiveEndDate } from '../domain/billing/terms.js';
import { promotionService } from './promotions.js';
import {
  accountStatement,
  applyAccountEvent,
  buildCreditNote,
  creditNoteOfCorrection,
  planRefund,
  type AccountEvent,
  type AccountState,
  type CreditNoteRequest,
  type InvoiceAccount,
} from '../domain/billing/payments.js';

export interface BillingOptions {
  store: BillingStore;
  clock: Clock;
  currency: string;
  timezone: string;
  /** Customers per transaction in the run: small enough not to hold the write lock for long. */
  chunkSize?: number;
  invoicePrefix?: string;
  creditNotePrefix?: string;
  /** Called after commit when the run changed services (closed ended contracts): RADIUS reloads. */
  onServicesChanged?: (serviceIds: number[]) => void;
  /** Called after each committed payment or credit note (dunning reactivates what it clears); must not throw. */
  onSettlement?: SettlementListener | undefined;
}

/** The actor of the changes the run makes by itself. */
const RUN_ACTOR: Actor = { id: 'billing-run' };

export interface DayResult {
  date: CalDate;
  invoices: number;
  /** Credit notes the run issued: credits of charges already invoiced (a downgrade, for one). */
  creditNotes: number;
  lines: number;
  total: number;
  problems: unknown[];
  /** Services whose last day of service had passed: now 'ended'. */
  closed: number[];
}

export interface RunResult {
  date: CalDate;
  /** True when a later date has already been run: nothing was done. */
  alreadyRun: boolean;
  /** Each day run now, in order (missed days first). */
  days: DayResult[];
}

export interface PaymentInput {
  customerId: number;
  amount: number;
  method: string;
  receivedAt: string;
  reference?: string | null;
  /** The invoice the payer named: settled first, the rest oldest first (undefined: oldest first). */
  invoiceId?: number | undefined;
}

/** Told after a payment or a credit note commits. */
export type SettlementListener = (customerId: number, event: { kind: 'payment' | 'credit_note'; id: number; amount: number }) => void;

type RunHook = (phase: 'chunk', date: CalDate, chunk: number) => void;

export type BillingService = ReturnType<typeof billingService>;

export function billingService(opts: BillingOptions) {
  const { store, clock } = opts;
  const chunkSize = opts.chunkSize ?? 500;
  const invoiceSeries = opts.invoicePrefix ?? 'INV';
  const noteSeries = opts.creditNotePrefix ?? 'CN';
  const at = () => clock.now().toISOString();
  const today = () => dateInZone(clock.now(), opts.timezone);
  const promotions = promotionService(store, clock);

  /**
   * Applies one account event and writes what changed: settlement columns of the invoices touched,
   * the allocations made, the customer's credit. `known` are invoices to consider besides the open
   * ones (a credit note's invoice, which may be paid already).
   */
  async function applyToAccount(customerId: number, event: AccountEvent, known: InvoiceAccount[] = []): Promise<AccountState> {
    const credit = await store.credit(customerId);
    const selfId = event.type === 'invoice' ? event.id : null;
    const open = (await store.openInvoices(customerId)).filter((i) => i.invoiceId !== selfId);
    for (const k of known) if (!open.some((o) => o.invoiceId === k.invoiceId)) open.push(k);
    const before: AccountState = { invoices: open, credit, allocations: [], invoiced: 0, paid: 0, creditNoted: 0, refunded: 0 };
    const after = applyAccountEvent(before, event);
    for (const inv of after.invoices) {
      const prev = open.find((o) => o.invoiceId === inv.invoiceId);
      if (!prev || prev.paid !== inv.paid || prev.open !== inv.open || prev.credited !== inv.credited) await store.settleInvoice(inv);
    }
    for (const a of after.allocations) {
      await store.insertAllocation(a.invoiceId as number, a.source.type === 'payment' ? (a.source.paymentId as number) : null, a.amount, a.date);
    }
    if (after.credit !== credit) await store.setCredit(customerId, after.credit, at());
    return after;
  }

  /** Issues `sequence` of the series to a draft; `hasCredit` false lets an invoice skip settlement. */
  async function issue(draft: DraftInvoice, year: number, sequence: number, hasCredit: boolean, stamp: string): Promise<number> {
    const number = formatDocumentNumber({ prefix: invoiceSeries }, year, sequence);
    const id = await store.insertInvoice(draft, { number, series: invoiceSeries, year, sequence }, stamp);
    // Most invoices meet no credit: the row already says open = total, nothing to settle.
    if (draft.total >= 0 && !hasCredit) return id;
    await applyToAccount(draft.customerId as number, { type: 'invoice', id, number, date: draft.issueDate, dueDate: draft.dueDate, total: draft.total });
    return id;
  }

  /**
   * Issues the credit notes of one customer's corrections: one per invoice corrected, numbered in the
   * credit-note series of the run's year, dated the run date, applied to the account like an
   * operator's note. A correction that cannot be issued (its invoice is already credited beyond it) is
   * a problem for the operator, and its lines stay unbilled.
   */
  async function issueCorrections(c: DraftCorrection, stamp: string, problems: unknown[]): Promise<{ id: number; total: number }[]> {
    const byInvoice = new Map<number, DraftCorrection['lines'][number][]>();
    for (const l of c.lines) {
      const invoiceId = await store.invoiceOfLine(l.against);
      if (invoiceId === null) throw new Error(`billing: ${l.line.key} corrects ${l.against}, which no invoice holds`);
      byInvoice.set(invoiceId, [...(byInvoice.get(invoiceId) ?? []), l]);
    }
    const issued: { id: number; total: number }[] = [];
    for (const [invoiceId, lines] of byInvoice) {
      const invoice = (await store.invoice(invoiceId))!;
      const draft = creditNoteOfCorrection(lines);
      if (invoice.credited + draft.total > invoice.total) {
        problems.push({ customerId: invoice.customerId, serviceId: lines[0]!.line.serviceId, code: 'credit_note_exceeds_invoice', message: `invoice ${invoice.number} has ${formatMoney(invoice.total - invoice.credited, opts.currency)} left to credit, less than the ${formatMoney(draft.total, opts.currency)} due back` });
        continue;
      }
      const year = partsOf(c.issueDate).year;
      const sequence = await store.nextSequence(noteSeries, year);
      const number = formatDocumentNumber({ prefix: noteSeries }, year, sequence);
      const id = await store.insertCreditNote(
        // No reason of its own: the note is linked to the invoice it corrects, and every document
        // names that in its reader's language (the PDF's "Nota di credito … rettifica la fattura …").
        { customerId: invoice.customerId, invoiceId, issueDate: c.issueDate, currency: invoice.currency, reason: null },
        { number, series: noteSeries, year, sequence }, draft, stamp,
        lines.map(({ line }) => ({ key: line.key, serviceId: line.serviceId as number | null, periodStart: line.periodStart, periodEnd: line.periodEnd })),
      );
      await applyToAccount(invoice.customerId, { type: 'credit_note', id, date: c.issueDate, invoiceId, amount: draft.total }, [toAccount(invoice)]);
      await store.audit(RUN_ACTOR, stamp, 'create', 'credit_note', id, { number, invoice: invoice.number, total: draft.total });
      issued.push({ id, total: draft.total });
    }
    return issued;
  }

  /**
   * The generator over a chunk. It asks synchronously what a service was billed after its end (only
   * services with an end do), which the store answers asynchronously: a pass that asked for lines not
   * read yet is run again once they are (the generator is pure, so the last pass is the answer, and
   * the lines asked depend only on the contracts, so a second pass asks nothing new).
   */
  async function generate(date: CalDate, customers: CustomerBilling[], alreadyBilled: BilledKeys) {
    const read = new Map<string, readonly BilledLine[]>();
    for (;;) {
      const missing = new Map<string, { serviceId: number; endDate: CalDate }>();
      const out = generateInvoices({
        runDate: date, currency: opts.currency, customers, alreadyBilled,
        billedAfterEnd: (serviceId, endDate) => {
          const key = `${serviceId} ${endDate}`;
          const lines = read.get(key);
          if (lines) return lines;
          missing.set(key, { serviceId: Number(serviceId), endDate });
          return [];
        },
      });
      if (missing.size === 0) return out;
      for (const [key, m] of missing) read.set(key, await store.billedLinesAfter(m.serviceId, m.endDate));
    }
  }

  /**
   * One billing day, one transaction per chunk of customers; `between` runs after each chunk is
   * committed (the event loop's turn, a stop).
   */
  async function runDay(date: CalDate, between: () => Promise<void>, hook?: RunHook): Promise<DayResult> {
    await store.transaction(async () => {
      await store.startRun(date, at());
      // New contracts on a promoted plan get the promotion before their first period is billed.
      await promotions.applyToNewContracts(RUN_ACTOR);
    });
    const customerIds = await store.billableCustomers();
    const problems: (BillingProblem | { customerId: number; serviceId: number; reason: string })[] = [];
    let invoices = 0;
    let creditNotes = 0;
    let lines = 0;
    let total = 0;
    for (let i = 0; i < customerIds.length; i += chunkSize) {
      const chunk = customerIds.slice(i, i + chunkSize);
      const notes: { customerId: number; id: number; total: number }[] = [];
      await store.transaction(async () => {
        // Read inside the transaction: a run of the same date committed meanwhile (another process)
        // is already billed here, so this one emits only what is still missing.
        const { customers, skipped } = await store.loadCustomers(chunk, date);
        const out = await generate(date, customers, await store.billedKeys(chunk));
        problems.push(...out.problems, ...skipped);
        const stamp = at();
        // Credit notes first: what they give back is credit the day's invoice then takes.
        for (const c of out.corrections) {
          for (const note of await issueCorrections(c, stamp, problems)) notes.push({ customerId: c.customerId as number, ...note });
        }
        let n = 0;
        let l = 0;
        let t = 0;
        // All of a run's invoices share the run date, hence the year: one reservation per chunk, in
        // the same transaction as the invoices that use every number of it.
        const year = partsOf(date).year;
        let sequence = out.invoices.length > 0 ? await store.reserveSequences(invoiceSeries, year, out.invoices.length) : 0;
        const credits = out.invoices.length > 0 ? await store.credits(chunk) : new Map<number, number>();
        for (const note of notes) credits.set(note.customerId, 1);
        for (const draft of out.invoices) {
          await issue(draft, year, sequence++, credits.has(draft.customerId as number), stamp);
          n++;
          l += draft.lines.length;
          t += draft.total;
        }
        await store.addToRun(date, n, l, t);
        invoices += n;
        lines += l;
        total += t;
      });
      creditNotes += notes.length;
      for (const note of notes) settled(note.customerId, { kind: 'credit_note', id: note.id, amount: note.total });
      hook?.('chunk', date, i / chunkSize);
      await between();
    }
    const closed = await store.transaction(async () => {
      const ids = await closeEnded(date);
      await store.finishRun(date, at(), problems);
      return ids;
    });
    if (closed.length > 0) opts.onServicesChanged?.(closed);
    return { date, invoices, creditNotes, lines, total, problems, closed };
  }

  /**
   * Automatic close: a service still active or suspended whose last day of service (its end date,
   * or the end of a term that does not renew) is before `date` becomes 'ended'. It runs after the
   * day's invoices, so an arrears contract's final invoice (the day after its end) is already out.
   */
  async function closeEnded(date: CalDate): Promise<number[]> {
    const closed: number[] = [];
    for (const c of await store.closeCandidates()) {
      const billingStart = c.trialEndDate != null ? addDays(c.trialEndDate, 1) : c.startDate;
      const end = effectiveEndDate(billingStart, { termMonths: c.termMonths, autoRenew: c.autoRenew }, c.endDate);
      if (end === null || end >= date) continue;
      if (!(await store.setServiceStatus(c.serviceId, c.status, 'ended', at()))) continue;
      // A suspended contract that ends is no longer suspended: its suspension ends with it.
      const suspensionEnded = c.status === 'suspended' && (await store.endOpenSuspension(c.serviceId, date));
      await store.audit(RUN_ACTOR, at(), 'close', 'service', c.serviceId, { status: 'ended', previousStatus: c.status, lastDayOfService: end, runDate: date, ...(suspensionEnded ? { suspensionEnded: date } : {}) });
      closed.push(c.serviceId);
    }
    return closed;
  }

  async function runDays(dateInput: string, between: () => Promise<void>, hook?: RunHook): Promise<RunResult> {
    const date = parseDate(dateInput, 'date');
    const last = await store.lastFinishedRun();
    // The last date run may run again (facts recorded later that day get billed, dated that day);
    // an earlier date would issue numbers out of date order, so it is a no-op.
    if (last !== null && date < last) return { date, alreadyRun: true, days: [] };
    const days: DayResult[] = [];
    for (let d = last === null || last === date ? date : addDays(last, 1); d <= date; d = addDays(d, 1)) days.push(await runDay(d, between, hook));
    return { date, alreadyRun: false, days };
  }

  let running: Promise<unknown> = Promise.resolve();
  const settled: SettlementListener = (customerId, event) => opts.onSettlement?.(customerId, event);

  /**
   * A billing fact (a run date, a payment's date) may not be after today in the billing time zone:
   * a run dated ahead would issue numbered invoices, reminders and job dates nobody can take back.
   */
  function notAfterToday(date: CalDate, field: string): CalDate {
    const now = today();
    if (date > now) throw new TollgateError('date_in_future', said('fault.date.future', `${date} is after today (${now} in ${opts.timezone})`, { date, today: now, timezone: opts.timezone }), field);
    return date;
  }

  return {
    today,
    notAfterToday,

    /**
     * The billing run as of `date`: every missed day since the last finished run, in order, then
     * `date`. Running the last date again bills only what became due since (nothing, if no fact
     * changed); an earlier date is a no-op. With no run ever, only `date` runs (and bills everything
     * due up to it).
     */
    run(dateInput: string, hook?: RunHook): Promise<RunResult> {
      return runDays(dateInput, async () => undefined, hook);
    },

    /**
     * The same run, giving the event loop a turn between chunks (RADIUS keeps answering during a
     * long run: on SQLite the statements themselves never yield). Runs are serialised: a second
     * request waits for the first, then finds its date done.
     */
    runAsync(dateInput: string, signal?: AbortSignal): Promise<RunResult> {
      // Stopping between chunks is safe: what is committed stays, the next run bills the rest.
      const stopIfAborted = () => {
        if (signal?.aborted) throw new TollgateError('billing_run_aborted', 'the billing run was stopped between two chunks; the next run completes it');
      };
      const next = running.then(async () => {
        stopIfAborted();
        return runDays(dateInput, async () => {
          await new Promise<void>((resolve) => setImmediate(resolve));
          stopIfAborted();
        });
      });
      running = next.catch(() => undefined);
      return next;
    },

    lastRun: () => store.lastFinishedRun(),
    getRun: (date: string) => store.getRun(date),

    async recordPayment(input: PaymentInput, actor: Actor) {
      minor(input.amount, 'amount');
      if (input.amount <= 0) throw new TollgateError('invalid_input', said('fault.payment.positive', 'a payment amount must be positive'), 'amount');
      const received = new Date(input.receivedAt);
      if (Number.isNaN(received.getTime())) throw new TollgateError('invalid_input', said('fault.payment.receivedAt', 'receivedAt must be an ISO 8601 instant'), 'receivedAt');
      const receivedAt = received.toISOString();
      // Money not yet received cannot settle anything: a payment dated ahead is refused.
      const date = notAfterToday(dateInZone(received, opts.timezone), 'receivedAt');
      const recorded = await store.transaction(async () => {
        if (!(await store.customerExists(input.customerId))) throw new TollgateError('invalid_input', said('fault.noCustomer', `customer ${input.customerId} does not exist`, { id: String(input.customerId) }), 'customerId');
        if (input.invoiceId !== undefined && (await store.invoice(input.invoiceId))?.customerId !== input.customerId) {
          throw new TollgateError('invalid_input', said('fault.payment.otherInvoice', `invoice ${input.invoiceId} is not an invoice of customer ${input.customerId}`, { invoice: String(input.invoiceId), customer: String(input.customerId) }), 'invoiceId');
        }
        const id = await store.insertPayment({ customerId: input.customerId, amount: input.amount, method: input.method, reference: input.reference ?? null, receivedAt, date }, at());
        await applyToAccount(input.customerId, { type: 'payment', id, date, amount: input.amount, invoiceId: input.invoiceId });
        const payment = (await store.payment(id))!;
        await store.audit(actor, at(), 'create', 'payment', id, input.invoiceId === undefined ? payment : { ...payment, invoiceId: input.invoiceId });
        return payment;
      });
      settled(input.customerId, { kind: 'payment', id: recorded.id, amount: recorded.amount });
      return recorded;
    },

    /**
     * Pays back part or all of a payment. By default only money the customer holds as credit goes
     * back. With `reopenInvoices` the money goes back even though it settled invoices: the credit
     * held goes first, then the settlement is reversed newest invoice first (this payment's own
     * invoices before others), and those invoices are open again (payments.ts planRefund).
     */
    refundPayment(
      paymentId: number,
      input: { amount?: number | undefined; date?: string | undefined; reason?: string | null | undefined; reopenInvoices?: boolean | undefined },
      actor: Actor,
    ) {
      return store.transaction(async () => {
        const payment = await store.payment(paymentId);
        if (!payment) throw notFound('payment', paymentId);
        const refundable = payment.amount - payment.refunded;
        const credit = await store.credit(payment.customerId);
        const reopen = input.reopenInvoices === true;
        const amount = input.amount ?? (reopen ? refundable : Math.min(refundable, credit));
        minor(amount, 'amount');
        if (amount <= 0) {
          throw new TollgateError('conflict', reopen ? said('fault.refund.none', 'nothing to refund: this payment was refunded in full') : said('fault.refund.noCredit', 'nothing to refund: the customer holds no credit from this payment'), 'amount');
        }
        if (amount > refundable) throw new TollgateError('invalid_input', said('fault.refund.left', `at most ${formatMoney(refundable, opts.currency)} of this payment is left to refund`, { amount: formatMoney(refundable, opts.currency) }), 'amount');
        const date = input.date === undefined ? today() : parseDate(input.date, 'date');
        if (date < payment.date) throw new TollgateError('invalid_input', said('fault.refund.beforePayment', 'a refund cannot be dated before its payment'), 'date');
        const settled = reopen ? await store.settledInvoices(payment.customerId) : [];
        const net = reopen ? await store.paymentAllocationNet(paymentId) : new Map<number, number>();
        const plan = planRefund({
          amount, credit, reopen, currency: opts.currency,
          invoices: settled.map((i) => ({ ...i, fromPayment: Math.max(0, net.get(i.invoiceId as number) ?? 0) })),
        });
        const id = await store.insertRefund({ customerId: payment.customerId, paymentId, amount, date, reason: input.reason ?? null }, at());
        await applyToAccount(payment.customerId, { type: 'refund', id, date, amount, paymentId, reopen: plan.reopen }, settled);
        const refund = (await store.refund(id))!;
        await store.audit(actor, at(), 'refund', 'payment', paymentId, refund);
        return refund;
      });
    },

    async creditNote(invoiceId: number, request: CreditNoteRequest, input: { date?: string | undefined; reason?: string | null | undefined }, actor: Actor) {
      const created = await store.transaction(async () => {
        const invoice = await store.invoice(invoiceId);
        if (!invoice) throw notFound('invoice', invoiceId);
        const date = input.date === undefined ? today() : parseDate(input.date, 'date');
        if (date < invoice.issueDate) throw new TollgateError('invalid_input', said('fault.creditNote.beforeInvoice', 'a credit note cannot be dated before its invoice'), 'date');
        const draft = buildCreditNote(await store.invoiceLines(invoiceId), request, await store.creditNoteLinesOfInvoice(invoiceId));
        const year = partsOf(date).year;
        const sequence = await store.nextSequence(noteSeries, year);
        const number = formatDocumentNumber({ prefix: noteSeries }, year, sequence);
        const id = await store.insertCreditNote(
          { customerId: invoice.customerId, invoiceId, issueDate: date, currency: invoice.currency, reason: input.reason ?? null },
          { number, series: noteSeries, year, sequence }, draft, at(),
        );
        await applyToAccount(invoice.customerId, { type: 'credit_note', id, date, invoiceId, amount: draft.total }, [toAccount(invoice)]);
        const note = { ...(await store.creditNote(id))!, lines: await store.creditNoteLines(id) };
        await store.audit(actor, at(), 'create', 'credit_note', id, note);
        return note;
      });
      settled(created.customerId, { kind: 'credit_note', id: created.id, amount: created.total });
      return created;
    },

    /** The customer's statement: every event with a running balance, and the totals it adds up to. */
    async statement(customerId: number, range: { from?: string | undefined; to?: string | undefined } = {}) {
      if (!(await store.customerExists(customerId))) throw notFound('customer', customerId);
      const events = await store.statementEvents(customerId);
      const domainEvents: AccountEvent[] = events.map((e) =>
        e.type === 'invoice' ? { type: 'invoice', id: e.id, number: e.number!, date: e.date, dueDate: e.dueDate!, total: e.amount }
          : e.type === 'credit_note' ? { type: 'credit_note', id: e.id, date: e.date, invoiceId: e.invoiceId!, amount: e.amount }
            : { type: e.type, id: e.id, date: e.date, amount: e.amount });
      const entries = accountStatement(domainEvents).map((s, i) => ({ ...s, number: events[i]!.number }));
      const opening = entries.filter((e) => range.from !== undefined && e.date < range.from).at(-1)?.balance ?? 0;
      const shown = entries.filter((e) => (range.from === undefined || e.date >= range.from) && (range.to === undefined || e.date <= range.to));
      const t = await store.ledgerTotals(customerId);
      const balance = t.invoiced - t.paid - t.creditNoted + t.refunded;
      return {
        customerId,
        currency: opts.currency,
        openingBalance: opening,
        entries: shown,
        closingBalance: shown.at(-1)?.balance ?? opening,
        invoiced: t.invoiced,
        paid: t.paid,
        creditNoted: t.creditNoted,
        refunded: t.refunded,
        open: t.open,
        credit: t.credit,
        balance,
      };
    },

    /** Invariant check used by tests and an integrity endpoint: balance computed two ways. */
    async ledgerConsistent(customerId: number): Promise<boolean> {
      const t = await store.ledgerTotals(customerId);
      return t.invoiced - t.paid - t.creditNoted + t.refunded === t.open - t.credit;
    },

    async invoiceWithLines(id: number) {
      const inv = await store.invoice(id);
      if (!inv) return null;
      return withStatus(inv, await store.invoiceLines(id), await store.allocationsOf(id));
    },
  };
}

export function invoiceStatus(inv: Pick<InvoiceRow, 'open' | 'total' | 'paid' | 'credited'>): 'open' | 'paid' | 'credited' {
  if (inv.open > 0) return 'open';
  return inv.credited > 0 && inv.paid === 0 ? 'credited' : 'paid';
}

function withStatus<L extends { taxRateBp: number; vatNature?: string | null; net: number; tax: number; gross: number }, A>(inv: InvoiceRow, lines: L[], allocations: A[]) {
  return { ...inv, status: invoiceStatus(inv), lines, taxes: rateSummary(lines), allocations };
}
