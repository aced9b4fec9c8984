// The job runner's rules on each backend with a moved clock: catch-up in order, per-job progress,
// failures retried with backoff and never skipped, one run at a time (in-process, and across
// processes through the lease and, on PostgreSQL, the session lock).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { jobStore, sessionLockKey } from '../../../src/db/jobs.js';
import { openPostgres, type SessionLock } from '../../../src/db/sql.js';
import { TestClock } from '../../../src/lib/clock.js';
import { createScheduler } from '../../../src/scheduler/index.js';
import { createJobRunner, defaultBackoffMs, LEASE_NAME } from '../../../src/scheduler/jobs.js';
import { bootId } from '../../../src/lib/process-holder.js';
import { loadConfig } from '../../../src/config/load.js';
import { hostname } from 'node:os';
import { backendNames, openTestBackend, type TestBackend } from '../../helpers/backends.js';

const TZ = 'Europe/Rome';
const errors: { job: string; err: string }[] = [];
const log = { info: () => undefined, warn: () => undefined, error: (o: object) => void errors.push(o as { job: string; err: string }) };
const counts = new Map<string, number>();
const metrics = {
  jobRuns: { inc: (l: { job: string; outcome: string }) => void counts.set(`${l.job}:${l.outcome}`, (counts.get(`${l.job}:${l.outcome}`) ?? 0) + 1) },
  jobFailures: { set: (l: { job: string }, v: number) => void counts.set(`${l.job}:failures`, v) },
};

