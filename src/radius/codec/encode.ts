/**
 * Building packets. The caller lists attributes (typed, from a definition, or raw); the encoder
 * applies tags, encryption, VSA wrapping and splitting, then the authenticators in the order each
 * packet code needs (see crypto.ts). A value that does not fit its field is an error naming the
 * attribute; an empty value leaves its attribute out (see `mayBeEmpty`).
 */
import { Buffer } from 'node:buffer';
import { NUMERIC_TYPES, type AttributeDef, type ValueNames } from './types.js';
import { Code, authenticatorKind, codeName } from './codes.js';
import {
  ATTR_MESSAGE_AUTHENTICATOR,
  computeRequestAuthenticator,
  computeResponseAuthenticator,
  hidePassword,
  randomAuthenticator,
  randomSalt,
  replyMaAuthenticator,
  saltEncrypt,
  signMessageAuthenticator,
  type Secret,
} from './crypto.js';
import { RadiusEncodeError, RadiusPacketTooLargeError } from './errors.js';
import { ATTR_EAP_MESSAGE, ATTR_VENDOR_SPECIFIC, HEADER_LENGTH, MAX_PACKET_LENGTH, type RawAttribute } from './packet.js';
import { encodeTyped, type AttrValue } from './values.js';

/** An attribute from its definition and a JavaScript value (see `encodeTyped` for the forms). */
export interface TypedAttribute {
  readonly def: AttributeDef;
  /** A VALUE name (e.g. "Accounting-On") is accepted for numeric types when a dictionary is given. */
  readonly value: AttrValue;
  /** RFC 2868 tag, 0x01..0x1F (0 means none), for has_tag attributes only. */
  readonly tag?: number;
}

/** Raw attributes go out as given: no tag, no encryption (Proxy-State echoed from a request, say). */
export type AttributeInput = TypedAttribute | RawAttribute;

export interface EncodeOptions {
  readonly code: number;
  readonly identifier: number;
  readonly attributes: readonly AttributeInput[];
  readonly secret: Secret;
  /** Required for replies: the authenticator of the request being answered. */
  readonly requestAuthenticator?: Buffer;
  /**
   * For replies, the code of the request being answered; it matters only for an Accounting-Response
   * with a Message-Authenticator (see `replyMaAuthenticator`). Defaults to the usual request for
   * the reply's code.
   */
  readonly requestCode?: number;
  /** Access-Request and Status-Server only: a fixed authenticator (tests); random otherwise. */
  readonly authenticator?: Buffer;
  /**
   * Adds a Message-Authenticator: 'first' (what every Tollgate reply does, per BlastRADIUS,
   * CVE-2024-3596) or 'last'. A Message-Authenticator in `attributes` is refused: say where here.
   */
  readonly messageAuthenticator?: 'first' | 'last';
  /** Resolves VALUE names given for numeric attributes. */
  readonly dictionary?: ValueNames;
}

const MAX_VALUE = 253;
const MAX_VSA_VALUE = 253 - 4 - 2;
const ZERO16 = Buffer.alloc(16);

function isTyped(a: AttributeInput): a is TypedAttribute {
  return (a as TypedAttribute).def !== undefined;
}

function numericValue(a: TypedAttribute, dict: ValueNames | undefined): AttrValue {
  const { def, value } = a;
  if (typeof value !== 'string' || !NUMERIC_TYPES.has(def.type)) return value;
  const n = dict?.valueOf(def, value);
  if (n === undefined) {
    const why = dict === undefined ? 'pass a dictionary to use VALUE names' : 'no such VALUE';
    throw new RadiusEncodeError(`${def.name}: "${value}": ${why}`, def.name);
  }
  return n;
}

/** The attribute's value bytes on the wire (tag and encryption applied), before splitting. */
function valueBytes(a: TypedAttribute, ctx: { secret: Secret; cryptoAuth: Buffer; salts: Set<number>; dict?: ValueNames }): Buffer {
  const { def } = a;
  const tag = a.tag ?? 0;
  if (tag !== 0 && !def.hasTag) throw new RadiusEncodeError(`${def.name} does not take a tag`, def.name);
  if (!Number.isInteger(tag) || tag < 0 || tag > 0x1f) throw new RadiusEncodeError(`${def.name}: tag must be 0..31`, def.name);
  let bytes = encodeTyped(def.type, def.name, numericValue(a, ctx.dict));
  switch (def.encrypt) {
    case 0:
      break;
    case 1:
      bytes = hidePassword(bytes, ctx.secret, ctx.cryptoAuth);
      break;
    case 2:
      bytes = saltEncrypt(bytes, ctx.secret, ctx.cryptoAuth, randomSalt(ctx.salts));
      break;
    case 3:
      throw new RadiusEncodeError(`${def.name}: Ascend encryption (encrypt=3) is not supported`, def.name);
  }
  if (!def.hasTag) return bytes;
  if (def.type === 'integer') {
    // RFC 2868: the tag replaces the most significant byte of the four.
    if (bytes.length !== 4 || bytes[0] !== 0) throw new RadiusEncodeError(`${def.name}: tagged integers hold 24 bits`, def.name);
    const out = Buffer.from(bytes);
    out[0] = tag;
    return out;
  }
  // Tunnel-Password always carries its tag byte; other strings only when tagged, unless the
  // value's first byte could be misread as a tag.
  if (def.encrypt !== 0 || tag !== 0 || (bytes.length > 0 && bytes[0]! <= 0x1f)) return Buffer.concat([Buffer.from([tag]), bytes]);
  return bytes;
}

