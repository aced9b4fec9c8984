import { sql } from 'drizzle-orm';
import { check, index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { now, timestamps } from './columns.js';

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
    /** The admin's UI language (en, it, es); null: the browser's, then the installation's. */
    language: text('language'),
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
