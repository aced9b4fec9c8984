#!/usr/bin/env node
// The auth log's cost per row on the accounting writer thread (which shares the RADIUS core), for
// the layouts Tollgate had and has, on a log that already holds --log rows:
//   insert  one INSERT per row with the `at` index (before migration 0006), against 32 rows per
//           INSERT without it (the writer now: AccountingWriter.commit);
//   index   the per-subscriber index batches: keyed by subscriber alone in batches of 100,000 rows
//           (before migration 0007), bucket of 262,144 ids first in the same batches (before
//           0008), and bucket of 8,192 ids first in batches of AUTH_LOG_INDEX_CHUNK rows, written
//           in pieces of 512 (now, as the writer thread runs them). Besides the cost per row, the
//           longest batch: the writer thread holds the core that long.
//
//   npm run build && taskset -c 0 node bench/auth-log-writes.mjs [--log 2000000] [--rows 200000]
//
// A temporary database under bench/var/auth-log-writes, synchronous=full as in the RADIUS benchmark.
// Insert figures are wall time per row; index figures CPU time per row (a checkpoint included) and
// the longest batch's wall time. On an otherwise idle core.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { distRoot } from './lib/dist.mjs';

const { values: args } = parseArgs({
  options: {
    log: { type: 'string', default: '2000000' },
    rows: { type: 'string', default: '200000' },
    subscribers: { type: 'string', default: '100000' },
  },
});
const LOG = Number(args.log);
const ROWS = Number(args.rows);
const SUBSCRIBERS = Number(args.subscribers);
const CHUNK = 100_000;

const dist = (p) => new URL(p, distRoot()).href;
const { openDatabase } = await import(dist('db/client.js'));
const { migrate } = await import(dist('db/migrate.js'));
const { AccountingWriter, pushAuthLog } = await import(dist('db/radius.js'));
const { authLogIndexer, AUTH_LOG_BUCKET_SHIFT, AUTH_LOG_INDEX_CHUNK } = await import(dist('db/auth-log-index.js'));

const dir = new URL('./var/auth-log-writes/', import.meta.url).pathname;
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
const db = openDatabase({ path: join(dir, 'tollgate.db'), synchronous: 'full' });
await migrate(db.$client);
const c = db.$client;

let at = Date.UTC(2026, 10, 1);
let seed = 12345;
const subscriber = () => 1 + ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % SUBSCRIBERS);
const record = () => {
  const s = subscriber();
  return { at: at++, nasId: 1, serviceId: s, username: `user${s}`, outcome: 'accept', reason: null, method: 'pap', callingStationId: null };
};
const ms = (t) => Number(process.hrtime.bigint() - t) / 1e6;
const perRow = (t, n) => `${((ms(t) * 1000) / n).toFixed(2)} µs a row`;

// The log as it stands before the measurement, with both index layouts built over it.
const writer = new AccountingWriter(db, undefined, { index: false });
for (let done = 0; done < LOG; done += CHUNK) {
  const rows = [];
  for (let i = 0; i < Math.min(CHUNK, LOG - done); i++) pushAuthLog(rows, record());
  writer.commit([], rows);
}
const indexer = authLogIndexer(c);
while (indexer.run(1_000_000) > 0);
c.exec(`create table flat_by_service (service_id integer not null, auth_log_id integer not null, primary key (service_id, auth_log_id)) without rowid;
  create table flat_by_username (username text not null, auth_log_id integer not null, primary key (username, auth_log_id)) without rowid;
  insert into flat_by_service select service_id, id from auth_log where service_id is not null order by 1, 2;
  insert into flat_by_username select username, id from auth_log order by 1, 2;
  create table big_by_service (bucket integer not null, service_id integer not null, auth_log_id integer not null, primary key (bucket, service_id, auth_log_id)) without rowid;
  create table big_by_username (bucket integer not null, username text not null, auth_log_id integer not null, primary key (bucket, username, auth_log_id)) without rowid;
  insert into big_by_service select id >> 18, service_id, id from auth_log where service_id is not null order by 1, 2, 3;
  insert into big_by_username select id >> 18, username, id from auth_log order by 1, 2, 3;`);
