import { sql } from 'drizzle-orm';
import { bigint, boolean, check, index, integer, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { foldDiacritics } from '../fold.js';
import { identity, timestamps } from './columns.js';

export const plans = pgTable(
  'plans',
  {
    id: identity('id'),
    name: text('name').notNull(),
    type: text('type', { enum: ['recurring', 'prepaid'] }).notNull(),
    price: bigint('price', { mode: 'number' }).notNull(),
    billingPeriodMonths: integer('billing_period_months'),
    validityDays: integer('validity_days'),
    setupFee: bigint('setup_fee', { mode: 'number' }).notNull().default(0),
    /** Basis points: 2200 = 22 %. */
    taxRateBp: integer('tax_rate_bp').notNull().default(0),
    taxInclusive: boolean('tax_inclusive').notNull().default(true),
    /** FatturaPA exemption nature (N1 … N7) of a 0 % price; null when taxed. */
    vatNature: text('vat_nature'),
    vatLegalRef: text('vat_legal_ref'),
    downloadKbps: integer('download_kbps').notNull(),
    uploadKbps: integer('upload_kbps').notNull(),
    burstDownloadKbps: integer('burst_download_kbps'),
    burstUploadKbps: integer('burst_upload_kbps'),
    burstThresholdDownloadKbps: integer('burst_threshold_download_kbps'),
    burstThresholdUploadKbps: integer('burst_threshold_upload_kbps'),
    burstTimeSeconds: integer('burst_time_seconds'),
    dataCapBytes: bigint('data_cap_bytes', { mode: 'number' }),
    capAction: text('cap_action', { enum: ['block', 'throttle'] }),
    throttleDownloadKbps: integer('throttle_download_kbps'),
    throttleUploadKbps: integer('throttle_upload_kbps'),
    /** Framed-Pool for services without a static address. */
    framedPool: text('framed_pool'),
    /**
     * What a suspended service of this plan gets at login; null: `[radius] suspended_mode`. No CHECK,
     * as in the SQLite schema: the API allows only 'reject' and 'walled-garden'.
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

/**
 * The text a customer's full-text entry is built from. A query uses the index only when it spells the
 * expression exactly so, hence one definition. The 'simple' configuration lower-cases and neither
 * stems nor drops words (names and addresses are not prose in one language); diacritics are folded
 * away by translate() (src/db/fold.ts), as SQLite's tokenizer removes them.
 */
export const customerSearchDocumentSql = foldDiacritics(`name || ' ' || coalesce(email, '') || ' ' || coalesce(phone, '')`);
export const customerSearchDocument = sql.raw(customerSearchDocumentSql);

export const customers = pgTable(
  'customers',
  {
    id: identity('id'),
    name: text('name').notNull(),
    email: text('email'),
    phone: text('phone'),
    address: text('address'),
    taxId: text('tax_id'),
    notes: text('notes').notNull().default(''),
    /** Dunning: the billing profile (null: the default profile); no FK, as in the SQLite schema. */
    billingProfileId: bigint('billing_profile_id', { mode: 'number' }),
    /** Dunning whitelist: never suspended for non-payment. */
    dunningExempt: boolean('dunning_exempt').notNull().default(false),
    /** The customer's language (en, it, es) for documents, notifications and Reply-Messages; null: the installation's `[locale] default`. */
    language: text('language'),
    // The fiscal record: as in the SQLite schema.
    kind: text('kind', { enum: ['person', 'company'] }).notNull().default('person'),
    firstName: text('first_name'),
    lastName: text('last_name'),
    companyName: text('company_name'),
    taxCode: text('tax_code'),
    vatNumber: text('vat_number'),
    country: text('country'),
    street: text('street'),
    streetNumber: text('street_number'),
    postalCode: text('postal_code'),
    city: text('city'),
    province: text('province'),
    customerNumber: text('customer_number'),
    sdiCode: text('sdi_code'),
    pec: text('pec'),
    publicAdministration: boolean('public_administration').notNull().default(false),
    cig: text('cig'),
    cup: text('cup'),
    ...timestamps,
  },
  (t) => [
    index('customers_name_ix').on(t.name),
    uniqueIndex('customers_number_uq').on(t.customerNumber),
    index('customers_email_ix').on(t.email),
    index('customers_phone_ix').on(t.phone),
    // Customer search. SQLite keeps an FTS5 table filled by triggers (src/db/search.ts); PostgreSQL
    // indexes the rows themselves: whole words through the full-text index, any fragment of a name,
    // email or phone (3 characters or more) through the trigram indexes.
    index('customers_search_fts_ix').using('gin', sql`to_tsvector('simple', ${customerSearchDocument})`),
    index('customers_name_trgm_ix').using('gin', t.name.op('gin_trgm_ops')),
    index('customers_email_trgm_ix').using('gin', t.email.op('gin_trgm_ops')),
    index('customers_phone_trgm_ix').using('gin', t.phone.op('gin_trgm_ops')),
  ],
);

export const serviceStatuses = ['proposal', 'active', 'suspended', 'ended', 'free'] as const;

export const services = pgTable(
  'services',
  {
    id: identity('id'),
    customerId: bigint('customer_id', { mode: 'number' })
      .notNull()
      .references(() => customers.id, { onDelete: 'restrict' }),
    planId: bigint('plan_id', { mode: 'number' })
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
    // Customer search finds a customer by a fragment of a service's login, MAC or static address.
    index('services_username_trgm_ix').using('gin', t.username.op('gin_trgm_ops')),
    index('services_mac_trgm_ix').using('gin', t.macAddress.op('gin_trgm_ops')),
    index('services_static_ip_trgm_ix').using('gin', t.staticIp.op('gin_trgm_ops')),
    check('services_status_ck', sql`status in ('proposal', 'active', 'suspended', 'ended', 'free')`),
    check('services_simultaneous_ck', sql`simultaneous_use >= 1`),
  ],
);
