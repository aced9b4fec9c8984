// The generic resource (src/db/crud.ts) on both backends: rows with the schema's keys and types
// (booleans true/false), every change with its audit record in one transaction, constraint
// violations as domain errors naming the field, and the list's filters, sorts and keyset cursors.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditStore } from '../../../src/db/audit.js';
import { makeRepos, type PlanInput, type Repos } from '../../../src/db/repos.js';
import { TollgateError } from '../../../src/lib/errors.js';
import { SecretBox } from '../../../src/lib/secretbox.js';
import { fixedClock } from '../../../src/lib/clock.js';
import { backendNames, openTestBackend, type TestBackend } from '../../helpers/backends.js';

const actor = { id: 'admin:1', ip: '192.0.2.1' };
const plan: PlanInput = {
  name: 'Home', type: 'recurring', price: 2500, billingPeriodMonths: 1, validityDays: null, downloadKbps: 50000, uploadKbps: 10000,
  burstDownloadKbps: null, burstUploadKbps: null, burstThresholdDownloadKbps: null, burstThresholdUploadKbps: null, burstTimeSeconds: null,
  dataCapBytes: null, capAction: null, throttleDownloadKbps: null, throttleUploadKbps: null, framedPool: null, suspensionMode: null,
};

async function refused(p: Promise<unknown>): Promise<TollgateError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof TollgateError) return e;
    throw e;
  }
  throw new Error('succeeded');
}

