import { afterEach, describe, expect, it } from 'vitest';
import { dashboardStore } from '../../../src/db/dashboard.js';
import { backendNames, openTestBackend, type TestBackend } from '../../helpers/backends.js';

// The dashboard's last-hour login chart finds the window's first auth_log row by a binary search over
// id (the table has no `at` index since migration 0006). Held here to a plain scan of the whole log.

const NOW = new Date('2026-11-24T12:00:00.000Z');

describe.each(backendNames)('dashboard on %s: logins per minute over the last hour', (name) => {
  let b: TestBackend;
  const database = async () => (b = await openTestBackend(name));
  afterEach(() => b?.close());

  const reference = (since: string) =>
    b.sql.all(`select substr(at, 1, 16) as "minute", coalesce(sum(case when outcome = 'accept' then 1 else 0 end), 0) as "accept",
        coalesce(sum(case when outcome = 'reject' then 1 else 0 end), 0) as "reject"
      from auth_log where at >= ? group by substr(at, 1, 16) order by 1`, since);

  it('has no index on auth_log.at any more', async () => {
    const { sql } = await database();
    const indexes = sql.dialect === 'sqlite'
      ? await sql.all<{ name: string }>(`select name from sqlite_master where type = 'index' and tbl_name = 'auth_log'`)
      : await sql.all<{ name: string }>(`select indexname as "name" from pg_indexes where tablename = 'auth_log'`);
    expect(indexes.map((i) => i.name)).not.toContain('auth_log_at_ix');
  });

  it('is empty for an empty log and for a log that ends before the window', async () => {
    const { sql } = await database();
    const store = dashboardStore(sql);
    expect((await store.figures(NOW, '2026-11-24')).auth).toEqual([]);
    await sql.run(`insert into auth_log (at, username, outcome) values (?, 'old', 'accept')`, '2026-11-24T10:00:00.000Z');
    expect((await store.figures(NOW, '2026-11-24')).auth).toEqual([]);
  });

  it('counts exactly the rows a full scan counts, whatever the gaps in id', async () => {
    const { sql } = await database();
    const insert = sql.prepare(`insert into auth_log (id, at, username, outcome) values (?, ?, 'u', ?)`);
    let seed = 11;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed / 2 ** 31);
    let id = 0;
    let t = NOW.getTime() - 3 * 3600_000;
    await sql.transaction(async () => {
      while (t < NOW.getTime()) {
        id += 1 + Math.floor(rnd() * (rnd() < 0.01 ? 5000 : 3)); // gaps, some large
        t += Math.floor(rnd() * 4000);
        await insert.run(id, new Date(t).toISOString(), rnd() < 0.2 ? 'reject' : 'accept');
      }
    });
    const store = dashboardStore(sql);
    for (const minutes of [1, 7, 60, 179, 181, 600]) {
      const since = new Date(NOW.getTime() - minutes * 60_000).toISOString();
      const got = (await store.figures(NOW, '2026-11-24', minutes)).auth;
      expect(got).toEqual(await reference(since));
      if (minutes <= 60) expect(got.length).toBeGreaterThan(0);
    }
  });

  it('counts services, customers, money, NAS and traffic as numbers', async () => {
    const { sql } = await database();
    const empty = await dashboardStore(sql).figures(NOW, '2026-11-24');
    expect(empty).toMatchObject({
      online: 0, customers: 0, services: { active: 0, suspended: 0, total: 0 },
      revenue: { thisMonth: 0, lastMonth: 0, invoicedThisMonth: 0, invoicedLastMonth: 0 },
      overdue: { count: 0, total: 0 }, nas: { up: 0, down: 0, unknown: 0, total: 0 }, traffic: { todayBytes: 0, monthBytes: 0 },
    });
    await sql.exec(`insert into plans (id, name, type, price, billing_period_months, download_kbps, upload_kbps) values (1, 'p', 'recurring', 100, 1, 1, 1);
      insert into customers (id, name) values (1, 'a'), (2, 'b');
      insert into services (id, customer_id, plan_id, username, password_enc, status, start_date) values
        (1, 1, 1, 'u1', 'x', 'active', '2026-01-01'), (2, 1, 1, 'u2', 'x', 'suspended', '2026-01-01'), (3, 2, 1, 'u3', 'x', 'ended', '2026-01-01');
      insert into radius_sessions (acct_session_id, username, started_at, updated_at) values ('s', 'u1', '2026-11-24T11:00:00.000Z', '2026-11-24T11:00:00.000Z');
      insert into nas (id, name, ip_address, secret_enc) values (1, 'n1', '10.0.0.1', 'x'), (2, 'n2', '10.0.0.2', 'x'), (3, 'n3', '10.0.0.3', 'x');
      insert into nas_status (nas_id, state) values (1, 'up'), (2, 'down');
      insert into payments (customer_id, amount, method, received_at, date, refunded) values
        (1, 5000000000, 'cash', '2026-11-02T10:00:00.000Z', '2026-11-02', 100), (1, 700, 'cash', '2026-10-31T10:00:00.000Z', '2026-10-31', 0);
      insert into invoices (customer_id, number, series, year, sequence, issue_date, due_date, currency, net, tax, total, credited, open) values
        (1, 'I-1', 'I', 2026, 1, '2026-11-01', '2026-11-15', 'EUR', 1000, 220, 1220, 20, 1200),
        (2, 'I-2', 'I', 2026, 2, '2026-10-01', '2026-12-15', 'EUR', 100, 22, 122, 0, 122);
      insert into usage_daily (service_id, day, input_octets, output_octets) values (1, '2026-11-24', 4000000000, 1000000000), (1, '2026-11-01', 1, 2), (1, '2026-10-31', 5, 5);`);
    expect(await dashboardStore(sql).figures(NOW, '2026-11-24')).toMatchObject({
      online: 1, customers: 2, services: { active: 1, suspended: 1, total: 3 },
      revenue: { thisMonth: 4_999_999_900, lastMonth: 700, invoicedThisMonth: 1200, invoicedLastMonth: 122 },
      overdue: { count: 1, total: 1200 }, nas: { up: 1, down: 1, unknown: 1, total: 3 }, traffic: { todayBytes: 5_000_000_000, monthBytes: 5_000_000_003 },
    });
  });
});
