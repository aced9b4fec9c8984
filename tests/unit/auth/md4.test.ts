import { describe, expect, it } from 'vitest';
import { md4 } from '../../../src/radius/auth/md4.js';
import { loadVectors } from './vectors.js';

const { vectors } = loadVectors<{ vectors: { input: string; md4: string }[] }>('md4-rfc1320.json');

describe('md4 (RFC 1320 appendix A.5)', () => {
  it.each(vectors)('MD4("$input")', ({ input, md4: want }) => {
    expect(md4(Buffer.from(input, 'latin1')).toString('hex')).toBe(want);
  });

  // External oracle for lengths around MD4's padding boundaries: FreeRADIUS's smbencrypt NT hashes
  // (MD4 of UTF-16LE) of passwords whose encodings are 54..120 bytes long.
  const { lengthVectors } = loadVectors<{ lengthVectors: { vectors: { password: string; ntHash: string }[] } }>(
    'ms-hashes-smbencrypt.json',
  );
  it.each(lengthVectors.vectors)('MD4 of a $password.length-character UTF-16LE password', ({ password, ntHash }) => {
    expect(md4(Buffer.from(password, 'utf16le')).toString('hex')).toBe(ntHash);
  });

  it('hashes a subarray view the same as a copy (no reliance on byteOffset 0)', () => {
    const data = Buffer.alloc(70, 0x61);
    expect(md4(data.subarray(5)).equals(md4(Buffer.alloc(65, 0x61)))).toBe(true);
  });
});
