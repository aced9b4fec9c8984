// Customer search finds the same customers on both backends for the same fixtures: SQLite through its
// FTS5 table, PostgreSQL through its full-text and trigram indexes (and, on a few thousand rows, it
// does use them). Names by the start of their words, and emails, usernames, MACs, static addresses
// and phones by what an operator types of them, with or without the name's accents (SQLite's tokenizer
// folds them; PostgreSQL's index and query fold them with translate(): src/db/fold.ts).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRepos } from '../../../src/db/repos.js';
import { customerSearchCondition, customerSearchPages, ensureCustomerSearch, postgresSearch, searchCustomerIds } from '../../../src/db/search.js';
import { SecretBox } from '../../../src/lib/secretbox.js';
import { backendNames, openTestBackend, useTestBackend, type TestBackend } from '../../helpers/backends.js';

const people = [
  { key: 'mario', name: 'Mario Rossi', email: 'mario.rossi@example.com', phone: '+39 333 123 4567', username: 'mrossi', mac: 'AA:BB:CC:DD:EE:01', ip: '10.20.0.5' },
  { key: 'anna', name: 'Anna Bianchi', email: 'anna@bianchi.it', phone: '0521 778899', username: 'anna.b', mac: null, ip: '10.20.1.7' },
  { key: 'jose', name: 'Joseph Muller', email: null, phone: null, username: 'jmuller', mac: 'aa-bb-cc-dd-ee-02', ip: null },
  { key: 'evil', name: '=HYPERLINK("http://x","y")', email: 'evil@example.com', phone: null, username: 'evil1', mac: null, ip: null },
  { key: 'quote', name: 'Rossi, "Il Baffo"', email: null, phone: '+39 06 1234 5678', username: 'baffo', mac: null, ip: null },
  { key: 'giuliani', name: 'Carla Giuliani', email: 'cgiuliani4242@example.org', phone: null, username: 'giuliani12', mac: null, ip: null },
  { key: 'nuria', name: 'Núria Peña Çelik', email: null, phone: null, username: 'npena', mac: null, ip: null },
];

/** What an operator types, and the customers it finds: the same on both backends. */
const cases: [string, string[]][] = [
  ['mario', ['Mario Rossi']],
  ['Ross', ['Mario Rossi', 'Rossi, "Il Baffo"']],
  ['rossi mario', ['Mario Rossi']],
  ['MARIO   rossi', ['Mario Rossi']],
  ['mario.rossi@example.com', ['Mario Rossi']],
  ['bianchi.it', ['Anna Bianchi']],
  ['joseph', ['Joseph Muller']],
  ['mull', ['Joseph Muller']],
  ['mrossi', ['Mario Rossi']],
  ['anna.b', ['Anna Bianchi']],
  ['jmull', ['Joseph Muller']],
  ['evil', ['=HYPERLINK("http://x","y")']],
  ['evil1', ['=HYPERLINK("http://x","y")']],
  ['evil@example', ['=HYPERLINK("http://x","y")']],
  ['giuliani12', ['Carla Giuliani']],
  ['cgiuliani4242', ['Carla Giuliani']],
  ['carla giul', ['Carla Giuliani']],
  ['AA:BB:CC:DD:EE:02', ['Joseph Muller']],
  ['aa-bb-cc-dd-ee-01', ['Mario Rossi']],
  ['aabb.ccdd.ee01', ['Mario Rossi']],
  ['aabbccddee01', ['Mario Rossi']],
  ['aa:bb:cc', ['Mario Rossi', 'Joseph Muller']],
  ['aabbc', ['Mario Rossi', 'Joseph Muller']],
  ['10.20.0.5', ['Mario Rossi']],
  ['10.20.0.55', []],
  ['10.20.', ['Mario Rossi', 'Anna Bianchi']],
  ['10.20.1', ['Anna Bianchi']],
  ['+39 333 123 4567', ['Mario Rossi']],
  ['3331234567', ['Mario Rossi']],
  ['333-1234567', ['Mario Rossi']],
  ['(0521) 77 88 99', ['Anna Bianchi']],
  ['1234567', ['Mario Rossi', 'Rossi, "Il Baffo"']],
  ['0521778899', ['Anna Bianchi']],
  ['De L', []],
  ['a', []],
  ['nobody-like-this', []],
  ['   ', []],
  ['nuria', ['Núria Peña Çelik']],
  ['Peña', ['Núria Peña Çelik']],
  ['pena celik', ['Núria Peña Çelik']],
  ['NÚRIA', ['Núria Peña Çelik']],
  ['josé', ['Joseph Muller']],
  ['müll', ['Joseph Muller']],
];

