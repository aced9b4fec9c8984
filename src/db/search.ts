/**
 * Customer search: one SQLite FTS5 document per customer (rowid = customer id) holding its name,
 * email and phone and the usernames, MACs and static IPs of its services, kept in sync by triggers.
 * One document per customer, so that a search is "the first N matching rowids after the cursor":
 * FTS5 walks its index in rowid order and stops there, instead of collecting every match and sorting.
 *
 * drizzle-kit generates neither virtual tables nor triggers, so they are created here, from code,
 * idempotently at start (`ensureCustomerSearch`, called by build()). A later migration that rebuilds
 * `customers` or `services` (drizzle's CREATE __new / DROP / RENAME) drops their triggers with the
 * table: the next start notices the missing triggers, recreates them and rebuilds the index. A change
 * of the definition below bumps VERSION, which rebuilds it too.
 *
 * Columns and how each is tokenised (unicode61: lower case, diacritics removed, letters and digits):
 * - `name`: the customer's name;
 * - `contact`: email (its local part's trailing digits split off), phone as written, the phone's digits run together and their last 7..11 digits
 *   (so `3331234567` finds `+39 333 123 4567`);
 * - `login`: the services' usernames, trailing digits split off (`user 4242`);
 * - `mac`: MACs as 12 hex digits (`aabbccddeeff`), whatever notation the query uses;
 * - `ip`: static IPv4 addresses with `x` for the dots (`10x0x0x5`), so an address is one token and an
 *   octet-aligned prefix (`10.0.0.`) is a prefix query.
 * Prefixes of 2 to 6 characters have their own index entries, so a prefix streams in rowid order
 * instead of merging every token that starts with it (a first name typed whole is 5 or 6 letters).
 */
import type Database from 'better-sqlite3';
import { asc, desc, sql, type SQL } from 'drizzle-orm';
import type { Db } from './client.js';
import { customers } from './schema/index.js';

const VERSION = 4;
const TRIGGERS = [
  'customers_ai', 'customers_au', 'customers_ad', 'services_ai', 'services_au', 'services_ad',
].map((t) => `customer_search_${t}_v${VERSION}`);
const VIEW = `customer_search_doc_v${VERSION}`;
// detail = column: the index keeps which columns hold a token but not where, which is all a column
// filter needs (queries never hold multi-token phrases: searchQuery splits words as unicode61 does)
// and a third less to read per match than full position lists.
const TABLE_SQL = `create virtual table customer_search using fts5(name, contact, login, mac, ip, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4 5 6', detail = column)`;

const digits = `replace(replace(replace(replace(replace(replace(replace(coalesce(phone, ''), ' ', ''), '+', ''), '(', ''), ')', ''), '.', ''), '/', ''), '-', '')`;

/**
 * A login with its trailing digits split off (`giuliani4242` -> `giuliani 4242`): usernames and email
 * local parts are often a stem plus a number, and indexed whole every customer would add a token of
 * its own under the stem, which a prefix query on the stem then has to merge one by one.
 */
const splitDigits = (x: string) => `(rtrim(${x}, '0123456789') || ' ' || substr(${x}, length(rtrim(${x}, '0123456789')) + 1))`;
const emailExpr = (e: string) =>
  `(case when instr(${e}, '@') > 0 then ${splitDigits(`substr(${e}, 1, instr(${e}, '@') - 1)`)} || ' ' || substr(${e}, instr(${e}, '@') + 1) else coalesce(${e}, '') end)`;

const VIEW_SQL = `create view ${VIEW} as
  select c.id as id,
    c.name as name,
    ${emailExpr('c.email')} || ' ' || coalesce(c.phone, '') || ' ' || c.d
      ${[7, 8, 9, 10, 11].map((k) => `|| (case when length(c.d) > ${k} then ' ' || substr(c.d, -${k}) else '' end)`).join(' ')} as contact,
    coalesce((select group_concat(${splitDigits('s.username')}, ' ') from services s where s.customer_id = c.id), '') as login,
    coalesce((select group_concat(replace(s.mac_address, ':', ''), ' ') from services s where s.customer_id = c.id and s.mac_address is not null), '') as mac,
    coalesce((select group_concat(replace(s.static_ip, '.', 'x'), ' ') from services s where s.customer_id = c.id and s.static_ip is not null), '') as ip
  from (select id, name, email, phone, ${digits} as d from customers) c`;

const refresh = (idExpr: string) => `
    delete from customer_search where rowid = ${idExpr};
    insert into customer_search (rowid, name, contact, login, mac, ip) select id, name, contact, login, mac, ip from ${VIEW} where id = ${idExpr};`;

