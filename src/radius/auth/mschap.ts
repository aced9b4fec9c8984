/**
 * MS-CHAPv1 (RFC 2433) and MS-CHAPv2 (RFC 2759) verification as a RADIUS server does it, with the
 * attribute layouts of RFC 2548 (Microsoft vendor-specific attributes, vendor 311):
 *
 *   MS-CHAP-Challenge (11)   v1: 8 bytes, v2: 16 bytes (the authenticator challenge)
 *   MS-CHAP-Response  (1)    50 bytes: Ident, Flags, LM-Response[24], NT-Response[24]
 *                            (the PPP Response value is 49 bytes, LM + NT + Flags; RADIUS moves
 *                            Flags to the front and adds the Ident)
 *   MS-CHAP2-Response (25)   50 bytes: Ident, Flags, Peer-Challenge[16], Reserved[8], NT-Response[24]
 *   MS-CHAP2-Success  (26)   Ident + "S=" + 40 uppercase hex digits
 *   MS-CHAP-Error     (2)    Ident + "E=691 R=1 C=<hex> V=3 M=<text>" (v2) or "E=691 R=1 C=<hex> V=2" (v1)
 *
 * A credential is the cleartext or the 16-byte NT hash; everything here works from the NT hash.
 *
 * User name and domains: RFC 2759 section 4 says the NT-Response uses "only the user name ...
 * without any associated Windows NT domain name", even when the peer sent "BIGCO\johndoe".
 * `challengeUserName` drops everything up to and including the first backslash, the same as
 * FreeRADIUS rlm_mschap with `with_ntdomain_hack` (its default), which uses the MS-CHAP-User-Name
 * attribute when the NAS sends one and the User-Name otherwise. The caller passes that name; the
 * subscriber lookup is the caller's business (it may want the stripped name too).
 */
import { Buffer } from 'node:buffer';
import { hash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AuthFailureReason } from './chap.js';
import { desEncrypt } from './des.js';
import { mppeKeyPlaintext, mschapV1MppeKeysPlaintext, mschapV2ServerKeys } from './mppe.js';
import { type Credential, credentialNtHash, hashNtHash, lmPasswordHash } from './nthash.js';

export const MSCHAP_RESPONSE_LENGTH = 50;
export const MSCHAP_V1_CHALLENGE_LENGTH = 8;
export const MSCHAP_V2_CHALLENGE_LENGTH = 16;

/** Error 691 is ERROR_AUTHENTICATION_FAILURE (RFC 2759 section 6). */
export const MSCHAP_ERROR_AUTHENTICATION_FAILURE = 691;

export type MsChapFailureReason = AuthFailureReason | 'unsupported';

// RFC 2759 section 8.7 constants.
const AUTH_MAGIC1 = Buffer.from('Magic server to client signing constant', 'latin1');
const AUTH_MAGIC2 = Buffer.from('Pad to make it do more than one iteration', 'latin1');

function toBytes(s: string | Uint8Array): Buffer {
  return typeof s === 'string' ? Buffer.from(s, 'utf8') : Buffer.from(s);
}

/** The user name that enters ChallengeHash: without a leading `DOMAIN\` part (see module comment). */
export function challengeUserName(userName: string | Uint8Array): Buffer {
  const raw = toBytes(userName);
  const bs = raw.indexOf(0x5c);
  return bs === -1 ? raw : raw.subarray(bs + 1);
}

/** ChallengeHash (RFC 2759 section 8.2). `userName` is used as given: strip the domain first. */
export function challengeHash(peerChallenge: Uint8Array, authenticatorChallenge: Uint8Array, userName: Uint8Array): Buffer {
  if (peerChallenge.length !== 16 || authenticatorChallenge.length !== 16) {
    throw new RangeError('MS-CHAPv2 challenges must be 16 bytes');
  }
  // One-shot hashes: these run per MS-CHAPv2 login, where a Hash object costs more than the hashing.
  return hash('sha1', Buffer.concat([peerChallenge, authenticatorChallenge, userName]), 'buffer').subarray(0, 8);
}

/** ChallengeResponse (RFC 2759 section 8.5, RFC 2433 NtChallengeResponse): 3 DES blocks, 24 bytes. */
export function challengeResponse(challenge: Uint8Array, ntPasswordHash: Uint8Array): Buffer {
  if (challenge.length !== 8) throw new RangeError('challenge must be 8 bytes');
  if (ntPasswordHash.length !== 16) throw new RangeError('NT hash must be 16 bytes');
  const z = Buffer.alloc(21);
  z.set(ntPasswordHash);
  return Buffer.concat([
    desEncrypt(challenge, z.subarray(0, 7)),
    desEncrypt(challenge, z.subarray(7, 14)),
    desEncrypt(challenge, z.subarray(14, 21)),
  ]);
}

/** GenerateNTResponse (RFC 2759 section 8.1), from the NT hash. `userName` without domain. */
export function generateNtResponse(
  authenticatorChallenge: Uint8Array,
  peerChallenge: Uint8Array,
  userName: Uint8Array,
  ntPasswordHash: Uint8Array,
): Buffer {
  return challengeResponse(challengeHash(peerChallenge, authenticatorChallenge, userName), ntPasswordHash);
}

