// The daily run across both DST changes in Europe/Rome, with a moved clock (no waiting): croner's
// own fire times, and the state-driven runner ticking every five minutes over the change days, run
// each date exactly once at the first valid instant at or after run_at; the billing date run is the
// local date. Then the real app: POST /api/v1/billing/run on a change day and the timer path.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { jobStore } from '../../src/db/jobs.js';
import type { SqlClient } from '../../src/db/sql.js';
import { tokenStore } from '../../src/db/security.js';
import type { App } from '../../src/http/build.js';
import { buildApp } from '../helpers/app.js';
import { TestClock } from '../../src/lib/clock.js';
import { SecretBox } from '../../src/lib/secretbox.js';
import { createJobRunner, dueDate, nextFireTimes, type JobRunner } from '../../src/scheduler/jobs.js';
import { openAppDatabase, type TestBackend } from '../helpers/backends.js';
import { tempDir } from '../helpers/daemon.js';

const TZ = 'Europe/Rome';
let backend: TestBackend;
let sql: SqlClient;

beforeAll(async () => {
  backend = await openAppDatabase(tempDir('tollgate-dst-'));
  ({ sql } = backend);
});
afterAll(() => backend?.close());

/** Steps the clock every `stepMin` minutes from `from` to `to`, ticking the runner; returns date -> instants run. */
async function simulate(runAt: string, from: string, to: string, stepMin = 5) {
  await sql.exec('delete from job_state; delete from job_leases');
  const clock = new TestClock(from);
  const runner = createJobRunner({ store: jobStore(sql), clock, timezone: TZ, runAt });
  const runs = new Map<string, string[]>();
  runner.register({ name: 'billing', order: 10, runFor: (date) => void runs.set(date, [...(runs.get(date) ?? []), clock.now().toISOString()]) });
  runner.register({ name: 'dunning', order: 20, runFor: () => undefined });
  while (clock.now().toISOString() <= to) {
    await runner.runDue();
    clock.advance(stepMin * 60_000);
  }
  return runs;
}

