// The daily `housekeeping` job (order 90) deletes admin sessions past their idle, absolute or
// pending-second-factor limit and login-throttle counters that no longer count, as of the run's
// instant, without waiting for a login; live sessions (and their access to the API) and counters
// still in force stay. A fresh database, the HTTP app through inject(), a test clock.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionStore, sha256, throttleStore } from '../../src/db/security.js';
import type { HousekeepingResult } from '../../src/scheduler/housekeeping.js';
import { cookieFrom, testApi, type TestApi } from '../helpers/admin-api.js';

let t: TestApi;
let aliceId: number;
const headers: Record<string, Record<string, string>> = {};

async function call(method: string, url: string, h: Record<string, string> = {}, payload?: unknown) {
  const res = await t.app.inject({ method: method as 'GET', url, headers: h, ...(payload !== undefined ? { payload: payload as object } : {}) });
  return { status: res.statusCode, res };
}
async function login(username: string, password: string) {
  const { status, res } = await call('POST', '/api/v1/auth/login', {}, { username, password });
  if (status === 200) headers[username] = { cookie: cookieFrom(res)!, 'x-csrf-token': res.json().csrfToken };
  return status;
}
const at = (iso: string) => t.clock.set(iso);
const sessionRows = () => t.sql.all<Record<string, string>>(`select s.stage, a.username, s.created_at as "createdAt", s.last_seen_at as "lastSeenAt" from admin_sessions s join admins a on a.id = s.admin_id order by s.id`);
const throttleKeys = async () => (await t.sql.all<{ key: string }>(`select key from login_throttle order by key`)).map((r) => r.key);

function job() {
  const j = t.jobs.jobs().find((x) => x.name === 'housekeeping');
  if (!j) throw new Error('the housekeeping job is not registered');
  return j;
}
const runFor = async (date: string) => (await job().runFor(date, { now: t.clock.now(), manual: true, signal: new AbortController().signal })) as HousekeepingResult;

beforeAll(async () => {
  t = await testApi();
  aliceId = await t.admin('alice', 'alice-password-1', 'super-admin');
  await t.admin('bob', 'bob-password-1', 'read-only');
  await t.admin('carol', 'carol-password-1', 'operator');
});
afterAll(async () => t?.close());

describe('the housekeeping job', () => {
  it('is registered last, at order 90', async () => {
    const jobs = t.jobs.jobs();
    expect(jobs.at(-1)).toMatchObject({ name: 'housekeeping', order: 90 });
    const token = await t.token('super-admin');
    const listed = (await t.app.inject({ method: 'GET', url: '/api/v1/jobs', headers: { authorization: `Bearer ${token}` } })).json().items as { name: string; order: number }[];
    expect(listed.find((j) => j.name === 'housekeeping')).toMatchObject({ order: 90, lastDate: null });
  });

  it('deletes expired sessions and stale throttle counters as of the run, keeping live ones', async () => {
    // 10:00 UTC: a failed login (counters for the username and the address), then three sign-ins.
    at('2026-11-23T10:00:00.000Z');
    expect(await login('ghost', 'whatever-it-is')).toBe(401);
    expect(await login('alice', 'alice-password-1')).toBe(200);
    expect(await login('bob', 'bob-password-1')).toBe(200);
    expect(await login('carol', 'carol-password-1')).toBe(200);
    expect(await throttleKeys()).toEqual(['ip:127.0.0.1', 'user:ghost']);
    const sessions = sessionStore(t.sql);
    // A session used 5 minutes ago but signed in 13 h 45 min ago: past the absolute limit (12 h).
    const old = await sessions.create({ adminId: aliceId, stage: 'full', idHash: sha256(randomBytes(32).toString('base64url')), ip: '127.0.0.1', userAgent: 'old', at: new Date('2026-11-22T21:00:00.000Z') });
    await sessions.touch(old, new Date('2026-11-23T10:40:00.000Z'));
    // A password-only session still owing TOTP, 7 minutes old at the run: past the 5-minute pending limit.
    await sessions.create({ adminId: aliceId, stage: 'totp', idHash: sha256(randomBytes(32).toString('base64url')), ip: '127.0.0.1', userAgent: 'pending', at: new Date('2026-11-23T10:38:00.000Z') });
    // A counter locked until 11:00 (its last failure long ago), one with a recent failure, one stale.
    await throttleStore(t.sql).record([
      { key: 'user:locked', state: { failures: 10, lastFailureAt: '2026-11-23T10:20:00.000Z', lockedUntil: '2026-11-23T11:00:00.000Z' } },
      { key: 'user:recent', state: { failures: 2, lastFailureAt: '2026-11-23T10:40:00.000Z', lockedUntil: null } },
      { key: 'user:stale', state: { failures: 10, lastFailureAt: '2026-11-23T09:50:00.000Z', lockedUntil: '2026-11-23T10:05:00.000Z' } },
    ]);

    // 10:20: alice uses the API (her session's last-seen moves); bob and carol stay idle.
    at('2026-11-23T10:20:00.000Z');
    expect((await call('GET', '/api/v1/customers', headers.alice)).status).toBe(200);
    expect(await sessionRows()).toHaveLength(5);

    // 10:45: bob's and carol's sessions have been idle 45 min (limit 30); nobody logs in.
    at('2026-11-23T10:45:00.000Z');
    expect(await runFor('2026-11-23')).toEqual({ sessions: 4, loginThrottle: 3 });
    expect(await sessionRows()).toEqual([{ stage: 'full', username: 'alice', createdAt: '2026-11-23T10:00:00.000Z', lastSeenAt: '2026-11-23T10:20:00.000Z' }]);
    expect(await throttleKeys()).toEqual(['user:locked', 'user:recent']);

    // The live session still opens the API, reads and writes; an expired one is refused.
    expect((await call('GET', '/api/v1/customers', headers.alice)).status).toBe(200);
    expect((await call('POST', '/api/v1/customers', headers.alice, { name: 'After housekeeping' })).status).toBe(201);
    expect((await call('GET', '/api/v1/customers', headers.bob)).status).toBe(401);
  });

  it('is idempotent and uses the run instant, not the wall clock', async () => {
    expect(await runFor('2026-11-23')).toEqual({ sessions: 0, loginThrottle: 0 });
    expect(await runFor('2026-11-24')).toEqual({ sessions: 0, loginThrottle: 0 });
    // As of 11:05 (the test clock, far from the real date): alice idle since 10:45 is still live;
    // the lock has ended and the last failures are 45 and 25 min old: both counters go.
    at('2026-11-23T11:05:00.000Z');
    expect(await runFor('2026-11-23')).toEqual({ sessions: 0, loginThrottle: 2 });
    expect((await sessionRows()).map((r) => r.username)).toEqual(['alice']);
    expect(await throttleKeys()).toEqual([]);
  });

  it('runs through the runner after the other jobs of the date', async () => {
    at('2026-11-23T11:30:00.000Z');
    const r = await t.jobs.runAsOf('2026-11-23');
    expect(r.ok).toBe(true);
    const of23 = r.steps.filter((s) => s.date === '2026-11-23');
    expect(of23.at(-1)).toMatchObject({ job: 'housekeeping', ok: true, value: { sessions: 1, loginThrottle: 0 } });
    expect(await sessionRows()).toEqual([]);
    expect((await call('GET', '/api/v1/customers', headers.alice)).status).toBe(401);
  });
});
