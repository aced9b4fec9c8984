import { describe, expect, it } from 'vitest';
import { Code, codeName } from '../../../src/radius/codec/index.js';
import { DROP, REPLY_POLICY } from '../../../src/radius/server/policy.js';

const REQUESTS = ['accessRequest', 'accountingRequest', 'statusServerAuth', 'statusServerAcct'] as const;
const name = (c: number | typeof DROP): string => (c === DROP ? 'drop' : codeName(c));

/** The whole table as text, row by row: a change to whom we answer shows up here in review. */
const expected: Record<keyof typeof REPLY_POLICY, Record<string, string>> = {
  accessRequest: {
    accept: 'Access-Accept',
    reject: 'Access-Reject',
    invalid: 'Access-Reject',
    bad_message_authenticator: 'drop',
    missing_message_authenticator: 'drop',
    eap_without_message_authenticator: 'drop',
  },
  accountingRequest: {
    start: 'Accounting-Response',
    interim: 'Accounting-Response',
    stop: 'Accounting-Response',
    on: 'Accounting-Response',
    off: 'Accounting-Response',
    ignored: 'Accounting-Response',
    store_failed: 'drop',
    bad_authenticator: 'drop',
    bad_message_authenticator: 'drop',
  },
  statusServerAuth: { alive: 'Access-Accept', bad_message_authenticator: 'drop' },
  statusServerAcct: { alive: 'Accounting-Response', bad_message_authenticator: 'drop' },
};

describe('the RADIUS reply policy', () => {
  it('answers each kind of request and outcome as the table says, and nothing else', () => {
    const actual = Object.fromEntries(
      REQUESTS.map((request) => [request, Object.fromEntries(Object.entries<number | typeof DROP>(REPLY_POLICY[request]).map(([o, c]) => [o, name(c)]))]),
    );
    expect(actual).toEqual(expected);
  });

  it('never acknowledges accounting it did not store, so the NAS retransmits it', () => {
    expect(REPLY_POLICY.accountingRequest.store_failed).toBe(DROP);
  });

  it('drops every request that fails to prove the shared secret instead of refusing it', () => {
    for (const request of REQUESTS) {
      for (const [outcome, code] of Object.entries<number | typeof DROP>(REPLY_POLICY[request])) if (/authenticator/.test(outcome)) expect(code, outcome).toBe(DROP);
    }
  });

  it('replies only with reply codes of the request it answers', () => {
    const replies: Record<keyof typeof REPLY_POLICY, number[]> = {
      accessRequest: [Code.AccessAccept, Code.AccessReject],
      accountingRequest: [Code.AccountingResponse],
      statusServerAuth: [Code.AccessAccept],
      statusServerAcct: [Code.AccountingResponse],
    };
    for (const request of REQUESTS) {
      for (const code of Object.values(REPLY_POLICY[request])) if (code !== DROP) expect(replies[request]).toContain(code);
    }
  });
});
