import type { FastifyInstance } from 'fastify';
import { contractService } from '../../billing/contracts.js';
import { promotionService, type PromotionInput } from '../../billing/promotions.js';
import { invoiceStatus, type BillingService } from '../../billing/service.js';
import type { Discount } from '../../domain/billing/invoicing.js';
import type { CreditNoteRequest } from '../../domain/billing/payments.js';
import { billingStore, type InvoiceRow } from '../../db/billing.js';
import { nameLookup } from '../../db/names.js';
import { withCustomerNames, withServiceOwners } from '../names.js';
import type { SqlClient } from '../../db/sql.js';
import { decodeCursor, decodeSortCursor, encodeCursor, encodeSortCursor } from '../../db/crud.js';
import type { InvoiceSortField } from '../../db/billing/invoices.js';
import { parseDate } from '../../lib/calendar.js';
import type { Clock } from '../../lib/clock.js';
import { notFound, said, TollgateError } from '../../lib/errors.js';
import * as B from '../billing-schemas.js';
import { DocumentQuery, fileResponse, IdParams, pageOf, ProblemSchema } from '../schemas.js';
import { actorOf } from './crud.js';
import { creditNotesCsvRows, csv, invoicesCsvRows, paymentsCsvRows } from './billing-export.js';
import { creditNotePdf, invoicePdf, type DocumentLocale, type PdfSeller } from './billing-pdf.js';
import { receiptPdf } from './receipt-pdf.js';
import { isLocale, type Locale } from '../../i18n/locales.js';
import { because, type ServiceControl } from '../../nas/control.js';

export interface BillingRoutesOptions {
  sql: SqlClient;
  billing: BillingService;
  clock: Clock;
  timezone: string;
  /** The configured currency (payments carry none of their own). */
  currency: string;
  /** The seller printed on invoices and credit notes (the `[company]` config section). */
  company?: PdfSeller;
  /** The installation's language: documents of customers without one of their own. */
  defaultLanguage?: Locale;
  /** A plan change already in effect reaches live sessions through it (CoA with the new rate). */
  control?: ServiceControl;
  /** The whole daily sequence (billing, dunning, prepaid, caps) as of a date; absent: billing alone. */
  runDaily?: (date: string) => Promise<Awaited<ReturnType<BillingService['runAsync']>>>;
}

const errors = { 400: ProblemSchema, 401: ProblemSchema, 404: ProblemSchema, 409: ProblemSchema, 422: ProblemSchema };
const LIMIT_MAX = 500;

function page<T extends { id: number }>(rows: T[], limit: number) {
  const more = rows.length > limit;
  const items = rows.slice(0, limit);
  return { items, next: more ? encodeCursor(items[items.length - 1]!.id) : null };
}

const summary = (r: InvoiceRow) => ({ ...r, status: invoiceStatus(r) });

/** The billing API: invoices, payments, refunds, credit notes, statements, contract facts and the run. */
type DocumentQueryT = { lang?: Locale };

