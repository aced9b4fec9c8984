import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importSubscribers } from '../../src/db/bulk.js';
import { ensureCustomerSearch, searchCustomerIds, searchQuery } from '../../src/db/search.js';
import { testApi, type TestApi } from '../helpers/admin-api.js';
import { defaultBackend } from '../helpers/backends.js';

let t: TestApi;
let token: string;
let planId: number;
const ids: Record<string, number> = {};

async function call(method: string, url: string, payload?: unknown) {
  const res = await t.app.inject({ method: method as 'GET', url, payload: payload as object, headers: { authorization: `Bearer ${token}` } });
  const type = String(res.headers['content-type'] ?? '');
  return { status: res.statusCode, type, headers: res.headers, text: res.body, body: type.includes('json') && res.body ? res.json() : undefined };
}

const names = (r: { body: { items: { name: string }[] } }) => r.body.items.map((i) => i.name);

beforeAll(async () => {
  t = await testApi();
  token = await t.token('super-admin');
  planId = (await call('POST', '/api/v1/plans', { name: 'Home 50', type: 'recurring', price: 2500, billingPeriodMonths: 1, downloadKbps: 50000, uploadKbps: 10000 })).body.id;
  const people = [
    { key: 'mario', name: 'Mario Rossi', email: 'mario.rossi@example.com', phone: '+39 333 123 4567', username: 'mrossi', mac: 'AA:BB:CC:DD:EE:01', ip: '10.20.0.5' },
    { key: 'anna', name: 'Anna Bianchi', email: 'anna@bianchi.it', phone: '0521 778899', username: 'anna.b', mac: null, ip: '10.20.1.7' },
    { key: 'jose', name: 'José Müller', email: null, phone: null, username: 'jmuller', mac: 'aa-bb-cc-dd-ee-02', ip: null },
    { key: 'evil', name: '=HYPERLINK("http://x","y")', email: 'evil@example.com', phone: null, username: 'evil1', mac: null, ip: null },
    { key: 'quote', name: 'Rossi, "Il Baffo"', email: null, phone: '+39 06 1234 5678', username: 'baffo', mac: null, ip: null },
  ];
  for (const p of people) {
    const c = await call('POST', '/api/v1/customers', { name: p.name, email: p.email, phone: p.phone });
    expect(c.status, JSON.stringify(c.body)).toBe(201);
    ids[p.key] = c.body.id;
    const s = await call('POST', '/api/v1/services', { customerId: c.body.id, planId, username: p.username, password: 'pw-secret-1', startDate: '2026-01-01', macAddress: p.mac, staticIp: p.ip });
    expect(s.status, JSON.stringify(s.body)).toBe(201);
    ids[`s_${p.key}`] = s.body.id;
  }
});
afterAll(async () => t.close());

