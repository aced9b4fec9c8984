import { describe, expect, it } from 'vitest';
import { capPeriodStart, decide, type Context, type ServiceFacts } from '../../../src/aaa/decide.js';
import { mikrotikRateLimit } from '../../../src/radius/dict/mikrotik.js';

const service: ServiceFacts = {
  id: 1, status: 'active', startDate: '2026-01-15', macAddress: null, staticIp: null, ipv6Prefix: null, delegatedIpv6Prefix: null,
  simultaneousUse: 1, expiresAt: null, planType: 'recurring', downloadKbps: 10000, uploadKbps: 2000, burstDownloadKbps: null,
  burstUploadKbps: null, burstThresholdDownloadKbps: null, burstThresholdUploadKbps: null, burstTimeSeconds: null,
  dataCapBytes: null, capAction: null, throttleDownloadKbps: null, throttleUploadKbps: null, framedPool: null,
};
const req = { passwordOk: true, callingStationId: 'AA:BB:CC:DD:EE:01', nasId: 1, vendor: 'mikrotik' as const };
const ctx: Context = {
  now: new Date('2026-11-22T12:00:00Z'),
  openSessions: [],
  policy: { interimInterval: 300, suspendedMode: 'reject', walledGardenList: 'unpaid', walledGardenDownloadKbps: 256, walledGardenUploadKbps: 128 },
};
const attrs = (d: ReturnType<typeof decide>) => (d.accept ? Object.fromEntries(d.attributes) : {});

