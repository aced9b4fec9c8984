// A plan change dated ahead takes effect on its day: the daily `plan-changes` job (order 5) switches
// services.plan_id, audits it, makes RADIUS drop its cached row (the next login gets the new rate) and
// asks ServiceControl for the live sessions' new rate; a second run changes and sends nothing. Real
// SQLite file, RADIUS on 127.0.0.1 UDP, the HTTP app through inject(), a recording ServiceControl.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlanSwitchResult } from '../../src/billing/plan-switch.js';
import type { Param } from '../../src/db/sql.js';
import { accounting, createPlan, createService, login, startEnv, type Env } from '../helpers/prepaid-env.js';

let env: Env;
let customerId: number;
let slow: number;
let fast: number;
let other: number;
const rows = (text: string, ...args: Param[]) => env.sql.all(text, ...args);
const planOf = async (serviceId: number) => (await env.sql.get<{ p: number }>('select plan_id as p from services where id = ?', serviceId))!.p;
const switches = (serviceId: number) => rows(`select actor, action, after from audit_log where entity = 'service' and entity_id = ? and action = 'plan_switch' order by id`, String(serviceId));

function job() {
  const j = env.jobs.jobs().find((x) => x.name === 'plan-changes');
  if (!j) throw new Error('the plan-changes job is not registered');
  return j;
}
const runFor = async (date: string) => (await job().runFor(date, { now: env.clock.now(), manual: true, signal: new AbortController().signal })) as PlanSwitchResult;

const plan = (name: string, down: number, up: number) => createPlan(env, name, { downloadKbps: down, uploadKbps: up });
const service = (username: string, planId: number) => createService(env, { customerId, planId, username, startDate: '2026-01-01' });
async function changePlan(serviceId: number, planId: number, effectiveDate: string) {
  const r = await env.call('POST', `/api/v1/services/${serviceId}/plan-changes`, { planId, effectiveDate });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
}

beforeAll(async () => {
  // 10 March 2026, 09:00 in Rome.
  env = await startEnv({ start: '2026-03-10T08:00:00.000Z' });
  customerId = (await env.call('POST', '/api/v1/customers', { name: 'Upgrader' })).body.id;
  slow = await plan('Slow', 10000, 2000);
  fast = await plan('Fast', 50000, 10000);
  other = await plan('Other', 20000, 4000);
});
afterAll(async () => env?.close());

describe('the plan-changes job', () => {
  let id: number;

  it('is registered before billing', () => {
    const names = env.jobs.jobs().map((j) => j.name);
    expect(names.indexOf('plan-changes')).toBeGreaterThanOrEqual(0);
    expect(names.indexOf('plan-changes')).toBeLessThan(names.indexOf('billing'));
  });

  it('leaves a change dated ahead alone the day before', async () => {
    id = await service('upgrader', slow);
    await changePlan(id, fast, '2026-03-15');
    expect(await planOf(id)).toBe(slow);
    // A live session, and a login that puts the service in RADIUS's cache.
    expect((await login(env, 'upgrader', 'pw-upgrader')).attrs['Mikrotik-Rate-Limit']).toBe('2000k/10000k');
    await accounting(env, 'Start', 'upgrader', 'sess-upgrader');
    env.clock.set('2026-03-14T08:00:00.000Z');
    const r = await runFor('2026-03-14');
    expect(r.switched).toEqual([]);
    expect(await planOf(id)).toBe(slow);
    expect(env.control.of('refreshRate', id)).toHaveLength(0);
    expect(await switches(id)).toHaveLength(0);
    expect(await rows('select applied_at from service_plan_changes where service_id = ?', id)).toEqual([{ applied_at: null }]);
  });

  it('switches the plan on the effective date: audited, RADIUS sees it, the live sessions get a CoA', async () => {
    env.clock.set('2026-03-15T01:05:00.000Z');
    const r = await runFor('2026-03-15');
    expect(r.switched).toEqual([{ serviceId: id, fromPlanId: slow, toPlanId: fast, planChangeId: expect.any(Number), effectiveDate: '2026-03-15' }]);
    expect(await planOf(id)).toBe(fast);
    const audit = await switches(id);
    expect(audit).toHaveLength(1);
    expect(audit[0]!.actor).toBe('system:plan-changes');
    expect(JSON.parse(String(audit[0]!.after))).toMatchObject({ planId: fast, previousPlanId: slow, effectiveDate: '2026-03-15', runDate: '2026-03-15' });
    const calls = env.control.of('refreshRate', id);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.req).toEqual({
      reason: `plan changed from ${slow} to ${fast} (effective 2026-03-15)`,
      reasonMessage: { key: 'reason.action.planSwitched', values: { from: slow, to: fast, date: '2026-03-15' } },
      by: 'system:plan-changes',
    });
    // The cached row was dropped: the next login (once the session has ended) gets the new plan's rate.
    await accounting(env, 'Stop', 'upgrader', 'sess-upgrader');
    expect((await login(env, 'upgrader', 'pw-upgrader')).attrs['Mikrotik-Rate-Limit']).toBe('10000k/50000k');
    expect(await rows('select applied_at from service_plan_changes where service_id = ?', id)).toEqual([{ applied_at: '2026-03-15T01:05:00.000Z' }]);
  });

  it('is idempotent: the same date again, or the next, changes and sends nothing', async () => {
    expect((await runFor('2026-03-15')).switched).toEqual([]);
    expect((await runFor('2026-03-16')).switched).toEqual([]);
    expect(await planOf(id)).toBe(fast);
    expect(env.control.of('refreshRate', id)).toHaveLength(1);
    expect(await switches(id)).toHaveLength(1);
  });

  it('applies a change once: a later hand edit of the plan is not undone by the next run', async () => {
    expect((await env.call('PATCH', `/api/v1/services/${id}`, { planId: other })).status).toBe(200);
    const calls = env.control.of('refreshRate', id).length;
    expect((await runFor('2026-03-17')).switched).toEqual([]);
    expect(await planOf(id)).toBe(other);
    expect(env.control.of('refreshRate', id)).toHaveLength(calls);
  });

  it('a change effective at once is applied when recorded, and the job leaves it alone', async () => {
    env.clock.set('2026-03-17T09:00:00.000Z');
    const now = await service('immediate', slow);
    await changePlan(now, fast, '2026-03-17');
    expect(await planOf(now)).toBe(fast);
    expect(await rows('select applied_at from service_plan_changes where service_id = ?', now)).toEqual([{ applied_at: '2026-03-17T09:00:00.000Z' }]);
    expect((await runFor('2026-03-17')).switched).toEqual([]);
    expect(await switches(now)).toHaveLength(0);
  });
});

