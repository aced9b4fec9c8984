import { describe, expect, it } from 'vitest';
import { counter64 } from '../../../src/nas/snmp/client.js';
import { trafficDelta } from '../../../src/nas/snmp/rates.js';

const at = (s: number) => new Date(Date.UTC(2026, 10, 23, 12, 0, s)).toISOString();

describe('Counter64 values', () => {
  it('reads net-snmp Buffers of any length up to 8 bytes as BigInt', () => {
    expect(counter64(Buffer.from([0x01, 0x00]))).toBe(256n);
    expect(counter64(Buffer.from('ffffffffffffffff', 'hex'))).toBe(18446744073709551615n);
    expect(counter64(Buffer.alloc(0))).toBe(0n);
    expect(counter64(42)).toBe(42n);
    expect(counter64('12')).toBeUndefined();
    expect(counter64(-1)).toBeUndefined();
  });
});

describe('traffic between two readings', () => {
  it('is the counter delta and its average rate in bits per second', () => {
    const r = trafficDelta({ inOctets: 1000n, outOctets: 5000n, at: at(0) }, { inOctets: 1000n + 7_500_000n, outOctets: 5000n + 750n, at: at(60) });
    expect(r).toEqual({ ok: true, delta: { seconds: 60, inOctets: 7_500_000n, outOctets: 750n, inBps: 1_000_000n, outBps: 100n } });
  });
  it('keeps precision beyond 2^53 octets', () => {
    const big = 2n ** 62n;
    const r = trafficDelta({ inOctets: big, outOctets: big, at: at(0) }, { inOctets: big + 10n, outOctets: big + 20n, at: at(10) });
    expect(r.ok && r.delta.inOctets).toBe(10n);
  });
  it('gives no sample on a first reading, a counter that went back, a reboot, or no time passed', () => {
    const prev = { inOctets: 100n, outOctets: 100n, at: at(0) };
    expect(trafficDelta(undefined, prev)).toEqual({ ok: false, reason: 'first_reading' });
    expect(trafficDelta(prev, { inOctets: 50n, outOctets: 200n, at: at(60) })).toEqual({ ok: false, reason: 'counter_reset' });
    expect(trafficDelta(prev, { inOctets: 200n, outOctets: 50n, at: at(60) })).toEqual({ ok: false, reason: 'counter_reset' });
    expect(trafficDelta(prev, { inOctets: 200n, outOctets: 200n, at: at(60) }, { rebooted: true })).toEqual({ ok: false, reason: 'counter_reset' });
    expect(trafficDelta(prev, { inOctets: 200n, outOctets: 200n, at: at(0) })).toEqual({ ok: false, reason: 'no_time_passed' });
  });
});
