// The admin UI's server side: the static bundle at / with the SPA fallback (when built), and the
// dashboard figures endpoint over a real SQLite file.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApi, type TestApi } from '../helpers/admin-api.js';
import { ROOT } from '../helpers/daemon.js';
import { monthBounds } from '../../src/db/dashboard.js';
import { CATALOGUES, type MessageKey } from '../../src/i18n/messages.js';

let t: TestApi;
let token: string;

beforeAll(async () => {
  t = await testApi();
  token = await t.token('read-only');
});
afterAll(async () => t.close());

const get = (url: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}`, ...headers } });

describe('GET /api/v1/dashboard', () => {
  it('counts online sessions, logins per minute, revenue by month, overdue invoices, suspended services and NAS states', async () => {
    const c = t.sql;
    const now = t.clock.now(); // 2026-11-23T10:00Z
    await c.run("insert into customers (id, name, created_at, updated_at) values (1, 'A', ?, ?), (2, 'B', ?, ?)",now.toISOString(), now.toISOString(), now.toISOString(), now.toISOString());
    const plan = (await t.app.inject({ method: 'POST', url: '/api/v1/plans', headers: { authorization: `Bearer ${await t.token('admin')}` }, payload: { name: 'P', type: 'recurring', price: 1000, billingPeriodMonths: 1, downloadKbps: 1000, uploadKbps: 1000 } })).json() as { id: number };
    const admin = await t.token('admin');
    const mk = async (username: string, status: string) => {
      const r = await t.app.inject({ method: 'POST', url: '/api/v1/services', headers: { authorization: `Bearer ${admin}` }, payload: { customerId: 1, planId: plan.id, username, password: 'x', startDate: '2026-11-01', status } });
      expect(r.statusCode).toBe(201);
    };
    await mk('u1', 'active');
    await mk('u2', 'suspended');
    await mk('u3', 'active');
    const at = (min: number) => new Date(now.getTime() - min * 60_000).toISOString();
    const sess = c.prepare('insert into radius_sessions (acct_session_id, username, started_at, updated_at, stopped_at) values (?, ?, ?, ?, ?)');
    await sess.run('s1', 'u1', at(30), at(1), null);
    await sess.run('s2', 'u3', at(30), at(1), null);
    await sess.run('s3', 'u3', at(90), at(60), at(60));
    const auth = c.prepare("insert into auth_log (at, username, outcome, reason) values (?, ?, ?, ?)");
    await auth.run(at(5), 'u1', 'accept', null);
    await auth.run(at(5), 'u1', 'reject', 'wrong password');
    await auth.run(at(5), 'u1', 'reject', 'wrong password');
    await auth.run(at(120), 'u1', 'reject', 'old');
    const pay = c.prepare('insert into payments (customer_id, amount, method, received_at, date, refunded) values (1, ?, ?, ?, ?, ?)');
    await pay.run(5000, 'cash', '2026-11-02T10:00:00Z', '2026-11-02', 1000);
    await pay.run(3000, 'cash', '2026-10-15T10:00:00Z', '2026-10-15', 0);
    await pay.run(7000, 'cash', '2026-09-15T10:00:00Z', '2026-09-15', 0);
    const inv = c.prepare("insert into invoices (customer_id, number, series, year, sequence, issue_date, due_date, currency, net, tax, total, paid, credited, open) values (1, ?, 'INV', 2026, ?, ?, ?, 'EUR', ?, 0, ?, 0, 0, ?)");
    await inv.run('INV-1', 1, '2026-10-01', '2026-10-15', 2000, 2000, 2000);
    await inv.run('INV-2', 2, '2026-11-01', '2026-11-30', 1500, 1500, 1500);
    await c.run("insert into nas (name, ip_address, secret_enc, created_at, updated_at) values ('a', '10.0.0.1', 'x', ?, ?), ('b', '10.0.0.2', 'x', ?, ?), ('c', '10.0.0.3', 'x', ?, ?)",
      now.toISOString(), now.toISOString(), now.toISOString(), now.toISOString(), now.toISOString(), now.toISOString());
    await c.run("insert into nas_status (nas_id, state) select id, case name when 'a' then 'up' when 'b' then 'down' end from nas where name in ('a', 'b')",);

    const r = await get('/api/v1/dashboard');
    expect(r.statusCode).toBe(200);
    const d = r.json();
    expect(d.today).toBe('2026-11-23');
    expect(d.online).toBe(2);
    expect(d.customers).toBe(2);
    expect(d.services).toEqual({ active: 2, suspended: 1, total: 3 });
    expect(d.auth).toEqual([{ minute: at(5).slice(0, 16), accept: 1, reject: 2 }]);
    expect(d.revenue).toEqual({ thisMonth: 4000, lastMonth: 3000, invoicedThisMonth: 1500, invoicedLastMonth: 2000 });
    expect(d.overdue).toEqual({ count: 1, total: 2000 });
    expect(d.nas).toEqual({ up: 1, down: 1, unknown: 1, total: 3 });
  });

  it('needs a signed-in caller', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/dashboard' })).statusCode).toBe(401);
  });

  it('month bounds wrap at the year', () => {
    expect(monthBounds('2026-01-31')).toEqual({ thisStart: '2026-01-01', nextStart: '2026-02-01', lastStart: '2025-12-01' });
    expect(monthBounds('2026-12-01')).toEqual({ thisStart: '2026-12-01', nextStart: '2027-01-01', lastStart: '2026-11-01' });
  });
});

describe.skipIf(!existsSync(join(ROOT, 'dist/web/index.html')))('the UI bundle at /', () => {
  it('serves index.html at / and for deep links, precompressed when asked, and 404 problem+json under /api', async () => {
    const root = await t.app.inject({ method: 'GET', url: '/' });
    expect(root.statusCode).toBe(200);
    expect(root.headers['content-type']).toMatch(/text\/html/);
    const deep = await t.app.inject({ method: 'GET', url: '/customers/42/services/new' });
    expect(deep.statusCode).toBe(200);
    expect(deep.body).toContain('<tg-app>');
    const js = await t.app.inject({ method: 'GET', url: '/app.js', headers: { 'accept-encoding': 'br' } });
    expect(js.headers['content-encoding']).toBe('br');
    const api = await t.app.inject({ method: 'GET', url: '/api/v1/nope' });
    expect(api.statusCode).toBe(404);
    expect(api.headers['content-type']).toMatch(/problem\+json/);
    expect((await t.app.inject({ method: 'GET', url: '/nope.png' })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });

  it('loads English with the page and every other catalogue as a chunk of its own when picked; no notification template', async () => {
    const dir = join(ROOT, 'dist/web');
    const text = (f: string) => readFileSync(join(dir, f), 'utf8');
    // What a page loads before it runs: app.js and the chunks it imports statically.
    const atStart = ['app.js', ...[...text('app.js').matchAll(/from\s*"\.\/([^"]+\.js)"/g)].map((m) => m[1]!)].map(text).join('\n');
    // A message of each language found as it is in the bundle (esbuild writes non-ASCII text escaped).
    const sample = (l: 'en' | 'it' | 'es') => {
      const key = (Object.keys(CATALOGUES.en) as MessageKey[]).find((k) => /^[ -~]{25,}$/.test(CATALOGUES[l][k]) && !/[{}'"\\]/.test(CATALOGUES[l][k]) && CATALOGUES[l][k] !== CATALOGUES.en[k]);
      return l === 'en' ? CATALOGUES.en['app.noPageAt'].split('{')[0]! : CATALOGUES[l][key!];
    };
    expect(atStart).toContain(sample('en'));
    for (const l of ['it', 'es'] as const) {
      expect(atStart, l).not.toContain(sample(l));
      const chunk = readdirSync(dir).find((f) => f.startsWith(`${l}-`) && f.endsWith('.js'));
      expect(chunk, l).toBeDefined();
      expect(text(chunk!), l).toContain(sample(l));
      expect((await t.app.inject({ method: 'GET', url: `/${chunk}` })).statusCode, l).toBe(200);
    }
    const everything = readdirSync(dir).filter((f) => f.endsWith('.js')).map(text).join('\n');
    expect(everything).not.toContain('{{invoiceNumber}}');
  });
});
