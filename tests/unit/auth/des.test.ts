import { describe, expect, it } from 'vitest';
import { desEncrypt, desEncryptBlock, expandDesKey } from '../../../src/radius/auth/des.js';
import { hex, loadVectors } from './vectors.js';

const v2 = loadVectors<{ desKeyGeneration: { keys: { raw: string; parityCorrected: string }[] } }>('mschapv2-rfc2759.json');
const v1 = loadVectors<{ desKeyGeneration: { raw: string; parityCorrected: string }[] }>('mschapv1-rfc2433.json');

describe('DES for MS-CHAP', () => {
  it.each([...v2.desKeyGeneration.keys, ...v1.desKeyGeneration])(
    'expands $raw to the parity-corrected $parityCorrected (RFC 2759 9.3 / RFC 2433 B.3)',
    ({ raw, parityCorrected }) => {
      expect(expandDesKey(hex(raw)).toString('hex')).toBe(parityCorrected);
    },
  );

  it('is single DES (the DES standard worked example: key 133457799BBCDFF1)', () => {
    expect(desEncryptBlock(hex('0123456789abcdef'), hex('133457799bbcdff1')).toString('hex')).toBe('85e813540f0ab405');
  });

  it('ignores parity bits, as DES does: the 7-byte form equals the expanded form', () => {
    const clear = hex('102db5df085d3041');
    expect(desEncrypt(clear, hex('fc156af7edcd6c')).equals(desEncryptBlock(clear, hex('fd0b5b5e7f6e34d9')))).toBe(true);
    expect(desEncryptBlock(clear, hex('fc0a5a5e7e6e34d8')).equals(desEncryptBlock(clear, hex('fd0b5b5e7f6e34d9')))).toBe(true);
  });

  it('rejects wrong sizes', () => {
    expect(() => expandDesKey(Buffer.alloc(8))).toThrow(RangeError);
    expect(() => desEncrypt(Buffer.alloc(7), Buffer.alloc(7))).toThrow(RangeError);
  });
});
