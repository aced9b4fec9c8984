import { sql } from 'drizzle-orm';
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/**
 * The database schema. Instants are ISO 8601 UTC text (`2026-11-22T15:00:00.000Z`), calendar dates
 * are `YYYY-MM-DD` text in the billing time zone, money is integer minor units. `text({ enum })`
 * makes no CHECK constraint in drizzle, so every enum has an explicit `check()`.
 * Migrations are generated from this file by drizzle-kit (`npm run db:generate`) into migrations/.
 */

// CHECK constraints name columns unqualified: a qualified `"nas"."vendor"` breaks the
// CREATE __new_x / RENAME table rebuild that drizzle-kit generates for later migrations.
const now = sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`;
const timestamps = {
  createdAt: text('created_at').notNull().default(now),
  updatedAt: text('updated_at').notNull().default(now),
};

export const nas = sqliteTable(
  'nas',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    name: text('name').notNull(),
    /** An address or a CIDR range (routers behind NAT or on dynamic addresses). */
    ipAddress: text('ip_address').notNull(),
    /** Picks the entry when several share a source range. */
    nasIdentifier: text('nas_identifier'),
    /** Sealed with the at-rest key (src/lib/secretbox.ts). */
    secretEnc: text('secret_enc').notNull(),
    vendor: text('vendor', { enum: ['mikrotik', 'generic'] }).notNull().default('generic'),
    coaPort: integer('coa_port').notNull().default(3799),
    requireMessageAuthenticator: integer('require_message_authenticator', { mode: 'boolean' }).notNull().default(true),
    description: text('description').notNull().default(''),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('nas_name_uq').on(t.name),
    check('nas_vendor_ck', sql`vendor in ('mikrotik', 'generic')`),
    check('nas_coa_port_ck', sql`coa_port between 1 and 65535`),
  ],
);

export const plans = sqliteTable(
  'plans',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    name: text('name').notNull(),
    type: text('type', { enum: ['recurring', 'prepaid'] }).notNull(),
    price: integer('price').notNull(),
    billingPeriodMonths: integer('billing_period_months'),
    validityDays: integer('validity_days'),
    setupFee: integer('setup_fee').notNull().default(0),
    /** Basis points: 2200 = 22 %. */
    taxRateBp: integer('tax_rate_bp').notNull().default(0),
    taxInclusive: integer('tax_inclusive', { mode: 'boolean' }).notNull().default(true),
    downloadKbps: integer('download_kbps').notNull(),
    uploadKbps: integer('upload_kbps').notNull(),
    burstDownloadKbps: integer('burst_download_kbps'),
    burstUploadKbps: integer('burst_upload_kbps'),
    burstThresholdDownloadKbps: integer('burst_threshold_download_kbps'),
    burstThresholdUploadKbps: integer('burst_threshold_upload_kbps'),
    burstTimeSeconds: integer('burst_time_seconds'),
    dataCapBytes: integer('data_cap_bytes'),
    capAction: text('cap_action', { enum: ['block', 'throttle'] }),
    throttleDownloadKbps: integer('throttle_download_kbps'),
    throttleUploadKbps: integer('throttle_upload_kbps'),
    /** Framed-Pool for services without a static address. */
    framedPool: text('framed_pool'),
    description: text('description').notNull().default(''),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('plans_name_uq').on(t.name),
    check('plans_type_ck', sql`type in ('recurring', 'prepaid')`),
    check('plans_price_ck', sql`price >= 0 and setup_fee >= 0`),
    check(
      'plans_period_ck',
      sql`(type = 'recurring' and billing_period_months in (1, 2, 3, 6, 12) and validity_days is null)
        or (type = 'prepaid' and validity_days >= 1 and billing_period_months is null)`,
    ),
    check('plans_cap_action_ck', sql`cap_action is null or cap_action in ('block', 'throttle')`),
    check('plans_speed_ck', sql`download_kbps > 0 and upload_kbps > 0`),
  ],
);

export const customers = sqliteTable(
  'customers',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    name: text('name').notNull(),
    email: text('email'),
    phone: text('phone'),
    address: text('address'),
    taxId: text('tax_id'),
    notes: text('notes').notNull().default(''),
    ...timestamps,
  },
  (t) => [index('customers_name_ix').on(t.name), index('customers_email_ix').on(t.email), index('customers_phone_ix').on(t.phone)],
);

export const serviceStatuses = ['proposal', 'active', 'suspended', 'ended', 'free'] as const;

export const services = sqliteTable(
  'services',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    customerId: integer('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'restrict' }),
    planId: integer('plan_id')
      .notNull()
      .references(() => plans.id, { onDelete: 'restrict' }),
    username: text('username').notNull(),
    /** Sealed cleartext: CHAP and MS-CHAP need it (argon2 cannot serve PPP users). */
    passwordEnc: text('password_enc').notNull(),
    status: text('status', { enum: serviceStatuses }).notNull().default('active'),
    startDate: text('start_date').notNull(),
    macAddress: text('mac_address'),
    staticIp: text('static_ip'),
    ipv6Prefix: text('ipv6_prefix'),
    delegatedIpv6Prefix: text('delegated_ipv6_prefix'),
    simultaneousUse: integer('simultaneous_use').notNull().default(1),
    expiresAt: text('expires_at'),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('services_username_uq').on(t.username),
    index('services_customer_ix').on(t.customerId),
    index('services_plan_ix').on(t.planId),
    index('services_mac_ix').on(t.macAddress),
    index('services_static_ip_ix').on(t.staticIp),
    check('services_status_ck', sql`status in ('proposal', 'active', 'suspended', 'ended', 'free')`),
    check('services_simultaneous_ck', sql`simultaneous_use >= 1`),
  ],
);

export const radiusSessions = sqliteTable(
  'radius_sessions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    nasId: integer('nas_id').references(() => nas.id, { onDelete: 'set null' }),
    /** The NAS's own key for the session; unique per NAS (RFC 2866 Acct-Session-Id). */
    acctSessionId: text('acct_session_id').notNull(),
    serviceId: integer('service_id').references(() => services.id, { onDelete: 'set null' }),
    username: text('username').notNull(),
    nasIpAddress: text('nas_ip_address'),
    nasPort: text('nas_port'),
    framedIpAddress: text('framed_ip_address'),
    callingStationId: text('calling_station_id'),
    calledStationId: text('called_station_id'),
    startedAt: text('started_at').notNull(),
    updatedAt: text('updated_at').notNull(),
    stoppedAt: text('stopped_at'),
    sessionTime: integer('session_time').notNull().default(0),
    /** Octets already combined with Gigawords: gigawords << 32 | octets. */
    inputOctets: integer('input_octets').notNull().default(0),
    outputOctets: integer('output_octets').notNull().default(0),
    interimInterval: integer('interim_interval'),
    terminateCause: text('terminate_cause'),
  },
  (t) => [
    // A NAS without a row (deleted) still gets a stable key: nas_id is null then.
    uniqueIndex('radius_sessions_key_uq').on(t.nasId, t.acctSessionId),
    index('radius_sessions_open_ix').on(t.stoppedAt),
    index('radius_sessions_username_ix').on(t.username),
    index('radius_sessions_service_ix').on(t.serviceId, t.stoppedAt),
    index('radius_sessions_nas_open_ix').on(t.nasId, t.stoppedAt),
  ],
);

/**
 * Traffic per service per calendar day (billing time zone), summed across all of a service's
 * sessions from accounting deltas: what data caps and usage reports read.
 */
export const usageDaily = sqliteTable(
  'usage_daily',
  {
    serviceId: integer('service_id')
      .notNull()
      .references(() => services.id, { onDelete: 'cascade' }),
    day: text('day').notNull(),
    inputOctets: integer('input_octets').notNull().default(0),
    outputOctets: integer('output_octets').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.serviceId, t.day] })],
);

export const authLog = sqliteTable(
  'auth_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: text('at').notNull(),
    nasId: integer('nas_id').references(() => nas.id, { onDelete: 'set null' }),
    serviceId: integer('service_id').references(() => services.id, { onDelete: 'set null' }),
    username: text('username').notNull(),
    outcome: text('outcome', { enum: ['accept', 'reject'] }).notNull(),
    reason: text('reason'),
    method: text('method'),
    callingStationId: text('calling_station_id'),
  },
  (t) => [
    index('auth_log_at_ix').on(t.at),
    index('auth_log_username_ix').on(t.username, t.at),
    index('auth_log_service_ix').on(t.serviceId, t.at),
    check('auth_log_outcome_ck', sql`outcome in ('accept', 'reject')`),
  ],
);

export const adminRoles = ['super-admin', 'admin', 'finance', 'support', 'read-only'] as const;

export const admins = sqliteTable(
  'admins',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    username: text('username').notNull(),
    /** argon2id, PHC string. */
    passwordHash: text('password_hash').notNull(),
    role: text('role').notNull(),
    /** Sealed TOTP seed once the admin enrols a second factor. */
    totpSecretEnc: text('totp_secret_enc'),
    mustChangePassword: integer('must_change_password', { mode: 'boolean' }).notNull().default(false),
    disabled: integer('disabled', { mode: 'boolean' }).notNull().default(false),
    lastLoginAt: text('last_login_at'),
    ...timestamps,
  },
  (t) => [uniqueIndex('admins_username_uq').on(t.username)],
);

export const apiTokens = sqliteTable(
  'api_tokens',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    name: text('name').notNull(),
    /** SHA-256 of the token: tokens are 256-bit random, so a slow hash adds nothing but latency. */
    tokenHash: text('token_hash').notNull(),
    /** The first characters, to tell tokens apart in lists without revealing them. */
    prefix: text('prefix').notNull(),
    role: text('role').notNull(),
    expiresAt: text('expires_at'),
    revokedAt: text('revoked_at'),
    lastUsedAt: text('last_used_at'),
    createdBy: text('created_by').notNull(),
    createdAt: text('created_at').notNull().default(now),
  },
  (t) => [uniqueIndex('api_tokens_hash_uq').on(t.tokenHash)],
);

export const auditLog = sqliteTable(
  'audit_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: text('at').notNull(),
    /** `admin:3`, `token:7`, `cli`, `system`. */
    actor: text('actor').notNull(),
    actorIp: text('actor_ip'),
    action: text('action').notNull(),
    entity: text('entity').notNull(),
    entityId: text('entity_id'),
    /** JSON with secrets redacted. */
    before: text('before'),
    after: text('after'),
  },
  (t) => [index('audit_log_entity_ix').on(t.entity, t.entityId), index('audit_log_at_ix').on(t.at)],
);

export const settings = sqliteTable('settings', {
  key: text('key').primaryKey(),
  /** JSON. */
  value: text('value').notNull(),
  updatedAt: text('updated_at').notNull().default(now),
});

// ---- Billing -------------------------------------------------------------------------------------
// Money columns are INTEGER minor units; rates are basis points. Issued documents (invoices, their
// lines, credit notes) are never updated except for their settlement columns (paid, credited, open):
// corrections are new linked documents.

/** A customer's billing profile and running credit (prepayments, overpayments, excess credit notes). */
export const customerAccounts = sqliteTable(
  'customer_accounts',
  {
    customerId: integer('customer_id')
      .primaryKey()
      .references(() => customers.id, { onDelete: 'restrict' }),
    daysUntilDue: integer('days_until_due').notNull().default(14),
    /** Bill periods that start while a service is suspended. */
    billSuspended: integer('bill_suspended', { mode: 'boolean' }).notNull().default(false),
    credit: integer('credit').notNull().default(0),
    updatedAt: text('updated_at').notNull().default(now),
  },
  () => [check('customer_accounts_ck', sql`days_until_due >= 0 and credit >= 0`)],
);

/** A service's contract terms; a service without a row bills with the defaults (in advance, anniversary). */
export const serviceBilling = sqliteTable(
  'service_billing',
  {
    serviceId: integer('service_id')
      .primaryKey()
      .references(() => services.id, { onDelete: 'cascade' }),
    /** The plan the contract started on; later plans are dated rows of service_plan_changes. */
    startPlanId: integer('start_plan_id').references(() => plans.id, { onDelete: 'restrict' }),
    /** Null: the start plan's period. The period length is the contract's, whatever the plan changes to. */
    billingPeriodMonths: integer('billing_period_months'),
    billingMode: text('billing_mode', { enum: ['advance', 'arrears'] }).notNull().default('advance'),
    /** 'anniversary', 'last' or a day '1'..'28'. */
    billingDay: text('billing_day').notNull().default('anniversary'),
    trialEndDate: text('trial_end_date'),
    /** Last day of service, inclusive. */
    endDate: text('end_date'),
    /** Null: the start plan's setup fee. */
    setupFee: integer('setup_fee'),
    updatedAt: text('updated_at').notNull().default(now),
  },
  () => [
    check('service_billing_mode_ck', sql`billing_mode in ('advance', 'arrears')`),
    check('service_billing_period_ck', sql`billing_period_months is null or billing_period_months in (1, 2, 3, 6, 12)`),
    check('service_billing_day_ck', sql`billing_day in ('anniversary', 'last') or (cast(billing_day as integer) between 1 and 28 and billing_day = cast(cast(billing_day as integer) as text))`),
    check('service_billing_setup_ck', sql`setup_fee is null or setup_fee >= 0`),
  ],
);

export const servicePlanChanges = sqliteTable(
  'service_plan_changes',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    serviceId: integer('service_id')
      .notNull()
      .references(() => services.id, { onDelete: 'cascade' }),
    planId: integer('plan_id')
      .notNull()
      .references(() => plans.id, { onDelete: 'restrict' }),
    /** The first day on the new plan. */
    effectiveDate: text('effective_date').notNull(),
    createdAt: text('created_at').notNull().default(now),
  },
  (t) => [index('service_plan_changes_service_ix').on(t.serviceId, t.effectiveDate)],
);

export const serviceSuspensions = sqliteTable(
  'service_suspensions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    serviceId: integer('service_id')
      .notNull()
      .references(() => services.id, { onDelete: 'cascade' }),
    /** First day suspended. */
    fromDate: text('from_date').notNull(),
    /** First day active again; null while suspended. */
    toDate: text('to_date'),
  },
  (t) => [index('service_suspensions_service_ix').on(t.serviceId), check('service_suspensions_ck', sql`to_date is null or to_date >= from_date`)],
);

const taxColumns = {
  taxRateBp: integer('tax_rate_bp').notNull().default(0),
  taxInclusive: integer('tax_inclusive', { mode: 'boolean' }).notNull().default(true),
};

/** Equipment rent and other per-period extras of a service, priced per billing period. */
export const recurringItems = sqliteTable(
  'recurring_items',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    serviceId: integer('service_id')
      .notNull()
      .references(() => services.id, { onDelete: 'restrict' }),
    description: text('description').notNull(),
    amount: integer('amount').notNull(),
    ...taxColumns,
    startDate: text('start_date'),
    endDate: text('end_date'),
    ...timestamps,
  },
  (t) => [index('recurring_items_service_ix').on(t.serviceId), check('recurring_items_ck', sql`amount >= 0 and tax_rate_bp >= 0`)],
);

export const oneOffCharges = sqliteTable(
  'one_off_charges',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    customerId: integer('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'restrict' }),
    serviceId: integer('service_id').references(() => services.id, { onDelete: 'restrict' }),
    description: text('description').notNull(),
    /** Negative for a goodwill credit. */
    amount: integer('amount').notNull(),
    ...taxColumns,
    /** Billed by the first run on or after this date. */
    date: text('date').notNull(),
    createdAt: text('created_at').notNull().default(now),
  },
  (t) => [index('one_off_charges_customer_ix').on(t.customerId), check('one_off_charges_ck', sql`tax_rate_bp >= 0`)],
);

export const discounts = sqliteTable(
  'discounts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    customerId: integer('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'restrict' }),
    description: text('description').notNull(),
    /** 'invoice': every service of the customer; 'service': one service; 'item': one recurring item. */
    targetKind: text('target_kind', { enum: ['invoice', 'service', 'item'] }).notNull(),
    serviceId: integer('service_id').references(() => services.id, { onDelete: 'restrict' }),
    itemId: integer('item_id').references(() => recurringItems.id, { onDelete: 'restrict' }),
    valueType: text('value_type', { enum: ['percent', 'fixed'] }).notNull(),
    percentBp: integer('percent_bp'),
    amount: integer('amount'),
    startDate: text('start_date').notNull(),
    /** How many periods of each targeted service; null until removed. */
    periods: integer('periods'),
    createdAt: text('created_at').notNull().default(now),
  },
  (t) => [
    index('discounts_customer_ix').on(t.customerId),
    check('discounts_target_ck', sql`(target_kind = 'invoice' and service_id is null and item_id is null)
      or (target_kind = 'service' and service_id is not null and item_id is null)
      or (target_kind = 'item' and service_id is not null and item_id is not null)`),
    check('discounts_value_ck', sql`(value_type = 'percent' and percent_bp between 0 and 10000 and amount is null)
      or (value_type = 'fixed' and amount >= 0 and percent_bp is null)`),
    check('discounts_periods_ck', sql`periods is null or periods >= 1`),
  ],
);

/** The last sequence given per series and year: gapless numbers are taken here at issue time. */
export const numberSeries = sqliteTable(
  'number_series',
  {
    prefix: text('prefix').notNull(),
    year: integer('year').notNull(),
    lastSequence: integer('last_sequence').notNull(),
  },
  (t) => [primaryKey({ columns: [t.prefix, t.year] })],
);

export const invoices = sqliteTable(
  'invoices',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    customerId: integer('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'restrict' }),
    number: text('number').notNull(),
    series: text('series').notNull(),
    year: integer('year').notNull(),
    sequence: integer('sequence').notNull(),
    issueDate: text('issue_date').notNull(),
    dueDate: text('due_date').notNull(),
    currency: text('currency').notNull(),
    net: integer('net').notNull(),
    tax: integer('tax').notNull(),
    total: integer('total').notNull(),
    /** Settled by payments or credit. */
    paid: integer('paid').notNull().default(0),
    /** Σ of credit notes against it. */
    credited: integer('credited').notNull().default(0),
    /** Still owed. */
    open: integer('open').notNull(),
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
] as const;

export const invoiceLines = sqliteTable(
  'invoice_lines',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    invoiceId: integer('invoice_id')
      .notNull()
      .references(() => invoices.id, { onDelete: 'restrict' }),
    customerId: integer('customer_id').notNull(),
    position: integer('position').notNull(),
    /** The fact this line bills (`service:42:period:2026-03-01`): billed once, ever. */
    key: text('key').notNull(),
    kind: text('kind', { enum: invoiceLineKinds }).notNull(),
    serviceId: integer('service_id').references(() => services.id, { onDelete: 'restrict' }),
    description: text('description').notNull(),
    periodStart: text('period_start'),
    periodEnd: text('period_end'),
    billDate: text('bill_date').notNull(),
    /** As priced: gross when tax-inclusive, net otherwise. */
    amount: integer('amount').notNull(),
    taxRateBp: integer('tax_rate_bp').notNull(),
    taxInclusive: integer('tax_inclusive', { mode: 'boolean' }).notNull(),
    net: integer('net').notNull(),
    tax: integer('tax').notNull(),
    gross: integer('gross').notNull(),
    /** For a discount line, the key of the line it discounts. */
    appliesTo: text('applies_to'),
  },
  (t) => [
    uniqueIndex('invoice_lines_key_uq').on(t.key),
    index('invoice_lines_invoice_ix').on(t.invoiceId, t.position),
    index('invoice_lines_customer_ix').on(t.customerId),
    check('invoice_lines_kind_ck', sql`kind in ('recurring', 'item', 'setup', 'plan_change_credit', 'plan_change_charge', 'end_credit', 'item_end_credit', 'one_off', 'discount')`),
    check('invoice_lines_sum_ck', sql`net + tax = gross`),
  ],
);

export const payments = sqliteTable(
  'payments',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    customerId: integer('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'restrict' }),
    amount: integer('amount').notNull(),
    method: text('method').notNull(),
    reference: text('reference'),
    receivedAt: text('received_at').notNull(),
    /** receivedAt as a calendar date in the billing time zone: the statement date. */
    date: text('date').notNull(),
    refunded: integer('refunded').notNull().default(0),
    createdAt: text('created_at').notNull().default(now),
  },
  (t) => [
    index('payments_customer_ix').on(t.customerId, t.date),
    index('payments_date_ix').on(t.date),
    check('payments_amount_ck', sql`amount > 0 and refunded >= 0 and refunded <= amount`),
  ],
);

/** What settled each invoice: a payment, or customer credit (payment_id null). */
export const paymentAllocations = sqliteTable(
  'payment_allocations',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    invoiceId: integer('invoice_id')
      .notNull()
      .references(() => invoices.id, { onDelete: 'restrict' }),
    paymentId: integer('payment_id').references(() => payments.id, { onDelete: 'restrict' }),
    amount: integer('amount').notNull(),
    date: text('date').notNull(),
  },
  (t) => [index('payment_allocations_invoice_ix').on(t.invoiceId), index('payment_allocations_payment_ix').on(t.paymentId)],
);

export const refunds = sqliteTable(
  'refunds',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    customerId: integer('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'restrict' }),
    paymentId: integer('payment_id').references(() => payments.id, { onDelete: 'restrict' }),
    amount: integer('amount').notNull(),
    date: text('date').notNull(),
    reason: text('reason'),
    createdAt: text('created_at').notNull().default(now),
  },
  (t) => [index('refunds_customer_ix').on(t.customerId), check('refunds_amount_ck', sql`amount > 0`)],
);

export const creditNotes = sqliteTable(
  'credit_notes',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    customerId: integer('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'restrict' }),
    invoiceId: integer('invoice_id')
      .notNull()
      .references(() => invoices.id, { onDelete: 'restrict' }),
    number: text('number').notNull(),
    series: text('series').notNull(),
    year: integer('year').notNull(),
    sequence: integer('sequence').notNull(),
    issueDate: text('issue_date').notNull(),
    currency: text('currency').notNull(),
    net: integer('net').notNull(),
    tax: integer('tax').notNull(),
    total: integer('total').notNull(),
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

export const creditNoteLines = sqliteTable(
  'credit_note_lines',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    creditNoteId: integer('credit_note_id')
      .notNull()
      .references(() => creditNotes.id, { onDelete: 'restrict' }),
    position: integer('position').notNull(),
    /** The invoice line this reverses. */
    creditsKey: text('credits_key').notNull(),
    description: text('description').notNull(),
    amount: integer('amount').notNull(),
    taxRateBp: integer('tax_rate_bp').notNull(),
    taxInclusive: integer('tax_inclusive', { mode: 'boolean' }).notNull(),
    net: integer('net').notNull(),
    tax: integer('tax').notNull(),
    gross: integer('gross').notNull(),
  },
  (t) => [index('credit_note_lines_note_ix').on(t.creditNoteId), index('credit_note_lines_key_ix').on(t.creditsKey)],
);

/** One row per billing date run: a date with finished_at set is done and a re-run is a no-op. */
export const billingRuns = sqliteTable('billing_runs', {
  runDate: text('run_date').primaryKey(),
  startedAt: text('started_at').notNull(),
  finishedAt: text('finished_at'),
  invoices: integer('invoices').notNull().default(0),
  lines: integer('lines').notNull().default(0),
  total: integer('total').notNull().default(0),
  /** JSON array of the contracts that could not be billed, with the reason. */
  problems: text('problems').notNull().default('[]'),
});
