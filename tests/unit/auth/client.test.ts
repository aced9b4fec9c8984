import { describe, expect, it } from 'vitest';
import {
  buildMsChapV1Request,
  buildMsChapV2Request,
  verifyMsChapV1MppeKeys,
  verifyMsChapV2Success,
} from '../../../src/radius/auth/client.js';
import { verifyMsChapV1, verifyMsChapV2 } from '../../../src/radius/auth/mschap.js';
import { ntHash } from '../../../src/radius/auth/nthash.js';
import { hex, loadVectors } from './vectors.js';

const rfc = loadVectors<{
  hashExample: { userName: string; password: string; authenticatorChallenge: string; peerChallenge: string; ntResponse: string; authenticatorResponse: string };
}>('mschapv2-rfc2759.json').hashExample;

describe('client side of MS-CHAPv2', () => {
  it('reproduces the RFC 2759 9.2 request and expected answer', () => {
    const req = buildMsChapV2Request({
      userName: rfc.userName,
      password: rfc.password,
      authenticatorChallenge: hex(rfc.authenticatorChallenge),
      peerChallenge: hex(rfc.peerChallenge),
      ident: 1,
    });
    expect(req.challenge.toString('hex')).toBe(rfc.authenticatorChallenge);
    expect(req.response.length).toBe(50);
    expect(req.response.toString('hex')).toBe(`0100${rfc.peerChallenge}${'00'.repeat(8)}${rfc.ntResponse}`);
    expect(req.expected.success.subarray(1).toString()).toBe(rfc.authenticatorResponse);
  });

  it('round-trips through the server verifier with random challenges, and checks the success', () => {
    for (const userName of ['alice', 'CORP\\alice', 'ünïcode']) {
      const req = buildMsChapV2Request({ userName, password: 'S3cret pässword' });
      expect(req.challenge.length).toBe(16);
      const r = verifyMsChapV2({ userName, challenge: req.challenge, response: req.response, credential: { ntHash: ntHash('S3cret pässword') } });
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      expect(r.success.equals(req.expected.success)).toBe(true);
      expect(r.sendKey.equals(req.expected.serverSendKey)).toBe(true);
      expect(r.recvKey.equals(req.expected.serverRecvKey)).toBe(true);
      const base = { userName, password: 'S3cret pässword', challenge: req.challenge, response: req.response };
      expect(verifyMsChapV2Success({ ...base, success: r.success })).toBe(true);
      expect(verifyMsChapV2Success({ ...base, success: Buffer.concat([r.success, Buffer.from(' M=Welcome')]) })).toBe(true);
    }
  });

  it('refuses a forged, lower-cased, re-identified or trailing-garbage success', () => {
    const req = buildMsChapV2Request({ userName: 'bob', password: 'hello', ident: 5 });
    const base = { userName: 'bob', password: 'hello', challenge: req.challenge, response: req.response };
    const good = req.expected.success;
    expect(verifyMsChapV2Success({ ...base, success: good })).toBe(true);
    expect(verifyMsChapV2Success({ ...base, password: 'hellO', success: good })).toBe(false);
    const lower = Buffer.concat([good.subarray(0, 1), Buffer.from(good.subarray(1).toString().toLowerCase())]);
    expect(verifyMsChapV2Success({ ...base, success: lower })).toBe(false);
    const otherIdent = Buffer.from(good);
    otherIdent[0] = 6;
    expect(verifyMsChapV2Success({ ...base, success: otherIdent })).toBe(false);
    expect(verifyMsChapV2Success({ ...base, success: Buffer.concat([good, Buffer.from('X')]) })).toBe(false);
    expect(verifyMsChapV2Success({ ...base, success: good.subarray(0, 42) })).toBe(false);
  });

  it('validates fixed sizes', () => {
    expect(() => buildMsChapV2Request({ userName: 'a', password: 'b', authenticatorChallenge: Buffer.alloc(8) })).toThrow(RangeError);
    expect(() => buildMsChapV1Request({ password: 'b', challenge: Buffer.alloc(16) })).toThrow(RangeError);
  });
});

describe('client side of MS-CHAPv1', () => {
  it('builds the 50-byte MS-CHAP-Response with Flags=1 and an empty LM-Response', () => {
    const req = buildMsChapV1Request({ password: 'MyPw', challenge: hex('102db5df085d3041'), ident: 0x11 });
    expect(req.response.toString('hex')).toBe(`1101${'00'.repeat(24)}4e9d3c8f9cfd385d5bf4d3246791956ca4c351ab409a3d61`);
  });

  it('round-trips through the server verifier and checks MS-CHAP-MPPE-Keys', () => {
    const req = buildMsChapV1Request({ password: 'hello' });
    expect(req.challenge.length).toBe(8);
    const r = verifyMsChapV1({ challenge: req.challenge, response: req.response, credential: { cleartext: 'hello' } });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.msChapMppeKeys.equals(req.expected.msChapMppeKeys)).toBe(true);
    expect(verifyMsChapV1MppeKeys({ password: 'hello', msChapMppeKeys: r.msChapMppeKeys })).toBe(true);
    expect(verifyMsChapV1MppeKeys({ password: 'hellO', msChapMppeKeys: r.msChapMppeKeys })).toBe(false);
    const withLm = verifyMsChapV1({ challenge: req.challenge, response: req.response, credential: { cleartext: 'hello' }, includeLmKey: true });
    expect(withLm.ok && withLm.msChapMppeKeys.subarray(0, 8).equals(req.expected.lmKey)).toBe(true);
    if (withLm.ok) expect(verifyMsChapV1MppeKeys({ password: 'hello', msChapMppeKeys: withLm.msChapMppeKeys })).toBe(true);
  });
});
