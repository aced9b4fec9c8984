// Data caps end to end over real UDP: usage from accounting shared by a service's sessions, per
// period anchored to the billing day; an interim that crosses a tier triggers a CoA (refreshRate) at
// once; logins over the cap are throttled or rejected; data top-ups and the period reset bring the
// full rate back; 80 % and 100 % notices once per period; GET /usage shows it all.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Param } from '../../src/db/sql.js';
import { accounting, login, startEnv, type Env } from '../helpers/prepaid-env.js';

let env: Env;
let tiered: number;
let blocking: number;
let customerId: number;
const count = async (text: string, ...args: Param[]) => (await env.sql.get<{ n: number }>(text, ...args))!.n;

async function service(username: string, planId: number, extra: Record<string, unknown> = {}) {
  const r = await env.call('POST', '/api/v1/services', { customerId, planId, username, password: `pw-${username}`, startDate: '2026-01-15', ...extra });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.id as number;
}

/** Sends an interim and measures how long until the caps hook asks the network for a change. */
async function interimAndWait(username: string, session: string, bytesIn: number, serviceId: number, op: 'refreshRate' | 'disconnect' = 'refreshRate') {
  const waiting = env.control.next((c) => c.serviceId === serviceId && c.op === op, 1500);
  const sent = performance.now();
  await accounting(env, 'Interim-Update', username, session, { in: bytesIn, out: 0 });
  const call = await waiting;
  return call ? { call, ms: call.at - sent } : undefined;
}

beforeAll(async () => {
  // 2026-06-01 in Rome; the services started on 2026-01-15: the cap period is 2026-05-15..2026-06-14.
  env = await startEnv({ start: '2026-06-01T08:00:00.000Z' });
  customerId = (await env.call('POST', '/api/v1/customers', { name: 'Heavy User', email: 'heavy@example.net' })).body.id;
  tiered = (await env.call('POST', '/api/v1/plans', { name: 'Fair use', type: 'recurring', price: 3000, billingPeriodMonths: 1, downloadKbps: 50000, uploadKbps: 10000 })).body.id;
  const t = await env.call('PUT', `/api/v1/plans/${tiered}/cap-tiers`, {
    tiers: [{ fromBytes: 300_000, downloadKbps: 2000, uploadKbps: 500 }, { fromBytes: 200_000, downloadKbps: 10000, uploadKbps: 2000 }],
  });
  expect(t.status, JSON.stringify(t.body)).toBe(200);
  expect(t.body.tiers.map((x: { fromBytes: number }) => x.fromBytes)).toEqual([200_000, 300_000]);
  blocking = (await env.call('POST', '/api/v1/plans', { name: 'Hard cap', type: 'recurring', price: 1000, billingPeriodMonths: 1, downloadKbps: 20000, uploadKbps: 5000, dataCapBytes: 100_000, capAction: 'block' })).body.id;
});
afterAll(async () => env?.close());

describe('plan tiers API', () => {
  it('validates tiers and audits the change', async () => {
    const four = await env.call('PUT', `/api/v1/plans/${tiered}/cap-tiers`, { tiers: [1, 2, 3, 4].map((i) => ({ fromBytes: i * 1000, downloadKbps: 100, uploadKbps: 100 })) });
    expect([400, 422]).toContain(four.status);
    const dup = await env.call('PUT', `/api/v1/plans/${tiered}/cap-tiers`, { tiers: [{ fromBytes: 5, downloadKbps: 1, uploadKbps: 1 }, { fromBytes: 5, downloadKbps: 2, uploadKbps: 2 }] });
    expect(dup.status).toBe(422);
    expect(JSON.stringify(dup.body)).toContain('fromBytes');
    expect((await env.call('GET', `/api/v1/plans/${tiered}/cap-tiers`)).body.tiers).toHaveLength(2);
    expect(await count(`select count(*) n from audit_log where entity = 'plan_cap_tiers' and entity_id = ?`, String(tiered))).toBe(1);
  });
});

