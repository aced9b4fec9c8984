// Prepaid expiry notices per plan: a plan's `prepaidNoticeDays` ("3", "" for none, null for the global
// `[prepaid] notice_days`) set through the API decides which notices the expiry job sends for its
// services; bad values are refused naming the field with nothing changed; re-runs send nothing twice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrepaidOps } from '../../src/billing/prepaid-ops.js';
import type { Param } from '../../src/db/sql.js';
import { createPlan, createService, RecordingNotifier, startEnv, type Env } from '../helpers/prepaid-env.js';

const DAY = 86_400_000;
const START = '2026-03-10T10:00:00.000Z';
/** Every service here expires ten days after the start. */
const EXPIRES = new Date(Date.parse(START) + 10 * DAY).toISOString();

const prepaid = (days: string | null | undefined) => ({
  type: 'prepaid', billingPeriodMonths: null, validityDays: 30, ...(days === undefined ? {} : { prepaidNoticeDays: days }),
});
const fields = (r: { body: { errors?: { field: string }[] } }) => (r.body.errors ?? []).map((e) => e.field);
const count = async (env: Env, text: string, ...args: Param[]) => (await env.sql.get<{ n: number }>(text, ...args))!.n;

async function customer(env: Env, name: string): Promise<number> {
  const r = await env.call('POST', '/api/v1/customers', { name });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.id as number;
}

async function expiringService(env: Env, planId: number, customerId: number, username: string): Promise<number> {
  const id = await createService(env, { customerId, planId, username, startDate: '2026-03-01' });
  const r = await env.call('PATCH', `/api/v1/services/${id}`, { expiresAt: EXPIRES });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return id;
}

