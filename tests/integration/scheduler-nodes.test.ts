// Several nodes on one PostgreSQL database: their job runners (each on its own SqlClient, as two
// daemons have) run each date once between them; a node whose lock connection dies (a kill -9, a
// network cut: here its backend is terminated from the other node) stops, and the other node takes
// over at once and runs what is left, not what was completed.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { jobStore, sessionLockKey } from '../../src/db/jobs.js';
import { openPostgres, type SqlClient } from '../../src/db/sql.js';
import { TestClock } from '../../src/lib/clock.js';
import { createJobRunner, LEASE_NAME, type Job, type JobRunner } from '../../src/scheduler/jobs.js';
import { openTestBackend, postgresReady, type TestBackend } from '../helpers/backends.js';

const TZ = 'Europe/Rome';

describe.runIf(postgresReady)('job runners of two nodes on one PostgreSQL database', () => {
  let b: TestBackend;
  let second: SqlClient;
  beforeAll(async () => {
    b = await openTestBackend('postgres');
    second = openPostgres({ url: b.url!, max: 4 });
  });
  afterAll(async () => {
    await second?.close();
    await b?.close();
  });

  const runs: string[] = [];
  const runner = (sql: SqlClient, node: string, clock: TestClock, job: (node: string) => Job): JobRunner =>
    createJobRunner({ store: jobStore(sql), clock, timezone: TZ, runAt: '02:00', jobs: [job(node)] });

  it('run a date once between them, whichever asks', async () => {
    const clock = new TestClock('2026-05-01T08:00:00Z');
    const slow = (node: string): Job => ({
      name: 'billing', order: 10,
      runFor: async (d) => {
        runs.push(`${node} ${d}`);
        await new Promise((r) => setTimeout(r, 50));
      },
    });
    const one = runner(b.sql, 'one', clock, slow);
    const two = runner(second, 'two', clock, slow);
    const [a, c] = await Promise.all([one.runDue(), two.runDue()]);
    expect([a.skipped, c.skipped].filter((s) => s === 'lease_held')).toHaveLength(1);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatch(/^(one|two) 2026-05-01$/);
    // Asked again, each finds the date done.
    expect((await one.runDue()).skipped).toBe('nothing_due');
    expect((await two.runDue()).skipped).toBe('nothing_due');
    expect(runs).toHaveLength(1);
    expect(await jobStore(b.sql).lease(LEASE_NAME)).toBeNull();
  });

  it('a holder whose connection is killed stops; the other takes over and runs what is left, once', async () => {
    runs.length = 0;
    await b.sql.exec('delete from job_state; delete from job_leases');
    const clock = new TestClock('2026-05-01T08:00:00Z');
    let signalOfOne: AbortSignal | undefined;
    // Node one's job hangs on 2 May until it is told to stop (as billing's run heeds its signal).
    const job = (node: string): Job => ({
      name: 'billing', order: 10,
      runFor: async (d, ctx) => {
        if (node === 'one' && d === '2026-05-02') {
          signalOfOne = ctx.signal;
          await new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('stopped')), { once: true }));
        }
        runs.push(`${node} ${d}`);
      },
    });
    const one = runner(b.sql, 'one', clock, job);
    const two = runner(second, 'two', clock, job);
    expect((await one.runDue()).ok).toBe(true);
    expect(runs).toEqual(['one 2026-05-01']);

    clock.set('2026-05-03T08:00:00Z');
    const stuck = one.runDue();
    await vi.waitFor(() => expect(signalOfOne).toBeDefined());
    expect((await two.runDue()).skipped).toBe('lease_held');

    // The holder's lock connection dies.
    const key = sessionLockKey(LEASE_NAME);
    const holder = await second.get<{ pid: number }>(
      `select pid from pg_locks where locktype = 'advisory' and granted and cast(classid as bigint) = ? and cast(objid as bigint) = ?`,
      Math.floor(key / 2 ** 32), key % 2 ** 32,
    );
    expect(holder).toBeDefined();
    expect(await second.get(`select pg_terminate_backend(?) as "done"`, holder!.pid)).toEqual({ done: true });
    // Node one learns it and stops, recording no failure (nothing waits for a retry).
    expect(await stuck).toMatchObject({ ok: false, steps: [] });
    expect(signalOfOne!.aborted).toBe(true);

    // A node killed outright leaves its lease row behind, unexpired and on another host: it does not
    // hold node two back, the lock does. Node two takes over at once and runs 2 and 3 May.
    await jobStore(second).forceLease(LEASE_NAME, { id: 'gone-host:4242:0badf00d', host: 'gone-host', bootId: null, pid: 4242 }, '2026-05-03T08:05:00.000Z');
    await vi.waitFor(async () => expect((await two.runDue()).skipped).toBeUndefined());
    expect(runs).toEqual(['one 2026-05-01', 'two 2026-05-02', 'two 2026-05-03']);
    expect(await jobStore(second).get('billing')).toMatchObject({ lastDate: '2026-05-03', failures: 0, nextRetryAt: null });
    // And node one, asked again (its pool has a fresh connection), finds nothing to do.
    expect((await one.runDue()).skipped).toBe('nothing_due');
    expect(runs).toHaveLength(3);
  });
});