describe('the authorization decision', () => {
  it('accepts with the plan rate as MikroTik writes it (upload first) and the interim interval', () => {
    const d = decide(service, req, ctx);
    expect(d).toEqual({ accept: true, attributes: [['Mikrotik-Rate-Limit', '2000k/10000k'], ['Acct-Interim-Interval', 300]] });
  });

  it('adds burst fields when the plan has them', () => {
    const burst = { ...service, burstDownloadKbps: 20000, burstUploadKbps: 4000, burstThresholdDownloadKbps: 8000, burstThresholdUploadKbps: 1500, burstTimeSeconds: 16 };
    expect(attrs(decide(burst, req, ctx))['Mikrotik-Rate-Limit']).toBe('2000k/10000k 4000k/20000k 1500k/8000k 16/16');
    expect(mikrotikRateLimit({ downloadKbps: 1, uploadKbps: 2 })).toBe('2k/1k');
  });

  it('rejects with a reason a person understands', () => {
    // The reason in English for the auth log; the reply by catalogue key, worded in the customer's language later.
    expect(decide(undefined, req, ctx)).toEqual({ accept: false, reason: 'unknown user', reply: { key: 'aaa.unknownUser' } });
    expect(decide(service, { ...req, passwordOk: false }, ctx)).toEqual({ accept: false, reason: 'wrong password', reply: { key: 'aaa.wrongPassword' } });
    expect(decide({ ...service, status: 'suspended' }, req, ctx)).toEqual({ accept: false, reason: 'service suspended', reply: { key: 'aaa.suspended' } });
    expect(decide({ ...service, status: 'proposal' }, req, ctx)).toMatchObject({ accept: false, reason: expect.stringMatching(/not active/) });
    expect(decide({ ...service, status: 'ended' }, req, ctx)).toEqual({ accept: false, reason: 'service ended', reply: { key: 'aaa.ended' } });
    expect(decide({ ...service, macAddress: 'AA:BB:CC:DD:EE:02' }, req, ctx)).toEqual({
      accept: false, reason: 'MAC address AA:BB:CC:DD:EE:01 is not the bound AA:BB:CC:DD:EE:02',
      reply: { key: 'aaa.macMismatch', values: { sent: 'AA:BB:CC:DD:EE:01', bound: 'AA:BB:CC:DD:EE:02' } },
    });
  });

  it('puts a suspended service in the walled garden when so configured', () => {
    const wg = { ...ctx, policy: { ...ctx.policy, suspendedMode: 'walled-garden' as const } };
    const d = decide({ ...service, status: 'suspended' }, req, wg);
    expect(attrs(d)).toMatchObject({ 'Mikrotik-Rate-Limit': '128k/256k', 'Mikrotik-Address-List': 'unpaid' });
  });

  it('enforces simultaneous use, but lets the same device re-dial past its unclosed session', () => {
    const open = [{ nasId: 1, callingStationId: 'AA:BB:CC:DD:EE:09' }];
    expect(decide(service, req, { ...ctx, openSessions: open })).toMatchObject({ accept: false, reason: 'already connected: 1 open session(s), limit 1' });
    expect(decide({ ...service, simultaneousUse: 2 }, req, { ...ctx, openSessions: open }).accept).toBe(true);
    expect(decide(service, req, { ...ctx, openSessions: [{ nasId: 1, callingStationId: req.callingStationId }] }).accept).toBe(true);
  });

  it('caps a prepaid session at its expiry and rejects after it', () => {
    const prepaid = { ...service, planType: 'prepaid' as const, expiresAt: '2026-11-22T13:30:00.000Z' };
    expect(attrs(decide(prepaid, req, ctx))['Session-Timeout']).toBe(5400);
    expect(decide({ ...prepaid, expiresAt: '2026-11-22T11:59:59.000Z' }, req, ctx)).toMatchObject({ accept: false, reason: expect.stringMatching(/^prepaid expired/) });
    expect(decide({ ...prepaid, expiresAt: null }, req, ctx).accept).toBe(false);
  });

  it('blocks or throttles over the data cap', () => {
    const capped = { ...service, dataCapBytes: 1000, capAction: 'block' as const };
    expect(decide(capped, req, { ...ctx, usageBytes: 999 }).accept).toBe(true);
    expect(decide(capped, req, { ...ctx, usageBytes: 1000 })).toMatchObject({ accept: false, reason: 'data cap of 1000 bytes reached' });
    const throttled = { ...capped, capAction: 'throttle' as const, throttleDownloadKbps: 1000, throttleUploadKbps: 500 };
    expect(attrs(decide(throttled, req, { ...ctx, usageBytes: 5000 }))['Mikrotik-Rate-Limit']).toBe('500k/1000k');
  });

  it('sends addresses: static IP over pool, IPv6 prefixes', () => {
    const d = attrs(decide({ ...service, staticIp: '100.64.0.9', framedPool: 'pool1', ipv6Prefix: '2001:db8:1::/64', delegatedIpv6Prefix: '2001:db8:2::/56' }, req, ctx));
    expect(d).toMatchObject({ 'Framed-IP-Address': '100.64.0.9', 'Framed-IPv6-Prefix': '2001:db8:1::/64', 'Delegated-IPv6-Prefix': '2001:db8:2::/56' });
    expect(d['Framed-Pool']).toBeUndefined();
    expect(attrs(decide({ ...service, framedPool: 'pool1' }, req, ctx))['Framed-Pool']).toBe('pool1');
  });

  it('sends WISPr bandwidth to a generic NAS', () => {
    expect(attrs(decide(service, { ...req, vendor: 'generic' }, ctx))).toMatchObject({ 'WISPr-Bandwidth-Max-Down': 10_000_000, 'WISPr-Bandwidth-Max-Up': 2_000_000 });
  });

  it('anchors cap periods to the billing anniversary, clamped to short months', () => {
    expect(capPeriodStart('2026-01-15', '2026-11-22')).toBe('2026-11-15');
    expect(capPeriodStart('2026-01-15', '2026-11-14')).toBe('2026-10-15');
    expect(capPeriodStart('2026-01-31', '2026-02-28')).toBe('2026-02-28');
    expect(capPeriodStart('2026-01-31', '2026-03-30')).toBe('2026-02-28');
    expect(capPeriodStart('2026-01-31', '2026-03-31')).toBe('2026-03-31');
    expect(capPeriodStart('2025-06-20', '2026-01-05')).toBe('2025-12-20');
  });
});
