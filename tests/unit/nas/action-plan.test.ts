import { describe, expect, it } from 'vitest';
import { decide, type Context, type ServiceFacts } from '../../../src/aaa/decide.js';
import { coaHost, confirmSeconds, enforcement, judgeAcked, summarize } from '../../../src/nas/action-plan.js';

const service: ServiceFacts = {
  id: 1, status: 'active', startDate: '2026-01-15', macAddress: null, staticIp: '100.64.0.9', ipv6Prefix: null, delegatedIpv6Prefix: null,
  simultaneousUse: 1, expiresAt: null, planType: 'recurring', downloadKbps: 10000, uploadKbps: 2000, burstDownloadKbps: null,
  burstUploadKbps: null, burstThresholdDownloadKbps: null, burstThresholdUploadKbps: null, burstTimeSeconds: null,
  dataCapBytes: null, capAction: null, throttleDownloadKbps: null, throttleUploadKbps: null, framedPool: null,
};
const req = { passwordOk: true, callingStationId: null, nasId: 1, vendor: 'mikrotik' as const };
const ctx: Context = {
  now: new Date('2026-11-22T12:00:00Z'),
  openSessions: [],
  policy: { interimInterval: 300, suspendedMode: 'reject', walledGardenList: 'unpaid', walledGardenDownloadKbps: 256, walledGardenUploadKbps: 128 },
};

describe('what a live session should get', () => {
  it('is a CoA with only the rate attributes of the Accept a fresh login would get', () => {
    expect(enforcement(decide(service, req, ctx))).toEqual({ kind: 'coa', attributes: [['Mikrotik-Rate-Limit', '2000k/10000k']] });
    expect(enforcement(decide(service, { ...req, vendor: 'generic' }, ctx))).toEqual({
      kind: 'coa', attributes: [['WISPr-Bandwidth-Max-Down', 10_000_000], ['WISPr-Bandwidth-Max-Up', 2_000_000]],
    });
  });

  it('is a Disconnect when a fresh login would be rejected', () => {
    expect(enforcement(decide({ ...service, status: 'suspended' }, req, ctx))).toEqual({ kind: 'disconnect', reason: 'service suspended', reply: { key: 'aaa.suspended' } });
    expect(enforcement(decide({ ...service, dataCapBytes: 10, capAction: 'block' }, req, { ...ctx, usageBytes: 11 }))).toMatchObject({ kind: 'disconnect' });
  });

  it('throttles a session over a throttling cap', () => {
    const capped = { ...service, dataCapBytes: 10, capAction: 'throttle' as const, throttleDownloadKbps: 512, throttleUploadKbps: 256 };
    expect(enforcement(decide(capped, req, { ...ctx, usageBytes: 10 }))).toEqual({ kind: 'coa', attributes: [['Mikrotik-Rate-Limit', '256k/512k']] });
  });

  it('moves a suspended session into the walled garden, by the plan or by the policy', () => {
    const wg = { kind: 'coa', attributes: [['Mikrotik-Rate-Limit', '128k/256k'], ['Mikrotik-Address-List', 'unpaid']] };
    expect(enforcement(decide({ ...service, status: 'suspended', suspensionMode: 'walled-garden' }, req, ctx))).toEqual(wg);
    const globalWg = { ...ctx, policy: { ...ctx.policy, suspendedMode: 'walled-garden' as const } };
    expect(enforcement(decide({ ...service, status: 'suspended' }, req, globalWg))).toEqual(wg);
    // The plan's own mode wins over the global one, both ways.
    expect(enforcement(decide({ ...service, status: 'suspended', suspensionMode: 'reject' }, req, globalWg))).toMatchObject({ kind: 'disconnect' });
    expect(enforcement(decide({ ...service, status: 'suspended', suspensionMode: null }, req, globalWg))).toEqual(wg);
  });

  it('is nothing when the accept carries no attribute a CoA can change', () => {
    expect(enforcement({ accept: true, attributes: [['Acct-Interim-Interval', 300]] })).toEqual({ kind: 'none' });
  });
});

