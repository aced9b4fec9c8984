#!/usr/bin/env node
// Creates a fresh Tollgate database for the RADIUS benchmark: N subscribers user1..userN with
// passwords pw1..pwN (the names radload and the FreeRADIUS seeds use), one plan, and the NAS
// 127.0.0.1 with secret testing123. It goes through the compiled daemon's own database functions,
// so passwords and the NAS secret are sealed at rest exactly as the API seals them.
//
//   node bench/seed.mjs --config bench/var/tollgate/tollgate.toml [--users 100000] [--keep] [--cap-bytes N]
//
// Services are "free" by default: authorized exactly like "active" ones, but never billed, so the
// daemon's daily billing run (which catches up on start) does not invoice 100,000 subscribers in the
// middle of a RADIUS measurement. --status active seeds billable services instead.
//
// --cap-bytes gives the plan a data cap of N bytes a month (throttled beyond it), so every
// accounting record with traffic goes through the data-cap watcher as on a capped network.
//
// Without --keep the database file (and its -wal/-shm) is removed first; the at-rest key beside it
// is kept, as it seals nothing once the database is gone. With [database] url in the config the
// subscribers go into that PostgreSQL database, which must be empty (bench/postgres.sh makes it so).
import { existsSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { distRoot } from './lib/dist.mjs';

const dist = (p) => new URL(p, distRoot()).href;
if (!existsSync(fileURLToPath(dist('cli/main.js')))) {
  console.error('seed: the compiled daemon is missing; run `npm run build` first');
  process.exit(1);
}

const { values: args } = parseArgs({
  options: {
    config: { type: 'string' },
    users: { type: 'string', default: '100000' },
    keep: { type: 'boolean', default: false },
    'nas-ip': { type: 'string', default: '127.0.0.1' },
    secret: { type: 'string', default: 'testing123' },
    vendor: { type: 'string', default: 'mikrotik' },
    status: { type: 'string', default: 'free' },
    'cap-bytes': { type: 'string' },
  },
});
const n = Number(args.users);
if (!Number.isInteger(n) || n < 1) {
  console.error('seed: --users must be a positive integer');
  process.exit(2);
}
const capBytes = args['cap-bytes'] === undefined ? undefined : Number(args['cap-bytes']);
if (capBytes !== undefined && !(Number.isSafeInteger(capBytes) && capBytes > 0)) {
  console.error('seed: --cap-bytes must be a positive integer');
  process.exit(2);
}

const { loadConfig } = await import(dist('config/load.js'));
const { openStorage } = await import(dist('bootstrap.js'));
const { makeRepos } = await import(dist('db/repos.js'));
const { importSubscribers } = await import(dist('db/bulk.js'));

const { config } = loadConfig(args.config);
const dbPath = resolve(config.database.path);
if (!args.keep && !config.database.url) for (const f of [dbPath, `${dbPath}-wal`, `${dbPath}-shm`]) rmSync(f, { force: true });

const t0 = performance.now();
const { sql, db, box } = await openStorage(config);
const tMigrated = performance.now();
const repos = makeRepos(sql, box);
const actor = { id: 'cli' };
await repos.nas.create(
  { name: 'bench-nas', ipAddress: args['nas-ip'], secret: args.secret, vendor: args.vendor, requireMessageAuthenticator: true },
  actor,
);
const plan = await repos.plans.create(
  {
    name: 'bench 50/10', type: 'recurring', price: 2500, billingPeriodMonths: 1, downloadKbps: 50_000, uploadKbps: 10_000,
    ...(capBytes === undefined ? {} : { dataCapBytes: capBytes, capAction: 'throttle', throttleDownloadKbps: 1_000, throttleUploadKbps: 1_000 }),
  },
  actor,
);

function* subscribers() {
  for (let i = 1; i <= n; i++) {
    yield { customerName: `Subscriber ${i}`, planId: plan.id, username: `user${i}`, password: `pw${i}`, startDate: '2026-01-01', status: args.status };
  }
}
const tImport = performance.now();
const res = await importSubscribers(sql, box, subscribers(), actor);
const tDone = performance.now();
if (db) {
  db.$client.pragma('wal_checkpoint(TRUNCATE)');
  db.$client.exec('analyze');
}
await sql.close();
console.log(
  JSON.stringify({
    database: config.database.url ? 'postgresql' : dbPath, services: res.services, plan: plan.id,
    migrate_s: +((tMigrated - t0) / 1000).toFixed(2), import_s: +((tDone - tImport) / 1000).toFixed(2),
  }),
);
