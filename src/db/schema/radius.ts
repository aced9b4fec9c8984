import { sql } from 'drizzle-orm';
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { timestamps } from './columns.js';
import { services } from './subscribers.js';

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
    // The reason as a catalogue message, JSON `{"key","values"}` (the UI words it in the reader's
    // language); `reason` keeps the English text the contract promises.
    reasonMessage: text('reason_message'),
    method: text('method'),
    callingStationId: text('calling_station_id'),
  },
  // No index per row. Indexes on username or service take each login at a random place (a page
  // written per row: 25-100 µs of CPU each at load), so the per-subscriber lookups use
  // auth_log_by_service / auth_log_by_username, filled in sorted batches. Time follows id (rows are
  // appended as requests are answered), so a time range is found by a binary search over id
  // (src/db/dashboard.ts) rather than an `at` index, which cost a fifth of each insert (migration 0006).
  () => [check('auth_log_outcome_ck', sql`outcome in ('accept', 'reject')`)],
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
  () => [check('auth_log_index_state_one_ck', sql`id = 1`)],
);