describe('where a CoA goes', () => {
  it('to the NAS address, or to the session NAS-IP-Address inside a NAS range', () => {
    expect(coaHost('192.0.2.1', null)).toBe('192.0.2.1');
    expect(coaHost('192.0.2.1/32', '10.0.0.1')).toBe('192.0.2.1');
    expect(coaHost('192.0.2.0/24', '192.0.2.77')).toBe('192.0.2.77');
    expect(coaHost('192.0.2.0/24', '198.51.100.1')).toBeUndefined();
    expect(coaHost('192.0.2.0/24', null)).toBeUndefined();
    expect(coaHost('2001:db8::1', null)).toBe('2001:db8::1');
    expect(coaHost(null, '192.0.2.1')).toBeUndefined();
  });
});

describe('confirming an ACKed action from accounting', () => {
  const ack = '2026-11-22T12:00:00.000Z';
  const disconnect = { kind: 'disconnect' as const, answeredAt: ack, checkAt: '2026-11-22T12:00:30.000Z', retries: 0 };
  const coa = { ...disconnect, kind: 'coa' as const, checkAt: '2026-11-22T12:06:00.000Z' };
  const at = (iso: string) => new Date(iso);
  const open = { stoppedAt: null, updatedAt: '2026-11-22T11:59:00.000Z' };

  it('confirms a Disconnect by the Stop, and a CoA by any packet after the ACK', () => {
    expect(judgeAcked(disconnect, open, at('2026-11-22T12:00:05Z'))).toBe('wait');
    expect(judgeAcked(disconnect, { stoppedAt: '2026-11-22T12:00:01.000Z', updatedAt: '2026-11-22T12:00:01.000Z' }, at('2026-11-22T12:00:05Z'))).toBe('confirmed');
    // An Interim-Update does not confirm a Disconnect.
    expect(judgeAcked(disconnect, { stoppedAt: null, updatedAt: '2026-11-22T12:00:01.000Z' }, at('2026-11-22T12:00:05Z'))).toBe('wait');
    expect(judgeAcked(coa, open, at('2026-11-22T12:00:05Z'))).toBe('wait');
    expect(judgeAcked(coa, { stoppedAt: null, updatedAt: '2026-11-22T12:00:00.000Z' }, at('2026-11-22T12:00:05Z'))).toBe('wait');
    expect(judgeAcked(coa, { stoppedAt: null, updatedAt: '2026-11-22T12:05:00.000Z' }, at('2026-11-22T12:05:01Z'))).toBe('confirmed');
    expect(judgeAcked(disconnect, undefined, at('2026-11-22T12:00:05Z'))).toBe('confirmed');
  });

  it('retries once past the deadline, then flags', () => {
    expect(judgeAcked(disconnect, open, at('2026-11-22T12:00:30Z'))).toBe('retry');
    expect(judgeAcked({ ...disconnect, retries: 1 }, open, at('2026-11-22T12:00:30Z'))).toBe('unconfirmed');
    expect(judgeAcked({ ...coa, retries: 1 }, open, at('2026-11-22T12:06:00Z'))).toBe('unconfirmed');
    expect(judgeAcked(coa, undefined, at('2026-11-22T12:06:00Z'))).toBe('retry');
  });

  it('waits for a CoA as long as an interim interval and a minute unless told otherwise', () => {
    const o = { disconnectConfirmSeconds: 30, coaConfirmSeconds: 0, interimInterval: 300 };
    expect(confirmSeconds('disconnect', o)).toBe(30);
    expect(confirmSeconds('coa', o)).toBe(360);
    expect(confirmSeconds('coa', { ...o, coaConfirmSeconds: 5 })).toBe(5);
  });
});

describe('the action log request summary', () => {
  it('names the session as sent and leaves absent attributes out', () => {
    expect(summarize({ username: 'u', acctSessionId: '81', framedIpAddress: null, nasIpAddress: '192.0.2.1' }, [['Mikrotik-Rate-Limit', '1k/2k']])).toEqual({
      session: { userName: 'u', acctSessionId: '81', nasIpAddress: '192.0.2.1' },
      attributes: [['Mikrotik-Rate-Limit', '1k/2k']],
    });
  });
});
