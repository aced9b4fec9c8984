import { describe, expect, it } from 'vitest';
import {
  challengeHash,
  challengeUserName,
  generateAuthenticatorResponse,
  generateNtResponse,
  msChapV2ErrorValue,
  verifyMsChapV2,
} from '../../../src/radius/auth/mschap.js';
import { ntHash } from '../../../src/radius/auth/nthash.js';
import { hex, loadVectors } from './vectors.js';

interface Rfc2759 {
  hashExample: {
    userName: string;
    userNameHex: string;
    password: string;
    passwordUnicodeHex: string;
    authenticatorChallenge: string;
    peerChallenge: string;
    challenge: string;
    passwordHash: string;
    ntResponse: string;
    passwordHashHash: string;
    authenticatorResponse: string;
  };
}
const v = loadVectors<Rfc2759>('mschapv2-rfc2759.json').hashExample;
const ac = hex(v.authenticatorChallenge);
const pc = hex(v.peerChallenge);
const user = hex(v.userNameHex);

/** An MS-CHAP2-Response attribute value (RFC 2548 2.3.2) around the RFC's NT-Response. */
function rfcResponse(ident = 0x01): Buffer {
  return Buffer.concat([Buffer.of(ident, 0), pc, Buffer.alloc(8), hex(v.ntResponse)]);
}

describe('MS-CHAPv2 (RFC 2759 section 9.2 hash example)', () => {
  it('encodes the password as the RFC shows', () => {
    expect(Buffer.from(v.password, 'utf16le').toString('hex')).toBe(v.passwordUnicodeHex);
    expect(Buffer.from(v.userName).equals(user)).toBe(true);
  });

  it('ChallengeHash', () => {
    expect(challengeHash(pc, ac, user).toString('hex')).toBe(v.challenge);
  });

  it('GenerateNTResponse', () => {
    expect(generateNtResponse(ac, pc, user, hex(v.passwordHash)).toString('hex')).toBe(v.ntResponse);
  });

  it('GenerateAuthenticatorResponse', () => {
    expect(generateAuthenticatorResponse(hex(v.passwordHash), hex(v.ntResponse), pc, ac, user)).toBe(v.authenticatorResponse);
  });

  it('verifyMsChapV2 accepts the RFC response with a cleartext or an NT hash credential', () => {
    for (const credential of [{ cleartext: v.password }, { ntHash: hex(v.passwordHash) }]) {
      const r = verifyMsChapV2({ userName: v.userName, challenge: ac, response: rfcResponse(0x2a), credential });
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      // MS-CHAP2-Success: Ident + "S=<40 hex>" (RFC 2548 2.3.3).
      expect(r.success[0]).toBe(0x2a);
      expect(r.success.subarray(1).toString('latin1')).toBe(v.authenticatorResponse);
      expect(r.success.length).toBe(43);
    }
  });
});

describe('verifyMsChapV2 failures', () => {
  const errorChallenge = hex('000102030405060708090a0b0c0d0e0f');

  it('rejects a wrong password with MS-CHAP-Error "E=691 R=1 C=... V=3 M=..." and the response ident', () => {
    const r = verifyMsChapV2({
      userName: v.userName,
      challenge: ac,
      response: rfcResponse(0x33),
      credential: { cleartext: 'clientpass' },
      errorOptions: { challenge: errorChallenge },
    });
    expect(r).toMatchObject({ ok: false, reason: 'mismatch' });
    if (r.ok) return;
    expect(r.error[0]).toBe(0x33);
    expect(r.error.subarray(1).toString()).toBe('E=691 R=1 C=000102030405060708090a0b0c0d0e0f V=3 M=Authentication rejected');
  });

  it('rejects when the user name differs (it is part of the hash)', () => {
    const r = verifyMsChapV2({ userName: 'user', challenge: ac, response: rfcResponse(), credential: { cleartext: v.password } });
    expect(r).toMatchObject({ ok: false, reason: 'mismatch' });
  });

  it('rejects a changed challenge, peer challenge or NT-Response byte', () => {
    const flips: [string, (resp: Buffer, chal: Buffer) => void][] = [
      ['challenge', (_r, c) => void (c[0]! ^= 1)],
      ['peer challenge', (r) => void (r[2]! ^= 1)],
      ['NT-Response', (r) => void (r[49]! ^= 0x80)],
    ];
    for (const [, flip] of flips) {
      const resp = rfcResponse();
      const chal = Buffer.from(ac);
      flip(resp, chal);
      expect(verifyMsChapV2({ userName: v.userName, challenge: chal, response: resp, credential: { cleartext: v.password } }).ok).toBe(false);
    }
  });

  it('reports malformed sizes and a missing credential, still with an MS-CHAP-Error', () => {
    const short = verifyMsChapV2({ userName: 'u', challenge: ac, response: rfcResponse().subarray(0, 49), credential: { cleartext: 'x' } });
    expect(short).toMatchObject({ ok: false, reason: 'malformed' });
    const badChal = verifyMsChapV2({ userName: 'u', challenge: ac.subarray(0, 8), response: rfcResponse(), credential: { cleartext: 'x' } });
    expect(badChal).toMatchObject({ ok: false, reason: 'malformed' });
    const none = verifyMsChapV2({ userName: v.userName, challenge: ac, response: rfcResponse(), credential: {} });
    expect(none).toMatchObject({ ok: false, reason: 'no-credential' });
    const badHash = verifyMsChapV2({ userName: v.userName, challenge: ac, response: rfcResponse(), credential: { ntHash: Buffer.alloc(8) } });
    expect(badHash).toMatchObject({ ok: false, reason: 'no-credential' });
    if (!none.ok) expect(none.error.subarray(1).toString()).toMatch(/^E=691 R=1 C=[0-9a-f]{32} V=3 M=Authentication rejected$/);
  });
});

describe('user names with a Windows domain (RFC 2759 section 4)', () => {
  it('drops everything up to the first backslash, like FreeRADIUS with_ntdomain_hack', () => {
    expect(challengeUserName('BIGCO\\johndoe').toString()).toBe('johndoe');
    expect(challengeUserName('johndoe').toString()).toBe('johndoe');
    expect(challengeUserName('A\\B\\c').toString()).toBe('B\\c');
    expect(challengeUserName('john@realm').toString()).toBe('john@realm');
  });

  it('verifies "DOMAIN\\User" against a response computed for "User"', () => {
    const r = verifyMsChapV2({ userName: 'BIGCO\\User', challenge: ac, response: rfcResponse(), credential: { ntHash: ntHash(v.password) } });
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.success.subarray(1).toString()).toBe(v.authenticatorResponse);
  });
});

describe('msChapV2ErrorValue', () => {
  it('formats code, retry and message, and keeps the message on one line', () => {
    const e = msChapV2ErrorValue({ ident: 0x107, code: 647, retry: false, challenge: Buffer.alloc(16, 0xab), message: 'Account\r\ndisabled' });
    expect(e[0]).toBe(0x07);
    expect(e.subarray(1).toString()).toBe(`E=647 R=0 C=${'ab'.repeat(16)} V=3 M=Account  disabled`);
  });

  it('uses a fresh random challenge each time when none is given', () => {
    const a = msChapV2ErrorValue({ ident: 1 }).toString();
    const b = msChapV2ErrorValue({ ident: 1 }).toString();
    expect(a).not.toBe(b);
  });
});
