#!/usr/bin/env node
// Summarises a V8 .cpuprofile (node --cpu-prof): self time and inclusive time per function, so a
// profile taken on a headless machine can be read without a browser.
//   node bench/profile-top.mjs FILE.cpuprofile [N=30] [LAST_S]
// LAST_S: only the samples of the profile's last LAST_S seconds (the steady state of a load run,
// without start-up and warm-up).
import { readFileSync } from 'node:fs';

const [file, nArg, lastArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench/profile-top.mjs FILE.cpuprofile [N]');
  process.exit(2);
}
const N = Number(nArg ?? 30);
const prof = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const hits = new Map();
const dt = prof.timeDeltas;
const from = lastArg === undefined ? -Infinity : prof.endTime - Number(lastArg) * 1e6;
for (let i = 0, at = prof.startTime; i < prof.samples.length; i++) {
  at += dt[i] ?? 0;
  if (at >= from) hits.set(prof.samples[i], (hits.get(prof.samples[i]) ?? 0) + (dt[i] ?? 0));
}
const total = [...hits.values()].reduce((a, b) => a + b, 0);
const name = (n) => {
  const f = n.callFrame;
  const url = f.url.replace(/^.*\/(node_modules\/[^/]+|dist|src)\//, '$1/');
  return `${f.functionName || '(anon)'} ${url}:${f.lineNumber + 1}`;
};
const self = new Map();
const incl = new Map();
for (const [id, t] of hits) {
  const n = byId.get(id);
  const k = name(n);
  self.set(k, (self.get(k) ?? 0) + t);
  const seen = new Set();
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const kk = name(byId.get(cur));
    if (seen.has(kk)) continue;
    seen.add(kk);
    incl.set(kk, (incl.get(kk) ?? 0) + t);
  }
}
const show = (m, title) => {
  console.log(`\n${title} (total ${(total / 1e6).toFixed(2)} s)`);
  for (const [k, t] of [...m].sort((a, b) => b[1] - a[1]).slice(0, N)) console.log(`${((100 * t) / total).toFixed(1).padStart(5)} %  ${k}`);
};
show(self, 'self time');
show(incl, 'inclusive time');
