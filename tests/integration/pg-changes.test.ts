/**
 * Cache invalidation between two nodes on one PostgreSQL (src/db/pg-changes.ts): a change
 * published on one node's topic reaches the other's once and never echoes back; a node whose
 * listening connection is cut reconnects and reloads everything, and what it published while cut
 * reaches the others once it is back.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { relayChanges, type ChangeRelay } from '../../src/db/pg-changes.js';
import { Topic, type CachedEntity } from '../../src/lib/topic.js';
import { createPostgresDatabase, postgresReady } from '../helpers/backends.js';

const until = async (check: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe.skipIf(!postgresReady)('changes relayed between nodes by LISTEN/NOTIFY', () => {
  let url: string;
  const nodes: { topic: Topic<CachedEntity>; seen: CachedEntity[]; relay: ChangeRelay; errors: unknown[] }[] = [];

  beforeAll(async () => {
    url = await createPostgresDatabase();
    for (const nodeId of ['a', 'b']) {
      const topic = new Topic<CachedEntity>();
      const seen: CachedEntity[] = [];
      topic.subscribe((e) => seen.push(e));
      const errors: unknown[] = [];
      const relay = await relayChanges({ url, topic, nodeId, onError: (e) => errors.push(e), retryMs: 50 });
      nodes.push({ topic, seen, relay, errors });
    }
  });
  afterAll(async () => {
    for (const n of nodes) await n.relay.close();
  });

  it('delivers a change to the other node once, without an echo', async () => {
    const [a, b] = nodes as [(typeof nodes)[0], (typeof nodes)[0]];
    a.seen.length = 0;
    b.seen.length = 0;
    a.topic.publish('service');
    await until(() => b.seen.length === 1);
    await new Promise((r) => setTimeout(r, 100));
    expect(b.seen).toEqual(['service']);
    expect(a.seen).toEqual(['service']); // its own publish only
  });

  it('reconnects a cut listener, reloads everything, and sends what changed while cut', async () => {
    const [a, b] = nodes as [(typeof nodes)[0], (typeof nodes)[0]];
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      // Node a loses its listener; b keeps its own.
      const cut = await admin.query(`select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'tollgate-changes a'`);
      expect(cut.rowCount).toBe(1);
    } finally {
      await admin.end();
    }
    a.seen.length = 0;
    b.seen.length = 0;
    a.topic.publish('nas'); // while a's connection is down (or about to be found down)
    // a reloads everything once reconnected; b hears of the NAS change made while a was cut, and only that.
    await until(() => ['nas', 'plan', 'service', 'customer'].every((e) => a.seen.includes(e as CachedEntity)));
    await until(() => b.seen.includes('nas'));
    await new Promise((r) => setTimeout(r, 100));
    expect(b.seen).toEqual(['nas']);
    expect(a.errors.length).toBeGreaterThan(0);
    expect(b.errors).toEqual([]);
  });
});
