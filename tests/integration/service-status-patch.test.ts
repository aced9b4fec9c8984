// PATCH /api/v1/services/{id} with a status to or from suspended is the suspend / resume operation:
// the service_suspensions row opened (manual reason, the default mode) or closed exactly as
// POST .../suspend and .../resume do it, through the app's real ServiceControl. Real SQLite file,
// the HTTP app through inject(), a clock the test sets.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { SqlClient } from '../../src/db/sql.js';
import { tokenStore } from '../../src/db/security.js';
import type { App } from '../../src/http/build.js';
import { buildApp } from '../helpers/app.js';
import { TestClock } from '../../src/lib/clock.js';
import { SecretBox } from '../../src/lib/secretbox.js';
import { openAppDatabase, type TestBackend } from '../helpers/backends.js';
import { tempDir } from '../helpers/daemon.js';

let backend: TestBackend;
let sql: SqlClient;
let app: App;
let token: string;
let customerId: number;
let planId: number;
const clock = new TestClock('2026-04-10T08:00:00.000Z');

beforeAll(async () => {
  const dir = tempDir('tollgate-status-patch-');
  const file = join(dir, 'tollgate.toml');
  writeFileSync(file, `[database]\npath = "${join(dir, 'tollgate.db')}"\nsynchronous = "normal"\n[billing]\ntimezone = "Europe/Rome"\n`);
  const config = loadConfig(file, {}).config;
  backend = await openAppDatabase(dir);
  ({ sql } = backend);
  ({ app } = await buildApp({ sql, db: backend.db, box: new SecretBox(randomBytes(32)), config, clock }));
  token = (await tokenStore(sql).create({ name: 't', role: 'super-admin', actor: { id: 'cli' } })).token;
  customerId = (await call('POST', '/api/v1/customers', { name: 'Suspendable' })).body.id;
  planId = (await call('POST', '/api/v1/plans', { name: 'Basic', type: 'recurring', price: 1500, billingPeriodMonths: 1, downloadKbps: 10000, uploadKbps: 2000 })).body.id;
});
afterAll(async () => {
  await app?.close();
  await backend?.close();
});

async function call(method: string, url: string, payload?: unknown) {
  const res = await app.inject({ method: method as 'GET', url, payload: payload as object, headers: { authorization: `Bearer ${token}` } });
  return { status: res.statusCode, body: res.body ? res.json() : undefined };
}
let n = 0;
async function service(extra: Record<string, unknown> = {}, plan = planId) {
  const r = await call('POST', '/api/v1/services', { customerId, planId: plan, username: `patch-user-${++n}`, password: 'pw-123456', startDate: '2026-01-01', ...extra });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.id as number;
}
const suspensions = (id: number) => sql.all('select from_date, to_date, mode from service_suspensions where service_id = ? order by id', id);
const audits = async (id: number) => (await sql.all<{ action: string; actor: string; after: string }>(`select action, actor, after from audit_log where entity = 'service' and entity_id = ? and action in ('suspend', 'resume') order by id`, String(id)))
  .map((a) => ({ ...a, after: JSON.parse(a.after) as Record<string, unknown> }));
const statusOf = async (id: number) => (await sql.get<{ status: string }>('select status from services where id = ?', id))!.status;