describe('fair-use tiers', () => {
  let id: number;
  it('counts usage of all sessions in the billing-day period and CoAs the moment a tier is crossed', async () => {
    id = await service('cap-tiered', tiered, { simultaneousUse: 2 });
    const first = await login(env, 'cap-tiered', 'pw-cap-tiered', { 'Calling-Station-Id': 'AA:BB:CC:00:00:01' });
    expect(first.attrs['Mikrotik-Rate-Limit']).toBe('10000k/50000k');
    await accounting(env, 'Start', 'cap-tiered', 's1');
    expect(await interimAndWait('cap-tiered', 's1', 150_000, id)).toBeUndefined();
    let u = (await env.call('GET', `/api/v1/services/${id}/usage`)).body;
    expect(u).toMatchObject({ period: { start: '2026-05-15', end: '2026-06-14' }, usedBytes: 150_000, capBytes: 200_000, tier: { level: 0, name: 'full' } });
    // 80 % of the 200,000 full-speed allowance: a notice, no CoA.
    expect(await interimAndWait('cap-tiered', 's1', 170_000, id)).toBeUndefined();
    // The notice is written by the check that follows the commit: wait for that check, not for a CoA that is not coming.
    await env.services.prepaid.caps.idle();
    expect(await count(`select count(*) n from service_notices where service_id = ? and key = 'cap.80:2026-05-15'`, id)).toBe(1);
    // Crossing 200,000: a CoA right away.
    const crossed = await interimAndWait('cap-tiered', 's1', 210_000, id);
    expect(crossed, 'refreshRate after the crossing interim').toBeDefined();
    expect(crossed!.ms).toBeLessThan(500);
    expect(crossed!.call.req).toMatchObject({ by: 'system:caps' });
    await env.services.prepaid.caps.idle();
    expect(await count(`select count(*) n from service_notices where service_id = ? and key = 'cap.100:2026-05-15'`, id)).toBe(1);
    // A second session of the same service adds to the same counter: tier 2.
    const second = await login(env, 'cap-tiered', 'pw-cap-tiered', { 'Calling-Station-Id': 'AA:BB:CC:00:00:02' });
    expect(second.accept).toBe(true);
    expect(second.attrs['Mikrotik-Rate-Limit']).toBe('2000k/10000k');
    await accounting(env, 'Start', 'cap-tiered', 's2');
    const tier2 = await interimAndWait('cap-tiered', 's2', 100_000, id);
    expect(tier2).toBeDefined();
    u = (await env.call('GET', `/api/v1/services/${id}/usage`)).body;
    expect(u).toMatchObject({ usedBytes: 310_000, tier: { level: 2, rate: { downloadKbps: 2000, uploadKbps: 500 } } });
    // The first session ends (its bytes stay counted); a new login gets the tier's rate.
    await accounting(env, 'Stop', 'cap-tiered', 's1', { in: 210_000, out: 0 });
    const third = await login(env, 'cap-tiered', 'pw-cap-tiered', { 'Calling-Station-Id': 'AA:BB:CC:00:00:01' });
    expect(third.attrs['Mikrotik-Rate-Limit']).toBe('500k/2000k');
    // More traffic inside the same tier: no further CoA, no repeated notice.
    expect(await interimAndWait('cap-tiered', 's2', 120_000, id, 'refreshRate')).toBeUndefined();
    expect(await count(`select count(*) n from service_notices where service_id = ? and key like 'cap.%'`, id)).toBe(2);
    // Through the notification outbox, once each, with the template's variables filled in.
    await env.services.prepaid.caps.idle();
    const mails = await env.sql.all<{ template: string; body: string }>(`select template, body from notification_outbox where service_id = ? and template like 'cap.%' order by id`, id);
    expect(mails.map((m) => m.template)).toEqual(['cap.80', 'cap.100']);
    expect(mails[0]!.body).toContain('cap-tiered');
    // Sizes in the customer's language (English here): decimal units, as the UI shows them.
    expect(mails[0]!.body).toContain('170 kB of 200 kB');
    expect(env.control.of('refreshRate', id)).toHaveLength(2);
  });

  it('a data top-up moves the thresholds and restores the rate at once', async () => {
    const r = await env.call('POST', `/api/v1/services/${id}/data-topup`, { bytes: 250_000 });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body).toMatchObject({ periodStart: '2026-05-15', bytes: 250_000, usage: { usedBytes: 330_000, topupBytes: 250_000, capBytes: 450_000, tier: { level: 0 } } });
    await env.services.prepaid.caps.idle();
    expect(env.control.of('refreshRate', id)).toHaveLength(3);
    const l = await login(env, 'cap-tiered', 'pw-cap-tiered', { 'Calling-Station-Id': 'AA:BB:CC:00:00:01' });
    expect(l.attrs['Mikrotik-Rate-Limit']).toBe('10000k/50000k');
    expect((await env.call('POST', `/api/v1/services/${id}/data-topup`, { bytes: 0 })).status).toBe(422);
  });

  it('the period reset job brings the full rate back by CoA', async () => {
    const other = await service('cap-reset', tiered);
    await login(env, 'cap-reset', 'pw-cap-reset');
    await accounting(env, 'Start', 'cap-reset', 'r1');
    expect(await interimAndWait('cap-reset', 'r1', 220_000, other)).toBeDefined();
    const before = env.control.of('refreshRate', other).length;
    // Still in the period: nothing to reset.
    await env.services.prepaid.caps.runReset(env.clock.now());
    expect(env.control.of('refreshRate', other)).toHaveLength(before);
    // 2026-06-15 00:30 in Rome is the next period.
    env.clock.set('2026-06-14T22:30:00.000Z');
    const r = await env.services.prepaid.caps.runReset(env.clock.now());
    expect(r.reset).toContain(other);
    expect(env.control.of('refreshRate', other)).toHaveLength(before + 1);
    expect((await env.call('GET', `/api/v1/services/${other}/usage`)).body).toMatchObject({ period: { start: '2026-06-15', end: '2026-07-14' }, usedBytes: 0, tier: { level: 0 } });
    await accounting(env, 'Stop', 'cap-reset', 'r1', { in: 220_000, out: 0 });
    expect((await login(env, 'cap-reset', 'pw-cap-reset')).attrs['Mikrotik-Rate-Limit']).toBe('10000k/50000k');
    // Idempotent.
    await env.services.prepaid.caps.runReset(env.clock.now());
    expect(env.control.of('refreshRate', other)).toHaveLength(before + 1);
    env.clock.set('2026-06-01T08:00:00.000Z');
  });
});

