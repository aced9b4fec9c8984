// Data caps on a network that caps nothing, then gives a plan a cap: usage costs no cap lookup while
// no plan is capped, and a cap set through a plain PATCH of the plan (or of a service's plan) is
// watched from the next interim, not after the counters' 5-minute lifetime. Real SQLite file,
// RADIUS accounting on 127.0.0.1 UDP, the HTTP app through inject(), a recording ServiceControl.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accounting, createPlan, createService, startEnv, type Env } from '../helpers/prepaid-env.js';

let env: Env;
let customerId: number;

const plan = (name: string, fields: Record<string, unknown> = {}) => createPlan(env, name, fields);
const service = (username: string, planId: number) => createService(env, { customerId, planId, username, startDate: '2026-01-15' });
async function interim(username: string, session: string, bytesIn: number, serviceId: number) {
  const cut = env.control.next((c) => c.serviceId === serviceId && c.op === 'disconnect', 1500);
  await accounting(env, 'Interim-Update', username, session, { in: bytesIn, out: 0 });
  return cut;
}

beforeAll(async () => {
  env = await startEnv({ start: '2026-06-01T08:00:00.000Z' });
  customerId = (await env.call('POST', '/api/v1/customers', { name: 'Uncapped' })).body.id;
});
afterAll(async () => env?.close());

describe('caps when plans change', () => {
  it('a cap given to a plan by PATCH is enforced at the next interim', async () => {
    const open = await plan('Open');
    const id = await service('open-1', open);
    await accounting(env, 'Start', 'open-1', 'o-1');
    expect(await interim('open-1', 'o-1', 500_000, id)).toBeUndefined();
    const p = await env.call('PATCH', `/api/v1/plans/${open}`, { dataCapBytes: 600_000, capAction: 'block' });
    expect(p.status, JSON.stringify(p.body)).toBe(200);
    const call = await interim('open-1', 'o-1', 700_000, id);
    expect(call?.req.reason).toMatch(/data cap/);
  });

  it('a service moved to a capped plan by PATCH is watched at the next interim', async () => {
    const open = await plan('Open too');
    const capped = await plan('Capped', { dataCapBytes: 100_000, capAction: 'block' });
    const id = await service('mover', open);
    await accounting(env, 'Start', 'mover', 'm-1');
    expect(await interim('mover', 'm-1', 50_000, id)).toBeUndefined();
    const p = await env.call('PATCH', `/api/v1/services/${id}`, { planId: capped });
    expect(p.status, JSON.stringify(p.body)).toBe(200);
    const call = await interim('mover', 'm-1', 150_000, id);
    expect(call?.req.reason).toMatch(/data cap/);
  });
});