/**
 * GenerateAuthenticatorResponse (RFC 2759 section 8.7), from the NT hash: "S=" + 40 uppercase hex
 * digits (42 ASCII characters). `userName` without domain.
 */
export function generateAuthenticatorResponse(
  ntPasswordHash: Uint8Array,
  ntResponse: Uint8Array,
  peerChallenge: Uint8Array,
  authenticatorChallenge: Uint8Array,
  userName: Uint8Array,
): string {
  const digest = hash('sha1', Buffer.concat([hashNtHash(ntPasswordHash), ntResponse, AUTH_MAGIC1]), 'buffer');
  const challenge = challengeHash(peerChallenge, authenticatorChallenge, userName);
  const final = hash('sha1', Buffer.concat([digest, challenge, AUTH_MAGIC2]), 'buffer');
  return `S=${final.toString('hex').toUpperCase()}`;
}

export interface MsChapErrorOptions {
  ident: number;
  /** Decimal error code; 691 (authentication failure) unless the caller knows better (646..649). */
  code?: number;
  /** R=1 lets the peer retry with new credentials; FreeRADIUS's `allow_retry` defaults to yes. */
  retry?: boolean;
  /** The challenge announced in C=; random when omitted (16 bytes for v2, 8 for v1). */
  challenge?: Uint8Array;
  /** Human-readable text after M= (v2 only); FreeRADIUS's "Authentication rejected" by default. */
  message?: string;
}

/**
 * MS-CHAP-Error value for an MS-CHAPv2 reject (RFC 2759 section 6, RFC 2548 section 2.1.5):
 * Ident byte + "E=691 R=1 C=<32 hex> V=3 M=<message>". This is byte for byte the shape FreeRADIUS
 * 3.2.1 sends (seen on the wire: "E=691 R=1 C=c7626959602e28e7568687bfb54d7cc5 V=3 M=Authentication
 * rejected"), lowercase C included: RFC 2759 only demands uppercase for S=, and FreeRADIUS's lowercase
 * C= is what deployed peers already accept.
 */
export function msChapV2ErrorValue(opts: MsChapErrorOptions): Buffer {
  const challenge = opts.challenge ?? randomBytes(16);
  if (challenge.length !== 16) throw new RangeError('MS-CHAPv2 error challenge must be 16 bytes');
  const message = (opts.message ?? 'Authentication rejected').replace(/[\r\n]/g, ' ');
  const text =
    `E=${opts.code ?? MSCHAP_ERROR_AUTHENTICATION_FAILURE} R=${opts.retry === false ? 0 : 1} ` +
    `C=${Buffer.from(challenge).toString('hex')} V=3 M=${message}`;
  return Buffer.concat([Buffer.of(opts.ident & 0xff), Buffer.from(text, 'utf8')]);
}

/**
 * MS-CHAP-Error value for an MS-CHAPv1 reject (RFC 2433 section 6): Ident byte +
 * "E=691 R=1 C=<16 hex> V=2", as FreeRADIUS 3.2.1 sends it (seen: "E=691 R=1 C=2e8eab8615ff6e7e V=2").
 * V=2 only matters with E=648 (password expired), which we never send.
 */
export function msChapV1ErrorValue(opts: Omit<MsChapErrorOptions, 'message'>): Buffer {
  const challenge = opts.challenge ?? randomBytes(8);
  if (challenge.length !== 8) throw new RangeError('MS-CHAPv1 error challenge must be 8 bytes');
  const text =
    `E=${opts.code ?? MSCHAP_ERROR_AUTHENTICATION_FAILURE} R=${opts.retry === false ? 0 : 1} ` +
    `C=${Buffer.from(challenge).toString('hex')} V=2`;
  return Buffer.concat([Buffer.of(opts.ident & 0xff), Buffer.from(text, 'latin1')]);
}

// ---------------------------------------------------------------------------------------------
// MS-CHAPv2
// ---------------------------------------------------------------------------------------------

export interface VerifyMsChapV2Input {
  /** MS-CHAP-User-Name if the NAS sent it, else User-Name; a `DOMAIN\` prefix is dropped here. */
  userName: string | Uint8Array;
  /** MS-CHAP-Challenge value (16 bytes). */
  challenge: Uint8Array;
  /** MS-CHAP2-Response value (50 bytes). */
  response: Uint8Array;
  credential: Credential;
  /** Passed to the MS-CHAP-Error builder on failure (tests fix the challenge; retry policy). */
  errorOptions?: Omit<MsChapErrorOptions, 'ident'>;
}

export type MsChapV2Result =
  | {
      ok: true;
      /** MS-CHAP2-Success value: Ident + "S=<40 hex>". */
      success: Buffer;
      /** 16-byte server send key (Magic3), raw. */
      sendKey: Buffer;
      /** 16-byte server receive key (Magic2), raw. */
      recvKey: Buffer;
      /** RFC 2548 plaintext for MS-MPPE-Send-Key (32 bytes): give to the codec's salt encryption. */
      msMppeSendKey: Buffer;
      /** RFC 2548 plaintext for MS-MPPE-Recv-Key (32 bytes): give to the codec's salt encryption. */
      msMppeRecvKey: Buffer;
    }
  | { ok: false; reason: MsChapFailureReason; /** MS-CHAP-Error value. */ error: Buffer };

