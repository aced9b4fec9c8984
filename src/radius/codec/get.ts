/**
 * Typed reading of decoded packets. Getters take a definition (`A.UserName`), so handler code never
 * names an attribute number, and the definition's type decides the JavaScript type returned. A value
 * of the wrong size for its type reads as undefined: a NAS's mistake, not an exception.
 */
import { Buffer } from 'node:buffer';
import type { AttrType, AttributeDef, ValueOf } from './types.js';
import { type Secret, saltDecrypt, unhideOctets, unhidePassword } from './crypto.js';
import { RadiusEncodeError } from './errors.js';
import { findAll, isAttr, type Packet, type RawAttribute } from './packet.js';
import { decodeTyped } from './values.js';

export interface Tagged<T> {
  /** 0 when the attribute carried no tag. */
  readonly tag: number;
  readonly value: T;
}

/** RFC 2868 section 3: tags are 0x01..0x1F, and 0x00 when the attribute is not tagged. */
const MAX_TAG = 0x1f;

/**
 * Splits the RFC 2868 tag from a has_tag attribute's value. Undefined for a tagged integer or a
 * salt-encrypted value whose tag octet is above 0x1F: those always carry the tag octet, so a larger
 * one is not a tag but an invalid attribute (RFC 6929 section 2.8), not to be read as tag 32.
 */
export function splitTag(def: AttributeDef, value: Buffer): { tag: number; data: Buffer } | undefined {
  if (!def.hasTag) return { tag: 0, data: value };
  if (def.type === 'integer') {
    if (value.length !== 4 || value[0]! > MAX_TAG) return undefined;
    const data = Buffer.alloc(4);
    value.copy(data, 1, 1);
    return { tag: value[0]!, data };
  }
  // Salt-encrypted attributes always carry the tag byte; other strings only when it is 0x00..0x1F
  // (RFC 2868 3.x: a larger first octet is the first octet of the string).
  if (def.encrypt !== 0) return value.length === 0 || value[0]! > MAX_TAG ? undefined : { tag: value[0]!, data: value.subarray(1) };
  if (value.length > 0 && value[0]! <= MAX_TAG) return { tag: value[0]!, data: value.subarray(1) };
  return { tag: 0, data: value };
}

function assertClear(def: AttributeDef): void {
  // Reading ciphertext as a value is always a programming mistake: say so at once.
  if (def.encrypt !== 0) throw new RadiusEncodeError(`${def.name} is encrypted: use getDecrypted`, def.name);
}

function decodeOne<T extends AttrType>(def: AttributeDef<T>, a: RawAttribute): Tagged<ValueOf<T>> | undefined {
  const split = splitTag(def, a.value);
  if (split === undefined) return undefined;
  const value = decodeTyped(def.type, split.data) as ValueOf<T> | undefined;
  return value === undefined ? undefined : { tag: split.tag, value };
}

/** Joins the values of a concat attribute (EAP-Message) in packet order. */
function concatValue(packet: Packet, def: AttributeDef): Buffer | undefined {
  const parts = findAll(packet, def).map((a) => a.value);
  return parts.length === 0 ? undefined : Buffer.concat(parts);
}

/**
 * The first value of an attribute, typed by its definition; for concat attributes, all fragments
 * joined. Undefined when absent or malformed.
 */
export function get<T extends AttrType>(packet: Packet, def: AttributeDef<T>): ValueOf<T> | undefined {
  assertClear(def);
  if (def.concat) return concatValue(packet, def) as ValueOf<T> | undefined;
  for (const a of packet.attributes) {
    if (!isAttr(a, def)) continue;
    // Untagged (nearly every attribute, on every request): no tag split, no wrapper object.
    if (!def.hasTag) return decodeTyped(def.type, a.value) as ValueOf<T> | undefined;
    return decodeOne(def, a)?.value;
  }
  return undefined;
}

/** Every well-formed value of an attribute, in packet order (malformed instances skipped). */
export function getAll<T extends AttrType>(packet: Packet, def: AttributeDef<T>): ValueOf<T>[] {
  return getAllTagged(packet, def).map((t) => t.value);
}

/** Every well-formed value with its RFC 2868 tag, in packet order. */
export function getAllTagged<T extends AttrType>(packet: Packet, def: AttributeDef<T>): Tagged<ValueOf<T>>[] {
  assertClear(def);
  const out: Tagged<ValueOf<T>>[] = [];
  for (const a of packet.attributes) {
    if (!isAttr(a, def)) continue;
    const t = decodeOne(def, a);
    if (t !== undefined) out.push(t);
  }
  return out;
}

/** The first value with its tag. */
export function getTagged<T extends AttrType>(packet: Packet, def: AttributeDef<T>): Tagged<ValueOf<T>> | undefined {
  return getAllTagged(packet, def)[0];
}

/** Whether the attribute occurs at all (well-formed or not). */
export function has(packet: Packet, def: AttributeDef): boolean {
  for (const a of packet.attributes) if (isAttr(a, def)) return true;
  return false;
}

/**
 * The first value of an encrypted attribute, decrypted (encrypt=1: User-Password style; encrypt=2:
 * salt encryption) and typed. `authenticator` is the Access-Request's authenticator: the packet's
 * own for a request, the request's for a reply. Undefined when absent or undecryptable.
 */
export function getDecrypted<T extends AttrType>(
  packet: Packet,
  def: AttributeDef<T>,
  secret: Secret,
  authenticator: Buffer = packet.authenticator,
): ValueOf<T> | undefined {
  for (const a of packet.attributes) {
    if (!isAttr(a, def)) continue;
    const split = splitTag(def, a.value);
    if (split === undefined) return undefined;
    let plain: Buffer | undefined;
    if (def.encrypt === 1) plain = def.type === 'string' ? unhidePassword(split.data, secret, authenticator) : unhideOctets(split.data, secret, authenticator);
    else if (def.encrypt === 2) plain = saltDecrypt(split.data, secret, authenticator);
    else plain = split.data;
    return plain === undefined ? undefined : (decodeTyped(def.type, plain) as ValueOf<T> | undefined);
  }
  return undefined;
}
