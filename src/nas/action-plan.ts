/**
 * The pure half of network actions: what to send a live session, where to send it, and what an
 * ACKed action's accounting says about it. src/nas/actions.ts does the I/O around these.
 */
import type { Decision, ReplyAttr, ReplyText } from '../aaa/decide.js';
import { cidrContains, parseCidr } from '../lib/net.js';

/** The reply attributes a CoA-Request may change on a live session: the rate and the address list. */
export const COA_ATTRIBUTES: ReadonlySet<string> = new Set([
  'Mikrotik-Rate-Limit',
  'Mikrotik-Address-List',
  'WISPr-Bandwidth-Max-Down',
  'WISPr-Bandwidth-Max-Up',
]);

export type Enforcement =
  /** Change the live session in place. */
  | { kind: 'coa'; attributes: ReplyAttr[] }
  /** A fresh login would be rejected: cut the session. */
  | { kind: 'disconnect'; reason: string; reply?: ReplyText | undefined }
  /** Nothing a CoA can carry differs (no rate attribute for this NAS). */
  | { kind: 'none' };

/**
 * What a live session should get, from the decision a fresh login would get now: a reject means
 * Disconnect, an accept means a CoA with its rate (and walled-garden address list) attributes.
 */
export function enforcement(decision: Decision): Enforcement {
  if (!decision.accept) return { kind: 'disconnect', reason: decision.reason, reply: decision.reply };
  const attributes = decision.attributes.filter(([name]) => COA_ATTRIBUTES.has(name));
  return attributes.length === 0 ? { kind: 'none' } : { kind: 'coa', attributes };
}

/**
 * Where to send a CoA for a session: the NAS row's address when it is one address; when the row
 * is a range (routers behind NAT or on dynamic addresses), the NAS-IP-Address the session's
 * accounting carried, if it lies in that range. Undefined when neither names one address.
 */
export function coaHost(nasAddress: string | null, sessionNasIp: string | null): string | undefined {
  if (nasAddress === null) return undefined;
  const range = parseCidr(nasAddress);
  if (!range) return undefined;
  const single = range.family === 4 ? range.prefix === 32 : range.prefix === 128;
  if (single) return nasAddress.split('/')[0];
  if (sessionNasIp !== null && cidrContains(range, sessionNasIp)) return sessionNasIp;
  return undefined;
}

/** The check of an ACKed action against its session's accounting. */
export type Verdict = 'confirmed' | 'retry' | 'unconfirmed' | 'wait';

export interface AckedAction {
  kind: 'disconnect' | 'coa';
  /** ISO instant of the (first) ACK. */
  answeredAt: string | null;
  /** ISO instant after which an unconfirmed action is retried (retries 0) or flagged (retries 1). */
  checkAt: string | null;
  retries: number;
}

export interface SessionState {
  stoppedAt: string | null;
  /** The last accounting packet's arrival (or the session's start). */
  updatedAt: string;
}

/**
 * A Disconnect is confirmed once the session record is closed (its Accounting-Stop, or a NAK that
 * the NAS has no such session); a CoA once an accounting packet arrived after the ACK, or the session
 * ended (the next login gets the new rate anyway). A session record that is gone confirms nothing
 * for a CoA and everything for a Disconnect. Unconfirmed past `checkAt`: retry once, then flag.
 */
export function judgeAcked(action: AckedAction, session: SessionState | undefined, now: Date): Verdict {
  if (session === undefined) {
    if (action.kind === 'disconnect') return 'confirmed';
  } else {
    if (session.stoppedAt !== null) return 'confirmed';
    if (action.kind === 'coa' && action.answeredAt !== null && Date.parse(session.updatedAt) > Date.parse(action.answeredAt)) return 'confirmed';
  }
  if (action.checkAt === null || now.getTime() < Date.parse(action.checkAt)) return 'wait';
  return action.retries === 0 ? 'retry' : 'unconfirmed';
}

/** The session identification and attributes as the action log shows them (no secrets, no authenticators). */
export interface RequestSummary {
  session: { userName: string; acctSessionId: string; framedIpAddress?: string; nasIpAddress?: string };
  attributes: ReplyAttr[];
}

export function summarize(s: { username: string; acctSessionId: string; framedIpAddress: string | null; nasIpAddress: string | null }, attributes: ReplyAttr[] = []): RequestSummary {
  return {
    session: {
      userName: s.username,
      acctSessionId: s.acctSessionId,
      ...(s.framedIpAddress !== null ? { framedIpAddress: s.framedIpAddress } : {}),
      ...(s.nasIpAddress !== null ? { nasIpAddress: s.nasIpAddress } : {}),
    },
    attributes,
  };
}

/** Seconds an ACKed action waits for its confirmation. */
export function confirmSeconds(kind: 'disconnect' | 'coa', o: { disconnectConfirmSeconds: number; coaConfirmSeconds: number; interimInterval: number }): number {
  if (kind === 'disconnect') return o.disconnectConfirmSeconds;
  return o.coaConfirmSeconds > 0 ? o.coaConfirmSeconds : o.interimInterval + 60;
}
