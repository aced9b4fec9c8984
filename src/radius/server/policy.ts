/**
 * The reply policy: for each kind of request and each outcome of handling it, the reply code or a
 * drop. One table, read by the transport for every request, in the manner of FreeRADIUS's
 * process_state[]: whether a NAS gets an answer is decided here and nowhere else.
 *
 * Its rules, once:
 * - An Access-Request always gets an answer once it is authentic: Accept or Reject, with the reason
 *   in Reply-Message. A request with no credentials we can check is refused like a wrong password.
 * - An Accounting-Request is acknowledged only once its record is durable. A failed store gets no
 *   answer, so the NAS retransmits it; status types we do not keep are acknowledged so it stops.
 * - Status-Server (RFC 5997) is answered with the reply of the port it came to.
 * - A request that does not prove it knows the shared secret is dropped, never refused: an answer
 *   would tell a forger which guesses are wrong.
 *
 * Requests never get this far when the datagram is not RADIUS (`malformed`), comes from no known NAS
 * (`unknown_client`), has a code the port does not serve (`unexpected_code`) or is a retransmission
 * still in progress (`duplicate_in_progress`); and a reply that cannot be built (`reply_too_large`,
 * `internal`) is dropped after the fact. Those are the transport's own drops (see DropReason).
 */
import { Code } from '../codec/codes.js';
import type { AcctKind } from '../../db/radius.js';

/** No reply: the request is counted as dropped, with the outcome as the reason. */
export const DROP = 'drop';
export type ReplyCode = number | typeof DROP;

/** Outcomes of an Access-Request: the authorizer's three, and the transport's checks before it. */
export type AccessOutcome =
  | 'accept' | 'reject' | 'invalid' | 'bad_message_authenticator' | 'missing_message_authenticator' | 'eap_without_message_authenticator';

/** Outcomes of an Accounting-Request: the kind of record stored, or why none was. */
export type AccountingOutcome = AcctKind | 'ignored' | 'store_failed' | 'bad_authenticator' | 'bad_message_authenticator';

export type StatusOutcome = 'alive' | 'bad_message_authenticator';

export interface ReplyPolicy {
  readonly accessRequest: Readonly<Record<AccessOutcome, ReplyCode>>;
  readonly accountingRequest: Readonly<Record<AccountingOutcome, ReplyCode>>;
  /** Status-Server sent to an authentication port. */
  readonly statusServerAuth: Readonly<Record<StatusOutcome, ReplyCode>>;
  /** Status-Server sent to an accounting port. */
  readonly statusServerAcct: Readonly<Record<StatusOutcome, ReplyCode>>;
}

export const REPLY_POLICY: ReplyPolicy = Object.freeze({
  accessRequest: Object.freeze({
    accept: Code.AccessAccept,
    reject: Code.AccessReject,
    // Neither PAP, CHAP, MS-CHAP nor MS-CHAPv2 credentials: nothing to check, so no way in.
    invalid: Code.AccessReject,
    bad_message_authenticator: DROP,
    // The NAS is configured to require one (BlastRADIUS, CVE-2024-3596).
    missing_message_authenticator: DROP,
    // RFC 3579 3.3: a request with EAP-Message and no Message-Authenticator MUST be silently
    // discarded, whatever the NAS's own setting says.
    eap_without_message_authenticator: DROP,
  }),
  accountingRequest: Object.freeze({
    start: Code.AccountingResponse,
    interim: Code.AccountingResponse,
    stop: Code.AccountingResponse,
    on: Code.AccountingResponse,
    off: Code.AccountingResponse,
    // A status type we do not keep (Failed, say) or a session record without Acct-Session-Id.
    ignored: Code.AccountingResponse,
    store_failed: DROP,
    bad_authenticator: DROP,
    bad_message_authenticator: DROP,
  }),
  statusServerAuth: Object.freeze({
    alive: Code.AccessAccept,
    // RFC 5997 requires a Message-Authenticator in Status-Server: absent counts as invalid.
    bad_message_authenticator: DROP,
  }),
  statusServerAcct: Object.freeze({
    alive: Code.AccountingResponse,
    bad_message_authenticator: DROP,
  }),
});
