#!/usr/bin/env node
// API load: customer search and the customer list with 100,000 customers, measured with autocannon
// against the compiled daemon over real HTTP on 127.0.0.1.
//
//   npm run bench:api                       # compile, seed, serve, measure (a few minutes)
//   node bench/api-search.mjs --customers 100000 --duration 20 --connections 32
//
// Steps: compile src/ into bench/var/api/build/dist (so a concurrent `npm run build`, which empties
// dist/ first, cannot pull the daemon away mid-run; --no-build uses $BENCH_DIST or dist/), seed a fresh
// database through the daemon's own importSubscribers (one customer and one service each: realistic
// names, emails, phones, usernames, MACs, static IPs for half of them; services "free" so the daily
// billing run at start has nothing to invoice), create a super-admin API token, start `tollgate serve`,
// then run each scenario for --duration seconds after a 3 s warm-up:
//   search  GET /api/v1/customers?q=...  a mix of name prefixes, full names, usernames, phone digits,
//           MACs in three notations and static IPs, picked at random per request;
//   list    GET /api/v1/customers?limit=50 and ?sort=name&limit=50, pages at random offsets by cursor.
// Prints one JSON line per scenario and appends it to bench/results/api-search.jsonl.
// Target (issue 7): search sustains >= 2,000 req/s with p99 < 50 ms on the test machine.
import { appendFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { compiledDaemon, log, serveDaemon } from './lib/api-daemon.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const { values: args } = parseArgs({
  options: {
    customers: { type: 'string', default: '100000' },
    duration: { type: 'string', default: '20' },
    connections: { type: 'string', default: '32' },
    'no-build': { type: 'boolean', default: false },
    scenarios: { type: 'string', default: 'search,list' },
  },
});
const N = Number(args.customers);
const DURATION = Number(args.duration);
const CONNECTIONS = Number(args.connections);
const VAR = join(ROOT, 'bench/var/api');

// ---- build
const { dist, mod } = compiledDaemon(VAR, args['no-build']);

// ---- seed
const FIRST = ['Mario', 'Luca', 'Giulia', 'Anna', 'Marco', 'Sara', 'Paolo', 'Elena', 'Andrea', 'Chiara', 'Giuseppe', 'Laura', 'Francesco', 'Marta',
  'Stefano', 'Valentina', 'Roberto', 'Silvia', 'Davide', 'Federica', 'José', 'Ana', 'Jan', 'Eva', 'Tomás', 'Zoë', 'Nikolai', 'Fatima', 'Omar', 'Li'];
const LAST = ['Rossi', 'Russo', 'Ferrari', 'Esposito', 'Bianchi', 'Romano', 'Colombo', 'Ricci', 'Marino', 'Greco', 'Bruno', 'Gallo', 'Conti', 'De Luca',
  'Mancini', 'Costa', 'Giordano', 'Rizzo', 'Lombardi', 'Moretti', 'Barbieri', 'Fontana', 'Santoro', 'Mariani', 'Rinaldi', 'Caruso', 'Ferrara', 'Galli',
  'Martini', 'Leone', 'Longo', 'Gentile', 'Martinelli', 'Vitale', 'Lombardo', 'Serra', 'Coppola', 'De Santis', "D'Angelo", 'Marchetti', 'Parisi',
  'Villa', 'Conte', 'Ferraro', 'Ferri', 'Fabbri', 'Bianco', 'Marini', 'Grasso', 'Valentini', 'Messina', 'Sala', 'De Angelis', 'Gatti', 'Pellegrini',
  'Palumbo', 'Sanna', 'Farina', 'Rizzi', 'Monti', 'Cattaneo', 'Morelli', 'Amato', 'Silvestri', 'Mazza', 'Testa', 'Grassi', 'Pellegrino', 'Carbone',
  'Giuliani', 'Benedetti', 'Barone', 'Rossetti', 'Caputo', 'Montanari', 'Guerra', 'Palmieri', 'Bernardi', 'Martino', 'Fiore', 'De Rosa', 'Ferretti',
  'Bellini', 'Basile', 'Riva', 'Donati', 'Piras', 'Vitali', 'Battaglia', 'Sartori', 'Neri', 'Costantini', 'Milani', 'Pagano', 'Ruggiero', 'Sorrentino',
  "D'Amico", 'Orlando', 'Damico', 'Negri', 'Müller', 'Novák', 'García', 'Nowak', 'Kowalski', 'Dubois', 'Jansen', 'Silva', 'Popescu', 'Nagy'];
const slug = (s) => s.normalize('NFD').replace(/[^A-Za-z]/g, '').toLowerCase();
function person(i) {
  // A deterministic spread (multiplicative hashing) so neighbours do not share names.
  const h = Math.imul(i, 2654435761) >>> 0;
  const first = FIRST[h % FIRST.length];
  const last = LAST[(h >>> 8) % LAST.length];
  const mac = (0x0c0000000000 + Math.imul(i, 40503) + i * 65536).toString(16).padStart(12, '0').slice(-12);
  return {
    first, last,
    name: `${first} ${last}`,
    email: `${slug(first)}.${slug(last)}${i}@example.net`,
    phone: `+39 3${String(h % 100).padStart(2, '0')} ${String(1000000 + (i * 7919) % 9000000)}`,
    username: `${slug(first)}.${slug(last)}${i}`,
    mac: mac.match(/../g).join(':'),
    ip: i % 2 === 0 ? `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` : null,
  };
}

