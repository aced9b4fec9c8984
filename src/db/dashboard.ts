/** Read-only figures for the admin UI's dashboard: one query per figure, all on indexed columns. */
import type { SqlClient } from './sql.js';

export interface DashboardFigures {
  online: number;
  services: { active: number; suspended: number; total: number };
  customers: number;
  /** Per minute over the window, oldest first: `minute` is `YYYY-MM-DDTHH:MM` UTC. */
  auth: Array<{ minute: string; accept: number; reject: number }>;
  revenue: { thisMonth: number; lastMonth: number; invoicedThisMonth: number; invoicedLastMonth: number };
  overdue: { count: number; total: number };
  nas: { up: number; down: number; unknown: number; total: number };
  traffic: { todayBytes: number; monthBytes: number };
}

/** Month boundaries as `YYYY-MM-DD` strings: [start of this month, start of next, start of last]. */
export function monthBounds(today: string): { thisStart: string; nextStart: string; lastStart: string } {
  const [y, m] = today.split('-').map(Number) as [number, number];
  const fmt = (yy: number, mm: number) => `${yy}-${String(mm).padStart(2, '0')}-01`;
  const next = m === 12 ? fmt(y + 1, 1) : fmt(y, m + 1);
  const last = m === 1 ? fmt(y - 1, 12) : fmt(y, m - 1);
  return { thisStart: fmt(y, m), nextStart: next, lastStart: last };
}

/** `coalesce(sum(case when <test> then 1 else 0 end), 0)`: how many rows pass a test, on both backends. */
const countIf = (test: string) => `coalesce(sum(case when ${test} then 1 else 0 end), 0)`;

export function dashboardStore(sql: SqlClient) {
  const one = <R>(text: string) => {
    const s = sql.prepare<R>(text);
    return async (...args: (string | number)[]): Promise<R> => {
      const r = await s.get(...args);
      if (!r) throw new Error('an aggregate returned no row');
      return r;
    };
  };
  const online = one<{ n: number }>('select count(*) as "n" from radius_sessions where stopped_at is null');
  const services = one<{ total: number; active: number; suspended: number }>(
    `select count(*) as "total", ${countIf("status = 'active'")} as "active", ${countIf("status = 'suspended'")} as "suspended" from services`,
  );
  const customers = one<{ n: number }>('select count(*) as "n" from customers');
  // The auth log has no `at` index (an index per login costs the RADIUS writer; migration 0006). Its
  // rows are appended as requests are answered, so time follows id: the window's first row is found
  // by a binary search over id, each step one lookup by id, and only the window's rows are read.
  // (A clock stepped back can leave a row out of order; the `at >= ?` keeps the figures exact for
  // the rows read, and at most such a row near the window's start is missed.)
  const idRange = one<{ lo: number; hi: number }>('select coalesce(min(id), 0) as "lo", coalesce(max(id), 0) as "hi" from auth_log');
  const atOrAfter = sql.prepare<{ id: number; at: string }>('select id, at from auth_log where id >= ? order by id limit 1');
  const auth = sql.prepare<DashboardFigures['auth'][number]>(
    `select substr(at, 1, 16) as "minute", ${countIf("outcome = 'accept'")} as "accept", ${countIf("outcome = 'reject'")} as "reject"
      from auth_log where id >= ? and at >= ? group by substr(at, 1, 16) order by 1`,
  );
  const firstAuthAt = async (since: string): Promise<number> => {
    let { lo, hi } = await idRange();
    hi += 1; // one past the last: "no row in the window"
    while (lo < hi) {
      const mid = lo + Math.floor((hi - lo) / 2);
      const row = await atOrAfter.get(mid);
      if (row === undefined || row.at >= since) hi = mid;
      else lo = row.id + 1;
    }
    return lo;
  };
  const paid = one<{ total: number }>('select coalesce(sum(amount - refunded), 0) as "total" from payments where date >= ? and date < ?');
  const invoiced = one<{ total: number }>('select coalesce(sum(total - credited), 0) as "total" from invoices where issue_date >= ? and issue_date < ?');
  const overdue = one<{ count: number; total: number }>('select count(*) as "count", coalesce(sum(open), 0) as "total" from invoices where open > 0 and due_date < ?');
  const nas = one<{ total: number; up: number; down: number }>(
    `select count(*) as "total", ${countIf("s.state = 'up'")} as "up", ${countIf("s.state = 'down'")} as "down" from nas n left join nas_status s on s.nas_id = n.id`,
  );
  const traffic = one<{ bytes: number }>('select coalesce(sum(input_octets + output_octets), 0) as "bytes" from usage_daily where day >= ? and day < ?');

  return {
    /** `now` sets the auth window (the last `minutes` minutes); `today` is the billing-zone date. */
    async figures(now: Date, today: string, minutes = 60): Promise<DashboardFigures> {
      const since = new Date(now.getTime() - minutes * 60_000).toISOString();
      const m = monthBounds(today);
      const s = await services();
      const n = await nas();
      const o = await overdue(today);
      const tomorrow = new Date(Date.parse(`${today}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
      return {
        online: (await online()).n,
        services: { active: s.active, suspended: s.suspended, total: s.total },
        customers: (await customers()).n,
        auth: await auth.all(await firstAuthAt(since), since),
        revenue: {
          thisMonth: (await paid(m.thisStart, m.nextStart)).total,
          lastMonth: (await paid(m.lastStart, m.thisStart)).total,
          invoicedThisMonth: (await invoiced(m.thisStart, m.nextStart)).total,
          invoicedLastMonth: (await invoiced(m.lastStart, m.thisStart)).total,
        },
        overdue: { count: o.count, total: o.total },
        nas: { up: n.up, down: n.down, unknown: n.total - n.up - n.down, total: n.total },
        traffic: {
          todayBytes: (await traffic(today, tomorrow)).bytes,
          monthBytes: (await traffic(m.thisStart, m.nextStart)).bytes,
        },
      };
    },
  };
}
