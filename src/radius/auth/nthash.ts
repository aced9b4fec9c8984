/**
 * Password hashes of the Microsoft family, as MS-CHAP and MPPE use them.
 *
 * A subscriber's credential may be stored as the NT hash instead of the cleartext: MS-CHAPv1/v2 and
 * their MPPE keys need nothing else (CHAP does need the cleartext).
 */
import { Buffer } from 'node:buffer';
import { desEncrypt } from './des.js';
import { md4 } from './md4.js';

/**
 * NtPasswordHash (RFC 2759 section 8.3): MD4 of the password in UTF-16LE, no terminator.
 * JavaScript strings are UTF-16 already, so characters outside the BMP become surrogate pairs,
 * which is what Windows hashes too.
 */
export function ntHash(password: string): Buffer {
  return md4(Buffer.from(password, 'utf16le'));
}

/** HashNtPasswordHash (RFC 2759 section 8.4): MD4 of the 16-byte NT hash. */
export function hashNtHash(ntPasswordHash: Uint8Array): Buffer {
  if (ntPasswordHash.length !== 16) throw new RangeError('NT hash must be 16 bytes');
  return md4(ntPasswordHash);
}

// RFC 2433 appendix A (DesHash): the LM hash encrypts this constant with the password halves as keys.
const LM_MAGIC = Buffer.from('KGS!@#$%', 'latin1');

/**
 * LmPasswordHash (RFC 2433 appendix A): only needed for the LM-Key half of MS-CHAP-MPPE-Keys
 * (MS-CHAPv1 40/56-bit MPPE); we never accept LM responses. The password is upper-cased (ASCII
 * letters only, as FreeRADIUS's smbdes_lmpwdhash does with the C locale), cut to 14 bytes of its
 * UTF-8 form and zero-padded.
 */
export function lmPasswordHash(password: string): Buffer {
  const raw = Buffer.from(password, 'utf8');
  const pw = Buffer.alloc(14);
  for (let i = 0; i < 14 && i < raw.length; i++) {
    const c = raw[i]!;
    pw[i] = c >= 0x61 && c <= 0x7a ? c - 0x20 : c;
  }
  return Buffer.concat([desEncrypt(LM_MAGIC, pw.subarray(0, 7)), desEncrypt(LM_MAGIC, pw.subarray(7, 14))]);
}

/**
 * What a subscriber's stored secret can be. MS-CHAP accepts either; CHAP needs `cleartext`.
 * If both are given, `ntHash` is used for MS-CHAP (it is what the operator stored on purpose).
 */
export interface Credential {
  cleartext?: string;
  /** 16 bytes, NtPasswordHash of the password. */
  ntHash?: Buffer;
}

/** The NT hash for a credential, or null if it has neither form (or a malformed hash). */
export function credentialNtHash(credential: Credential): Buffer | null {
  if (credential.ntHash !== undefined) return credential.ntHash.length === 16 ? credential.ntHash : null;
  if (credential.cleartext !== undefined) return ntHash(credential.cleartext);
  return null;
}
