import { sql } from 'drizzle-orm';
import { check, index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { timestamps } from './columns.js';

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
    /** The customer's language (en, it, es) for documents, notifications and Reply-Messages; null: the installation's `[locale] default`. */
    language: text('language'),
    // The fiscal record (src/domain/fiscal/customer.ts checks it; no CHECK constraints, so the columns
    // add without a table rebuild). `name` stays the display name, derived from these on a change.
    kind: text('kind', { enum: ['person', 'company'] }).notNull().default('person'),
    firstName: text('first_name'),
    lastName: text('last_name'),
    companyName: text('company_name'),
    /** Codice fiscale, NIF/NIE/CIF, CUIT…: checked for `country`. */
    taxCode: text('tax_code'),
    /** VAT number without the country prefix (partita IVA in Italy). */
    vatNumber: text('vat_number'),
    /** ISO 3166-1 alpha-2. */
    country: text('country'),
    street: text('street'),
    streetNumber: text('street_number'),
    postalCode: text('postal_code'),
    city: text('city'),
    /** Province or state; in Italy the two-letter sigla (RM, MI…). */
    province: text('province'),
    customerNumber: text('customer_number'),
    /** SDI recipient code: 7 characters (6 for a public administration office). */
    sdiCode: text('sdi_code'),
    pec: text('pec'),
    publicAdministration: integer('public_administration', { mode: 'boolean' }).notNull().default(false),
    /** Codice Identificativo Gara and Codice Unico di Progetto, quoted on a public administration's invoices. */
    cig: text('cig'),
    cup: text('cup'),
    ...timestamps,
  },
  (t) => [
    index('customers_name_ix').on(t.name), index('customers_email_ix').on(t.email), index('customers_phone_ix').on(t.phone),
    uniqueIndex('customers_number_uq').on(t.customerNumber),
  ],
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
