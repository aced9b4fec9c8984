/**
 * The billing repository: every SQL statement the billing services need, prepared once.
 *
 * The billing run reads whole chunks of customers per query (`in (select value from json_each(?))`)
 * and writes with prepared statements, because a run over 100,000 services must stay well under ten
 * seconds (a query built per call costs ~10× a prepared one). Functions here do not open
 * transactions, except `transaction()` itself: the services decide what is atomic.
 */
import type Database from 'better-sqlite3';
import type { BillingDay } from '../domain/billing/periods.js';
import type {
  BilledLine,
  CustomerBilling,
  Discount,
  DraftInvoice,
  OneOffCharge,
  PlanTerms,
  RecurringItem,
  ServiceContract,
  Suspension,
} from '../domain/billing/invoicing.js';
import type { CreditNoteDraft, CreditNoteLine, InvoiceAccount } from '../domain/billing/payments.js';
import type { Db } from './client.js';
import type { Actor } from './crud.js';

type Row = Record<string, unknown>;

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

export interface BillingRunRow {
  runDate: string;
  startedAt: string;
  finishedAt: string | null;
  invoices: number;
  lines: number;
  total: number;
  problems: unknown[];
}

export interface ServiceTerms {
  startPlanId: number;
  billingPeriodMonths?: number | null;
  billingMode: 'advance' | 'arrears';
  billingDay: BillingDay;
  trialEndDate?: string | null;
  endDate?: string | null;
  setupFee?: number | null;
  termMonths?: number | null;
  autoRenew?: boolean;
  noticeDays?: number;
  noticeDate?: string | null;
}

export interface ItemRow {
  id: number;
  serviceId: number;
  description: string;
  amount: number;
  taxRateBp: number;
  taxInclusive: number | boolean;
  startDate: string | null;
  endDate: string | null;
  createdAt: string;
}

export interface ChargeRow {
  id: number;
  customerId: number;
  serviceId: number | null;
  description: string;
  amount: number;
  taxRateBp: number;
  taxInclusive: number | boolean;
  date: string;
  createdAt: string;
}

export interface InvoiceFilter {
  customerId?: number | undefined;
  from?: string | undefined;
  to?: string | undefined;
  status?: 'open' | 'paid' | undefined;
}

const bool = (v: unknown) => v === 1 || v === true;

const INVOICE_COLS = `id, customer_id as customerId, number, issue_date as issueDate, due_date as dueDate, currency, net, tax, total, paid, credited, open, created_at as createdAt`;
const LINE_COLS = `id, invoice_id as invoiceId, position, key, kind, service_id as serviceId, description, period_start as periodStart,
  period_end as periodEnd, bill_date as billDate, amount, tax_rate_bp as taxRateBp, tax_inclusive as taxInclusive, net, tax, gross, applies_to as appliesTo`;
const PAYMENT_COLS = `id, customer_id as customerId, amount, method, reference, received_at as receivedAt, date, refunded, created_at as createdAt`;
const NOTE_COLS = `id, customer_id as customerId, invoice_id as invoiceId, number, issue_date as issueDate, currency, net, tax, total, reason, created_at as createdAt`;
const ITEM_COLS = `id, service_id as serviceId, description, amount, tax_rate_bp as taxRateBp, tax_inclusive as taxInclusive, start_date as startDate, end_date as endDate, created_at as createdAt`;
const CHARGE_COLS = `id, customer_id as customerId, service_id as serviceId, description, amount, tax_rate_bp as taxRateBp, tax_inclusive as taxInclusive, date, created_at as createdAt`;
const DISCOUNT_COLS = `id, customer_id as customerId, description, target_kind as targetKind, service_id as serviceId, item_id as itemId,
  value_type as valueType, percent_bp as percentBp, amount, start_date as startDate, periods, promotion_id as promotionId, created_at as createdAt`;
const PROMO_COLS = `id, key, description, value_type as valueType, percent_bp as percentBp, amount, start_date as startDate, periods, plan_id as planId,
  service_ids as serviceIds, applies_to_new as appliesToNew, new_until as newUntil, created_at as createdAt`;
const PLAN_COLS = (a: string) => `${a}.id as planId, ${a}.name as planName, ${a}.price as price, ${a}.tax_rate_bp as taxRateBp, ${a}.tax_inclusive as taxInclusive, ${a}.type as planType`;

function planOf(r: Row): PlanTerms {
  return { planId: r.planId as number, name: r.planName as string, price: r.price as number, taxRateBp: r.taxRateBp as number, taxInclusive: bool(r.taxInclusive) };
}

function billingDayOf(v: string): BillingDay {
  return v === 'anniversary' || v === 'last' ? v : Number(v);
}

function lineRow(r: Row): InvoiceLineRow {
  return { ...(r as unknown as InvoiceLineRow), taxInclusive: bool(r.taxInclusive) };
}

/** A service whose dated plan change is due (the daily plan-changes job). */
export interface PlanSwitchRow {
  serviceId: number;
  /** services.plan_id now. */
  fromPlanId: number;
  status: string;
  /** The latest change effective by the date. */
  changeId: number;
  toPlanId: number;
  effectiveDate: string;
  superseded: boolean;
}

export type BillingStore = ReturnType<typeof billingStore>;

