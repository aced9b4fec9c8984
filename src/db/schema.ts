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
    // RouterOS API (session reconciliation, the remove fallback): off unless enabled.
    routerosEnabled: integer('routeros_enabled', { mode: 'boolean' }).notNull().default(false),
    /** Where to reach the API when not ip_address (a range, or a management address). */
    routerosHost: text('routeros_host'),
    /** Null: 8728, or 8729 with TLS. */
    routerosPort: integer('routeros_port'),
    routerosTls: integer('routeros_tls', { mode: 'boolean' }).notNull().default(false),
    routerosUsername: text('routeros_username'),
    /** Sealed like secret_enc. */
    routerosPasswordEnc: text('routeros_password_enc'),
    /** SHA-256 of the router's api-ssl certificate, `AB:CD:..`; when set it alone decides trust. */
    routerosFingerprint256: text('routeros_fingerprint256'),
    // SNMP polling (status, uptime, interface traffic): off unless enabled.
    snmpEnabled: integer('snmp_enabled', { mode: 'boolean' }).notNull().default(false),
    snmpHost: text('snmp_host'),
    snmpPort: integer('snmp_port'),
    /** '2c' or '3' (checked by the API: a CHECK here would make drizzle-kit rebuild the nas table). */
    snmpVersion: text('snmp_version', { enum: ['2c', '3'] }),
    /** v2c community, sealed. */
    snmpCommunityEnc: text('snmp_community_enc'),
    /** v3 user (authPriv: SHA authentication, AES-128 privacy); the keys are sealed. */
    snmpV3User: text('snmp_v3_user'),
    snmpV3AuthKeyEnc: text('snmp_v3_auth_key_enc'),
    snmpV3PrivKeyEnc: text('snmp_v3_priv_key_enc'),
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
    /**
     * What a suspended service of this plan gets at login; null: `[radius] suspended_mode`. No CHECK
     * (adding one would rebuild plans): the API allows only 'reject' and 'walled-garden'.
     */
    suspensionMode: text('suspension_mode', { enum: ['reject', 'walled-garden'] }),
    /** Prepaid expiry notices: days before expiry, "7,3,1"; "" none; null: `[prepaid] notice_days`. */
    prepaidNoticeDays: text('prepaid_notice_days'),
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
    /** Dunning: the billing profile (null: the default profile); no FK so the column adds without a table rebuild. */
    billingProfileId: integer('billing_profile_id'),
    /** Dunning whitelist: never suspended for non-payment. */
    dunningExempt: integer('dunning_exempt', { mode: 'boolean' }).notNull().default(false),
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
    // Prepaid expiry notices and cut-offs look services up by expiry.
    index('services_expires_ix').on(t.expiresAt),
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
    /** Null: from accounting. `reconciliation`: created because the router listed a session we lacked. */
    origin: text('origin'),
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
    // History, not references: a row keeps the NAS and service it was about after they are deleted,
    // and an insert checks no parent (foreign keys here would cost a lookup per login and a scan of
    // the whole log per deleted service).
    nasId: integer('nas_id'),
    serviceId: integer('service_id'),
    username: text('username').notNull(),
    outcome: text('outcome', { enum: ['accept', 'reject'] }).notNull(),
    reason: text('reason'),
    method: text('method'),
    callingStationId: text('calling_station_id'),
  },
  // No index per row. Indexes on username or service take each login at a random place (a page
  // written per row: 25-100 µs of CPU each at load), so the per-subscriber lookups use
  // auth_log_by_service / auth_log_by_username, filled in sorted batches. Time follows id (rows are
  // appended as requests are answered), so a time range is found by a binary search over id
  // (src/db/dashboard.ts) rather than an `at` index, which cost a fifth of each insert (migration 0006).
  (t) => [check('auth_log_outcome_ck', sql`outcome in ('accept', 'reject')`)],
);

/**
 * The auth log's per-subscriber indexes, built in sorted batches by the accounting writer
 * (src/db/auth-log-index.ts) rather than row by row: a batch in key order writes each index page
 * once. Entries are grouped first by `bucket`, the auth-log id's block of 8,192 rows (id >> 13), so
 * a batch lands in the newest buckets' pages only: keyed by subscriber alone, every batch rewrote
 * pages across the whole index, and its cost per row grew with the log (migration 0007); in buckets
 * of 262,144 rows only batches of 100,000 rows were cheap, and each held the RADIUS core for a
 * quarter of a second (migration 0008). Readers walk the buckets newest first (src/db/logs.ts). Rows
 * newer than `auth_log_index_state.upto` are found by scanning the log's tail.
 */
