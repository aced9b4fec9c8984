// `tollgate migrate-to-postgres` as an operator runs it (the compiled bin) from a SQLite installation
// filled through the app's own API (customers, services, NAS, plans, billing runs, payments, a refund,
// a credit note, vouchers, an admin, a deleted customer, the audit log of it all) into a real
// PostgreSQL: every row equal on both sides (booleans as booleans, 64-bit integers exact), the
// sequences past the copied ids, a non-empty target refused untouched, bad URLs named, a bad value
// rolled back, and a copy taken while another connection keeps writing is one consistent instant.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { copyPlan, copyToPostgres } from '../../src/db/copy-to-postgres.js';
import { migratePostgres } from '../../src/db/migrate-pg.js';
import { TestClock } from '../../src/lib/clock.js';
import { SecretBox } from '../../src/lib/secretbox.js';
import { testApi } from '../helpers/admin-api.js';
import { createPostgresDatabase, postgresReady } from '../helpers/backends.js';
import { BIN, cli, tempDir } from '../helpers/daemon.js';

const plan = copyPlan();
const BIG_OCTETS = '9007199254740993'; // 2^53 + 1: a double would round it

/** A new database with no schema at all, as an operator creates it for the copy. */
const emptyDatabase = () => createPostgresDatabase({ empty: true });

async function withPg<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

type Cell = string | boolean | null;

/** Every row of every table, as comparable text: SQLite's side read exactly (bigint) and 0/1 as booleans. */
function sqliteRows(path: string): Map<string, string[]> {
  const db = new Database(path, { readonly: true });
  try {
    const out = new Map<string, string[]>();
    for (const t of plan) {
      const rows = db.prepare<[], unknown[]>(`select ${t.columns.map((c) => `"${c.name}"`).join(', ')} from "${t.name}"`).raw(true).safeIntegers(true).all();
      out.set(t.name, rows.map((r) => JSON.stringify(r.map((v, i): Cell => {
        if (v === null) return null;
        if (t.columns[i]!.type === 'boolean') return v === 1n ? true : v === 0n ? false : `not a boolean: ${String(v)}`;
        return typeof v === 'bigint' ? v.toString() : String(v);
      }))).sort());
    }
    return out;
  } finally {
    db.close();
  }
}

/** The same from PostgreSQL; a boolean column must come back as a JS boolean, not 0/1. */
async function postgresRows(url: string): Promise<Map<string, string[]>> {
  return withPg(url, async (client) => {
    const out = new Map<string, string[]>();
    for (const t of plan) {
      const rows = (await client.query({ text: `select ${t.columns.map((c) => `"${c.name}"`).join(', ')} from "${t.name}"`, rowMode: 'array' })).rows as unknown[][];
      out.set(t.name, rows.map((r) => JSON.stringify(r.map((v, i): Cell => {
        if (v === null) return null;
        if (t.columns[i]!.type === 'boolean') return typeof v === 'boolean' ? v : `not a boolean: ${String(v)}`;
        return String(v);
      }))).sort());
    }
    return out;
  });
}

async function rowCounts(url: string): Promise<Record<string, number>> {
  return withPg(url, async (client) => {
    const out: Record<string, number> = {};
    for (const t of plan) {
      const r = await client.query<{ n: string }>(`select count(*) as n from "${t.name}"`).catch(() => ({ rows: [{ n: '-1' }] }));
      out[t.name] = Number(r.rows[0]!.n);
    }
    return out;
  });
}