// A statement that fires a trigger runs in a statement savepoint, and FTS5 flushes its buffer at every
// savepoint: fine for the API's one row per transaction, slow for a bulk import, which therefore goes
// through `bulkIndexed`.
const TRIGGER_SQL = [
  `create trigger ${TRIGGERS[0]} after insert on customers begin ${refresh('new.id')} end`,
  `create trigger ${TRIGGERS[1]} after update of name, email, phone on customers begin ${refresh('new.id')} end`,
  `create trigger ${TRIGGERS[2]} after delete on customers begin delete from customer_search where rowid = old.id; end`,
  `create trigger ${TRIGGERS[3]} after insert on services begin ${refresh('new.customer_id')} end`,
  `create trigger ${TRIGGERS[4]} after update of customer_id, username, mac_address, static_ip on services begin
     ${refresh('old.customer_id')} ${refresh('new.customer_id')} end`,
  `create trigger ${TRIGGERS[5]} after delete on services begin ${refresh('old.customer_id')} end`,
];

const INDEX_ALL = `insert into customer_search (rowid, name, contact, login, mac, ip) select id, name, contact, login, mac, ip from ${VIEW} order by id`;

/**
 * Creates the search index, its document view and its triggers if any is missing or of another
 * version, then (re)builds the index from the tables. A no-op (one lookup) when all is in place.
 */
export function ensureCustomerSearch(client: Database.Database): { rebuilt: boolean } {
  const existing = client.prepare(`select name, type from sqlite_master where substr(name, 1, 15) = 'customer_search' or substr(name, 1, 7) = 'search_'`).all() as { name: string; type: string }[];
  const have = new Set(existing.map((r) => r.name));
  const tableSql = (client.prepare(`select sql from sqlite_master where name = 'customer_search'`).pluck().get() as string | undefined) ?? '';
  if (tableSql === TABLE_SQL.replace('create virtual table', 'CREATE VIRTUAL TABLE') && have.has(VIEW) && TRIGGERS.every((t) => have.has(t))) return { rebuilt: false };
  client.transaction(() => {
    for (const r of existing) if (r.type === 'trigger') client.exec(`drop trigger if exists "${r.name}"`);
    for (const r of existing) if (r.type === 'view') client.exec(`drop view if exists "${r.name}"`);
    client.exec(`drop table if exists customer_search`);
    client.exec(`drop table if exists service_search`);
    client.exec(TABLE_SQL);
    client.exec(VIEW_SQL);
    for (const t of TRIGGER_SQL) client.exec(t);
    client.exec(INDEX_ALL);
    optimize(client);
  }).immediate();
  return { rebuilt: true };
}

/**
 * Runs `insert` (which only inserts customers and services) in one immediate transaction with the
 * search triggers set aside, then indexes the new and touched customers with one statement: the FTS5
 * buffer is then flushed once, not once per row. Without a search index it just runs `insert`. The
 * transaction is this function's own (a savepoint inside a caller's), so the triggers are never
 * dropped outside one: a failure puts them back with everything else.
 */
export function bulkIndexed<T>(client: Database.Database, insert: () => T): T {
  return client.transaction(() => withTriggersAside(client, insert)).immediate();
}

function withTriggersAside<T>(client: Database.Database, insert: () => T): T {
  const triggers = client.prepare(`select name, sql from sqlite_master where type = 'trigger' and name in (${TRIGGERS.map(() => '?').join(', ')})`).all(...TRIGGERS) as { name: string; sql: string }[];
  if (triggers.length !== TRIGGERS.length) return insert();
  const max = client.prepare(`select (select coalesce(max(id), 0) from customers) as c, (select coalesce(max(id), 0) from services) as s`).get() as { c: number; s: number };
  for (const t of triggers) client.exec(`drop trigger "${t.name}"`);
  const result = insert();
  // Customers that are new, or that got a new service: their documents are (re)written.
  client.prepare(`delete from customer_search where rowid in (select customer_id from services where id > ?) and rowid <= ?`).run(max.s, max.c);
  client.prepare(`insert into customer_search (rowid, name, contact, login, mac, ip)
    select id, name, contact, login, mac, ip from ${VIEW} where id > ? or id in (select customer_id from services where id > ?) order by id`).run(max.c, max.s);
  for (const t of triggers) client.exec(t.sql);
  optimize(client);
  return result;
}

/**
 * Merges the index's segments into one. A bulk insert leaves several large segments, and every term
 * of a search is then looked up in each of them (8 segments made a phone or MAC search 5x slower);
 * the small segments that single edits add later are merged by FTS5's automerge as they come.
 */
function optimize(client: Database.Database): void {
  client.exec(`insert into customer_search (customer_search) values ('optimize')`);
}

const quote = (token: string) => `"${token.replace(/"/g, '""')}"`;

const or = (alts: string[]) => alts.map((a) => `(${a})`).join(' OR ');

/**
 * A word searched in name, contact and usernames. Only a word that could also be (the start of) an
 * indexed MAC (hex digits) or IP (digits and `x`), as unicode61 folds it, needs the column filter
 * that keeps it out of those columns: the filter makes FTS5 read which columns hold every match,
 * which costs a fifth of a two-word search.
 */
