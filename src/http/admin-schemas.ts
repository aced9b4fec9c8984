// Imports only typebox: the web's typecheck reads this file for the API's types.
import { Type, type TSchema } from 'typebox';
import { Language } from './schemas.js';

/**
 * Schemas of who uses the API and what they may do: the areas of access, signing in (`/auth/*`),
 * admins, roles and API tokens.
 */

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Instant = Type.String({ format: 'date-time' });

/** The areas access is granted per; permissions.ts maps every route to one of them. */
export const areas = [
  'customers', // customers, their contact data, notifications sent to them
  'services', // services (subscriber accounts), their actions (suspend, resume, disconnect)
  'billing', // plans, invoices, credit notes, contracts, charges, discounts, vouchers, billing runs
  'payments', // payments and refunds
  'nas', // routers: NAS entries, RouterOS and SNMP, network actions
  'sessions', // RADIUS sessions, the auth log, usage
  'settings', // configuration held in the database, templates
  'admins', // admin users, roles, API tokens
  'audit', // the audit log
  'secrets', // read back subscribers' PPPoE and hotspot passwords (each reveal audited)
] as const;

// ---- signing in

export const Password = Type.String({ minLength: 1, maxLength: 1024 });
export const NewPassword = Type.String({ minLength: 12, maxLength: 1024, description: 'at least 12 characters' });

/** Who is calling (`GET /api/v1/auth/me`, and the answer of every sign-in step). */
export const Me = Type.Object({
  kind: Type.Union([Type.Literal('session'), Type.Literal('token')]),
  role: Type.String(),
  permissions: Type.Object(Object.fromEntries(areas.map((a) => [a, Type.Union([Type.Literal('none'), Type.Literal('read'), Type.Literal('write')])])), { description: 'access per area; write includes read' }),
  admin: Type.Optional(Type.Object({ id: Type.Integer(), username: Type.String(), mustChangePassword: Type.Boolean(), totpEnabled: Type.Boolean() })),
  token: Type.Optional(Type.Object({ id: Type.Integer(), name: Type.String() })),
  csrfToken: Type.Optional(Type.String({ description: 'send it as X-CSRF-Token with every write made with the session cookie' })),
  totpRequired: Type.Boolean({ description: 'the password was right; POST /api/v1/auth/totp/verify completes the sign-in' }),
  setupRequired: Type.Union([Type.Null(), Type.String()], { description: 'what the admin must do before the rest of the API opens' }),
  locale: Type.Object({
    language: Type.Union([Language, Type.Null()], { description: 'the UI language this admin chose (PUT /api/v1/auth/language); null: none chosen' }),
    default: Language,
  }, { description: "the UI language: the admin's choice, else the browser's when Tollgate speaks it, else `default` (the installation's `[locale] default`)" }),
  billing: Type.Object({
    timezone: Type.String({ description: 'the billing time zone: "today" for billing dates (payments, refunds, plan changes) is the date there' }),
    currency: Type.String({ description: 'ISO 4217; amounts are integer minor units' }),
  }),
});

export const LoginBody = Type.Object({ username: Type.String({ minLength: 1, maxLength: 200 }), password: Password }, { additionalProperties: false });
export const LanguageChange = Type.Object({ language: Type.Union([Language, Type.Null()], { description: "null: follow the browser's language" }) }, { additionalProperties: false });
export const PasswordChange = Type.Object({ currentPassword: Password, newPassword: NewPassword }, { additionalProperties: false });
export const Enrolment = Type.Object({ uri: Type.String({ description: 'otpauth:// URI (holds the secret: shown this once)' }), secret: Type.String({ description: 'the base32 secret, for typing in by hand' }), qr: Type.String({ description: 'the URI as a QR code, an SVG data URL' }) });
export const TotpConfirm = Type.Object({ code: Type.String({ pattern: '^[0-9]{6}$' }) }, { additionalProperties: false });
export const RecoveryCodes = Type.Object({ recoveryCodes: Type.Array(Type.String()) });
export const TotpVerify = Type.Object(
  { code: Type.Optional(Type.String({ pattern: '^[0-9]{6}$' })), recoveryCode: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })) },
  { additionalProperties: false, minProperties: 1, maxProperties: 1 },
);
export const TotpDisable = Type.Object({ password: Password }, { additionalProperties: false });