export const authLogByService = sqliteTable(
  'auth_log_by_service',
  { bucket: integer('bucket').notNull(), serviceId: integer('service_id').notNull(), authLogId: integer('auth_log_id').notNull() },
  (t) => [primaryKey({ columns: [t.bucket, t.serviceId, t.authLogId] })],
);

export const authLogByUsername = sqliteTable(
  'auth_log_by_username',
  { bucket: integer('bucket').notNull(), username: text('username').notNull(), authLogId: integer('auth_log_id').notNull() },
  (t) => [primaryKey({ columns: [t.bucket, t.username, t.authLogId] })],
);

/** One row: the highest auth_log id already in the per-subscriber indexes. */
export const authLogIndexState = sqliteTable(
  'auth_log_index_state',
  { id: integer('id').primaryKey(), upto: integer('upto').notNull().default(0) },
  (t) => [check('auth_log_index_state_one_ck', sql`id = 1`)],
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
    /** When the admin proved the seed with a code; null while enrolment is unconfirmed (TOTP off). */
    totpConfirmedAt: text('totp_confirmed_at'),
    /** The last accepted TOTP time step: a code is good once. */
    totpLastStep: integer('totp_last_step'),
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
    /** Contract term in months (minimum term, renewal length); null: open-ended, no commitment. */
    termMonths: integer('term_months'),
    /** With a term: renew for another term unless notice is given in time (tacit renewal). */
    autoRenew: integer('auto_renew', { mode: 'boolean' }).notNull().default(true),
    /** Days of notice before a term's last day needed to end the contract on it. */
    noticeDays: integer('notice_days').notNull().default(30),
    /** The day the customer gave notice of cancellation, when it was given. */
    noticeDate: text('notice_date'),
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
    /**
     * When services.plan_id was set to this plan: at recording for a change already effective, else by
     * the daily `plan-changes` job on its date. Null while pending (and on rows older than the column).
     */
    appliedAt: text('applied_at'),
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
    /** How the network treated it ('reject' or 'walled-garden'); null for rows older than the column. */
    mode: text('mode'),
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
    /** The bulk promotion that created this discount (one per promotion and service). */
    promotionId: integer('promotion_id'),
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
  'early_termination',
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
    check('invoice_lines_kind_ck', sql`kind in ('recurring', 'item', 'setup', 'plan_change_credit', 'plan_change_charge', 'end_credit', 'item_end_credit', 'one_off', 'discount', 'early_termination')`),
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

// ---- Prepaid, vouchers and data caps --------------------------------------------------------------

/** Fair-use tiers of a plan: from `fromBytes` used in the period on, the service gets this rate. */
export const planCapTiers = sqliteTable(
  'plan_cap_tiers',
  {
    planId: integer('plan_id')
      .notNull()
      .references(() => plans.id, { onDelete: 'cascade' }),
    /** 1..3, in ascending fromBytes. */
    position: integer('position').notNull(),
    fromBytes: integer('from_bytes').notNull(),
    downloadKbps: integer('download_kbps').notNull(),
    uploadKbps: integer('upload_kbps').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.planId, t.position] }),
    check('plan_cap_tiers_ck', sql`position between 1 and 3 and from_bytes > 0 and download_kbps > 0 and upload_kbps > 0`),
  ],
);

/** Extra data bought for one cap period of a service: it moves every threshold of that period up. */
export const dataTopups = sqliteTable(
  'data_topups',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    serviceId: integer('service_id')
      .notNull()
      .references(() => services.id, { onDelete: 'cascade' }),
    /** First day of the cap period it counts in. */
    periodStart: text('period_start').notNull(),
    bytes: integer('bytes').notNull(),
    createdAt: text('created_at').notNull(),
    createdBy: text('created_by').notNull(),
  },
  (t) => [index('data_topups_service_ix').on(t.serviceId, t.periodStart), check('data_topups_bytes_ck', sql`bytes > 0`)],
);

/** The cap tier each service's sessions were last given: crossings and period resets are measured against it. */
export const serviceCapState = sqliteTable('service_cap_state', {
  serviceId: integer('service_id')
    .primaryKey()
    .references(() => services.id, { onDelete: 'cascade' }),
  periodStart: text('period_start').notNull(),
  /** 0 full rate, 1..3 a fair-use tier, 4 blocked. */
  tier: integer('tier').notNull().default(0),
  updatedAt: text('updated_at').notNull(),
});

