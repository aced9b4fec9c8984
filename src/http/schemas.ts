// Imports only typebox: the web's typecheck reads this file for the API's types.
import { Type, type TSchema } from 'typebox';
import { LANGUAGE_LIST, LOCALES } from '../i18n/locales.js';

/**
 * JSON schemas of the API. They validate input, shape output (fastify serialises only the listed
 * properties, so a secret column can never leak through a response) and generate the OpenAPI document.
 */

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
/** A copy of an object schema with every property's `default` removed (plain JSON Schema). */
function withoutDefaults<T extends TSchema>(schema: T): T {
  const copy = JSON.parse(JSON.stringify(schema)) as { properties?: Record<string, Record<string, unknown>> };
  for (const p of Object.values(copy.properties ?? {})) delete p.default;
  return copy as unknown as T;
}
const Id = Type.Integer({ minimum: 1 });
const Instant = Type.String({ format: 'date-time', description: 'ISO 8601 instant in UTC' });
const CalendarDate = Type.String({ format: 'date', description: 'YYYY-MM-DD in the billing time zone' });
const Money = Type.Integer({ minimum: 0, maximum: 1e13, description: 'integer minor units (cents) of the configured currency' });
const Kbps = Type.Integer({ minimum: 1, maximum: 100_000_000 });
const Name = Type.String({ minLength: 1, maxLength: 200 });
const Stamps = { createdAt: Instant, updatedAt: Instant };

export const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });

export const ListQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);

export const pageOf = (item: TSchema) =>
  Type.Object({ items: Type.Array(item), next: Nullable(Type.String({ description: 'cursor of the next page' })) });

// ---- NAS

const nasFields = {
  name: Name,
  ipAddress: Type.String({ minLength: 2, maxLength: 64, description: 'an IP address or a CIDR block' }),
  nasIdentifier: Nullable(Type.String({ minLength: 1, maxLength: 253, description: 'picks this entry when several share a source range' })),
  vendor: Type.Union([Type.Literal('mikrotik'), Type.Literal('generic')], { default: 'generic' }),
  coaPort: Type.Integer({ minimum: 1, maximum: 65535, default: 3799 }),
  requireMessageAuthenticator: Type.Boolean({ default: true }),
  description: Type.String({ maxLength: 2000 }),
  routerosEnabled: Type.Boolean({ description: "read active sessions over the RouterOS API (reconciliation, the remove fallback). Reconciliation compares all of this entry's open sessions with this one router's: enable it only on an entry that stands for a single router" }),
  routerosHost: Nullable(Type.String({ minLength: 1, maxLength: 253, description: 'where the RouterOS API answers; null: ipAddress (which must then be one address)' })),
  routerosPort: Nullable(Type.Integer({ minimum: 1, maximum: 65535, description: 'null: 8728, or 8729 with routerosTls' })),
  routerosTls: Type.Boolean({ description: 'api-ssl' }),
  routerosUsername: Nullable(Type.String({ minLength: 1, maxLength: 100 })),
  routerosFingerprint256: Nullable(Type.String({ minLength: 64, maxLength: 95, description: "SHA-256 of the router's api-ssl certificate (hex, colons optional); when set it alone decides trust" })),
  snmpEnabled: Type.Boolean({ description: 'poll uptime and interface counters over SNMP' }),
  snmpHost: Nullable(Type.String({ minLength: 1, maxLength: 253, description: 'null: ipAddress (which must then be one address)' })),
  snmpPort: Nullable(Type.Integer({ minimum: 1, maximum: 65535, description: 'null: 161' })),
  snmpVersion: Nullable(Type.Union([Type.Literal('2c'), Type.Literal('3')], { description: '"3" is authPriv with SHA and AES-128' })),
  snmpV3User: Nullable(Type.String({ minLength: 1, maxLength: 32 })),
};
const nasSecret = Type.String({ minLength: 8, maxLength: 128, description: 'RADIUS shared secret (write-only)' });
const writeOnly = (what: string, minLength = 1) =>
  Type.Optional(Nullable(Type.String({ minLength, maxLength: 128, writeOnly: true, description: `${what} (write-only, stored encrypted; null clears it)` })));

