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
 *
 * PostgreSQL has no such table: it searches the rows themselves through the indexes its migrations
 * create (src/db/schema-pg/subscribers.ts): words as prefixes of the tokens of the full-text document
 * (name, email, phone), and fragments of emails, usernames, MACs, static addresses and phone digits
 * through the trigram indexes (`postgresSearch`). The intent is the same on both: every word a prefix
 * of the name (or found in the email or a username), a MAC or address by its start, a phone by its
 * digits however it was written.
 */
import { Conditions, type Condition } from './conditions.js';
import { TableShape } from './crud.js';
import { dialectSql } from './dialect.js';
import { foldDiacritics } from './fold.js';
import { customers } from './schema/index.js';
import { customerSearchDocumentSql } from './schema-pg/subscribers.js';
import type { Param, SqlClient } from './sql.js';

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
 * version, then (re)builds the index from the tables. A no-op (one lookup) when all is in place, and
 * on PostgreSQL, whose search indexes are made by its migrations.
 */
export async function ensureCustomerSearch(sql: SqlClient): Promise<{ rebuilt: boolean }> {
  if (sql.dialect !== 'sqlite') return { rebuilt: false };
  const existing = await sql.all<{ name: string; type: string }>(`select name, type from sqlite_master where substr(name, 1, 15) = 'customer_search' or substr(name, 1, 7) = 'search_'`);
  const have = new Set(existing.map((r) => r.name));
  const tableSql = (await sql.get<{ sql: string }>(`select sql from sqlite_master where name = 'customer_search'`))?.sql ?? '';
  if (tableSql === TABLE_SQL.replace('create virtual table', 'CREATE VIRTUAL TABLE') && have.has(VIEW) && TRIGGERS.every((t) => have.has(t))) return { rebuilt: false };
  await sql.transaction(async () => {
    for (const r of existing) if (r.type === 'trigger') await sql.exec(`drop trigger if exists "${r.name}"`);
    for (const r of existing) if (r.type === 'view') await sql.exec(`drop view if exists "${r.name}"`);
    await sql.exec(`drop table if exists customer_search`);
    await sql.exec(`drop table if exists service_search`);
    await sql.exec(TABLE_SQL);
    await sql.exec(VIEW_SQL);
    for (const t of TRIGGER_SQL) await sql.exec(t);
    await sql.exec(INDEX_ALL);
    await optimize(sql);
  });
  return { rebuilt: true };
}

/**
 * Runs `insert` (which only inserts customers and services) in one transaction (a savepoint inside a
 * caller's). On SQLite the search triggers are set aside meanwhile and the new and touched customers
 * indexed with one statement at the end: the FTS5 buffer is then flushed once, not once per row.
 * Without a search index, or on PostgreSQL (which indexes the rows themselves), it just runs
 * `insert`. The triggers are never dropped outside the transaction: a failure puts them back with
 * everything else.
 */
export function bulkIndexed<T>(sql: SqlClient, insert: () => Promise<T>): Promise<T> {
  return sql.transaction(() => (sql.dialect === 'sqlite' ? withTriggersAside(sql, insert) : insert()));
}

async function withTriggersAside<T>(sql: SqlClient, insert: () => Promise<T>): Promise<T> {
  const d = dialectSql(sql.dialect);
  const triggers = await sql.all<{ name: string; sql: string }>(`select name, sql from sqlite_master where type = 'trigger' and name in (${d.textList})`, JSON.stringify(TRIGGERS));
  if (triggers.length !== TRIGGERS.length) return insert();
  const max = await sql.get<{ c: number; s: number }>(`select (select coalesce(max(id), 0) from customers) as "c", (select coalesce(max(id), 0) from services) as "s"`);
  const c = max?.c ?? 0;
  const s = max?.s ?? 0;
  for (const t of triggers) await sql.exec(`drop trigger "${t.name}"`);
  const result = await insert();
  // Customers that are new, or that got a new service: their documents are (re)written.
  await sql.run(`delete from customer_search where rowid in (select customer_id from services where id > ?) and rowid <= ?`, s, c);
  await sql.run(`insert into customer_search (rowid, name, contact, login, mac, ip)
    select id, name, contact, login, mac, ip from ${VIEW} where id > ? or id in (select customer_id from services where id > ?) order by id`, c, s);
  for (const t of triggers) await sql.exec(t.sql);
  await optimize(sql);
  return result;
}

/**
 * Merges the index's segments into one. A bulk insert leaves several large segments, and every term
 * of a search is then looked up in each of them (8 segments made a phone or MAC search 5x slower);
 * the small segments that single edits add later are merged by FTS5's automerge as they come.
 */
