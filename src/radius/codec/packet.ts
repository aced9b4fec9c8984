/**
 * Decoding: untrusted bytes in, a packet or a failure reason out, never a throw. One pass, no
 * dictionary, values are views into the received buffer (copy them if the buffer is reused).
 */
import type { AttributeDef } from './types.js';

export const HEADER_LENGTH = 20;
export const MAX_PACKET_LENGTH = 4096;
export const ATTR_VENDOR_SPECIFIC = 26;
/** RFC 3579: may be empty (EAP-Start, section 2.1), unlike any other attribute. */
export const ATTR_EAP_MESSAGE = 79;

/**
 * One attribute as received, in packet order. Standard attributes have `vendorId` 0 and
 * `vendorType` 0; each vendor sub-attribute of a Vendor-Specific (26) is its own entry with
 * `type` 26, its vendor id and its sub-attribute type.
 *
 * A Vendor-Specific that is not laid out as RFC 2865 section 5.26 suggests (one-octet type and
 * length sub-attributes, as USR, Lucent, Starent and WiMAX do not) is kept whole as one opaque
 * entry: `type` 26, `vendorId` 0, `vendorType` 0, `value` its Vendor-Id followed by the vendor's
 * bytes. That is RFC 6929 section 2.8's "invalid attribute": kept, counted, never interpreted. No
 * split entry has `vendorId` 0, so `type` 26 with `vendorId` 0 means exactly that.
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
  /**
   * Attributes (and vendor sub-attributes) of length 2, that is with no value, left out of
   * `attributes`: no RADIUS data type is empty (RFC 2865 section 5, RFC 8044 sections 3.4 and 3.5:
   * "omit the entire attribute instead"). An empty EAP-Message is kept: it is EAP-Start (RFC 3579
   * section 2.1). A count for metrics: `attribute_empty`.
   */
  readonly emptyAttributes: number;
  /** Vendor-Specific attributes kept whole as opaque bytes (see RawAttribute). For metrics: `vsa_opaque`. */
  readonly opaqueVsas: number;
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
  | 'bad_attribute';

/**
 * Attributes a decoded packet carries but that are not read as values; stable strings, usable as a
 * metric label, with the count of each on the packet: `emptyAttributes` and `opaqueVsas`.
 */
export type AttributeAnomaly = 'attribute_empty' | 'vsa_opaque';

export type DecodeResult = { readonly ok: true; readonly packet: Packet } | { readonly ok: false; readonly reason: DecodeFailure };

function fail(reason: DecodeFailure): DecodeResult {
  return { ok: false, reason };
}

/**
 * Appends the sub-attributes of a Vendor-Specific value laid out as RFC 2865 section 5.26 suggests
 * (type, length, value, tiling `start..end` exactly) and returns how many empty ones it left out;
 * returns -1, having appended nothing, when the value is laid out any other way.
 */
function splitVsa(buf: Buffer, start: number, end: number, vendorId: number, out: RawAttribute[]): number {
  const mark = out.length;
  let empty = 0;
  let sub = start;
  while (sub < end) {
    const subLen = sub + 1 < end ? buf[sub + 1]! : 0;
    if (subLen < 2 || sub + subLen > end) {
      out.length = mark;
      return -1;
    }
    if (subLen === 2) empty++;
    else out.push({ type: ATTR_VENDOR_SPECIFIC, vendorId, vendorType: buf[sub]!, value: buf.subarray(sub + 2, sub + subLen) });
    sub += subLen;
  }
  return empty;
}

/**
 * Decodes a datagram (RFC 2865 section 3 and 5). Bytes past the Length field are ignored. Only the
 * framing can fail a packet (RFC 6929 section 2.8): an attribute whose value is wrong is kept or
 * left out and counted (see Packet), and the rest of the packet is read.
 */
export function decodePacket(buf: Buffer): DecodeResult {
  if (buf.length < HEADER_LENGTH) return fail('short');
  const length = buf.readUInt16BE(2);
  if (length < HEADER_LENGTH || length > MAX_PACKET_LENGTH) return fail('bad_length');
  if (length > buf.length) return fail('truncated');
  const attributes: RawAttribute[] = [];
  let emptyAttributes = 0;
  let opaqueVsas = 0;
  let pos = HEADER_LENGTH;
  while (pos < length) {
    if (pos + 2 > length) return fail('bad_attribute');
    const type = buf[pos]!;
    const attrLen = buf[pos + 1]!;
    if (attrLen < 2 || pos + attrLen > length) return fail('bad_attribute');
    if (type !== ATTR_VENDOR_SPECIFIC) {
      if (attrLen === 2 && type !== ATTR_EAP_MESSAGE) emptyAttributes++;
      else attributes.push({ type, vendorId: 0, vendorType: 0, value: buf.subarray(pos + 2, pos + attrLen) });
    } else if (attrLen === 2) {
      emptyAttributes++;
    } else {
      // Vendor-Id (4), then sub-attributes. Enterprise number 0 is reserved (no vendor can describe
      // what it carries), so such a value is opaque too.
      const vendorId = attrLen >= 2 + 4 + 2 ? buf.readUInt32BE(pos + 2) : 0;
      const empty = vendorId === 0 ? -1 : splitVsa(buf, pos + 6, pos + attrLen, vendorId, attributes);
      if (empty >= 0) {
        emptyAttributes += empty;
      } else {
        attributes.push({ type, vendorId: 0, vendorType: 0, value: buf.subarray(pos + 2, pos + attrLen) });
        opaqueVsas++;
      }
    }
    pos += attrLen;
  }
  const raw = buf.subarray(0, length);
  return {
    ok: true,
    packet: { code: buf[0]!, identifier: buf[1]!, authenticator: buf.subarray(4, HEADER_LENGTH), attributes, raw, emptyAttributes, opaqueVsas },
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
