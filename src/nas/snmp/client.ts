/**
 * One SNMP poll of a NAS with net-snmp: sysUpTime and, from IF-MIB's ifXTable, each interface's name
 * and 64-bit octet counters (ifHCInOctets, ifHCOutOctets). `tableColumns` asks for those columns
 * only (a walk runs on past the table). Counter64 arrives as a big-endian Buffer and becomes a BigInt.
 */
import snmp, { type Session, type Table, type Varbind } from 'net-snmp';
import { said, type LocalText } from '../../lib/errors.js';

export const OID = {
  sysUpTime: '1.3.6.1.2.1.1.3.0',
  ifXTable: '1.3.6.1.2.1.31.1.1',
} as const;
/** Columns of ifXEntry. */
const IF_NAME = 1;
const IF_HC_IN_OCTETS = 6;
const IF_HC_OUT_OCTETS = 10;

export type SnmpAuth =
  | { version: '2c'; community: string }
  /** authPriv with SHA-1 authentication and AES-128 privacy (DES fails under OpenSSL 3). */
  | { version: '3'; user: string; authKey: string; privKey: string };

export interface SnmpTarget {
  host: string;
  port?: number;
  auth: SnmpAuth;
  timeoutMs?: number;
  retries?: number;
}

export interface InterfaceCounters {
  ifIndex: number;
  name: string;
  inOctets: bigint;
  outOctets: bigint;
}

export interface SnmpReading {
  /** sysUpTime in hundredths of a second. */
  uptimeTicks: number;
  interfaces: InterfaceCounters[];
}

/** A Counter64 as net-snmp hands it over (a big-endian Buffer of up to 8 bytes), or a number. */
export function counter64(value: unknown): bigint | undefined {
  if (Buffer.isBuffer(value)) {
    let n = 0n;
    for (const b of value) n = (n << 8n) | BigInt(b);
    return n;
  }
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return BigInt(value);
  if (typeof value === 'bigint') return value;
  return undefined;
}

/**
 * A failed poll, worded for the operator: `local` carries the catalogue key (the poller stores it
 * beside the English), the agent's or the library's own words go inside it as `words`.
 */
export class SnmpError extends Error {
  constructor(readonly local: LocalText) {
    super(local.text);
    this.name = 'SnmpError';
  }
}

/**
 * What went wrong, from net-snmp's error: no answer at all (the usual case of an unreachable NAS,
 * SNMP turned off, or a v2c community the agent does not know, which it drops without a word),
 * refused v3 credentials, or the agent's own error status, quoted.
 */
export function snmpFailure(err: unknown, waitedMs: number): LocalText {
  const e = (typeof err === 'object' && err !== null ? err : {}) as { name?: unknown; message?: unknown; code?: unknown };
  const words = typeof e.message === 'string' && e.message !== '' ? e.message : String(err);
  if (e.name === 'RequestTimedOutError') {
    const seconds = String(Math.round(waitedMs / 100) / 10);
    return said('nas.snmpTimeout', `no SNMP answer within ${seconds} s: check that the NAS is reachable on its SNMP port, that SNMP is on, and that the community (v2c) is right, as an agent drops a request with an unknown community without a word`, { seconds });
  }
  if (e.name === 'ResponseInvalidError' && (e.code === snmp.ResponseInvalidCode.EAuthFailure || e.code === snmp.ResponseInvalidCode.ECouldNotDecrypt)) {
    return said('nas.snmpAuth', `the NAS refused the SNMPv3 user or its keys: ${words}`, { words });
  }
  return said('nas.snmpError', `SNMP: ${words}`, { words });
}

function openSession(t: SnmpTarget): Session {
  const options = { port: t.port ?? 161, timeout: t.timeoutMs ?? 3000, retries: t.retries ?? 1, transport: t.host.includes(':') ? 'udp6' as const : 'udp4' as const };
  if (t.auth.version === '2c') return snmp.createSession(t.host, t.auth.community, { ...options, version: snmp.Version2c });
  return snmp.createV3Session(
    t.host,
    {
      name: t.auth.user,
      level: snmp.SecurityLevel.authPriv,
      authProtocol: snmp.AuthProtocols.sha,
      authKey: t.auth.authKey,
      privProtocol: snmp.PrivProtocols.aes,
      privKey: t.auth.privKey,
    },
    { ...options, version: snmp.Version3 },
  );
}

/** Polls once; rejects with an SnmpError saying what failed (no answer, refused v3 credentials, the agent's error). */
export async function pollSnmp(target: SnmpTarget): Promise<SnmpReading> {
  const session = openSession(target);
  // A socket error surfaces through the request callbacks; without a listener it would be thrown.
  session.on('error', () => {});
  try {
    return await readNas(session);
  } catch (err) {
    // Every request waits timeoutMs for each of its 1 + retries sends.
    throw new SnmpError(snmpFailure(err, (target.timeoutMs ?? 3000) * (1 + (target.retries ?? 1))));
  } finally {
    session.close();
  }
}

async function readNas(session: Session): Promise<SnmpReading> {
  const varbinds = await new Promise<Varbind[]>((resolve, reject) =>
    session.get([OID.sysUpTime], (err, vbs) => (err ? reject(err) : resolve(vbs))),
  );
  const up = varbinds[0];
  if (!up || snmp.isVarbindError(up) || typeof up.value !== 'number') {
    throw new Error(`sysUpTime: ${up ? snmp.varbindError(up) : 'no value'}`);
  }
  const table = await new Promise<Table>((resolve, reject) =>
    session.tableColumns(OID.ifXTable, [IF_NAME, IF_HC_IN_OCTETS, IF_HC_OUT_OCTETS], 20, (err, t) => (err ? reject(err) : resolve(t))),
  );
  const interfaces: InterfaceCounters[] = [];
  for (const [index, row] of Object.entries(table)) {
    const inOctets = counter64(row[IF_HC_IN_OCTETS]);
    const outOctets = counter64(row[IF_HC_OUT_OCTETS]);
    if (inOctets === undefined || outOctets === undefined) continue;
    const name = row[IF_NAME];
    interfaces.push({
      ifIndex: Number(index),
      name: Buffer.isBuffer(name) ? name.toString('utf8') : typeof name === 'string' ? name : `if${index}`,
      inOctets,
      outOctets,
    });
  }
  interfaces.sort((a, b) => a.ifIndex - b.ifIndex);
  return { uptimeTicks: up.value, interfaces };
}