describe.each(backendNames)('job runner on %s', (backend) => {
  let be: TestBackend;
  beforeAll(async () => {
    be = await openTestBackend(backend);
  });
  afterAll(() => be?.close());
  beforeEach(async () => {
    await be.sql.exec('delete from job_state; delete from job_leases');
    errors.length = 0;
    counts.clear();
  });

  function setup(start: string) {
    const clock = new TestClock(start);
    const runner = createJobRunner({ store: jobStore(be.sql), clock, timezone: TZ, runAt: '02:00', log, metrics });
    const calls: string[] = [];
    return { clock, runner, calls };
  }

  it('orders by `order`, catches up missed dates date by date, and a later job starts at its first date', async () => {
    const { clock, runner, calls } = setup('2026-05-01T08:00:00Z');
    runner.register({ name: 'caps', order: 40, runFor: (d) => void calls.push(`${d} caps`) });
    runner.register({ name: 'billing', order: 10, runFor: (d) => void calls.push(`${d} billing`) });
    await runner.runDue();
    expect(calls).toEqual(['2026-05-01 billing', '2026-05-01 caps']);
    calls.length = 0;
    // Down for three days; a job added meanwhile runs from the current date only.
    clock.set('2026-05-04T08:00:00Z');
    runner.register({ name: 'dunning', order: 20, runFor: (d) => void calls.push(`${d} dunning`) });
    const r = await runner.runDue();
    expect(calls).toEqual([
      '2026-05-02 billing', '2026-05-02 caps', '2026-05-03 billing', '2026-05-03 caps',
      '2026-05-04 billing', '2026-05-04 dunning', '2026-05-04 caps',
    ]);
    expect(r.ok).toBe(true);
    expect((await runner.runDue()).skipped).toBe('nothing_due');
    expect(() => runner.register({ name: 'caps', order: 1, runFor: () => undefined })).toThrow(/already registered/);
  });

  it('takes its jobs and ticks at construction, in order, and refuses a name given twice', async () => {
    const clock = new TestClock('2026-05-01T08:00:00Z');
    const calls: string[] = [];
    const runner = createJobRunner({
      store: jobStore(be.sql), clock, timezone: TZ, runAt: '02:00', log, metrics,
      jobs: [
        { name: 'caps', order: 40, runFor: (d) => void calls.push(`${d} caps`) },
        { name: 'billing', order: 10, runFor: (d) => void calls.push(`${d} billing`) },
      ],
      ticks: [{ name: 'suspensions', run: () => undefined }],
    });
    expect(runner.jobs().map((j) => j.name)).toEqual(['billing', 'caps']);
    expect((await runner.status()).items.map((j) => j.name)).toEqual(['billing', 'caps', 'suspensions']);
    await runner.runDue();
    expect(calls).toEqual(['2026-05-01 billing', '2026-05-01 caps']);
    const twice = { name: 'billing', order: 10, runFor: () => undefined };
    expect(() => createJobRunner({ store: jobStore(be.sql), clock, timezone: TZ, runAt: '02:00', jobs: [twice, twice] })).toThrow(/already registered/);
  });

  it('a failure stops the run there, is recorded and reported, retried after the backoff, and nothing is skipped', async () => {
    const { clock, runner, calls } = setup('2026-05-01T08:00:00Z');
    let failing = true;
    runner.register({ name: 'billing', order: 10, runFor: (d) => void calls.push(`${d} billing`) });
    runner.register({
      name: 'dunning', order: 20,
      runFor: (d) => {
        if (failing && d === '2026-05-02') throw new Error('database is locked');
        calls.push(`${d} dunning`);
      },
    });
    runner.register({ name: 'prepaid', order: 30, runFor: (d) => void calls.push(`${d} prepaid`) });
    await runner.runDue();
    clock.set('2026-05-03T08:00:00Z');
    calls.length = 0;
    const r = await runner.runDue();
    expect(r.ok).toBe(false);
    expect(calls).toEqual(['2026-05-02 billing']);
    const st = (await runner.status()).items.find((j) => j.name === 'dunning')!;
    expect(st).toMatchObject({ status: 'failing', failures: 1, failedDate: '2026-05-02', lastError: 'database is locked', lastDate: '2026-05-01', nextRetryAt: '2026-05-03T08:01:00.000Z' });
    expect(errors.at(-1)).toMatchObject({ job: 'dunning', err: 'database is locked' });
    expect(counts.get('dunning:error')).toBe(1);
    expect(counts.get('dunning:failures')).toBe(1);
    // Before the retry time nothing runs; a second failure doubles the wait.
    expect((await runner.runDue()).skipped).toBe('retry_pending');
    clock.set('2026-05-03T08:01:00Z');
    await runner.runDue();
    expect((await runner.status()).items.find((j) => j.name === 'dunning')).toMatchObject({ failures: 2, nextRetryAt: '2026-05-03T08:03:00.000Z' });
    failing = false;
    calls.length = 0;
    clock.set('2026-05-03T08:03:00Z');
    expect((await runner.runDue()).ok).toBe(true);
    // The failed date first, in order: billing of the 2nd is done, so it resumes at dunning of the 2nd.
    expect(calls).toEqual(['2026-05-02 dunning', '2026-05-02 prepaid', '2026-05-03 billing', '2026-05-03 dunning', '2026-05-03 prepaid']);
    expect((await runner.status()).items.every((j) => j.lastDate === '2026-05-03' && j.failures === 0)).toBe(true);
    expect(counts.get('dunning:failures')).toBe(0);
    expect(defaultBackoffMs(1)).toBe(60_000);
    expect(defaultBackoffMs(20)).toBe(3_600_000);
  });

  it('never runs twice at once: concurrent calls queue, and another process holding the lease blocks', async () => {
    const { runner } = setup('2026-05-01T08:00:00Z');
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    runner.register({
      name: 'billing', order: 10,
      runFor: async () => {
        active++;
        maxActive = Math.max(maxActive, active);
        runs++;
        await new Promise((r) => setTimeout(r, 30));
        active--;
      },
    });
    const [a, b, c] = await Promise.all([runner.runDue(), runner.runDue(), runner.runAsOf('2026-05-01')]);
    expect(maxActive).toBe(1);
    expect(a.ok && b.skipped === 'nothing_due' && c.ok).toBe(true);
    expect(runs).toBe(2); // the timer's run once; the operator's explicit re-run of the same date once

    // Another process holds a live lease (on PostgreSQL, and the session lock on its own connection):
    // the timer skips, the API refuses.
    const other = setup('2026-05-02T08:00:00Z');
    other.runner.register({ name: 'billing', order: 10, runFor: () => undefined });
    const otherNode = backend === 'postgres' ? openPostgres({ url: be.url!, max: 1 }) : undefined;
    const otherLock: SessionLock | null | undefined = await otherNode?.sessionLock(sessionLockKey(LEASE_NAME));
    await jobStore(be.sql).acquireLease(LEASE_NAME, { id: 'other-host:1', host: 'other-host', bootId: null, pid: 1 }, '2026-05-02T08:00:00.000Z', '2026-05-02T08:05:00.000Z');
    expect((await other.runner.runDue()).skipped).toBe('lease_held');
    await expect(other.runner.runAsOf('2026-05-02')).rejects.toThrow(/another process \(other-host:1\)/);
    // An expired lease is taken over (on PostgreSQL once the lock is gone: that process ended).
    other.clock.set('2026-05-02T08:06:00Z');
    if (otherNode) {
      expect(otherLock).not.toBeNull();
      expect((await other.runner.runDue()).skipped).toBe('lease_held');
      await otherLock?.release();
      await otherNode.close();
    }
    expect((await other.runner.runDue()).ok).toBe(true);
    expect(await jobStore(be.sql).lease(LEASE_NAME)).toBeNull();
  });

  it('a lease of this very pid is taken over only when no runner of this process holds it (a restart that got the same pid)', async () => {
    const a = setup('2026-05-03T08:00:00Z');
    const b = setup('2026-05-03T08:00:00Z');
    let release!: () => void;
    const blocked = new Promise<void>((r) => (release = r));
    a.runner.register({ name: 'billing', order: 10, runFor: () => blocked });
    b.runner.register({ name: 'billing', order: 10, runFor: () => undefined });
    const running = a.runner.runDue();
    await new Promise((r) => setTimeout(r, 20));
    // Another runner of this process holds it: alive, so b waits.
    expect((await b.runner.runDue()).skipped).toBe('lease_held');
    release();
    expect((await running).ok).toBe(true);
    // A row naming this pid, host and boot but a holder id no runner here has: a previous process.
    await be.sql.run('insert into job_leases (name, holder, expires_at, host, boot_id, pid) values (?, ?, ?, ?, ?, ?)',
      LEASE_NAME, `${hostname()}:${process.pid}:dead0000`, '2026-05-04T09:00:00.000Z', hostname(), bootId(), process.pid);
    b.clock.set('2026-05-04T08:00:00Z');
    expect((await b.runner.runDue()).ok).toBe(true);
    expect(await jobStore(be.sql).lease(LEASE_NAME)).toBeNull();
  });

  it('a manual run stopped part-way is an error, never "already run"', async () => {
    const clock = new TestClock('2026-05-05T08:00:00Z');
    let release!: () => void;
    const blocked = new Promise<void>((r) => (release = r));
    const config = loadConfig(undefined, {}).config;
    const scheduler = createScheduler({
      sql: be.sql, config, clock, ticks: [],
      jobs: [
        { name: 'plan-changes', order: 5, runFor: () => blocked },
        { name: 'billing', order: 10, runFor: (date) => ({ date, alreadyRun: false, days: [{ date }] }) },
      ],
    });
    const run = scheduler.runDaily('2026-05-05');
    await new Promise((r) => setTimeout(r, 20));
    const stopped = scheduler.jobs.stop();
    release();
    await expect(run).rejects.toMatchObject({ code: 'billing_run_aborted' });
    await stopped;
  });
});
