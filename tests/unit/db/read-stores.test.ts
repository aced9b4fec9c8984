// The read side on both backends: the audit log's filters and free text, the session and auth logs
// (the auth log through its per-subscriber index and its unindexed tail), and the API lists' filters
// (src/http/routes/lists.ts) as the generic resource runs them.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditRecorder, auditStore, REDACTED } from '../../../src/db/audit.js';
import type { Condition } from '../../../src/db/conditions.js';
import type { ListQuery } from '../../../src/db/crud.js';
import { importSubscribers } from '../../../src/db/bulk.js';
import { sessionLog } from '../../../src/db/logs.js';
import { makeRepos } from '../../../src/db/repos.js';
import { ensureCustomerSearch, searchCustomerIds } from '../../../src/db/search.js';
import { customerListing, nasListing, planListing, serviceListing } from '../../../src/http/routes/lists.js';
import { SecretBox } from '../../../src/lib/secretbox.js';
import { backendNames, openTestBackend, type TestBackend } from '../../helpers/backends.js';

const actor = { id: 'cli' };

describe.each(backendNames)('read stores on %s', (name) => {
  let b: TestBackend;
  beforeAll(async () => {
    b = await openTestBackend(name);
    await ensureCustomerSearch(b.sql);
  });
  afterAll(() => b?.close());

  it('audit log: filters, case-insensitive free text, newest first by cursor, secrets redacted', async () => {
    const record = auditRecorder(b.sql);
    await record({ id: 'admin:1', ip: '192.0.2.7' }, '2026-03-01T10:00:00.000Z', 'create', 'customer', 1, undefined, { name: 'Mario Rossi' });
    await record({ id: 'admin:2' }, '2026-03-02T10:00:00.000Z', 'update', 'customer', 1, { name: 'Mario Rossi' }, { name: 'Mario Verdi', password: 'pw' });
    await record({ id: 'token:5' }, '2026-03-03T10:00:00.000Z', 'delete', 'nas', 7, { name: '50%_off' }, undefined);
    const store = auditStore(b.sql);
    const ids = async (f: Parameters<typeof store.list>[0]) => (await store.list(f)).items.map((e) => `${e.entity}:${e.action}`);
    expect(await ids({})).toEqual(['nas:delete', 'customer:update', 'customer:create']);
    expect(await ids({ actor: 'admin:1' })).toEqual(['customer:create']);
    expect(await ids({ entity: 'customer', entityId: '1', action: 'update' })).toEqual(['customer:update']);
    expect(await ids({ from: '2026-03-02T10:00:00Z', to: '2026-03-03T10:00:00Z' })).toEqual(['customer:update']);
    expect(await ids({ q: 'VERDI' })).toEqual(['customer:update']);
    expect(await ids({ q: 'token' })).toEqual(['nas:delete']);
    expect(await ids({ q: '%_' })).toEqual(['nas:delete']); // LIKE's own characters match only themselves
    expect(await ids({ q: '' })).toHaveLength(3);
    const first = await store.list({}, 2);
    expect(first.items).toHaveLength(2);
    const rest = await store.list({}, 2, first.next!);
    expect(rest).toMatchObject({ items: [{ action: 'create', actor: 'admin:1', actorIp: '192.0.2.7', entityId: '1', before: null, after: { name: 'Mario Rossi' } }], next: null });
    expect(first.items[1]).toMatchObject({ actorIp: null, after: { name: 'Mario Verdi', password: REDACTED } });
  });

  it('sessions: filters and cursor, newest first', async () => {
    const insert = b.sql.prepare(`insert into radius_sessions (acct_session_id, username, started_at, updated_at, stopped_at, input_octets) values (?, ?, ?, ?, ?, ?)`);
    await insert.run('a', 'mario', '2026-03-01T10:00:00.000Z', '2026-03-01T10:00:00.000Z', null, 5_000_000_000);
    await insert.run('b', 'mario', '2026-03-01T11:00:00.000Z', '2026-03-01T11:00:00.000Z', '2026-03-01T12:00:00.000Z', 1);
    await insert.run('c', 'anna', '2026-03-01T12:00:00.000Z', '2026-03-01T12:00:00.000Z', null, 2);
    let barriers = 0;
    const log = sessionLog(b.sql, async () => void barriers++);
    const sessions = async (f: Parameters<typeof log.sessions>[0], limit = 50, cursor?: string) => (await log.sessions(f, limit, cursor)).items.map((s) => s.acctSessionId);
    expect(await sessions({})).toEqual(['c', 'b', 'a']);
    expect(await sessions({ active: true })).toEqual(['c', 'a']);
    expect(await sessions({ active: false, username: 'mario' })).toEqual(['b']);
    expect(await sessions({ username: 'nobody' })).toEqual([]);
    const page = await log.sessions({ username: 'mario' }, 1);
    expect(await sessions({ username: 'mario' }, 1, page.next!)).toEqual(['a']);
    const [a] = (await log.sessions({ active: true, username: 'mario' })).items;
    expect(a).toMatchObject({ acctSessionId: 'a', inputOctets: 5_000_000_000, stoppedAt: null, sessionTime: 0, serviceId: null });
    expect(barriers).toBeGreaterThan(0);
  });

  it('auth log: whole, and per subscriber through the index and the unindexed tail alike', async () => {
    const insert = b.sql.prepare(`insert into auth_log (id, at, service_id, username, outcome) values (?, ?, ?, ?, ?)`);
    const byService = b.sql.prepare(`insert into auth_log_by_service (bucket, service_id, auth_log_id) values (?, ?, ?)`);
    const byUsername = b.sql.prepare(`insert into auth_log_by_username (bucket, username, auth_log_id) values (?, ?, ?)`);
    // Ids across three buckets of 8,192; the first 20 rows indexed, the last 10 not yet.
    const rows = Array.from({ length: 30 }, (_, i) => ({ id: 1 + i * 1000, serviceId: i % 3 === 0 ? 1 : 2, username: i % 3 === 0 ? 'one' : 'two', outcome: i % 4 === 0 ? 'reject' : 'accept' }));
    await b.sql.transaction(async () => {
      for (const r of rows) await insert.run(r.id, new Date(Date.UTC(2026, 2, 1) + r.id * 1000).toISOString(), r.serviceId, r.username, r.outcome);
      for (const r of rows.slice(0, 20)) {
        await byService.run(r.id >> 13, r.serviceId, r.id);
        await byUsername.run(r.id >> 13, r.username, r.id);
      }
      const upto = rows[19]!.id;
      if ((await b.sql.run(`update auth_log_index_state set upto = ?`, upto)).changes === 0) await b.sql.run(`insert into auth_log_index_state (id, upto) values (1, ?)`, upto);
    });
    const log = sessionLog(b.sql);
    const every = async (f: Parameters<typeof log.authLog>[0], limit: number) => {
      const out: number[] = [];
      let cursor: string | undefined;
      for (;;) {
        const p = await log.authLog(f, limit, cursor);
        out.push(...p.items.map((r) => r.id));
        if (!p.next) return out;
        cursor = p.next;
      }
    };
    const expected = (pred: (r: (typeof rows)[number]) => boolean) => rows.filter(pred).map((r) => r.id).reverse();
    for (const limit of [1, 4, 50]) {
      expect(await every({}, limit)).toEqual(expected(() => true));
      expect(await every({ serviceId: 1 }, limit)).toEqual(expected((r) => r.serviceId === 1));
      expect(await every({ username: 'two', outcome: 'reject' }, limit)).toEqual(expected((r) => r.username === 'two' && r.outcome === 'reject'));
      expect(await every({ serviceId: 2, username: 'two' }, limit)).toEqual(expected((r) => r.serviceId === 2));
    }
    const [newest] = (await log.authLog({ outcome: 'accept' }, 1)).items;
    expect(newest).toMatchObject({ id: rows[29]!.id, username: 'two', outcome: 'accept', nasId: null, reason: null });
  });

  it("the API lists' filters, and a bulk import searched as any customer", async () => {
    const repos = makeRepos(b.sql, new SecretBox(randomBytes(32)));
    const plan = await repos.plans.create({ name: 'Prepaid 30', type: 'prepaid', price: 1000, validityDays: 30, downloadKbps: 1000, uploadKbps: 1000 } as never, actor);
    await repos.plans.create({ name: 'Monthly', type: 'recurring', price: 1000, billingPeriodMonths: 1, downloadKbps: 1000, uploadKbps: 1000 } as never, actor);
    await repos.nas.create({ name: 'mk', ipAddress: '10.0.0.1', secret: 's', vendor: 'mikrotik' }, actor);
    await repos.nas.create({ name: 'gen', ipAddress: '10.0.0.2', secret: 's' }, actor);
    const result = await importSubscribers(b.sql, new SecretBox(randomBytes(32)), [
      { customerName: 'Bulk One', email: 'One@Example.net', planId: plan.id, username: 'bulk1', password: 'x', startDate: '2026-01-01', macAddress: 'aa-bb-cc-00-00-01', staticIp: '10.9.0.1' },
      { customerName: 'Bulk Two', planId: plan.id, username: 'bulk2', password: 'x', startDate: '2026-01-01', status: 'suspended' },
    ], actor);
    expect(result).toMatchObject({ customers: 2, services: 2, firstServiceId: expect.any(Number) });
    type Listed<T> = { list(q: ListQuery, f: readonly Condition[]): Promise<{ items: T[] }> };
    const names = async (r: Listed<{ name: string }>, filters: Condition[], sort?: ListQuery['sort']) => (await r.list({ sort }, filters)).items.map((i) => i.name);
    expect(await names(repos.nas, nasListing.filters!({ vendor: 'mikrotik' }))).toEqual(['mk']);
    expect(await names(repos.plans, planListing.filters!({ type: 'prepaid' }))).toEqual(['Prepaid 30']);
    const customers = customerListing(b.sql).filters!;
    expect(await names(repos.customers, customers({ email: 'one@example.NET' }))).toEqual(['Bulk One']);
    expect(await names(repos.customers, customers({ q: 'bulk' }), { field: 'name', desc: true })).toEqual(['Bulk Two', 'Bulk One']);
    const services = serviceListing.filters!;
    const serviceList: Listed<{ username: string }> = repos.services;
    const usernames = async (q: Record<string, unknown>) => (await serviceList.list({}, services(q))).items.map((s) => s.username);
    expect(await usernames({ status: 'suspended' })).toEqual(['bulk2']);
    expect(await usernames({ macAddress: 'AA:BB:CC:00:00:01' })).toEqual(['bulk1']);
    expect(await usernames({ staticIp: '10.9.0.1', planId: plan.id })).toEqual(['bulk1']);
    expect(await usernames({ username: 'bulk2', customerId: 999_999 })).toEqual([]);
    expect(() => services({ macAddress: 'not a mac' })).toThrow(/MAC/);
    expect(await searchCustomerIds(b.sql, 'bulk2')).toHaveLength(1);
    expect(await searchCustomerIds(b.sql, '10.9.0.1')).toHaveLength(1);
    // A bad row undoes the whole import.
    await expect(importSubscribers(b.sql, new SecretBox(randomBytes(32)), [
      { customerName: 'Bulk Three', planId: plan.id, username: 'bulk3', password: 'x', startDate: '2026-01-01' },
      { customerName: 'Bulk Dup', planId: plan.id, username: 'bulk1', password: 'x', startDate: '2026-01-01' },
    ], actor)).rejects.toMatchObject({ code: 'conflict', field: 'username' });
    expect(await searchCustomerIds(b.sql, 'bulk')).toHaveLength(2);
  });
});
