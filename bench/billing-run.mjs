#!/usr/bin/env node
// The billing run over 100,000 active services, all billed on the 1st (the heaviest day an ISP has:
// one invoice per service, every one due at once), through the compiled daemon's billing service on
// a fresh SQLite file. Prints the seconds the run took; the target is under 10 s.
//
//   npx tsc -p tsconfig.json --outDir node_modules/.cache/tollgate-dist && \
//     BENCH_DIST=node_modules/.cache/tollgate-dist node bench/billing-run.mjs [--services 100000]
//
// (or `npm run build && node bench/billing-run.mjs`). Services start on days spread over the year
// before the run, half of them tax-exclusive, one in ten with router rent, one in twenty with a
// discount: so the run prorates, taxes and discounts rather than copying one line 100,000 times.
// The same date is then run again (what a re-run after new facts does): it must bill nothing.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { distRoot } from './lib/dist.mjs';

const dist = (p) => new URL(p, distRoot()).href;
if (!existsSync(fileURLToPath(dist('billing/service.js')))) {
  console.error('billing-run: the compiled daemon is missing; build it first (see the header of this file)');
  process.exit(1);
}
const { values: args } = parseArgs({ options: { services: { type: 'string', default: '100000' }, date: { type: 'string', default: '2026-12-01' } } });
const N = Number(args.services);
const RUN_DATE = args.date;

const { openDatabase, sqlOf } = await import(dist('db/client.js'));
const { migrate } = await import(dist('db/migrate.js'));
const { billingStore } = await import(dist('db/billing.js'));
const { billingService } = await import(dist('billing/service.js'));
const { fixedClock } = await import(dist('lib/clock.js'));
const { addDays } = await import(dist('lib/calendar.js'));

const dir = mkdtempSync(join(tmpdir(), 'tollgate-billing-bench-'));
const file = join(dir, 'bench.db');
const db = openDatabase({ path: file, synchronous: 'normal' });
// Explicit: a dist built elsewhere cannot find migrations/ relative to itself.
await migrate(db.$client, { dir: fileURLToPath(new URL('../migrations', import.meta.url)) });
const c = db.$client;

// Seeding is not what is measured: plain inserts in one transaction.
const t0 = performance.now();
c.transaction(() => {
  const plan = c.prepare(`insert into plans (name, type, price, billing_period_months, setup_fee, tax_rate_bp, tax_inclusive, download_kbps, upload_kbps)
    values (?, 'recurring', ?, 1, 0, 2200, ?, 10000, 2000)`);
  plan.run('Home 30', 2990, 1);
  plan.run('Business 100', 7900, 0);
  const customer = c.prepare(`insert into customers (name) values (?)`);
  const service = c.prepare(`insert into services (customer_id, plan_id, username, password_enc, status, start_date) values (?, ?, ?, 'v1:x', 'active', ?)`);
  const terms = c.prepare(`insert into service_billing (service_id, billing_day) values (?, '1')`);
  const item = c.prepare(`insert into recurring_items (service_id, description, amount, tax_rate_bp, tax_inclusive) values (?, 'Router rent', 300, 2200, 1)`);
  const discount = c.prepare(`insert into discounts (customer_id, description, target_kind, service_id, value_type, percent_bp, start_date, periods)
    values (?, 'Promo 20%', 'service', ?, 'percent', 2000, ?, 3)`);
  for (let i = 1; i <= N; i++) {
    customer.run(`Customer ${i}`);
    const start = addDays(RUN_DATE, -1 - (i % 365));
    service.run(i, 1 + (i % 2), `user${i}`, start);
    terms.run(i);
    if (i % 10 === 0) item.run(i);
    if (i % 20 === 0) discount.run(i, i, start);
  }
})();
// The days before the run were billed already (as the daily runs would have): only the run date is due.
const store = billingStore(sqlOf(db));
const billing = billingService({ store, clock: fixedClock(`${RUN_DATE}T01:00:00Z`), currency: 'EUR', timezone: 'Europe/Rome' });
await billing.run(addDays(RUN_DATE, -1));
const seeded = (performance.now() - t0) / 1000;
const before = c.prepare('select count(*) n from invoices').get().n;

const t1 = performance.now();
const result = await billing.run(RUN_DATE);
const seconds = (performance.now() - t1) / 1000;
const day = result.days[0];

const t2 = performance.now();
const again = await billing.run(RUN_DATE);
const againMs = performance.now() - t2;

const lines = c.prepare('select count(*) n from invoice_lines').get().n;
const rerunInvoices = again.days.reduce((n, d) => n + d.invoices, 0);
console.log(JSON.stringify({ services: N, seedSeconds: +seeded.toFixed(2), invoicesBefore: before, runDate: RUN_DATE, invoices: day.invoices, lines: day.lines, totalMinor: day.total, problems: day.problems.length, linesStored: lines, rerunInvoices, rerunSeconds: +(againMs / 1000).toFixed(2) }));
console.log(`billing run for ${N} active services: ${seconds.toFixed(2)} s (${day.invoices} invoices, ${day.lines} lines)${seconds < 10 ? '' : ' — over the 10 s target'}`);
db.$client.close();
rmSync(dir, { recursive: true, force: true });
process.exitCode = seconds < 10 && rerunInvoices === 0 ? 0 : 1;