// Buffers built here come from Node's shared pool (allocUnsafe) and are written in full: a zeroed
// Buffer.alloc is a fresh ArrayBuffer each time, and a reply builds several of them per request.
function wire(def: { vendorId: number; code: number }, value: Buffer): Buffer {
  if (def.vendorId === 0) {
    const out = Buffer.allocUnsafe(value.length + 2);
    out[0] = def.code;
    out[1] = value.length + 2;
    value.copy(out, 2);
    return out;
  }
  const out = Buffer.allocUnsafe(value.length + 8);
  out[0] = ATTR_VENDOR_SPECIFIC;
  out[1] = value.length + 8;
  out.writeUInt32BE(def.vendorId, 2);
  out[6] = def.code;
  out[7] = value.length + 2;
  value.copy(out, 8);
  return out;
}

/** How a raw attribute is named in errors: type/vendor/vendor-type, as given. */
function rawName(a: RawAttribute): string {
  return `raw attribute ${String(a.type)}/${String(a.vendorId)}/${String(a.vendorType)}`;
}

/** Whether `n` is an integer that fits one octet (a single comparison on the common path). */
function isOctet(n: number): boolean {
  return (n & 0xff) === n;
}

/**
 * RFC 2865 section 5 gives every data type at least one octet, and RFC 8044 sections 3.4-3.5 say
 * what to do with an empty text or string: "omit the entire attribute instead". So an attribute
 * whose value is empty is left out, as FreeRADIUS does, rather than refused: an empty value is
 * routinely "nothing to say" (a blank Reply-Message or rate limit in a plan), and an error would
 * cost the whole reply, that is the subscriber's login. Only EAP-Message may be empty: it is
 * EAP-Start (RFC 3579 section 2.1).
 */
function mayBeEmpty(vendorId: number, code: number): boolean {
  return vendorId === 0 && code === ATTR_EAP_MESSAGE;
}

/** One attribute as one or more wire attributes (concat attributes are split). */
function wireAttributes(a: AttributeInput, ctx: Parameters<typeof valueBytes>[1]): Buffer[] {
  if (!isTyped(a)) {
    // Every field must fit its octets (RFC 2865 section 5 and 5.26): a silent truncation would send
    // a different attribute than the one asked for.
    if (!isOctet(a.type) || (a.vendorId >>> 0) !== a.vendorId || (a.vendorId !== 0 && (a.type !== ATTR_VENDOR_SPECIFIC || !isOctet(a.vendorType)))) {
      throw new RadiusEncodeError(`${rawName(a)}: type and vendor type must be 0..255, vendor id 0..2^32-1, and a vendor id needs type 26`, rawName(a));
    }
    const max = a.vendorId === 0 ? MAX_VALUE : MAX_VSA_VALUE;
    if (a.value.length > max) throw new RadiusEncodeError(`${rawName(a)} is too long`, rawName(a));
    if (a.value.length === 0 && !mayBeEmpty(a.vendorId, a.type)) return [];
    if (a.type === ATTR_MESSAGE_AUTHENTICATOR && a.vendorId === 0) {
      throw new RadiusEncodeError('use the messageAuthenticator option instead of a Message-Authenticator attribute');
    }
    return [a.vendorId === 0 ? wire({ vendorId: 0, code: a.type }, a.value) : wire({ vendorId: a.vendorId, code: a.vendorType }, a.value)];
  }
  const { def } = a;
  if (!isOctet(def.code) || (def.vendorId >>> 0) !== def.vendorId) {
    throw new RadiusEncodeError(`${def.name}: attribute number ${def.code} does not fit one octet`, def.name);
  }
  if (def.vendorId === 0 && def.code === ATTR_MESSAGE_AUTHENTICATOR) {
    throw new RadiusEncodeError('use the messageAuthenticator option instead of a Message-Authenticator attribute', def.name);
  }
  if (def.vendorId === 0 && def.code === ATTR_VENDOR_SPECIFIC) {
    throw new RadiusEncodeError('give vendor attributes by their own definitions, not as Vendor-Specific', def.name);
  }
  const bytes = valueBytes(a, ctx);
  if (bytes.length === 0 && !mayBeEmpty(def.vendorId, def.code)) return [];
  const max = def.vendorId === 0 ? MAX_VALUE : MAX_VSA_VALUE;
  if (bytes.length <= max) return [wire(def, bytes)];
  if (!def.concat) throw new RadiusEncodeError(`${def.name}: value of ${bytes.length} bytes exceeds ${max}`, def.name);
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += max) out.push(wire(def, bytes.subarray(i, i + max)));
  return out;
}