// ---- admins

const Username = Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9._@-]+$' });
const RoleName = Type.String({ minLength: 1, maxLength: 40, description: 'a built-in role (super-admin, admin, finance, support, read-only) or a custom one (/api/v1/roles)' });

export const Admin = Type.Object({
  id: Type.Integer(),
  username: Type.String(),
  role: Type.String(),
  disabled: Type.Boolean(),
  mustChangePassword: Type.Boolean({ description: 'the admin must set a new password before anything else' }),
  totpEnabled: Type.Boolean(),
  lastLoginAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  language: Type.Union([Language, Type.Null()], { description: 'the UI language the admin chose; null: the browser\'s, then the installation\'s' }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
export const AdminCreate = Type.Object({ username: Username, password: NewPassword, role: RoleName, mustChangePassword: Type.Optional(Type.Boolean({ default: true })) }, { additionalProperties: false });
export const AdminPatch = Type.Object({ role: Type.Optional(RoleName), disabled: Type.Optional(Type.Boolean()) }, { additionalProperties: false, minProperties: 1 });
export const AdminPasswordReset = Type.Object({ password: NewPassword }, { additionalProperties: false });

// ---- roles

const AccessLevel = Type.Union([Type.Literal('none'), Type.Literal('read'), Type.Literal('write')]);
const Permissions = Type.Object(Object.fromEntries(areas.map((a) => [a, AccessLevel])), { additionalProperties: false, description: 'access per area; write includes read' });
const PermissionsInput = Type.Partial(Permissions, { additionalProperties: false, description: 'access per area; an area not named: none' });
export const Role = Type.Object({
  name: Type.String(),
  builtIn: Type.Boolean(),
  description: Type.String(),
  permissions: Permissions,
});
/** Every role: the built-in ones, then the custom ones, in one page. */
export const RoleList = Type.Object({ items: Type.Array(Role), next: Type.Null() });
export const RoleNameParams = Type.Object({ name: Type.String({ minLength: 1, maxLength: 40 }) });
export const RoleCreate = Type.Object({ name: Type.String({ pattern: '^[a-z][a-z0-9-]{1,39}$', description: 'lower case, digits and dashes' }), description: Type.Optional(Type.String({ maxLength: 500 })), permissions: PermissionsInput }, { additionalProperties: false });
export const RolePatch = Type.Object({ description: Type.Optional(Type.String({ maxLength: 500 })), permissions: Type.Optional(PermissionsInput) }, { additionalProperties: false, minProperties: 1 });

// ---- API tokens

export const ApiToken = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  prefix: Type.String({ description: 'the first characters, to tell tokens apart; the token itself is shown only when created' }),
  role: Type.String(),
  expiresAt: Nullable(Instant),
  revokedAt: Nullable(Instant),
  lastUsedAt: Nullable(Instant),
  createdBy: Type.String({ description: 'who created it: `admin:3`, `token:7`, `cli`' }),
  createdAt: Instant,
});
export const TokenCreate = Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }), role: Type.String({ minLength: 1, maxLength: 40 }), expiresAt: Type.Optional(Nullable(Instant)) }, { additionalProperties: false });
/** A new token: the only answer that carries the token itself. */
export const TokenCreated = Type.Object({ ...ApiToken.properties, token: Type.String({ description: 'send as Authorization: Bearer <token>; only its hash is stored' }) });
export const TokenListQuery = Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })), cursor: Type.Optional(Type.String({ maxLength: 200 })), revoked: Type.Optional(Type.Boolean({ description: 'include revoked tokens' })) }, { additionalProperties: false });
