import { sql } from 'drizzle-orm';
import { bigint, boolean, check, index, integer, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { identity, now, timestamps } from './columns.js';
import { customers, plans, services } from './subscribers.js';

// ---- Billing -------------------------------------------------------------------------------------
// Money columns are BIGINT minor units; rates are basis points. Issued documents (invoices, their
// lines, credit notes) are never updated except for their settlement columns (paid, credited, open):
// corrections are new linked documents.

/** A customer's billing profile and running credit (prepayments, overpayments, excess credit notes). */
export const customerAccounts = pgTable(
  'customer_accounts',
  {
    customerId: bigint('customer_id', { mode: 'number' })
      .primaryKey()
      .references(() => customers.id, { onDelete: 'restrict' }),
    daysUntilDue: integer('days_until_due').notNull().default(14),
    /** Bill periods that start while a service is suspended. */
    billSuspended: boolean('bill_suspended').notNull().default(false),
    credit: bigint('credit', { mode: 'number' }).notNull().default(0),
    updatedAt: text('updated_at').notNull().default(now),
  },
  () => [check('customer_accounts_ck', sql`days_until_due >= 0 and credit >= 0`)],
);

/** A service's contract terms; a service without a row bills with the defaults (in advance, anniversary). */
export const serviceBilling = pgTable(
  'service_billing',
  {
    serviceId: bigint('service_id', { mode: 'number' })
      .primaryKey()
      .references(() => services.id, { onDelete: 'cascade' }),
    /** The plan the contract started on; later plans are dated rows of service_plan_changes. */
    startPlanId: bigint('start_plan_id', { mode: 'number' }).references(() => plans.id, { onDelete: 'restrict' }),
    /** Null: the start plan's period. The period length is the contract's, whatever the plan changes to. */
    billingPeriodMonths: integer('billing_period_months'),
    billingMode: text('billing_mode', { enum: ['advance', 'arrears'] }).notNull().default('advance'),
    /** 'anniversary', 'last' or a day '1'..'28'. */
    billingDay: text('billing_day').notNull().default('anniversary'),
    trialEndDate: text('trial_end_date'),
    /** Last day of service, inclusive. */
    endDate: text('end_date'),
    /** Null: the start plan's setup fee. */
    setupFee: bigint('setup_fee', { mode: 'number' }),
    /** Contract term in months (minimum term, renewal length); null: open-ended, no commitment. */
    termMonths: integer('term_months'),
    /** With a term: renew for another term unless notice is given in time (tacit renewal). */
    autoRenew: boolean('auto_renew').notNull().default(true),
    /** Days of notice before a term's last day needed to end the contract on it. */
    noticeDays: integer('notice_days').notNull().default(30),
    /** The day the customer gave notice of cancellation, when it was given. */
    noticeDate: text('notice_date'),
    updatedAt: text('updated_at').notNull().default(now),
  },
  () => [
    check('service_billing_mode_ck', sql`billing_mode in ('advance', 'arrears')`),
    check('service_billing_period_ck', sql`billing_period_months is null or billing_period_months in (1, 2, 3, 6, 12)`),
    // SQLite casts 'x' to 0; PostgreSQL raises, and need not evaluate `or` left to right: a pattern
    // instead of the cast, accepting the same values ('1'..'28', no leading zero).
    check('service_billing_day_ck', sql`billing_day in ('anniversary', 'last') or billing_day ~ '^([1-9]|1[0-9]|2[0-8])$'`),
    check('service_billing_setup_ck', sql`setup_fee is null or setup_fee >= 0`),
  ],
);

export const servicePlanChanges = pgTable(
  'service_plan_changes',
  {
    id: identity('id'),
    serviceId: bigint('service_id', { mode: 'number' })
      .notNull()
      .references(() => services.id, { onDelete: 'cascade' }),
    planId: bigint('plan_id', { mode: 'number' })
      .notNull()
      .references(() => plans.id, { onDelete: 'restrict' }),
    /** The first day on the new plan. */
    effectiveDate: text('effective_date').notNull(),
    createdAt: text('created_at').notNull().default(now),
    /**
     * When services.plan_id was set to this plan: at recording for a change already effective, else by
     * the daily `plan-changes` job on its date. Null while pending (and on rows older than the column).
     */
    appliedAt: text('applied_at'),
  },
  (t) => [index('service_plan_changes_service_ix').on(t.serviceId, t.effectiveDate)],
);

export const serviceSuspensions = pgTable(
  'service_suspensions',
  {
    id: identity('id'),
    serviceId: bigint('service_id', { mode: 'number' })
      .notNull()
      .references(() => services.id, { onDelete: 'cascade' }),
    /** First day suspended. */
    fromDate: text('from_date').notNull(),
    /** First day active again; null while suspended. */
    toDate: text('to_date'),
    /** How the network treated it ('reject' or 'walled-garden'); null for rows older than the column. */
    mode: text('mode'),
  },
  (t) => [index('service_suspensions_service_ix').on(t.serviceId), check('service_suspensions_ck', sql`to_date is null or to_date >= from_date`)],
);

const taxColumns = {
  taxRateBp: integer('tax_rate_bp').notNull().default(0),
  taxInclusive: boolean('tax_inclusive').notNull().default(true),
  /** FatturaPA exemption nature (N1 … N7) of a 0 % price; null when taxed. */
  vatNature: text('vat_nature'),
  vatLegalRef: text('vat_legal_ref'),
};

/** Equipment rent and other per-period extras of a service, priced per billing period. */
export const recurringItems = pgTable(
  'recurring_items',
  {
    id: identity('id'),
    serviceId: bigint('service_id', { mode: 'number' })
      .notNull()
      .references(() => services.id, { onDelete: 'restrict' }),
    description: text('description').notNull(),
    amount: bigint('amount', { mode: 'number' }).notNull(),
    ...taxColumns,
    startDate: text('start_date'),
    endDate: text('end_date'),
    ...timestamps,
  },
  (t) => [index('recurring_items_service_ix').on(t.serviceId), check('recurring_items_ck', sql`amount >= 0 and tax_rate_bp >= 0`)],
);

export const oneOffCharges = pgTable(
  'one_off_charges',
  {
    id: identity('id'),
    customerId: bigint('customer_id', { mode: 'number' })
      .notNull()
      .references(() => customers.id, { onDelete: 'restrict' }),
    serviceId: bigint('service_id', { mode: 'number' }).references(() => services.id, { onDelete: 'restrict' }),
    description: text('description').notNull(),
    /** Negative for a goodwill credit. */
    amount: bigint('amount', { mode: 'number' }).notNull(),
    ...taxColumns,
    /** Billed by the first run on or after this date. */
    date: text('date').notNull(),
    createdAt: text('created_at').notNull().default(now),
  },
  (t) => [index('one_off_charges_customer_ix').on(t.customerId), check('one_off_charges_ck', sql`tax_rate_bp >= 0`)],
);

export const discounts = pgTable(
  'discounts',
  {
    id: identity('id'),
    customerId: bigint('customer_id', { mode: 'number' })
      .notNull()
      .references(() => customers.id, { onDelete: 'restrict' }),
    description: text('description').notNull(),
    /** 'invoice': every service of the customer; 'service': one service; 'item': one recurring item. */
    targetKind: text('target_kind', { enum: ['invoice', 'service', 'item'] }).notNull(),
    serviceId: bigint('service_id', { mode: 'number' }).references(() => services.id, { onDelete: 'restrict' }),
    itemId: bigint('item_id', { mode: 'number' }).references(() => recurringItems.id, { onDelete: 'restrict' }),
    valueType: text('value_type', { enum: ['percent', 'fixed'] }).notNull(),
    percentBp: integer('percent_bp'),
    amount: bigint('amount', { mode: 'number' }),
    startDate: text('start_date').notNull(),
    /** How many periods of each targeted service; null until removed. */
    periods: integer('periods'),
    /** The bulk promotion that created this discount (one per promotion and service). */
    promotionId: bigint('promotion_id', { mode: 'number' }),
    createdAt: text('created_at').notNull().default(now),
  },
  (t) => [
    index('discounts_customer_ix').on(t.customerId),
    uniqueIndex('discounts_promotion_service_uq').on(t.promotionId, t.serviceId),
    check('discounts_target_ck', sql`(target_kind = 'invoice' and service_id is null and item_id is null)
      or (target_kind = 'service' and service_id is not null and item_id is null)
      or (target_kind = 'item' and service_id is not null and item_id is not null)`),
    check('discounts_value_ck', sql`(value_type = 'percent' and percent_bp between 0 and 10000 and amount is null)
      or (value_type = 'fixed' and amount >= 0 and percent_bp is null)`),
    check('discounts_periods_ck', sql`periods is null or periods >= 1`),
  ],
);

/** The last sequence given per series and year: gapless numbers are taken here at issue time. */
export const numberSeries = pgTable(
  'number_series',
  {
    prefix: text('prefix').notNull(),
    year: integer('year').notNull(),
    lastSequence: integer('last_sequence').notNull(),
  },
  (t) => [primaryKey({ columns: [t.prefix, t.year] })],
);

export const invoices = pgTable(
  'invoices',
  {
    id: identity('id'),
    customerId: bigint('customer_id', { mode: 'number' })
      .notNull()
      .references(() => customers.id, { onDelete: 'restrict' }),
    number: text('number').notNull(),
    series: text('series').notNull(),
    year: integer('year').notNull(),
    sequence: integer('sequence').notNull(),
    issueDate: text('issue_date').notNull(),
    dueDate: text('due_date').notNull(),
    currency: text('currency').notNull(),
    net: bigint('net', { mode: 'number' }).notNull(),
    tax: bigint('tax', { mode: 'number' }).notNull(),
    total: bigint('total', { mode: 'number' }).notNull(),
    /** Settled by payments or credit. */
    paid: bigint('paid', { mode: 'number' }).notNull().default(0),
    /** Σ of credit notes against it. */
    credited: bigint('credited', { mode: 'number' }).notNull().default(0),
    /** Still owed. */
    open: bigint('open', { mode: 'number' }).notNull(),
    createdAt: text('created_at').notNull().default(now),
  },
  (t) => [
    uniqueIndex('invoices_number_uq').on(t.number),
    uniqueIndex('invoices_series_seq_uq').on(t.series, t.year, t.sequence),
    index('invoices_customer_ix').on(t.customerId, t.issueDate),
    index('invoices_issue_date_ix').on(t.issueDate),
    index('invoices_open_ix').on(t.customerId, t.open),
    check('invoices_settlement_ck', sql`paid >= 0 and credited >= 0 and open >= 0`),
  ],
);

export const invoiceLineKinds = [
  'recurring', 'item', 'setup', 'plan_change_credit', 'plan_change_charge', 'end_credit', 'item_end_credit', 'one_off', 'discount',
  'early_termination',
] as const;

export const invoiceLines = pgTable(
  'invoice_lines',
  {
    id: identity('id'),
    invoiceId: bigint('invoice_id', { mode: 'number' })
      .notNull()
      .references(() => invoices.id, { onDelete: 'restrict' }),
    customerId: bigint('customer_id', { mode: 'number' }).notNull(),
    position: integer('position').notNull(),
    /** The fact this line bills (`service:42:period:2026-03-01`): billed once, ever. */
    key: text('key').notNull(),
    kind: text('kind', { enum: invoiceLineKinds }).notNull(),
    serviceId: bigint('service_id', { mode: 'number' }).references(() => services.id, { onDelete: 'restrict' }),
    description: text('description').notNull(),
    periodStart: text('period_start'),
    periodEnd: text('period_end'),
    billDate: text('bill_date').notNull(),
    /** As priced: gross when tax-inclusive, net otherwise. */
    amount: bigint('amount', { mode: 'number' }).notNull(),
    taxRateBp: integer('tax_rate_bp').notNull(),
    taxInclusive: boolean('tax_inclusive').notNull(),
    /** FatturaPA exemption nature (N1 … N7) of a 0 % price; null when taxed. */
    vatNature: text('vat_nature'),
    vatLegalRef: text('vat_legal_ref'),
    net: bigint('net', { mode: 'number' }).notNull(),
    tax: bigint('tax', { mode: 'number' }).notNull(),
    gross: bigint('gross', { mode: 'number' }).notNull(),
    /** For a discount line, the key of the line it discounts. */
    appliesTo: text('applies_to'),
  },
  (t) => [
    uniqueIndex('invoice_lines_key_uq').on(t.key),
    index('invoice_lines_invoice_ix').on(t.invoiceId, t.position),
    index('invoice_lines_customer_ix').on(t.customerId),
    check('invoice_lines_kind_ck', sql`kind in ('recurring', 'item', 'setup', 'plan_change_credit', 'plan_change_charge', 'end_credit', 'item_end_credit', 'one_off', 'discount', 'early_termination')`),
    check('invoice_lines_sum_ck', sql`net + tax = gross`),
  ],
);

export const payments = pgTable(
  'payments',
  {
    id: identity('id'),
    customerId: bigint('customer_id', { mode: 'number' })
      .notNull()
      .references(() => customers.id, { onDelete: 'restrict' }),
    amount: bigint('amount', { mode: 'number' }).notNull(),
    method: text('method').notNull(),
    reference: text('reference'),
    receivedAt: text('received_at').notNull(),
    /** receivedAt as a calendar date in the billing time zone: the statement date. */
    date: text('date').notNull(),
    refunded: bigint('refunded', { mode: 'number' }).notNull().default(0),
    createdAt: text('created_at').notNull().default(now),
  },
  (t) => [
    index('payments_customer_ix').on(t.customerId, t.date),
    index('payments_date_ix').on(t.date),
    check('payments_amount_ck', sql`amount > 0 and refunded >= 0 and refunded <= amount`),
  ],
);

/** What settled each invoice: a payment, or customer credit (payment_id null). */
export const paymentAllocations = pgTable(
  'payment_allocations',
  {
    id: identity('id'),
    invoiceId: bigint('invoice_id', { mode: 'number' })
      .notNull()
      .references(() => invoices.id, { onDelete: 'restrict' }),
    paymentId: bigint('payment_id', { mode: 'number' }).references(() => payments.id, { onDelete: 'restrict' }),
    amount: bigint('amount', { mode: 'number' }).notNull(),
    date: text('date').notNull(),
  },
  (t) => [index('payment_allocations_invoice_ix').on(t.invoiceId), index('payment_allocations_payment_ix').on(t.paymentId)],
);

export const refunds = pgTable(
  'refunds',
  {
    id: identity('id'),
    customerId: bigint('customer_id', { mode: 'number' })
      .notNull()
      .references(() => customers.id, { onDelete: 'restrict' }),
    paymentId: bigint('payment_id', { mode: 'number' }).references(() => payments.id, { onDelete: 'restrict' }),
    amount: bigint('amount', { mode: 'number' }).notNull(),
    date: text('date').notNull(),
    reason: text('reason'),
    createdAt: text('created_at').notNull().default(now),
  },
  (t) => [index('refunds_customer_ix').on(t.customerId), check('refunds_amount_ck', sql`amount > 0`)],
);

export const creditNotes = pgTable(
  'credit_notes',
  {
    id: identity('id'),
    customerId: bigint('customer_id', { mode: 'number' })
      .notNull()
      .references(() => customers.id, { onDelete: 'restrict' }),
    invoiceId: bigint('invoice_id', { mode: 'number' })
      .notNull()
      .references(() => invoices.id, { onDelete: 'restrict' }),
    number: text('number').notNull(),
    series: text('series').notNull(),
    year: integer('year').notNull(),
    sequence: integer('sequence').notNull(),
    issueDate: text('issue_date').notNull(),
    currency: text('currency').notNull(),
    net: bigint('net', { mode: 'number' }).notNull(),
    tax: bigint('tax', { mode: 'number' }).notNull(),
    total: bigint('total', { mode: 'number' }).notNull(),
    reason: text('reason'),
    createdAt: text('created_at').notNull().default(now),
  },
  (t) => [
    uniqueIndex('credit_notes_number_uq').on(t.number),
    uniqueIndex('credit_notes_series_seq_uq').on(t.series, t.year, t.sequence),
    index('credit_notes_invoice_ix').on(t.invoiceId),
    index('credit_notes_customer_ix').on(t.customerId, t.issueDate),
    check('credit_notes_total_ck', sql`total > 0`),
  ],
);

export const creditNoteLines = pgTable(
  'credit_note_lines',
  {
    id: identity('id'),
    creditNoteId: bigint('credit_note_id', { mode: 'number' })
      .notNull()
      .references(() => creditNotes.id, { onDelete: 'restrict' }),
    position: integer('position').notNull(),
    /** The invoice line this reverses. */
    creditsKey: text('credits_key').notNull(),
    /**
     * The key of the billing fact this line credits, for a credit note the billing run issued (a plan
     * change's credit of the old plan): unique, so the run credits each fact once. Null when an
     * operator issued the note.
     */
    lineKey: text('line_key'),
    /** With line_key: the service and the days of the fact credited (a later end date may reverse it). */
    serviceId: bigint('service_id', { mode: 'number' }),
    periodStart: text('period_start'),
    periodEnd: text('period_end'),
    description: text('description').notNull(),
    amount: bigint('amount', { mode: 'number' }).notNull(),
    taxRateBp: integer('tax_rate_bp').notNull(),
    taxInclusive: boolean('tax_inclusive').notNull(),
    /** FatturaPA exemption nature (N1 … N7) of a 0 % price; null when taxed. */
    vatNature: text('vat_nature'),
    vatLegalRef: text('vat_legal_ref'),
    net: bigint('net', { mode: 'number' }).notNull(),
    tax: bigint('tax', { mode: 'number' }).notNull(),
    gross: bigint('gross', { mode: 'number' }).notNull(),
  },
  (t) => [
    index('credit_note_lines_note_ix').on(t.creditNoteId),
    index('credit_note_lines_key_ix').on(t.creditsKey),
    uniqueIndex('credit_note_lines_line_key_uq').on(t.lineKey),
  ],
);

/** One row per billing date run: a date with finished_at set is done and a re-run is a no-op. */
export const billingRuns = pgTable('billing_runs', {
  runDate: text('run_date').primaryKey(),
  startedAt: text('started_at').notNull(),
  finishedAt: text('finished_at'),
  invoices: integer('invoices').notNull().default(0),
  lines: integer('lines').notNull().default(0),
  total: bigint('total', { mode: 'number' }).notNull().default(0),
  /** JSON array of the contracts that could not be billed, with the reason. */
  problems: text('problems').notNull().default('[]'),
});

// ---- Prepaid, vouchers and data caps --------------------------------------------------------------

/** Fair-use tiers of a plan: from `fromBytes` used in the period on, the service gets this rate. */
export const planCapTiers = pgTable(
  'plan_cap_tiers',
  {
    planId: bigint('plan_id', { mode: 'number' })
      .notNull()
      .references(() => plans.id, { onDelete: 'cascade' }),
    /** 1..3, in ascending fromBytes. */
    position: integer('position').notNull(),
    fromBytes: bigint('from_bytes', { mode: 'number' }).notNull(),
    downloadKbps: integer('download_kbps').notNull(),
    uploadKbps: integer('upload_kbps').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.planId, t.position] }),
    check('plan_cap_tiers_ck', sql`position between 1 and 3 and from_bytes > 0 and download_kbps > 0 and upload_kbps > 0`),
  ],
);

