/**
 * Decoding: untrusted bytes in, a packet or a failure reason out, never a throw. One pass, no
 * dictionary, values are views into the received buffer (copy them if the buffer is reused).
 */
import type { AttributeDef } from '../dict/types.js';

export const HEADER_LENGTH = 20;
export const MAX_PACKET_LENGTH = 4096;
export const ATTR_VENDOR_SPECIFIC = 26;

/**
 * One attribute as received, in packet order. Standard attributes have `vendorId` 0 and
 * `vendorType` 0; each vendor sub-attribute of a Vendor-Specific (26) is its own entry with
 * `type` 26, its vendor id and its sub-attribute type.
 */
export interface RawAttribute {
  readonly type: number;
  readonly vendorId: number;
  readonly vendorType: number;
  readonly value: Buffer;
}

export interface Packet {
  readonly code: number;
  readonly identifier: number;
  readonly authenticator: Buffer;
  readonly attributes: readonly RawAttribute[];
  /** The packet's bytes up to its Length field (trailing padding dropped). */
  readonly raw: Buffer;
}

/** Why a datagram is not a RADIUS packet; stable strings, usable as a metric label. */
export type DecodeFailure =
  /** Fewer than 20 bytes. */
  | 'short'
  /** The Length field is below 20 or above 4096. */
  | 'bad_length'
  /** The Length field claims more bytes than arrived (RFC 2865 3: silently discard). */
  | 'truncated'
  /** An attribute shorter than 2 bytes or running past the packet. */
  | 'bad_attribute'
  /** A Vendor-Specific without a vendor id or whose sub-attributes do not tile its value. */
  | 'bad_vsa';

export type DecodeResult = { readonly ok: true; readonly packet: Packet } | { readonly ok: false; readonly reason: DecodeFailure };

function fail(reason: DecodeFailure): DecodeResult {
  return { ok: false, reason };
}

/** Decodes a datagram (RFC 2865 section 3 and 5). Bytes past the Length field are ignored. */
export function decodePacket(buf: Buffer): DecodeResult {
  if (buf.length < HEADER_LENGTH) return fail('short');
  const length = buf.readUInt16BE(2);
  if (length < HEADER_LENGTH || length > MAX_PACKET_LENGTH) return fail('bad_length');
  if (length > buf.length) return fail('truncated');
  const attributes: RawAttribute[] = [];
  let pos = HEADER_LENGTH;
  while (pos < length) {
    if (pos + 2 > length) return fail('bad_attribute');
    const type = buf[pos]!;
    const attrLen = buf[pos + 1]!;
    if (attrLen < 2 || pos + attrLen > length) return fail('bad_attribute');
    if (type !== ATTR_VENDOR_SPECIFIC) {
      attributes.push({ type, vendorId: 0, vendorType: 0, value: buf.subarray(pos + 2, pos + attrLen) });
    } else {
      // Vendor-Id (4) then at least one sub-attribute of type (1), length (1), value.
      if (attrLen < 2 + 4 + 2) return fail('bad_vsa');
      const vendorId = buf.readUInt32BE(pos + 2);
      const end = pos + attrLen;
      let sub = pos + 6;
      while (sub < end) {
        if (sub + 2 > end) return fail('bad_vsa');
        const subLen = buf[sub + 1]!;
        if (subLen < 2 || sub + subLen > end) return fail('bad_vsa');
        attributes.push({ type, vendorId, vendorType: buf[sub]!, value: buf.subarray(sub + 2, sub + subLen) });
        sub += subLen;
      }
    }
    pos += attrLen;
  }
  const raw = buf.subarray(0, length);
  return {
    ok: true,
    packet: { code: buf[0]!, identifier: buf[1]!, authenticator: buf.subarray(4, HEADER_LENGTH), attributes, raw },
  };
}

/** Whether a received attribute is an instance of `def`. */
export function isAttr(a: RawAttribute, def: AttributeDef): boolean {
  return def.vendorId === 0
    ? a.type === def.code && a.vendorId === 0
    : a.type === ATTR_VENDOR_SPECIFIC && a.vendorId === def.vendorId && a.vendorType === def.code;
}

/** The first instance of an attribute, raw. */
export function findAttr(packet: Packet, def: AttributeDef): RawAttribute | undefined {
  for (const a of packet.attributes) if (isAttr(a, def)) return a;
  return undefined;
}

/** Every instance of an attribute, raw, in packet order. */
export function findAll(packet: Packet, def: AttributeDef): RawAttribute[] {
  const out: RawAttribute[] = [];
  for (const a of packet.attributes) if (isAttr(a, def)) out.push(a);
  return out;
}
