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