// Each CLI run is a process start of a few seconds on a busy machine.
describe.skipIf(!postgresReady)('tollgate migrate-to-postgres', { timeout: 120_000 }, () => {
  let dir: string;
  let config: string;
  let dbPath: string;
  let deletedCustomerId: number;
  let url: string;
  let copy: ReturnType<typeof cli>;
  let box: SecretBox;

  beforeAll(async () => {
    const clock = new TestClock('2026-01-01T08:00:00.000Z');
    const api = await testApi({ clock });
    dir = api.dir;
    box = api.box;
    dbPath = join(dir, 'tollgate.db');
    try {
      const token = await api.token('super-admin');
      const call = async (method: string, path: string, payload?: unknown) => {
        const res = await api.app.inject({ method: method as 'POST', url: path, payload: payload as object, headers: { authorization: `Bearer ${token}` } });
        if (res.statusCode >= 300) throw new Error(`${method} ${path}: ${res.statusCode} ${res.body}`);
        return res.body ? res.json() : undefined;
      };
      await call('POST', '/api/v1/nas', { name: 'core', ipAddress: '192.0.2.1', secret: 'core-secret-123' });
      await call('POST', '/api/v1/nas', { name: 'tower', ipAddress: '192.0.2.2', secret: 'tower-secret-123', requireMessageAuthenticator: false });
      const home = await call('POST', '/api/v1/plans', { name: 'Home', type: 'recurring', price: 3000, billingPeriodMonths: 1, taxRateBp: 2200, taxInclusive: true, downloadKbps: 10000, uploadKbps: 2000 });
      const biz = await call('POST', '/api/v1/plans', { name: 'Business', type: 'recurring', price: 9900, billingPeriodMonths: 1, taxRateBp: 2200, taxInclusive: false, downloadKbps: 50000, uploadKbps: 20000 });
      const day = await call('POST', '/api/v1/plans', { name: 'Day pass', type: 'prepaid', price: 500, validityDays: 1, taxRateBp: 2200, downloadKbps: 4000, uploadKbps: 1000 });
      const customers: number[] = [];
      for (const [i, name] of ['Mario Rossi', 'Anna Bianchi', 'Luca Verdi'].entries()) {
        const c = await call('POST', '/api/v1/customers', { name, email: `c${i}@example.com` });
        customers.push(c.id);
        const s = await call('POST', '/api/v1/services', { customerId: c.id, planId: i === 1 ? biz.id : home.id, username: `user${i}`, password: `pw-${i}-secret`, startDate: '2026-01-01' });
        if (i === 0) await call('POST', '/api/v1/recurring-items', { serviceId: s.id, description: 'Router rent', amount: 300, taxRateBp: 2200 });
      }
      await call('POST', '/api/v1/charges', { customerId: customers[1], description: 'Installation', amount: 4900, date: '2026-01-01', taxRateBp: 2200 });
      await call('POST', '/api/v1/discounts', { customerId: customers[2], description: 'Welcome', target: { kind: 'invoice' }, percentBp: 1000, startDate: '2026-02-01', periods: 1 });
      const profile = await call('POST', '/api/v1/billing-profiles', { name: 'Lenient', daysUntilDue: 30, billSuspended: true });
      await call('PUT', `/api/v1/customers/${customers[2]}/billing-profile`, { billingProfileId: profile.id, whitelisted: true });
      await call('POST', '/api/v1/admins', { username: 'finance1', password: 'a-long-password-1', role: 'finance', mustChangePassword: true });

      await call('POST', '/api/v1/billing/run', { date: '2026-01-01' });
      const invoices = (await call('GET', '/api/v1/invoices')).items as { id: number; customerId: number; total: number }[];
      expect(invoices.length).toBeGreaterThanOrEqual(3);
      clock.set('2026-01-05T10:00:00.000Z');
      const paid = await call('POST', '/api/v1/payments', { customerId: customers[0], amount: 10_000, method: 'bank', receivedAt: '2026-01-05T09:00:00.000Z' });
      await call('POST', '/api/v1/payments', { customerId: customers[1], amount: 2_500, method: 'cash', receivedAt: '2026-01-05T09:30:00.000Z' });
      await call('POST', `/api/v1/payments/${paid.id}/refund`, { amount: 1_000, reason: 'overpaid' });
      await call('POST', '/api/v1/credit-notes', { invoiceId: invoices.find((i) => i.customerId === customers[1])!.id, date: '2026-01-05', reason: 'outage' });
      const batch = await call('POST', '/api/v1/vouchers/batches', { name: 'Hotspot', planId: day.id, count: 20 });
      const code = (new Database(dbPath, { readonly: true }).prepare('select code from vouchers where batch_id = ? limit 1').pluck().get(batch.id)) as string;
      await call('POST', '/api/v1/vouchers/redeem', { code, customer: { name: 'Walk-in' } });
      clock.set('2026-02-01T08:00:00.000Z');
      await call('POST', '/api/v1/billing/run', { date: '2026-02-01' });
      // The highest customer id, deleted: PostgreSQL must not give it again (SQLite's AUTOINCREMENT does not).
      deletedCustomerId = (await call('POST', '/api/v1/customers', { name: 'Gone Soon' })).id;
      await call('DELETE', `/api/v1/customers/${deletedCustomerId}`);

      // RADIUS history in bulk (several INSERT batches), and a counter beyond 2^53.
      api.db.$client.exec(`
        with recursive n(i) as (select 1 union all select i + 1 from n where i < 2500)
        insert into auth_log (at, nas_id, service_id, username, outcome, reason)
        select '2026-01-02T00:00:00.000Z', 1, 1, 'user' || (i % 3), case when i % 7 = 0 then 'reject' else 'accept' end, null from n;
        insert into radius_sessions (nas_id, acct_session_id, service_id, username, started_at, updated_at, input_octets, output_octets)
        values (1, 'big-1', 1, 'user0', '2026-01-02T00:00:00.000Z', '2026-01-02T01:00:00.000Z', ${BIG_OCTETS}, 5);
      `);
    } finally {
      await api.close();
    }
    config = join(dir, 'tollgate.toml');
    writeFileSync(config, `[database]\npath = "${dbPath}"\n`);
    url = await emptyDatabase();
    copy = cli(['migrate-to-postgres', '--to', url, '--config', config]);
  }, 120_000);

  it('copies every row of every table, exactly, and reports counts, sums and time', async () => {
    expect(copy.code, copy.stderr).toBe(0);
    const source = sqliteRows(dbPath);
    const target = await postgresRows(url);
    for (const t of plan) expect(target.get(t.name), t.name).toEqual(source.get(t.name));
    // The installation really has the data this test is about.
    for (const t of ['customers', 'services', 'nas', 'plans', 'invoices', 'invoice_lines', 'payments', 'payment_allocations', 'refunds', 'credit_notes', 'credit_note_lines', 'vouchers', 'voucher_batches', 'prepaid_topups', 'audit_log', 'admins', 'billing_profiles', 'auth_log', 'billing_runs']) {
      expect(source.get(t)!.length, t).toBeGreaterThan(0);
    }
    expect(copy.stdout).toMatch(/^auth_log +2500$/m);
    expect(copy.stdout).toMatch(/^invoices +\d+$/m);
    expect(copy.stdout).toMatch(/Verified before commit/);
    for (const c of ['invoices.total', 'invoices.open', 'invoice_lines.gross', 'payments.amount', 'refunds.amount', 'credit_notes.total', 'customer_accounts.credit']) {
      expect(copy.stdout).toMatch(new RegExp(`^  ${c.replace('.', '\\.')} +\\d+$`, 'm'));
    }
    expect(copy.stdout).toMatch(/SQLite-only tables not copied.*customer_search.*sqlite_sequence/);
    expect(copy.stdout).toMatch(/in \d+\.\d s/);
    expect(copy.stdout).toMatch(/after the snapshot are NOT in PostgreSQL/);
    expect(copy.stdout).not.toMatch(/sqlite_schema/);
    expect(copy.stdout).toMatch(/only with the same key: the key file .*secret\.key must go with the installation/);
    expect(copy.stdout).not.toMatch(new RegExp(new URL(url).password));
  });

  it('keeps money sums equal and booleans and 64-bit counters as they were', async () => {
    const db = new Database(dbPath, { readonly: true });
    const sqliteSum = (sql: string) => String(db.prepare(sql).pluck().safeIntegers(true).get());
    const expected = {
      invoices: sqliteSum('select sum(total) from invoices'),
      payments: sqliteSum('select sum(amount) from payments'),
      credit: sqliteSum('select sum(total) from credit_notes'),
    };
    db.close();
    await withPg(url, async (c) => {
      const r = (await c.query('select (select cast(sum(total) as text) from invoices) as invoices, (select cast(sum(amount) as text) from payments) as payments, (select cast(sum(total) as text) from credit_notes) as credit')).rows[0];
      expect(r).toEqual(expected);
      expect((await c.query('select name, require_message_authenticator as r, routeros_enabled as ros from nas order by id')).rows).toEqual([
        { name: 'core', r: true, ros: false },
        { name: 'tower', r: false, ros: false },
      ]);
      expect((await c.query(`select dunning_exempt as d from customers where name = 'Luca Verdi'`)).rows).toEqual([{ d: true }]);
      expect((await c.query(`select must_change_password as m from admins where username = 'finance1'`)).rows).toEqual([{ m: true }]);
      expect((await c.query(`select cast(input_octets as text) as o from radius_sessions where acct_session_id = 'big-1'`)).rows).toEqual([{ o: BIG_OCTETS }]);
      // Sealed secrets travel as they are: the same ciphertext, openable only with the same key.
      const sealed = (await c.query<{ s: string }>(`select secret_enc as s from nas where name = 'core'`)).rows[0]!.s;
      expect(sealed).not.toContain('core-secret');
      expect(box.open(sealed)).toBe('core-secret-123');
      expect(() => new SecretBox(randomBytes(32)).open(sealed)).toThrow();
    });
  });

  it('moves every identity sequence past the copied ids (and past a deleted last id)', async () => {
    await withPg(url, async (c) => {
      const customer = (await c.query<{ id: string }>(`insert into customers (name) values ('After the move') returning id`)).rows[0]!;
      expect(Number(customer.id)).toBe(deletedCustomerId + 1);
      const audit = (await c.query<{ id: string; max: string }>(`insert into audit_log (at, actor, action, entity) values ('2026-02-02T00:00:00.000Z', 'cli', 'test', 'x') returning id, (select cast(max(id) as text) from audit_log) as max`)).rows[0]!;
      expect(Number(audit.id)).toBeGreaterThan(Number(audit.max));
      for (const t of plan.filter((p) => p.identity)) {
        const r = (await c.query<{ next: string; max: string | null }>(`select cast(nextval(pg_get_serial_sequence('"${t.name}"', '${t.identity}')) as text) as next, (select cast(max("${t.identity}") as text) from "${t.name}") as max`)).rows[0]!;
        expect(Number(r.next), t.name).toBeGreaterThan(Number(r.max ?? 0));
      }
    });
  });

  it('refuses a target that already has rows, changing nothing', async () => {
    const before = await rowCounts(url);
    const again = cli(['migrate-to-postgres', '--to', url, '--config', config]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/the PostgreSQL database is not empty: .*customers.* already have rows/);
    expect(again.stderr).not.toMatch(/\n\s+at /); // a message, not a stack
    expect(await rowCounts(url)).toEqual(before);

    // A migrated database with one row anywhere is refused too, before anything is written.
    const other = await emptyDatabase();
    await migratePostgres(other);
    await withPg(other, (c) => c.query(`insert into settings (key, value) values ('x', '1')`));
    const refused = cli(['migrate-to-postgres', '--to', other, '--config', config]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/not empty: settings already has rows/);
    const counts = await rowCounts(other);
    expect(Object.entries(counts).filter(([, n]) => n !== 0)).toEqual([['settings', 1]]);
  });

  it('names a bad URL or an unreachable server clearly, without the password', async () => {
    const notUrl = cli(['migrate-to-postgres', '--to', 'db.example.com/tollgate', '--config', config]);
    expect(notUrl.code).toBe(2);
    expect(notUrl.stderr).toMatch(/--to: "db.example.com\/tollgate" is not a URL; expected postgres:\/\/USER:PASSWORD@HOST/);
    const mysql = cli(['migrate-to-postgres', '--to', 'mysql://u:hunter2@h/db', '--config', config]);
    expect(mysql.code).toBe(2);
    expect(mysql.stderr).toMatch(/not a PostgreSQL URL/);
    expect(mysql.stderr).not.toContain('hunter2');
    const missing = cli(['migrate-to-postgres', '--config', config]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--to is required \(or \[database\] url in the config\)/);

    const help = cli(['migrate-to-postgres', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: tollgate migrate-to-postgres \[--to postgres:\/\//);
    expect(cli(['--help']).stdout).toMatch(/migrate-to-postgres \[--to URL\]/);
    const noSqlite = join(dir, 'nowhere.toml');
    writeFileSync(noSqlite, `[database]\npath = "${join(dir, 'missing/tollgate.db')}"\n`);
    const missingDb = cli(['migrate-to-postgres', '--to', url, '--config', noSqlite]);
    expect(missingDb.code).toBe(2);
    expect(missingDb.stderr).toMatch(/no database at .*missing\/tollgate\.db/);

    // A SQLite file that never saw this version's migrations is not guessed at.
    const bare = join(tempDir('tollgate-copy-bare-'), 'tollgate.db');
    new Database(bare).close();
    const bareConfig = join(dir, 'bare.toml');
    writeFileSync(bareConfig, `[database]\npath = "${bare}"\n`);
    const unmigrated = cli(['migrate-to-postgres', '--to', url, '--config', bareConfig]);
    expect(unmigrated.code).toBe(1);
    expect(unmigrated.stderr).toMatch(/lacks \d+ migration\(s\) of this build: run `tollgate migrate`/);

    const wrong = new URL(url);
    wrong.password = 'not-the-password';
    const denied = cli(['migrate-to-postgres', '--to', wrong.toString(), '--config', config]);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/cannot connect to PostgreSQL at postgres:\/\/tollgate:\*\*\*@127\.0\.0\.1:\d+\/\w+: password authentication failed/);
    expect(denied.stderr).not.toContain('not-the-password');
    wrong.password = new URL(url).password;
    wrong.pathname = '/no_such_database';
    const noDb = cli(['migrate-to-postgres', '--to', wrong.toString(), '--config', config]);
    expect(noDb.code).toBe(1);
    expect(noDb.stderr).toMatch(/cannot connect to PostgreSQL .*no_such_database.*does not exist/);
  });

  it('takes the target from [database] url when --to is not given', async () => {
    const target = await emptyDatabase();
    const withUrl = join(dir, 'with-url.toml');
    writeFileSync(withUrl, `[database]\npath = "${dbPath}"\nurl = "${target}"\n`);
    const r = cli(['migrate-to-postgres', '--config', withUrl]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`to postgres://tollgate:***@127.0.0.1:${new URL(target).port}${new URL(target).pathname}`);
    expect(await postgresRows(target)).toEqual(sqliteRows(dbPath));
  });

  it('refuses a SQLite schema it cannot copy whole before touching the target', async () => {
    const odd = join(tempDir('tollgate-copy-odd-'), 'tollgate.db');
    const src = new Database(dbPath, { readonly: true });
    await src.backup(odd);
    src.close();
    const db = new Database(odd);
    db.exec(`create table legacy_notes (id integer primary key, body text); alter table plans add column colour text`);
    db.close();
    const target = await emptyDatabase();
    await expect(copyToPostgres({ sqlitePath: odd, url: target })).rejects.toThrow(
      /does not match this build's PostgreSQL schema: the SQLite table legacy_notes has no PostgreSQL counterpart \(its rows would be lost\); plans has colour in SQLite only; nothing was copied/,
    );
    // Not even migrated: the refusal came before the first statement on PostgreSQL.
    const tables = await withPg(target, async (c) => (await c.query(`select count(*) as n from information_schema.tables where table_schema = 'public'`)).rows[0].n);
    expect(Number(tables)).toBe(0);
  });

  it('rolls everything back when a value cannot be copied, naming the table and column', async () => {
    const bad = join(tempDir('tollgate-copy-bad-'), 'tollgate.db');
    const src = new Database(dbPath, { readonly: true });
    await src.backup(bad);
    src.close();
    const db = new Database(bad);
    db.prepare(`update nas set routeros_tls = 2 where name = 'tower'`).run();
    db.close();
    const badConfig = join(dir, 'bad.toml');
    writeFileSync(badConfig, `[database]\npath = "${bad}"\n`);
    const target = await emptyDatabase();
    const r = cli(['migrate-to-postgres', '--to', target, '--config', badConfig]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/nas\.routeros_tls holds 2, not a boolean 0 or 1/);
    const counts = await rowCounts(target);
    expect(Object.values(counts).every((n) => n === 0), JSON.stringify(counts)).toBe(true);
  });
});

describe.skipIf(!postgresReady)('a copy while another connection writes', () => {
  it('copies one instant: every write wholly in or wholly out, and later writes left behind', async () => {
    const dir = tempDir('tollgate-copy-live-');
    const config = join(dir, 'tollgate.toml');
    const path = join(dir, 'tollgate.db');
    writeFileSync(config, `[database]\npath = "${path}"\nsynchronous = "normal"\n`);
    expect(cli(['migrate', '--config', config]).code).toBe(0);

    const writer = new Database(path);
    writer.pragma('journal_mode = WAL');
    writer.pragma('busy_timeout = 5000');
    writer.pragma('foreign_keys = ON');
    // Enough history that the copy takes a while.
    writer.exec(`
      with recursive n(i) as (select 1 union all select i + 1 from n where i < 150000)
      insert into auth_log (at, username, outcome) select '2026-01-02T00:00:00.000Z', 'u' || i, 'accept' from n;
    `);
    // Each write is one transaction of three rows that belong together: a customer, its payment of
    // i cents, and the audit record. A consistent copy holds them for i = 1..k and nothing else.
    const customer = writer.prepare(`insert into customers (name) values (?) returning id`).pluck();
    const payment = writer.prepare(`insert into payments (customer_id, amount, method, received_at, date) values (?, ?, 'cash', '2026-01-02T00:00:00.000Z', '2026-01-02')`);
    const audit = writer.prepare(`insert into audit_log (at, actor, action, entity, entity_id) values ('2026-01-02T00:00:00.000Z', 'writer', 'create', 'customer', ?)`);
    let written = 0;
    const write = writer.transaction((i: number) => {
      const id = customer.get(`w-${i}`) as number;
      payment.run(id, i);
      audit.run(String(id));
    });
    let stop = false;
    const loop = (async () => {
      while (!stop) {
        write(++written);
        await new Promise((r) => setTimeout(r, 1));
      }
    })();
    while (written < 20) await new Promise((r) => setTimeout(r, 5));

    const url = await emptyDatabase();
    const child = spawn(process.execPath, [BIN, 'migrate-to-postgres', '--to', url, '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    const atEnd = written;
    // Some writes land after the copy has finished: proof the writer never waited on it.
    while (written < atEnd + 20) await new Promise((r) => setTimeout(r, 5));
    stop = true;
    await loop;
    writer.close();

    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/Snapshot of the SQLite database taken at/);
    await withPg(url, async (c) => {
      const names = (await c.query<{ name: string }>(`select name from customers where name like 'w-%'`)).rows.map((r) => Number(r.name.slice(2))).sort((a, b) => a - b);
      const k = names.length;
      expect(k).toBeGreaterThan(0);
      expect(k).toBeLessThan(atEnd); // writes went on during the copy, after its snapshot
      expect(names).toEqual(Array.from({ length: k }, (_, i) => i + 1));
      const pay = (await c.query<{ n: string; s: string }>(`select count(*) as n, cast(sum(amount) as text) as s from payments`)).rows[0]!;
      expect({ n: Number(pay.n), s: Number(pay.s) }).toEqual({ n: k, s: (k * (k + 1)) / 2 });
      const audits = (await c.query<{ n: string }>(`select count(*) as n from audit_log where actor = 'writer'`)).rows[0]!;
      expect(Number(audits.n)).toBe(k);
      expect(Number((await c.query<{ n: string }>('select count(*) as n from auth_log')).rows[0]!.n)).toBe(150000);
    });
  }, 120_000);
});
