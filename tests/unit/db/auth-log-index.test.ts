import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { authLogIndexer } from '../../../src/db/auth-log-index.js';
import { openDatabase, sqlOf } from '../../../src/db/client.js';
import { sessionLog, type AuthLogRow } from '../../../src/db/logs.js';
import { migrate } from '../../../src/db/migrate.js';
import { tempDir } from '../../helpers/daemon.js';

/** Rows of a small auth log: three subscribers and some unknown usernames, interleaved at random. */
async function seeded(rows: number) {
  const db = openDatabase({ path: join(tempDir(), 'auth-log.db') });
  await migrate(db.$client);
  const insert = db.$client.prepare(`insert into auth_log (at, nas_id, service_id, username, outcome, reason, method, calling_station_id)
    values (?, 1, ?, ?, ?, null, 'pap', null)`);
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed / 2 ** 31);
  db.$client.transaction(() => {
    for (let i = 0; i < rows; i++) {
      const k = Math.floor(rnd() * 4);
      const serviceId = k < 3 ? k + 1 : null;
      insert.run(new Date(Date.UTC(2026, 10, 1) + i * 1000).toISOString(), serviceId, serviceId ? `user${serviceId}` : `stranger${i % 5}`, rnd() < 0.3 ? 'reject' : 'accept');
    }
  })();
  return db;
}

/** Every page of a filtered listing, following the cursor. */
async function all(db: ReturnType<typeof openDatabase>, f: Parameters<ReturnType<typeof sessionLog>['authLog']>[0], limit: number): Promise<number[]> {
  const log = sessionLog(sqlOf(db));
  const ids: number[] = [];
  let cursor: string | undefined;
  for (;;) {
    const p = await log.authLog(f, limit, cursor);
    ids.push(...p.items.map((r: AuthLogRow) => r.id));
    if (!p.next) return ids;
    cursor = p.next;
  }
}

describe('auth log per-subscriber index', () => {
  it('finds exactly the rows a full scan finds, whether indexed, in the unindexed tail, or both', async () => {
    const db = await seeded(3000);
    const expected = (pred: (r: AuthLogRow) => boolean) =>
      (db.$client.prepare('select * from auth_log order by id desc').all() as Record<string, unknown>[])
        .map((r) => ({ id: r.id, serviceId: r.service_id, username: r.username, outcome: r.outcome }) as AuthLogRow)
        .filter(pred)
        .map((r) => r.id);
    const indexer = authLogIndexer(db.$client);
    for (const step of [0, 1000, 1500, 10_000]) {
      if (step) indexer.run(step === 10_000 ? step : 1000);
      expect(await all(db, { serviceId: 2 }, 37)).toEqual(expected((r) => r.serviceId === 2));
      expect(await all(db, { username: 'user3', outcome: 'reject' }, 50)).toEqual(expected((r) => r.username === 'user3' && r.outcome === 'reject'));
      expect(await all(db, { username: 'stranger4' }, 10)).toEqual(expected((r) => r.username === 'stranger4'));
      expect(await all(db, { serviceId: 99 }, 10)).toEqual([]);
    }
    expect(db.$client.prepare('select upto from auth_log_index_state').get()).toEqual({ upto: 3000 });
    expect(indexer.run()).toBe(0);
  });

  it('finds the same rows across many buckets of 8,192 ids, page by page', async () => {
    // Sparse ids from 1 to about 3.3 million: 400 buckets, most of them without a row of service 2,
    // then a run of 60 rows three to a bucket.
    const db = openDatabase({ path: join(tempDir(), 'auth-log-buckets.db') });
    await migrate(db.$client);
    const insert = db.$client.prepare(`insert into auth_log (id, at, nas_id, service_id, username, outcome) values (?, ?, 1, ?, ?, 'accept')`);
    db.$client.transaction(() => {
      for (let i = 0; i < 460; i++) {
        const id = i < 400 ? 1 + i * 8191 + (i % 7) * 13 : 3_300_000 + (i - 400) * 2731;
        const serviceId = i % 9 === 0 || (i > 150 && i < 250) ? 1 : i % 3 === 0 ? 2 : null;
        insert.run(id, new Date(Date.UTC(2026, 10, 1) + i * 1000).toISOString(), serviceId, serviceId ? `user${serviceId}` : 'stranger');
      }
    })();
    const expected = (pred: (r: { service_id: number | null; username: string }) => boolean) =>
      (db.$client.prepare('select id, service_id, username from auth_log order by id desc').all() as { id: number; service_id: number | null; username: string }[])
        .filter(pred)
        .map((r) => r.id);
    const indexer = authLogIndexer(db.$client);
    for (const chunk of [0, 1_000_000, 10_000_000]) {
      if (chunk) indexer.run(chunk);
      for (const limit of [1, 7, 50]) {
        expect(await all(db, { serviceId: 2 }, limit)).toEqual(expected((r) => r.service_id === 2));
        expect(await all(db, { serviceId: 1 }, limit)).toEqual(expected((r) => r.service_id === 1));
        expect(await all(db, { username: 'stranger' }, limit)).toEqual(expected((r) => r.username === 'stranger'));
      }
    }
    const buckets = db.$client.prepare('select count(distinct bucket) as n from auth_log_by_username').get() as { n: number };
    expect(buckets.n).toBeGreaterThanOrEqual(400);
  });

  it('takes no write lock when there is nothing to index', async () => {
    const db = await seeded(10);
    const indexer = authLogIndexer(db.$client);
    expect(indexer.run()).toBe(10);
    // Another connection holds the write lock (a backup, say): an idle run neither waits nor fails.
    const other = openDatabase({ path: db.$client.name });
    other.$client.pragma('busy_timeout = 0');
    db.$client.pragma('busy_timeout = 0');
    other.$client.exec('begin immediate');
    expect(indexer.run()).toBe(0);
    other.$client.exec(`insert into auth_log (at, username, outcome) values ('2026-11-24T10:00:00.000Z', 'late', 'accept')`);
    other.$client.exec('commit');
    expect(indexer.run()).toBe(1);
    other.$client.close();
  });

  it('indexes in bounded chunks and walks the index, not the log, for a subscriber', async () => {
    const db = await seeded(500);
    const indexer = authLogIndexer(db.$client);
    expect(indexer.run(200)).toBe(200);
    expect(indexer.run(200)).toBe(200);
    expect(indexer.run(200)).toBe(100);
    expect(indexer.run(200)).toBe(0);
    const plan = db.$client
      .prepare(`explain query plan select a.* from auth_log_by_service x join auth_log a on a.id = x.auth_log_id
        where x.bucket = 0 and x.service_id = 1 and x.auth_log_id <= 500 order by x.auth_log_id desc limit 51`)
      .all() as { detail: string }[];
    expect(plan.map((p) => p.detail).join('\n')).toMatch(/SEARCH x USING PRIMARY KEY \(bucket=\? AND service_id=\? AND auth_log_id<\?\)/);
    expect(plan.map((p) => p.detail).join('\n')).not.toMatch(/SCAN a/);
  });
});
