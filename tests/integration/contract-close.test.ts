// A contract that ends is closed by the daily billing run the day after its last day (status
// 'ended'), and that reaches the network: the live sessions are cut through ServiceControl and the
// next login is refused. Real SQLite file, RADIUS on 127.0.0.1 UDP, the HTTP app through inject(),
// a recording ServiceControl.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accounting, login, startEnv, type Env } from '../helpers/prepaid-env.js';

let env: Env;
let serviceId: number;
let keeperId: number;

beforeAll(async () => {
  env = await startEnv({ start: '2026-03-10T08:00:00.000Z' });
  const customerId = (await env.call('POST', '/api/v1/customers', { name: 'Leaving' })).body.id;
  const planId = (await env.call('POST', '/api/v1/plans', { name: 'Home', type: 'recurring', price: 2000, billingPeriodMonths: 1, downloadKbps: 10000, uploadKbps: 2000 })).body.id;
  const create = async (username: string) => {
    const r = await env.call('POST', '/api/v1/services', { customerId, planId, username, password: `pw-${username}`, startDate: '2026-01-01' });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.id as number;
  };
  serviceId = await create('leaving');
  keeperId = await create('staying');
});
afterAll(async () => env?.close());

describe('closing an ended contract', () => {
  it('cuts the live sessions and refuses the next login, and leaves other services alone', async () => {
    expect((await login(env, 'leaving', 'pw-leaving')).accept).toBe(true);
    await accounting(env, 'Start', 'leaving', 'leave-1');
    const c = await env.call('POST', `/api/v1/services/${serviceId}/cancel`, { endDate: '2026-03-20' });
    expect(c.status, JSON.stringify(c.body)).toBe(200);
    // Through its last day the service works.
    env.clock.set('2026-03-20T20:00:00.000Z');
    const last = await env.call('POST', '/api/v1/billing/run', { date: '2026-03-20' });
    expect(last.body.days.at(-1).closed).toEqual([]);
    expect(env.control.of('disconnect', serviceId)).toHaveLength(0);
    await accounting(env, 'Stop', 'leaving', 'leave-1');
    expect((await login(env, 'leaving', 'pw-leaving')).accept).toBe(true);
    await accounting(env, 'Start', 'leaving', 'leave-2');
    // The day after, the run closes it and the network follows.
    env.clock.set('2026-03-21T01:00:00.000Z');
    const cut = env.control.next((x) => x.op === 'disconnect' && x.serviceId === serviceId);
    const run = await env.call('POST', '/api/v1/billing/run', { date: '2026-03-21' });
    expect(run.body.days.at(-1).closed).toEqual([serviceId]);
    const call = await cut;
    expect(call?.req).toMatchObject({ reason: 'contract ended', by: 'system:billing' });
    const refused = await login(env, 'leaving', 'pw-leaving');
    expect(refused.accept).toBe(false);
    expect(refused.attrs['Reply-Message']).toMatch(/ended/);
    expect(env.control.of('disconnect', keeperId)).toHaveLength(0);
    expect((await login(env, 'staying', 'pw-staying')).accept).toBe(true);
  });

  it('ends the open suspension of a suspended contract it closes', async () => {
    const customerId = (await env.call('POST', '/api/v1/customers', { name: 'Suspended and leaving' })).body.id;
    const planId = (await env.call('GET', '/api/v1/plans')).body.items[0].id;
    const id = (await env.call('POST', '/api/v1/services', { customerId, planId, username: 'susp-leaving', password: 'pw-x', startDate: '2026-01-01' })).body.id as number;
    // Suspended on 1 April (as the suspend route or dunning leaves it), ending on 30 April.
    await env.sql.run(`update services set status = 'suspended' where id = ?`, id);
    await env.sql.run(`insert into service_suspensions (service_id, from_date) values (?, '2026-04-01')`, id);
    expect((await env.call('POST', `/api/v1/services/${id}/cancel`, { endDate: '2026-04-30' })).status).toBe(200);
    env.clock.set('2026-05-01T01:00:00.000Z');
    const run = await env.call('POST', '/api/v1/billing/run', { date: '2026-05-01' });
    expect(run.body.days.at(-1).closed).toEqual([id]);
    expect(await env.sql.all('select from_date, to_date from service_suspensions where service_id = ?', id)).toEqual([{ from_date: '2026-04-01', to_date: '2026-05-01' }]);
    const audit = (await env.sql.get<{ after: string }>(`select after from audit_log where entity = 'service' and entity_id = ? and action = 'close'`, String(id)))!;
    expect(JSON.parse(audit.after)).toMatchObject({ previousStatus: 'suspended', suspensionEnded: '2026-05-01' });
  });
});
