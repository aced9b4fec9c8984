/**
 * Data types on the wire (RFC 2865 5, RFC 3162, RFC 6572, RFC 8044): bytes to JavaScript values
 * and back. Decoding returns undefined for a value of the wrong size (a received packet's problem,
 * not ours); encoding throws RadiusEncodeError (our own input is wrong).
 */
import { Buffer } from 'node:buffer';
import type { AttrType } from './types.js';
import { RadiusEncodeError } from './errors.js';

export function parseIPv4(text: string): Buffer | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const out = Buffer.alloc(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out[i] = n;
  }
  return out;
}

export function parseIPv6(text: string): Buffer | undefined {
  let s = text;
  const out = Buffer.alloc(16);
  let tail: Buffer | undefined;
  const lastColon = s.lastIndexOf(':');
  if (s.includes('.')) {
    // An embedded IPv4 tail (::ffff:192.0.2.1) stands for the last two groups.
    tail = parseIPv4(s.slice(lastColon + 1));
    if (tail === undefined) return undefined;
    s = s.slice(0, lastColon + 1) + '0:0';
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const groupsOf = (h: string): string[] | undefined => (h === '' ? [] : h.split(':'));
  const head = groupsOf(halves[0]!);
  const rest = halves.length === 2 ? groupsOf(halves[1]!) : [];
  if (head === undefined || rest === undefined) return undefined;
  const groups = halves.length === 2 ? head.length + rest.length : head.length;
  if (halves.length === 2 ? groups > 7 : groups !== 8) return undefined;
  const all = [...head, ...Array<string>(8 - groups).fill('0'), ...rest];
  for (let i = 0; i < 8; i++) {
    const g = all[i]!;
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    out.writeUInt16BE(Number.parseInt(g, 16), i * 2);
  }
  if (tail !== undefined) tail.copy(out, 12);
  return out;
}

/** RFC 5952 text: lower case, leading zeros dropped, the longest run of two or more zero groups as `::`. */
export function formatIPv6(b: Buffer): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(b.readUInt16BE(i));
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (gs: number[]): string => gs.map((g) => g.toString(16)).join(':');
  if (bestStart < 0) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLen))}`;
}

function formatIPv4(b: Buffer): string {
  return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
}

function hexGroups(b: Buffer, size: number, sep: string): string {
  const parts: string[] = [];
  for (let i = 0; i < b.length; i += size) parts.push(b.subarray(i, i + size).toString('hex'));
  return parts.join(sep);
}

/** Zeroes the bits of a 16-byte address past the first `bits` (a prefix length, 0..128). */
function clearHostBits(addr: Buffer, bits: number): void {
  for (let i = bits >> 3; i < 16; i++) {
    const keep = Math.max(0, bits - i * 8);
    addr[i]! &= (0xff << (8 - keep)) & 0xff;
  }
}

/**
 * Whether `v` is an ipv6prefix as RFC 3162 2.3 has it: Reserved, Prefix-Length 0..128, the prefix
 * bytes it needs (up to 16), and every bit past the prefix length zero.
 */
export function isWellFormedIPv6Prefix(v: Buffer): boolean {
  if (v.length < 2 || v.length > 18) return false;
  const bits = v[1]!;
  if (bits > 128 || Math.ceil(bits / 8) > v.length - 2) return false;
  for (let i = 2 + (bits >> 3); i < v.length; i++) {
    const keep = Math.max(0, bits - (i - 2) * 8);
    if ((v[i]! & (0xff >> keep)) !== 0) return false;
  }
  return true;
}

/** Decodes a value (tag already removed) as `type`; undefined when its size does not fit. */
export function decodeTyped(type: AttrType, v: Buffer): unknown {
  switch (type) {
    case 'string':
      return v.toString('utf8');
    case 'ipaddr':
      return v.length === 4 ? formatIPv4(v) : undefined;
    case 'ipv6addr':
      return v.length === 16 ? formatIPv6(v) : undefined;
    case 'ipv6prefix': {
      // Reserved, Prefix-Length, then as many prefix bytes as sent (RFC 3162 2.3: 0..16).
      if (v.length < 2 || v.length > 18) return undefined;
      const bits = v[1]!;
      if (bits > 128 || Math.ceil(bits / 8) > v.length - 2) return undefined;
      const addr = Buffer.alloc(16);
      v.copy(addr, 0, 2);
      // RFC 3162 2.3 wants the bits past the prefix length zero; a NAS that sends an address with
      // its prefix length (2001:db8::1/64) means the prefix, so the prefix is what is read.
      clearHostBits(addr, bits);
      return `${formatIPv6(addr)}/${bits}`;
    }
    case 'ipv4prefix': {
      // RFC 6572: Reserved, Prefix-Length (low 6 bits), four address bytes.
      if (v.length !== 6) return undefined;
      const bits = v[1]! & 0x3f;
      return bits > 32 ? undefined : `${formatIPv4(v.subarray(2))}/${bits}`;
    }
    case 'integer':
      return v.length === 4 ? v.readUInt32BE(0) : undefined;
    case 'signed':
      return v.length === 4 ? v.readInt32BE(0) : undefined;
    case 'date':
      return v.length === 4 ? new Date(v.readUInt32BE(0) * 1000) : undefined;
    case 'byte':
      return v.length === 1 ? v[0] : undefined;
    case 'short':
      return v.length === 2 ? v.readUInt16BE(0) : undefined;
    case 'integer64':
      return v.length === 8 ? v.readBigUInt64BE(0) : undefined;
    case 'ifid':
      return v.length === 8 ? hexGroups(v, 2, ':') : undefined;
    case 'ether':
      return v.length === 6 ? hexGroups(v, 1, ':') : undefined;
    case 'octets':
    case 'tlv':
    case 'combo-ip':
    case 'vsa':
    case 'abinary':
      return v;
  }
}

/** A value handed to the encoder; which forms a type accepts is listed on `encodeTyped`. */
export type AttrValue = string | number | bigint | Date | Uint8Array;

function bad(name: string, what: string): never {
  throw new RadiusEncodeError(`${name}: ${what}`, name);
}

function uint(name: string, value: AttrValue, max: number): number {
  if (typeof value === 'bigint') value = Number(value);
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
    return bad(name, `expected an integer 0..${max}, got ${String(value)}`);
  }
  return value;
}

function hexBytes(name: string, text: string, size: number): Buffer {
  const clean = text.replace(/[:.-]/g, '');
  if (!new RegExp(`^[0-9a-fA-F]{${size * 2}}$`).test(clean)) return bad(name, `expected ${size} hex bytes, got "${text}"`);
  return Buffer.from(clean, 'hex');
}

/**
 * Encodes a JavaScript value as `type` (without tag or encryption). Accepted forms:
 * string: string | bytes; octets, tlv, vsa, abinary: bytes | string (UTF-8); ipaddr: "a.b.c.d";
 * ipv6addr: text; ipv6prefix: "addr/len"; ipv4prefix: "a.b.c.d/len"; integer, byte, short,
 * signed: number; integer64: bigint | number; date: Date | seconds since 1970; ifid, ether: hex
 * text; combo-ip: IPv4 or IPv6 text. Bytes (a Buffer) are accepted for every type as the wire form.
 */
export function encodeTyped(type: AttrType, name: string, value: AttrValue): Buffer {
  if (value instanceof Uint8Array && !Buffer.isBuffer(value)) value = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (Buffer.isBuffer(value)) {
    // The wire form goes out as given, but an IPv6 prefix with host bits set is not one (RFC 3162 2.3).
    if (type === 'ipv6prefix' && !isWellFormedIPv6Prefix(value)) return bad(name, 'IPv6 prefix bytes not as RFC 3162 2.3 has them (length 0..128, bits past it zero)');
    return value;
  }
  switch (type) {
    case 'string':
    case 'octets':
    case 'tlv':
    case 'vsa':
    case 'abinary':
      if (typeof value !== 'string') return bad(name, 'expected a string or bytes');
      return Buffer.from(value, 'utf8');
    case 'ipaddr': {
      const b = typeof value === 'string' ? parseIPv4(value) : undefined;
      return b ?? bad(name, `expected an IPv4 address, got ${String(value)}`);
    }
    case 'ipv6addr': {
      const b = typeof value === 'string' ? parseIPv6(value) : undefined;
      return b ?? bad(name, `expected an IPv6 address, got ${String(value)}`);
    }
    case 'combo-ip': {
      const b = typeof value === 'string' ? (parseIPv4(value) ?? parseIPv6(value)) : undefined;
      return b ?? bad(name, `expected an IP address, got ${String(value)}`);
    }
    case 'ipv6prefix': {
      const m = typeof value === 'string' ? /^([^/]+)\/(\d{1,3})$/.exec(value) : null;
      const addr = m ? parseIPv6(m[1]!) : undefined;
      const bits = m ? Number(m[2]) : 129;
      if (addr === undefined || bits > 128) return bad(name, `expected an IPv6 prefix "addr/len", got ${String(value)}`);
      // Bits past the prefix length must be zero (RFC 3162 2.3): "addr/len" names the prefix that
      // holds addr, as it does for an interface address. The full 16 bytes are sent, as
      // FreeRADIUS 3 does, which every NAS we know accepts.
      clearHostBits(addr, bits);
      return Buffer.concat([Buffer.from([0, bits]), addr]);
    }
    case 'ipv4prefix': {
      const m = typeof value === 'string' ? /^([^/]+)\/(\d{1,2})$/.exec(value) : null;
      const addr = m ? parseIPv4(m[1]!) : undefined;
      const bits = m ? Number(m[2]) : 33;
      if (addr === undefined || bits > 32) return bad(name, `expected an IPv4 prefix "a.b.c.d/len", got ${String(value)}`);
      const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
      const out = Buffer.alloc(6);
      out[1] = bits;
      out.writeUInt32BE((addr.readUInt32BE(0) & mask) >>> 0, 2);
      return out;
    }
    case 'integer': {
      const out = Buffer.allocUnsafe(4);
      out.writeUInt32BE(uint(name, value, 0xffffffff));
      return out;
    }
    case 'signed': {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < -0x80000000 || value > 0x7fffffff) {
        return bad(name, `expected a 32-bit signed integer, got ${String(value)}`);
      }
      const out = Buffer.alloc(4);
      out.writeInt32BE(value);
      return out;
    }
    case 'byte':
      return Buffer.from([uint(name, value, 0xff)]);
    case 'short': {
      const out = Buffer.alloc(2);
      out.writeUInt16BE(uint(name, value, 0xffff));
      return out;
    }
    case 'integer64': {
      const n = typeof value === 'bigint' ? value : typeof value === 'number' && Number.isSafeInteger(value) ? BigInt(value) : -1n;
      if (n < 0n || n > 0xffffffffffffffffn) return bad(name, `expected a 64-bit unsigned integer, got ${String(value)}`);
      const out = Buffer.alloc(8);
      out.writeBigUInt64BE(n);
      return out;
    }
    case 'date': {
      const secs = value instanceof Date ? Math.floor(value.getTime() / 1000) : value;
      const out = Buffer.alloc(4);
      out.writeUInt32BE(uint(name, secs as AttrValue, 0xffffffff));
      return out;
    }
    case 'ifid':
      return typeof value === 'string' ? hexBytes(name, value, 8) : bad(name, 'expected an interface id as hex text');
    case 'ether':
      return typeof value === 'string' ? hexBytes(name, value, 6) : bad(name, 'expected a MAC address as hex text');
  }
}