function words(phrase: string, prefix: '' | '*', word: string): string {
  const folded = word.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
  const addressLike = /^[0-9a-f]+$/.test(folded) || /^[0-9][0-9x]*$/.test(folded);
  return addressLike ? `{name contact login} : ${phrase}${prefix}` : `${phrase}${prefix}`;
}

/**
 * Turns what a person types into an FTS5 query, or null when it has nothing to search for. Words
 * become prefix terms that must all match, in any order, across name, contact and usernames; a MAC in
 * any notation (`AA:BB:..`, `aa-bb-..`, `aabb.ccdd..`, or its start) searches MACs; a dotted address
 * or prefix searches static IPs; digits also search the phone forms.
 */
export function searchQuery(input: string): string | null {
  const q = input.trim();
  if (!q) return null;
  const alts: string[] = [];
  const hex = q.replace(/[:.\-\s]/g, '').toLowerCase();
  const macLike = /^[0-9a-f]+$/.test(hex) && /^[0-9a-f:.\-\s]+$/i.test(q) && hex.length >= 4 && hex.length <= 12;
  const ipLike = /^\d{1,3}(\.\d{0,3}){1,3}$/.test(q);
  if (ipLike) {
    const parts = q.split('.');
    const full = parts.length === 4 && parts[3] !== '';
    alts.push(`ip : ${quote(q.replace(/\./g, 'x'))}${full ? '' : '*'}`);
  }
  if (macLike) alts.push(`mac : ${quote(hex)}${hex.length === 12 ? '' : '*'}`);
  const phoneDigits = q.replace(/[^0-9]/g, '');
  if (!ipLike && /^\+?[0-9 ()./-]+$/.test(q) && phoneDigits.length >= 5) alts.push(`contact : ${quote(phoneDigits)}*`);
  // Words, unless the query is plainly an address (an IP, or a MAC written with separators).
  if (!ipLike && !(macLike && /[:.-]/.test(q))) {
    const all = q.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
    // A one-letter prefix matches a large part of the index and narrows nothing: it is left out beside
    // longer words (`De L` searches `De`), and alone it must match a whole token.
    const long = all.filter((w) => [...w].length > 1);
    // A word ending in digits also matches as its stem and number, as usernames and emails are indexed.
    const term = (w: string) => {
      const m = /^(.*\D)(\d+)$/u.exec(w);
      return m ? `(${words(quote(w), '*', w)} OR (${words(quote(m[1]!), '', m[1]!)} AND ${words(quote(m[2]!), '*', m[2]!)}))` : words(quote(w), '*', w);
    };
    const terms = (long.length ? long.map(term) : all.map((w) => words(quote(w), '', w))).slice(0, 8);
    if (terms.length) alts.push(terms.join(' AND '));
  }
  return alts.length ? or(alts) : null;
}

export interface SearchWindow {
  /** Only customers after (before, descending) this id: the list's cursor. */
  afterId?: number | undefined;
  descending?: boolean | undefined;
  /** At most this many: the page size plus one. */
  limit: number;
}

/**
 * The condition "this customer matches the search", over `customers.id`, for a list with other
 * filters, another order or no page (the CSV export); a query with nothing to search for matches
 * nothing. The search box's own shape, alone and by id, reads only a page of the index instead:
 * `customerSearchPages`.
 */
export function customerSearchCondition(idColumn: SQL | unknown, input: string): SQL {
  const expr = searchQuery(input);
  if (!expr) return sql`0`;
  return sql`${idColumn} in (select rowid from customer_search where customer_search match ${expr})`;
}

export type CustomerRow = typeof customers.$inferSelect;

/**
 * A page of customers matching a search, in id order after (before, descending) a cursor: the
 * admin's search as you type, the API's busiest read. Its two statements are built and prepared once,
 * with the search, cursor and page size as parameters; built per request by the generic list, the
 * query spent as much time being built and prepared as being run.
 */
export function customerSearchPages(db: Db): (input: string, w: SearchWindow) => CustomerRow[] {
  const prepare = (descending: boolean) => {
    const q = sql.placeholder('q');
    const after = sql.placeholder('after');
    const limit = sql.placeholder('limit');
    const window = descending ? sql`rowid < ${after} order by rowid desc` : sql`rowid > ${after} order by rowid asc`;
    return db.select().from(customers)
      .where(sql`${customers.id} in (select rowid from customer_search where customer_search match ${q} and ${window} limit ${limit})`)
      .orderBy(descending ? desc(customers.id) : asc(customers.id))
      .limit(limit)
      .prepare();
  };
  const ascending = prepare(false);
  const descending = prepare(true);
  return (input, w) => {
    const expr = searchQuery(input);
    if (!expr) return [];
    const after = w.afterId ?? (w.descending ? Number.MAX_SAFE_INTEGER : 0);
    return (w.descending ? descending : ascending).all({ q: expr, after, limit: w.limit });
  };
}

/** The ids of customers matching a search, ascending: for tests and tools. */
export function searchCustomerIds(db: Db, input: string, limit = 50): number[] {
  return customerSearchPages(db)(input, { limit }).map((r) => r.id);
}
