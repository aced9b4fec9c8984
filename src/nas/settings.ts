/**
 * A NAS's stored RouterOS API and SNMP settings, unsealed into what the clients take. Secrets are
 * opened here, just before use, and never logged.
 */
import type { NasRow } from '../db/nas.js';
import { nasSingleAddress } from '../db/repos.js';
import type { SecretBox } from '../lib/secretbox.js';
import type { RouterOsOptions } from './routeros/client.js';
import type { SnmpTarget } from './snmp/client.js';

/** The RouterOS API connection of a NAS, or undefined when it is not enabled or incomplete. */
export function routerOsOptionsOf(row: NasRow, box: SecretBox, timeouts: { connectTimeoutMs?: number; commandTimeoutMs?: number } = {}): RouterOsOptions | undefined {
  if (!row.routerosEnabled || !row.routerosUsername || !row.routerosPasswordEnc) return undefined;
  const host = row.routerosHost ?? nasSingleAddress(row.ipAddress);
  if (!host) return undefined;
  return {
    host,
    ...(row.routerosPort != null ? { port: row.routerosPort } : {}),
    username: row.routerosUsername,
    password: box.open(row.routerosPasswordEnc),
    ...(row.routerosTls ? { tls: row.routerosFingerprint256 ? { fingerprint256: row.routerosFingerprint256 } : true } : {}),
    ...timeouts,
  };
}

/** The SNMP target of a NAS, or undefined when polling is not enabled or incomplete. */
export function snmpTargetOf(row: NasRow, box: SecretBox, opts: { timeoutMs?: number } = {}): SnmpTarget | undefined {
  if (!row.snmpEnabled) return undefined;
  const host = row.snmpHost ?? nasSingleAddress(row.ipAddress);
  if (!host) return undefined;
  const base = { host, port: row.snmpPort ?? 161, ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}) };
  if (row.snmpVersion === '2c' && row.snmpCommunityEnc) return { ...base, auth: { version: '2c', community: box.open(row.snmpCommunityEnc) } };
  if (row.snmpVersion === '3' && row.snmpV3User && row.snmpV3AuthKeyEnc && row.snmpV3PrivKeyEnc) {
    return { ...base, auth: { version: '3', user: row.snmpV3User, authKey: box.open(row.snmpV3AuthKeyEnc), privKey: box.open(row.snmpV3PrivKeyEnc) } };
  }
  return undefined;
}
