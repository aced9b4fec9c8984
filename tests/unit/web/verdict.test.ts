// The "why is this customer offline" verdict of the admin UI (web/src/verdict.ts), from facts.
import { describe, expect, it } from 'vitest';
import { verdict, type VerdictFacts } from '../../../web/src/verdict.js';
import { setLocale } from '../../../web/src/i18n.js';

const now = Date.parse('2026-05-20T10:00:00Z');
const facts = (over: Partial<VerdictFacts> = {}): VerdictFacts => ({
  now,
  service: { status: 'active', expiresAt: null, macAddress: null, username: 'ada' },
  auth: [],
  sessions: [],
  suspensions: [],
  overdue: [],
  ...over,
});
const minutesAgo = (m: number) => new Date(now - m * 60_000).toISOString();

describe('why-offline verdict', () => {
  it('names the suspension for an overdue invoice and its date', () => {
    const v = verdict(facts({
      service: { status: 'suspended', expiresAt: null, macAddress: null, username: 'ada' },
      suspensions: [{ at: '2026-05-12T08:00:00Z', kind: 'suspend', invoiceNumber: 'INV-2026-000042' }],
      overdue: [{ number: 'INV-2026-000042', dueDate: '2026-05-01', open: 2500 }],
    }));
    expect(v.level).toBe('error');
    expect(v.headline).toBe('Suspended for an overdue invoice (INV-2026-000042) since 12 May 2026.');
    expect(v.details[0]).toContain('1 overdue invoice');
  });

  it('counts rejects of the last hour with the commonest reason and the MAC', () => {
    const v = verdict(facts({
      auth: [
        { at: minutesAgo(2), outcome: 'reject', reason: 'wrong password', callingStationId: 'AA:BB:CC:DD:EE:FF' },
        { at: minutesAgo(10), outcome: 'reject', reason: 'wrong password', callingStationId: 'AA:BB:CC:DD:EE:FF' },
        { at: minutesAgo(20), outcome: 'reject', reason: 'MAC address X is not the bound Y', callingStationId: 'AA:BB:CC:DD:EE:FF' },
        { at: minutesAgo(90), outcome: 'reject', reason: 'wrong password', callingStationId: null },
      ],
    }));
    expect(v.headline).toBe('Rejected 3 times in the last hour: wrong password from MAC AA:BB:CC:DD:EE:FF.');
    expect(v.details[0]).toContain('MAC address X is not the bound Y (1)');
  });

  it('says online with the open session, ended and proposal services, expired prepaid', () => {
    expect(verdict(facts({ sessions: [{ startedAt: minutesAgo(5), stoppedAt: null, callingStationId: 'AA:BB', framedIpAddress: '10.0.0.7', terminateCause: null }] })).level).toBe('ok');
    expect(verdict(facts({ service: { status: 'ended', expiresAt: null, macAddress: null, username: 'ada' } })).headline).toMatch(/ended/);
    expect(verdict(facts({ service: { status: 'proposal', expiresAt: null, macAddress: null, username: 'ada' } })).headline).toMatch(/not active yet/);
    expect(verdict(facts({ service: { status: 'active', expiresAt: '2026-05-19T00:00:00Z', macAddress: null, username: 'ada' } })).headline).toMatch(/Prepaid time ran out on 19 May 2026/);
  });

  it('tells an accept without accounting, a dropped line and silence apart', async () => {
    expect(verdict(facts({ auth: [{ at: minutesAgo(3), outcome: 'accept', reason: null, callingStationId: null }] })).headline).toMatch(/no session followed/);
    expect(verdict(facts({ sessions: [{ startedAt: minutesAgo(300), stoppedAt: minutesAgo(30), callingStationId: null, framedIpAddress: null, terminateCause: 'Lost-Carrier' }] })).headline).toMatch(/^Offline since .*\(Lost-Carrier\)/);
    // The NAS's Acct-Terminate-Cause in the reader's words.
    await setLocale('it');
    try {
      expect(verdict(facts({ sessions: [{ startedAt: minutesAgo(300), stoppedAt: minutesAgo(30), callingStationId: null, framedIpAddress: null, terminateCause: 'Lost-Carrier' }] })).headline).toMatch(/\(portante persa\)/);
    } finally {
      await setLocale('en');
    }
    expect(verdict(facts()).headline).toBe('No login attempt from ada has ever reached Tollgate.');
  });
});
