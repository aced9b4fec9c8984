/**
 * RFC 5176 packets, pure: the request Tollgate sends to a NAS, and the judgement of a datagram that
 * claims to answer it. Sockets, retransmission and identifiers live in client.ts.
 *
 * Every request carries the session's identification (NAS-IP-Address when known, User-Name,
 * Acct-Session-Id, Framed-IP-Address when known: MikroTik finds PPPoE and hotspot sessions by the
 * address), the caller's attributes, Event-Timestamp (RFC 5176 3.4: a NAS may refuse stale requests)
 * and a Message-Authenticator placed first (RFC 5176 3.1; BlastRADIUS, CVE-2024-3596). The codec
 * computes the Message-Authenticator over a zero authenticator, then the Request Authenticator over
 * the finished packet.
 */
import { Buffer } from 'node:buffer';
import {
  Code,
  RadiusEncodeError,
  checkMessageAuthenticator,
  encodePacket,
  get,
  replyMaAuthenticator,
  verifyResponseAuthenticator,
  type AttributeInput,
  type MessageAuthenticatorStatus,
  type Packet,
  type Secret,
  type TypedAttribute,
} from '../codec/index.js';
import { A, V } from '../dict/attrs.js';
import type { Dictionary } from '../dict/dictionary.js';
import type { AttributeDef } from '../codec/types.js';

export type CoaKind = 'disconnect' | 'coa';

/** Which live session on the NAS a request is about. */
export interface CoaSession {
  readonly userName: string;
  readonly acctSessionId: string;
  /** The session's address; MikroTik needs it to find a PPPoE or hotspot session. */
  readonly framedIpAddress?: string;
  /** The NAS's own address, as it sent it in accounting (NAS identification, RFC 5176 3). */
  readonly nasIpAddress?: string;
}

interface CodesOf {
  readonly request: number;
  readonly ack: number;
  readonly nak: number;
}

export const COA_CODES: Readonly<Record<CoaKind, CodesOf>> = Object.freeze({
  disconnect: { request: Code.DisconnectRequest, ack: Code.DisconnectACK, nak: Code.DisconnectNAK },
  coa: { request: Code.CoARequest, ack: Code.CoAACK, nak: Code.CoANAK },
});

/**
 * Attributes the request builder adds itself; a caller's CoA attributes may not repeat them, since a
 * NAS given two User-Names or two timestamps may pick either.
 */
const RESERVED: readonly AttributeDef[] = [A.UserName, A.AcctSessionId, A.FramedIpAddress, A.NasIpAddress, A.EventTimestamp];

function isReserved(a: AttributeInput): boolean {
  const typed = (a as TypedAttribute).def;
  if (typed !== undefined) return RESERVED.some((d) => d.vendorId === typed.vendorId && d.code === typed.code);
  const raw = a as { type: number; vendorId: number };
  return raw.vendorId === 0 && RESERVED.some((d) => d.vendorId === 0 && d.code === raw.type);
}

/** The identifying attributes of a session, in the order they go on the wire. */
export function sessionAttributes(session: CoaSession): TypedAttribute[] {
  const out: TypedAttribute[] = [];
  if (session.nasIpAddress !== undefined) out.push({ def: A.NasIpAddress, value: session.nasIpAddress });
  out.push({ def: A.UserName, value: session.userName });
  out.push({ def: A.AcctSessionId, value: session.acctSessionId });
  if (session.framedIpAddress !== undefined) out.push({ def: A.FramedIpAddress, value: session.framedIpAddress });
  return out;
}

export interface RequestSpec {
  readonly kind: CoaKind;
  readonly identifier: number;
  readonly secret: Secret;
  readonly session: CoaSession;
  /** What to change (CoA only): e.g. `mikrotikRateChange(...)`. */
  readonly attributes?: readonly AttributeInput[];
  readonly eventTimestamp: Date;
}

/**
 * The request's bytes. Throws RadiusEncodeError when it cannot be built (an empty User-Name, a
 * malformed address, a value too long, attributes on a Disconnect, a reserved attribute repeated).
 */
