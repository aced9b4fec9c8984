import { isIP } from 'node:net';
import { parseNoticeDays } from '../domain/billing/prepaid.js';
import { checkVatNature } from '../domain/billing/document-tax.js';
import { normalizeFiscal, type FiscalFields } from '../domain/fiscal/customer.js';
import { said, TollgateError } from '../lib/errors.js';
import { normalizeMac, parseCidr } from '../lib/net.js';
import type { SecretBox } from '../lib/secretbox.js';
import { param, Resource } from './crud.js';
import type { SqlClient } from './sql.js';
import { customers, nas, plans, services } from './schema/index.js';
import { systemClock, type Clock } from '../lib/clock.js';

type NasRow = typeof nas.$inferSelect;
type PlanRow = typeof plans.$inferSelect;
type CustomerRow = typeof customers.$inferSelect;
type ServiceRow = typeof services.$inferSelect;

/** Copies the keys of `input` that are present (not undefined), so a PATCH changes only what it names. */
function present<T extends object>(input: T, keys: readonly (keyof T)[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) if (input[k] !== undefined) out[k as string] = input[k];
  return out;
}

function without<T extends Record<string, unknown>, K extends keyof T>(row: T, ...keys: K[]): Omit<T, K> {
  const copy = { ...row };
  for (const k of keys) delete copy[k];
  return copy;
}

// ---- NAS ---------------------------------------------------------------------------------------

export interface NasInput {
  name: string;
  ipAddress: string;
  secret: string;
  nasIdentifier?: string | null;
  vendor?: 'mikrotik' | 'generic';
  coaPort?: number;
  requireMessageAuthenticator?: boolean;
  description?: string;
  routerosEnabled?: boolean;
  routerosHost?: string | null;
  routerosPort?: number | null;
  routerosTls?: boolean;
  routerosUsername?: string | null;
  /** Write-only, sealed like the secret; null clears it. */
  routerosPassword?: string | null;
  routerosFingerprint256?: string | null;
  snmpEnabled?: boolean;
  snmpHost?: string | null;
  snmpPort?: number | null;
  snmpVersion?: '2c' | '3' | null;
  /** Write-only, sealed; null clears it. */
  snmpCommunity?: string | null;
  snmpV3User?: string | null;
  /** Write-only, sealed; null clears it. */
  snmpV3AuthKey?: string | null;
  /** Write-only, sealed; null clears it. */
  snmpV3PrivKey?: string | null;
}
/** Sealed columns: never in an answer or the audit log; the API says only whether each is set. */
const nasSealed = ['secretEnc', 'routerosPasswordEnc', 'snmpCommunityEnc', 'snmpV3AuthKeyEnc', 'snmpV3PrivKeyEnc'] as const;
export type NasApi = Omit<NasRow, (typeof nasSealed)[number]> & {
  routerosPasswordSet: boolean;
  snmpCommunitySet: boolean;
  snmpV3AuthKeySet: boolean;
  snmpV3PrivKeySet: boolean;
};

function checkNasAddress(ip: unknown): void {
  if (typeof ip === 'string' && !parseCidr(ip)) {
    throw new TollgateError('invalid_input', said('fault.ipOrCidr', `"${ip}" is not an IP address or CIDR block`, { value: ip }), 'ipAddress');
  }
}

/** The one address of a NAS entry that names a single host (`10.0.0.1` or `10.0.0.1/32`), else undefined. */
export function nasSingleAddress(ipAddress: string): string | undefined {
  const c = parseCidr(ipAddress);
  if (!c || c.prefix !== (c.family === 4 ? 32 : 128)) return undefined;
  return ipAddress.trim().split('/')[0];
}

/** `ab:cd:..` or `abcd..` (64 hex digits) to `AB:CD:..`, as Node and openssl print it. */
function normalizeFingerprint(v: string): string {
  const hex = v.replace(/:/g, '').toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex)) {
    throw new TollgateError('invalid_input', said('fault.nas.fingerprint', 'a SHA-256 certificate fingerprint is 64 hex digits, with or without colons'), 'routerosFingerprint256');
  }
  return hex.match(/../g)!.join(':');
}

