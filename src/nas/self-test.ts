/**
 * The CoA self-test: a harmless Disconnect-Request for a session that cannot exist (a random
 * Acct-Session-Id and user name), to learn whether the router takes CoA at all. Any verified answer
 * proves the path works (RouterOS answers a NAK with Error-Cause 503, Session-Context-Not-Found);
 * a reply that fails verification means the secrets differ; silence means CoA is off on the router
 * or the port is wrong.
 */
import { randomBytes } from 'node:crypto';
import { CoaClient, type RetryPolicy } from '../radius/coa/client.js';

export interface SelfTestTarget {
  host: string;
  port: number;
  secret: string;
}

export interface SelfTestResult {
  /** `answered`: the NAS replied and the reply verified; `no_answer`; `bad_authenticator`: it replied, signed with another secret. */
  result: 'answered' | 'no_answer' | 'bad_authenticator';
  /** True when CoA works end to end (any verified ACK or NAK). */
  ok: boolean;
  reply?: 'ack' | 'nak';
  errorCause?: number;
  errorCauseName?: string;
  host: string;
  port: number;
  attempts: number;
  rttMs: number;
  acctSessionId: string;
  hint: string;
}

export async function coaSelfTest(target: SelfTestTarget, retry: Partial<RetryPolicy> = {}): Promise<SelfTestResult> {
  // A client of its own, so its counters of dropped replies are this test's alone.
  const client = new CoaClient({ retry: { initialTimeoutMs: 1000, maxTries: 2, ...retry } });
  const acctSessionId = `tollgate-selftest-${randomBytes(6).toString('hex')}`;
  try {
    const r = await client.disconnect(
      { host: target.host, port: target.port, secret: target.secret },
      { userName: `tollgate-selftest-${randomBytes(4).toString('hex')}`, acctSessionId },
    );
    const dropped = client.stats().dropped;
    const base = { host: target.host, port: target.port, attempts: r.attempts, rttMs: r.rttMs, acctSessionId };
    if (r.outcome === 'ack' || r.outcome === 'nak') {
      const cause = r.errorCause === undefined ? {} : { errorCause: r.errorCause, ...(r.errorCauseName ? { errorCauseName: r.errorCauseName } : {}) };
      const hint =
        r.outcome === 'nak' && r.sessionNotFound
          ? 'CoA works: the router answered that the test session does not exist (503), as expected'
          : r.outcome === 'nak'
            ? `CoA works: the router answered with a NAK${r.errorCause !== undefined ? ` (Error-Cause ${r.errorCause})` : ''}`
            : 'CoA works: the router acknowledged';
      return { result: 'answered', ok: true, reply: r.outcome, ...cause, ...base, hint };
    }
    if (dropped.bad_authenticator > 0 || dropped.bad_message_authenticator > 0) {
      return {
        result: 'bad_authenticator', ok: false, ...base,
        hint: "the router answered, but its reply does not verify with this NAS's secret: the secret on the router (/radius) differs from Tollgate's",
      };
    }
    return {
      result: 'no_answer', ok: false, ...base,
      hint: `no answer from ${target.host}:${target.port}: CoA is off on the router (/radius incoming set accept=yes), or it listens on another port (RouterOS uses 3799 once enabled; some NAS use 1700), or a firewall drops UDP ${target.port}, or the secrets differ (a router drops a request that does not verify)${r.error ? `; send error: ${r.error}` : ''}`,
    };
  } finally {
    await client.close();
  }
}