export const Nas = Type.Object({
  id: Id,
  ...nasFields,
  routerosPasswordSet: Type.Boolean({ description: 'whether a RouterOS API password is stored' }),
  snmpCommunitySet: Type.Boolean(),
  snmpV3AuthKeySet: Type.Boolean(),
  snmpV3PrivKeySet: Type.Boolean(),
  ...Stamps,
});
export const NasCreate = Type.Object(
  {
    name: nasFields.name,
    ipAddress: nasFields.ipAddress,
    secret: nasSecret,
    nasIdentifier: Type.Optional(nasFields.nasIdentifier),
    vendor: Type.Optional(nasFields.vendor),
    coaPort: Type.Optional(nasFields.coaPort),
    requireMessageAuthenticator: Type.Optional(nasFields.requireMessageAuthenticator),
    description: Type.Optional(nasFields.description),
    routerosEnabled: Type.Optional(nasFields.routerosEnabled),
    routerosHost: Type.Optional(nasFields.routerosHost),
    routerosPort: Type.Optional(nasFields.routerosPort),
    routerosTls: Type.Optional(nasFields.routerosTls),
    routerosUsername: Type.Optional(nasFields.routerosUsername),
    routerosPassword: writeOnly('RouterOS API password'),
    routerosFingerprint256: Type.Optional(nasFields.routerosFingerprint256),
    snmpEnabled: Type.Optional(nasFields.snmpEnabled),
    snmpHost: Type.Optional(nasFields.snmpHost),
    snmpPort: Type.Optional(nasFields.snmpPort),
    snmpVersion: Type.Optional(nasFields.snmpVersion),
    snmpCommunity: writeOnly('SNMP v2c community'),
    snmpV3User: Type.Optional(nasFields.snmpV3User),
    snmpV3AuthKey: writeOnly('SNMP v3 SHA authentication passphrase', 8),
    snmpV3PrivKey: writeOnly('SNMP v3 AES privacy passphrase', 8),
  },
  { additionalProperties: false },
);
/**
 * A PATCH changes only what it names, so its schema carries no defaults: the validator fills
 * defaults in, and `vendor`, `coaPort` or `requireMessageAuthenticator` left out of a PATCH would be reset.
 */
export const NasPatch = withoutDefaults(Type.Partial(NasCreate, { additionalProperties: false, minProperties: 1 }));

// ---- Plans

const optKbps = Type.Optional(Nullable(Kbps));
const planFields = {
  name: Name,
  type: Type.Union([Type.Literal('recurring'), Type.Literal('prepaid')]),
  price: Money,
  billingPeriodMonths: Type.Optional(Nullable(Type.Union([1, 2, 3, 6, 12].map((n) => Type.Literal(n))))),
  validityDays: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 3660 }))),
  setupFee: Type.Optional(Money),
  taxRateBp: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000, description: 'tax rate in basis points: 2200 = 22 %' })),
  taxInclusive: Type.Optional(Type.Boolean({ description: 'whether price includes tax' })),
  vatNature: Type.Optional(Nullable(Type.String({ pattern: '^N(1|2\\.[12]|3\\.[1-6]|4|5|6\\.[1-9]|7)$', description: 'exemption nature of a 0 % price (FatturaPA Natura): N1, N2.1, N2.2, N3.1 … N3.6, N4, N5, N6.1 … N6.9, N7' }))),
  vatLegalRef: Type.Optional(Nullable(Type.String({ maxLength: 200, description: 'the law the exemption rests on, e.g. "Art. 1, c. 54-89, L. 190/2014"' }))),
  downloadKbps: Kbps,
  uploadKbps: Kbps,
  burstDownloadKbps: optKbps,
  burstUploadKbps: optKbps,
  burstThresholdDownloadKbps: optKbps,
  burstThresholdUploadKbps: optKbps,
  burstTimeSeconds: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 3600 }))),
  dataCapBytes: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }))),
  capAction: Type.Optional(Nullable(Type.Union([Type.Literal('block'), Type.Literal('throttle')]))),
  throttleDownloadKbps: optKbps,
  throttleUploadKbps: optKbps,
  framedPool: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 253 }))),
  suspensionMode: Type.Optional(
    Nullable(Type.Union([Type.Literal('reject'), Type.Literal('walled-garden')], { description: 'what a suspended service gets at login; null: [radius] suspended_mode' })),
  ),
  prepaidNoticeDays: Type.Optional(
    Nullable(Type.String({
      maxLength: 32, pattern: '^\\s*(\\d{1,3}\\s*(,\\s*\\d{1,3}\\s*){0,2})?$', examples: ['7,3,1'],
      description: 'days before a prepaid expiry on which the customer is told, up to three distinct 1-365, "7,3,1"; "" none; null: [prepaid] notice_days',
    })),
  ),
  description: Type.Optional(Type.String({ maxLength: 2000 })),
};
export const PlanCreate = Type.Object(planFields, { additionalProperties: false });
export const PlanPatch = Type.Partial(PlanCreate, { additionalProperties: false, minProperties: 1 });
export const Plan = Type.Object({
  id: Id, ...Type.Required(PlanCreate).properties, ...Stamps,
  activeSubscribers: Type.Optional(Type.Integer({ minimum: 0, description: 'services on this plan with status active (in the list and the read)' })),
});

