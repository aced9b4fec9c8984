/** Read-only figures for the admin UI's dashboard: one query per figure, all on indexed columns. */
import type { Db } from './client.js';

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

export function dashboardStore(db: Db) {
  const c = db.$client;
  const online = c.prepare('select count(*) as n from radius_sessions where stopped_at is null');
  const services = c.prepare("select count(*) as total, coalesce(sum(status = 'active'), 0) as active, coalesce(sum(status = 'suspended'), 0) as suspended from services");
  const customers = c.prepare('select count(*) as n from customers');
  // The auth log has no `at` index (an index per login costs the RADIUS writer; migration 0006). Its
  // rows are appended as requests are answered, so time follows id: the window's first row is found
  // by a binary search over id, each step one rowid lookup, and only the window's rows are read.
  // (A clock stepped back can leave a row out of order; the `at >= ?` keeps the figures exact for
  // the rows read, and at most such a row near the window's start is missed.)
  const idRange = c.prepare('select coalesce(min(id), 0) as lo, coalesce(max(id), 0) as hi from auth_log');
  const atOrAfter = c.prepare('select id, at from auth_log where id >= ? order by id limit 1');
  const auth = c.prepare("select substr(at, 1, 16) as minute, coalesce(sum(outcome = 'accept'), 0) as accept, coalesce(sum(outcome = 'reject'), 0) as reject from auth_log where id >= ? and at >= ? group by minute order by minute");
  const firstAuthAt = (since: string): number => {
    let { lo, hi } = idRange.get() as { lo: number; hi: number };
    hi += 1; // one past the last: "no row in the window"
    while (lo < hi) {
      const mid = lo + Math.floor((hi - lo) / 2);
      const row = atOrAfter.get(mid) as { id: number; at: string } | undefined;
      if (row === undefined || row.at >= since) hi = mid;
      else lo = row.id + 1;
    }
    return lo;
  };
  const paid = c.prepare('select coalesce(sum(amount - refunded), 0) as total from payments where date >= ? and date < ?');
  const invoiced = c.prepare('select coalesce(sum(total - credited), 0) as total from invoices where issue_date >= ? and issue_date < ?');
  const overdue = c.prepare('select count(*) as count, coalesce(sum(open), 0) as total from invoices where open > 0 and due_date < ?');
  const nas = c.prepare("select count(*) as total, coalesce(sum(s.state = 'up'), 0) as up, coalesce(sum(s.state = 'down'), 0) as down from nas n left join nas_status s on s.nas_id = n.id");
  const traffic = c.prepare('select coalesce(sum(input_octets + output_octets), 0) as bytes from usage_daily where day >= ? and day < ?');

  return {
    /** `now` sets the auth window (the last `minutes` minutes); `today` is the billing-zone date. */
    figures(now: Date, today: string, minutes = 60): DashboardFigures {
      const since = new Date(now.getTime() - minutes * 60_000).toISOString();
      const m = monthBounds(today);
      const s = services.get() as { total: number; active: number; suspended: number };
      const n = nas.get() as { total: number; up: number; down: number };
      const o = overdue.get(today) as { count: number; total: number };
      const tomorrow = new Date(Date.parse(`${today}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
      return {
        online: (online.get() as { n: number }).n,
        services: { active: s.active, suspended: s.suspended, total: s.total },
        customers: (customers.get() as { n: number }).n,
        auth: auth.all(firstAuthAt(since), since) as DashboardFigures['auth'],
        revenue: {
          thisMonth: (paid.get(m.thisStart, m.nextStart) as { total: number }).total,
          lastMonth: (paid.get(m.lastStart, m.thisStart) as { total: number }).total,
          invoicedThisMonth: (invoiced.get(m.thisStart, m.nextStart) as { total: number }).total,
          invoicedLastMonth: (invoiced.get(m.lastStart, m.thisStart) as { total: number }).total,
        },
        overdue: { count: o.count, total: o.total },
        nas: { up: n.up, down: n.down, unknown: n.total - n.up - n.down, total: n.total },
        traffic: {
          todayBytes: (traffic.get(today, tomorrow) as { bytes: number }).bytes,
          monthBytes: (traffic.get(m.thisStart, m.nextStart) as { bytes: number }).bytes,
        },
      };
    },
  };
}
