// The data-cap service on both backends, below RADIUS: plan tiers set and audited, usage deltas that
// cross a tier answered with one CoA and a notice per threshold, a data top-up that gives the rate
// back, and the period reset. The same rules the UDP test (tests/integration/caps.test.ts) checks
// end to end on SQLite, here on each store.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { capsService, type CapsService } from '../../../src/billing/caps.js';
import type { SqlClient, Statement } from '../../../src/db/sql.js';
import { TestClock } from '../../../src/lib/clock.js';
import { rowsOf, Topic, type Change } from '../../../src/lib/topic.js';
import type { ActionRequest, ActionSummary, ServiceControl } from '../../../src/nas/control.js';
import type { NotificationRequest, Notifier } from '../../../src/notify/types.js';
import { backendNames, openTestBackend, type TestBackend } from '../../helpers/backends.js';

class Control implements ServiceControl {
  readonly calls: { op: string; serviceId: number; reason: string; key?: string | undefined }[] = [];
  private record(op: string, serviceId: number, r: ActionRequest): Promise<ActionSummary> {
    this.calls.push({ op, serviceId, reason: r.reason, key: r.reasonMessage?.key });
    return Promise.resolve({ serviceId, actions: [] });
  }
  suspend(id: number, r: ActionRequest) { return this.record('suspend', id, r); }
  resume(id: number, r: ActionRequest) { return this.record('resume', id, r); }
  disconnect(id: number, r: ActionRequest) { return this.record('disconnect', id, r); }
  refreshRate(id: number, r: ActionRequest) { return this.record('refreshRate', id, r); }
}

/**
 * The client, counting the statements run through it (prepared ones included); `after.fn`, when set,
 * runs once a prepared statement's rows are read and before its caller sees them.
 */
function counting(sql: SqlClient): { sql: SqlClient; count: () => number; after: { fn?: ((text: string) => Promise<void>) | undefined } } {
  let n = 0;
  const after: { fn?: ((text: string) => Promise<void>) | undefined } = {};
  const wrap = <R>(text: string, st: Statement<R>): Statement<R> => ({
    all: async (...p) => {
      n++;
      const rows = await st.all(...p);
      await after.fn?.(text);
      return rows;
    },
    get: (...p) => (n++, st.get(...p)),
    run: (...p) => (n++, st.run(...p)),
  });
  const client: SqlClient = Object.create(sql) as SqlClient;
  Object.assign(client, {
    prepare: (text: string) => wrap(text, sql.prepare(text)),
    all: (text: string, ...p: unknown[]) => (n++, sql.all(text, ...(p as []))),
    get: (text: string, ...p: unknown[]) => (n++, sql.get(text, ...(p as []))),
    run: (text: string, ...p: unknown[]) => (n++, sql.run(text, ...(p as []))),
  });
  return { sql: client, count: () => n, after };
}

class Notices implements Notifier {
  readonly sent: NotificationRequest[] = [];
  async enqueue(req: NotificationRequest) {
    this.sent.push(req);
    return { queued: 1 };
  }
}