describe('through the runner', () => {
  it('catches up missed dates in order and switches on the change date, before billing', async () => {
    const id = await service('late-upgrader', slow);
    await changePlan(id, fast, '2026-03-20');
    // The daily run of the 18th (run_at 02:00 Rome), then the daemon is down until the 23rd.
    env.clock.set('2026-03-18T01:30:00.000Z');
    const first = await env.jobs.runDue();
    expect(first.ok).toBe(true);
    expect(await planOf(id)).toBe(slow);
    env.clock.set('2026-03-23T01:30:00.000Z');
    const r = await env.jobs.runDue();
    expect(r.ok).toBe(true);
    const steps = r.steps.filter((s) => s.job === 'plan-changes');
    expect(steps.map((s) => s.date)).toEqual(['2026-03-19', '2026-03-20', '2026-03-21', '2026-03-22', '2026-03-23']);
    expect(steps.map((s) => (s.value as PlanSwitchResult).switched.map((x) => x.serviceId))).toEqual([[], [id], [], [], []]);
    // Within a date it runs before billing.
    const of20 = r.steps.filter((s) => s.date === '2026-03-20').map((s) => s.job);
    expect(of20.indexOf('plan-changes')).toBeLessThan(of20.indexOf('billing'));
    expect(await planOf(id)).toBe(fast);
    expect(env.control.of('refreshRate', id)).toHaveLength(1);
    expect(JSON.parse(String((await switches(id))[0]!.after))).toMatchObject({ effectiveDate: '2026-03-20', runDate: '2026-03-20' });
    // GET /api/v1/jobs lists it.
    const jobs = (await env.call('GET', '/api/v1/jobs')).body.items as { name: string; lastDate: string; order: number }[];
    expect(jobs.find((j) => j.name === 'plan-changes')).toMatchObject({ order: 5, lastDate: '2026-03-23' });
  });
});

describe('a pending change overtaken', () => {
  it('by a later change recorded as effective at once is not applied over it', async () => {
    env.clock.set('2026-03-24T09:00:00.000Z');
    const id = await service('overtaken', slow);
    await changePlan(id, fast, '2026-03-25');
    // The job has not run for the 25th yet when a change effective today is recorded.
    env.clock.set('2026-03-26T09:00:00.000Z');
    await changePlan(id, other, '2026-03-26');
    expect(await planOf(id)).toBe(other);
    // The route's own CoA for the change effective at once; the job adds none.
    expect(env.control.of('refreshRate', id)).toHaveLength(1);
    const r = await runFor('2026-03-26');
    expect(r.switched).toEqual([]);
    expect(r.applied).toBe(1);
    expect(await planOf(id)).toBe(other);
    expect(env.control.of('refreshRate', id)).toHaveLength(1);
    expect((await rows('select applied_at from service_plan_changes where service_id = ? order by id', id)).map((r) => r.applied_at !== null)).toEqual([true, true]);
  });
});

describe('GET /api/v1/services/{id}/billing shows whether each plan change has taken effect', () => {
  const changesOf = async (serviceId: number) => {
    const r = await env.call('GET', `/api/v1/services/${serviceId}/billing`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body.planChanges as { id: number; planId: number; effectiveDate: string; createdAt: string; appliedAt: string | null }[];
  };

  it('a change dated ahead is pending (appliedAt null) until the job runs for its date, then shows the instant', async () => {
    env.clock.set('2026-03-27T09:00:00.000Z');
    const id = await service('shown-ahead', slow);
    await changePlan(id, fast, '2026-03-29');
    expect(await changesOf(id)).toEqual([{ id: expect.any(Number), planId: fast, effectiveDate: '2026-03-29', createdAt: '2026-03-27T09:00:00.000Z', appliedAt: null }]);
    env.clock.set('2026-03-28T01:05:00.000Z');
    await runFor('2026-03-28');
    expect((await changesOf(id))[0]!.appliedAt).toBeNull();
    env.clock.set('2026-03-29T01:05:00.000Z');
    expect((await runFor('2026-03-29')).switched.map((s) => s.serviceId)).toEqual([id]);
    expect(await changesOf(id)).toEqual([expect.objectContaining({ planId: fast, effectiveDate: '2026-03-29', appliedAt: '2026-03-29T01:05:00.000Z' })]);
  });

  it('a change effective at once shows the instant it was recorded, at once', async () => {
    env.clock.set('2026-03-29T10:30:00.000Z');
    const id = await service('shown-now', slow);
    await changePlan(id, other, '2026-03-29');
    expect(await changesOf(id)).toEqual([expect.objectContaining({ planId: other, effectiveDate: '2026-03-29', appliedAt: '2026-03-29T10:30:00.000Z' })]);
  });
});
