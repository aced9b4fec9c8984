/**
 * Authentication crypto for the RADIUS server: CHAP, MS-CHAPv1, MS-CHAPv2 and MPPE keys. Pure
 * functions, no I/O. The peer/NAS side for tests and tooling is in `./client.js`, not re-exported
 * here so server code cannot pick it up by accident.
 */
export { type AuthFailureReason, type ChapResult, type VerifyChapInput, chapResponse, verifyChap } from './chap.js';
export {
  type MsChapErrorOptions,
  type MsChapFailureReason,
  type MsChapV1Result,
  type MsChapV2Result,
  type VerifyMsChapV1Input,
  type VerifyMsChapV2Input,
  MSCHAP_ERROR_AUTHENTICATION_FAILURE,
  challengeHash,
  challengeResponse,
  challengeUserName,
  generateAuthenticatorResponse,
  generateNtResponse,
  msChapV1ErrorValue,
  msChapV2ErrorValue,
  verifyMsChapV1,
  verifyMsChapV2,
} from './mschap.js';
export {
  type MppeServerKeys,
  getAsymmetricStartKey,
  getMasterKey,
  mppeKeyPlaintext,
  mschapV1MppeKeysPlaintext,
  mschapV2ServerKeys,
  parseMppeKeyPlaintext,
} from './mppe.js';
export { type Credential, credentialNtHash, hashNtHash, lmPasswordHash, ntHash } from './nthash.js';
