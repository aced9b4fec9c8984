/**
 * The peer/NAS side of CHAP, MS-CHAPv1 and MS-CHAPv2: builds the attribute values a NAS puts in an
 * Access-Request and checks what the server answers. Used by tests that send the same requests to
 * FreeRADIUS and to Tollgate, and by a future `tollgate test-login` command. Not used by the server.
 */
import { Buffer } from 'node:buffer';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chapResponse } from './chap.js';
import { mschapV1MppeKeysPlaintext, mschapV2ServerKeys } from './mppe.js';
import {
  challengeResponse,
  challengeUserName,
  generateAuthenticatorResponse,
  generateNtResponse,
} from './mschap.js';
import { hashNtHash, lmPasswordHash, ntHash } from './nthash.js';

function pick(given: Uint8Array | undefined, length: number, what: string): Buffer {
  if (given === undefined) return randomBytes(length);
  if (given.length !== length) throw new RangeError(`${what} must be ${length} bytes`);
  return Buffer.from(given);
}

function pickIdent(ident: number | undefined): number {
  return ident === undefined ? randomBytes(1)[0]! : ident & 0xff;
}

// ---------------------------------------------------------------------------------------------
// CHAP
// ---------------------------------------------------------------------------------------------

export interface ChapRequest {
  /** CHAP-Password value: ident + MD5 response (17 bytes). */
  chapPassword: Buffer;
  /** CHAP-Challenge value (16 bytes). A NAS may instead use the Request Authenticator. */
  chapChallenge: Buffer;
}

export function buildChapRequest(opts: { password: string; challenge?: Uint8Array; ident?: number }): ChapRequest {
  const ident = pickIdent(opts.ident);
  const chapChallenge = pick(opts.challenge, 16, 'CHAP challenge');
  return {
    chapPassword: Buffer.concat([Buffer.of(ident), chapResponse(ident, opts.password, chapChallenge)]),
    chapChallenge,
  };
}

// ---------------------------------------------------------------------------------------------
// MS-CHAPv2
// ---------------------------------------------------------------------------------------------

export interface MsChapV2RequestOptions {
  /** The name as the peer types it; a `DOMAIN\` prefix is left out of the hash as RFC 2759 says. */
  userName: string;
  password: string;
  /** The NAS's 16-byte challenge; random when omitted. */
  authenticatorChallenge?: Uint8Array;
  /** The peer's 16-byte challenge; random when omitted. */
  peerChallenge?: Uint8Array;
  ident?: number;
}

export interface MsChapV2Request {
  /** MS-CHAP-Challenge value (16 bytes). */
  challenge: Buffer;
  /** MS-CHAP2-Response value (50 bytes): Ident, Flags=0, Peer-Challenge, Reserved=0, NT-Response. */
  response: Buffer;
  /** What a correct server answers, for tests: MS-CHAP2-Success value and its raw MPPE keys. */
  expected: { success: Buffer; serverSendKey: Buffer; serverRecvKey: Buffer };
}

export function buildMsChapV2Request(opts: MsChapV2RequestOptions): MsChapV2Request {
  const ident = pickIdent(opts.ident);
  const challenge = pick(opts.authenticatorChallenge, 16, 'authenticator challenge');
  const peerChallenge = pick(opts.peerChallenge, 16, 'peer challenge');
  const name = challengeUserName(opts.userName);
  const nt = ntHash(opts.password);
  const ntResponse = generateNtResponse(challenge, peerChallenge, name, nt);

  const response = Buffer.alloc(50);
  response[0] = ident;
  response[1] = 0;
  response.set(peerChallenge, 2);
  response.set(ntResponse, 26);

  const auth = generateAuthenticatorResponse(nt, ntResponse, peerChallenge, challenge, name);
  const keys = mschapV2ServerKeys(hashNtHash(nt), ntResponse);
  return {
    challenge,
    response,
    expected: {
      success: Buffer.concat([Buffer.of(ident), Buffer.from(auth, 'latin1')]),
      serverSendKey: keys.sendKey,
      serverRecvKey: keys.recvKey,
    },
  };
}

