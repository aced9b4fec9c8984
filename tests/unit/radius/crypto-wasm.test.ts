import { createHash, createHmac, randomBytes } from 'node:crypto';
import { setImmediate as turn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import {
  checkMessageAuthenticator,
  computeResponseAuthenticator,
  hidePassword,
  hmacMd5,
  md5,
  signMessageAuthenticator,
  unhidePassword,
} from '../../../src/radius/codec/crypto.js';

// The codec's MD5 and HMAC-MD5 come from hash-wasm's WebAssembly build (see src/radius/codec/crypto.ts):
// held here to the RFC vectors and to node:crypto, byte for byte.

const hex = (b: Buffer) => b.toString('hex');

describe('MD5 (RFC 1321 appendix A.5)', () => {
  const vectors: [string, string][] = [
    ['', 'd41d8cd98f00b204e9800998ecf8427e'],
    ['a', '0cc175b9c0f1b6a831c399e269772661'],
    ['abc', '900150983cd24fb0d6963f7d28e17f72'],
    ['message digest', 'f96b697d7cb7938d525a2f31aaf161d0'],
    ['abcdefghijklmnopqrstuvwxyz', 'c3fcd3d76192e4007dfb496cca67e13b'],
    ['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', 'd174ab98d277d9f5a5611c2c9f419d9f'],
    ['12345678901234567890123456789012345678901234567890123456789012345678901234567890', '57edf4a22be3c955ac49da2e2107b67a'],
  ];
  for (const [input, digest] of vectors) {
    it(`MD5("${input.length > 20 ? `${input.slice(0, 20)}...` : input}")`, () => {
      expect(hex(md5(Buffer.from(input, 'latin1')))).toBe(digest);
    });
  }

  it('matches node:crypto on random input of every length up to 300 bytes', () => {
    for (let n = 0; n <= 300; n++) {
      const data = randomBytes(n);
      expect(hex(md5(data))).toBe(createHash('md5').update(data).digest('hex'));
    }
  });

  it('returns a digest of its own, not a view that the next call overwrites', () => {
    const first = md5(Buffer.from('abc'));
    md5(Buffer.from('message digest'));
    expect(hex(first)).toBe('900150983cd24fb0d6963f7d28e17f72');
  });
});

describe('HMAC-MD5 (RFC 2202 section 2)', () => {
  const vectors: { key: Buffer; data: Buffer; digest: string }[] = [
    { key: Buffer.alloc(16, 0x0b), data: Buffer.from('Hi There'), digest: '9294727a3638bb1c13f48ef8158bfc9d' },
    { key: Buffer.from('Jefe'), data: Buffer.from('what do ya want for nothing?'), digest: '750c783e6ab0b503eaa86e310a5db738' },
    { key: Buffer.alloc(16, 0xaa), data: Buffer.alloc(50, 0xdd), digest: '56be34521d144c88dbb8c733f0e8b3f6' },
    { key: Buffer.from('0102030405060708090a0b0c0d0e0f10111213141516171819', 'hex'), data: Buffer.alloc(50, 0xcd), digest: '697eaf0aca3a3aea3a75164746ffaa79' },
    { key: Buffer.alloc(16, 0x0c), data: Buffer.from('Test With Truncation'), digest: '56461ef2342edc00f9bab995690efd4c' },
    { key: Buffer.alloc(80, 0xaa), data: Buffer.from('Test Using Larger Than Block-Size Key - Hash Key First'), digest: '6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd' },
    { key: Buffer.alloc(80, 0xaa), data: Buffer.from('Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data'), digest: '6f630fad67cda0ee1fb1f562db3aa53e' },
  ];

  it('gives the RFC digests on the first call of a key (node:crypto) and once its keyed object is made (WebAssembly)', async () => {
    for (const v of vectors) expect(hex(hmacMd5(v.key, v.data))).toBe(v.digest);
    await turn();
    for (const v of vectors) expect(hex(hmacMd5(v.key, v.data))).toBe(v.digest);
  });

  it('matches node:crypto for many secrets and lengths, the keyed objects sharing one MD5 state', async () => {
    const secrets = Array.from({ length: 20 }, (_, i) => randomBytes(1 + i * 7));
    for (const s of secrets) hmacMd5(s, Buffer.alloc(1));
    await turn();
    for (let n = 0; n <= 300; n += 7) {
      for (const s of secrets) {
        const data = randomBytes(n);
        expect(hex(hmacMd5(s, data))).toBe(createHmac('md5', s).update(data).digest('hex'));
        // An MD5 between two HMACs must not disturb either.
        expect(hex(md5(data))).toBe(createHash('md5').update(data).digest('hex'));
      }
    }
  });
});

describe('the codec through the WebAssembly hashes', () => {
  it('signs and checks Message-Authenticators as node:crypto computes them', async () => {
    const secret = Buffer.from('a-secret-only-this-test-uses');
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 50; i++) {
        // Access-Request: header, a User-Name, then the Message-Authenticator (its value zero while signing).
        const name = randomBytes(1 + (i % 30));
        const pkt = Buffer.concat([Buffer.from([1, i, 0, 0]), randomBytes(16), Buffer.from([1, 2 + name.length]), name, Buffer.from([80, 18]), Buffer.alloc(16)]);
        pkt.writeUInt16BE(pkt.length, 2);
        const at = pkt.length - 16;
        signMessageAuthenticator(pkt, at, pkt.subarray(4, 20), secret);
        const zeroed = Buffer.from(pkt);
        zeroed.fill(0, at);
        expect(hex(pkt.subarray(at))).toBe(createHmac('md5', secret).update(zeroed).digest('hex'));
        expect(checkMessageAuthenticator(pkt, secret)).toBe('valid');
        pkt[at] = pkt[at]! ^ 1;
        expect(checkMessageAuthenticator(pkt, secret)).toBe('invalid');
      }
      await turn();
    }
  });

  it('computes Response Authenticators and hides passwords as node:crypto does', () => {
    const secret = Buffer.from('xyzzy5461');
    const requestAuth = randomBytes(16);
    const reply = Buffer.concat([Buffer.from([2, 7, 0, 26]), Buffer.alloc(16), Buffer.from([18, 6]), Buffer.from('okay')]);
    const expected = createHash('md5').update(Buffer.concat([reply.subarray(0, 4), requestAuth, reply.subarray(20), secret])).digest('hex');
    expect(hex(computeResponseAuthenticator(reply, requestAuth, secret))).toBe(expected);
    const hidden = hidePassword('a password of 33 bytes, 3 blocks', secret, requestAuth);
    const b1 = createHash('md5').update(Buffer.concat([secret, requestAuth])).digest();
    expect(hidden[0]).toBe(Buffer.from('a')[0]! ^ b1[0]!);
    expect(unhidePassword(hidden, secret, requestAuth)?.toString()).toBe('a password of 33 bytes, 3 blocks');
  });
});
