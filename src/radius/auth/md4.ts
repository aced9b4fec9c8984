/**
 * MD4 (RFC 1320), written out because Node 20's OpenSSL 3 only offers md4 through the legacy
 * provider, which we do not want to require of operators. MS-CHAP (RFC 2433, RFC 2759) needs it for
 * NtPasswordHash and HashNtPasswordHash; it is used nowhere else and must not be: MD4 is broken as a
 * general-purpose hash. This is the one hand-rolled primitive in the authentication code.
 *
 * Checked against all seven RFC 1320 appendix A.5 vectors in tests/unit/auth/md4.test.ts.
 */
import { Buffer } from 'node:buffer';

// Round 2 and round 3 additive constants (RFC 1320 section 3.4): sqrt(2) and sqrt(3) scaled by 2^30.
const K2 = 0x5a827999;
const K3 = 0x6ed9eba1;

// Per-round shift amounts, indexed by step modulo 4.
const S1 = [3, 7, 11, 19] as const;
const S2 = [3, 5, 9, 13] as const;
const S3 = [3, 9, 11, 15] as const;

// Round 3 visits the words in bit-reversed order of their index.
const R3_ORDER = [0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15] as const;

function rotl(x: number, n: number): number {
  return (x << n) | (x >>> (32 - n));
}

/** MD4 digest (16 bytes) of `data`. */
export function md4(data: Uint8Array): Buffer {
  const bitLength = BigInt(data.length) * 8n;
  // Padding: one 0x80 byte, zeros up to 56 mod 64, then the bit length as 64-bit little-endian.
  const paddedLength = (((data.length + 8) >> 6) + 1) << 6;
  const msg = Buffer.alloc(paddedLength);
  msg.set(data, 0);
  msg[data.length] = 0x80;
  msg.writeBigUInt64LE(bitLength & 0xffff_ffff_ffff_ffffn, paddedLength - 8);

  let a = 0x67452301;
  let b = 0xefcdab89;
  let c = 0x98badcfe;
  let d = 0x10325476;
  const x = new Array<number>(16);

  for (let off = 0; off < paddedLength; off += 64) {
    for (let i = 0; i < 16; i++) x[i] = msg.readInt32LE(off + i * 4);
    const aa = a;
    const bb = b;
    const cc = c;
    const dd = d;

    // Round 1: F(x,y,z) = (x & y) | (~x & z). The four registers rotate roles each step.
    for (let i = 0; i < 16; i++) {
      const t = (a + ((b & c) | (~b & d)) + x[i]!) | 0;
      a = d;
      d = c;
      c = b;
      b = rotl(t, S1[i & 3]!);
    }
    // Round 2: G(x,y,z) = majority; words in column order 0,4,8,12,1,5,...
    for (let i = 0; i < 16; i++) {
      const k = ((i & 3) << 2) | (i >> 2);
      const t = (a + ((b & c) | (b & d) | (c & d)) + x[k]! + K2) | 0;
      a = d;
      d = c;
      c = b;
      b = rotl(t, S2[i & 3]!);
    }
    // Round 3: H(x,y,z) = parity.
    for (let i = 0; i < 16; i++) {
      const t = (a + (b ^ c ^ d) + x[R3_ORDER[i]!]! + K3) | 0;
      a = d;
      d = c;
      c = b;
      b = rotl(t, S3[i & 3]!);
    }

    a = (a + aa) | 0;
    b = (b + bb) | 0;
    c = (c + cc) | 0;
    d = (d + dd) | 0;
  }

  const out = Buffer.alloc(16);
  out.writeInt32LE(a, 0);
  out.writeInt32LE(b, 4);
  out.writeInt32LE(c, 8);
  out.writeInt32LE(d, 12);
  return out;
}
