#!/usr/bin/env node
// The heap a warm service cache holds, and what a full garbage collection of it costs: the cache of
// the compiled daemon (BENCH_DIST, see lib/dist.mjs) warmed with N services of one plan, rows made as
// a database driver makes them (every string a heap object of its own), passwords sealed with a real
// key. It prints the heap per cached service and the times of five forced full collections (all on
// the main thread, so an upper bound of the marking a concurrent collection spreads out).
//
//   node --expose-gc bench/service-cache-heap.mjs [--services 1000000]
//
// Two builds side by side: BENCH_DIST=path/to/other/dist node --expose-gc bench/service-cache-heap.mjs
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { distRoot } from './lib/dist.mjs';

const gc = globalThis.gc;
if (typeof gc !== 'function') {
  console.error('service-cache-heap: run it with node --expose-gc');
  process.exit(2);
}
const { values: args } = parseArgs({ options: { services: { type: 'string', default: '1000000' } } });
const n = Number(args.services);
if (!Number.isInteger(n) || n < 1) {
  console.error('service-cache-heap: --services must be a positive integer');
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
const cache = new ServiceCache(source, box, { error: (o, msg) => console.error(msg, o) });

gc();
const before = process.memoryUsage().heapUsed;
const t0 = performance.now();
await cache.warm();
const warmS = (performance.now() - t0) / 1000;
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
  dist: distRoot().pathname, services: cache.size, warm_s: +warmS.toFixed(1), heap_mb: Math.round(heap / 2 ** 20),
  bytes_per_service: Math.round(heap / cache.size), full_gc_ms: fullGcMs.sort((a, b) => a - b),
}));