describe('block at the cap', () => {
  it('cuts the sessions when an interim crosses the cap and rejects the next login with the reason', async () => {
    const id = await service('cap-block', blocking);
    expect((await login(env, 'cap-block', 'pw-cap-block')).accept).toBe(true);
    await accounting(env, 'Start', 'cap-block', 'b1');
    const cut = await interimAndWait('cap-block', 'b1', 100_001, id, 'disconnect');
    expect(cut, 'disconnect after the crossing interim').toBeDefined();
    expect(cut!.ms).toBeLessThan(500);
    // The NAS reports the cut session closed.
    await accounting(env, 'Stop', 'cap-block', 'b1', { in: 100_001, out: 0 });
    const denied = await login(env, 'cap-block', 'pw-cap-block');
    expect(denied.accept).toBe(false);
    expect(denied.attrs['Reply-Message']).toBe('data cap of 100000 bytes reached');
    const u = (await env.call('GET', `/api/v1/services/${id}/usage`)).body;
    expect(u).toMatchObject({ capBytes: 100_000, blockAtBytes: 100_000, tier: { blocked: true, name: 'blocked' } });
  });

  it('follows a fixed billing day, not the calendar month', async () => {
    const id = await service('cap-day', blocking);
    const terms = await env.call('PATCH', `/api/v1/services/${id}/billing`, { billingDay: 20 });
    expect(terms.status, JSON.stringify(terms.body)).toBe(200);
    const u = (await env.call('GET', `/api/v1/services/${id}/usage`)).body;
    expect(u.period).toEqual({ start: '2026-05-20', end: '2026-06-19' });
  });
});
