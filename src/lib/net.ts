import { isIP } from 'node:net';

/** An address or a CIDR block, as NAS entries hold them. */
export interface Cidr {
  family: 4 | 6;
  /** The network address as a 128-bit (v6) or 32-bit (v4) big integer. */
  network: bigint;
  prefix: number;
}

function toBigInt(ip: string, family: 4 | 6): bigint {
  if (family === 4) return ip.split('.').reduce((acc, o) => (acc << 8n) | BigInt(Number(o)), 0n);
  // Expand `::` and an embedded IPv4 tail, then read eight 16-bit groups.
  let head = ip;
  let tail: bigint[] = [];
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(ip);
  if (v4) {
    const n = toBigInt(v4[1]!, 4);
    tail = [n >> 16n, n & 0xffffn];
    head = ip.slice(0, -v4[1]!.length).replace(/:$/, ':0');
    if (head.endsWith('::0')) head = head.slice(0, -1);
  }
  const [left, right] = head.includes('::') ? head.split('::') : [head, undefined];
  const l = left ? left.split(':').filter((g) => g !== '') : [];
  const r = right !== undefined && right !== '' ? right.split(':') : [];
  const missing = 8 - tail.length - l.length - r.length;
  const groups = [...l, ...Array(right !== undefined ? missing : 0).fill('0'), ...r].map((g) => BigInt(parseInt(g, 16)));
  return [...groups, ...tail].reduce((acc, g) => (acc << 16n) | g, 0n);
}

/** Parses `10.0.0.1`, `10.0.0.0/24`, `2001:db8::/32`; undefined when invalid. */
export function parseCidr(text: string): Cidr | undefined {
  const [ip, bits, extra] = text.trim().split('/');
  if (extra !== undefined || ip === undefined) return undefined;
  const family = isIP(ip);
  if (family !== 4 && family !== 6) return undefined;
  const max = family === 4 ? 32 : 128;
  if (bits !== undefined && !/^\d{1,3}$/.test(bits)) return undefined;
  const prefix = bits === undefined ? max : Number(bits);
  if (prefix > max) return undefined;
  const addr = toBigInt(ip, family);
  const mask = prefix === 0 ? 0n : ((1n << BigInt(prefix)) - 1n) << BigInt(max - prefix);
  return { family, network: addr & mask, prefix };
}

/** Whether `ip` falls inside `cidr`. IPv4-mapped IPv6 sources (`::ffff:a.b.c.d`) match IPv4 blocks. */
export function cidrContains(cidr: Cidr, ip: string): boolean {
  let addr = ip;
  if (cidr.family === 4 && addr.startsWith('::ffff:') && isIP(addr.slice(7)) === 4) addr = addr.slice(7);
  const family = isIP(addr);
  if (family !== cidr.family) return false;
  const max = family === 4 ? 32 : 128;
  const mask = cidr.prefix === 0 ? 0n : ((1n << BigInt(cidr.prefix)) - 1n) << BigInt(max - cidr.prefix);
  return (toBigInt(addr, family) & mask) === cidr.network;
}

/** Normalises a MAC address in any common spelling to `AA:BB:CC:DD:EE:FF`; undefined when invalid. */
export function normalizeMac(text: string): string | undefined {
  // Every accounting record and login carries one: a single pass over the characters, and the
  // text itself when it is already in the normal form (what most NAS send), rather than three
  // regular expressions and five intermediate strings.
  let out = '';
  let digits = 0;
  let canonical = text.length === 17;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    let upper: number;
    if (c >= 48 && c <= 57) upper = c; // 0-9
    else if (c >= 65 && c <= 70) upper = c; // A-F
    else if (c >= 97 && c <= 102) upper = c - 32; // a-f
    else if (c === 58 || c === 46 || c === 45 || /\s/.test(text[i]!)) {
      // Separators (: . - and white space) are dropped; the normal form has a colon after every pair.
      canonical &&= c === 58 && i % 3 === 2;
      continue;
    } else return undefined;
    canonical &&= upper === c && i % 3 !== 2;
    if (++digits > 12) return undefined;
    out += digits > 1 && digits % 2 === 1 ? ':' + String.fromCharCode(upper) : String.fromCharCode(upper);
  }
  if (digits !== 12) return undefined;
  return canonical ? text : out;
}