/**
 * Builds a packet's bytes. Access-Request and Status-Server get a random (or given) authenticator;
 * Accounting-, CoA- and Disconnect-Requests a Request Authenticator; replies a Response
 * Authenticator over `requestAuthenticator`. A Message-Authenticator, when asked for, is computed
 * before the Request/Response Authenticator, which then covers it; replies compute it over the
 * request's authenticator, except an Accounting-Response (see `replyMaAuthenticator`).
 *
 * Encrypted attributes use the request's authenticator: the packet's own for Access-Request, the
 * request's for replies. Accounting-, CoA- and Disconnect-Requests have no authenticator known
 * before encryption, so 16 zero octets are used, as FreeRADIUS does.
 */
export function encodePacket(opts: EncodeOptions): Buffer {
  const kind = authenticatorKind(opts.code);
  if (kind === undefined) throw new RadiusEncodeError(`unknown packet code ${opts.code}`);
  if (!Number.isInteger(opts.identifier) || opts.identifier < 0 || opts.identifier > 255) {
    throw new RadiusEncodeError('identifier must be 0..255');
  }
  let headerAuth: Buffer;
  let cryptoAuth: Buffer;
  if (kind === 'random') {
    headerAuth = opts.authenticator ?? randomAuthenticator();
    cryptoAuth = headerAuth;
  } else if (kind === 'response') {
    if (opts.requestAuthenticator === undefined) throw new RadiusEncodeError(`${codeName(opts.code)} needs the request's authenticator`);
    headerAuth = opts.requestAuthenticator;
    cryptoAuth = headerAuth;
  } else {
    headerAuth = ZERO16;
    cryptoAuth = ZERO16;
  }
  if (headerAuth.length !== 16) throw new RadiusEncodeError('authenticators are 16 bytes');
  if (opts.authenticator !== undefined && kind !== 'random') {
    throw new RadiusEncodeError(`${codeName(opts.code)}: the authenticator is computed, not given`);
  }

  const ctx = { secret: opts.secret, cryptoAuth, salts: new Set<number>(), dict: opts.dictionary };
  const parts: Buffer[] = [];
  for (const a of opts.attributes) parts.push(...wireAttributes(a, ctx));
  const maAttr = Buffer.allocUnsafe(18).fill(0);
  maAttr[0] = ATTR_MESSAGE_AUTHENTICATOR;
  maAttr[1] = 18;
  if (opts.messageAuthenticator === 'first') parts.unshift(maAttr);
  else if (opts.messageAuthenticator === 'last') parts.push(maAttr);

  let length = HEADER_LENGTH;
  for (const p of parts) length += p.length;
  if (length > MAX_PACKET_LENGTH) throw new RadiusPacketTooLargeError(length, MAX_PACKET_LENGTH);
  // Every byte is written below: the header, then each part.
  const pkt = Buffer.allocUnsafe(length);
  pkt[0] = opts.code;
  pkt[1] = opts.identifier;
  pkt.writeUInt16BE(length, 2);
  headerAuth.copy(pkt, 4);
  let pos = HEADER_LENGTH;
  let maAt = -1;
  for (const p of parts) {
    if (p === maAttr) maAt = pos + 2;
    p.copy(pkt, pos);
    pos += p.length;
  }
  if (maAt >= 0) {
    const maAuth = kind === 'response' ? replyMaAuthenticator(opts.code, opts.requestCode ?? Code.AccountingRequest, headerAuth) : headerAuth;
    signMessageAuthenticator(pkt, maAt, maAuth, opts.secret);
  }
  if (kind === 'request-hash') computeRequestAuthenticator(pkt, opts.secret).copy(pkt, 4);
  else if (kind === 'response') computeResponseAuthenticator(pkt, headerAuth, opts.secret).copy(pkt, 4);
  return pkt;
}
