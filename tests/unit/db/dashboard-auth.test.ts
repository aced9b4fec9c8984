import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/db/client.js';
import { dashboardStore } from '../../../src/db/dashboard.js';
import { migrate } from '../../../src/db/migrate.js';
import { tempDir } from '../../helpers/daemon.js';

// The dashboard's last-hour login chart finds the window's first auth_log row by a binary search over
// id (the table has no `at` index since migration 0006). Held here to a plain scan of the whole log.

const NOW = new Date('2026-11-24T12:00:00.000Z');

async function database() {
  const db = openDatabase({ path: join(tempDir(), 'dashboard.db') });
  await migrate(db.$client);
  return db;
}

function reference(db: Awaited<ReturnType<typeof database>>, since: string) {
  return db.$client
    .prepare(`select substr(at, 1, 16) as minute, coalesce(sum(outcome = 'accept'), 0) as accept, coalesce(sum(outcome = 'reject'), 0) as reject
      from auth_log where at >= ? group by minute order by minute`)
    .all(since);
}

describe('dashboard: logins per minute over the last hour', () => {
  it('has no index on auth_log.at any more', async () => {
    const db = await database();
    const indexes = db.$client.prepare(`select name from sqlite_master where type = 'index' and tbl_name = 'auth_log'`).all() as { name: string }[];
    expect(indexes.map((i) => i.name)).not.toContain('auth_log_at_ix');
  });

  it('is empty for an empty log and for a log that ends before the window', async () => {
    const db = await database();
    const store = dashboardStore(db);
    expect(store.figures(NOW, '2026-11-24').auth).toEqual([]);
    db.$client.prepare(`insert into auth_log (at, username, outcome) values (?, 'old', 'accept')`).run('2026-11-24T10:00:00.000Z');
    expect(store.figures(NOW, '2026-11-24').auth).toEqual([]);
  });

  it('counts exactly the rows a full scan counts, whatever the gaps in id', async () => {
    const db = await database();
    const insert = db.$client.prepare(`insert into auth_log (id, at, username, outcome) values (?, ?, 'u', ?)`);
    let seed = 11;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed / 2 ** 31);
    let id = 0;
    let t = NOW.getTime() - 3 * 3600_000;
    db.$client.transaction(() => {
      while (t < NOW.getTime()) {
        id += 1 + Math.floor(rnd() * (rnd() < 0.01 ? 5000 : 3)); // gaps, some large
        t += Math.floor(rnd() * 4000);
        insert.run(id, new Date(t).toISOString(), rnd() < 0.2 ? 'reject' : 'accept');
      }
    })();
    const store = dashboardStore(db);
    for (const minutes of [1, 7, 60, 179, 181, 600]) {
      const since = new Date(NOW.getTime() - minutes * 60_000).toISOString();
      const got = store.figures(NOW, '2026-11-24', minutes).auth;
      expect(got).toEqual(reference(db, since));
      if (minutes <= 60) expect(got.length).toBeGreaterThan(0);
    }
  });
});