async function optimize(sql: SqlClient): Promise<void> {
  await sql.exec(`insert into customer_search (customer_search) values ('optimize')`);
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

/** What a person typed, read once for either backend's query. */
interface Typed {
  /** A static IPv4 address (`full`) or the start of one, as typed. */
  ip: { text: string; full: boolean } | undefined;
  /** The hex digits of a MAC or of its start (4 to 12). */
  mac: string | undefined;
  /** The digits of a phone number (5 or more), written in any notation. */
  phone: string | undefined;
  /** Words (at most 8) that must all match; `prefix` false: one-letter words, whole tokens. */
  words: { list: string[]; prefix: boolean } | undefined;
}

/**
 * Reads what a person typed, or undefined when it has nothing to search for. Words must all match,
 * in any order, across name, contact and usernames; a MAC in any notation (`AA:BB:..`, `aa-bb-..`,
 * `aabb.ccdd..`, or its start) searches MACs; a dotted address or prefix searches static IPs; digits
 * also search the phone.
 */
function readTyped(input: string): Typed | undefined {
  const q = input.trim();
  if (!q) return undefined;
  const hex = q.replace(/[:.\-\s]/g, '').toLowerCase();
  const macLike = /^[0-9a-f]+$/.test(hex) && /^[0-9a-f:.\-\s]+$/i.test(q) && hex.length >= 4 && hex.length <= 12;
  const ipLike = /^\d{1,3}(\.\d{0,3}){1,3}$/.test(q);
  const parts = q.split('.');
  const phoneDigits = q.replace(/[^0-9]/g, '');
  let words: Typed['words'];
  // Words, unless the query is plainly an address (an IP, or a MAC written with separators).
  if (!ipLike && !(macLike && /[:.-]/.test(q))) {
    const all = q.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
    // A one-letter prefix matches a large part of the index and narrows nothing: it is left out beside
    // longer words (`De L` searches `De`), and alone it must match a whole token.
    const long = all.filter((w) => [...w].length > 1);
    const list = (long.length ? long : all).slice(0, 8);
    if (list.length) words = { list, prefix: long.length > 0 };
  }
  const typed: Typed = {
    ip: ipLike ? { text: q, full: parts.length === 4 && parts[3] !== '' } : undefined,
    mac: macLike ? hex : undefined,
    phone: !ipLike && /^\+?[0-9 ()./-]+$/.test(q) && phoneDigits.length >= 5 ? phoneDigits : undefined,
    words,
  };
  return typed.ip || typed.mac || typed.phone || typed.words ? typed : undefined;
}

/** Turns what a person types into an FTS5 query (see readTyped), or null when it has nothing to search for. */
export function searchQuery(input: string): string | null {
  const t = readTyped(input);
  if (!t) return null;
  const alts: string[] = [];
  if (t.ip) alts.push(`ip : ${quote(t.ip.text.replace(/\./g, 'x'))}${t.ip.full ? '' : '*'}`);
  if (t.mac) alts.push(`mac : ${quote(t.mac)}${t.mac.length === 12 ? '' : '*'}`);
  if (t.phone) alts.push(`contact : ${quote(t.phone)}*`);
  if (t.words) {
    // A word ending in digits also matches as its stem and number, as usernames and emails are indexed.
    const term = (w: string) => {
      const m = /^(.*\D)(\d+)$/u.exec(w);
      return m ? `(${words(quote(w), '*', w)} OR (${words(quote(m[1]!), '', m[1]!)} AND ${words(quote(m[2]!), '*', m[2]!)}))` : words(quote(w), '*', w);
    };
    alts.push(t.words.list.map((w) => (t.words!.prefix ? term(w) : words(quote(w), '', w))).join(' AND '));
  }
  return or(alts);
}

/**
 * The full-text document of a customer on PostgreSQL, spelled exactly as customers_search_fts_ix
 * indexes it (customerSearchDocument in src/db/schema-pg/subscribers.ts): the planner uses the index
 * only for the same expression. Its diacritics are folded, and a query's words with them.
 */
const PG_DOCUMENT = `to_tsvector('simple', ${customerSearchDocumentSql})`;
const PG_QUERY = `to_tsquery('simple', ${foldDiacritics('?')})`;

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * The ids of the customers a search finds on PostgreSQL, as a query (a union of index lookups, so
 * that each part is one index scan), or null when there is nothing to search for:
 * - a word: a prefix of a token of the name, email or phone (customers_search_fts_ix), or a fragment
 *   of the email or of a service's username (the trigram indexes); every word must match;
 * - a lone one-letter word: a whole token of the name, email or phone;
 * - a MAC or its start: services.mac_address (stored `AA:BB:..`) by prefix (services_mac_ix); a static
 *   address by its start (the trigram index) or whole;
 * - phone digits: the phone, whatever separators it was written with (a trigram regular expression).
 */
export function postgresSearch(input: string): Condition | null {
  const t = readTyped(input);
  if (!t) return null;
  const sets: string[] = [];
  const args: Param[] = [];
  if (t.words) {
    const perWord = t.words.list.map((w) => {
      const lexeme = `'${w.replace(/['\\]/g, (c) => `\\${c}`)}'`;
      if (!t.words!.prefix) {
        args.push(lexeme);
        return `(select id from customers where ${PG_DOCUMENT} @@ ${PG_QUERY})`;
      }
      const fragment = `%${likeEscape(w)}%`;
      args.push(`${lexeme}:*`, fragment, fragment);
      return `(select id from customers where ${PG_DOCUMENT} @@ ${PG_QUERY}
        union select id from customers where email ilike ?
        union select customer_id from services where username ilike ?)`;
    });
    sets.push(`(${perWord.join(' intersect ')})`);
  }
  if (t.mac) {
    const stored = t.mac.toUpperCase().match(/..?/g)!.join(':');
    if (t.mac.length === 12) {
      sets.push('(select customer_id from services where mac_address = ?)');
      args.push(stored);
    } else {
      // A range on services_mac_ix: the trigram index is little help here, a MAC's "words" (between
      // the colons) being two characters. The bound after the prefix ends in the next hex digit, which
      // sorts after every MAC with the prefix in byte order and in locales that skip the colons alike.
      const last = stored.at(-1)!;
      const next = last === '9' ? 'A' : String.fromCharCode(last.charCodeAt(0) + 1);
      sets.push('(select customer_id from services where mac_address >= ? and mac_address < ? and mac_address like ?)');
      args.push(stored, `${stored.slice(0, -1)}${next}`, `${stored}%`);
    }
  }
  if (t.ip) {
    sets.push(t.ip.full ? '(select customer_id from services where static_ip = ?)' : '(select customer_id from services where static_ip like ?)');
    args.push(t.ip.full ? t.ip.text : `${t.ip.text}%`);
  }
  if (t.phone) {
    sets.push('(select id from customers where phone ~ ?)');
    args.push([...t.phone].join('[^0-9]*'));
  }
  return { sql: sets.join(' union '), args };
}

export interface SearchWindow {
  /** Only customers after (before, descending) this id: the list's cursor. */
  afterId?: number | undefined;
  descending?: boolean | undefined;
  /** At most this many: the page size plus one. */
  limit: number;
}

export type CustomerRow = typeof customers.$inferSelect;

const NOTHING: Condition = { sql: '1 = 0', args: [] };

/**
 * The condition "this customer matches the search", over the customers' `id`, for a list with other
 * filters, another order or no page (the CSV export); a query with nothing to search for matches
 * nothing. The search box's own shape, alone and by id, reads only a page of the index instead:
 * `customerSearchPages`.
 */
export function customerSearchCondition(sql: Pick<SqlClient, 'dialect'>, input: string): Condition {
  if (sql.dialect === 'sqlite') {
    const expr = searchQuery(input);
    return expr ? { sql: 'id in (select rowid from customer_search where customer_search match ?)', args: [expr] } : NOTHING;
  }
  const found = postgresSearch(input);
  return found ? { sql: `id in (${found.sql})`, args: found.args } : NOTHING;
}

/**
 * A page of customers matching a search, in id order after (before, descending) a cursor: the
 * admin's search as you type, the API's busiest read. On SQLite its two statements are prepared once,
 * with the search, cursor and page size as parameters, and read only the page of the FTS5 index they
 * need; on PostgreSQL the statement has one shape per kind of search (see postgresSearch).
 */
export function customerSearchPages(sql: SqlClient): (input: string, w: SearchWindow) => Promise<CustomerRow[]> {
  const shape = new TableShape(customers);
  const select = shape.selectList();
  if (sql.dialect === 'sqlite') {
    const prepare = (descending: boolean) => {
      const window = descending ? 'rowid < @after order by rowid desc' : 'rowid > @after order by rowid asc';
      return sql.prepare<CustomerRow>(`select ${select} from customers
        where id in (select rowid from customer_search where customer_search match @q and ${window} limit @limit)
        order by id ${descending ? 'desc' : 'asc'} limit @limit`);
    };
    const ascending = prepare(false);
    const descending = prepare(true);
    return async (input, w) => {
      const expr = searchQuery(input);
      if (!expr) return [];
      const after = w.afterId ?? (w.descending ? Number.MAX_SAFE_INTEGER : 0);
      const rows = await (w.descending ? descending : ascending).all({ q: expr, after, limit: w.limit });
      return rows.map((r) => shape.fromDb(r));
    };
  }
  return async (input, w) => {
    const found = postgresSearch(input);
    if (!found) return [];
    const window = new Conditions().add(`id in (${found.sql})`, ...found.args);
    if (w.afterId !== undefined) window.add(w.descending ? 'id < ?' : 'id > ?', w.afterId);
    const rows = await sql.all<CustomerRow>(`select ${select} from customers ${window.sql} order by id ${w.descending ? 'desc' : 'asc'} limit ?`, ...window.args, w.limit);
    return rows.map((r) => shape.fromDb(r));
  };
}

/** The ids of customers matching a search, ascending: for tests and tools. */
export async function searchCustomerIds(sql: SqlClient, input: string, limit = 50): Promise<number[]> {
  return (await customerSearchPages(sql)(input, { limit })).map((r) => r.id);
}
