/**
 * The operator's overview (the dashboard's second half, beside src/db/dashboard.ts): money this
 * month, overdue by age, services started and ended this month, who was online hour by hour, the
 * busiest NAS, the latest rejects, and the first-run checklist. Dates come in from the caller (the
 * billing zone's today, the clock's now): nothing here reads the time.
 */
import { addDays } from '../lib/calendar.js';
import { monthBounds } from './dashboard.js';
import type { SqlClient } from './sql.js';

/** Overdue age buckets, in days past the due date: 1–30 (shown "0–30"), 31–60, 61–90, over 90. */
export const OVERDUE_BUCKETS = ['0-30', '31-60', '61-90', '90+'] as const;
export type OverdueBucket = (typeof OVERDUE_BUCKETS)[number];

export interface Overview {
  month: { from: string; to: string };
  money: { invoiced: number; collected: number; refunded: number };
  overdue: Array<{ bucket: OverdueBucket; count: number; amount: number }>;
  services: { started: number; ended: number };
  /** One point per hour, oldest first: sessions open at the end of that hour (the last point: now). */
  online: Array<{ at: string; sessions: number }>;
  topNas: Array<{ nasId: number; name: string; sessions: number; bytes: number }>;
  rejects: Array<{ id: number; at: string; username: string; reason: string | null; reasonMessage: string | null; nasId: number | null; serviceId: number | null }>;
}

export interface ChecklistFacts {
  nas: number;
  plans: number;
  customers: number;
  services: number;
}

/** How far back the latest rejects are looked for, in auth-log rows (the log has no outcome index). */
const REJECT_WINDOW = 50_000;

export function overviewStore(sql: SqlClient) {
  const one = <R>(text: string) => {
    const s = sql.prepare<R>(text);
    return async (...args: (string | number)[]): Promise<R> => (await s.get(...args))!;
  };
  const invoiced = one<{ total: number }>('select coalesce(sum(total - credited), 0) as "total" from invoices where issue_date >= ? and issue_date < ?');
  const collected = one<{ total: number; refunded: number }>('select coalesce(sum(amount), 0) as "total", coalesce(sum(refunded), 0) as "refunded" from payments where date >= ? and date < ?');
  // Bucket bounds are due dates computed from today: an invoice due on or after the first bound is 1–30 days late.
  const overdue = sql.prepare<{ bucket: number; count: number; amount: number }>(
    `select case when due_date >= ? then 0 when due_date >= ? then 1 when due_date >= ? then 2 else 3 end as "bucket",
       count(*) as "count", coalesce(sum(open), 0) as "amount"
     from invoices where open > 0 and due_date < ? group by 1 order by 1`,
  );
  const started = one<{ n: number }>('select count(*) as "n" from services where start_date >= ? and start_date <= ?');
  const ended = one<{ n: number }>('select count(*) as "n" from service_billing where end_date >= ? and end_date <= ?');
  // The sessions that overlap the window: those still open, and those that stopped inside it.
  const overlapping = sql.prepare<{ startedAt: string; stoppedAt: string | null }>(
    `select started_at as "startedAt", stopped_at as "stoppedAt" from radius_sessions where (stopped_at is null or stopped_at >= ?) and started_at <= ?`,
  );
  const topNas = sql.prepare<{ nasId: number; name: string; sessions: number; bytes: number }>(
    `select n.id as "nasId", n.name, count(*) as "sessions", coalesce(sum(s.input_octets + s.output_octets), 0) as "bytes"
     from radius_sessions s join nas n on n.id = s.nas_id where (s.stopped_at is null or s.stopped_at >= ?)
     group by n.id, n.name order by 4 desc, n.id limit ?`,
  );
  const lastAuthId = one<{ id: number }>('select coalesce(max(id), 0) as "id" from auth_log');
  const rejects = sql.prepare<Overview['rejects'][number]>(
    `select id, at, username, reason, reason_message as "reasonMessage", nas_id as "nasId", service_id as "serviceId" from auth_log where id > ? and outcome = 'reject' order by id desc limit ?`,
  );
  const counts = one<ChecklistFacts>(`select (select count(*) from nas) as "nas", (select count(*) from plans) as "plans",
    (select count(*) from customers) as "customers", (select count(*) from services) as "services"`);

  return {
    async overview(now: Date, today: string, opts: { topNas?: number; rejects?: number } = {}): Promise<Overview> {
      const m = monthBounds(today);
      const money = await collected(m.thisStart, m.nextStart);
      const ages = new Map((await overdue.all(addDays(today, -30), addDays(today, -60), addDays(today, -90), today)).map((r) => [r.bucket, r]));
      // Hour marks: the end of each of the last 23 whole hours, and now.
      const hour = 3_600_000;
      const top = Math.floor(now.getTime() / hour) * hour;
      const marks = [...Array.from({ length: 23 }, (_, i) => top - (22 - i) * hour), now.getTime()];
      const since = new Date(marks[0]!).toISOString();
      const sessions = await overlapping.all(since, now.toISOString());
      const online = marks.map((t) => {
        const at = new Date(t).toISOString();
        let n = 0;
        for (const s of sessions) if (s.startedAt <= at && (s.stoppedAt === null || s.stoppedAt > at)) n++;
        return { at, sessions: n };
      });
      const dayAgo = new Date(now.getTime() - 24 * hour).toISOString();
      return {
        month: { from: m.thisStart, to: addDays(m.nextStart, -1) },
        money: { invoiced: (await invoiced(m.thisStart, m.nextStart)).total, collected: money.total, refunded: money.refunded },
        overdue: OVERDUE_BUCKETS.map((bucket, i) => ({ bucket, count: ages.get(i)?.count ?? 0, amount: ages.get(i)?.amount ?? 0 })),
        services: { started: (await started(m.thisStart, today)).n, ended: (await ended(m.thisStart, today)).n },
        online,
        topNas: await topNas.all(dayAgo, opts.topNas ?? 5),
        rejects: await rejects.all((await lastAuthId()).id - REJECT_WINDOW, opts.rejects ?? 10),
      };
    },
    /** What the first-run checklist counts in the database. */
    checklistFacts(): Promise<ChecklistFacts> {
      return counts();
    },
  };
}