export async function billingRoutes(app: FastifyInstance, opts: BillingRoutesOptions): Promise<void> {
  /** A document's language: `?lang=`, else the customer's, else the installation's. */
  const documentLocale = (q: DocumentQueryT, customer: { language: string | null } | null): DocumentLocale => ({
    language: q.lang ?? (isLocale(customer?.language) ? customer.language : (opts.defaultLanguage ?? 'en')),
    timeZone: opts.timezone,
  });
  const store = billingStore(opts.sql);
  const names = nameLookup(opts.sql);
  const billing = opts.billing;
  const contracts = contractService(store, opts.clock, opts.timezone, opts.currency);
  const promotions = promotionService(store, opts.clock);
  /** A record named in the body that does not exist is bad input naming that field, not a 404 of the route. */
  const referenced = async <T>(field: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof TollgateError && e.code === 'not_found') throw new TollgateError('invalid_input', e.local ?? e.message, field);
      throw e;
    }
  };
  const lim = (l?: number) => Math.min(Math.max(l ?? 50, 1), LIMIT_MAX);
  const after = (c?: string) => (c ? decodeCursor(c) : null);

  // ---- invoices

  const inv = ['invoices'];
  app.get('/api/v1/invoices', { schema: { tags: inv, summary: 'List invoices; filter by customer, issue-date period and status', querystring: B.InvoiceListQuery, response: { 200: pageOf(B.InvoiceSummary), ...errors } } }, async (req) => {
    const q = req.query as { limit?: number; cursor?: string; customerId?: number; from?: string; to?: string; status?: 'open' | 'paid'; sort?: string };
    const limit = lim(q.limit);
    const field = (q.sort?.replace(/^-/, '') ?? 'id') as InvoiceSortField;
    const desc = q.sort?.startsWith('-') ?? false;
    const cursorAfter = !q.cursor ? undefined : field === 'id' ? { value: 0, id: decodeCursor(q.cursor) } : decodeSortCursor(q.cursor, field);
    if (cursorAfter && typeof cursorAfter.value !== (field === 'total' || field === 'open' || field === 'id' ? 'number' : 'string')) {
      throw new TollgateError('invalid_input', said('fault.cursor', 'the cursor is not one this API gave out for this sort'), 'cursor');
    }
    const rows = await store.listInvoices(q, limit + 1, null, { field, desc, after: cursorAfter });
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    const next = rows.length <= limit || !last ? null : field === 'id' ? encodeCursor(last.id) : encodeSortCursor(field, last[field], last.id);
    return { items: await withCustomerNames(names, items.map(summary)), next };
  });
  app.get('/api/v1/invoices/:id', { schema: { tags: inv, summary: 'An invoice with its lines, tax totals and what settled it', params: IdParams, response: { 200: B.Invoice, ...errors } } }, async (req) => {
    const { id } = req.params as { id: number };
    const found = await billing.invoiceWithLines(id);
    if (!found) throw notFound('invoice', id);
    return found;
  });
  app.get('/api/v1/invoices/:id/pdf', { schema: { tags: inv, summary: 'The invoice as a PDF document, in the customer\'s language unless ?lang= asks for another', params: IdParams, querystring: DocumentQuery, response: { 200: fileResponse('application/pdf', 'The invoice'), 404: ProblemSchema } } }, async (req, reply) => {
    const { id } = req.params as { id: number };
    const found = await billing.invoiceWithLines(id);
    if (!found) throw notFound('invoice', id);
    const customer = await store.customerForDocument(found.customerId);
    const pdf = await invoicePdf(found, customer, opts.company ?? null, documentLocale(req.query as DocumentQueryT, customer));
    return reply.type('application/pdf').header('content-disposition', `inline; filename="${found.number}.pdf"`).send(pdf);
  });

  // ---- CSV exports

  app.get('/api/v1/exports/invoices.csv', { schema: { tags: inv, summary: 'Invoices of a period as CSV (one row per invoice and tax rate)', querystring: B.ExportQuery } }, async (req, reply) => {
    const q = req.query as { customerId?: number; from?: string; to?: string };
    const rows = await invoicesCsvRows(store, q);
    return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="invoices.csv"').send(csv(rows));
  });
  app.get('/api/v1/exports/credit-notes.csv', { schema: { tags: ['credit-notes'], summary: 'Credit notes of a period as CSV (one row per note and tax rate)', querystring: B.ExportQuery } }, async (req, reply) => {
    const q = req.query as { customerId?: number; from?: string; to?: string };
    return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="credit-notes.csv"').send(csv(await creditNotesCsvRows(store, q)));
  });
  app.get('/api/v1/exports/payments.csv', { schema: { tags: ['payments'], summary: 'Payments of a period as CSV', querystring: B.ExportQuery } }, async (req, reply) => {
    const q = req.query as { customerId?: number; from?: string; to?: string };
    return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="payments.csv"').send(csv(await paymentsCsvRows(store, q)));
  });

  // ---- payments

  const pay = ['payments'];
  app.post('/api/v1/payments', { schema: { tags: pay, summary: 'Record a payment; it settles the oldest open invoices issued on or before its date first, the rest becomes credit (later invoices take it when issued); a payment received after today is refused (422 `date_in_future`, field receivedAt)', body: B.PaymentCreate, response: { 201: B.Payment, ...errors } } }, async (req, reply) => {
    const created = await billing.recordPayment(req.body as { customerId: number; amount: number; method: string; receivedAt: string; reference?: string | null; invoiceId?: number }, actorOf(req));
    return reply.code(201).header('location', `/api/v1/payments/${created.id}`).send(created);
  });
  app.get('/api/v1/payments', { schema: { tags: pay, summary: 'List payments; filter by customer, period (by the date received) and method', querystring: B.PaymentListQuery, response: { 200: pageOf(B.Payment), ...errors } } }, async (req) => {
    const q = req.query as { limit?: number; cursor?: string; customerId?: number; from?: string; to?: string; method?: string };
    const limit = lim(q.limit);
    const p = page(await store.listPayments(q, limit + 1, after(q.cursor)), limit);
    return { ...p, items: await withCustomerNames(names, p.items) };
  });
  app.get('/api/v1/payments/totals', { schema: { tags: pay, summary: "Totals of the payments list's filters, per method and in all: count, amount received, refunded, net", querystring: B.PaymentTotalsQuery, response: { 200: B.PaymentTotals, ...errors } } }, async (req) => {
    const q = req.query as { customerId?: number; from?: string; to?: string; method?: string };
    const byMethod = (await store.paymentTotals(q)).map((r) => ({ ...r, net: r.amount - r.refunded }));
    const total = byMethod.reduce((t, r) => ({ ...t, count: t.count + r.count, amount: t.amount + r.amount, refunded: t.refunded + r.refunded, net: t.net + r.net }), { method: q.method ?? '*', count: 0, amount: 0, refunded: 0, net: 0 });
    return { currency: opts.currency, from: q.from ?? null, to: q.to ?? null, total, byMethod };
  });
  app.get('/api/v1/payments/:id/pdf', { schema: { tags: pay, summary: 'The receipt of a payment as a PDF: amount, method, and the invoices it settled; in the customer\'s language unless ?lang= asks for another', params: IdParams, querystring: DocumentQuery, response: { 200: fileResponse('application/pdf', 'The receipt'), 404: ProblemSchema } } }, async (req, reply) => {
    const { id } = req.params as { id: number };
    const p = await store.payment(id);
    if (!p) throw notFound('payment', id);
    const settled: { invoiceNumber: string; amount: number }[] = [];
    for (const [invoiceId, amount] of await store.paymentAllocationNet(id)) {
      if (amount > 0) settled.push({ invoiceNumber: (await store.invoice(invoiceId))?.number ?? `#${invoiceId}`, amount });
    }
    const number = `R-${id}`;
    const customer = await store.customerForDocument(p.customerId);
    const pdf = await receiptPdf({ ...p, number, currency: opts.currency, settled }, customer, opts.company ?? null, documentLocale(req.query as DocumentQueryT, customer));
    return reply.type('application/pdf').header('content-disposition', `inline; filename="${number}.pdf"`).send(pdf);
  });
  app.get('/api/v1/payments/:id', { schema: { tags: pay, summary: 'A payment with its refunds', params: IdParams, response: { 200: B.PaymentWithRefunds, ...errors } } }, async (req) => {
    const { id } = req.params as { id: number };
    const p = await store.payment(id);
    if (!p) throw notFound('payment', id);
    return { ...p, refunds: await store.refundsOfPayment(id) };
  });
  app.post('/api/v1/payments/:id/refund', {
    schema: { tags: pay, summary: 'Pay back part or all of a payment: from the credit held, or (reopenInvoices) reversing what it settled', params: IdParams, body: B.RefundCreate, response: { 201: B.Refund, ...errors } },
  }, async (req, reply) => {
    const { id } = req.params as { id: number };
    const body = (req.body ?? {}) as { amount?: number; date?: string; reason?: string | null; reopenInvoices?: boolean };
    return reply.code(201).send(await billing.refundPayment(id, body, actorOf(req)));
  });

  // ---- credit notes

  const cn = ['credit-notes'];
  app.post('/api/v1/credit-notes', { schema: { tags: cn, summary: 'Credit an invoice, fully or by lines; issued with its own gapless number', body: B.CreditNoteCreate, response: { 201: B.CreditNote, ...errors } } }, async (req, reply) => {
    const b = req.body as { invoiceId: number; lines?: { key: string; amount?: number }[]; date?: string; reason?: string | null };
    const request: CreditNoteRequest = b.lines ? { kind: 'lines', lines: b.lines } : { kind: 'full' };
    const note = await referenced('invoiceId', () => billing.creditNote(b.invoiceId, request, { date: b.date, reason: b.reason }, actorOf(req)));
    return reply.code(201).header('location', `/api/v1/credit-notes/${note.id}`).send(note);
  });
  app.get('/api/v1/credit-notes', { schema: { tags: cn, summary: 'List credit notes', querystring: B.CreditNoteListQuery, response: { 200: pageOf(B.CreditNoteSummary), ...errors } } }, async (req) => {
    const q = req.query as { limit?: number; cursor?: string; customerId?: number; invoiceId?: number; from?: string; to?: string };
    const limit = lim(q.limit);
    const p = page(await store.listCreditNotes(q, limit + 1, after(q.cursor)), limit);
    return { ...p, items: await withCustomerNames(names, p.items) };
  });
  app.get('/api/v1/credit-notes/:id/pdf', { schema: { tags: cn, summary: 'The credit note as a PDF document, in the customer\'s language unless ?lang= asks for another', params: IdParams, querystring: DocumentQuery, response: { 200: fileResponse('application/pdf', 'The credit note'), 404: ProblemSchema } } }, async (req, reply) => {
    const { id } = req.params as { id: number };
    const note = await store.creditNote(id);
    if (!note) throw notFound('credit note', id);
    const invoice = (await store.invoice(note.invoiceId))!;
    const customer = await store.customerForDocument(note.customerId);
    const pdf = await creditNotePdf({ ...note, invoiceNumber: invoice.number, lines: await store.creditNoteLines(id) }, customer, opts.company ?? null, documentLocale(req.query as DocumentQueryT, customer));
    return reply.type('application/pdf').header('content-disposition', `inline; filename="${note.number}.pdf"`).send(pdf);
  });
  app.get('/api/v1/credit-notes/:id', { schema: { tags: cn, summary: 'A credit note with its lines', params: IdParams, response: { 200: B.CreditNote, ...errors } } }, async (req) => {
    const { id } = req.params as { id: number };
    const note = await store.creditNote(id);
    if (!note) throw notFound('credit note', id);
    return { ...note, lines: await store.creditNoteLines(id) };
  });

  // ---- statement

  app.get('/api/v1/customers/:id/statement', {
    schema: { tags: ['customers'], summary: "A customer's account statement: invoices, payments, credit notes and refunds with a running balance", params: IdParams, querystring: B.StatementQuery, response: { 200: B.Statement, ...errors } },
  }, async (req) => {
    const { id } = req.params as { id: number };
    return billing.statement(id, req.query as { from?: string; to?: string });
  });

  // ---- contract facts

  app.get('/api/v1/services/:id/billing', { schema: { tags: ['services'], summary: "A service's contract terms and dated plan changes", params: IdParams, response: { 200: B.Terms, ...errors } } }, async (req) => {
    return contracts.terms((req.params as { id: number }).id);
  });
  app.patch('/api/v1/services/:id/billing', { schema: { tags: ['services'], summary: "Change a service's contract terms (billing mode and day, trial, end date, setup fee, term, renewal, notice)", params: IdParams, body: B.TermsPatch, response: { 200: B.Terms, ...errors } } }, async (req) => {
    return contracts.setTerms((req.params as { id: number }).id, req.body as never, actorOf(req));
  });
  app.post('/api/v1/services/:id/cancel', {
    schema: {
      tags: ['services'],
      summary: 'Cancel a contract: notice on a date ends it per its term and notice period; an earlier end date pays the rest of the term',
      params: IdParams, body: B.CancelCreate, response: { 200: B.Cancellation, ...errors },
    },
  }, async (req) => {
    const b = (req.body ?? {}) as { noticeDate?: string; endDate?: string };
    return contracts.cancel((req.params as { id: number }).id, b, actorOf(req));
  });
  app.get('/api/v1/services/:id/cancel-quote', {
    schema: {
      tags: ['services'],
      summary: 'What a cancellation with these dates would do, changing nothing: the end date, the committed days after it and the early-termination charge, priced by the invoice generator',
      params: IdParams, querystring: B.CancelQuoteQuery, response: { 200: B.CancelQuote, ...errors },
    },
  }, async (req) => contracts.cancelQuote((req.params as { id: number }).id, req.query as { noticeDate?: string; endDate?: string }));
  app.post('/api/v1/services/:id/plan-changes', {
    schema: { tags: ['services'], summary: 'Change plan from a date: the period is prorated (credit of the old plan, charge of the new)', params: IdParams, body: B.PlanChangeCreate, response: { 201: B.Terms, ...errors } },
  }, async (req, reply) => {
    const b = req.body as { planId: number; effectiveDate: string };
    const id = (req.params as { id: number }).id;
    const planBefore = (await store.serviceRow(id))?.planId;
    const terms = await contracts.changePlan(id, b.planId, b.effectiveDate, actorOf(req));
    const planAfter = (await store.serviceRow(id))?.planId;
    if (opts.control && planAfter !== undefined && planAfter !== planBefore) {
      opts.control.refreshRate(id, { ...because(said('reason.action.planChanged', `plan changed from ${String(planBefore)} to ${planAfter}`, { from: String(planBefore), to: planAfter })), by: actorOf(req).id })
        .catch((err: unknown) => req.log.error({ err }, 'rate change after a plan change failed'));
    }
    return reply.code(201).send(terms);
  });

  const facts = ['billing'];
  app.post('/api/v1/recurring-items', { schema: { tags: facts, summary: 'A per-period extra of a service (equipment rent), prorated like its plan', body: B.ItemCreate, response: { 201: B.Item, ...errors } } }, async (req, reply) => {
    return reply.code(201).send(await referenced('serviceId', () => contracts.addItem(req.body as never, actorOf(req))));
  });
  app.get('/api/v1/recurring-items', { schema: { tags: facts, summary: 'Recurring items', querystring: B.ByServiceQuery, response: { 200: pageOf(B.Item), ...errors } } }, async (req) => {
    return { items: await store.listItems((req.query as { serviceId?: number }).serviceId), next: null };
  });
  app.post('/api/v1/charges', { schema: { tags: facts, summary: 'A one-off charge (or, negative, a goodwill credit) billed by the first run on or after its date', body: B.ChargeCreate, response: { 201: B.Charge, ...errors } } }, async (req, reply) => {
    return reply.code(201).send(await contracts.addCharge(req.body as never, actorOf(req)));
  });
  app.get('/api/v1/charges', { schema: { tags: facts, summary: 'One-off charges', querystring: B.ByCustomerQuery, response: { 200: pageOf(B.Charge), ...errors } } }, async (req) => {
    return { items: await store.listCharges((req.query as { customerId?: number }).customerId), next: null };
  });
  app.post('/api/v1/discounts', { schema: { tags: facts, summary: 'A percentage or fixed discount on an invoice, a service or an item, for N periods', body: B.DiscountCreate, response: { 201: B.Discount, ...errors } } }, async (req, reply) => {
    const b = req.body as { customerId: number; description: string; target: Discount['target']; percentBp?: number; amount?: number; startDate: string; periods?: number | null };
    if ((b.percentBp === undefined) === (b.amount === undefined)) {
      throw new TollgateError('invalid_input', said('fault.discount.oneOf', 'give exactly one of percentBp and amount'), b.percentBp === undefined ? 'percentBp' : 'amount');
    }
    const value: Discount['value'] = b.percentBp !== undefined ? { type: 'percent', bp: b.percentBp } : { type: 'fixed', amount: b.amount! };
    return reply.code(201).send(await contracts.addDiscount({ customerId: b.customerId, description: b.description, target: b.target, value, startDate: b.startDate, periods: b.periods ?? null }, actorOf(req)));
  });
  app.get('/api/v1/discounts', { schema: { tags: facts, summary: 'Discounts', querystring: B.ByCustomerQuery, response: { 200: pageOf(B.Discount), ...errors } } }, async (req) => {
    return { items: await store.listDiscounts((req.query as { customerId?: number }).customerId), next: null };
  });

  // ---- promotions (bulk discounts)

  const promo = ['billing'];
  /** A promotion with the customers of the services that have it, for the screen's list. */
  const withOwners = async <P extends { serviceIdsApplied: number[] }>(p: P) =>
    ({ ...p, servicesApplied: await withServiceOwners(names, p.serviceIdsApplied.map((serviceId) => ({ serviceId }))) });
  app.post('/api/v1/promotions', {
    schema: {
      tags: promo,
      summary: 'A discount in bulk: to every service of a plan (and optionally each new contract on it) or to a list of services; idempotent by key',
      body: B.PromotionCreate, response: { 200: B.PromotionWithServices, 201: B.PromotionWithServices, ...errors },
    },
  }, async (req, reply) => {
    const r = await promotions.create(req.body as PromotionInput, actorOf(req));
    return reply.code(r.created ? 201 : 200).header('location', `/api/v1/promotions/${r.promotion.id}`).send(await withOwners(r.promotion));
  });
  app.get('/api/v1/promotions', { schema: { tags: promo, summary: 'Promotions', querystring: B.PromotionListQuery, response: { 200: pageOf(B.Promotion), ...errors } } }, async (req) => {
    const q = req.query as { limit?: number; cursor?: string };
    const limit = lim(q.limit);
    return page(await promotions.list(limit + 1, after(q.cursor)), limit);
  });
  app.post('/api/v1/promotions/:id/end', {
    schema: {
      tags: promo,
      summary: 'End a promotion for new contracts: those starting after newUntil no longer get it; services that have it keep it. Only earlier than an end already set; the same date again changes nothing',
      params: IdParams, body: B.PromotionEnd, response: { 200: B.PromotionWithServices, ...errors },
    },
  }, async (req) => {
    const r = await promotions.endForNew((req.params as { id: number }).id, (req.body as { newUntil: string }).newUntil, actorOf(req));
    return withOwners(r.promotion);
  });
  app.get('/api/v1/promotions/:id', { schema: { tags: promo, summary: 'A promotion with the services that have its discount', params: IdParams, response: { 200: B.PromotionWithServices, ...errors } } }, async (req) => {
    return withOwners(await promotions.get((req.params as { id: number }).id));
  });

  // ---- the run

  app.post('/api/v1/billing/run', {
    schema: { tags: facts, summary: 'Run the daily billing as of a date, as the scheduler does: missed days first, idempotent; a date after today in the billing time zone is refused (422 `date_in_future`, nothing runs)', body: B.RunCreate, response: { 200: B.RunResult, ...errors } },
  }, async (req) => {
    const { date } = req.body as { date: string };
    // Before anything runs: a date ahead would issue invoices and move every job's last date.
    billing.notAfterToday(parseDate(date, 'date'), 'date');
    const result = opts.runDaily ? await opts.runDaily(date) : await billing.runAsync(date);
    if (!result.alreadyRun) await store.transaction(() => store.audit(actorOf(req), opts.clock.now().toISOString(), 'run', 'billing', date, { days: result.days.map((d) => ({ date: d.date, invoices: d.invoices, total: d.total })) }));
    return result;
  });
  app.get('/api/v1/billing/runs/:date', { schema: { tags: facts, summary: 'What the run of one date did', params: B.DateParams, response: { 200: B.RunRecord, ...errors } } }, async (req) => {
    const { date } = req.params as { date: string };
    const run = await store.getRun(date);
    if (!run) throw notFound('billing run', date);
    return run;
  });
}
