import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DuplicateCache } from '../../../src/radius/server/dedup.js';

const auth = () => randomBytes(16);

describe('RADIUS duplicate cache (RFC 5080)', () => {
  it('drops a copy while the first is processed, then answers copies with the same bytes', () => {
    const c = new DuplicateCache();
    const a = auth();
    const h = c.check('192.0.2.1', 1812, 7, a, 1000);
    expect(typeof h).toBe('number');
    expect(c.check('192.0.2.1', 1812, 7, a, 1001)).toBeNull();
    const reply = randomBytes(120);
    c.answered(h as number, reply, 1002);
    const again = c.check('192.0.2.1', 1812, 7, a, 1003);
    expect(Buffer.isBuffer(again) && again.equals(reply)).toBe(true);
    // A copy: what the caller does with it cannot change the cache.
    (again as Buffer).fill(0);
    expect((c.check('192.0.2.1', 1812, 7, a, 1004) as Buffer).equals(reply)).toBe(true);
  });

  it('tells apart another source, port, identifier or authenticator', () => {
    const c = new DuplicateCache();
    const a = auth();
    c.answered(c.check('192.0.2.1', 1812, 7, a, 0) as number, Buffer.from('x'), 0);
    for (const [addr, port, id, au] of [['192.0.2.2', 1812, 7, a], ['192.0.2.1', 1813, 7, a], ['192.0.2.1', 1812, 8, a], ['192.0.2.1', 1812, 7, auth()]] as const) {
      expect(typeof c.check(addr, port, id, au, 1)).toBe('number');
    }
    expect(c.size).toBe(5);
  });

  it('processes a retransmission again after forget, or after the window', () => {
    const c = new DuplicateCache({ ttlMs: 5000 });
    const a = auth();
    const h = c.check('10.0.0.1', 5000, 1, a, 0) as number;
    c.forget(h);
    expect(c.size).toBe(0);
    const h2 = c.check('10.0.0.1', 5000, 1, a, 1) as number;
    expect(typeof h2).toBe('number');
    c.answered(h2, Buffer.from('reply'), 2);
    expect(Buffer.isBuffer(c.check('10.0.0.1', 5000, 1, a, 5001))).toBe(true);
    expect(typeof c.check('10.0.0.1', 5000, 1, a, 5002)).toBe('number');
    // The stale handle of the entry that expired and was replaced changes nothing.
    c.answered(h2, Buffer.from('late'), 5003);
    c.forget(h2);
    expect(c.check('10.0.0.1', 5000, 1, a, 5004)).toBeNull();
  });

  it('gives up the oldest entry when both buckets are full, and a handle to it goes stale', () => {
    const c = new DuplicateCache({ buckets: 1 }); // one bucket: both choices are the same 8 slots
    const reqs = Array.from({ length: 9 }, (_, i) => ({ a: auth(), at: i }));
    const handles = reqs.map((r) => c.check('10.0.0.1', 1812, 0, r.a, r.at) as number);
    expect(handles.every((h) => typeof h === 'number')).toBe(true);
    // The ninth took the first one's place: the first is new again, the others are still known.
    c.answered(handles[0]!, Buffer.from('lost'), 10);
    expect(reqs.slice(2).map((r) => c.check('10.0.0.1', 1812, 0, r.a, 11))).toEqual(Array(7).fill(null));
    expect(typeof c.check('10.0.0.1', 1812, 0, reqs[0]!.a, 12)).toBe('number');
  });

  it('never returns a reply the ring has overwritten', () => {
    const c = new DuplicateCache({ replyBytes: 100 });
    const a = [auth(), auth(), auth()];
    const replies = [randomBytes(40), randomBytes(40), randomBytes(40)];
    a.forEach((x, i) => c.answered(c.check('10.0.0.1', 1812, i, x, 0) as number, replies[i]!, 0));
    // 40 + 40 fit; the third wrapped to the start over the first.
    expect(c.check('10.0.0.1', 1812, 0, a[0]!, 1)).toBeNull();
    expect((c.check('10.0.0.1', 1812, 1, a[1]!, 1) as Buffer).equals(replies[1]!)).toBe(true);
    expect((c.check('10.0.0.1', 1812, 2, a[2]!, 1) as Buffer).equals(replies[2]!)).toBe(true);
  });

  it('holds a window of 200,000 requests (76% of its slots), losing at most 1 in 10,000', () => {
    const c = new DuplicateCache();
    const reqs = Array.from({ length: 200_000 }, (_, i) => ({ a: auth(), port: 1024 + (i % 50_000) }));
    for (const r of reqs) c.answered(c.check('10.1.2.3', r.port, 1, r.a, 0) as number, r.a, 0);
    let found = 0;
    for (const r of reqs) {
      const hit = c.check('10.1.2.3', r.port, 1, r.a, 1);
      if (Buffer.isBuffer(hit) && hit.equals(r.a)) found++;
    }
    expect(found).toBeGreaterThanOrEqual(199_980);
  });
});