/** `?lang=` of a document (PDF): its language instead of the customer's. */
export const DocumentQuery = Type.Object({ lang: Type.Optional(Type.Union(LOCALES.map((l) => Type.Literal(l)), { description: `${LANGUAGE_LIST}; default: the customer's language, else the installation's` })) }, { additionalProperties: false });

// ---- Customers

/** A language Tollgate speaks: documents, notifications and the UI come in these. */
export const Language = Type.Union(LOCALES.map((l) => Type.Literal(l)), { description: LANGUAGE_LIST });

const optText = (max: number) => Type.Optional(Nullable(Type.String({ maxLength: max })));
const customerFields = {
  name: Type.Optional(Name),
  email: Type.Optional(Nullable(Type.String({ format: 'email', maxLength: 254 }))),
  phone: Type.Optional(Nullable(Type.String({ pattern: '^\\+?[0-9 ()./-]{3,32}$', description: 'digits, spaces and + ( ) . / -' }))),
  address: Type.Optional(Nullable(Type.String({ maxLength: 1000, description: 'free-text address; customers from before the structured address keep theirs here' }))),
  taxId: Type.Optional(Nullable(Type.String({ maxLength: 64, description: 'free-text tax id of customers from before taxCode/vatNumber; not checked' }))),
  language: Type.Optional(Nullable(Type.Union(LOCALES.map((l) => Type.Literal(l)), {
    description: `the customer's language (${LANGUAGE_LIST}) for invoices, credit notes, receipts, vouchers, emails, SMS and Reply-Messages; null: the installation's \`[locale] default\``,
  }))),
  notes: Type.Optional(Type.String({ maxLength: 10_000 })),
  // The fiscal record (src/domain/fiscal/customer.ts).
  kind: Type.Optional(Type.Union([Type.Literal('person'), Type.Literal('company')], { description: 'person (firstName, lastName) or company (companyName); name is derived from them' })),
  firstName: optText(100),
  lastName: optText(100),
  companyName: optText(200),
  taxCode: Type.Optional(Nullable(Type.String({ maxLength: 32, description: 'codice fiscale (IT), NIF/NIE/CIF (ES), CUIT (AR): the check digit is verified for country' }))),
  vatNumber: Type.Optional(Nullable(Type.String({ maxLength: 32, description: 'VAT number (partita IVA in Italy, check digit verified), stored without the country prefix' }))),
  country: Type.Optional(Nullable(Type.String({ pattern: '^[A-Za-z]{2}$', description: 'ISO 3166-1 alpha-2' }))),
  street: optText(200),
  streetNumber: optText(20),
  postalCode: optText(20),
  city: optText(100),
  province: optText(60),
  customerNumber: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 40, description: 'the operator\'s customer number, unique' }))),
  sdiCode: Type.Optional(Nullable(Type.String({ pattern: '^[A-Za-z0-9]{6,7}$', description: 'SDI recipient code: 7 characters, 6 for a public administration office' }))),
  pec: Type.Optional(Nullable(Type.String({ maxLength: 254, description: 'certified email (PEC) for e-invoices' }))),
  publicAdministration: Type.Optional(Type.Boolean({ description: 'an Italian public administration: FPA12 invoices, split payment' })),
  cig: Type.Optional(Nullable(Type.String({ maxLength: 10, description: 'Codice Identificativo Gara (public administration)' }))),
  cup: Type.Optional(Nullable(Type.String({ maxLength: 15, description: 'Codice Unico di Progetto (public administration)' }))),
};
export const CustomerCreate = Type.Object(customerFields, { additionalProperties: false });
export const CustomerPatch = withoutDefaults(Type.Partial(CustomerCreate, { additionalProperties: false, minProperties: 1 }));
export const Customer = Type.Object({ id: Id, ...Type.Required(CustomerCreate).properties, ...Stamps });

// ---- Services

