/**
 * MPPE key material for RADIUS replies.
 *
 * MS-CHAPv2 (RFC 3079 section 3.4, 128-bit keys): MasterKey = SHA1(NtHashHash + NT-Response +
 * Magic1)[0..16]; each direction's start key = SHA1(MasterKey + Pad1 + Magic + Pad2)[0..16]. The two
 * magic strings say which side uses which: Magic3 ("...on the server side, it is the send key") gives
 * the server's send key, Magic2 the server's receive key. The RADIUS server speaks for the NAS, the
 * PPP server, so MS-MPPE-Send-Key (NAS -> peer) carries the Magic3 key and MS-MPPE-Recv-Key the
 * Magic2 key; this is what FreeRADIUS rlm_mschap sends. RFC 3079 section 3.5.3 prints this Magic3
 * key as its "SendStartKey128".
 *
 * MS-CHAPv1 (RFC 2548 section 2.4.1, RFC 3079 section 2): one MS-CHAP-MPPE-Keys attribute holding
 * LM-Key (first 8 bytes of the LM hash) + NT-Key (16 bytes) + 8 bytes padding. RFC 2548 calls the
 * NT-Key the hashed NT password, which peers read as HashNtPasswordHash (MD4 of the NT hash, the input
 * of RFC 3079's GetStartKey); FreeRADIUS sends that too, noting the RFC text does not work in practice.
 *
 * What this module returns is PLAINTEXT in the RFC 2548 layout. The RADIUS codec must encrypt it:
 * - MS-MPPE-Send-Key / MS-MPPE-Recv-Key (RFC 2548 2.4.2/2.4.3): salt encryption (Tunnel-Password
 *   style, encrypt=2). Plaintext = key length byte (16) + key + zero padding = 32 bytes; on the wire
 *   the value is 2 salt bytes + 32 ciphertext bytes = 34 bytes.
 * - MS-CHAP-MPPE-Keys (RFC 2548 2.4.1): User-Password style encryption (encrypt=1) with the Request
 *   Authenticator and no salt; plaintext and wire value are both 32 bytes.
 */
import { Buffer } from 'node:buffer';
import { hash } from 'node:crypto';

// RFC 3079 section 3.4 constants.
const MAGIC1 = Buffer.from('This is the MPPE Master Key', 'latin1');
const MAGIC2 = Buffer.from(
  'On the client side, this is the send key; on the server side, it is the receive key.',
  'latin1',
);
const MAGIC3 = Buffer.from(
  'On the client side, this is the receive key; on the server side, it is the send key.',
  'latin1',
);
const SHS_PAD1 = Buffer.alloc(40, 0x00);
const SHS_PAD2 = Buffer.alloc(40, 0xf2);

/** GetMasterKey (RFC 3079 section 3.4). */
export function getMasterKey(ntHashHash: Uint8Array, ntResponse: Uint8Array): Buffer {
  if (ntHashHash.length !== 16) throw new RangeError('PasswordHashHash must be 16 bytes');
  if (ntResponse.length !== 24) throw new RangeError('NT-Response must be 24 bytes');
  return hash('sha1', Buffer.concat([ntHashHash, ntResponse, MAGIC1]), 'buffer').subarray(0, 16);
}

/**
 * GetAsymetricStartKey (RFC 3079 section 3.4; the RFC spells it with one m).
 * `isSend` and `isServer` select the magic exactly as the RFC's pseudocode does.
 */
export function getAsymmetricStartKey(
  masterKey: Uint8Array,
  isSend: boolean,
  isServer: boolean,
  keyLength: 8 | 16 = 16,
): Buffer {
  if (masterKey.length !== 16) throw new RangeError('MasterKey must be 16 bytes');
  const magic = isSend === isServer ? MAGIC3 : MAGIC2;
  return hash('sha1', Buffer.concat([masterKey, SHS_PAD1, magic, SHS_PAD2]), 'buffer').subarray(0, keyLength);
}

export interface MppeServerKeys {
  /** For MS-MPPE-Send-Key: encrypts NAS -> peer (Magic3). */
  sendKey: Buffer;
  /** For MS-MPPE-Recv-Key: decrypts peer -> NAS (Magic2). */
  recvKey: Buffer;
}

/** The server side's two 128-bit MS-CHAPv2 start keys. */
export function mschapV2ServerKeys(ntHashHash: Uint8Array, ntResponse: Uint8Array): MppeServerKeys {
  const master = getMasterKey(ntHashHash, ntResponse);
  return {
    sendKey: getAsymmetricStartKey(master, true, true),
    recvKey: getAsymmetricStartKey(master, false, true),
  };
}

/**
 * RFC 2548 section 2.4.2/2.4.3 plaintext String of MS-MPPE-Send-Key / MS-MPPE-Recv-Key:
 * Key-Length (1 byte) + Key + zero padding to a multiple of 16. A 16-byte key gives 32 bytes.
 * The codec's salt encryption turns it into the 34-byte attribute value.
 */
export function mppeKeyPlaintext(key: Uint8Array): Buffer {
  if (key.length === 0 || key.length > 255) throw new RangeError('MPPE key must be 1..255 bytes');
  const len = Math.ceil((key.length + 1) / 16) * 16;
  const out = Buffer.alloc(len);
  out[0] = key.length;
  out.set(key, 1);
  return out;
}

/** Reads a decrypted MS-MPPE-*-Key String back to the key (for clients and tests). */
export function parseMppeKeyPlaintext(plain: Uint8Array): Buffer | null {
  const n = plain[0];
  if (n === undefined || n === 0 || n + 1 > plain.length) return null;
  return Buffer.from(plain.subarray(1, 1 + n));
}

/**
 * RFC 2548 section 2.4.1 plaintext Keys field of MS-CHAP-MPPE-Keys (32 bytes): LM-Key (first 8 bytes
 * of LmPasswordHash, zeros if unknown, e.g. when only the NT hash is stored, which disables only the
 * 40/56-bit LM-derived MPPE keys) + NT-Key (HashNtPasswordHash) + 8 zero bytes.
 * The codec encrypts it like User-Password (encrypt=1), not with a salt.
 */
export function mschapV1MppeKeysPlaintext(lmHash: Uint8Array | null, ntHashHash: Uint8Array): Buffer {
  if (ntHashHash.length !== 16) throw new RangeError('PasswordHashHash must be 16 bytes');
  if (lmHash !== null && lmHash.length < 8) throw new RangeError('LM hash must be at least 8 bytes');
  const out = Buffer.alloc(32);
  if (lmHash !== null) out.set(lmHash.subarray(0, 8), 0);
  out.set(ntHashHash, 8);
  return out;
}