describe('prepaid notice days per plan', () => {
  let env: Env;
  beforeAll(async () => {
    env = await startEnv({ start: START });
  });
  afterAll(async () => env?.close());

  it('stores the plan value normalized, "" as none and null as the global setting', async () => {
    const a = await env.call('POST', '/api/v1/plans', { name: 'Store 1', price: 500, downloadKbps: 1000, uploadKbps: 1000, ...prepaid(' 1, 7 ,3') });
    expect(a.status, JSON.stringify(a.body)).toBe(201);
    expect(a.body.prepaidNoticeDays).toBe('7,3,1');
    const b = await env.call('POST', '/api/v1/plans', { name: 'Store 2', price: 500, downloadKbps: 1000, uploadKbps: 1000, ...prepaid('') });
    expect(b.body.prepaidNoticeDays).toBe('');
    const c = await env.call('POST', '/api/v1/plans', { name: 'Store 3', price: 500, downloadKbps: 1000, uploadKbps: 1000, ...prepaid(undefined) });
    expect(c.body.prepaidNoticeDays).toBeNull();
    expect((await env.call('GET', `/api/v1/plans/${b.body.id}`)).body.prepaidNoticeDays).toBe('');
    // A change goes through the plan's audited update.
    const p = await env.call('PATCH', `/api/v1/plans/${c.body.id}`, { prepaidNoticeDays: '2' });
    expect(p.status, JSON.stringify(p.body)).toBe(200);
    expect(p.body.prepaidNoticeDays).toBe('2');
    const audit = (await env.sql.get<{ before: string; after: string }>(`select before, after from audit_log where entity = 'plan' and entity_id = ? and action = 'update'`, String(c.body.id)))!;
    expect(JSON.parse(audit.before).prepaidNoticeDays).toBeNull();
    expect(JSON.parse(audit.after).prepaidNoticeDays).toBe('2');
    const back = await env.call('PATCH', `/api/v1/plans/${c.body.id}`, { prepaidNoticeDays: null });
    expect(back.body.prepaidNoticeDays).toBeNull();
  });

  it('refuses bad values naming prepaidNoticeDays, with the database unchanged', async () => {
    const id = await createPlan(env, 'Refuse', prepaid('3'));
    const state = async () => [await count(env, 'select count(*) n from plans'), await count(env, 'select count(*) n from audit_log'),
      (await env.sql.get<{ v: string }>('select prepaid_notice_days v from plans where id = ?', id))!.v];
    const before = await state();
    for (const bad of ['0', '400', '7,7', '7,3,2,1', 'abc', '3;1', '1,', ',', '-1', '1.5', 7, ['7']]) {
      const created = await env.call('POST', '/api/v1/plans', { name: `Bad ${String(bad)}`, price: 500, downloadKbps: 1000, uploadKbps: 1000, ...prepaid(bad as string) });
      expect(created.status, `${String(bad)}: ${JSON.stringify(created.body)}`).toBeGreaterThanOrEqual(400);
      expect(created.status).toBeLessThan(500);
      expect(created.type).toContain('application/problem+json');
      expect(fields(created), String(bad)).toContain('prepaidNoticeDays');
      const patched = await env.call('PATCH', `/api/v1/plans/${id}`, { prepaidNoticeDays: bad });
      expect(patched.status, `${String(bad)}: ${JSON.stringify(patched.body)}`).toBeGreaterThanOrEqual(400);
      expect(patched.status).toBeLessThan(500);
      expect(fields(patched), String(bad)).toContain('prepaidNoticeDays');
    }
    expect(await state()).toEqual(before);
    expect(before[2]).toBe('3');
  });

  it('sends a "3" plan only the 3-day notice, a "" plan none, a null plan the global 7, 3, 1; each once', async () => {
    const notifier = new RecordingNotifier();
    const ops = createPrepaidOps({ sql: env.sql, box: env.box, config: env.config, clock: env.clock, control: env.control, notifier });
    const customerId = await customer(env, 'Hotspot Customer');
    const three = await expiringService(env, await createPlan(env, 'Notice 3', prepaid('3')), customerId, 'pn-three');
    const none = await expiringService(env, await createPlan(env, 'Day pass', prepaid('')), customerId, 'pn-none');
    const global = await expiringService(env, await createPlan(env, 'Notice global', prepaid(null)), customerId, 'pn-global');
    const ours = new Set([three, none, global]);
    const sent = () => notifier.sent.filter((n) => ours.has(n.serviceId!) && n.template === 'prepaid.expiring').map((n) => [n.serviceId, n.data.days]);
    const exp = Date.parse(EXPIRES);
    // Each point twice: the second run of the same moment sends nothing.
    for (const at of [exp - 8 * DAY, exp - 7 * DAY + 1000, exp - 5 * DAY, exp - 3 * DAY + 1000, exp - 2 * DAY, exp - DAY + 1000, exp - 1000]) {
      env.clock.set(new Date(at));
      await ops.prepaid.runExpiry(env.clock.now());
      await ops.prepaid.runExpiry(env.clock.now());
    }
    expect(sent()).toEqual([[global, 7], [three, 3], [global, 3], [global, 1]]);
    expect(await count(env, `select count(*) n from service_notices where service_id = ? and key like 'prepaid.expiring:%'`, none)).toBe(0);
    expect(await count(env, `select count(*) n from service_notices where service_id = ? and key like 'prepaid.expiring:%'`, three)).toBe(1);
    expect(await count(env, `select count(*) n from service_notices where service_id = ? and key like 'prepaid.expiring:%'`, global)).toBe(3);

    // Idempotent in the database, not only in the notifier: a fresh notifier on a re-run is told nothing.
    const fresh = new RecordingNotifier();
    const again = createPrepaidOps({ sql: env.sql, box: env.box, config: env.config, clock: env.clock, control: env.control, notifier: fresh });
    for (const at of [exp - 7 * DAY + 1000, exp - 3 * DAY + 1000, exp - 1000]) {
      env.clock.set(new Date(at));
      const r = await again.prepaid.runExpiry(env.clock.now());
      expect(r.notices.filter((n) => ours.has(n.serviceId))).toEqual([]);
    }
    expect(fresh.sent.filter((n) => ours.has(n.serviceId!) && n.template === 'prepaid.expiring')).toEqual([]);
    env.clock.set(START);
  });

  it('a plan change takes effect for the notices still to come', async () => {
    const notifier = new RecordingNotifier();
    const ops = createPrepaidOps({ sql: env.sql, box: env.box, config: env.config, clock: env.clock, control: env.control, notifier });
    const planId = await createPlan(env, 'Switch', prepaid(''));
    const id = await expiringService(env, planId, await customer(env, 'Switching'), 'pn-switch');
    const exp = Date.parse(EXPIRES);
    env.clock.set(new Date(exp - 7 * DAY + 1000));
    await ops.prepaid.runExpiry(env.clock.now());
    expect((await env.call('PATCH', `/api/v1/plans/${planId}`, { prepaidNoticeDays: '1' })).status).toBe(200);
    env.clock.set(new Date(exp - 3 * DAY + 1000));
    await ops.prepaid.runExpiry(env.clock.now());
    env.clock.set(new Date(exp - DAY + 1000));
    await ops.prepaid.runExpiry(env.clock.now());
    await ops.prepaid.runExpiry(env.clock.now());
    expect(notifier.sent.filter((n) => n.serviceId === id).map((n) => n.data.days)).toEqual([1]);
    env.clock.set(START);
  });
});

describe('prepaid notice days per plan with no global notices', () => {
  let env: Env;
  beforeAll(async () => {
    env = await startEnv({ start: START, tomlExtra: '[prepaid]\nnotice_days = ""\n' });
  });
  afterAll(async () => env?.close());

  it('still sends the notices a plan sets itself, and none for plans that leave it to the global setting', async () => {
    const notifier = new RecordingNotifier();
    const ops = createPrepaidOps({ sql: env.sql, box: env.box, config: env.config, clock: env.clock, control: env.control, notifier });
    const customerId = await customer(env, 'No Global');
    const own = await expiringService(env, await createPlan(env, 'Own 3,1', prepaid('3,1')), customerId, 'ng-own');
    const global = await expiringService(env, await createPlan(env, 'Global none', prepaid(null)), customerId, 'ng-global');
    const exp = Date.parse(EXPIRES);
    for (const at of [exp - 7 * DAY + 1000, exp - 3 * DAY + 1000, exp - DAY + 1000, exp - DAY + 2000]) {
      env.clock.set(new Date(at));
      await ops.prepaid.runExpiry(env.clock.now());
    }
    const sent = notifier.sent.filter((n) => n.template === 'prepaid.expiring').map((n) => [n.serviceId, n.data.days]);
    expect(sent).toEqual([[own, 3], [own, 1]]);
    expect(sent.some(([s]) => s === global)).toBe(false);
  });
});
