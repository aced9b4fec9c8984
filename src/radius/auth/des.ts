/**
 * Single DES for MS-CHAP (RFC 2759 section 8.6 DesEncrypt, RFC 2433 LmPasswordHash).
 *
 * OpenSSL 3 moved `des-ecb` to the legacy provider, but two-key triple DES with K1 = K2 is single
 * DES (E_K(D_K(E_K(x))) = E_K(x)), and `des-ede-ecb` is still in the default provider. So we expand
 * the 7-byte key to 8 bytes and encrypt one block with K||K, padding off. No hand-written DES.
 *
 * The module checks at load time that this works (a FIPS 81-era single-DES known answer), so a
 * runtime without it fails at start-up with a clear message instead of rejecting every MS-CHAP user.
 */
import { Buffer } from 'node:buffer';
import { createCipheriv } from 'node:crypto';

/**
 * Spreads 56 key bits over 8 bytes, 7 bits each in the high bits, and sets the low (parity) bit of
 * each byte for odd parity, as RFC 2433 appendix B.3 / RFC 2759 section 9.3 show. DES ignores the
 * parity bits; setting them makes the keys equal to the RFC's printed ones.
 */
export function expandDesKey(key7: Uint8Array): Buffer {
  if (key7.length !== 7) throw new RangeError(`DES key must be 7 bytes, got ${key7.length}`);
  const k = key7;
  const out = Buffer.from([
    k[0]!,
    (k[0]! << 7) | (k[1]! >> 1),
    (k[1]! << 6) | (k[2]! >> 2),
    (k[2]! << 5) | (k[3]! >> 3),
    (k[3]! << 4) | (k[4]! >> 4),
    (k[4]! << 3) | (k[5]! >> 5),
    (k[5]! << 2) | (k[6]! >> 6),
    k[6]! << 1,
  ]);
  for (let i = 0; i < 8; i++) {
    let v = out[i]! & 0xfe;
    // Odd parity over the byte: the parity bit is 1 when the seven key bits hold an even count.
    let ones = 0;
    for (let b = v; b; b >>= 1) ones += b & 1;
    if (ones % 2 === 0) v |= 1;
    out[i] = v;
  }
  return out;
}

/** Encrypts one 8-byte block with single DES under an already expanded 8-byte key. */
export function desEncryptBlock(clear8: Uint8Array, key8: Uint8Array): Buffer {
  if (clear8.length !== 8) throw new RangeError(`DES block must be 8 bytes, got ${clear8.length}`);
  if (key8.length !== 8) throw new RangeError(`DES key must be 8 bytes, got ${key8.length}`);
  const cipher = createCipheriv('des-ede-ecb', Buffer.concat([key8, key8]), null);
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(clear8), cipher.final()]);
}

/** RFC 2759 section 8.6 DesEncrypt(Clear 8 bytes, Key 7 bytes) -> 8 bytes. */
export function desEncrypt(clear8: Uint8Array, key7: Uint8Array): Buffer {
  return desEncryptBlock(clear8, expandDesKey(key7));
}

// Known answer for single DES: key 133457799BBCDFF1, plaintext 0123456789ABCDEF gives 85E813540F0AB405
// (the classic worked example of the DES standard). Run once at import.
function selfTest(): void {
  let got: string;
  try {
    got = desEncryptBlock(Buffer.from('0123456789abcdef', 'hex'), Buffer.from('133457799bbcdff1', 'hex'))
      .toString('hex');
  } catch (err) {
    throw new Error(
      `MS-CHAP needs single DES, done here as OpenSSL's des-ede-ecb with the key repeated, and this ` +
        `Node/OpenSSL build refused it (${(err as Error).message}). Run Node 20+ with the default ` +
        `OpenSSL provider; no legacy provider is needed.`,
      { cause: err },
    );
  }
  if (got !== '85e813540f0ab405') {
    throw new Error(`DES self-test failed: des-ede-ecb with K||K gave ${got}, expected 85e813540f0ab405`);
  }
}
selfTest();