export function buildRequest(spec: RequestSpec): Buffer {
  const extra = spec.attributes ?? [];
  if (spec.kind === 'disconnect' && extra.length > 0) throw new RadiusEncodeError('a Disconnect-Request carries no attributes to change');
  if (spec.session.userName === '') throw new RadiusEncodeError('User-Name is empty', A.UserName.name);
  if (spec.session.acctSessionId === '') throw new RadiusEncodeError('Acct-Session-Id is empty', A.AcctSessionId.name);
  for (const a of extra) {
    if (isReserved(a)) throw new RadiusEncodeError('session identification and Event-Timestamp are added by the CoA client, not passed as attributes');
  }
  return encodePacket({
    code: COA_CODES[spec.kind].request,
    identifier: spec.identifier,
    secret: spec.secret,
    messageAuthenticator: 'first',
    attributes: [...sessionAttributes(spec.session), ...extra, { def: A.EventTimestamp, value: spec.eventTimestamp }],
  });
}

/** Why a datagram that reached our CoA socket was not believed; each is a counter. */
export type ReplyDropReason =
  /** Not a RADIUS packet. */
  | 'malformed'
  /** No outstanding request has this identifier and this source address and port. */
  | 'unmatched'
  /** Not an ACK or NAK of the request's kind (a CoA-ACK to a Disconnect-Request, say). */
  | 'unexpected_code'
  /** The Response Authenticator does not verify with the secret and the request's authenticator. */
  | 'bad_authenticator'
  /** A Message-Authenticator is present and wrong (or duplicated, or of the wrong size). */
  | 'bad_message_authenticator'
  /** No Message-Authenticator although the client requires one. */
  | 'missing_message_authenticator';

export interface SentRequest {
  readonly kind: CoaKind;
  /** The authenticator of the request as sent (bytes 4..20 of its packet). */
  readonly authenticator: Buffer;
  readonly secret: Secret;
  readonly requireMessageAuthenticator: boolean;
}

export type ReplyVerdict =
  | { readonly ok: true; readonly outcome: 'ack' | 'nak'; readonly errorCause?: number; readonly packet: Packet }
  | { readonly ok: false; readonly reason: ReplyDropReason };

const ZERO16 = Buffer.alloc(16);

/**
 * The state of a reply's Message-Authenticator. RFC 5176 3.4 computes it with the request's
 * authenticator in the header, as for Access-Accept; FreeRADIUS 3.2 (seen with 3.2.1, the
 * integration test checks it) computes it over 16 zero octets instead, as it does for
 * Accounting-Response. Both are accepted: the Response Authenticator, already verified by then,
 * binds the reply to the request and covers the Message-Authenticator's bytes, so the second form
 * lets no forgery through that the first would stop.
 */
function replyMessageAuthenticator(packet: Packet, request: SentRequest): MessageAuthenticatorStatus {
  const rfc = replyMaAuthenticator(packet.code, COA_CODES[request.kind].request, request.authenticator);
  const status = checkMessageAuthenticator(packet.raw, request.secret, rfc);
  if (status !== 'invalid') return status;
  return checkMessageAuthenticator(packet.raw, request.secret, ZERO16);
}

/**
 * Judges a decoded datagram already matched to `request` by identifier and source: the code must
 * answer the request's kind, the Response Authenticator must verify over the request's
 * authenticator, and a Message-Authenticator, when present (or required), must verify too.
 */
export function judgeReply(packet: Packet, request: SentRequest): ReplyVerdict {
  const codes = COA_CODES[request.kind];
  if (packet.code !== codes.ack && packet.code !== codes.nak) return { ok: false, reason: 'unexpected_code' };
  if (!verifyResponseAuthenticator(packet.raw, request.authenticator, request.secret)) return { ok: false, reason: 'bad_authenticator' };
  const ma = replyMessageAuthenticator(packet, request);
  if (ma === 'invalid') return { ok: false, reason: 'bad_message_authenticator' };
  if (ma === 'absent' && request.requireMessageAuthenticator) return { ok: false, reason: 'missing_message_authenticator' };
  const errorCause = get(packet, A.ErrorCause);
  const outcome = packet.code === codes.ack ? 'ack' : 'nak';
  return errorCause === undefined ? { ok: true, outcome, packet } : { ok: true, outcome, errorCause, packet };
}

/** Error-Cause 503: the NAS has no such session, so our record of it can be closed. */
export function isSessionNotFound(errorCause: number | undefined): boolean {
  return errorCause === V.ErrorCause.SessionContextNotFound;
}

/** The dictionary name of an Error-Cause value (`Session-Context-Not-Found`), if it has one. */
export function errorCauseName(dict: Dictionary, errorCause: number): string | undefined {
  return dict.valueName(A.ErrorCause, errorCause);
}