/** Rules across the RouterOS and SNMP fields, on the row as it will be stored. */
function validateNas(r: Record<string, unknown>): void {
  const single = typeof r.ipAddress === 'string' ? nasSingleAddress(r.ipAddress) : undefined;
  if (r.routerosEnabled === true) {
    if (!r.routerosUsername) throw new TollgateError('invalid_input', said('fault.nas.routerosUser', 'the RouterOS API needs a username'), 'routerosUsername');
    if (!r.routerosPasswordEnc) throw new TollgateError('invalid_input', said('fault.nas.routerosPassword', 'the RouterOS API needs a password'), 'routerosPassword');
    if (!r.routerosHost && !single) {
      throw new TollgateError('invalid_input', said('fault.nas.routerosHost', 'ipAddress is a range: say where the RouterOS API answers'), 'routerosHost');
    }
  }
  if (r.snmpEnabled === true) {
    if (!single && !r.snmpHost) throw new TollgateError('invalid_input', said('fault.nas.snmpHost', 'ipAddress is a range: say which address to poll'), 'snmpHost');
    if (r.snmpVersion === '2c') {
      if (!r.snmpCommunityEnc) throw new TollgateError('invalid_input', said('fault.nas.snmpCommunity', 'SNMP v2c needs a community'), 'snmpCommunity');
    } else if (r.snmpVersion === '3') {
      if (!r.snmpV3User) throw new TollgateError('invalid_input', said('fault.nas.snmpUser', 'SNMP v3 needs a user'), 'snmpV3User');
      if (!r.snmpV3AuthKeyEnc) throw new TollgateError('invalid_input', said('fault.nas.snmpAuthKey', 'SNMP v3 needs an authentication key (SHA)'), 'snmpV3AuthKey');
      if (!r.snmpV3PrivKeyEnc) throw new TollgateError('invalid_input', said('fault.nas.snmpPrivKey', 'SNMP v3 needs a privacy key (AES)'), 'snmpV3PrivKey');
    } else {
      throw new TollgateError('invalid_input', said('fault.nas.snmpVersion', 'SNMP polling needs snmpVersion "2c" or "3"'), 'snmpVersion');
    }
  }
}

export function nasResource(sql: SqlClient, box: SecretBox, clock: Clock = systemClock) {
  const fields = [
    'name', 'ipAddress', 'nasIdentifier', 'vendor', 'coaPort', 'requireMessageAuthenticator', 'description',
    'routerosEnabled', 'routerosHost', 'routerosPort', 'routerosTls', 'routerosUsername',
    'snmpEnabled', 'snmpHost', 'snmpPort', 'snmpVersion', 'snmpV3User',
  ] as const;
  const sealOrClear = (v: string | null | undefined): string | null | undefined => (v === undefined ? undefined : v === null ? null : box.seal(v));
  // Write-only inputs and the sealed column each goes to.
  const sealed = (i: Partial<NasInput>): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    const put = (column: string, v: string | null | undefined) => {
      const s = sealOrClear(v);
      if (s !== undefined) out[column] = s;
    };
    put('routerosPasswordEnc', i.routerosPassword);
    put('snmpCommunityEnc', i.snmpCommunity);
    put('snmpV3AuthKeyEnc', i.snmpV3AuthKey);
    put('snmpV3PrivKeyEnc', i.snmpV3PrivKey);
    if (typeof i.routerosFingerprint256 === 'string') out.routerosFingerprint256 = normalizeFingerprint(i.routerosFingerprint256);
    else if (i.routerosFingerprint256 === null) out.routerosFingerprint256 = null;
    return out;
  };
  const toApi = (r: NasRow): NasApi => ({
    ...without(r, ...nasSealed),
    routerosPasswordSet: r.routerosPasswordEnc != null,
    snmpCommunitySet: r.snmpCommunityEnc != null,
    snmpV3AuthKeySet: r.snmpV3AuthKeyEnc != null,
    snmpV3PrivKeySet: r.snmpV3PrivKeyEnc != null,
  });
  return new Resource<NasRow, NasApi, NasInput, Partial<NasInput>>(
    sql,
    {
      entity: 'nas',
      table: nas,
      // The shared secret and the RouterOS and SNMP credentials are write-only: they never leave
      // through the API or the audit log.
      toApi,
      toInsert: (i) => {
        checkNasAddress(i.ipAddress);
        return { ...present(i, fields), ...sealed(i), secretEnc: box.seal(i.secret) };
      },
      toUpdate: (p) => {
        checkNasAddress(p.ipAddress);
        return { ...present(p, fields), ...sealed(p), ...(p.secret !== undefined ? { secretEnc: box.seal(p.secret) } : {}) };
      },
      validate: validateNas,
      fields: { name: 'name', nas_coa_port_ck: 'coaPort', nas_vendor_ck: 'vendor' },
    },
    clock,
  );
}

// ---- Plans -------------------------------------------------------------------------------------

export type PlanInput = Omit<PlanRow, 'id' | 'createdAt' | 'updatedAt' | 'setupFee' | 'taxRateBp' | 'taxInclusive' | 'vatNature' | 'vatLegalRef' | 'description' | 'prepaidNoticeDays'> &
  Partial<Pick<PlanRow, 'setupFee' | 'taxRateBp' | 'taxInclusive' | 'vatNature' | 'vatLegalRef' | 'description' | 'prepaidNoticeDays'>>;