const ServiceStatus = Type.Union(['proposal', 'active', 'suspended', 'ended', 'free'].map((s) => Type.Literal(s)));
const serviceFields = {
  customerId: Id,
  planId: Id,
  username: Type.String({ minLength: 1, maxLength: 253, pattern: '^[^\\s]+$', description: 'RADIUS User-Name' }),
  status: Type.Optional(ServiceStatus),
  startDate: CalendarDate,
  macAddress: Type.Optional(Nullable(Type.String({ maxLength: 32, description: 'binds logins to this Calling-Station-Id' }))),
  staticIp: Type.Optional(Nullable(Type.String({ maxLength: 45, description: 'Framed-IP-Address' }))),
  ipv6Prefix: Type.Optional(Nullable(Type.String({ maxLength: 64, description: 'Framed-IPv6-Prefix' }))),
  delegatedIpv6Prefix: Type.Optional(Nullable(Type.String({ maxLength: 64, description: 'Delegated-IPv6-Prefix' }))),
  simultaneousUse: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 1 })),
  expiresAt: Type.Optional(Nullable(Instant)),
};
const servicePassword = Type.String({ minLength: 1, maxLength: 128, description: 'PPP/hotspot password (write-only)' });
export const ServiceCreate = Type.Object({ ...serviceFields, password: servicePassword }, { additionalProperties: false });
export const ServicePatch = Type.Partial(ServiceCreate, { additionalProperties: false, minProperties: 1 });
export const Service = Type.Object({ id: Id, ...Type.Required(Type.Object(serviceFields)).properties, ...Stamps });
export const ServiceListQuery = Type.Object(
  {
    ...ListQuery.properties,
    customerId: Type.Optional(Id),
    planId: Type.Optional(Id),
    status: Type.Optional(ServiceStatus),
    username: Type.Optional(Type.String({ maxLength: 253 })),
  },
  { additionalProperties: false },
);

export const ProblemSchema = Type.Object({
  type: Type.String(),
  title: Type.String(),
  status: Type.Integer(),
  detail: Type.String(),
  code: Type.String(),
  errors: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }))),
});

/** A 200 answer that is a file, not JSON: documented for OpenAPI, sent as is (never serialized). */
export const fileResponse = (type: 'text/csv' | 'application/pdf', description: string) => ({
  description,
  content: { [type]: { schema: { type: 'string', ...(type === 'application/pdf' ? { format: 'binary' } : {}) } } },
});

// ---- RADIUS sessions and the auth log (read-only)

export const Session = Type.Object({
  id: Id,
  nasId: Nullable(Id),
  acctSessionId: Type.String(),
  serviceId: Nullable(Id),
  customerId: Type.Optional(Nullable(Id)),
  customerName: Type.Optional(Nullable(Type.String({ description: "the service's customer (lists); null without a service" }))),
  username: Type.String(),
  nasIpAddress: Nullable(Type.String()),
  nasPort: Nullable(Type.String()),
  framedIpAddress: Nullable(Type.String()),
  callingStationId: Nullable(Type.String()),
  calledStationId: Nullable(Type.String()),
  startedAt: Instant,
  updatedAt: Instant,
  stoppedAt: Nullable(Instant),
  active: Type.Boolean(),
  sessionTime: Type.Integer({ description: 'seconds' }),
  inputOctets: Type.Integer({ description: 'octets received from the customer (upload), gigawords included' }),
  outputOctets: Type.Integer({ description: 'octets sent to the customer (download), gigawords included' }),
  interimInterval: Nullable(Type.Integer()),
  terminateCause: Nullable(Type.String()),
  origin: Type.Optional(Nullable(Type.String({ description: 'null: from accounting; "reconciliation": created because the router (RouterOS API) listed it and accounting had not' }))),
});
export const SessionListQuery = Type.Object(
  {
    ...ListQuery.properties,
    active: Type.Optional(Type.Boolean({ description: 'true: who is online now' })),
    username: Type.Optional(Type.String({ maxLength: 253 })),
    serviceId: Type.Optional(Id),
    nasId: Type.Optional(Id),
  },
  { additionalProperties: false },
);

export const AuthLogEntry = Type.Object({
  id: Id,
  at: Instant,
  nasId: Nullable(Id),
  serviceId: Nullable(Id),
  customerId: Type.Optional(Nullable(Id)),
  customerName: Type.Optional(Nullable(Type.String({ description: "the service's customer (lists); null without a service" }))),
  username: Type.String(),
  outcome: Type.Union([Type.Literal('accept'), Type.Literal('reject')]),
  reason: Nullable(Type.String({ description: 'why a request was rejected, or a note on an accept' })),
  reasonCode: Nullable(Type.String({ description: "the reason's key in the UI's message catalogue (e.g. aaa.macMismatch), to word it in the reader's language; null: none" })),
  reasonValues: Nullable(Type.Record(Type.String(), Type.String(), { description: 'the values the keyed message takes' })),
  method: Nullable(Type.String()),
  callingStationId: Nullable(Type.String()),
});
export const AuthLogQuery = Type.Object(
  {
    ...ListQuery.properties,
    username: Type.Optional(Type.String({ maxLength: 253 })),
    serviceId: Type.Optional(Id),
    nasId: Type.Optional(Id),
    outcome: Type.Optional(Type.Union([Type.Literal('accept'), Type.Literal('reject')])),
  },
  { additionalProperties: false },
);
