/**
 * Billing dates against today: a run or a payment dated after today (in the billing time zone,
 * Europe/Rome by default) is refused before anything is written, and a payment settles only the
 * invoices issued on or before its date.
 */
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { openDatabase, type Db } from '../../src/db/client.js';
import { migrate } from '../../src/db/migrate.js';
import { tokenStore } from '../../src/db/security.js';
import type { App } from '../../src/http/build.js';
import { TestClock } from '../../src/lib/clock.js';
import { SecretBox } from '../../src/lib/secretbox.js';
import { buildApp } from '../helpers/app.js';
import { tempDir } from '../helpers/daemon.js';

let app: App;
let db: Db;
let token: string;
let planId: number;
// 23:30 UTC on 1 March is already 2 March in Rome: "today" is the billing time zone's date.
const clock = new TestClock('2026-03-01T23:30:00Z');

beforeAll(async () => {
  db = openDatabase({ path: join(tempDir(), 'api-billing-dates.db'), synchronous: 'normal' });
  await migrate(db.$client);
  ({ app } = await buildApp({ db, box: new SecretBox(randomBytes(32)), config: loadConfig(undefined, {}).config, clock }));
  token = (await tokenStore(db).create({ name: 't', role: 'super-admin', actor: { id: 'cli' } })).token;
  planId = (await call('POST', '/api/v1/plans', { name: 'Home', type: 'recurring', price: 3100, billingPeriodMonths: 1, taxRateBp: 2200, taxInclusive: true, downloadKbps: 10000, uploadKbps: 2000 })).body.id;
});
afterAll(async () => {
  await app.close();
  db.$client.close();
});

async function call(method: string, url: string, payload?: unknown) {
  const res = await app.inject({ method: method as 'GET', url, payload: payload as object, headers: { authorization: `Bearer ${token}` } });
  return { status: res.statusCode, body: res.body ? res.json() : null };
}
const count = (table: string) => (db.$client.prepare(`select count(*) n from ${table}`).get() as { n: number }).n;
async function newCustomer(name: string, startDate: string) {
  const customerId = (await call('POST', '/api/v1/customers', { name })).body.id as number;
  const serviceId = (await call('POST', '/api/v1/services', { customerId, planId, username: name.toLowerCase(), password: 'pw', startDate })).body.id as number;
  return { customerId, serviceId };
}

describe('a billing run dated after today', () => {
  it('is refused with 422 naming `date`: nothing issued, no job moved, and the real run of today still runs', async () => {
    await newCustomer('Anna', '2026-03-01');
    const ahead = await call('POST', '/api/v1/billing/run', { date: '2026-04-01' });
    expect(ahead.status).toBe(422);
    expect(ahead.body).toMatchObject({ code: 'date_in_future', errors: [expect.objectContaining({ field: 'date' })] });
    // Tomorrow in Rome is 3 March: refused too.
    expect((await call('POST', '/api/v1/billing/run', { date: '2026-03-03' })).status).toBe(422);
    expect(count('invoices')).toBe(0);
    expect(count('billing_runs')).toBe(0);
    expect(count('notification_outbox')).toBe(0);
    const jobs = (await call('GET', '/api/v1/jobs')).body.items as { name: string; lastDate: string | null }[];
    expect(jobs.every((j) => j.lastDate === null)).toBe(true);
    // Today in Rome (2 March, though UTC still says 1 March) is not ahead: it runs and bills March.
    const today = await call('POST', '/api/v1/billing/run', { date: '2026-03-02' });
    expect(today.status, JSON.stringify(today.body)).toBe(200);
    // 3100 for 1..31 March, billed in advance on the 1st (the first run bills everything due up to its date).
    expect(today.body).toMatchObject({ alreadyRun: false, days: [{ date: '2026-03-02', invoices: 1, total: 3100 }] });
  });
});