describe.each(backendNames)('caps service on %s', (name) => {
  let backend: TestBackend;
  let sql: SqlClient;
  let caps: CapsService;
  let control: Control;
  let notices: Notices;
  let clock: TestClock;
  let changes: Topic<Change>;
  let statements: () => number;
  let afterRead: { fn?: ((text: string) => Promise<void>) | undefined };
  const errors: unknown[] = [];
  beforeEach(async () => {
    backend = await openTestBackend(name);
    sql = backend.sql;
    control = new Control();
    notices = new Notices();
    changes = new Topic<Change>((e) => errors.push(e));
    // 2026-06-01 in Rome; services from 2026-01-15: the period is 2026-05-15..2026-06-14.
    clock = new TestClock('2026-06-01T08:00:00.000Z');
    const counted = counting(sql);
    statements = counted.count;
    afterRead = counted.after;
    caps = capsService({ sql: counted.sql, clock, timezone: 'Europe/Rome', control, notifier: notices, changes, onError: (e) => errors.push(e) });
  });
  afterEach(async () => {
    await caps.idle();
    await backend.close();
    expect(errors).toEqual([]);
  });

  async function plan(fields: { dataCapBytes?: number } = {}): Promise<number> {
    return (await sql.get<{ id: number }>(`insert into plans (name, type, price, billing_period_months, download_kbps, upload_kbps, data_cap_bytes, cap_action)
      values (?, 'recurring', 1000, 1, 50000, 10000, ?, ?) returning id`, `p${Math.random()}`, fields.dataCapBytes ?? null, fields.dataCapBytes === undefined ? null : 'block'))!.id;
  }
  async function service(planId: number, username: string, startDate = '2026-01-15'): Promise<number> {
    const customerId = (await sql.get<{ id: number }>(`insert into customers (name, email) values ('c', 'c@example.net') returning id`))!.id;
    return (await sql.get<{ id: number }>(`insert into services (customer_id, plan_id, username, password_enc, status, start_date) values (?, ?, ?, 'x', 'active', ?) returning id`,
      customerId, planId, username, startDate))!.id;
  }
  async function commit(serviceId: number, day: string, bytes: number) {
    await sql.run(`insert into usage_daily (service_id, day, input_octets, output_octets) values (?, ?, ?, 0)
      on conflict (service_id, day) do update set input_octets = usage_daily.input_octets + excluded.input_octets`, serviceId, day, bytes);
  }
  /** What the accounting writer does: the bytes committed, then the deltas published. */
  async function use(serviceId: number, day: string, bytes: number) {
    await commit(serviceId, day, bytes);
    caps.onUsage([{ serviceId, day, bytes }]);
    await caps.idle();
  }

  it('sets tiers (audited), CoAs once per crossing, sends each notice once, and a top-up gives the rate back', async () => {
    const p = await plan();
    expect(await caps.planTiers(p)).toEqual([]);
    const tiers = await caps.setPlanTiers(p, [{ fromBytes: 300_000, downloadKbps: 2000, uploadKbps: 500 }, { fromBytes: 200_000, downloadKbps: 10000, uploadKbps: 2000 }], { id: 'test' });
    expect(tiers.map((t) => t.fromBytes)).toEqual([200_000, 300_000]);
    expect(await sql.get(`select count(*) as n from audit_log where entity = 'plan_cap_tiers'`)).toEqual({ n: 1 });
    await expect(caps.planTiers(p + 1000)).rejects.toMatchObject({ code: 'not_found' });
    const id = await service(p, 'heavy');

    await use(id, '2026-05-20', 150_000);
    expect(control.calls).toEqual([]);
    await use(id, '2026-06-01', 20_000);
    expect(notices.sent.map((n) => n.template)).toEqual(['cap.80']);
    await use(id, '2026-06-01', 40_000);
    expect(control.calls).toEqual([{ op: 'refreshRate', serviceId: id, reason: 'data cap: 210000 bytes used, now tier 1', key: 'reason.action.capTier' }]);
    expect(notices.sent.map((n) => n.template)).toEqual(['cap.80', 'cap.100']);
    expect(await sql.get(`select tier from service_cap_state where service_id = ?`, id)).toEqual({ tier: 1 });
    await use(id, '2026-06-01', 1_000);
    expect(control.calls).toHaveLength(1);
    // Before the period: counted in no period of this one.
    await use(id, '2026-05-10', 500_000);
    expect(control.calls).toHaveLength(1);

    expect(await caps.usage(id)).toMatchObject({ usedBytes: 211_000, topupBytes: 0, capBytes: 200_000, tier: { level: 1, name: 'tier 1' }, period: { start: '2026-05-15', end: '2026-06-14' } });
    const topup = await caps.topupData(id, 100_000, { id: 'test' });
    expect(topup).toMatchObject({ serviceId: id, periodStart: '2026-05-15', bytes: 100_000, usage: { topupBytes: 100_000, tier: { level: 0 } } });
    expect(control.calls.at(-1)).toEqual({ op: 'refreshRate', serviceId: id, reason: 'data cap: back to full', key: 'reason.action.capBackFull' });
    await expect(caps.topupData(id, 0, { id: 'test' })).rejects.toMatchObject({ code: 'invalid_input' });
    const open = await service(await plan(), 'open');
    await expect(caps.topupData(open, 5, { id: 'test' })).rejects.toMatchObject({ code: 'conflict' });
  });

  it('blocks at a hard cap, and the period reset gives the full rate back once', async () => {
    const id = await service(await plan({ dataCapBytes: 100_000 }), 'capped');
    await use(id, '2026-06-01', 100_001);
    expect(control.calls).toEqual([{ op: 'disconnect', serviceId: id, reason: 'data cap: 100001 bytes used, now blocked', key: 'reason.action.capBlocked' }]);
    expect((await caps.runReset(clock.now())).reset).toEqual([]);
    clock.set('2026-06-15T08:00:00.000Z');
    expect((await caps.runReset(clock.now())).reset).toEqual([id]);
    expect(control.calls.at(-1)).toMatchObject({ op: 'refreshRate', serviceId: id, reason: 'data cap period from 2026-06-15: full', key: 'reason.action.capPeriodFull' });
    expect(await sql.get(`select period_start as "periodStart", tier from service_cap_state where service_id = ?`, id)).toEqual({ periodStart: '2026-06-15', tier: 0 });
    expect((await caps.runReset(clock.now())).reset).toEqual([]);
  });

  it('reads the counters of a whole batch in a few statements, each service in its own period', async () => {
    const p = await plan({ dataCapBytes: 1_000_000 });
    const open = await plan();
    // Start dates on every day of a month: as many cap periods as services.
    const ids: number[] = [];
    for (let i = 0; i < 60; i++) ids.push(await service(i % 10 === 0 ? open : p, `u${i}`, `2026-01-${String((i % 28) + 1).padStart(2, '0')}`));
    // Each has used 900,000 bytes on 2026-06-01; u1 (period from the 2nd) also on 2026-05-01, which is in its previous period.
    for (const id of ids) await commit(id, '2026-06-01', 900_000);
    await commit(ids[1]!, '2026-05-01', 500_000);
    const before = statements();
    for (const id of ids) await commit(id, '2026-06-01', 50_000);
    caps.onUsage(ids.map((serviceId) => ({ serviceId, day: '2026-06-01', bytes: 50_000 })));
    await caps.idle();
    // Whether any plan is capped, the services, the tiers of their two plans, the counters' facts,
    // the notices: then two statements per 80 % notice (marked once, and the customer it goes to).
    const capped = ids.filter((_, i) => i % 10 !== 0);
    expect(notices.sent.map((n) => n.serviceId).sort((a, b) => a! - b!)).toEqual(capped);
    expect(notices.sent.find((n) => n.serviceId === ids[1])).toMatchObject({ template: 'cap.80', data: { username: 'u1', periodStart: '2026-05-02' } });
    expect(statements() - before).toBe(5 + 2 * capped.length);
    expect(control.calls).toEqual([]);
    // What the metrics show: a counter per capped service, nothing waiting.
    expect(caps.stats()).toEqual({ counters: capped.length, queued: 0 });

    // The next batch adds to the counters in memory: crossing the cap at 1,000,000 blocks each capped service (a cross-check each).
    const mid = statements();
    caps.onUsage(ids.map((serviceId) => ({ serviceId, day: '2026-06-01', bytes: 100_000 })));
    for (const id of ids) await commit(id, '2026-06-01', 100_000);
    await caps.idle();
    expect(control.calls.map((c) => c.serviceId).sort((a, b) => a - b)).toEqual(capped);
    expect(statements() - mid).toBeGreaterThan(0);
    expect(await caps.usage(ids[1]!)).toMatchObject({ usedBytes: 1_050_000, period: { start: '2026-05-02', end: '2026-06-01' } });
  });

  it('reads a large batch a thousand services at a time', async () => {
    const p = await plan({ dataCapBytes: 1_000_000 });
    const first = (await sql.get<{ id: number }>(`insert into customers (name, email) values ('c', 'c@example.net') returning id`))!.id;
    await sql.run(`insert into services (customer_id, plan_id, username, password_enc, status, start_date)
      select ?, ?, 'bulk' || n.i, 'x', 'active', '2026-01-15' from (with recursive c(i) as (select 1 union all select i + 1 from c where i < 1500) select i from c) n`, first, p);
    const ids = (await sql.all<{ id: number }>(`select id from services where username like 'bulk%' order by id`)).map((r) => r.id);
    expect(ids).toHaveLength(1500);
    let reads = 0;
    afterRead.fn = async (text) => {
      if (text.includes('where s.id in')) reads++;
    };
    caps.onUsage(ids.map((serviceId) => ({ serviceId, day: '2026-06-01', bytes: 1 })));
    await caps.idle();
    expect(reads).toBe(2);
    // Each held: the next batch reads nothing.
    caps.onUsage(ids.map((serviceId) => ({ serviceId, day: '2026-06-01', bytes: 1 })));
    await caps.idle();
    expect(reads).toBe(2);
    expect(errors).toEqual([]);
  });

  it('follows changes of services and plans published by this node or another one', async () => {
    const roomy = await plan({ dataCapBytes: 10_000_000 });
    const tight = await plan({ dataCapBytes: 100_000 });
    const id = await service(roomy, 'mover');
    await use(id, '2026-06-01', 60_000);
    expect(control.calls).toEqual([]);
    // Another node moves the service to the tight plan: the database changes, the relay publishes the ids.
    await sql.run(`update services set plan_id = ? where id = ?`, tight, id);
    changes.publish(rowsOf('service', [id]));
    await use(id, '2026-06-01', 50_000);
    expect(control.calls).toEqual([{ op: 'disconnect', serviceId: id, reason: 'data cap: 110000 bytes used, now blocked', key: 'reason.action.capBlocked' }]);

    expect(caps.stats().counters).toBe(1);
    changes.publish(rowsOf('service', [id]));
    expect(caps.stats().counters).toBe(0);
    // A plan's cap raised elsewhere: every counter is read again, and the next crossing is the new cap's.
    const other = await service(roomy, 'other');
    await use(other, '2026-06-01', 60_000);
    await sql.run(`update plans set data_cap_bytes = 70000 where id = ?`, roomy);
    changes.publish({ entity: 'plan' });
    await use(other, '2026-06-01', 20_000);
    expect(control.calls.at(-1)).toMatchObject({ op: 'disconnect', serviceId: other, key: 'reason.action.capBlocked' });
  });

  it('does not keep a counter read before a change of its service committed', async () => {
    const roomy = await plan({ dataCapBytes: 10_000_000 });
    const tight = await plan({ dataCapBytes: 100_000 });
    const id = await service(roomy, 'racer');
    await commit(id, '2026-06-01', 60_000);
    // The move to the tight plan commits and is published just after the batch read the service's cap facts.
    afterRead.fn = async (text) => {
      if (!text.includes('where s.id in')) return;
      afterRead.fn = undefined;
      await sql.run(`update services set plan_id = ? where id = ?`, tight, id);
      changes.publish(rowsOf('service', [id]));
    };
    caps.onUsage([{ serviceId: id, day: '2026-06-01', bytes: 60_000 }]);
    await caps.idle();
    expect(afterRead.fn).toBeUndefined();
    // Kept, the roomy plan's counter would let this pass unseen.
    await use(id, '2026-06-01', 50_000);
    expect(control.calls).toEqual([{ op: 'disconnect', serviceId: id, reason: 'data cap: 110000 bytes used, now blocked', key: 'reason.action.capBlocked' }]);
  });

  it('does not keep what it read of a plan whose cap changed meanwhile', async () => {
    const p = await plan({ dataCapBytes: 10_000_000 });
    const id = await service(p, 'planrace');
    await commit(id, '2026-06-01', 60_000);
    // The plan's cap is lowered and published just after the batch read the service and its plan.
    afterRead.fn = async (text) => {
      if (!text.includes('where s.id in')) return;
      afterRead.fn = undefined;
      await sql.run(`update plans set data_cap_bytes = 100000 where id = ?`, p);
      changes.publish({ entity: 'plan' });
    };
    caps.onUsage([{ serviceId: id, day: '2026-06-01', bytes: 60_000 }]);
    await caps.idle();
    await use(id, '2026-06-01', 50_000);
    expect(control.calls).toEqual([{ op: 'disconnect', serviceId: id, reason: 'data cap: 110000 bytes used, now blocked', key: 'reason.action.capBlocked' }]);
  });

  it('resets the services of a new period with their facts read together', async () => {
    const p = await plan({ dataCapBytes: 100_000 });
    const ids: number[] = [];
    for (let i = 0; i < 12; i++) ids.push(await service(p, `reset${i}`));
    for (const id of ids) await use(id, '2026-06-01', 100_001);
    expect(control.calls.filter((c) => c.op === 'disconnect')).toHaveLength(12);
    // The last one already used its whole new period's cap on its first day: it stays blocked.
    await commit(ids[11]!, '2026-06-15', 100_001);
    clock.set('2026-06-15T08:00:00.000Z');
    const before = statements();
    expect((await caps.runReset(clock.now())).reset).toEqual(ids.slice(0, 11));
    // The reduced services, the facts of the chunk (two), the plan's tiers, then the new state of each.
    expect(statements() - before).toBe(4 + 12);
    expect(control.calls.filter((c) => c.op === 'refreshRate')).toHaveLength(11);
    expect(await sql.get(`select period_start as "periodStart", tier from service_cap_state where service_id = ?`, ids[11])).toEqual({ periodStart: '2026-06-15', tier: 4 });
    expect((await caps.runReset(clock.now())).reset).toEqual([]);
  });

  it('catches up in one batch the usage committed while it was busy', async () => {
    const p = await plan({ dataCapBytes: 1_000_000 });
    const ids: number[] = [];
    for (let i = 0; i < 6; i++) ids.push(await service(p, `busy${i}`));
    let reads = 0;
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    afterRead.fn = async (text) => {
      if (!text.includes('where s.id in')) return;
      if (++reads === 1) await held;
    };
    // The first batch's read is held; five more commits arrive meanwhile, each on a turn of its own.
    for (const id of ids) {
      await commit(id, '2026-06-01', 900_000);
      caps.onUsage([{ serviceId: id, day: '2026-06-01', bytes: 900_000 }]);
      await new Promise((r) => setImmediate(r));
    }
    release();
    await caps.idle();
    expect(reads).toBe(2);
    expect(notices.sent.map((n) => n.serviceId)).toEqual(ids);
  });
});
