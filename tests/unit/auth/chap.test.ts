import { describe, expect, it } from 'vitest';
import { chapResponse, verifyChap } from '../../../src/radius/auth/chap.js';
import { buildChapRequest } from '../../../src/radius/auth/client.js';
import { ntHash } from '../../../src/radius/auth/nthash.js';
import { hex, loadVectors } from './vectors.js';

// An MD5 (RFC 1321) written here so the CHAP vector does not come from the same node:crypto call the
// code under test uses. Small inputs only; clarity over speed.
function md5(data: Uint8Array): Buffer {
  const s = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];
  const k = Array.from({ length: 64 }, (_, i) => Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32) >>> 0);
  const len = Math.ceil((data.length + 9) / 64) * 64;
  const m = Buffer.alloc(len);
  m.set(data);
  m[data.length] = 0x80;
  m.writeUInt32LE((data.length * 8) >>> 0, len - 8);
  m.writeUInt32LE(Math.floor((data.length * 8) / 2 ** 32), len - 4);
  let [a0, b0, c0, d0] = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476];
  for (let off = 0; off < len; off += 64) {
    let [a, b, c, d] = [a0, b0, c0, d0];
    for (let i = 0; i < 64; i++) {
      let f: number;
      let g: number;
      if (i < 16) [f, g] = [(b & c) | (~b & d), i];
      else if (i < 32) [f, g] = [(d & b) | (~d & c), (5 * i + 1) % 16];
      else if (i < 48) [f, g] = [b ^ c ^ d, (3 * i + 5) % 16];
      else [f, g] = [c ^ (b | ~d), (7 * i) % 16];
      const t = (a + f + k[i]! + m.readUInt32LE(off + g * 4)) | 0;
      const r = s[(i >> 4) * 4 + (i % 4)]!;
      [a, d, c] = [d, c, b];
      b = (b + ((t << r) | (t >>> (32 - r)))) | 0;
    }
    [a0, b0, c0, d0] = [(a0 + a) | 0, (b0 + b) | 0, (c0 + c) | 0, (d0 + d) | 0];
  }
  const out = Buffer.alloc(16);
  [a0, b0, c0, d0].forEach((w, i) => out.writeInt32LE(w, i * 4));
  return out;
}

describe('CHAP (RFC 1994, RFC 2865 section 2.2)', () => {
  it('the inline MD5 is MD5 (RFC 1321 appendix A.5)', () => {
    expect(md5(Buffer.from('')).toString('hex')).toBe('d41d8cd98f00b204e9800998ecf8427e');
    expect(md5(Buffer.from('message digest')).toString('hex')).toBe('f96b697d7cb7938d525a2f31aaf161d0');
  });

  const { cases } = loadVectors<{
    cases: { name: string; ident: number; password: string; chapChallenge?: string; requestAuthenticator: string; chapPassword?: string }[];
  }>('chap.json');
  it.each(cases)('vector: $name', (c) => {
    const challenge = c.chapChallenge !== undefined ? hex(c.chapChallenge) : hex(c.requestAuthenticator);
    const chapPassword = Buffer.concat([Buffer.of(c.ident), md5(Buffer.concat([Buffer.of(c.ident), Buffer.from(c.password), challenge]))]);
    if (c.chapPassword !== undefined) expect(chapPassword.toString('hex')).toBe(c.chapPassword);
    const input = { chapPassword, requestAuthenticator: hex(c.requestAuthenticator), credential: { cleartext: c.password } };
    const withChallenge = c.chapChallenge !== undefined ? { ...input, chapChallenge: hex(c.chapChallenge) } : input;
    expect(verifyChap(withChallenge)).toEqual({ ok: true });
  });

  const ident = 0x5a;
  const password = 'hello';
  const challenge = hex('00112233445566778899aabbccddeeff');
  const authenticator = hex('0f0e0d0c0b0a09080706050403020100');
  // Response = MD5(Ident || secret || challenge), RFC 1994 section 4.1.
  const expected = md5(Buffer.concat([Buffer.of(ident), Buffer.from(password), challenge]));

  it('chapResponse is MD5(ident + password + challenge)', () => {
    expect(chapResponse(ident, password, challenge).equals(expected)).toBe(true);
  });

  it('accepts the right response with CHAP-Challenge', () => {
    const chapPassword = Buffer.concat([Buffer.of(ident), expected]);
    expect(verifyChap({ chapPassword, chapChallenge: challenge, requestAuthenticator: authenticator, credential: { cleartext: password } })).toEqual({ ok: true });
  });

  it('uses the Request Authenticator when there is no CHAP-Challenge', () => {
    const resp = md5(Buffer.concat([Buffer.of(ident), Buffer.from(password), authenticator]));
    const chapPassword = Buffer.concat([Buffer.of(ident), resp]);
    expect(verifyChap({ chapPassword, requestAuthenticator: authenticator, credential: { cleartext: password } }).ok).toBe(true);
    // ...and not when a CHAP-Challenge is present.
    expect(verifyChap({ chapPassword, chapChallenge: challenge, requestAuthenticator: authenticator, credential: { cleartext: password } })).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('rejects a wrong password, a wrong ident, and malformed input', () => {
    const chapPassword = Buffer.concat([Buffer.of(ident), expected]);
    const base = { chapChallenge: challenge, requestAuthenticator: authenticator };
    expect(verifyChap({ ...base, chapPassword, credential: { cleartext: 'hellO' } })).toEqual({ ok: false, reason: 'mismatch' });
    const otherIdent = Buffer.from(chapPassword);
    otherIdent[0] = ident + 1;
    expect(verifyChap({ ...base, chapPassword: otherIdent, credential: { cleartext: password } }).ok).toBe(false);
    expect(verifyChap({ ...base, chapPassword: chapPassword.subarray(0, 16), credential: { cleartext: password } })).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyChap({ ...base, chapChallenge: Buffer.alloc(0), chapPassword, credential: { cleartext: password } })).toEqual({ ok: false, reason: 'malformed' });
  });

  it('cannot verify from an NT hash alone', () => {
    const chapPassword = Buffer.concat([Buffer.of(ident), expected]);
    expect(verifyChap({ chapPassword, chapChallenge: challenge, requestAuthenticator: authenticator, credential: { ntHash: ntHash(password) } })).toEqual({ ok: false, reason: 'no-credential' });
  });

  it('buildChapRequest produces what verifyChap accepts', () => {
    const req = buildChapRequest({ password: 'pässword', ident: 3 });
    expect(req.chapPassword.length).toBe(17);
    expect(req.chapPassword[0]).toBe(3);
    expect(verifyChap({ chapPassword: req.chapPassword, chapChallenge: req.chapChallenge, requestAuthenticator: authenticator, credential: { cleartext: 'pässword' } }).ok).toBe(true);
  });
});
