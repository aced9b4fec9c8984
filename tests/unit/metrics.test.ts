import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { HotCounter, HotHistogram } from '../../src/metrics.js';

describe('per-request metrics', () => {
  it('expose the same text as prom-client for the same observations', async () => {
    const buckets = [0.001, 0.01, 0.1];
    const ours = new Registry();
    const theirs = new Registry();
    const hot = new HotHistogram({ name: 'lat_seconds', help: 'h', labelNames: ['type'] as const, buckets, registers: [ours] });
    const ref = new Histogram({ name: 'lat_seconds', help: 'h', labelNames: ['type'] as const, buckets, registers: [theirs] });
    const values = { access: [0.0005, 0.001, 0.002, 0.5, 0.05], accounting: [0.2] };
    for (const [type, vs] of Object.entries(values)) {
      const h = hot.labels({ type });
      for (const v of vs) {
        h.observe(v);
        ref.labels({ type }).observe(v);
      }
    }
    expect(await ours.metrics()).toBe(await theirs.metrics());
    // A value on a bucket's bound counts in that bucket (le is "less or equal").
    expect(await ours.metrics()).toContain('lat_seconds_bucket{le="0.001",type="access"} 2');
  });

  it('count per label set, and reset to zero', async () => {
    const r = new Registry();
    const c = new HotCounter({ name: 'req_total', help: 'h', labelNames: ['type', 'outcome'] as const, registers: [r] });
    const a = c.labels({ type: 'access', outcome: 'accept' });
    a.inc();
    a.inc(2);
    c.labels({ type: 'access', outcome: 'reject' }).inc();
    expect(await r.metrics()).toMatch(/req_total\{type="access",outcome="accept"\} 3\n/);
    expect(await r.metrics()).toMatch(/req_total\{type="access",outcome="reject"\} 1\n/);
    r.resetMetrics();
    expect(await r.metrics()).toMatch(/req_total\{type="access",outcome="accept"\} 0\n/);
  });
});