/** Notices and one-time actions done per service (`prepaid.expiring:<expiry>:<days>`, `cap.80:<period>`): each once. */
export const serviceNotices = sqliteTable(
  'service_notices',
  {
    serviceId: integer('service_id')
      .notNull()
      .references(() => services.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    at: text('at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.serviceId, t.key] })],
);

/** Every extension of a prepaid service's expiry, with what paid for it. */
export const prepaidTopups = sqliteTable(
  'prepaid_topups',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    serviceId: integer('service_id')
      .notNull()
      .references(() => services.id, { onDelete: 'cascade' }),
    source: text('source', { enum: ['payment', 'voucher', 'admin'] }).notNull(),
    days: integer('days').notNull(),
    previousExpiresAt: text('previous_expires_at'),
    expiresAt: text('expires_at').notNull(),
    paymentId: integer('payment_id').references(() => payments.id, { onDelete: 'restrict' }),
    /** The receipt: an invoice issued paid. */
    invoiceId: integer('invoice_id').references(() => invoices.id, { onDelete: 'restrict' }),
    voucherId: integer('voucher_id'),
    at: text('at').notNull(),
    actor: text('actor').notNull(),
  },
  (t) => [
    index('prepaid_topups_service_ix').on(t.serviceId),
    check('prepaid_topups_source_ck', sql`source in ('payment', 'voucher', 'admin')`),
    check('prepaid_topups_days_ck', sql`days >= 1`),
  ],
);

export const voucherBatches = sqliteTable(
  'voucher_batches',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    name: text('name').notNull(),
    planId: integer('plan_id')
      .notNull()
      .references(() => plans.id, { onDelete: 'restrict' }),
    count: integer('count').notNull(),
    codeLength: integer('code_length').notNull(),
    /** What one voucher sells for (minor units): the receipt's amount when it is redeemed. */
    price: integer('price').notNull(),
    /** Last calendar day a voucher of the batch may be redeemed, or null. */
    validUntil: text('valid_until'),
    createdAt: text('created_at').notNull(),
    createdBy: text('created_by').notNull(),
  },
  () => [check('voucher_batches_ck', sql`count between 1 and 100000 and code_length between 10 and 32 and price >= 0`)],
);

export const vouchers = sqliteTable(
  'vouchers',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    batchId: integer('batch_id')
      .notNull()
      .references(() => voucherBatches.id, { onDelete: 'restrict' }),
    code: text('code').notNull(),
    /** Set once, by a conditional UPDATE ... WHERE redeemed_at IS NULL: a voucher redeems once. */
    redeemedAt: text('redeemed_at'),
    serviceId: integer('service_id').references(() => services.id, { onDelete: 'set null' }),
    redeemedBy: text('redeemed_by'),
  },
  (t) => [uniqueIndex('vouchers_code_uq').on(t.code), index('vouchers_batch_ix').on(t.batchId)],
);

// ---- Scheduler, dunning and notifications (H5a) ------------------------------------------------------

/** Each scheduled job's progress: the last billing date it completed, and its failures. */
export const jobState = sqliteTable('job_state', {
  name: text('name').primaryKey(),
  lastDate: text('last_date'),
  lastStartedAt: text('last_started_at'),
  lastFinishedAt: text('last_finished_at'),
  /** Consecutive failures since the last success. */
  failures: integer('failures').notNull().default(0),
  lastError: text('last_error'),
  lastErrorAt: text('last_error_at'),
  /** The date that failed, retried at next_retry_at. */
  failedDate: text('failed_date'),
  nextRetryAt: text('next_retry_at'),
  updatedAt: text('updated_at').notNull().default(now),
});

/** A lease so that two processes on one database never run the jobs at once. */
export const jobLeases = sqliteTable('job_leases', {
  name: text('name').primaryKey(),
  holder: text('holder').notNull(),
  expiresAt: text('expires_at').notNull(),
});

export const billingProfiles = sqliteTable(
  'billing_profiles',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    name: text('name').notNull(),
    isDefault: integer('is_default', { mode: 'boolean' }).notNull().default(false),
    daysUntilDue: integer('days_until_due').notNull().default(14),
    /** JSON: up to three `{ afterDays, channels: ['email'|'sms'], template }`. */
    reminders: text('reminders').notNull().default('[]'),
    lateFeeAmount: integer('late_fee_amount'),
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
    billSuspended: integer('bill_suspended', { mode: 'boolean' }).notNull().default(false),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('billing_profiles_name_uq').on(t.name),
    check('billing_profiles_mode_ck', sql`suspend_mode is null or suspend_mode in ('reject', 'walled-garden')`),
    check('billing_profiles_days_ck', sql`days_until_due >= 0 and (grace_days is null or grace_days >= 0) and (late_fee_amount is null or late_fee_amount > 0)`),
  ],
);