export type PlanApi = PlanRow;

const planFields = [
  'name', 'type', 'price', 'billingPeriodMonths', 'validityDays', 'setupFee', 'taxRateBp', 'taxInclusive', 'vatNature', 'vatLegalRef',
  'downloadKbps', 'uploadKbps', 'burstDownloadKbps', 'burstUploadKbps', 'burstThresholdDownloadKbps',
  'burstThresholdUploadKbps', 'burstTimeSeconds', 'dataCapBytes', 'capAction', 'throttleDownloadKbps',
  'throttleUploadKbps', 'framedPool', 'suspensionMode', 'prepaidNoticeDays', 'description',
] as const;

/** A plan's own notice days stored as "7,3,1" (descending, no spaces); "" none, null the global setting. */
function withNoticeDays<T extends Record<string, unknown>>(row: T): T {
  const v = row.prepaidNoticeDays;
  return typeof v === 'string' ? { ...row, prepaidNoticeDays: parseNoticeDays(v, 'prepaidNoticeDays').join(',') } : row;
}

/** Rules across fields that JSON Schema cannot say; each error names the field to fix. */
function validatePlan(p: Record<string, unknown>): void {
  checkVatNature(p.taxRateBp as number | undefined, p.vatNature as string | null | undefined);
  if (p.type === 'recurring') {
    if (![1, 2, 3, 6, 12].includes(p.billingPeriodMonths as number)) {
      throw new TollgateError('invalid_input', said('fault.plan.period', 'a recurring plan needs billingPeriodMonths of 1, 2, 3, 6 or 12'), 'billingPeriodMonths');
    }
    if (p.validityDays != null) throw new TollgateError('invalid_input', said('fault.plan.validityForPrepaid', 'validityDays is for prepaid plans only'), 'validityDays');
  } else if (p.type === 'prepaid') {
    if (typeof p.validityDays !== 'number' || p.validityDays < 1) {
      throw new TollgateError('invalid_input', said('fault.plan.validity', 'a prepaid plan needs validityDays of at least 1'), 'validityDays');
    }
    if (p.billingPeriodMonths != null) {
      throw new TollgateError('invalid_input', said('fault.plan.periodForRecurring', 'billingPeriodMonths is for recurring plans only'), 'billingPeriodMonths');
    }
  }
  if (p.dataCapBytes != null && p.capAction == null) {
    throw new TollgateError('invalid_input', said('fault.plan.capAction', 'a data cap needs a capAction (block or throttle)'), 'capAction');
  }
  if (p.capAction === 'throttle' && (p.throttleDownloadKbps == null || p.throttleUploadKbps == null)) {
    throw new TollgateError('invalid_input', said('fault.plan.throttle', 'capAction "throttle" needs throttleDownloadKbps and throttleUploadKbps'), 'throttleDownloadKbps');
  }
  const burst = ['burstDownloadKbps', 'burstUploadKbps', 'burstThresholdDownloadKbps', 'burstThresholdUploadKbps', 'burstTimeSeconds'];
  const given = burst.filter((k) => p[k] != null);
  if (given.length > 0 && given.length < burst.length) {
    const missing = burst.find((k) => p[k] == null)!;
    throw new TollgateError('invalid_input', said('fault.plan.burst', `burst needs all of ${burst.join(', ')}`, { fields: burst.join(', ') }), missing);
  }
}

export function planResource(sql: SqlClient, clock: Clock = systemClock) {
  return new Resource<PlanRow, PlanApi, PlanInput, Partial<PlanInput>>(
    sql,
    {
      entity: 'plan',
      table: plans,
      toApi: (r) => r,
      toInsert: (i) => withNoticeDays(present(i, planFields)),
      toUpdate: (p) => withNoticeDays(present(p, planFields)),
      validate: validatePlan,
      fields: { name: 'name', plans_period_ck: 'billingPeriodMonths', plans_price_ck: 'price', plans_speed_ck: 'downloadKbps' },
    },
    clock,
  );
}

// ---- Customers ---------------------------------------------------------------------------------

export type CustomerInput = Partial<Omit<CustomerRow, 'id' | 'createdAt' | 'updatedAt'>>;
export type CustomerApi = CustomerRow;

export function customerResource(sql: SqlClient, clock: Clock = systemClock) {
  const fields = ['name', 'email', 'phone', 'address', 'taxId', 'language', 'notes'] as const;
  return new Resource<CustomerRow, CustomerApi, CustomerInput, Partial<CustomerInput>>(
    sql,
    {
      entity: 'customer',
      table: customers,
      toApi: (r) => r,
      // The fiscal record is checked and normalised in the domain (check digits, derived name).
      toInsert: (i) => ({ ...present(i, fields), ...normalizeFiscal({}, fiscalOf(i)) }),
      toUpdate: (p, current) => ({ ...present(p, fields), ...normalizeFiscal(fiscalOf(current), fiscalOf(p)) }),
      fields: { customer_number: 'customerNumber', customers_number_uq: 'customerNumber' },
    },
    clock,
  );
}

