import { describe, expect, it } from 'vitest';
import { TestClock } from '../../../src/lib/clock.js';
import { DropTracker } from '../../../src/radius/server/drops.js';

describe('the drop tracker', () => {
  it('counts per NAS and reason, per source for unknown clients, and ignores untracked reasons', () => {
    const clock = new TestClock('2026-11-23T10:00:00.000Z');
    const t = new DropTracker(clock);
    t.record('missing_message_authenticator', '10.0.0.1', 1, 'mario');
    clock.set('2026-11-23T10:00:05.000Z');
    t.record('missing_message_authenticator', '10.0.0.9', 1, undefined);
    t.record('unknown_client', '192.0.2.7', null, 'luigi');
    t.record('unknown_client', '192.0.2.8', null, undefined);
    t.record('duplicate_in_progress', '10.0.0.1', 1, 'mario');
    t.record('malformed', '10.0.0.1', null, undefined);
    expect(t.counts({ nasId: 1 })).toEqual([{
      nasId: 1, source: '10.0.0.9', reason: 'missing_message_authenticator', count: 2,
      firstAt: '2026-11-23T10:00:00.000Z', lastAt: '2026-11-23T10:00:05.000Z', lastUsername: 'mario',
    }]);
    expect(t.counts({ nasId: null }).map((c) => [c.source, c.count])).toEqual([['192.0.2.8', 1], ['192.0.2.7', 1]]);
    expect(t.latest().map((d) => d.username)).toEqual(['luigi', 'mario']);
    expect(t.latest({ username: 'mario' })).toHaveLength(1);
    expect(t.latest({ nasId: 1, limit: 5 }).map((d) => d.reason)).toEqual(['missing_message_authenticator']);
    expect(t.since).toBe('2026-11-23T10:00:00.000Z');
  });

  it('stays bounded: the least recently seen counter goes first, the oldest drops are trimmed', () => {
    const t = new DropTracker(new TestClock('2026-11-23T10:00:00.000Z'), { maxCounters: 3, maxRecent: 10 });
    for (const src of ['a', 'b', 'c']) t.record('unknown_client', src, null, undefined);
    t.record('unknown_client', 'a', null, undefined); // a is now the most recent
    t.record('unknown_client', 'd', null, undefined); // b goes
    expect(t.counts().map((c) => c.source)).toEqual(['d', 'a', 'c']);
    for (let i = 0; i < 25; i++) t.record('bad_message_authenticator', '10.0.0.1', 1, `u${i}`);
    const latest = t.latest({ limit: 100 });
    expect(latest.length).toBeLessThanOrEqual(10);
    expect(latest[0]!.username).toBe('u24');
  });
});
