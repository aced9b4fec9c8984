/**
 * Cache invalidation between two nodes on one PostgreSQL (src/db/pg-changes.ts): a change
 * published on one node's topic reaches the other's once and never echoes back; a node whose
 * listening connection is cut reconnects and reloads everything, and what it published while cut
 * reaches the others once it is back.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { relayChanges, type ChangeRelay } from '../../src/db/pg-changes.js';
import { allOf, rowsOf, Topic, type Change } from '../../src/lib/topic.js';
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
  const nodes: { topic: Topic<Change>; seen: Change[]; relay: ChangeRelay; errors: unknown[] }[] = [];

  beforeAll(async () => {
    url = await createPostgresDatabase();
    for (const nodeId of ['a', 'b']) {
      const topic = new Topic<Change>();
      const seen: Change[] = [];
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
    a.topic.publish(allOf('service'));
    await until(() => b.seen.length === 1);
    await new Promise((r) => setTimeout(r, 100));
    expect(b.seen).toEqual([allOf('service')]);
    expect(a.seen).toEqual([allOf('service')]); // its own publish only
  });

  it('names the rows that changed, and a list too long for one notification as the whole kind', async () => {
    const [a, b] = nodes as [(typeof nodes)[0], (typeof nodes)[0]];
    a.seen.length = 0;
    b.seen.length = 0;
    const many = Array.from({ length: 3000 }, (_, i) => i + 1);
    a.topic.publish(rowsOf('service', [7, 9]));
    a.topic.publish(rowsOf('customer', []));
    a.topic.publish(rowsOf('service', many));
    await until(() => b.seen.length === 3);
    await new Promise((r) => setTimeout(r, 100));
    expect(b.seen).toEqual([rowsOf('service', [7, 9]), rowsOf('customer', []), allOf('service')]);
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
    a.topic.publish(rowsOf('nas', [3])); // while a's connection is down (or about to be found down)
    // a reloads everything once reconnected; b hears of the NAS change made while a was cut, and only that.
    const kinds = () => a.seen.filter((c) => c.ids === undefined).map((c) => c.entity);
    await until(() => ['nas', 'plan', 'service', 'customer'].every((e) => kinds().includes(e as Change['entity'])));
    await until(() => b.seen.length > 0);
    await new Promise((r) => setTimeout(r, 100));
    // What was unsent is sent for the whole kind: b cannot know which rows it missed.
    expect(b.seen).toEqual([allOf('nas')]);
    expect(a.errors.length).toBeGreaterThan(0);
    expect(b.errors).toEqual([]);
  });
});
