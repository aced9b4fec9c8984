#!/usr/bin/env node
// The invoice list at the size of a small ISP: 1,000 customers with 12 invoices each, the list paged,
// filtered and sorted over real HTTP on 127.0.0.1 against the compiled daemon, one request at a time
// (the latency an operator's browser sees), p50/p99/max per scenario.
//
//   npm run bench:invoices
//   node bench/invoice-list.mjs --customers 1000 --invoices 12 --requests 300 [--no-build]
//
// Steps: compile src/ into bench/var/invoices/build/dist (a concurrent `npm run build` empties dist/;
// --no-build uses $BENCH_DIST or dist/), seed a fresh SQLite database (customers through the daemon's
// own store, invoices and one line each by SQL: monthly invoices of 2026, a third of them still open,
// totals spread from 10 to 200 EUR), create a super-admin token, start `tollgate serve` (log level
// info, as in production), walk the list once to collect cursors at every depth, then time
// --requests requests per scenario after 20 unmeasured ones. One JSON line per scenario is printed and
// appended to bench/results/invoice-list.jsonl.
// Target (issue 19): every scenario's p99 under 200 ms.
import { appendFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { compiledDaemon, log, serveDaemon } from './lib/api-daemon.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const { values: args } = parseArgs({
  options: {
    customers: { type: 'string', default: '1000' },
    invoices: { type: 'string', default: '12' },
    requests: { type: 'string', default: '300' },
    'no-build': { type: 'boolean', default: false },
  },
});
const CUSTOMERS = Number(args.customers);
const PER = Number(args.invoices);
const REQUESTS = Number(args.requests);
const VAR = join(ROOT, 'bench/var/invoices');

// ---- build
const { dist, mod } = compiledDaemon(VAR, args['no-build']);

// ---- seed
mkdirSync(VAR, { recursive: true });
const dbPath = join(VAR, 'tollgate.db');
for (const f of [dbPath, `${dbPath}-wal`, `${dbPath}-shm`]) rmSync(f, { force: true });
const config = join(VAR, 'tollgate.toml');
writeFileSync(config, `# Written by bench/invoice-list.mjs.
[database]
path = "${dbPath}"
synchronous = "normal"
[radius]
auth_listen = "127.0.0.1:0"
acct_listen = "127.0.0.1:0"
[http]
listen = "127.0.0.1:0"
[billing]
timezone = "UTC"
run_at = "23:59"
[log]
level = "info"
`);
const { loadConfig } = await mod('config/load.js');
const { openAndMigrate } = await mod('bootstrap.js');
const { makeRepos } = await mod('db/repos.js');
const { tokenStore } = await mod('db/security.js');
const { sqlOf } = await mod('db/client.js');
log(`seeding ${CUSTOMERS} customers × ${PER} invoices`);
const t0 = performance.now();
const { db, box } = await openAndMigrate(loadConfig(config).config);
const sql = sqlOf(db);
const repos = makeRepos(sql, box);
const SURNAMES = ['Rossi', 'Russo', 'Ferrari', 'Esposito', 'Bianchi', 'García', 'Fernández', 'López', 'Martínez', 'González', 'Pérez', 'Romano'];
const ids = [];
for (let i = 1; i <= CUSTOMERS; i++) ids.push((await repos.customers.create({ name: `Cliente ${i} ${SURNAMES[i % SURNAMES.length]}`, email: `c${i}@example.net` }, { id: 'cli' })).id);
const insertInvoice = sql.prepare(`insert into invoices (customer_id, number, series, year, sequence, issue_date, due_date, currency, net, tax, total, paid, credited, open, created_at)
  values (?, ?, 'INV', 2026, ?, ?, ?, 'EUR', ?, ?, ?, ?, 0, ?, ?) returning id`);
const insertLine = sql.prepare(`insert into invoice_lines (invoice_id, customer_id, position, key, kind, service_id, description, period_start, period_end, bill_date,
  amount, tax_rate_bp, tax_inclusive, net, tax, gross) values (?, ?, 0, ?, 'one_off', null, 'Internet 100 Mbit/s', ?, ?, ?, ?, 2200, true, ?, ?, ?)`);