describe('catch-up after downtime', () => {
  it('a daemon stopped for 10 days does those 10 days\' work at start, date by date, each job in order', async () => {
    await sql.exec('delete from job_state; delete from job_leases');
    const log: string[] = [];
    const runnerAt = (iso: string) => {
      const clock = new TestClock(iso);
      const runner = createJobRunner({ store: jobStore(sql), clock, timezone: TZ, runAt: '02:00' });
      runner.register({ name: 'billing', order: 10, runFor: (date) => void log.push(`billing ${date}`) });
      runner.register({ name: 'dunning', order: 20, runFor: (date) => void log.push(`dunning ${date}`) });
      runner.register({ name: 'prepaid-expiry', order: 30, runFor: (date) => void log.push(`prepaid-expiry ${date}`) });
      return runner;
    };
    // Last run on 1 June, then the daemon is down until 11 June 09:00 local time.
    const before = runnerAt('2026-06-01T06:00:00Z');
    await before.runDue();
    expect(log).toEqual(['billing 2026-06-01', 'dunning 2026-06-01', 'prepaid-expiry 2026-06-01']);
    log.length = 0;

    const after = runnerAt('2026-06-11T07:00:00Z');
    after.start(3_600_000);
    const deadline = Date.now() + 10_000;
    while ((await after.status()).items.some((j) => j.lastDate !== '2026-06-11') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await after.stop();
    const expected: string[] = [];
    for (let d = 2; d <= 11; d++) for (const job of ['billing', 'dunning', 'prepaid-expiry']) expected.push(`${job} 2026-06-${String(d).padStart(2, '0')}`);
    expect(log).toEqual(expected);
  });
});

describe('spring forward (2026-03-29: 02:00 CET -> 03:00 CEST)', () => {
  it('croner fires once on the day, at 03:00 CEST, for a run_at inside the gap', () => {
    expect(nextFireTimes('02:30', TZ, 4, new Date('2026-03-27T12:00:00Z')).map((d) => d.toISOString())).toEqual([
      '2026-03-28T01:30:00.000Z', '2026-03-29T01:00:00.000Z', '2026-03-30T00:30:00.000Z', '2026-03-31T00:30:00.000Z',
    ]);
  });

  it('the runner runs every date once, the change day at the end of the gap', async () => {
    const runs = await simulate('02:30', '2026-03-27T23:00:00Z', '2026-03-30T23:00:00Z');
    expect(Object.fromEntries(runs)).toEqual({
      // The first tick: yesterday's date is due (02:30 on the 27th has passed).
      '2026-03-27': ['2026-03-27T23:00:00.000Z'],
      '2026-03-28': ['2026-03-28T01:30:00.000Z'],
      '2026-03-29': ['2026-03-29T01:00:00.000Z'],
      '2026-03-30': ['2026-03-30T00:30:00.000Z'],
    });
    // The same with run_at at the gap's first minute.
    const at2 = await simulate('02:00', '2026-03-28T12:00:00Z', '2026-03-29T12:00:00Z');
    expect(at2.get('2026-03-29')).toEqual(['2026-03-29T01:00:00.000Z']);
  });
});

describe('fall back (2026-10-25: 03:00 CEST -> 02:00 CET)', () => {
  it('croner fires once on the day, at the first 02:30', () => {
    const times = nextFireTimes('02:30', TZ, 4, new Date('2026-10-23T12:00:00Z')).map((d) => d.toISOString());
    expect(times).toEqual(['2026-10-24T00:30:00.000Z', '2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z', '2026-10-27T01:30:00.000Z']);
  });

  it('the runner runs the change day once although 02:30 happens twice', async () => {
    const runs = await simulate('02:30', '2026-10-24T12:00:00Z', '2026-10-26T12:00:00Z', 5);
    expect(Object.fromEntries(runs)).toEqual({
      '2026-10-24': ['2026-10-24T12:00:00.000Z'],
      '2026-10-25': ['2026-10-25T00:30:00.000Z'],
      '2026-10-26': ['2026-10-26T01:30:00.000Z'],
    });
    // Minute by minute through the repeated hour: still once.
    const fine = await simulate('02:30', '2026-10-25T00:00:00Z', '2026-10-25T02:00:00Z', 1);
    expect(fine.get('2026-10-25')).toEqual(['2026-10-25T00:30:00.000Z']);
    expect(dueDate(new Date('2026-10-25T01:45:00Z'), TZ, '02:30')).toBe('2026-10-25');
  });
});

describe('the app on a change day', () => {
  let app: App;
  let daily: JobRunner;
  let token: string;
  let own: TestBackend;
  const clock = new TestClock('2026-03-29T00:59:00Z'); // 01:59 CET, before the gap
  beforeAll(async () => {
    own = await openAppDatabase(tempDir('tollgate-dst-app-'));
    const config = loadConfig(undefined, { TOLLGATE_BILLING_RUN_AT: '02:30' }).config;
    ({ app, jobs: daily } = await buildApp({ sql: own.sql, db: own.db, box: new SecretBox(randomBytes(32)), config, clock }));
    token = (await tokenStore(own.sql).create({ name: 't', role: 'super-admin', actor: { id: 'cli' } })).token;
  });
  afterAll(async () => {
    await app?.close();
    await own?.close();
  });
  const call = async (method: string, url: string, payload?: unknown) => {
    const res = await app.inject({ method: method as 'GET', url, payload: payload as object, headers: { authorization: `Bearer ${token}` } });
    return { status: res.statusCode, body: res.json() };
  };

  it('the timer path: nothing before 03:00 CEST, then the day once; the API run is idempotent', async () => {
    const first = await daily.runDue();
    expect(first.target).toBe('2026-03-28');
    clock.set('2026-03-29T00:59:59Z');
    expect((await daily.runDue()).skipped).toBe('nothing_due');
    clock.set('2026-03-29T01:00:00Z');
    const r = await daily.runDue();
    expect(r.target).toBe('2026-03-29');
    expect(r.steps.filter((s) => s.job === 'billing').map((s) => s.date)).toEqual(['2026-03-29']);
    const jobs = (await call('GET', '/api/v1/jobs')).body;
    expect(jobs).toMatchObject({ timezone: TZ, runAt: '02:30', dueDate: '2026-03-29', nextRunAt: '2026-03-30T00:30:00.000Z' });
    expect(jobs.items.every((j: { lastDate: string; status: string }) => j.lastDate === '2026-03-29' && j.status === 'ok')).toBe(true);
    expect((await call('POST', '/api/v1/billing/run', { date: '2026-03-29' })).body).toMatchObject({ date: '2026-03-29', alreadyRun: false, days: [{ date: '2026-03-29', invoices: 0 }] });
    expect((await call('POST', '/api/v1/billing/run', { date: '2026-03-28' })).body).toEqual({ date: '2026-03-28', alreadyRun: true, days: [] });
    expect((await call('POST', '/api/v1/billing/run', { date: '2026-02-30' })).status).toBe(422);
  });

  it('start() ticks on its interval and stop() waits for the run in progress', async () => {
    clock.set('2026-03-30T00:30:00Z');
    daily.start(20);
    const deadline = Date.now() + 5000;
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    // Every job's date done by the timer alone. (Stopping as soon as billing's is done would stop the
    // run at its next step, as stop() says: on PostgreSQL the run spans many event-loop turns.)
    const done = async () => (await daily.status()).items.every((j) => j.lastDate === '2026-03-30');
    while (!(await done()) && Date.now() < deadline) await sleep(20);
    await daily.stop();
    const stopped = await daily.status();
    expect(stopped.items.map((j) => j.lastDate)).toEqual(stopped.items.map(() => '2026-03-30'));
    // Resolved with nothing left running: no job records anything afterwards.
    await sleep(100);
    expect(await daily.status()).toEqual(stopped);
  });
});