/** Extra data bought for one cap period of a service: it moves every threshold of that period up. */
export const dataTopups = pgTable(
  'data_topups',
  {
    id: identity('id'),
    serviceId: bigint('service_id', { mode: 'number' })
      .notNull()
      .references(() => services.id, { onDelete: 'cascade' }),
    /** First day of the cap period it counts in. */
    periodStart: text('period_start').notNull(),
    bytes: bigint('bytes', { mode: 'number' }).notNull(),
    createdAt: text('created_at').notNull(),
    createdBy: text('created_by').notNull(),
  },
  (t) => [index('data_topups_service_ix').on(t.serviceId, t.periodStart), check('data_topups_bytes_ck', sql`bytes > 0`)],
);

/** The cap tier each service's sessions were last given: crossings and period resets are measured against it. */
export const serviceCapState = pgTable('service_cap_state', {
  serviceId: bigint('service_id', { mode: 'number' })
    .primaryKey()
    .references(() => services.id, { onDelete: 'cascade' }),
  periodStart: text('period_start').notNull(),
  /** 0 full rate, 1..3 a fair-use tier, 4 blocked. */
  tier: integer('tier').notNull().default(0),
  updatedAt: text('updated_at').notNull(),
});

/** Notices and one-time actions done per service (`prepaid.expiring:<expiry>:<days>`, `cap.80:<period>`): each once. */
export const serviceNotices = pgTable(
  'service_notices',
  {
    serviceId: bigint('service_id', { mode: 'number' })
      .notNull()
      .references(() => services.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    at: text('at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.serviceId, t.key] })],
);

/** Every extension of a prepaid service's expiry, with what paid for it. */
export const prepaidTopups = pgTable(
  'prepaid_topups',
  {
    id: identity('id'),
    serviceId: bigint('service_id', { mode: 'number' })
      .notNull()
      .references(() => services.id, { onDelete: 'cascade' }),
    source: text('source', { enum: ['payment', 'voucher', 'admin'] }).notNull(),
    days: integer('days').notNull(),
    previousExpiresAt: text('previous_expires_at'),
    expiresAt: text('expires_at').notNull(),
    paymentId: bigint('payment_id', { mode: 'number' }).references(() => payments.id, { onDelete: 'restrict' }),
    /** The receipt: an invoice issued paid. */
    invoiceId: bigint('invoice_id', { mode: 'number' }).references(() => invoices.id, { onDelete: 'restrict' }),
    voucherId: bigint('voucher_id', { mode: 'number' }),
    at: text('at').notNull(),
    actor: text('actor').notNull(),
  },
  (t) => [
    index('prepaid_topups_service_ix').on(t.serviceId),
    check('prepaid_topups_source_ck', sql`source in ('payment', 'voucher', 'admin')`),
    check('prepaid_topups_days_ck', sql`days >= 1`),
  ],
);

export const voucherBatches = pgTable(
  'voucher_batches',
  {
    id: identity('id'),
    name: text('name').notNull(),
    planId: bigint('plan_id', { mode: 'number' })
      .notNull()
      .references(() => plans.id, { onDelete: 'restrict' }),
    count: integer('count').notNull(),
    codeLength: integer('code_length').notNull(),
    /** What one voucher sells for (minor units): the receipt's amount when it is redeemed. */
    price: bigint('price', { mode: 'number' }).notNull(),
    /** Last calendar day a voucher of the batch may be redeemed, or null. */
    validUntil: text('valid_until'),
    createdAt: text('created_at').notNull(),
    createdBy: text('created_by').notNull(),
  },
  () => [check('voucher_batches_ck', sql`count between 1 and 100000 and code_length between 10 and 32 and price >= 0`)],
);

export const vouchers = pgTable(
  'vouchers',
  {
    id: identity('id'),
    batchId: bigint('batch_id', { mode: 'number' })
      .notNull()
      .references(() => voucherBatches.id, { onDelete: 'restrict' }),
    code: text('code').notNull(),
    /** Set once, by a conditional UPDATE ... WHERE redeemed_at IS NULL: a voucher redeems once. */
    redeemedAt: text('redeemed_at'),
    serviceId: bigint('service_id', { mode: 'number' }).references(() => services.id, { onDelete: 'set null' }),
    redeemedBy: text('redeemed_by'),
  },
  (t) => [uniqueIndex('vouchers_code_uq').on(t.code), index('vouchers_batch_ix').on(t.batchId)],
);

// ---- Billing: promotions (bulk discounts) --------------------------------------------------------

/**
 * A discount applied in bulk: to every service of a plan, or to a list of services, now; and, with
 * `appliesToNew`, to each new contract on the plan that starts from `startDate` (to `newUntil`).
 * Each targeted service gets its own row in `discounts` (promotion_id, service_id unique), so the
 * generator bills it like any other discount. `key` makes the request idempotent.
 */
export const promotions = pgTable(
  'promotions',
  {
    id: identity('id'),
    key: text('key').notNull(),
    description: text('description').notNull(),
    valueType: text('value_type', { enum: ['percent', 'fixed'] }).notNull(),
    percentBp: integer('percent_bp'),
    amount: bigint('amount', { mode: 'number' }),
    /** Existing services: periods starting on or after this date; new ones: their start date. */
    startDate: text('start_date').notNull(),
    periods: integer('periods'),
    /** The plan whose services it targets; null when it targets a list of services. */
    planId: bigint('plan_id', { mode: 'number' }).references(() => plans.id, { onDelete: 'restrict' }),
    /** JSON array of service ids when it targets a list. */
    serviceIds: text('service_ids'),
    appliesToNew: boolean('applies_to_new').notNull().default(false),
    /** Last start date of a new contract that still gets it; null: no limit. */
    newUntil: text('new_until'),
    createdAt: text('created_at').notNull().default(now),
  },
  (t) => [
    uniqueIndex('promotions_key_uq').on(t.key),
    check('promotions_value_ck', sql`(value_type = 'percent' and percent_bp between 0 and 10000 and amount is null)
      or (value_type = 'fixed' and amount >= 0 and percent_bp is null)`),
    check('promotions_periods_ck', sql`periods is null or periods >= 1`),
    check('promotions_target_ck', sql`(plan_id is not null and service_ids is null) or (plan_id is null and service_ids is not null and not applies_to_new)`),
  ],
);

export const billingProfiles = pgTable(
  'billing_profiles',
  {
    id: identity('id'),
    name: text('name').notNull(),
    isDefault: boolean('is_default').notNull().default(false),
    daysUntilDue: integer('days_until_due').notNull().default(14),
    /** JSON: up to three `{ afterDays, channels: ['email'|'sms'], template }`. */
    reminders: text('reminders').notNull().default('[]'),
    lateFeeAmount: bigint('late_fee_amount', { mode: 'number' }),
    lateFeeAfterDays: integer('late_fee_after_days'),
    lateFeeTaxRateBp: integer('late_fee_tax_rate_bp').notNull().default(0),
    /** Suspended once the invoice is this many days past due (null: never suspend). */
    graceDays: integer('grace_days'),
    /** Null: the plan's suspension mode, else the configured default (H1's ServiceControl decides). */
    suspendMode: text('suspend_mode', { enum: ['reject', 'walled-garden'] }),
    /** JSON array of ISO weekdays (1 = Monday .. 7 = Sunday) when nobody is suspended. */
    quietWeekdays: text('quiet_weekdays').notNull().default('[6,7]'),
    /** JSON array of YYYY-MM-DD holidays when nobody is suspended. */
    quietDates: text('quiet_dates').notNull().default('[]'),
    /** Suspensions only between these local times (HH:MM, billing time zone); null: any time. */
    officeHoursStart: text('office_hours_start'),
    officeHoursEnd: text('office_hours_end'),
    billSuspended: boolean('bill_suspended').notNull().default(false),
    /**
     * Minor units: no reminder, late fee or suspension while the customer's overdue amount is below
     * this (null: one unit of the billing currency, 100 for EUR).
     */
    minOverdueAmount: bigint('min_overdue_amount', { mode: 'number' }),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('billing_profiles_name_uq').on(t.name),
    check('billing_profiles_mode_ck', sql`suspend_mode is null or suspend_mode in ('reject', 'walled-garden')`),
    check('billing_profiles_days_ck', sql`days_until_due >= 0 and (grace_days is null or grace_days >= 0) and (late_fee_amount is null or late_fee_amount > 0)`),
  ],
);

/** What dunning did, once per key (`invoice:12:reminder:1`, `invoice:12:suspend:service:4`). */
export const dunningEvents = pgTable(
  'dunning_events',
  {
    id: identity('id'),
    key: text('key').notNull(),
    customerId: bigint('customer_id', { mode: 'number' }).notNull(),
    invoiceId: bigint('invoice_id', { mode: 'number' }),
    serviceId: bigint('service_id', { mode: 'number' }),
    kind: text('kind', { enum: ['reminder', 'late_fee', 'suspend', 'resume'] }).notNull(),
    step: integer('step'),
    /** The billing date it belongs to. */
    date: text('date').notNull(),
    at: text('at').notNull(),
    /** JSON: what was done (channels, charge id, the NAS actions, an error). */
    detail: text('detail').notNull().default('{}'),
    /** For a suspension: when a payment lifted it. */
    resolvedAt: text('resolved_at'),
  },
  (t) => [
    uniqueIndex('dunning_events_key_uq').on(t.key),
    index('dunning_events_customer_ix').on(t.customerId, t.id),
    index('dunning_events_service_ix').on(t.serviceId, t.kind),
    check('dunning_events_kind_ck', sql`kind in ('reminder', 'late_fee', 'suspend', 'resume')`),
  ],
);
