/**
 * The attribute types of the wire format and the shape of an attribute's definition. Dictionaries
 * (src/radius/dict) are built from these; the codec encodes and decodes by them. Pure types and tiny
 * constructors: nothing here may touch the file system.
 */

/** The data types of the FreeRADIUS dictionary format that Tollgate understands. */
export type AttrType =
  | 'string'
  | 'octets'
  | 'ipaddr'
  | 'ipv6addr'
  | 'ipv6prefix'
  | 'ipv4prefix'
  | 'integer'
  | 'signed'
  | 'date'
  | 'byte'
  | 'short'
  | 'integer64'
  | 'ifid'
  | 'ether'
  // Kept as opaque bytes: Tollgate neither builds nor reads their inner structure.
  | 'tlv'
  | 'combo-ip'
  | 'vsa'
  | 'abinary';

/** 0: none; 1: User-Password hiding (RFC 2865 5.2); 2: salt encryption (RFC 2868 3.5, RFC 2548
 * 2.4.2); 3: Ascend's scheme, recognised in dictionaries but not implemented by the codec. */
export type EncryptMode = 0 | 1 | 2 | 3;

/**
 * One attribute definition. `T` narrows the data type so that typed getters and the declared-once
 * map in `attrs.ts` can be checked by the compiler.
 */
export interface AttributeDef<T extends AttrType = AttrType> {
  readonly name: string;
  /** 0 for the standard space; otherwise the SMI enterprise number of the Vendor-Specific owner. */
  readonly vendorId: number;
  /** Attribute type, or the vendor's sub-attribute type for a VSA. */
  readonly code: number;
  readonly type: T;
  readonly encrypt: EncryptMode;
  readonly hasTag: boolean;
  /** Values longer than 253 bytes are split over consecutive attributes (EAP-Message). */
  readonly concat: boolean;
}

export interface VendorDef {
  readonly name: string;
  readonly id: number;
}

/** What a typed getter returns for each data type. */
export interface ValueTypes {
  string: string;
  octets: Buffer;
  ipaddr: string;
  ipv6addr: string;
  /** `2001:db8::/64` */
  ipv6prefix: string;
  /** `10.0.0.0/8` */
  ipv4prefix: string;
  integer: number;
  signed: number;
  date: Date;
  byte: number;
  short: number;
  integer64: bigint;
  /** Four groups of four hex digits: `0011:2233:4455:6677` */
  ifid: string;
  /** `00:11:22:33:44:55` */
  ether: string;
  tlv: Buffer;
  'combo-ip': Buffer;
  vsa: Buffer;
  abinary: Buffer;
}

export type ValueOf<T extends AttrType> = ValueTypes[T];

/** Types whose definitions may carry VALUE names. */
export const NUMERIC_TYPES: ReadonlySet<AttrType> = new Set(['integer', 'signed', 'byte', 'short', 'integer64']);

export function defineAttr<T extends AttrType>(
  vendorId: number,
  code: number,
  name: string,
  type: T,
  flags: { encrypt?: EncryptMode; hasTag?: boolean; concat?: boolean } = {},
): AttributeDef<T> {
  return Object.freeze({
    name,
    vendorId,
    code,
    type,
    encrypt: flags.encrypt ?? 0,
    hasTag: flags.hasTag ?? false,
    concat: flags.concat ?? false,
  });
}

/**
 * Where the encoder finds a VALUE name's number ("Accounting-On" -> 7). A dictionary
 * (src/radius/dict) provides it; the codec knows only this much of one, so it stays below them.
 */
export interface ValueNames {
  valueOf(def: AttributeDef, name: string): number | undefined;
}
