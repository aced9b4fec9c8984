import { describe, expect, it } from 'vitest';
import {
  getAsymmetricStartKey,
  getMasterKey,
  mppeKeyPlaintext,
  mschapV1MppeKeysPlaintext,
  mschapV2ServerKeys,
  parseMppeKeyPlaintext,
} from '../../../src/radius/auth/mppe.js';
import { verifyMsChapV2 } from '../../../src/radius/auth/mschap.js';
import { hashNtHash, ntHash } from '../../../src/radius/auth/nthash.js';
import { hex, loadVectors } from './vectors.js';

const v = loadVectors<{
  userName: string;
  password: string;
  authenticatorChallenge: string;
  peerChallenge: string;
  ntResponse: string;
  passwordHashHash: string;
  masterKey: string;
  sendStartKey128: string;
  crossCheck: { serverSendKey: string; serverRecvStartKey128: string; msChap2Success: string };
}>('mppe-rfc3079.json');

describe('MPPE keys for MS-CHAPv2 (RFC 3079 section 3.5.3)', () => {
  const master = getMasterKey(hex(v.passwordHashHash), hex(v.ntResponse));

  it('GetMasterKey', () => {
    expect(hashNtHash(ntHash(v.password)).toString('hex')).toBe(v.passwordHashHash);
    expect(master.toString('hex')).toBe(v.masterKey);
  });

  it('SendStartKey128 is the server send key (IsSend, IsServer: Magic3), which is the client receive key', () => {
    expect(getAsymmetricStartKey(master, true, true).toString('hex')).toBe(v.sendStartKey128);
    expect(getAsymmetricStartKey(master, false, false).toString('hex')).toBe(v.sendStartKey128);
  });

  it('the server receive key is the client send key (Magic2), as FreeRADIUS 3.2.1 derives it', () => {
    expect(getAsymmetricStartKey(master, false, true).toString('hex')).toBe(v.crossCheck.serverRecvStartKey128);
    expect(getAsymmetricStartKey(master, true, false).toString('hex')).toBe(v.crossCheck.serverRecvStartKey128);
  });

  it('40/56-bit start keys are the first 8 bytes', () => {
    expect(getAsymmetricStartKey(master, true, true, 8).toString('hex')).toBe(v.sendStartKey128.slice(0, 16));
  });

  it('verifyMsChapV2 returns MS-MPPE-Send-Key = Magic3 key and MS-MPPE-Recv-Key = Magic2 key', () => {
    const response = Buffer.concat([Buffer.of(1, 0), hex(v.peerChallenge), Buffer.alloc(8), hex(v.ntResponse)]);
    const r = verifyMsChapV2({ userName: v.userName, challenge: hex(v.authenticatorChallenge), response, credential: { cleartext: v.password } });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.sendKey.toString('hex')).toBe(v.crossCheck.serverSendKey);
    expect(r.recvKey.toString('hex')).toBe(v.crossCheck.serverRecvStartKey128);
    expect(r.success.toString('hex')).toBe(v.crossCheck.msChap2Success);
    // RFC 2548 2.4.2/2.4.3 plaintext: length byte 16, the key, 15 zero bytes -> 32 bytes; with the
    // 2-byte salt the encrypted attribute value is 34 bytes.
    for (const [plain, key] of [[r.msMppeSendKey, r.sendKey], [r.msMppeRecvKey, r.recvKey]] as const) {
      expect(plain.length).toBe(32);
      expect(plain[0]).toBe(16);
      expect(plain.subarray(1, 17).equals(key)).toBe(true);
      expect(plain.subarray(17).equals(Buffer.alloc(15))).toBe(true);
    }
  });

  it('mschapV2ServerKeys agrees with the step-by-step derivation', () => {
    const keys = mschapV2ServerKeys(hex(v.passwordHashHash), hex(v.ntResponse));
    expect(keys.sendKey.toString('hex')).toBe(v.sendStartKey128);
    expect(keys.recvKey.toString('hex')).toBe(v.crossCheck.serverRecvStartKey128);
  });
});

describe('RFC 2548 key layouts', () => {
  it('mppeKeyPlaintext pads Key-Length + Key to a multiple of 16 and round-trips', () => {
    expect(mppeKeyPlaintext(Buffer.alloc(8, 7)).length).toBe(16);
    expect(mppeKeyPlaintext(Buffer.alloc(15, 7)).length).toBe(16);
    expect(mppeKeyPlaintext(Buffer.alloc(16, 7)).length).toBe(32);
    const key = hex(v.sendStartKey128);
    expect(parseMppeKeyPlaintext(mppeKeyPlaintext(key))?.equals(key)).toBe(true);
    expect(parseMppeKeyPlaintext(Buffer.of(40, 1, 2))).toBeNull();
    expect(() => mppeKeyPlaintext(Buffer.alloc(0))).toThrow(RangeError);
  });

  it('mschapV1MppeKeysPlaintext is LM-Key(8) + NT-Key(16) + padding(8)', () => {
    const lm = hex('fda95fbeca288d44aad3b435b51404ee');
    const nthh = hashNtHash(ntHash('hello'));
    const p = mschapV1MppeKeysPlaintext(lm, nthh);
    expect(p.toString('hex')).toBe(`fda95fbeca288d44${nthh.toString('hex')}${'00'.repeat(8)}`);
    expect(mschapV1MppeKeysPlaintext(null, nthh).subarray(0, 8).equals(Buffer.alloc(8))).toBe(true);
  });
});