mkdirSync(VAR, { recursive: true });
const dbPath = join(VAR, 'tollgate.db');
for (const f of [dbPath, `${dbPath}-wal`, `${dbPath}-shm`]) rmSync(f, { force: true });
const config = join(VAR, 'tollgate.toml');
writeFileSync(config, `# Written by bench/api-search.mjs.
[database]
path = "${dbPath}"
synchronous = "normal"
[radius]
auth_listen = "127.0.0.1:0"
acct_listen = "127.0.0.1:0"
[http]
listen = "127.0.0.1:0"
[log]
level = "info"
`);
const { loadConfig } = await mod('config/load.js');
const { openAndMigrate } = await mod('bootstrap.js');
const { makeRepos } = await mod('db/repos.js');
const { importSubscribers } = await mod('db/bulk.js');
const { tokenStore } = await mod('db/security.js');
const { ensureCustomerSearch } = await mod('db/search.js');
const { sqlOf } = await mod('db/client.js');
log(`seeding ${N} customers with services`);
const t0 = performance.now();
const loaded = loadConfig(config);
const { db, box } = await openAndMigrate(loaded.config);
const sql = sqlOf(db);
await ensureCustomerSearch(sql);
const repos = makeRepos(sql, box);
const plan = await repos.plans.create({ name: 'bench 50/10', type: 'recurring', price: 2500, billingPeriodMonths: 1, downloadKbps: 50000, uploadKbps: 10000 }, { id: 'cli' });
function* subscribers() {
  for (let i = 1; i <= N; i++) {
    const p = person(i);
    yield { customerName: p.name, email: p.email, phone: p.phone, planId: plan.id, username: p.username, password: `pw${i}`, startDate: '2026-01-01', status: 'free', macAddress: p.mac, staticIp: p.ip };
  }
}
await importSubscribers(sql, box, subscribers(), { id: 'cli' });
const token = (await tokenStore(sql).create({ name: 'bench', role: 'super-admin', actor: { id: 'cli' } })).token;
db.$client.pragma('wal_checkpoint(TRUNCATE)');
db.$client.exec('analyze');
db.$client.close();
const seedS = +((performance.now() - t0) / 1000).toFixed(1);
log(`seeded in ${seedS} s`);

// ---- serve
const { daemon, base } = await serveDaemon(dist, config);

// ---- queries
const rnd = (n) => Math.floor(Math.random() * n);
const pick = (a) => a[rnd(a.length)];
function searchQuery() {
  const i = 1 + rnd(N);
  const p = person(i);
  switch (rnd(7)) {
    case 0: return p.last.slice(0, 4); // a surname prefix: ~1,000 matches, first page
    case 1: return `${p.first} ${p.last}`;
    case 2: return p.username;
    case 3: return p.phone.replace(/\D/g, '').slice(-7);
    case 4: return pick([p.mac, p.mac.replace(/:/g, '-'), p.mac.replace(/:/g, '').replace(/(....)(?=.)/g, '$1.')]);
    case 5: return person(i % 2 === 0 ? i : i === N ? i - 1 : i + 1).ip;
    default: return p.email.split('@')[0];
  }
}
const auth = { authorization: `Bearer ${token}` };
// Cursors of the list at a few depths, so list requests read pages across the table.
const cursors = [];
{
  let cursor = null;
  for (let k = 0; k < 40; k++) {
    const r = await fetch(`${base}/api/v1/customers?limit=500${cursor ? `&cursor=${cursor}` : ''}`, { headers: auth });
    const j = await r.json();
    cursor = j.next;
    if (!cursor) break;
    cursors.push(cursor);
  }
}
// A sanity check that search finds what it should before measuring it.
{
  const p = person(4242);
  for (const q of [p.username, p.mac.replace(/:/g, '-'), p.phone.replace(/\D/g, '').slice(-7), p.ip]) {
    const j = await (await fetch(`${base}/api/v1/customers?q=${encodeURIComponent(q)}`, { headers: auth })).json();
    if (!j.items?.some((c) => c.name === p.name)) throw new Error(`search for ${q} did not find customer 4242: ${JSON.stringify(j).slice(0, 300)}`);
  }
}

const scenarios = {
  search: () => `/api/v1/customers?q=${encodeURIComponent(searchQuery())}`,
  list: () => (rnd(2) ? `/api/v1/customers?limit=50${rnd(4) ? `&cursor=${pick(cursors)}` : ''}` : '/api/v1/customers?sort=name&limit=50'),
};

function run(pathFn, duration) {
  return new Promise((res, rej) => {
    const inst = autocannon({
      url: base, connections: CONNECTIONS, duration, headers: auth,
      requests: [{ setupRequest: (req) => ({ ...req, path: pathFn() }) }],
    }, (err, result) => (err ? rej(err) : res(result)));
    inst.on('error', rej);
  });
}

const results = [];
for (const name of args.scenarios.split(',')) {
  const fn = scenarios[name];
  if (!fn) throw new Error(`unknown scenario ${name}`);
  await run(fn, 3); // warm-up
  const load0 = loadavg()[0];
  const r = await run(fn, DURATION);
  const out = {
    scenario: name, at: new Date().toISOString(), customers: N, connections: CONNECTIONS, duration_s: DURATION,
    req_per_s: Math.round(r.requests.average), latency_ms: { p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, max: r.latency.max },
    total: r.requests.total, non2xx: r.non2xx, errors: r.errors, timeouts: r.timeouts,
    target_met: name === 'search' ? r.requests.average >= 2000 && r.latency.p99 < 50 : undefined,
    machine: { cpus: cpus().length, loadavg_before: +load0.toFixed(2), loadavg_after: +loadavg()[0].toFixed(2) }, seed_s: seedS,
  };
  results.push(out);
  console.log(JSON.stringify(out));
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  appendFileSync(join(ROOT, 'bench/results/api-search.jsonl'), JSON.stringify(out) + '\n');
}

daemon.kill('SIGTERM');
await new Promise((r) => daemon.on('exit', r));
