/**
 * CHAP with MD5 (RFC 1994 section 4.1) as carried by RADIUS (RFC 2865 section 2.2 and 5.3):
 * CHAP-Password = CHAP Ident (1 byte) + Response (16 bytes), where
 * Response = MD5(Ident + secret + challenge), and the challenge is CHAP-Challenge if the NAS sent
 * one, otherwise the Request Authenticator.
 *
 * CHAP needs the cleartext password; an NT hash cannot verify it.
 */
import { Buffer } from 'node:buffer';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Credential } from './nthash.js';

export const CHAP_PASSWORD_LENGTH = 17;

/** Why a verification failed; meant for counters and debug logs, never for the reply. */
export type AuthFailureReason = 'malformed' | 'no-credential' | 'mismatch';

export type ChapResult = { ok: true } | { ok: false; reason: AuthFailureReason };

/**
 * The 16-byte CHAP response: MD5(ident || password || challenge). The password is taken as UTF-8,
 * the bytes a NAS or FreeRADIUS would use for a non-ASCII secret.
 */
export function chapResponse(ident: number, password: string | Uint8Array, challenge: Uint8Array): Buffer {
  return createHash('md5')
    .update(Buffer.of(ident & 0xff))
    .update(typeof password === 'string' ? Buffer.from(password, 'utf8') : password)
    .update(challenge)
    .digest();
}

export interface VerifyChapInput {
  /** The CHAP-Password attribute value: ident byte + 16-byte response. */
  chapPassword: Uint8Array;
  /** The CHAP-Challenge attribute value, if the request had one (any length >= 1). */
  chapChallenge?: Uint8Array | undefined;
  /** The Access-Request's Request Authenticator, the challenge when CHAP-Challenge is absent. */
  requestAuthenticator: Uint8Array;
  credential: Credential;
}

export function verifyChap(input: VerifyChapInput): ChapResult {
  const { chapPassword, chapChallenge, requestAuthenticator, credential } = input;
  if (chapPassword.length !== CHAP_PASSWORD_LENGTH) return { ok: false, reason: 'malformed' };
  if (chapChallenge !== undefined && chapChallenge.length === 0) return { ok: false, reason: 'malformed' };
  if (chapChallenge === undefined && requestAuthenticator.length !== 16) return { ok: false, reason: 'malformed' };
  if (credential.cleartext === undefined) return { ok: false, reason: 'no-credential' };

  const expected = chapResponse(chapPassword[0]!, credential.cleartext, chapChallenge ?? requestAuthenticator);
  return timingSafeEqual(expected, chapPassword.subarray(1)) ? { ok: true } : { ok: false, reason: 'mismatch' };
}