describe.each(backendNames)('customer search on %s', (name) => {
  const b = useTestBackend(name);
  const ids: Record<string, number> = {};
  beforeAll(async () => {
    await ensureCustomerSearch(b.sql);
    const repos = makeRepos(b.sql, new SecretBox(randomBytes(32)));
    const actor = { id: 'cli' };
    const plan = await repos.plans.create({ name: 'Home', type: 'recurring', price: 2500, billingPeriodMonths: 1, downloadKbps: 50000, uploadKbps: 10000 } as never, actor);
    for (const p of people) {
      const c = await repos.customers.create({ name: p.name, email: p.email, phone: p.phone }, actor);
      ids[p.key] = c.id;
      await repos.services.create({ customerId: c.id, planId: plan.id, username: p.username, password: 'pw', startDate: '2026-01-01', macAddress: p.mac, staticIp: p.ip }, actor);
    }
  });

  const names = async (q: string) => {
    const rows = await customerSearchPages(b.sql)(q, { limit: 50 });
    return rows.map((r) => r.name).sort();
  };

  for (const [q, expected] of cases) {
    it(`finds ${JSON.stringify(q)}`, async () => {
      expect(await names(q)).toEqual([...expected].sort());
    });
  }

  it('pages by id either way after a cursor, and reads rows as the resource does', async () => {
    const all = await searchCustomerIds(b.sql, 'ross');
    expect(all).toEqual([ids.mario, ids.quote]);
    const pages = customerSearchPages(b.sql);
    expect((await pages('ross', { limit: 1 })).map((r) => r.id)).toEqual([ids.mario]);
    expect((await pages('ross', { limit: 5, afterId: ids.mario })).map((r) => r.id)).toEqual([ids.quote]);
    expect((await pages('ross', { limit: 5, descending: true })).map((r) => r.id)).toEqual([ids.quote, ids.mario]);
    expect((await pages('ross', { limit: 5, descending: true, afterId: ids.quote })).map((r) => r.id)).toEqual([ids.mario]);
    const [row] = await pages('mario', { limit: 1 });
    expect(row).toMatchObject({ id: ids.mario, name: 'Mario Rossi', email: 'mario.rossi@example.com', dunningExempt: false, billingProfileId: null });
  });

  it('is a condition for the generic list, with other filters and another order', async () => {
    const repos = makeRepos(b.sql, new SecretBox(randomBytes(32)));
    const page = await repos.customers.list({ sort: { field: 'name', desc: true } }, [customerSearchCondition(b.sql, 'ross')]);
    expect(page.items.map((c) => c.name)).toEqual(['Rossi, "Il Baffo"', 'Mario Rossi']);
    const narrowed = await repos.customers.list({}, [customerSearchCondition(b.sql, 'ross'), { sql: 'lower(email) = lower(?)', args: ['MARIO.rossi@example.com'] }]);
    expect(narrowed.items.map((c) => c.id)).toEqual([ids.mario]);
    expect((await repos.customers.list({}, [customerSearchCondition(b.sql, ' ')])).items).toEqual([]);
  });

  it('follows changes: a renamed customer, a changed MAC, a deleted service', async () => {
    const repos = makeRepos(b.sql, new SecretBox(randomBytes(32)));
    const actor = { id: 'cli' };
    await repos.customers.update(ids.quote!, { name: 'Bruno Neri' }, actor);
    expect(await names('neri')).toEqual(['Bruno Neri']);
    expect(await names('ross')).toEqual(['Mario Rossi']);
    await repos.customers.update(ids.anna!, { name: 'Anna Verdi' }, actor);
    expect(await names('verdi')).toEqual(['Anna Verdi']);
    expect(await names('bianchi')).toEqual(['Anna Verdi']); // the email is unchanged
    const service = (await repos.services.list({}, [{ sql: 'customer_id = ?', args: [ids.anna!] }])).items[0]!;
    await repos.services.update(service.id, { macAddress: '00:11:22:33:44:55' }, actor);
    expect(await names('0011.2233.4455')).toEqual(['Anna Verdi']);
    await repos.services.delete(service.id, actor);
    expect(await names('anna.b')).toEqual(['Anna Verdi']); // still her name
    expect(await names('10.20.1')).toEqual([]);
  });
});