describe('PATCH status to and from suspended', () => {
  it('to suspended opens a suspension as the suspend route does; back to active closes it as resume does', async () => {
    const id = await service();
    const s = await call('PATCH', `/api/v1/services/${id}`, { status: 'suspended' });
    expect(s.status, JSON.stringify(s.body)).toBe(200);
    expect(s.body.status).toBe('suspended');
    expect(await suspensions(id)).toEqual([{ from_date: '2026-04-10', to_date: null, mode: 'reject' }]);
    expect(await audits(id)).toEqual([{ action: 'suspend', actor: 'token:1', after: { status: 'suspended', from: '2026-04-10', mode: 'reject', reason: 'suspended by hand' } }]);

    // The same PATCH again: already suspended, no second row.
    expect((await call('PATCH', `/api/v1/services/${id}`, { status: 'suspended' })).status).toBe(200);
    expect(await suspensions(id)).toHaveLength(1);

    clock.set('2026-04-14T10:00:00.000Z');
    const r = await call('PATCH', `/api/v1/services/${id}`, { status: 'active' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.status).toBe('active');
    expect(await suspensions(id)).toEqual([{ from_date: '2026-04-10', to_date: '2026-04-14', mode: 'reject' }]);
    expect((await audits(id)).map((a) => [a.action, a.after.reason])).toEqual([['suspend', 'suspended by hand'], ['resume', 'resumed by hand']]);
  });

  it('gives the suspension the default mode: the plan\'s, else [radius] suspended_mode', async () => {
    const wg = (await call('POST', '/api/v1/plans', { name: 'Walled', type: 'recurring', price: 1500, billingPeriodMonths: 1, downloadKbps: 10000, uploadKbps: 2000, suspensionMode: 'walled-garden' })).body.id;
    const id = await service({}, wg);
    expect((await call('PATCH', `/api/v1/services/${id}`, { status: 'suspended' })).status).toBe(200);
    expect(await suspensions(id)).toEqual([{ from_date: '2026-04-14', to_date: null, mode: 'walled-garden' }]);
  });

  it('writes the other fields of the same PATCH too, and the suspension matches the suspend route\'s', async () => {
    const viaPatch = await service();
    const viaRoute = await service();
    const p = await call('PATCH', `/api/v1/services/${viaPatch}`, { status: 'suspended', simultaneousUse: 3 });
    expect(p.status, JSON.stringify(p.body)).toBe(200);
    expect(p.body).toMatchObject({ status: 'suspended', simultaneousUse: 3 });
    expect((await call('POST', `/api/v1/services/${viaRoute}/suspend`, {})).status).toBe(200);
    expect(await suspensions(viaPatch)).toEqual(await suspensions(viaRoute));
    expect((await audits(viaPatch)).map((a) => a.after)).toEqual((await audits(viaRoute)).map((a) => a.after));
  });

  it('bad input changes nothing: no status change, no suspension row', async () => {
    const id = await service();
    const bad = await call('PATCH', `/api/v1/services/${id}`, { status: 'suspended', macAddress: 'not-a-mac' });
    expect(bad.status).toBe(422);
    expect(JSON.stringify(bad.body)).toContain('macAddress');
    expect(await statusOf(id)).toBe('active');
    expect(await suspensions(id)).toEqual([]);
  });

  it('refuses to suspend an ended service, as the suspend route does, changing nothing', async () => {
    const id = await service({ status: 'ended' });
    const r = await call('PATCH', `/api/v1/services/${id}`, { status: 'suspended', simultaneousUse: 2 });
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({ errors: [{ field: 'status' }] });
    expect((await call('POST', `/api/v1/services/${id}/suspend`, {})).status).toBe(409);
    expect(await sql.get('select status, simultaneous_use as u from services where id = ?', id)).toEqual({ status: 'ended', u: 1 });
    expect(await suspensions(id)).toEqual([]);
  });

  it('a suspension opened by the route is closed by a PATCH to active', async () => {
    const id = await service();
    expect((await call('POST', `/api/v1/services/${id}/suspend`, { reason: 'unpaid' })).status).toBe(200);
    clock.set('2026-04-20T10:00:00.000Z');
    expect((await call('PATCH', `/api/v1/services/${id}`, { status: 'active' })).status).toBe(200);
    expect(await suspensions(id)).toEqual([{ from_date: '2026-04-14', to_date: '2026-04-20', mode: 'reject' }]);
  });
});

describe('PATCH status from suspended to ended, free or proposal', () => {
  const leaveAudits = async (id: number) => (await sql.all<{ action: string; actor: string; before: string; after: string }>(`select action, actor, before, after from audit_log where entity = 'service' and entity_id = ? and action = 'end-suspension' order by id`, String(id))).map((a) => ({ ...a, before: JSON.parse(a.before) as unknown, after: JSON.parse(a.after) as unknown }));
  const disconnects = async (id: number) => (await sql.all<{ kind: string; reason: string; actor: string }>(`select kind, reason, actor from nas_actions where service_id = ? order by id`, id));
  async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
    for (let i = 0; i < 100; i++) {
      const v = await read();
      if (ok(v)) return v;
      await new Promise((r) => setTimeout(r, 20));
    }
    return read();
  }

  it('to ended closes the open suspension on the day of the change (as resume does), with its audit row, and cuts the sessions without resuming', async () => {
    clock.set('2026-04-21T10:00:00.000Z');
    const id = await service();
    expect((await call('PATCH', `/api/v1/services/${id}`, { status: 'suspended' })).status).toBe(200);
    // A live session with no NAS on record: the cut is attempted and logged (outcome failed), no packet sent.
    await sql.run(`insert into radius_sessions (service_id, acct_session_id, username, started_at, updated_at) values (?, 'leave-1', ?, ?, ?)`,
      id, `patch-user-${n}`, '2026-04-21T09:00:00.000Z', '2026-04-21T09:00:00.000Z');
    clock.set('2026-04-25T22:30:00.000Z'); // 2026-04-26 in Europe/Rome: the billing date, as resume writes it
    const r = await call('PATCH', `/api/v1/services/${id}`, { status: 'ended', simultaneousUse: 2 });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ status: 'ended', simultaneousUse: 2 });
    expect(await statusOf(id)).toBe('ended');
    expect(await suspensions(id)).toEqual([{ from_date: '2026-04-21', to_date: '2026-04-26', mode: 'reject' }]);
    expect(await leaveAudits(id)).toEqual([{
      action: 'end-suspension', actor: 'token:1',
      before: { status: 'suspended', mode: 'reject' }, after: { status: 'ended', to: '2026-04-26', reason: 'status changed by hand' },
    }]);
    // Not a resume: no resume audit row, the service never went through active.
    expect((await audits(id)).map((a) => a.action)).toEqual(['suspend']);
    const cut = await until(() => disconnects(id), (v) => v.some((a) => a.kind === 'disconnect' && a.reason.includes('to ended')));
    expect(cut.filter((a) => a.reason.includes('to ended'))).toEqual([{ kind: 'disconnect', reason: 'status changed from suspended to ended', actor: 'token:1' }]);
  });

  it('to proposal or free closes it too; a suspension opened and left the same day ends on that day', async () => {
    clock.set('2026-04-27T08:00:00.000Z');
    const toFree = await service();
    const toProposal = await service();
    for (const id of [toFree, toProposal]) expect((await call('POST', `/api/v1/services/${id}/suspend`, {})).status).toBe(200);
    expect((await call('PATCH', `/api/v1/services/${toFree}`, { status: 'free' })).status).toBe(200);
    clock.set('2026-04-29T08:00:00.000Z');
    expect((await call('PATCH', `/api/v1/services/${toProposal}`, { status: 'proposal' })).status).toBe(200);
    expect([await statusOf(toFree), await statusOf(toProposal)]).toEqual(['free', 'proposal']);
    expect(await suspensions(toFree)).toEqual([{ from_date: '2026-04-27', to_date: '2026-04-27', mode: 'reject' }]);
    expect(await suspensions(toProposal)).toEqual([{ from_date: '2026-04-27', to_date: '2026-04-29', mode: 'reject' }]);
    expect((await leaveAudits(toProposal)).map((a) => a.after)).toEqual([{ status: 'proposal', to: '2026-04-29', reason: 'status changed by hand' }]);
  });

  it('bad input in the same PATCH changes nothing: still suspended, the suspension still open', async () => {
    const id = await service();
    expect((await call('PATCH', `/api/v1/services/${id}`, { status: 'suspended' })).status).toBe(200);
    const bad = await call('PATCH', `/api/v1/services/${id}`, { status: 'ended', macAddress: 'not-a-mac' });
    expect(bad.status).toBe(422);
    expect(await statusOf(id)).toBe('suspended');
    expect(await suspensions(id)).toEqual([{ from_date: '2026-04-29', to_date: null, mode: 'reject' }]);
    expect(await leaveAudits(id)).toEqual([]);
  });

  it('billing sees the suspension end: suspended, then free, then active again is billed from the next period', async () => {
    clock.set('2026-05-02T08:00:00.000Z');
    const other = (await call('POST', '/api/v1/customers', { name: 'Billed again' })).body.id as number;
    const id = await service({ customerId: other, startDate: '2026-05-01' });
    expect((await call('PATCH', `/api/v1/services/${id}`, { status: 'suspended' })).status).toBe(200);
    expect((await call('PATCH', `/api/v1/services/${id}`, { status: 'free' })).status).toBe(200);
    expect((await call('PATCH', `/api/v1/services/${id}`, { status: 'active' })).status).toBe(200);
    expect(await suspensions(id)).toEqual([{ from_date: '2026-05-02', to_date: '2026-05-02', mode: 'reject' }]);
    clock.set('2026-06-01T08:00:00.000Z');
    const run = await call('POST', '/api/v1/billing/run', { date: '2026-06-01' });
    expect(run.status, JSON.stringify(run.body)).toBe(200);
    const periods = await sql.all<{ p: string }>(`select period_start as p from invoice_lines where service_id = ? and period_start is not null order by period_start`, id);
    expect(periods.map((x) => x.p)).toContain('2026-06-01');
  });
});