c.pragma('wal_checkpoint(TRUNCATE)');
console.log(`log: ${LOG.toLocaleString('en')} rows, ${SUBSCRIBERS.toLocaleString('en')} subscribers; measuring ${ROWS.toLocaleString('en')} new rows`);

// Inserts, in transactions of 1,000 rows (the writer commits auth-log rows about that many at a time).
const BATCH = 1000;
const batches = (n) => Array.from({ length: Math.ceil(n / BATCH) }, () => {
  const rows = [];
  for (let i = 0; i < BATCH; i++) pushAuthLog(rows, record());
  return rows;
});
{
  c.exec('create index auth_log_at_ix on auth_log (at)');
  const one = c.prepare(`insert into auth_log (at, nas_id, service_id, username, outcome, reason, method, calling_station_id) values (?, ?, ?, ?, ?, ?, ?, ?)`);
  const tx = c.transaction((rows) => {
    for (let i = 0; i < rows.length; i += 8) one.run(new Date(rows[i]).toISOString(), rows[i + 1], rows[i + 2], rows[i + 3], rows[i + 4], rows[i + 5], rows[i + 6], rows[i + 7]);
  });
  const work = batches(ROWS / 2);
  const t = process.hrtime.bigint();
  for (const rows of work) tx.immediate(rows);
  console.log(`insert, one statement a row, with the at index (before 0006): ${perRow(t, ROWS / 2)}`);
  c.exec('drop index auth_log_at_ix');
}
{
  const work = batches(ROWS / 2);
  const t = process.hrtime.bigint();
  for (const rows of work) writer.commit([], rows);
  console.log(`insert, 32 rows a statement, no at index (now):            ${perRow(t, ROWS / 2)}`);
}

// Index batches over the new rows, for each layout: CPU per row, a checkpoint included, and the
// longest batch (wall time).
const upto = (c.prepare('select upto from auth_log_index_state').get()).upto;
const last = (c.prepare('select max(id) as id from auth_log').get()).id;
const measure = (label, batch) => {
  c.pragma('wal_checkpoint(TRUNCATE)');
  const cpu = process.cpuUsage();
  let longest = 0;
  for (;;) {
    const t = process.hrtime.bigint();
    const n = batch();
    longest = Math.max(longest, ms(t));
    if (n === 0) break;
  }
  c.pragma('wal_checkpoint(TRUNCATE)');
  const used = process.cpuUsage(cpu);
  console.log(`${label} ${((used.user + used.system) / (last - upto)).toFixed(2)} µs a row, longest batch ${longest.toFixed(1)} ms`);
};
const batches100k = (table, shift) => {
  const key = shift ? `id >> ${shift}, ` : '';
  const byService = c.prepare(`insert or ignore into ${table}_by_service select ${key}service_id, id from auth_log where id > ? and id <= ? and service_id is not null order by 1, 2${shift ? ', 3' : ''}`);
  const byUsername = c.prepare(`insert or ignore into ${table}_by_username select ${key}username, id from auth_log where id > ? and id <= ? order by 1, 2${shift ? ', 3' : ''}`);
  const step = c.transaction((from, to) => {
    byService.run(from, to);
    byUsername.run(from, to);
  });
  let from = upto;
  return () => {
    if (from >= last) return 0;
    const to = Math.min(last, from + CHUNK);
    step.immediate(from, to);
    const n = to - from;
    from = to;
    return n;
  };
};
measure('index, keyed by subscriber, batches of 100,000 (before 0007):          ', batches100k('flat', 0));
measure('index, bucket of 262,144 ids first, batches of 100,000 (before 0008):  ', batches100k('big', 18));
measure(`index, bucket of ${(2 ** AUTH_LOG_BUCKET_SHIFT).toLocaleString('en')} ids first, batches of ${AUTH_LOG_INDEX_CHUNK.toLocaleString('en')} (now):            `, () => indexer.run(AUTH_LOG_INDEX_CHUNK, { pause: () => {} }));
db.$client.close();
rmSync(dir, { recursive: true, force: true });
