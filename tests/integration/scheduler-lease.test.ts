// The daily jobs' lease after a crash: a lease row left by a process that died on this host (same
// hostname and boot id, its pid gone) is taken over at once by POST /api/v1/billing/run, which then
// answers with what it really did. A lease whose holder may be alive still blocks until it expires:
// another host, a live pid, a row without the holder's identity.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { openDatabase, sqlOf, type Db } from '../../src/db/client.js';
import { migrate } from '../../src/db/migrate.js';
import { tokenStore } from '../../src/db/security.js';
import type { App } from '../../src/http/build.js';
import { TestClock } from '../../src/lib/clock.js';
import { SecretBox } from '../../src/lib/secretbox.js';
import { LEASE_NAME } from '../../src/scheduler/jobs.js';
import { buildApp } from '../helpers/app.js';
import { tempDir } from '../helpers/daemon.js';

const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
/** The pid of a process that has exited (and been reaped): kill(pid, 0) answers ESRCH. */
const deadPid = spawnSync(process.execPath, ['-e', '']).pid!;

let db: Db;
let app: App;
let token: string;
const clock = new TestClock('2026-05-10T08:00:00Z');

beforeAll(async () => {
  db = openDatabase({ path: join(tempDir('tollgate-lease-'), 'lease.db'), synchronous: 'normal' });
  await migrate(db.$client);
  const config = loadConfig(undefined, { TOLLGATE_BILLING_RUN_AT: '02:00', TOLLGATE_BILLING_TIMEZONE: 'Europe/Rome' }).config;
  ({ app } = await buildApp({ db, box: new SecretBox(randomBytes(32)), config, clock }));
  token = (await tokenStore(sqlOf(db)).create({ name: 't', role: 'super-admin', actor: { id: 'cli' } })).token;
});
afterAll(async () => {
  await app?.close();
  db?.$client.close();
});
beforeEach(() => db.$client.exec('delete from job_leases'));

const call = async (method: string, url: string, payload?: unknown) => {
  const res = await app.inject({ method: method as 'GET', url, payload: payload as object, headers: { authorization: `Bearer ${token}` } });
  return { status: res.statusCode, body: res.json() };
};

/** A lease row as a holder wrote it, still valid for four minutes on the clock. */
function leaseHeldBy(holder: { host: string | null; bootId: string | null; pid: number | null }) {
  const id = `${holder.host ?? 'old'}:${holder.pid ?? 0}:0badf00d`;
  const expiresAt = new Date(clock.now().getTime() + 4 * 60_000).toISOString();
  db.$client.prepare('insert into job_leases (name, holder, expires_at, host, boot_id, pid) values (?, ?, ?, ?, ?, ?)')
    .run(LEASE_NAME, id, expiresAt, holder.host, holder.bootId, holder.pid);
  return { id, expiresAt };
}
const leaseRow = () => db.$client.prepare('select holder from job_leases where name = ?').get(LEASE_NAME) as { holder: string } | undefined;

describe('a lease left by a dead process on this host', () => {
  it('is taken over at once: the run happens and says so', async () => {
    expect(() => process.kill(deadPid, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
    leaseHeldBy({ host: hostname(), bootId, pid: deadPid });
    const r = await call('POST', '/api/v1/billing/run', { date: '2026-05-10' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ date: '2026-05-10', alreadyRun: false, days: [{ date: '2026-05-10', invoices: 0 }] });
    // Released after the run, and the jobs are up to date.
    expect(leaseRow()).toBeUndefined();
    const jobs = (await call('GET', '/api/v1/jobs')).body;
    expect(jobs.lease).toBeNull();
    expect(jobs.items.find((j: { name: string }) => j.name === 'billing')).toMatchObject({ lastDate: '2026-05-10', status: 'ok' });
    // An earlier date than billing has run is a no-op, and says so.
    leaseHeldBy({ host: hostname(), bootId, pid: deadPid });
    expect((await call('POST', '/api/v1/billing/run', { date: '2026-05-09' })).body).toEqual({ date: '2026-05-09', alreadyRun: true, days: [] });
  });
});

describe('a lease whose holder may be alive waits for its expiry', () => {
  it.each([
    ['another host', () => ({ host: `not-${hostname()}`, bootId, pid: deadPid })],
    ['another boot', () => ({ host: hostname(), bootId: '00000000-0000-0000-0000-000000000000', pid: deadPid })],
    ['a live pid on this host', () => ({ host: hostname(), bootId, pid: process.ppid })],
    ['a row without the holder identity', () => ({ host: null, bootId: null, pid: null })],
  ])('%s: 409 naming the holder, the lease untouched', async (_what, holder) => {
    const held = leaseHeldBy(holder());
    const r = await call('POST', '/api/v1/billing/run', { date: '2026-05-10' });
    expect(r.status).toBe(409);
    expect(r.body.detail).toContain(`the daily jobs are running in another process (${held.id}) until ${held.expiresAt}`);
    expect(leaseRow()).toEqual({ holder: held.id });
  });
});
