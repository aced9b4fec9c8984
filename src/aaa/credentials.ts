/**
 * Checking the credentials of an Access-Request against a stored password: PAP, CHAP, MS-CHAP and
 * MS-CHAPv2, in that order of preference, the first one the request carries. MS-CHAP answers carry
 * their own reply attributes (MS-CHAP2-Success and MPPE keys on success, MS-CHAP-Error on failure).
 */
import type { AuthMethod } from './decide.js';
import { ntHash, verifyChap, verifyMsChapV1, verifyMsChapV2 } from '../radius/auth/index.js';
import { get, getDecrypted, has, safeEqual, type AttributeInput, type Packet } from '../radius/codec/index.js';
import { A, V } from '../radius/dict/attrs.js';

/** A password as logins check it: a cached service's (service-cache.ts), or a voucher code's own. */
export interface StoredPassword {
  readonly cleartext: string;
  /** A redeemed hotspot voucher logs in by its code alone, password empty. */
  readonly acceptsEmptyPassword: boolean;
  /** For MS-CHAP only. */
  readonly ntHash: Buffer;
}

/** A password known in clear and nothing else: a voucher code proving itself at its first login. */
export class PlainPassword implements StoredPassword {
  readonly acceptsEmptyPassword = false;
  constructor(readonly cleartext: string) {}

  get ntHash(): Buffer {
    return ntHash(this.cleartext);
  }
}

const NONE: readonly AttributeInput[] = Object.freeze([]);

/** What the credentials of a request proved. */
export class CredentialCheck {
  constructor(
    /** 'none': the request carries no credentials of a method we support. */
    readonly method: AuthMethod | 'none',
    readonly ok: boolean,
    /** The method's reply attributes: for an Accept when `ok`, for a Reject otherwise. */
    readonly attributes: readonly AttributeInput[],
  ) {}
}

const NO_METHOD = new CredentialCheck('none', false, NONE);

/** Whether the request's PAP password is empty or absent (a voucher's code alone). */
export function emptyPapPassword(request: Packet, secret: Buffer): boolean {
  return has(request, A.UserPassword) && (getDecrypted(request, A.UserPassword, secret) ?? '') === '';
}

/**
 * Checks the request's credentials against `stored` (undefined: an unknown user, whose check fails
 * but still reports the method, for the auth log). `secret` is the NAS's shared secret.
 */
export function checkCredentials(request: Packet, secret: Buffer, username: string, stored: StoredPassword | undefined): CredentialCheck {
  if (has(request, A.UserPassword)) {
    const given = getDecrypted(request, A.UserPassword, secret);
    const ok = stored !== undefined && given !== undefined
      && (safeEqual(Buffer.from(given, 'utf8'), Buffer.from(stored.cleartext, 'utf8')) || (given === '' && stored.acceptsEmptyPassword));
    return new CredentialCheck('pap', ok, NONE);
  }
  const chapPassword = get(request, A.ChapPassword);
  if (chapPassword !== undefined) {
    const ok = stored !== undefined && verifyChap({
      chapPassword, chapChallenge: get(request, A.ChapChallenge), requestAuthenticator: request.authenticator, credential: { cleartext: stored.cleartext },
    }).ok;
    return new CredentialCheck('chap', ok, NONE);
  }
  // Looked up only now: a PAP or CHAP login (nearly all of them) skips this pass over the attributes.
  const msChallenge = get(request, A.MsChapChallenge);
  if (msChallenge === undefined) return NO_METHOD;
  const v2 = get(request, A.MsChap2Response);
  if (v2 !== undefined) {
    const r = verifyMsChapV2({ userName: username, challenge: msChallenge, response: v2, credential: stored ? { ntHash: stored.ntHash } : {} });
    if (!r.ok) return new CredentialCheck('mschapv2', false, [{ def: A.MsChapError, value: r.error }]);
    return new CredentialCheck('mschapv2', true, [
      { def: A.MsChap2Success, value: r.success },
      { def: A.MsMppeRecvKey, value: r.recvKey },
      { def: A.MsMppeSendKey, value: r.sendKey },
      { def: A.MsMppeEncryptionPolicy, value: V.MsMppeEncryptionPolicy.EncryptionAllowed },
      { def: A.MsMppeEncryptionTypes, value: V.MsMppeEncryptionTypes.RC4_40or128bitAllowed },
    ]);
  }
  const v1 = get(request, A.MsChapResponse);
  if (v1 !== undefined) {
    const r = verifyMsChapV1({ challenge: msChallenge, response: v1, credential: stored ? { ntHash: stored.ntHash } : {} });
    if (!r.ok) return new CredentialCheck('mschap', false, [{ def: A.MsChapError, value: r.error }]);
    return new CredentialCheck('mschap', true, [
      { def: A.MsChapMppeKeys, value: r.msChapMppeKeys },
      { def: A.MsMppeEncryptionPolicy, value: V.MsMppeEncryptionPolicy.EncryptionAllowed },
      { def: A.MsMppeEncryptionTypes, value: V.MsMppeEncryptionTypes.RC4_40or128bitAllowed },
    ]);
  }
  return NO_METHOD;
}
