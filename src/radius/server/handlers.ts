/**
 * What the transport asks of the layers above it. The transport has already decoded the request,
 * found its NAS, checked that it is not a retransmission and that it is authentic; a handler says
 * what became of it, and the reply policy (policy.ts) turns that into a reply or a drop.
 */
import type { AttributeInput, Packet } from '../codec/index.js';
import type { NasClient } from './clients.js';
import type { AccessOutcome, AccountingOutcome } from './policy.js';

/** The outcome of an Access-Request handler, with its reply attributes. */
export interface AccessAnswer {
  readonly outcome: Exclude<AccessOutcome, 'bad_message_authenticator' | 'missing_message_authenticator' | 'eap_without_message_authenticator'>;
  /**
   * The reply's attributes in wire order, without Proxy-State: the transport appends the request's
   * (RFC 2865 5.33) to this same array rather than copying it.
   */
  readonly attributes: AttributeInput[];
}

export interface AccessHandler<A extends AccessAnswer = AccessAnswer> {
  /**
   * Synchronous whenever it can be: a Promise per Access-Request (and its microtask) costs a
   * measurable share of the access path's throughput, and nearly every login's facts are in memory.
   * A handler that must wait for the database (a service not cached yet) returns a Promise instead;
   * the transport replies when it settles, and a rejection is an unanswered request, as a throw is.
   */
  handle(request: Packet, nas: NasClient): A | Promise<A>;
  /** The reply is on its way to the NAS: record it. Not called for a request that is dropped. */
  answered(answer: A): void;
}

/** What became of an authentic Accounting-Request. */
export type AccountingSettled = Exclude<AccountingOutcome, 'bad_authenticator' | 'bad_message_authenticator'>;

export interface AccountingHandler {
  /**
   * Hands the request's record to the store and calls `settled` once it is durable, with the kind
   * stored; at once with 'ignored'; or with 'store_failed'. A callback, not a returned Promise: the
   * store's own promise is the only one an Accounting-Request costs (a second, chained one was a
   * measurable share of accounting's CPU per request).
   */
  handle(request: Packet, nas: NasClient, settled: (outcome: AccountingSettled) => void): void;
}
