import { describe, expect, it } from 'vitest';
import { challengeResponse, msChapV1ErrorValue, verifyMsChapV1 } from '../../../src/radius/auth/mschap.js';
import { hashNtHash, lmPasswordHash, ntHash } from '../../../src/radius/auth/nthash.js';
import { hex, loadVectors } from './vectors.js';

const v = loadVectors<{
  hashExample: { password: string; challenge: string; ntPasswordUnicodeHex: string; ntPasswordHash: string; ntChallengeResponse: string };
}>('mschapv1-rfc2433.json').hashExample;
const challenge = hex(v.challenge);

/** An MS-CHAP-Response attribute value (RFC 2548 2.1.3): Ident, Flags, LM-Response, NT-Response. */
function response(ident: number, flags: number, ntResponse: Buffer): Buffer {
  return Buffer.concat([Buffer.of(ident, flags), Buffer.alloc(24), ntResponse]);
}

describe('MS-CHAPv1 (RFC 2433 appendix B.2 hash example)', () => {
  it('NtPasswordHash and NtChallengeResponse', () => {
    expect(Buffer.from(v.password, 'utf16le').toString('hex')).toBe(v.ntPasswordUnicodeHex);
    expect(ntHash(v.password).toString('hex')).toBe(v.ntPasswordHash);
    expect(challengeResponse(challenge, hex(v.ntPasswordHash)).toString('hex')).toBe(v.ntChallengeResponse);
  });

  it('verifyMsChapV1 accepts the RFC response from a cleartext or an NT hash', () => {
    for (const credential of [{ cleartext: v.password }, { ntHash: hex(v.ntPasswordHash) }]) {
      const r = verifyMsChapV1({ challenge, response: response(9, 1, hex(v.ntChallengeResponse)), credential });
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      // MS-CHAP-MPPE-Keys plaintext (RFC 2548 2.4.1): LM-Key (zero by default) + NT-Key + 8 padding.
      expect(r.msChapMppeKeys.length).toBe(32);
      expect(r.msChapMppeKeys.subarray(0, 8).equals(Buffer.alloc(8))).toBe(true);
      expect(r.msChapMppeKeys.subarray(8, 24).equals(hashNtHash(hex(v.ntPasswordHash)))).toBe(true);
      expect(r.msChapMppeKeys.subarray(24).equals(Buffer.alloc(8))).toBe(true);
    }
  });

  it('puts the LM-Key in MS-CHAP-MPPE-Keys only when asked and a cleartext is known', () => {
    const resp = response(9, 1, hex(v.ntChallengeResponse));
    const withLm = verifyMsChapV1({ challenge, response: resp, credential: { cleartext: v.password }, includeLmKey: true });
    expect(withLm.ok && withLm.msChapMppeKeys.subarray(0, 8).equals(lmPasswordHash(v.password).subarray(0, 8))).toBe(true);
    const hashOnly = verifyMsChapV1({ challenge, response: resp, credential: { ntHash: ntHash(v.password) }, includeLmKey: true });
    expect(hashOnly.ok && hashOnly.msChapMppeKeys.subarray(0, 8).equals(Buffer.alloc(8))).toBe(true);
  });

  it('rejects a wrong password with "E=691 R=1 C=<16 hex> V=2" and the response ident', () => {
    const r = verifyMsChapV1({
      challenge,
      response: response(0x44, 1, hex(v.ntChallengeResponse)),
      credential: { cleartext: 'MyPW' },
      errorOptions: { challenge: hex('0011223344556677') },
    });
    expect(r).toMatchObject({ ok: false, reason: 'mismatch' });
    if (!r.ok) {
      expect(r.error[0]).toBe(0x44);
      expect(r.error.subarray(1).toString()).toBe('E=691 R=1 C=0011223344556677 V=2');
    }
  });

  it('refuses LM-only responses (Flags bit 0 clear) and malformed sizes', () => {
    expect(verifyMsChapV1({ challenge, response: response(1, 0, hex(v.ntChallengeResponse)), credential: { cleartext: v.password } })).toMatchObject({ ok: false, reason: 'unsupported' });
    expect(verifyMsChapV1({ challenge: hex('00'), response: response(1, 1, hex(v.ntChallengeResponse)), credential: { cleartext: v.password } })).toMatchObject({ ok: false, reason: 'malformed' });
    expect(verifyMsChapV1({ challenge, response: Buffer.alloc(49), credential: { cleartext: v.password } })).toMatchObject({ ok: false, reason: 'malformed' });
    expect(verifyMsChapV1({ challenge, response: response(1, 1, hex(v.ntChallengeResponse)), credential: {} })).toMatchObject({ ok: false, reason: 'no-credential' });
  });

  it('msChapV1ErrorValue draws an 8-byte challenge when none is given', () => {
    expect(msChapV1ErrorValue({ ident: 2 }).subarray(1).toString()).toMatch(/^E=691 R=1 C=[0-9a-f]{16} V=2$/);
  });
});