/** What dunning did, once per key (`invoice:12:reminder:1`, `invoice:12:suspend:service:4`). */
export const dunningEvents = sqliteTable(
  'dunning_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    key: text('key').notNull(),
    customerId: integer('customer_id').notNull(),
    invoiceId: integer('invoice_id'),
    serviceId: integer('service_id'),
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

export const notificationTemplates = sqliteTable(
  'notification_templates',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    key: text('key').notNull(),
    channel: text('channel', { enum: ['email', 'sms'] }).notNull(),
    subject: text('subject').notNull().default(''),
    body: text('body').notNull(),
    /** Minutes to wait after the event before sending. */
    delayMinutes: integer('delay_minutes').notNull().default(0),
    /** Sending hours (HH:MM, billing time zone); null: any time. */
    sendFrom: text('send_from'),
    sendUntil: text('send_until'),
    enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
    ...timestamps,
  },
  (t) => [uniqueIndex('notification_templates_key_uq').on(t.key, t.channel), check('notification_templates_channel_ck', sql`channel in ('email', 'sms')`)],
);

export const notificationOutbox = sqliteTable(
  'notification_outbox',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    customerId: integer('customer_id'),
    serviceId: integer('service_id'),
    template: text('template').notNull(),
    channel: text('channel', { enum: ['email', 'sms'] }).notNull(),
    recipient: text('recipient').notNull(),
    subject: text('subject').notNull().default(''),
    body: text('body').notNull(),
    /** queued, sending (claimed by the worker), sent or failed. */
    status: text('status', { enum: ['queued', 'sending', 'sent', 'failed'] }).notNull().default('queued'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    nextAttemptAt: text('next_attempt_at').notNull(),
    dedupeKey: text('dedupe_key'),
    createdAt: text('created_at').notNull(),
    sentAt: text('sent_at'),
  },
  (t) => [
    uniqueIndex('notification_outbox_dedupe_uq').on(t.dedupeKey, t.channel),
    index('notification_outbox_due_ix').on(t.status, t.nextAttemptAt),
    index('notification_outbox_customer_ix').on(t.customerId, t.id),
    check('notification_outbox_status_ck', sql`status in ('queued', 'sending', 'sent', 'failed')`),
    check('notification_outbox_channel_ck', sql`channel in ('email', 'sms')`),
  ],
);

// ---- NAS: RouterOS reconciliation and SNMP polling ------------------------------------------------

/** One reconciliation run of a NAS's active sessions against ours, with what it found and fixed. */
export const nasReconciliations = sqliteTable(
  'nas_reconciliations',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    nasId: integer('nas_id')
      .notNull()
      .references(() => nas.id, { onDelete: 'cascade' }),
    trigger: text('trigger', { enum: ['schedule', 'api'] }).notNull(),
    startedAt: text('started_at').notNull(),
    finishedAt: text('finished_at').notNull(),
    outcome: text('outcome', { enum: ['ok', 'error'] }).notNull(),
    error: text('error'),
    routerSessions: integer('router_sessions').notNull().default(0),
    ourSessions: integer('our_sessions').notNull().default(0),
    matched: integer('matched').notNull().default(0),
    created: integer('created').notNull().default(0),
    closed: integer('closed').notNull().default(0),
    skipped: integer('skipped').notNull().default(0),
    /** JSON array of the sessions created, closed or skipped, each with the reason. */
    items: text('items').notNull().default('[]'),
  },
  (t) => [
    index('nas_reconciliations_nas_ix').on(t.nasId, t.id),
    check('nas_reconciliations_trigger_ck', sql`trigger in ('schedule', 'api')`),
    check('nas_reconciliations_outcome_ck', sql`outcome in ('ok', 'error')`),
  ],
);

