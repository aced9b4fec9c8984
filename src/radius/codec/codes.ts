/** RADIUS packet codes (RFC 2865 section 3, RFC 2866, RFC 5997, RFC 5176). */
export const Code = Object.freeze({
  AccessRequest: 1,
  AccessAccept: 2,
  AccessReject: 3,
  AccountingRequest: 4,
  AccountingResponse: 5,
  AccessChallenge: 11,
  StatusServer: 12,
  DisconnectRequest: 40,
  DisconnectACK: 41,
  DisconnectNAK: 42,
  CoARequest: 43,
  CoAACK: 44,
  CoANAK: 45,
} as const);

export type PacketCode = (typeof Code)[keyof typeof Code];

const NAMES: ReadonlyMap<number, string> = new Map([
  [1, 'Access-Request'],
  [2, 'Access-Accept'],
  [3, 'Access-Reject'],
  [4, 'Accounting-Request'],
  [5, 'Accounting-Response'],
  [11, 'Access-Challenge'],
  [12, 'Status-Server'],
  [40, 'Disconnect-Request'],
  [41, 'Disconnect-ACK'],
  [42, 'Disconnect-NAK'],
  [43, 'CoA-Request'],
  [44, 'CoA-ACK'],
  [45, 'CoA-NAK'],
]);

/** The RFC name of a code, or `Code-N` for one Tollgate does not know (usable as a metric label). */
export function codeName(code: number): string {
  return NAMES.get(code) ?? `Code-${code}`;
}

/**
 * How the authenticator field of a packet is formed:
 * - `random`: Access-Request and Status-Server carry a random Request Authenticator.
 * - `request-hash`: Accounting-Request, CoA-Request, Disconnect-Request carry
 *   MD5(header + 16 zero octets + attributes + secret) (RFC 2866 3, RFC 5176 2.3).
 * - `response`: replies carry MD5(header + the request's authenticator + attributes + secret).
 */
export type AuthenticatorKind = 'random' | 'request-hash' | 'response';

export function authenticatorKind(code: number): AuthenticatorKind | undefined {
  switch (code) {
    case Code.AccessRequest:
    case Code.StatusServer:
      return 'random';
    case Code.AccountingRequest:
    case Code.CoARequest:
    case Code.DisconnectRequest:
      return 'request-hash';
    case Code.AccessAccept:
    case Code.AccessReject:
    case Code.AccessChallenge:
    case Code.AccountingResponse:
    case Code.CoAACK:
    case Code.CoANAK:
    case Code.DisconnectACK:
    case Code.DisconnectNAK:
      return 'response';
    default:
      return undefined;
  }
}