export function billingStore(db: Db) {
  const c: Database.Database = db.$client;
  const p = (sql: string) => c.prepare(sql);
  const ids = (list: readonly number[]) => JSON.stringify(list);

  const s = {
    lastFinishedRun: p(`select max(run_date) as d from billing_runs where finished_at is not null`),
    getRun: p(`select run_date as runDate, started_at as startedAt, finished_at as finishedAt, invoices, lines, total, problems from billing_runs where run_date = ?`),
    startRun: p(`insert into billing_runs (run_date, started_at) values (?, ?) on conflict(run_date) do nothing`),
    finishRun: p(`update billing_runs set finished_at = ?, invoices = invoices + ?, lines = lines + ?, total = total + ?, problems = ? where run_date = ?`),
    addToRun: p(`update billing_runs set invoices = invoices + ?, lines = lines + ?, total = total + ? where run_date = ?`),
    billableCustomers: p(`select distinct customer_id as id from services where status != 'proposal' and status != 'free'
      union select distinct customer_id from one_off_charges o where not exists (select 1 from invoice_lines l where l.key = 'charge:' || o.id)
      order by 1`),
    // The customer's billing profile (or the default profile) decides days until due and billing while suspended.
    accounts: p(`select c.id as customerId, coalesce(bp.days_until_due, a.days_until_due, 14) as daysUntilDue,
        coalesce(bp.bill_suspended, a.bill_suspended, 0) as billSuspended
      from customers c left join customer_accounts a on a.customer_id = c.id
      left join billing_profiles bp on bp.id = coalesce(c.billing_profile_id, (select id from billing_profiles where is_default = 1 order by id limit 1))
      where c.id in (select value from json_each(?)) order by c.id`),
    services: p(`select s.id as serviceId, s.customer_id as customerId, s.username, s.status, s.start_date as startDate,
        b.billing_period_months as contractMonths, coalesce(b.billing_mode, 'advance') as billingMode, coalesce(b.billing_day, 'anniversary') as billingDay,
        b.trial_end_date as trialEndDate, b.end_date as endDate, coalesce(b.setup_fee, p.setup_fee) as setupFee,
        b.term_months as termMonths, coalesce(b.auto_renew, 1) as autoRenew,
        p.billing_period_months as planMonths, ${PLAN_COLS('p')}
      from services s left join service_billing b on b.service_id = s.id join plans p on p.id = coalesce(b.start_plan_id, s.plan_id)
      where s.customer_id in (select value from json_each(?)) order by s.customer_id, s.id`),
    changes: p(`select pc.id, pc.service_id as serviceId, pc.effective_date as effectiveDate, ${PLAN_COLS('p')}
      from service_plan_changes pc join plans p on p.id = pc.plan_id join services s on s.id = pc.service_id
      where s.customer_id in (select value from json_each(?)) order by pc.service_id, pc.effective_date, pc.id`),
    suspensions: p(`select ss.service_id as serviceId, ss.from_date as "from", ss.to_date as "to" from service_suspensions ss join services s on s.id = ss.service_id
      where s.customer_id in (select value from json_each(?)) order by ss.service_id, ss.from_date`),
    items: p(`select i.id, i.service_id as serviceId, i.description, i.amount, i.tax_rate_bp as taxRateBp, i.tax_inclusive as taxInclusive, i.start_date as startDate, i.end_date as endDate
      from recurring_items i join services s on s.id = i.service_id where s.customer_id in (select value from json_each(?)) order by i.id`),
    charges: p(`select id, customer_id as customerId, service_id as serviceId, description, amount, tax_rate_bp as taxRateBp, tax_inclusive as taxInclusive, date
      from one_off_charges o where customer_id in (select value from json_each(?))
      and not exists (select 1 from invoice_lines l where l.key = 'charge:' || o.id) order by id`),
    discounts: p(`select id, customer_id as customerId, description, target_kind as targetKind, service_id as serviceId, item_id as itemId,
      value_type as valueType, percent_bp as percentBp, amount, start_date as startDate, periods
      from discounts where customer_id in (select value from json_each(?)) order by id`),
    billedKeys: p(`select key from invoice_lines where customer_id in (select value from json_each(?))`),
    // What a service was billed for days after its end (except the end's own credits), and its setup fee.
    billedAfter: p(`select key, description, period_start as periodStart, period_end as periodEnd, amount, tax_rate_bp as taxRateBp,
        tax_inclusive as taxInclusive, net, tax, gross
      from invoice_lines where service_id = ? and (kind = 'setup' or (period_start > ? and kind not in ('end_credit', 'item_end_credit', 'early_termination')
      and (applies_to is null or applies_to not like '%:end:credit'))) order by id`),

    nextSequence: p(`insert into number_series (prefix, year, last_sequence) values (?, ?, ?)
      on conflict(prefix, year) do update set last_sequence = last_sequence + excluded.last_sequence returning last_sequence as seq`),
    credits: p(`select customer_id as id, credit from customer_accounts where credit > 0 and customer_id in (select value from json_each(?))`),
    // Positional parameters: binding an object by name costs measurably more per row in a big run.
    insertInvoice: p(`insert into invoices (customer_id, number, series, year, sequence, issue_date, due_date, currency, net, tax, total, paid, credited, open, created_at)
      values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, ?, ?)`),
    insertLine: p(`insert into invoice_lines (invoice_id, customer_id, position, key, kind, service_id, description, period_start, period_end, bill_date,
      amount, tax_rate_bp, tax_inclusive, net, tax, gross, applies_to)
      values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),

    credit: p(`select credit from customer_accounts where customer_id = ?`),
    ensureAccount: p(`insert into customer_accounts (customer_id) values (?) on conflict(customer_id) do nothing`),
    setCredit: p(`update customer_accounts set credit = ?, updated_at = ? where customer_id = ?`),
    openInvoices: p(`select ${INVOICE_COLS} from invoices where customer_id = ? and open > 0 order by due_date, issue_date, number`),
    settle: p(`update invoices set paid = ?, credited = ?, open = ? where id = ?`),
    settledInvoices: p(`select ${INVOICE_COLS} from invoices where customer_id = ? and paid > 0 order by due_date, issue_date, number`),
    paymentAllocationNet: p(`select invoice_id as invoiceId, sum(amount) as amount from payment_allocations where payment_id = ? group by invoice_id`),
    insertAllocation: p(`insert into payment_allocations (invoice_id, payment_id, amount, date) values (?, ?, ?, ?)`),

    customerExists: p(`select 1 from customers where id = ?`),
    invoice: p(`select ${INVOICE_COLS} from invoices where id = ?`),
    invoiceLines: p(`select ${LINE_COLS} from invoice_lines where invoice_id = ? order by position`),
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
    insertCreditNoteLine: p(`insert into credit_note_lines (credit_note_id, position, credits_key, description, amount, tax_rate_bp, tax_inclusive, net, tax, gross)
      values (@creditNoteId, @position, @creditsKey, @description, @amount, @taxRateBp, @taxInclusive, @net, @tax, @gross)`),

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

    audit: p(`insert into audit_log (at, actor, actor_ip, action, entity, entity_id, before, after) values (?, ?, ?, ?, ?, ?, null, ?)`),
    serviceRow: p(`select id, customer_id as customerId, plan_id as planId, status from services where id = ?`),
    planRow: p(`select id, type from plans where id = ?`),
    planMonths: p(`select billing_period_months as m from plans where id = ?`),
    endCredited: p(`select 1 from invoice_lines where service_id = ? and kind in ('end_credit', 'item_end_credit', 'early_termination') limit 1`),
    terms: p(`select service_id as serviceId, start_plan_id as startPlanId, billing_period_months as billingPeriodMonths, billing_mode as billingMode,
      billing_day as billingDay, trial_end_date as trialEndDate, end_date as endDate, setup_fee as setupFee,
      term_months as termMonths, auto_renew as autoRenew, notice_days as noticeDays, notice_date as noticeDate from service_billing where service_id = ?`),
    customerDoc: p(`select name, address, tax_id as taxId, email from customers where id = ?`),
    serviceStart: p(`select start_date as d from services where id = ?`),
    latestChange: p(`select max(effective_date) as d from service_plan_changes where service_id = ?`),
    upsertTerms: p(`insert into service_billing (service_id, start_plan_id, billing_period_months, billing_mode, billing_day, trial_end_date, end_date, setup_fee,
        term_months, auto_renew, notice_days, notice_date, updated_at)
      values (@serviceId, @startPlanId, @billingPeriodMonths, @billingMode, @billingDay, @trialEndDate, @endDate, @setupFee,
        @termMonths, @autoRenew, @noticeDays, @noticeDate, @at)
      on conflict(service_id) do update set start_plan_id = excluded.start_plan_id, billing_period_months = excluded.billing_period_months,
      billing_mode = excluded.billing_mode, billing_day = excluded.billing_day, trial_end_date = excluded.trial_end_date,
      end_date = excluded.end_date, setup_fee = excluded.setup_fee, term_months = excluded.term_months, auto_renew = excluded.auto_renew,
      notice_days = excluded.notice_days, notice_date = excluded.notice_date, updated_at = excluded.updated_at`),
    // Services still open whose contract may have reached its end (an end date, or a non-renewing term).
    closeCandidates: p(`select s.id as serviceId, s.status, s.start_date as startDate, b.trial_end_date as trialEndDate, b.end_date as endDate,
        b.term_months as termMonths, b.auto_renew as autoRenew
      from services s join service_billing b on b.service_id = s.id
      where s.status in ('active', 'suspended') and (b.end_date is not null or (b.term_months is not null and b.auto_renew = 0))`),
    setServiceStatus: p(`update services set status = ?, updated_at = ? where id = ? and status = ?`),
    // As resume ends a suspension (src/db/actions.ts): the day given is the first one not suspended.
    endOpenSuspension: p(`update service_suspensions set to_date = max(from_date, ?) where service_id = ? and to_date is null`),
    insertPlanChange: p(`insert into service_plan_changes (service_id, plan_id, effective_date, created_at, applied_at) values (?, ?, ?, ?, ?) returning id`),
    setServicePlan: p(`update services set plan_id = ?, updated_at = ? where id = ?`),
    // Services with a change due by the date and not applied yet, each with the latest change effective
    // by then (which may be one applied already: a later change recorded as effective at once).
    duePlanSwitches: p(`select s.id as serviceId, s.plan_id as fromPlanId, s.status, pc.id as changeId, pc.plan_id as toPlanId,
        pc.effective_date as effectiveDate, pc.applied_at is not null as superseded
      from services s join service_plan_changes pc on pc.id = (select x.id from service_plan_changes x
        where x.service_id = s.id and x.effective_date <= @date order by x.effective_date desc, x.id desc limit 1)
      where s.id in (select service_id from service_plan_changes where applied_at is null and effective_date <= @date)
      order by s.id`),
    markPlanChangesApplied: p(`update service_plan_changes set applied_at = @at where applied_at is null and effective_date <= @date`),
    planChanges: p(`select id, plan_id as planId, effective_date as effectiveDate, created_at as createdAt, applied_at as appliedAt from service_plan_changes where service_id = ? order by effective_date, id`),
    insertItem: p(`insert into recurring_items (service_id, description, amount, tax_rate_bp, tax_inclusive, start_date, end_date, created_at, updated_at)
      values (@serviceId, @description, @amount, @taxRateBp, @taxInclusive, @startDate, @endDate, @at, @at) returning ${ITEM_COLS}`),
    itemsOf: p(`select ${ITEM_COLS} from recurring_items where service_id = ? order by id`),
    allItems: p(`select ${ITEM_COLS} from recurring_items order by id limit 1000`),
    itemRow: p(`select id, service_id as serviceId from recurring_items where id = ?`),
    insertCharge: p(`insert into one_off_charges (customer_id, service_id, description, amount, tax_rate_bp, tax_inclusive, date, created_at)
      values (@customerId, @serviceId, @description, @amount, @taxRateBp, @taxInclusive, @date, @at) returning ${CHARGE_COLS}`),
    chargesOf: p(`select ${CHARGE_COLS} from one_off_charges where customer_id = ? order by id`),
    allCharges: p(`select ${CHARGE_COLS} from one_off_charges order by id limit 1000`),
    insertDiscount: p(`insert into discounts (customer_id, description, target_kind, service_id, item_id, value_type, percent_bp, amount, start_date, periods, created_at)
      values (@customerId, @description, @targetKind, @serviceId, @itemId, @valueType, @percentBp, @amount, @startDate, @periods, @at) returning id`),
    discountsOf: p(`select ${DISCOUNT_COLS} from discounts where customer_id = ? order by id`),
    promotionByKey: p(`select ${PROMO_COLS} from promotions where key = ?`),
    promotion: p(`select ${PROMO_COLS} from promotions where id = ?`),
    promotions: p(`select ${PROMO_COLS} from promotions where id > ? order by id limit ?`),
    insertPromotion: p(`insert into promotions (key, description, value_type, percent_bp, amount, start_date, periods, plan_id, service_ids, applies_to_new, new_until, created_at)
      values (@key, @description, @valueType, @percentBp, @amount, @startDate, @periods, @planId, @serviceIds, @appliesToNew, @newUntil, @at) returning id`),
    promotionServices: p(`select service_id as serviceId from discounts where promotion_id = ? order by service_id`),
    // Services a promotion may target: not ended, not free.
    servicesOfPlan: p(`select id as serviceId, customer_id as customerId, start_date as startDate from services
      where plan_id = ? and status in ('proposal', 'active', 'suspended') order by id`),
    serviceForPromotion: p(`select id as serviceId, customer_id as customerId, start_date as startDate, status from services where id = ?`),
    // New contracts on a promoted plan, started within its window, that do not have it yet.
    newForPromotions: p(`select p.id as promotionId, s.id as serviceId, s.customer_id as customerId, s.start_date as startDate
      from promotions p join services s on coalesce((select b.start_plan_id from service_billing b where b.service_id = s.id), s.plan_id) = p.plan_id
      where p.applies_to_new = 1 and s.status in ('proposal', 'active', 'suspended') and s.start_date >= p.start_date
        and (p.new_until is null or s.start_date <= p.new_until)
        and not exists (select 1 from discounts d where d.promotion_id = p.id and d.service_id = s.id)
      order by p.id, s.id`),
    insertPromotionDiscount: p(`insert into discounts (customer_id, description, target_kind, service_id, item_id, value_type, percent_bp, amount, start_date, periods, promotion_id, created_at)
      values (@customerId, @description, 'service', @serviceId, null, @valueType, @percentBp, @amount, @startDate, @periods, @promotionId, @at)
      on conflict(promotion_id, service_id) do nothing returning id`),
    allDiscounts: p(`select ${DISCOUNT_COLS} from discounts order by id limit 1000`),
  };

  return {
    /** Runs `fn` in one IMMEDIATE transaction (the write lock is taken up front, so no upgrade deadlock). */
    transaction<T>(fn: () => T): T {
      return c.transaction(fn).immediate();
    },

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
    billableCustomers(): number[] {
      return (s.billableCustomers.all() as { id: number }[]).map((r) => r.id);
    },

    /**
     * The domain's view of a chunk of customers. A suspended service whose suspension history was never
     * recorded is treated as suspended from `runDate`, so it is not billed for periods starting now.
     */
    loadCustomers(customerIds: readonly number[], runDate: string): { customers: CustomerBilling[]; skipped: { customerId: number; serviceId: number; reason: string }[] } {
      const arg = ids(customerIds);
      const byService = <T>(rows: Row[], map: (r: Row) => T) => {
        const m = new Map<number, T[]>();
        for (const r of rows) {
          const k = r.serviceId as number;
          const list = m.get(k);
          if (list) list.push(map(r));
          else m.set(k, [map(r)]);
        }
        return m;
      };
      const changes = byService(s.changes.all(arg) as Row[], (r) => ({ id: r.id as number, effectiveDate: r.effectiveDate as string, plan: planOf(r), planType: r.planType }));
      const suspensions = byService(s.suspensions.all(arg) as Row[], (r) => ({ from: r.from as string, to: (r.to as string | null) ?? null }) as Suspension);
      const items = byService(s.items.all(arg) as Row[], (r): RecurringItem => ({
        id: r.id as number, description: r.description as string, amount: r.amount as number, taxRateBp: r.taxRateBp as number,
        taxInclusive: bool(r.taxInclusive), startDate: r.startDate as string | null, endDate: r.endDate as string | null,
      }));
      const byCustomer = new Map<number, { services: ServiceContract[]; charges: OneOffCharge[]; discounts: Discount[] }>();
      const slot = (id: number) => {
        let v = byCustomer.get(id);
        if (!v) byCustomer.set(id, (v = { services: [], charges: [], discounts: [] }));
        return v;
      };
      const skipped: { customerId: number; serviceId: number; reason: string }[] = [];
      for (const r of s.services.all(arg) as Row[]) {
        const serviceId = r.serviceId as number;
        // Prepaid plans are sold by validity, not billed by period.
        if (r.planType !== 'recurring') continue;
        const planChanges = changes.get(serviceId) ?? [];
        if (planChanges.some((ch) => ch.planType !== 'recurring')) {
          skipped.push({ customerId: r.customerId as number, serviceId, reason: 'a plan change to a prepaid plan cannot be billed by period' });
          continue;
        }
        let susp = suspensions.get(serviceId) ?? [];
        if (r.status === 'suspended' && !susp.some((x) => x.to === null)) susp = [...susp, { from: runDate, to: null }];
        slot(r.customerId as number).services.push({
          serviceId,
          label: r.username as string,
          status: r.status as ServiceContract['status'],
          plan: planOf(r),
          planChanges: planChanges.map(({ planType: _t, ...ch }) => ch),
          billingPeriodMonths: (r.contractMonths ?? r.planMonths) as number,
          billingMode: r.billingMode as 'advance',
          billingDay: billingDayOf(r.billingDay as string),
          startDate: r.startDate as string,
          trialEndDate: r.trialEndDate as string | null,
          endDate: r.endDate as string | null,
          setupFee: r.setupFee as number,
          ...(r.termMonths != null ? { termMonths: r.termMonths as number, autoRenew: bool(r.autoRenew) } : {}),
          recurringItems: items.get(serviceId) ?? [],
          suspensions: susp,
        });
      }
      for (const r of s.charges.all(arg) as Row[]) {
        slot(r.customerId as number).charges.push({
          id: r.id as number, serviceId: r.serviceId as number | null, description: r.description as string, amount: r.amount as number,
          taxRateBp: r.taxRateBp as number, taxInclusive: bool(r.taxInclusive), date: r.date as string,
        });
      }
      for (const r of s.discounts.all(arg) as Row[]) {
        const target: Discount['target'] =
          r.targetKind === 'invoice' ? { kind: 'invoice' }
            : r.targetKind === 'service' ? { kind: 'service', serviceId: r.serviceId as number }
              : { kind: 'item', serviceId: r.serviceId as number, itemId: r.itemId as number };
        slot(r.customerId as number).discounts.push({
          id: r.id as number, description: r.description as string, target, startDate: r.startDate as string, periods: r.periods as number | null,
          value: r.valueType === 'percent' ? { type: 'percent', bp: r.percentBp as number } : { type: 'fixed', amount: r.amount as number },
        });
      }
      const customers: CustomerBilling[] = [];
      for (const a of s.accounts.all(arg) as Row[]) {
        const v = byCustomer.get(a.customerId as number);
        if (!v) continue;
        customers.push({
          customerId: a.customerId as number, daysUntilDue: a.daysUntilDue as number, billSuspended: bool(a.billSuspended),
          services: v.services, oneOffCharges: v.charges, discounts: v.discounts,
        });
      }
      return { customers, skipped };
    },

    billedKeys(customerIds: readonly number[]): Set<string> {
      const out = new Set<string>();
      for (const k of s.billedKeys.pluck().iterate(ids(customerIds)) as Iterable<string>) out.add(k);
      return out;
    },

    billedLinesAfter(serviceId: number, date: string): BilledLine[] {
      return (s.billedAfter.all(serviceId, date) as Row[]).map((r) => ({ ...(r as unknown as BilledLine), taxInclusive: bool(r.taxInclusive) }));
    },

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
    /** Customers of the list holding credit, with how much. */
    credits(customerIds: readonly number[]): Map<number, number> {
      return new Map((s.credits.all(ids(customerIds)) as { id: number; credit: number }[]).map((r) => [r.id, r.credit]));
    },

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

    // ---- accounts

    customerExists(id: number): boolean {
      return s.customerExists.get(id) !== undefined;
    },
    credit(customerId: number): number {
      return (s.credit.get(customerId) as { credit: number } | undefined)?.credit ?? 0;
    },
    setCredit(customerId: number, credit: number, at: string): void {
      s.ensureAccount.run(customerId);
      s.setCredit.run(credit, at, customerId);
    },
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

    // ---- documents

    invoice(id: number): InvoiceRow | null {
      return (s.invoice.get(id) as InvoiceRow | undefined) ?? null;
    },
    invoiceLines(invoiceId: number): InvoiceLineRow[] {
      return (s.invoiceLines.all(invoiceId) as Row[]).map(lineRow);
    },
    allocationsOf(invoiceId: number): { id: number; paymentId: number | null; amount: number; date: string }[] {
      return s.allocationsOf.all(invoiceId) as { id: number; paymentId: number | null; amount: number; date: string }[];
    },
    listInvoices(f: InvoiceFilter, limit: number, afterId: number | null): InvoiceRow[] {
      const where: string[] = [];
      const args: unknown[] = [];
      if (f.customerId !== undefined) where.push('customer_id = ?'), args.push(f.customerId);
      if (f.from !== undefined) where.push('issue_date >= ?'), args.push(f.from);
      if (f.to !== undefined) where.push('issue_date <= ?'), args.push(f.to);
      if (f.status === 'open') where.push('open > 0');
      if (f.status === 'paid') where.push('open = 0');
      if (afterId !== null) where.push('id > ?'), args.push(afterId);
      const sql = `select ${INVOICE_COLS} from invoices ${where.length ? `where ${where.join(' and ')}` : ''} order by id limit ?`;
      return c.prepare(sql).all(...args, limit) as InvoiceRow[];
    },
    payment(id: number): PaymentRow | null {
      return (s.payment.get(id) as PaymentRow | undefined) ?? null;
    },
    insertPayment(p: { customerId: number; amount: number; method: string; reference: string | null; receivedAt: string; date: string }, createdAt: string): number {
      return (s.insertPayment.get(p.customerId, p.amount, p.method, p.reference, p.receivedAt, p.date, createdAt) as { id: number }).id;
    },
    listPayments(f: { customerId?: number | undefined; from?: string | undefined; to?: string | undefined }, limit: number, afterId: number | null): PaymentRow[] {
      const where: string[] = [];
      const args: unknown[] = [];
      if (f.customerId !== undefined) where.push('customer_id = ?'), args.push(f.customerId);
      if (f.from !== undefined) where.push('date >= ?'), args.push(f.from);
      if (f.to !== undefined) where.push('date <= ?'), args.push(f.to);
      if (afterId !== null) where.push('id > ?'), args.push(afterId);
      const sql = `select ${PAYMENT_COLS} from payments ${where.length ? `where ${where.join(' and ')}` : ''} order by id limit ?`;
      return c.prepare(sql).all(...args, limit) as PaymentRow[];
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
    ): number {
      const { id } = s.insertCreditNote.get({ ...note, ...n, net: draft.net, tax: draft.tax, total: draft.total, createdAt }) as { id: number };
      draft.lines.forEach((l, position) => {
        s.insertCreditNoteLine.run({ creditNoteId: id, position, ...l, taxInclusive: l.taxInclusive ? 1 : 0 });
      });
      return id;
    },
    listCreditNotes(f: { customerId?: number | undefined; invoiceId?: number | undefined; from?: string | undefined; to?: string | undefined }, limit: number, afterId: number | null): CreditNoteRow[] {
      const where: string[] = [];
      const args: unknown[] = [];
      if (f.customerId !== undefined) where.push('customer_id = ?'), args.push(f.customerId);
      if (f.invoiceId !== undefined) where.push('invoice_id = ?'), args.push(f.invoiceId);
      if (f.from !== undefined) where.push('issue_date >= ?'), args.push(f.from);
      if (f.to !== undefined) where.push('issue_date <= ?'), args.push(f.to);
      if (afterId !== null) where.push('id > ?'), args.push(afterId);
      const sql = `select ${NOTE_COLS} from credit_notes ${where.length ? `where ${where.join(' and ')}` : ''} order by id limit ?`;
      return c.prepare(sql).all(...args, limit) as CreditNoteRow[];
    },

    /** Every event of a customer's account in the order it happened (date, then recording order). */
    statementEvents(customerId: number): { type: 'invoice' | 'payment' | 'credit_note' | 'refund'; id: number; number: string | null; date: string; dueDate: string | null; amount: number; invoiceId: number | null }[] {
      return s.statementEvents.all({ id: customerId }) as never;
    },
    ledgerTotals(customerId: number): { invoiced: number; paid: number; creditNoted: number; refunded: number; open: number; credit: number } {
      return s.ledgerTotals.get({ id: customerId }) as never;
    },

    // ---- contract facts

    serviceRow(id: number): { id: number; customerId: number; planId: number; status: string } | null {
      return (s.serviceRow.get(id) as never) ?? null;
    },
    planMonths(id: number): number | null {
      return (s.planMonths.get(id) as { m: number | null } | undefined)?.m ?? null;
    },
    /** Whether lines for the service's end were billed (an end credit, a reversal, early termination). */
    endCredited(serviceId: number): boolean {
      return s.endCredited.get(serviceId) !== undefined;
    },
    planType(id: number): string | null {
      return (s.planRow.get(id) as { type: string } | undefined)?.type ?? null;
    },
    terms(serviceId: number): Row | null {
      return (s.terms.get(serviceId) as Row | undefined) ?? null;
    },
    serviceStartDate(serviceId: number): string {
      return (s.serviceStart.get(serviceId) as { d: string }).d;
    },
    latestChangeDate(serviceId: number): string | null {
      return (s.latestChange.get(serviceId) as { d: string | null }).d;
    },

    customerForDocument(id: number): { name: string; address: string | null; taxId: string | null; email: string | null } | null {
      return (s.customerDoc.get(id) as never) ?? null;
    },
    /** Invoices of a period, one row per tax rate, for exports. */
    invoiceTaxRows(f: { customerId?: number | undefined; from?: string | undefined; to?: string | undefined }) {
      const { where, args } = periodWhere('i.issue_date', 'i.customer_id', f);
      return c.prepare(`select i.number, i.issue_date as issueDate, i.due_date as dueDate, i.customer_id as customerId, cu.name as customerName,
          cu.tax_id as taxId, i.currency, l.tax_rate_bp as taxRateBp, sum(l.net) as net, sum(l.tax) as tax, sum(l.gross) as gross, i.total, i.open
        from invoices i join invoice_lines l on l.invoice_id = i.id join customers cu on cu.id = i.customer_id ${where}
        group by i.id, l.tax_rate_bp order by i.issue_date, i.number, l.tax_rate_bp`).all(...args) as {
        number: string; issueDate: string; dueDate: string; customerId: number; customerName: string; taxId: string | null; currency: string;
        taxRateBp: number; net: number; tax: number; gross: number; total: number; open: number;
      }[];
    },
    /** Credit notes of a period, one row per tax rate, for exports. */
    creditNoteTaxRows(f: { customerId?: number | undefined; from?: string | undefined; to?: string | undefined }) {
      const { where, args } = periodWhere('n.issue_date', 'n.customer_id', f);
      return c.prepare(`select n.number, n.issue_date as issueDate, i.number as invoiceNumber, n.customer_id as customerId, cu.name as customerName,
          cu.tax_id as taxId, n.currency, l.tax_rate_bp as taxRateBp, sum(l.net) as net, sum(l.tax) as tax, sum(l.gross) as gross, n.total, n.reason
        from credit_notes n join credit_note_lines l on l.credit_note_id = n.id join invoices i on i.id = n.invoice_id join customers cu on cu.id = n.customer_id ${where}
        group by n.id, l.tax_rate_bp order by n.issue_date, n.number, l.tax_rate_bp`).all(...args) as {
        number: string; issueDate: string; invoiceNumber: string; customerId: number; customerName: string; taxId: string | null; currency: string;
        taxRateBp: number; net: number; tax: number; gross: number; total: number; reason: string | null;
      }[];
    },
    paymentRows(f: { customerId?: number | undefined; from?: string | undefined; to?: string | undefined }) {
      const { where, args } = periodWhere('p.date', 'p.customer_id', f);
      return c.prepare(`select p.id, p.date, p.received_at as receivedAt, p.customer_id as customerId, cu.name as customerName, p.method, p.reference,
          p.amount, p.refunded from payments p join customers cu on cu.id = p.customer_id ${where} order by p.date, p.id`).all(...args) as {
        id: number; date: string; receivedAt: string; customerId: number; customerName: string; method: string; reference: string | null; amount: number; refunded: number;
      }[];
    },

    audit(actor: Actor, at: string, action: string, entity: string, entityId: number | string, after: unknown): void {
      s.audit.run(at, actor.id, actor.ip ?? null, action, entity, String(entityId), JSON.stringify(after));
    },

    upsertTerms(serviceId: number, t: ServiceTerms, at: string): void {
      s.upsertTerms.run({
        serviceId, startPlanId: t.startPlanId, billingPeriodMonths: t.billingPeriodMonths ?? null, billingMode: t.billingMode,
        billingDay: String(t.billingDay), trialEndDate: t.trialEndDate ?? null, endDate: t.endDate ?? null, setupFee: t.setupFee ?? null,
        termMonths: t.termMonths ?? null, autoRenew: t.autoRenew === false ? 0 : 1, noticeDays: t.noticeDays ?? 30, noticeDate: t.noticeDate ?? null, at,
      });
    },
    /** Open services whose contract has an end (explicit or a non-renewing term), for the automatic close. */
    closeCandidates(): { serviceId: number; status: string; startDate: string; trialEndDate: string | null; endDate: string | null; termMonths: number | null; autoRenew: boolean }[] {
      return (s.closeCandidates.all() as Row[]).map((r) => ({ ...(r as object), autoRenew: bool(r.autoRenew) }) as never);
    },
    /** Moves a service from `from` to `to`; false when its status was no longer `from`. */
    setServiceStatus(serviceId: number, from: string, to: string, at: string): boolean {
      return s.setServiceStatus.run(to, at, serviceId, from).changes === 1;
    },
    /** Ends the service's open suspension (if any) on `date`, the first day it is no longer suspended. */
    endOpenSuspension(serviceId: number, date: string): boolean {
      return s.endOpenSuspension.run(date, serviceId).changes > 0;
    },
    /** `appliedAt`: when services.plan_id was set to it (a change already effective); null while pending. */
    insertPlanChange(serviceId: number, planId: number, effectiveDate: string, at: string, appliedAt: string | null = null): number {
      return (s.insertPlanChange.get(serviceId, planId, effectiveDate, at, appliedAt) as { id: number }).id;
    },
    /**
     * Every service with a plan change due by `date` that is not applied yet, with the latest change
     * effective by then; `superseded` when that latest one was applied already (nothing to switch).
     */
    duePlanSwitches(date: string): PlanSwitchRow[] {
      return (s.duePlanSwitches.all({ date }) as (Omit<PlanSwitchRow, 'superseded'> & { superseded: number })[]).map((r) => ({ ...r, superseded: r.superseded === 1 }));
    },
    /** Marks every pending change effective by `date` applied; returns how many. */
    markPlanChangesApplied(date: string, at: string): number {
      return s.markPlanChangesApplied.run({ date, at }).changes;
    },
    setServicePlan(serviceId: number, planId: number, at: string): void {
      s.setServicePlan.run(planId, at, serviceId);
    },
    /** A service's plan changes; `appliedAt` null while one waits for its date. */
    planChanges(serviceId: number): { id: number; planId: number; effectiveDate: string; createdAt: string; appliedAt: string | null }[] {
      return s.planChanges.all(serviceId) as never;
    },
    insertItem(i: Omit<RecurringItem, 'id'> & { serviceId: number }, at: string): ItemRow {
      return s.insertItem.get({ ...i, taxInclusive: i.taxInclusive ? 1 : 0, startDate: i.startDate ?? null, endDate: i.endDate ?? null, at }) as ItemRow;
    },
    listItems(serviceId: number | undefined): ItemRow[] {
      return (serviceId === undefined ? s.allItems.all() : s.itemsOf.all(serviceId)) as ItemRow[];
    },
    insertCharge(ch: Omit<OneOffCharge, 'id'> & { customerId: number }, at: string): ChargeRow {
      return s.insertCharge.get({ ...ch, serviceId: ch.serviceId ?? null, taxInclusive: ch.taxInclusive ? 1 : 0, at }) as ChargeRow;
    },
    listCharges(customerId: number | undefined): ChargeRow[] {
      return (customerId === undefined ? s.allCharges.all() : s.chargesOf.all(customerId)) as ChargeRow[];
    },
    insertDiscount(d: Omit<Discount, 'id'> & { customerId: number }, at: string): number {
      return (s.insertDiscount.get({
        customerId: d.customerId, description: d.description, targetKind: d.target.kind,
        serviceId: d.target.kind === 'invoice' ? null : d.target.serviceId, itemId: d.target.kind === 'item' ? d.target.itemId : null,
        valueType: d.value.type, percentBp: d.value.type === 'percent' ? d.value.bp : null, amount: d.value.type === 'fixed' ? d.value.amount : null,
        startDate: d.startDate, periods: d.periods, at,
      }) as { id: number }).id;
    },
    listDiscounts(customerId: number | undefined): Row[] {
      return (customerId === undefined ? s.allDiscounts.all() : s.discountsOf.all(customerId)) as Row[];
    },

    // ---- promotions

    promotionByKey(key: string): PromotionRow | null {
      const r = s.promotionByKey.get(key) as Row | undefined;
      return r ? promotionRow(r) : null;
    },
    promotion(id: number): PromotionRow | null {
      const r = s.promotion.get(id) as Row | undefined;
      return r ? promotionRow(r) : null;
    },
    listPromotions(limit: number, afterId: number | null): PromotionRow[] {
      return (s.promotions.all(afterId ?? 0, limit) as Row[]).map(promotionRow);
    },
    insertPromotion(p: Omit<PromotionRow, 'id' | 'createdAt'>, at: string): number {
      return (s.insertPromotion.get({
        ...p, serviceIds: p.serviceIds === null ? null : JSON.stringify(p.serviceIds), appliesToNew: p.appliesToNew ? 1 : 0, at,
      }) as { id: number }).id;
    },
    promotionServices(promotionId: number): number[] {
      return (s.promotionServices.all(promotionId) as { serviceId: number }[]).map((r) => r.serviceId);
    },
    servicesOfPlan(planId: number): { serviceId: number; customerId: number; startDate: string }[] {
      return s.servicesOfPlan.all(planId) as never;
    },
    serviceForPromotion(id: number): { serviceId: number; customerId: number; startDate: string; status: string } | null {
      return (s.serviceForPromotion.get(id) as never) ?? null;
    },
    newForPromotions(): { promotionId: number; serviceId: number; customerId: number; startDate: string }[] {
      return s.newForPromotions.all() as never;
    },
    /** The promotion's discount on one service; null when that service has it already. */
    insertPromotionDiscount(p: PromotionRow, target: { serviceId: number; customerId: number; startDate: string }, at: string): number | null {
      const r = s.insertPromotionDiscount.get({
        customerId: target.customerId, description: p.description, serviceId: target.serviceId, valueType: p.valueType,
        percentBp: p.percentBp, amount: p.amount, startDate: target.startDate, periods: p.periods, promotionId: p.id, at,
      }) as { id: number } | undefined;
      return r?.id ?? null;
    },
    itemRow(id: number): { id: number; serviceId: number } | null {
      return (s.itemRow.get(id) as never) ?? null;
    },
  };
}

function periodWhere(dateCol: string, customerCol: string, f: { customerId?: number | undefined; from?: string | undefined; to?: string | undefined }) {
  const parts: string[] = [];
  const args: unknown[] = [];
  if (f.customerId !== undefined) parts.push(`${customerCol} = ?`), args.push(f.customerId);
  if (f.from !== undefined) parts.push(`${dateCol} >= ?`), args.push(f.from);
  if (f.to !== undefined) parts.push(`${dateCol} <= ?`), args.push(f.to);
  return { where: parts.length ? `where ${parts.join(' and ')}` : '', args };
}

export interface PromotionRow {
  id: number;
  key: string;
  description: string;
  valueType: 'percent' | 'fixed';
  percentBp: number | null;
  amount: number | null;
  startDate: string;
  periods: number | null;
  planId: number | null;
  serviceIds: number[] | null;
  appliesToNew: boolean;
  newUntil: string | null;
  createdAt: string;
}

function promotionRow(r: Row): PromotionRow {
  return {
    ...(r as unknown as PromotionRow),
    serviceIds: r.serviceIds == null ? null : (JSON.parse(r.serviceIds as string) as number[]),
    appliesToNew: bool(r.appliesToNew),
  };
}

export function toAccount(r: InvoiceRow): InvoiceAccount {
  return { invoiceId: r.id, number: r.number, issueDate: r.issueDate, dueDate: r.dueDate, total: r.total, paid: r.paid, credited: r.credited, open: r.open };
}