/** The SNMP poller's view of each NAS: up or down, and when it last answered. */
export const nasStatus = sqliteTable(
  'nas_status',
  {
    nasId: integer('nas_id')
      .primaryKey()
      .references(() => nas.id, { onDelete: 'cascade' }),
    state: text('state', { enum: ['unknown', 'up', 'down'] }).notNull().default('unknown'),
    lastPollAt: text('last_poll_at'),
    lastSeenAt: text('last_seen_at'),
    /** sysUpTime at the last answer, in seconds. */
    uptimeSeconds: integer('uptime_seconds'),
    consecutiveFailures: integer('consecutive_failures').notNull().default(0),
    lastError: text('last_error'),
  },
  () => [check('nas_status_state_ck', sql`state in ('unknown', 'up', 'down')`)],
);

/** Last counters read per interface, to turn the next reading into a rate. */
export const nasInterfaces = sqliteTable(
  'nas_interfaces',
  {
    nasId: integer('nas_id')
      .notNull()
      .references(() => nas.id, { onDelete: 'cascade' }),
    ifIndex: integer('if_index').notNull(),
    name: text('name').notNull(),
    /** ifHCInOctets / ifHCOutOctets as decimal text: Counter64 does not fit SQLite's signed integer. */
    inOctets: text('in_octets').notNull(),
    outOctets: text('out_octets').notNull(),
    at: text('at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.nasId, t.ifIndex] })],
);

/** Traffic per interface between two polls: octets moved and the average rate in bits per second. */
export const nasTrafficSamples = sqliteTable(
  'nas_traffic_samples',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    nasId: integer('nas_id')
      .notNull()
      .references(() => nas.id, { onDelete: 'cascade' }),
    ifIndex: integer('if_index').notNull(),
    /** The end of the interval (the poll that produced the sample). */
    at: text('at').notNull(),
    seconds: integer('seconds').notNull(),
    inOctets: integer('in_octets').notNull(),
    outOctets: integer('out_octets').notNull(),
    inBps: integer('in_bps').notNull(),
    outBps: integer('out_bps').notNull(),
  },
  (t) => [index('nas_traffic_samples_nas_at_ix').on(t.nasId, t.at), index('nas_traffic_samples_at_ix').on(t.at)],
);

// ---- Network actions: CoA and Disconnect (H1) -------------------------------------------------------

export const nasActionOutcomes = ['pending', 'acked', 'nak', 'timeout', 'failed', 'confirmed', 'unconfirmed'] as const;

/**
 * Every Disconnect-Request and CoA-Request sent to a NAS (or its RouterOS fallback): what, why, for
 * which session, and how it ended. `acked` is not the end: the action is `confirmed` once accounting
 * shows the Stop (Disconnect) or a packet after the ACK (CoA), or `unconfirmed` after a retry.
 */
export const nasActions = sqliteTable(
  'nas_actions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    kind: text('kind', { enum: ['disconnect', 'coa'] }).notNull(),
    reason: text('reason').notNull(),
    /** `admin:3`, `token:5`, `system:dunning`... */
    actor: text('actor').notNull(),
    serviceId: integer('service_id').references(() => services.id, { onDelete: 'set null' }),
    sessionId: integer('session_id').references(() => radiusSessions.id, { onDelete: 'set null' }),
    acctSessionId: text('acct_session_id').notNull(),
    username: text('username').notNull(),
    nasId: integer('nas_id').references(() => nas.id, { onDelete: 'set null' }),
    /** Where it went: `ip:port`. */
    target: text('target'),
    /** JSON: the attributes sent, by dictionary name (never a secret). */
    request: text('request').notNull(),
    outcome: text('outcome', { enum: nasActionOutcomes }).notNull().default('pending'),
    errorCause: integer('error_cause'),
    errorCauseName: text('error_cause_name'),
    /** Why it failed besides a NAK: silence, no address to send to, a RouterOS error. */
    error: text('error'),
    /** Transmissions, retransmissions and the confirmation retry included. */
    attempts: integer('attempts').notNull().default(0),
    /** Confirmation retries made (at most one). */
    retries: integer('retries').notNull().default(0),
    /** `coa` (RFC 5176) or `routeros` (the API fallback) for the last attempt. */
    via: text('via').notNull().default('coa'),
    /** The CoA this Disconnect falls back from. */
    fallbackOf: integer('fallback_of'),
    createdAt: text('created_at').notNull(),
    answeredAt: text('answered_at'),
    confirmedAt: text('confirmed_at'),
    /** When the checker next looks at an acked action (retry, then flag). */
    checkAt: text('check_at'),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [
    index('nas_actions_service_ix').on(t.serviceId, t.id),
    index('nas_actions_nas_ix').on(t.nasId, t.id),
    index('nas_actions_outcome_ix').on(t.outcome, t.id),
    check('nas_actions_kind_ck', sql`kind in ('disconnect', 'coa')`),
    check('nas_actions_outcome_ck', sql`outcome in ('pending', 'acked', 'nak', 'timeout', 'failed', 'confirmed', 'unconfirmed')`),
    check('nas_actions_via_ck', sql`via in ('coa', 'routeros')`),
  ],
);

// ---- Billing: promotions (bulk discounts) --------------------------------------------------------

/**
 * A discount applied in bulk: to every service of a plan, or to a list of services, now; and, with
 * `appliesToNew`, to each new contract on the plan that starts from `startDate` (to `newUntil`).
 * Each targeted service gets its own row in `discounts` (promotion_id, service_id unique), so the
 * generator bills it like any other discount. `key` makes the request idempotent.
 */
export const promotions = sqliteTable(
  'promotions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    key: text('key').notNull(),
    description: text('description').notNull(),
    valueType: text('value_type', { enum: ['percent', 'fixed'] }).notNull(),
    percentBp: integer('percent_bp'),
    amount: integer('amount'),
    /** Existing services: periods starting on or after this date; new ones: their start date. */
    startDate: text('start_date').notNull(),
    periods: integer('periods'),
    /** The plan whose services it targets; null when it targets a list of services. */
    planId: integer('plan_id').references(() => plans.id, { onDelete: 'restrict' }),
    /** JSON array of service ids when it targets a list. */
    serviceIds: text('service_ids'),
    appliesToNew: integer('applies_to_new', { mode: 'boolean' }).notNull().default(false),
    /** Last start date of a new contract that still gets it; null: no limit. */
    newUntil: text('new_until'),
    createdAt: text('created_at').notNull().default(now),
  },
  (t) => [
    uniqueIndex('promotions_key_uq').on(t.key),
    check('promotions_value_ck', sql`(value_type = 'percent' and percent_bp between 0 and 10000 and amount is null)
      or (value_type = 'fixed' and amount >= 0 and percent_bp is null)`),
    check('promotions_periods_ck', sql`periods is null or periods >= 1`),
    check('promotions_target_ck', sql`(plan_id is not null and service_ids is null) or (plan_id is null and service_ids is not null and applies_to_new = 0)`),
  ],
);