describe.each(backendNames)('Resource on %s', (name) => {
  let b: TestBackend;
  let repos: Repos;
  const count = async (table: string) => (await b.sql.get<{ n: number }>(`select count(*) as "n" from ${table}`))!.n;
  beforeAll(async () => {
    b = await openTestBackend(name);
    repos = makeRepos(b.sql, new SecretBox(randomBytes(32)), fixedClock(new Date('2026-03-01T10:00:00.000Z')));
  });
  afterAll(() => b?.close());

  it('creates, reads, updates and deletes, with the schema types and one audit record each', async () => {
    const created = await repos.plans.create({ ...plan, taxInclusive: false }, actor);
    expect(created).toMatchObject({ ...plan, taxInclusive: false, setupFee: 0, taxRateBp: 0, description: '', validityDays: null, dataCapBytes: null });
    expect(typeof created.id).toBe('number');
    expect(created.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(await repos.plans.get(created.id)).toEqual(created);
    const updated = await repos.plans.update(created.id, { price: 3000, taxInclusive: true, dataCapBytes: 2 ** 40, capAction: 'block' }, actor);
    expect(updated).toMatchObject({ price: 3000, taxInclusive: true, dataCapBytes: 2 ** 40, updatedAt: '2026-03-01T10:00:00.000Z' });
    expect(await repos.plans.update(999_999, { price: 1 }, actor)).toBeUndefined();
    expect(await repos.plans.delete(created.id, actor)).toBe(true);
    expect(await repos.plans.delete(created.id, actor)).toBe(false);
    expect(await repos.plans.get(created.id)).toBeUndefined();
    const audit = await auditStore(b.sql).list({ entity: 'plan', entityId: String(created.id) });
    expect(audit.items.map((e) => e.action)).toEqual(['delete', 'update', 'create']);
    expect(audit.items[1]).toMatchObject({ actor: 'admin:1', actorIp: '192.0.2.1', at: '2026-03-01T10:00:00.000Z' });
    expect(audit.items[1]!.before).toMatchObject({ price: 2500, taxInclusive: false });
    expect(audit.items[1]!.after).toMatchObject({ price: 3000, taxInclusive: true });
    expect(audit.items[0]!.after).toBeNull();
  });

  it('keeps sealed columns out of answers and the audit log, and booleans as booleans', async () => {
    const nas = await repos.nas.create({ name: 'edge', ipAddress: '10.0.0.1', secret: 's3cret', requireMessageAuthenticator: false }, actor);
    expect(nas).toMatchObject({ requireMessageAuthenticator: false, routerosEnabled: false, routerosTls: false, snmpEnabled: false, routerosPasswordSet: false });
    expect(JSON.stringify(nas)).not.toContain('secretEnc');
    const row = await repos.nas.getRow(nas.id);
    expect(row?.secretEnc).toEqual(expect.any(String));
    const [entry] = (await auditStore(b.sql).list({ entity: 'nas' })).items;
    expect(JSON.stringify(entry)).not.toContain('s3cret');
    await repos.nas.delete(nas.id, actor);
  });

  it('maps constraint violations to errors naming the field, and leaves nothing behind', async () => {
    const before = [await count('plans'), await count('audit_log')];
    await repos.plans.create(plan, actor);
    const dup = await refused(repos.plans.create(plan, actor));
    expect(dup).toMatchObject({ code: 'conflict', field: 'name' });
    const check = await refused(repos.plans.create({ ...plan, name: 'Negative', price: -1 }, actor));
    expect(check).toMatchObject({ code: 'invalid_input', field: 'price' });
    expect([await count('plans'), await count('audit_log')]).toEqual([before[0]! + 1, before[1]! + 1]);
    const other = await repos.plans.create({ ...plan, name: 'Other' }, actor);
    expect(await refused(repos.plans.update(other.id, { name: 'Home' }, actor))).toMatchObject({ code: 'conflict', field: 'name' });
    expect((await repos.plans.get(other.id))?.name).toBe('Other');
  });

  it('checks references in the transaction, and refuses to delete what others refer to', async () => {
    const p = (await repos.plans.list({}, [{ sql: 'name = ?', args: ['Home'] }])).items[0]!;
    const c = await repos.customers.create({ name: 'Ada' }, actor);
    expect(await refused(repos.services.create({ customerId: 999_999, planId: p.id, username: 'x', password: 'pw', startDate: '2026-01-01' }, actor)))
      .toMatchObject({ code: 'invalid_input', field: 'customerId' });
    expect(await refused(repos.services.create({ customerId: c.id, planId: 999_999, username: 'x', password: 'pw', startDate: '2026-01-01' }, actor)))
      .toMatchObject({ code: 'invalid_input', field: 'planId' });
    const s = await repos.services.create({ customerId: c.id, planId: p.id, username: 'ada', password: 'pw', startDate: '2026-01-01' }, actor);
    expect(s).toMatchObject({ customerId: c.id, planId: p.id, status: 'active', simultaneousUse: 1, macAddress: null });
    expect(JSON.stringify(s)).not.toContain('passwordEnc');
    expect(await refused(repos.services.create({ customerId: c.id, planId: p.id, username: 'ada', password: 'pw', startDate: '2026-01-01' }, actor)))
      .toMatchObject({ code: 'conflict', field: 'username' });
    expect(await refused(repos.services.update(s.id, { simultaneousUse: 0 }, actor))).toMatchObject({ code: 'invalid_input', field: 'simultaneousUse' });
    expect(await refused(repos.customers.delete(c.id, actor))).toMatchObject({ code: 'in_use' });
    expect(await repos.customers.get(c.id)).toBeDefined();
  });

  it('lists with filters, sorts and cursors, page after page', async () => {
    for (const n of ['delta', 'alpha', 'charlie', 'bravo', 'echo']) await repos.customers.create({ name: n, email: `${n}@example.net` }, actor);
    const all = async (sort: { field: string; desc: boolean } | undefined, filters: { sql: string; args: (string | number)[] }[] = [], limit = 2) => {
      const out: string[] = [];
      let cursor: string | undefined;
      for (;;) {
        const page = await repos.customers.list({ limit, cursor, sort }, filters);
        out.push(...page.items.map((c) => c.name));
        if (!page.next) return out;
        cursor = page.next;
      }
    };
    const fiveNames = { sql: `email like ?`, args: ['%@example.net'] };
    expect(await all({ field: 'name', desc: false }, [fiveNames])).toEqual(['alpha', 'bravo', 'charlie', 'delta', 'echo']);
    expect(await all({ field: 'name', desc: true }, [fiveNames], 3)).toEqual(['echo', 'delta', 'charlie', 'bravo', 'alpha']);
    expect(await all(undefined, [fiveNames])).toEqual(['delta', 'alpha', 'charlie', 'bravo', 'echo']);
    expect(await all({ field: 'id', desc: true }, [fiveNames])).toEqual(['echo', 'bravo', 'charlie', 'alpha', 'delta']);
    expect(await all({ field: 'name', desc: false }, [fiveNames, { sql: 'name > ?', args: ['b'] }])).toEqual(['bravo', 'charlie', 'delta', 'echo']);
    // Unfiltered: the statements prepared once per shape.
    const names = await all({ field: 'name', desc: false }, [], 1);
    expect(names).toEqual([...names].sort());
    expect(names).toEqual(expect.arrayContaining(['Ada', 'alpha', 'echo']));
    const first = await repos.customers.list({ limit: 1 });
    expect(first.items).toHaveLength(1);
    expect(first.next).not.toBeNull();
    // A cursor of another sort, or with a value of the wrong kind, is refused.
    const byName = await repos.customers.list({ limit: 1, sort: { field: 'name', desc: false } });
    expect(await refused(repos.customers.list({ cursor: byName.next!, sort: { field: 'createdAt', desc: false } }))).toMatchObject({ code: 'invalid_input', field: 'cursor' });
    const forged = Buffer.from(`s:${JSON.stringify(['name', 7, 1])}`).toString('base64url');
    expect(await refused(repos.customers.list({ cursor: forged, sort: { field: 'name', desc: false } }))).toMatchObject({ code: 'invalid_input', field: 'cursor' });
    expect(await refused(repos.customers.list({ cursor: 'nonsense' }))).toMatchObject({ code: 'invalid_input', field: 'cursor' });
  });
});