export function verifyMsChapV2(input: VerifyMsChapV2Input): MsChapV2Result {
  const { challenge, response, credential } = input;
  const ident = response[0] ?? 0;
  const fail = (reason: MsChapFailureReason): MsChapV2Result => ({
    ok: false,
    reason,
    error: msChapV2ErrorValue({ ...input.errorOptions, ident }),
  });

  if (challenge.length !== MSCHAP_V2_CHALLENGE_LENGTH || response.length !== MSCHAP_RESPONSE_LENGTH) {
    return fail('malformed');
  }
  const nt = credentialNtHash(credential);
  if (nt === null) return fail('no-credential');

  // Flags (byte 1) and Reserved (bytes 18..25) must be zero per RFC 2548 2.3.2 but carry no meaning;
  // like FreeRADIUS we do not reject on them.
  const peerChallenge = response.subarray(2, 18);
  const ntResponse = response.subarray(26, 50);
  const name = challengeUserName(input.userName);

  const expected = generateNtResponse(challenge, peerChallenge, name, nt);
  if (!timingSafeEqual(expected, ntResponse)) return fail('mismatch');

  const authResponse = generateAuthenticatorResponse(nt, ntResponse, peerChallenge, challenge, name);
  const keys = mschapV2ServerKeys(hashNtHash(nt), ntResponse);
  return {
    ok: true,
    success: Buffer.concat([Buffer.of(ident), Buffer.from(authResponse, 'latin1')]),
    sendKey: keys.sendKey,
    recvKey: keys.recvKey,
    msMppeSendKey: mppeKeyPlaintext(keys.sendKey),
    msMppeRecvKey: mppeKeyPlaintext(keys.recvKey),
  };
}

// ---------------------------------------------------------------------------------------------
// MS-CHAPv1
// ---------------------------------------------------------------------------------------------

export interface VerifyMsChapV1Input {
  /** MS-CHAP-Challenge value (8 bytes). */
  challenge: Uint8Array;
  /** MS-CHAP-Response value (50 bytes). */
  response: Uint8Array;
  credential: Credential;
  /**
   * Put the LM-Key (first 8 bytes of the LM hash; needs the cleartext) in MS-CHAP-MPPE-Keys, as RFC
   * 2548 describes. Off by default, like FreeRADIUS 3.2.1, which sends zeros there: those 8 bytes
   * reveal the upper-cased first 7 password characters to anyone who can crack an LM half (seconds),
   * and they only serve 40/56-bit MPPE, which is broken anyway. 128-bit MPPE uses the NT-Key.
   */
  includeLmKey?: boolean;
  errorOptions?: Omit<MsChapErrorOptions, 'ident' | 'message'>;
}

export type MsChapV1Result =
  | {
      ok: true;
      /**
       * RFC 2548 2.4.1 plaintext for MS-CHAP-MPPE-Keys (32 bytes): LM-Key (zeros unless
       * `includeLmKey` and a cleartext) + NT-Key + padding. The codec encrypts it like User-Password
       * (encrypt=1). FreeRADIUS sends only the first 24 bytes and lets the encryption pad to 32,
       * which puts the same zeros on the wire.
       */
      msChapMppeKeys: Buffer;
    }
  | { ok: false; reason: MsChapFailureReason; /** MS-CHAP-Error value. */ error: Buffer };

/**
 * MS-CHAPv1: the NT-Response must equal ChallengeResponse(challenge, NtPasswordHash). Only the NT
 * response is supported (Flags bit 0 set): LM responses are crackable and no current peer needs them.
 * The user name does not enter the v1 computation.
 */
export function verifyMsChapV1(input: VerifyMsChapV1Input): MsChapV1Result {
  const { challenge, response, credential } = input;
  const ident = response[0] ?? 0;
  const fail = (reason: MsChapFailureReason): MsChapV1Result => ({
    ok: false,
    reason,
    error: msChapV1ErrorValue({ ...input.errorOptions, ident }),
  });

  if (challenge.length !== MSCHAP_V1_CHALLENGE_LENGTH || response.length !== MSCHAP_RESPONSE_LENGTH) {
    return fail('malformed');
  }
  if ((response[1]! & 0x01) === 0) return fail('unsupported');
  const nt = credentialNtHash(credential);
  if (nt === null) return fail('no-credential');

  const expected = challengeResponse(challenge, nt);
  if (!timingSafeEqual(expected, response.subarray(26, 50))) return fail('mismatch');

  // The LM hash can only come from the cleartext; with a stored NT hash the LM-Key stays zero.
  const lm = input.includeLmKey === true && credential.cleartext !== undefined ? lmPasswordHash(credential.cleartext) : null;
  return { ok: true, msChapMppeKeys: mschapV1MppeKeysPlaintext(lm, hashNtHash(nt)) };
}