describe.runIf(backendNames.includes('postgres'))('customer search on postgres, a few thousand customers', () => {
  let b: TestBackend;
  beforeAll(async () => {
    b = await openTestBackend('postgres');
    await b.sql.run(`insert into plans (name, type, price, billing_period_months, download_kbps, upload_kbps) values ('p', 'recurring', 1, 1, 1, 1)`);
    await b.sql.exec(`insert into customers (name, email, phone)
      select 'Name' || i || ' Surname' || (i % 97), 'user' || i || '@example.net', '+39 333 ' || lpad(i::text, 7, '0') from generate_series(1, 4000) i;
      insert into services (customer_id, plan_id, username, password_enc, start_date, mac_address, static_ip)
      select c.id, p.id, 'login' || c.id, 'x', '2026-01-01',
        upper(regexp_replace(substr(md5(c.id::text), 1, 12), '(..)(?!$)', '\\1:', 'g')),
        '10.' || (c.id / 65536) || '.' || (c.id / 256 % 256) || '.' || (c.id % 256)
      from customers c, plans p;
      analyze customers; analyze services;`);
  });
  afterAll(() => b?.close());

  /** The plan of the page statement for `q`, with sequential scans priced out, and the rows found. */
  const explain = async (q: string) => {
    const pages = customerSearchPages(b.sql);
    // One connection for the setting and the statement: a transaction holds it.
    return b.sql.transaction(async () => {
      await b.sql.exec('set local enable_seqscan = off');
      const found = postgresSearch(q)!;
      const plan = await b.sql.all<{ 'QUERY PLAN': string }>(`explain select id from customers where id in (${found.sql}) and id > ? order by id limit ?`, ...found.args, 0, 51);
      return { plan: plan.map((r) => r['QUERY PLAN']).join('\n'), rows: await pages(q, { limit: 50 }) };
    });
  };

  it('stores the MACs as the API does', async () => {
    expect((await b.sql.get<{ mac: string }>(`select mac_address as "mac" from services order by id limit 1`))?.mac).toMatch(/^([0-9A-F]{2}:){5}[0-9A-F]{2}$/);
  });

  it.each([
    ['surname42 name1', 'customers_search_fts_ix'],
    ['login123', 'services_username_trgm_ix'],
    ['user77@', 'customers_email_trgm_ix'],
    // md5('1') starts c4ca4238a0b9: customer 1's MAC.
    ['c4:ca:42:38', 'services_mac_ix'],
    ['c4ca4', 'services_mac_ix'],
    ['c4:ca:42:38:a0:b9', 'services_mac_ix'],
    ['10.0.3.', 'services_static_ip_trgm_ix'],
    ['3330001234', 'customers_phone_trgm_ix'],
  ])('%s uses %s', async (q, index) => {
    const { plan, rows } = await explain(q);
    expect(plan).toContain(index);
    expect(plan).not.toMatch(/Seq Scan/);
    expect(rows.length).toBeGreaterThan(0);
  });
});
