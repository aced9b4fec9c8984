/**
 * The bulk import of subscribers (src/db/bulk.ts) on both backends: every customer gets its own
 * service across the statement chunks PostgreSQL's path writes, passwords are sealed as the API
 * seals them, and a bad row anywhere aborts the whole import with the field named.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importSubscribers, type SubscriberImport } from '../../../src/db/bulk.js';
import { makeRepos } from '../../../src/db/repos.js';
import { TollgateError } from '../../../src/lib/errors.js';
import { SecretBox } from '../../../src/lib/secretbox.js';
import { backendNames, openTestBackend, type TestBackend } from '../../helpers/backends.js';

const actor = { id: 'cli' };

describe.each(backendNames)('bulk import on %s', (name) => {
  let b: TestBackend;
  let planId: number;
  const box = new SecretBox(randomBytes(32));
  const rows = (from: number, count: number, plan = () => planId): SubscriberImport[] =>
    Array.from({ length: count }, (_, k) => ({ customerName: `Customer ${from + k}`, planId: plan(), username: `u${from + k}`, password: `pw${from + k}`, startDate: '2026-01-01' }));
  const count = async (table: 'customers' | 'services') => (await b.sql.get<{ n: number }>(`select count(*) as "n" from ${table}`))!.n;

  beforeEach(async () => {
    b = await openTestBackend(name);
    planId = (await makeRepos(b.sql, box).plans.create({ name: 'Home', type: 'recurring', price: 2990, billingPeriodMonths: 1, downloadKbps: 10_000, uploadKbps: 2_000 } as never, actor)).id;
  });
  afterEach(async () => b.close());

  it('gives 2,500 customers each its own service, across chunks, with sealed passwords', async () => {
    const result = await importSubscribers(b.sql, box, rows(0, 2500), actor);
    expect(result).toMatchObject({ customers: 2500, services: 2500 });
    const pairs = await b.sql.all<{ id: number; name: string; username: string; passwordEnc: string }>(
      `select s.id, c.name, s.username, s.password_enc as "passwordEnc" from services s join customers c on c.id = s.customer_id order by s.id`);
    expect(pairs).toHaveLength(2500);
    expect(pairs[0]!.id).toBe(result.firstServiceId);
    expect(pairs.filter((p) => p.name !== `Customer ${p.username.slice(1)}`)).toEqual([]);
    expect(box.open(pairs[1234]!.passwordEnc)).toBe(`pw${pairs[1234]!.username.slice(1)}`);
    expect(await b.sql.get(`select action, after from audit_log where action = 'import'`)).toEqual({ action: 'import', after: JSON.stringify({ services: 2500, firstServiceId: result.firstServiceId }) });
  });

  it('imports nothing when a row in a later chunk repeats a username, and names the field', async () => {
    await importSubscribers(b.sql, box, rows(0, 1), actor);
    const batch = [...rows(1, 1500), ...rows(0, 1)];
    const e = await importSubscribers(b.sql, box, batch, actor).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TollgateError);
    expect(e).toMatchObject({ field: 'username' });
    expect([await count('customers'), await count('services')]).toEqual([1, 1]);
  });

  it('refuses an unknown plan, naming planId, and imports nothing', async () => {
    const e = await importSubscribers(b.sql, box, [...rows(0, 10), ...rows(10, 1, () => 999_999)], actor).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'invalid_input', field: 'planId' });
    expect(await count('services')).toBe(0);
  });
});
