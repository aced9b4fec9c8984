#!/usr/bin/env node
// The heap a node holds per subscriber to answer logins from memory, and what a full garbage
// collection of it costs, with the compiled daemon's own classes (BENCH_DIST, see lib/dist.mjs):
//   - the service cache, warmed with N services of one plan, rows made as a database driver makes
//     them (every string a heap object of its own), passwords sealed with a real key;
//   - the open-session index (simultaneous use) with one session per service, a MAC each, as when
//     every subscriber is online.
// One at a time, it prints the heap per entry and the times of five forced full collections of a
// heap holding that structure alone (all on the main thread, so an upper bound of the marking a
// concurrent collection spreads out).
//
//   node --expose-gc bench/login-memory.mjs [--services 1000000]
//
// Two builds side by side: BENCH_DIST=path/to/other/dist node --expose-gc bench/login-memory.mjs
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { distRoot } from './lib/dist.mjs';

const gc = globalThis.gc;
if (typeof gc !== 'function') {
  console.error('login-memory: run it with node --expose-gc');
  process.exit(2);
}
const { values: args } = parseArgs({ options: { services: { type: 'string', default: '1000000' } } });
const n = Number(args.services);
if (!Number.isInteger(n) || n < 1) {
  console.error('login-memory: --services must be a positive integer');
  process.exit(2);
}

const dist = (p) => new URL(p, distRoot()).href;
const { ServiceCache } = await import(dist('aaa/service-cache.js'));
const { SecretBox } = await import(dist('lib/secretbox.js'));

const box = new SecretBox(randomBytes(32));
// A driver parses each column out of its own buffer: no two rows share a string.
const own = (s) => Buffer.from(s).toString();
const row = (i) => ({
  id: i, customerId: i, username: own(`user${i}`), passwordEnc: own(box.seal(`pw${i}`)), status: own('active'), startDate: own('2026-01-01'),
  macAddress: null, staticIp: null, ipv6Prefix: null, delegatedIpv6Prefix: null, simultaneousUse: 1, expiresAt: null,
  planId: 1, planType: own('recurring'), downloadKbps: 50_000, uploadKbps: 10_000, burstDownloadKbps: null, burstUploadKbps: null,
  burstThresholdDownloadKbps: null, burstThresholdUploadKbps: null, burstTimeSeconds: null, dataCapBytes: null, capAction: null,
  throttleDownloadKbps: null, throttleUploadKbps: null, framedPool: null, suspensionMode: null, billingDay: own('anniversary'),
  periodMonths: 1, voucherLogin: false, language: null,
});
const source = {
  service: async () => undefined,
  servicesAfter: async (after, limit) => {
    const rows = [];
    for (let i = after + 1; i <= Math.min(n, after + limit); i++) rows.push(row(i));
    return rows;
  },
};
const { OpenSessionIndex } = await import(dist('db/radius.js'));

/**
 * The heap and full-collection times of what `build` makes (returned, with a size): kept until its
 * figures are printed, then let go, so the next structure is measured alone.
 */
async function measure(name, build) {
  gc();
  const before = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  const kept = await build();
  const buildS = (performance.now() - t0) / 1000;
  gc();
  gc();
  const heap = process.memoryUsage().heapUsed - before;
  const fullGcMs = [];
  for (let k = 0; k < 5; k++) {
    const t = performance.now();
    gc();
    fullGcMs.push(Math.round(performance.now() - t));
  }
  console.log(JSON.stringify({
    dist: distRoot().pathname, structure: name, entries: kept.size, build_s: +buildS.toFixed(1), heap_mb: Math.round(heap / 2 ** 20),
    bytes_per_entry: Math.round(heap / kept.size), full_gc_ms: fullGcMs.sort((a, b) => a - b),
  }));
}

await measure('service cache', async () => {
  const c = new ServiceCache(source, box, { error: (o, msg) => console.error(msg, o) });
  await c.warm();
  return c;
});
const hex = (i, shift) => ((i >> shift) & 255).toString(16).padStart(2, '0').toUpperCase();
await measure('open sessions', async () => {
  const index = new OpenSessionIndex();
  const batch = [];
  for (let i = 1; i <= n; i++) {
    // The writer applies each committed batch's changes: about a hundred at a time.
    batch.push({ op: 'open', id: i, serviceId: i, nasId: 1, callingStationId: own(`02:00:${hex(i, 24)}:${hex(i, 16)}:${hex(i, 8)}:${hex(i, 0)}`) });
    if (batch.length === 100 || i === n) index.apply(batch.splice(0));
  }
  return index;
});