let seq = 0;
await sql.transaction(async () => {
  for (let m = 1; m <= PER; m++) {
    const month = String(((m - 1) % 12) + 1).padStart(2, '0');
    const year = 2026 - Math.floor((m - 1) / 12);
    for (const c of ids) {
      seq++;
      const h = Math.imul(seq, 2654435761) >>> 0;
      const total = 1000 + (h % 19001);
      const tax = Math.round((total * 22) / 122);
      const open = h % 3 === 0 ? total : 0;
      const issue = `${year}-${month}-01`;
      const due = `${year}-${month}-15`;
      const { id } = await insertInvoice.get(c, `INV-${year}-${String(seq).padStart(6, '0')}`, seq, issue, due, total - tax, tax, total, total - open, open, `${issue}T02:00:00.000Z`);
      await insertLine.run(id, c, `bench:${id}`, issue, `${year}-${month}-28`, issue, total, total - tax, tax, total);
    }
  }
});
const token = (await tokenStore(sql).create({ name: 'bench', role: 'super-admin', actor: { id: 'cli' } })).token;
db.$client.pragma('wal_checkpoint(TRUNCATE)');
db.$client.exec('analyze');
db.$client.close();
const seedS = +((performance.now() - t0) / 1000).toFixed(1);
log(`seeded ${seq} invoices in ${seedS} s`);

// ---- serve
const { daemon, base } = await serveDaemon(dist, config);
const auth = { authorization: `Bearer ${token}` };
const get = async (path) => {
  const r = await fetch(base + path, { headers: auth });
  const body = await r.json();
  if (r.status !== 200) throw new Error(`${path}: ${r.status} ${JSON.stringify(body).slice(0, 300)}`);
  return body;
};

// Cursors at every depth of a listing, so pages are read across the table, not only the first.
async function cursorsOf(query) {
  const out = [];
  for (let cursor = null, k = 0; k < 1000; k++) {
    const page = await get(`/api/v1/invoices?${query}&limit=50${cursor ? `&cursor=${cursor}` : ''}`);
    if (!page.next) break;
    out.push((cursor = page.next));
  }
  return out;
}
const rnd = (n) => Math.floor(Math.random() * n);
const pick = (a) => a[rnd(a.length)];
const deep = (query) => cursorsOf(query).then((cs) => () => `/api/v1/invoices?${query}&limit=50${rnd(5) && cs.length ? `&cursor=${pick(cs)}` : ''}`);
const month = () => `2026-${String(1 + rnd(12)).padStart(2, '0')}`;

const scenarios = {
  'page (id order, any depth)': await deep('sort=id'),
  'filter status=open': await deep('status=open'),
  'filter customer': () => `/api/v1/invoices?customerId=${pick(ids)}&limit=50`,
  'filter period (one month)': () => { const m = month(); return `/api/v1/invoices?from=${m}-01&to=${m}-28&limit=50`; },
  'sort -issueDate (any depth)': await deep('sort=-issueDate'),
  'sort -total (any depth)': await deep('sort=-total'),
  'sort number (any depth)': await deep('sort=number'),
  'status=open sort -open': await deep('status=open&sort=-open'),
  'period + sort dueDate': () => { const m = month(); return `/api/v1/invoices?from=${m}-01&to=${m}-28&sort=dueDate&limit=50`; },
};

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const all = [];
for (const [name, path] of Object.entries(scenarios)) {
  for (let i = 0; i < 20; i++) await get(path());
  const load0 = loadavg()[0];
  const ms = [];
  for (let i = 0; i < REQUESTS; i++) {
    const p = path();
    const s = performance.now();
    const page = await get(p);
    ms.push(performance.now() - s);
    if (!Array.isArray(page.items) || page.items.some((it) => typeof it.customerName !== 'string')) throw new Error(`${p}: items without customerName`);
  }
  ms.sort((a, b) => a - b);
  all.push(...ms);
  const out = {
    scenario: name, at: new Date().toISOString(), customers: CUSTOMERS, invoices: seq, requests: REQUESTS,
    latency_ms: { p50: +pct(ms, 50).toFixed(1), p99: +pct(ms, 99).toFixed(1), max: +ms.at(-1).toFixed(1) },
    target_met: pct(ms, 99) < 200,
    machine: { cpus: cpus().length, loadavg_before: +load0.toFixed(2), loadavg_after: +loadavg()[0].toFixed(2) },
  };
  console.log(JSON.stringify(out));
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  appendFileSync(join(ROOT, 'bench/results/invoice-list.jsonl'), JSON.stringify(out) + '\n');
}
all.sort((a, b) => a - b);
log(`all scenarios: p50 ${pct(all, 50).toFixed(1)} ms, p99 ${pct(all, 99).toFixed(1)} ms, max ${all.at(-1).toFixed(1)} ms`);

daemon.kill('SIGTERM');
await new Promise((r) => daemon.on('exit', r));
