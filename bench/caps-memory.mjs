#!/usr/bin/env node
// The heap the data-cap watcher holds per capped subscriber whose accounting a node receives, and
// the statements it took to read them, with the compiled daemon's own code (BENCH_DIST, see
// lib/dist.mjs) on a real SQLite file: N services on one capped plan (bench/seed.mjs --cap-bytes),
// each given one accounting batch's usage in batches of 500, as a writer publishes them.
//
//   node --expose-gc bench/caps-memory.mjs [--services 200000]
//
// Two builds side by side: BENCH_DIST=path/to/other/dist node --expose-gc bench/caps-memory.mjs
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { distRoot } from './lib/dist.mjs';

const gc = globalThis.gc;
if (typeof gc !== 'function') {
  console.error('caps-memory: run it with node --expose-gc');
  process.exit(2);
}
const { values: args } = parseArgs({ options: { services: { type: 'string', default: '200000' } } });
const n = Number(args.services);
if (!Number.isInteger(n) || n < 1) {
  console.error('caps-memory: --services must be a positive integer');
  process.exit(2);
}

const dir = mkdtempSync(join(tmpdir(), 'tollgate-caps-memory-'));
try {
  const conf = join(dir, 'tollgate.toml');
  writeFileSync(conf, `[database]\npath = "${join(dir, 'tollgate.db')}"\nbackup_before_migrate = false\n[log]\nlevel = "warn"\n`);
  // A cap never reached: the watcher keeps a counter per service and sends nothing.
  execFileSync(process.execPath, [join(import.meta.dirname, 'seed.mjs'), '--config', conf, '--users', String(n), '--cap-bytes', '1000000000000000'], { stdio: 'ignore' });

  const dist = (p) => new URL(p, distRoot()).href;
  const { loadConfig } = await import(dist('config/load.js'));
  const { openStorage } = await import(dist('bootstrap.js'));
  const { capsService } = await import(dist('billing/caps.js'));
  const { systemClock } = await import(dist('lib/clock.js'));
  const { config } = loadConfig(conf);
  const { sql } = await openStorage(config);

  // Counts the statements the watcher runs, prepared ones included.
  let statements = 0;
  const counted = Object.create(sql);
  counted.prepare = (text) => {
    const st = sql.prepare(text);
    return { all: (...p) => (statements++, st.all(...p)), get: (...p) => (statements++, st.get(...p)), run: (...p) => (statements++, st.run(...p)) };
  };
  for (const m of ['all', 'get', 'run']) counted[m] = (...p) => (statements++, sql[m](...p));

  const caps = capsService({ sql: counted, clock: systemClock, timezone: 'UTC' });
  const { dateInZone } = await import(dist('lib/calendar.js'));
  const day = dateInZone(new Date(), 'UTC');
  gc();
  const before = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  for (let first = 1; first <= n; first += 500) {
    const batch = [];
    for (let id = first; id < Math.min(n + 1, first + 500); id++) batch.push({ serviceId: id, day, bytes: 1000 });
    caps.onUsage(batch);
    await caps.idle();
  }
  const seconds = (performance.now() - t0) / 1000;
  gc();
  gc();
  const heap = process.memoryUsage().heapUsed - before;
  await caps.idle(); // the watcher stays alive until measured
  console.log(JSON.stringify({
    services: n, bytes_per_counter: Math.round(heap / n), statements, statements_per_service: +(statements / n).toFixed(2),
    seconds: +seconds.toFixed(1),
  }));
  await sql.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