describe('customer search: GET /api/v1/customers?q=', () => {
  const cases: [string, string[]][] = [
    ['mario', ['Mario Rossi']],
    ['Ross', ['Mario Rossi', 'Rossi, "Il Baffo"']],
    ['rossi mario', ['Mario Rossi']],
    ['mario.rossi@example.com', ['Mario Rossi']],
    ['bianchi.it', ['Anna Bianchi']],
    ['jose', ['José Müller']],
    ['muller', ['José Müller']],
    ['mrossi', ['Mario Rossi']],
    ['anna.b', ['Anna Bianchi']],
    ['jmull', ['José Müller']],
    ['evil', ['=HYPERLINK("http://x","y")']],
    ['evil1', ['=HYPERLINK("http://x","y")']],
    ['evil@example', ['=HYPERLINK("http://x","y")']],
    ['AA:BB:CC:DD:EE:02', ['José Müller']],
    ['aa-bb-cc-dd-ee-01', ['Mario Rossi']],
    ['aabb.ccdd.ee01', ['Mario Rossi']],
    ['aabbccddee01', ['Mario Rossi']],
    ['aa:bb:cc', ['Mario Rossi', 'José Müller']],
    ['10.20.0.5', ['Mario Rossi']],
    ['10.20.', ['Mario Rossi', 'Anna Bianchi']],
    ['10.20.1', ['Anna Bianchi']],
    ['+39 333 123 4567', ['Mario Rossi']],
    ['3331234567', ['Mario Rossi']],
    ['333-1234567', ['Mario Rossi']],
    ['1234567', ['Mario Rossi', 'Rossi, "Il Baffo"']], // the last digits of +39 333 123 4567, the start of 1234 5678
    ['0521778899', ['Anna Bianchi']],
    ['nobody-like-this', []],
  ];
  for (const [q, expected] of cases) {
    it(`finds ${JSON.stringify(q)}`, async () => {
      const r = await call('GET', `/api/v1/customers?q=${encodeURIComponent(q)}`);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(names(r).sort()).toEqual([...expected].sort());
    });
  }

  it('follows changes: a renamed customer, a changed MAC, a deleted service', async () => {
    await call('PATCH', `/api/v1/customers/${ids.anna}`, { name: 'Anna Verdi' });
    expect(names(await call('GET', '/api/v1/customers?q=verdi'))).toEqual(['Anna Verdi']);
    expect(names(await call('GET', '/api/v1/customers?q=bianchi.it'))).toEqual(['Anna Verdi']); // email unchanged
    await call('PATCH', `/api/v1/customers/${ids.jose}`, { name: 'Joseph Muller' });
    expect(names(await call('GET', '/api/v1/customers?q=jos%C3%A9'))).toEqual(['Joseph Muller']);
    expect(names(await call('GET', '/api/v1/customers?q=josef'))).toEqual([]);
    await call('PATCH', `/api/v1/customers/${ids.jose}`, { name: 'José Müller' });
    await call('PATCH', `/api/v1/services/${ids.s_anna}`, { macAddress: '00:11:22:33:44:55' });
    expect(names(await call('GET', '/api/v1/customers?q=0011.2233.4455'))).toEqual(['Anna Verdi']);
    const extra = await call('POST', '/api/v1/services', { customerId: ids.anna, planId, username: 'anna-second', password: 'pw', startDate: '2026-02-01' });
    expect(names(await call('GET', '/api/v1/customers?q=anna-second'))).toEqual(['Anna Verdi']);
    expect((await call('DELETE', `/api/v1/services/${extra.body.id}`)).status).toBe(204);
    expect(names(await call('GET', '/api/v1/customers?q=anna-second'))).toEqual([]);
  });

  it('pages through matches with the cursor, and combines with sort', async () => {
    const first = await call('GET', '/api/v1/customers?q=rossi&limit=1');
    expect(first.body.items).toHaveLength(1);
    expect(first.body.next).toBeTruthy();
    const second = await call('GET', `/api/v1/customers?q=rossi&limit=1&cursor=${first.body.next}`);
    expect(second.body.items).toHaveLength(1);
    expect(second.body.next).toBeNull();
    expect(second.body.items[0].id).toBeGreaterThan(first.body.items[0].id);
    expect(names(await call('GET', '/api/v1/customers?q=rossi&sort=-name'))).toEqual(['Rossi, "Il Baffo"', 'Mario Rossi']);
  });

  it('pages a search by id descending, and narrows it by email through the generic list', async () => {
    const all = (await call('GET', '/api/v1/customers?q=rossi&sort=-id')).body.items.map((c: { id: number }) => c.id);
    expect(all.length).toBe(2);
    expect(all[0]).toBeGreaterThan(all[1]);
    const first = await call('GET', '/api/v1/customers?q=rossi&sort=-id&limit=1');
    expect(first.body.items.map((c: { id: number }) => c.id)).toEqual([all[0]]);
    const second = await call('GET', `/api/v1/customers?q=rossi&sort=-id&limit=1&cursor=${first.body.next}`);
    expect(second.body.items.map((c: { id: number }) => c.id)).toEqual([all[1]]);
    expect(second.body.next).toBeNull();
    const withEmail = await call('GET', `/api/v1/customers?q=rossi&email=${encodeURIComponent(second.body.items[0].email ?? 'none@example.net')}`);
    expect(withEmail.body.items.map((c: { id: number }) => c.id)).toEqual(second.body.items[0].email ? [all[1]] : []);
  });

  it('finds a match by search and email however far down the search it is', async () => {
    const made: number[] = [];
    for (const x of ['a', 'b', 'c']) made.push((await call('POST', '/api/v1/customers', { name: `Windowtest ${x}`, email: `windowtest-${x}@example.net` })).body.id);
    // The email's customer is the third search match: a page of one must still find it.
    const r = await call('GET', '/api/v1/customers?q=windowtest&limit=1&email=windowtest-c@example.net');
    expect(names(r)).toEqual(['Windowtest c']);
    expect(r.body.next).toBeNull();
    for (const id of made) expect((await call('DELETE', `/api/v1/customers/${id}`)).status).toBe(204);
  });

  it('refuses an empty or oversized query, naming q', async () => {
    for (const q of ['', 'x'.repeat(201)]) {
      const r = await call('GET', `/api/v1/customers?q=${q}`);
      expect(r.status).toBe(422);
      expect(r.type).toMatch(/problem\+json/);
      expect(r.body.errors.map((e: { field: string }) => e.field)).toContain('q');
    }
  });

  it('turns punctuation and FTS syntax into plain terms', () => {
    expect(searchQuery('   ')).toBeNull();
    expect(searchQuery('"; DROP TABLE customers; --')).toContain('"DROP"*');
    // Words that could be the start of a MAC (hex) or an IP (digits and x) are kept out of those columns.
    expect(searchQuery('ab OR cd NEAR ef')).toBe('({name contact login} : "ab"* AND "OR"* AND {name contact login} : "cd"* AND "NEAR"* AND {name contact login} : "ef"*)');
    expect(searchQuery('Dé Rosa')).toBe('({name contact login} : "Dé"* AND "Rosa"*)');
    // One-letter words narrow nothing: dropped beside longer ones, whole tokens alone.
    expect(searchQuery('De L')).toBe('({name contact login} : "De"*)');
    expect(searchQuery('x')).toBe('("x")');
    expect(searchQuery('giuliani12')).toBe('(("giuliani12"* OR ("giuliani" AND {name contact login} : "12"*)))');
  });
});