/**
 * The peer's check of the server (RFC 2759 section 8.8 CheckAuthenticatorResponse): the
 * MS-CHAP2-Success value must be our ident followed by exactly the expected "S=" string (a trailing
 * " M=..." message, which some servers add, is allowed).
 */
export function verifyMsChapV2Success(opts: {
  userName: string;
  password: string;
  challenge: Uint8Array;
  response: Uint8Array;
  success: Uint8Array;
}): boolean {
  const { response, success } = opts;
  if (response.length !== 50 || success.length < 43 || success[0] !== response[0]) return false;
  const peerChallenge = response.subarray(2, 18);
  const ntResponse = response.subarray(26, 50);
  const want = Buffer.from(
    generateAuthenticatorResponse(ntHash(opts.password), ntResponse, peerChallenge, opts.challenge, challengeUserName(opts.userName)),
    'latin1',
  );
  const got = success.subarray(1, 43);
  const rest = success.subarray(43);
  if (rest.length > 0 && !Buffer.from(rest).toString('latin1').startsWith(' M=')) return false;
  // The hex must be uppercase (RFC 2759 section 5), so a byte comparison is the right one.
  return timingSafeEqual(want, got);
}

// ---------------------------------------------------------------------------------------------
// MS-CHAPv1
// ---------------------------------------------------------------------------------------------

export interface MsChapV1RequestOptions {
  password: string;
  /** The NAS's 8-byte challenge; random when omitted. */
  challenge?: Uint8Array;
  ident?: number;
}

export interface MsChapV1Request {
  /** MS-CHAP-Challenge value (8 bytes). */
  challenge: Buffer;
  /** MS-CHAP-Response value (50 bytes): Ident, Flags=1, LM-Response=0, NT-Response. */
  response: Buffer;
  /**
   * What a correct server answers: the MS-CHAP-MPPE-Keys plaintext (32 bytes, before encrypt=1),
   * with a zero LM-Key as Tollgate and FreeRADIUS send by default, and the LM-Key for servers that
   * include it.
   */
  expected: { msChapMppeKeys: Buffer; lmKey: Buffer };
}

/** MS-CHAPv1 has no server authenticator; `expected` lets a test check the MPPE keys instead. */
export function buildMsChapV1Request(opts: MsChapV1RequestOptions): MsChapV1Request {
  const ident = pickIdent(opts.ident);
  const challenge = pick(opts.challenge, 8, 'MS-CHAPv1 challenge');
  const nt = ntHash(opts.password);
  const response = Buffer.alloc(50);
  response[0] = ident;
  // Flags = 1: use the NT-Response; the LM-Response stays zero (RFC 2433 allows an empty LM field).
  response[1] = 1;
  response.set(challengeResponse(challenge, nt), 26);
  return {
    challenge,
    response,
    expected: {
      msChapMppeKeys: mschapV1MppeKeysPlaintext(null, hashNtHash(nt)),
      lmKey: lmPasswordHash(opts.password).subarray(0, 8),
    },
  };
}

/**
 * MS-CHAPv1 has no mutual authentication; the only thing a client can check in an Access-Accept is
 * the decrypted MS-CHAP-MPPE-Keys: NT-Key (bytes 8..24) must be HashNtPasswordHash, and LM-Key
 * (bytes 0..8) either zero or the LM hash's first 8 bytes.
 */
export function verifyMsChapV1MppeKeys(opts: { password: string; msChapMppeKeys: Uint8Array }): boolean {
  const keys = opts.msChapMppeKeys;
  if (keys.length < 24) return false;
  const lmKey = keys.subarray(0, 8);
  const lmOk = lmKey.every((b) => b === 0) || timingSafeEqual(lmKey, lmPasswordHash(opts.password).subarray(0, 8));
  return lmOk && timingSafeEqual(keys.subarray(8, 24), hashNtHash(ntHash(opts.password)));
}