// ---- Admin security: custom roles, login sessions, login throttling, TOTP recovery codes -----------

/** Custom admin roles; the built-in ones are fixed in src/http/permissions.ts. */
export const customRoles = sqliteTable('admin_roles', {
  name: text('name').primaryKey(),
  description: text('description').notNull().default(''),
  /** JSON `{ "customers": "write", "billing": "read" }`; an area not named: no access. */
  permissions: text('permissions').notNull(),
  ...timestamps,
});

/** Cookie sessions of admins. The cookie holds a random id; only its SHA-256 is stored. */
export const adminSessions = sqliteTable(
  'admin_sessions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    idHash: text('id_hash').notNull(),
    adminId: integer('admin_id')
      .notNull()
      .references(() => admins.id, { onDelete: 'cascade' }),
    /** `totp`: the password was right, the second factor is still owed; `full`: signed in. */
    stage: text('stage', { enum: ['totp', 'full'] }).notNull(),
    createdAt: text('created_at').notNull(),
    lastSeenAt: text('last_seen_at').notNull(),
    ip: text('ip'),
    userAgent: text('user_agent'),
  },
  (t) => [uniqueIndex('admin_sessions_hash_uq').on(t.idHash), index('admin_sessions_admin_ix').on(t.adminId), check('admin_sessions_stage_ck', sql`stage in ('totp', 'full')`)],
);

/** Failed-login counters per `user:<name>`, `ip:<address>` and `totp:<admin id>`; survive restarts. */
export const loginThrottle = sqliteTable('login_throttle', {
  key: text('key').primaryKey(),
  failures: integer('failures').notNull().default(0),
  lastFailureAt: text('last_failure_at').notNull(),
  lockedUntil: text('locked_until'),
});

/** One-use TOTP recovery codes, stored as SHA-256. */
export const adminRecoveryCodes = sqliteTable(
  'admin_recovery_codes',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    adminId: integer('admin_id')
      .notNull()
      .references(() => admins.id, { onDelete: 'cascade' }),
    codeHash: text('code_hash').notNull(),
    usedAt: text('used_at'),
  },
  (t) => [uniqueIndex('admin_recovery_codes_uq').on(t.adminId, t.codeHash)],
);