describe('sorting and filters', () => {
  it('sorts by a whitelisted field both ways and pages by keyset', async () => {
    const all = names(await call('GET', '/api/v1/customers?sort=name&limit=500'));
    expect(all).toEqual([...all].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    const desc = names(await call('GET', '/api/v1/customers?sort=-name&limit=500'));
    expect(desc).toEqual([...all].reverse());
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const r: Awaited<ReturnType<typeof call>> = await call('GET', `/api/v1/customers?sort=-name&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      paged.push(...names(r));
      cursor = r.body.next;
    } while (cursor);
    expect(paged).toEqual(desc);
  });

  it('sorts services by username and plans by price', async () => {
    const r = await call('GET', '/api/v1/services?sort=username');
    const u = r.body.items.map((s: { username: string }) => s.username);
    expect(u).toEqual([...u].sort());
    await call('POST', '/api/v1/plans', { name: 'Cheap', type: 'prepaid', price: 500, validityDays: 30, downloadKbps: 1000, uploadKbps: 1000 });
    expect((await call('GET', '/api/v1/plans?sort=-price')).body.items.map((p: { price: number }) => p.price)).toEqual([2500, 500]);
    expect((await call('GET', '/api/v1/plans?type=prepaid')).body.items.map((p: { name: string }) => p.name)).toEqual(['Cheap']);
  });

  it('refuses a field that is not whitelisted, and a cursor of another sort', async () => {
    const bad = await call('GET', '/api/v1/customers?sort=email');
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toContain('sort');
    const byId = await call('GET', '/api/v1/customers?limit=1');
    const mixed = await call('GET', `/api/v1/customers?sort=name&limit=1&cursor=${byId.body.next}`);
    expect(mixed.status).toBe(422);
    expect(mixed.body.errors[0].field).toBe('cursor');
  });

  it('filters services by a MAC in any notation and by static IP', async () => {
    for (const mac of ['aa:bb:cc:dd:ee:01', 'AA-BB-CC-DD-EE-01', 'aabb.ccdd.ee01']) {
      expect((await call('GET', `/api/v1/services?macAddress=${mac}`)).body.items.map((s: { username: string }) => s.username)).toEqual(['mrossi']);
    }
    expect((await call('GET', '/api/v1/services?staticIp=10.20.1.7')).body.items.map((s: { username: string }) => s.username)).toEqual(['anna.b']);
    const bad = await call('GET', '/api/v1/services?macAddress=zz:zz');
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].field).toBe('macAddress');
  });

  it('pages by id descending, and filters and sorts NAS entries', async () => {
    const all = (await call('GET', '/api/v1/customers?sort=-id&limit=500')).body.items.map((c: { id: number }) => c.id);
    expect(all).toEqual([...all].sort((a, b) => b - a));
    const first = await call('GET', '/api/v1/customers?sort=-id&limit=2');
    const second = await call('GET', `/api/v1/customers?sort=-id&limit=2&cursor=${first.body.next}`);
    expect([...first.body.items, ...second.body.items].map((c: { id: number }) => c.id)).toEqual(all.slice(0, 4));
    const search = await call('GET', '/api/v1/customers?q=rossi&sort=-id&limit=1');
    const search2 = await call('GET', `/api/v1/customers?q=rossi&sort=-id&limit=1&cursor=${search.body.next}`);
    expect(search.body.items[0].id).toBeGreaterThan(search2.body.items[0].id);
    await call('POST', '/api/v1/nas', { name: 'b-tower', ipAddress: '192.0.2.2', secret: 'secret-12345', vendor: 'mikrotik' });
    await call('POST', '/api/v1/nas', { name: 'a-tower', ipAddress: '192.0.2.3', secret: 'secret-12345' });
    expect((await call('GET', '/api/v1/nas?sort=name')).body.items.map((n: { name: string }) => n.name)).toEqual(['a-tower', 'b-tower']);
    expect((await call('GET', '/api/v1/nas?vendor=mikrotik')).body.items.map((n: { name: string }) => n.name)).toEqual(['b-tower']);
  });

  it('filters customers by email, case-insensitively', async () => {
    expect(names(await call('GET', '/api/v1/customers?email=MARIO.ROSSI@example.com'))).toEqual(['Mario Rossi']);
  });
});

describe('CSV exports', () => {
  const rows = (text: string) => text.trimEnd().split('\r\n');

  it('exports customers with the list filters, quoting and formula protection', async () => {
    const r = await call('GET', '/api/v1/exports/customers.csv?sort=name');
    expect(r.status).toBe(200);
    expect(r.type).toMatch(/^text\/csv/);
    expect(String(r.headers['content-disposition'])).toContain('customers.csv');
    const lines = rows(r.text);
    expect(lines[0]).toBe('id,name,email,phone,address,taxId,language,notes,kind,firstName,lastName,companyName,taxCode,vatNumber,country,street,streetNumber,postalCode,city,province,customerNumber,sdiCode,pec,publicAdministration,cig,cup,createdAt,updatedAt');
    expect(lines).toHaveLength(6);
    // The formula is defused with a leading apostrophe, and quoted because it holds quotes and a comma.
    expect(r.text).toContain(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(r.text).toContain('"Rossi, ""Il Baffo"""');
    // A phone starting with + is text to a spreadsheet, so it is protected too.
    expect(r.text).toContain(`'+39 333 123 4567`);
    const filtered = rows((await call('GET', '/api/v1/exports/customers.csv?q=rossi')).text);
    expect(filtered).toHaveLength(3);
  });

  it('exports services without passwords, with filters', async () => {
    const r = await call('GET', '/api/v1/exports/services.csv?status=active&sort=-username');
    expect(r.status).toBe(200);
    const lines = rows(r.text);
    expect(lines[0].split(',')).toContain('username');
    expect(r.text).not.toMatch(/password|pw-secret/);
    expect(lines.slice(1).map((l) => l.split(',')[3])).toEqual(['mrossi', 'jmuller', 'evil1', 'baffo', 'anna.b']);
  });

  it('exports sessions, filtered like the list', async () => {
    const insert = t.sql.prepare(`insert into radius_sessions (acct_session_id, service_id, username, started_at, updated_at, stopped_at, input_octets, output_octets)
      values (?, ?, ?, '2026-11-01T10:00:00.000Z', '2026-11-01T11:00:00.000Z', ?, 100, 5000000000)`);
    await insert.run('s1', ids.s_mario, 'mrossi', null);
    await insert.run('s2', ids.s_mario, 'mrossi', '2026-11-01T11:00:00.000Z');
    await insert.run('s3', ids.s_anna, 'anna.b', null);
    const all = rows((await call('GET', '/api/v1/exports/sessions.csv')).text);
    expect(all).toHaveLength(4);
    expect(all[0].split(',')).toEqual(expect.arrayContaining(['acctSessionId', 'username', 'active', 'outputOctets']));
    const active = rows((await call('GET', '/api/v1/exports/sessions.csv?active=true&username=mrossi')).text);
    expect(active).toHaveLength(2);
    expect(active[1]).toContain(',s1,');
    expect(active[1]).toContain('5000000000');
    const bad = await call('GET', '/api/v1/exports/sessions.csv?limit=5');
    expect(bad.status).toBe(422);
  });

  it('streams a large export page by page', async () => {
    const before = (await call('GET', '/api/v1/exports/services.csv')).text;
    await importSubscribers(t.sql, t.box, Array.from({ length: 1200 }, (_, i) => ({ customerName: `Bulk ${i}`, planId, username: `bulk${i}`, password: 'x', startDate: '2026-01-01' })), { id: 'cli' });
    const after = rows((await call('GET', '/api/v1/exports/services.csv')).text);
    expect(after).toHaveLength(rows(before).length + 1200);
    expect(new Set(after).size).toBe(after.length);
    // The bulk import indexed its rows for search in one pass.
    expect(names(await call('GET', '/api/v1/customers?q=bulk1199'))).toEqual(['Bulk 1199']);
    expect(names(await call('GET', '/api/v1/customers?q=Bulk%201199'))).toEqual(['Bulk 1199']);
    // ...and, on SQLite, left its FTS index in one segment, so that each search term is looked up once.
    if (t.sqlite) expect(t.sqlite.$client.prepare(`select count(distinct segid) from customer_search_idx`).pluck().get()).toBe(1);
  });
});

// SQLite keeps its search index up with triggers of its own; PostgreSQL indexes the column itself.
describe.runIf(defaultBackend === 'sqlite')('search index upkeep', () => {
  it('is rebuilt at start when its triggers went missing (a table rebuild by a later migration)', async () => {
    const trigger = t.db.$client.prepare(`select name from sqlite_master where type = 'trigger' and name like 'customer_search_customers_ai_v%'`).pluck().get() as string;
    t.db.$client.exec(`drop trigger ${trigger}`);
    t.db.$client.prepare(`insert into customers (name) values ('Added While Broken')`).run();
    expect((await ensureCustomerSearch(t.sql)).rebuilt).toBe(true);
    expect(await searchCustomerIds(t.sql, 'added while broken')).toHaveLength(1);
    expect((await ensureCustomerSearch(t.sql)).rebuilt).toBe(false);
  });
});
