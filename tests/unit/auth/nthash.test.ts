import { describe, expect, it } from 'vitest';
import { credentialNtHash, hashNtHash, lmPasswordHash, ntHash } from '../../../src/radius/auth/nthash.js';
import { hex, loadVectors } from './vectors.js';

const smb = loadVectors<{ vectors: { password: string; lmHash: string; ntHash: string }[] }>('ms-hashes-smbencrypt.json');
const rfc2759 = loadVectors<{ hashExample: { password: string; passwordHash: string; passwordHashHash: string } }>(
  'mschapv2-rfc2759.json',
);
const rfc2433 = loadVectors<{ hashExample: { password: string; ntPasswordHash: string } }>('mschapv1-rfc2433.json');

describe('NT and LM password hashes', () => {
  it('ntHash matches RFC 2759 9.2 and RFC 2433 B.2', () => {
    expect(ntHash(rfc2759.hashExample.password).toString('hex')).toBe(rfc2759.hashExample.passwordHash);
    expect(ntHash(rfc2433.hashExample.password).toString('hex')).toBe(rfc2433.hashExample.ntPasswordHash);
  });

  it('hashNtHash matches RFC 2759 9.2 PasswordHashHash', () => {
    expect(hashNtHash(hex(rfc2759.hashExample.passwordHash)).toString('hex')).toBe(rfc2759.hashExample.passwordHashHash);
  });

  it.each(smb.vectors)('matches FreeRADIUS smbencrypt for "$password"', ({ password, lmHash, ntHash: nt }) => {
    expect(ntHash(password).toString('hex')).toBe(nt);
    expect(lmPasswordHash(password).toString('hex')).toBe(lmHash);
  });

  it('hashes non-ASCII passwords as UTF-16LE', () => {
    // "é" is U+00E9: UTF-16LE e9 00; the hash must differ from the Latin-1 single byte reading.
    expect(ntHash('é').equals(ntHash('\u00e9'))).toBe(true);
    expect(ntHash('é').equals(ntHash('e'))).toBe(false);
  });

  it('credentialNtHash prefers a stored NT hash and refuses malformed ones', () => {
    const stored = ntHash('other');
    expect(credentialNtHash({ cleartext: 'hello', ntHash: stored })).toBe(stored);
    expect(credentialNtHash({ cleartext: 'hello' })?.toString('hex')).toBe('066ddfd4ef0e9cd7c256fe77191ef43c');
    expect(credentialNtHash({ ntHash: Buffer.alloc(15) })).toBeNull();
    expect(credentialNtHash({})).toBeNull();
  });
});