const fiscalKeys = [
  'name', 'kind', 'firstName', 'lastName', 'companyName', 'taxCode', 'vatNumber', 'country', 'street', 'streetNumber', 'postalCode',
  'city', 'province', 'customerNumber', 'sdiCode', 'pec', 'publicAdministration', 'cig', 'cup',
] as const;

function fiscalOf(i: Partial<CustomerInput>): FiscalFields {
  return present(i, fiscalKeys) as FiscalFields;
}

// ---- Services ----------------------------------------------------------------------------------

export interface ServiceInput {
  customerId: number;
  planId: number;
  username: string;
  password: string;
  status?: ServiceRow['status'];
  startDate: string;
  macAddress?: string | null;
  staticIp?: string | null;
  ipv6Prefix?: string | null;
  delegatedIpv6Prefix?: string | null;
  simultaneousUse?: number;
  expiresAt?: string | null;
}
export type ServiceApi = Omit<ServiceRow, 'passwordEnc'>;

export function normalizeService(i: Partial<ServiceInput>): Record<string, unknown> {
  const out = present(i, [
    'customerId', 'planId', 'username', 'status', 'startDate', 'macAddress', 'staticIp', 'ipv6Prefix',
    'delegatedIpv6Prefix', 'simultaneousUse', 'expiresAt',
  ]);
  if (typeof i.macAddress === 'string') {
    const mac = normalizeMac(i.macAddress);
    if (!mac) throw new TollgateError('invalid_input', said('fault.mac', `"${i.macAddress}" is not a MAC address`, { value: i.macAddress }), 'macAddress');
    out.macAddress = mac;
  }
  if (typeof i.staticIp === 'string' && isIP(i.staticIp) !== 4) {
    throw new TollgateError('invalid_input', said('fault.ipv4', `"${i.staticIp}" is not an IPv4 address`, { value: i.staticIp }), 'staticIp');
  }
  for (const k of ['ipv6Prefix', 'delegatedIpv6Prefix'] as const) {
    const v = i[k];
    if (typeof v === 'string' && (parseCidr(v)?.family !== 6 || !v.includes('/'))) {
      throw new TollgateError('invalid_input', said('fault.ipv6Prefix', `"${v}" is not an IPv6 prefix like 2001:db8:1::/48`, { value: v }), k);
    }
  }
  if (typeof i.expiresAt === 'string') out.expiresAt = new Date(i.expiresAt).toISOString();
  return out;
}

export function serviceResource(sql: SqlClient, box: SecretBox, clock: Clock = systemClock) {
  const customerExists = sql.prepare(`select 1 as "one" from customers where id = ?`);
  const planExists = sql.prepare(`select 1 as "one" from plans where id = ?`);
  return new Resource<ServiceRow, ServiceApi, ServiceInput, Partial<ServiceInput>>(
    sql,
    {
      entity: 'service',
      table: services,
      // The subscriber's password is write-only, like the NAS secret.
      toApi: (r) => without(r, 'passwordEnc'),
      toInsert: (i) => ({ ...normalizeService(i), passwordEnc: box.seal(i.password) }),
      toUpdate: (p) => ({ ...normalizeService(p), ...(p.password !== undefined ? { passwordEnc: box.seal(p.password) } : {}) }),
      references: async (_sql, row) => {
        if (row.customerId !== undefined && !(await customerExists.get(param(row.customerId, 'customer_id')))) {
          throw new TollgateError('invalid_input', said('fault.noCustomer', `customer ${String(row.customerId)} does not exist`, { id: String(row.customerId) }), 'customerId');
        }
        if (row.planId !== undefined && !(await planExists.get(param(row.planId, 'plan_id')))) {
          throw new TollgateError('invalid_input', said('fault.noPlan', `plan ${String(row.planId)} does not exist`, { id: String(row.planId) }), 'planId');
        }
      },
      fields: { username: 'username', services_status_ck: 'status', services_simultaneous_ck: 'simultaneousUse' },
    },
    clock,
  );
}

export type Repos = ReturnType<typeof makeRepos>;

export function makeRepos(sql: SqlClient, box: SecretBox, clock: Clock = systemClock) {
  return {
    nas: nasResource(sql, box, clock),
    plans: planResource(sql, clock),
    customers: customerResource(sql, clock),
    services: serviceResource(sql, box, clock),
  };
}
