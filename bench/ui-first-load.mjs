// The admin UI's first load on localhost: a fresh browser context (empty cache) opens / with a
// signed-in session and waits until the dashboard shows its figures. Needs the build (npm run build)
// and Debian's chromium. `node bench/ui-first-load.mjs [runs]`; prints one JSON line and appends it
// to bench/results/ui-first-load.jsonl.
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

const root = resolve(import.meta.dirname, '..');
const runs = Number(process.argv[2] ?? 10);
const dir = mkdtempSync(join(tmpdir(), 'tollgate-uibench-'));
const config = join(dir, 'tollgate.toml');
writeFileSync(config, `[database]\npath = "${join(dir, 'data/tollgate.db')}"\n[radius]\nauth_listen = "127.0.0.1:0"\nacct_listen = "127.0.0.1:0"\n[http]\nlisten = "127.0.0.1:0"\n`);
const proc = spawn(process.execPath, [join(root, 'bin/tollgate.js'), 'serve', '--config', config], { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] });
const base = await new Promise((res, rej) => {
  let buf = '';
  proc.stdout.on('data', (c) => {
    buf += c;
    const m = /"http":"([^"]+)"[^\n]*tollgate is serving/.exec(buf);
    if (m) res(m[1]);
  });
  proc.on('exit', (code) => rej(new Error(`daemon exited ${code}`)));
});
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
try {
  const [username, initial] = readFileSync(join(dir, 'data/initial-admin-password'), 'utf8').trim().split('\n');
  const password = 'benchmark password 123';
  const setup = await browser.newContext({ baseURL: base });
  const me = await (await setup.request.post('/api/v1/auth/login', { data: { username, password: initial } })).json();
  const pw = await setup.request.post('/api/v1/auth/password', { data: { currentPassword: initial, newPassword: password }, headers: { 'x-csrf-token': me.csrfToken } });
  if (!pw.ok()) throw new Error(`password change: ${pw.status()}`);
  const cookies = await setup.cookies();
  await setup.close();
  const times = [];
  for (let i = 0; i < runs; i++) {
    const ctx = await browser.newContext({ baseURL: base });
    await ctx.addCookies(cookies);
    const page = await ctx.newPage();
    const t0 = performance.now();
    await page.goto('/');
    await page.locator('[data-test=online]').waitFor();
    times.push(performance.now() - t0);
    await ctx.close();
  }
  times.sort((a, b) => a - b);
  // The bundle a first load downloads: app.js and the chunks it imports statically (English among
  // them), not the other languages' catalogues, which load only when picked.
  const web = join(root, 'dist/web');
  const atStart = ['app.js', ...[...readFileSync(join(web, 'app.js'), 'utf8').matchAll(/from\s*"\.\/([^"]+\.js)"/g)].map((m) => m[1])];
  const size = (ext) => atStart.reduce((n, f) => n + readFileSync(join(web, f + ext)).length, 0);
  const out = {
    at: new Date().toISOString(), runs, medianMs: Math.round(times[Math.floor(runs / 2)]), maxMs: Math.round(times[runs - 1]), minMs: Math.round(times[0]),
    bundleBytes: size(''), bundleBrBytes: size('.br'), load1: loadavg()[0],
  };
  console.log(JSON.stringify(out));
  appendFileSync(join(root, 'bench/results/ui-first-load.jsonl'), JSON.stringify(out) + '\n');
} finally {
  await browser.close();
  proc.kill('SIGTERM');
}
