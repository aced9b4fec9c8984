// What the API benchmarks share: a private compile of the daemon, and the daemon started on a config
// and waited for until it serves.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = resolve(import.meta.dirname, '../..');

export const log = (...m) => console.error(`[${new Date().toISOString().slice(11, 19)}]`, ...m);

/**
 * Compiles src/ into <varDir>/build/dist, so a concurrent `npm run build` (which empties dist/ first)
 * cannot pull the daemon away mid-run; with `noBuild`, $BENCH_DIST or dist/. Returns the folder and an
 * importer of its modules.
 */
export function compiledDaemon(varDir, noBuild) {
  let dist = process.env.BENCH_DIST ? resolve(process.env.BENCH_DIST) : join(ROOT, 'dist');
  if (!noBuild) {
    const build = join(varDir, 'build');
    dist = join(build, 'dist');
    log(`compiling src/ into ${dist}`);
    rmSync(build, { recursive: true, force: true });
    mkdirSync(build, { recursive: true });
    // dist/ resolves migrations/ and dictionaries/ two and three levels up, as in the package.
    symlinkSync(join(ROOT, 'migrations'), join(build, 'migrations'));
    symlinkSync(join(ROOT, 'dictionaries'), join(build, 'dictionaries'));
    execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.json'), '--outDir', dist], { stdio: 'inherit' });
  }
  if (!existsSync(join(dist, 'cli/main.js'))) {
    console.error(`no compiled daemon in ${dist} (npm run build, or drop --no-build)`);
    process.exit(1);
  }
  return { dist, mod: (p) => import(pathToFileURL(join(dist, p)).href) };
}

/** `tollgate serve --config <config>` from `dist`; resolves with the daemon and its HTTP base once it serves. */
export async function serveDaemon(dist, config) {
  const flags = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
  const daemon = spawn(process.execPath, [...flags, join(ROOT, 'bench/lib/serve.mjs'), 'serve', '--config', config], { env: { ...process.env, BENCH_DIST: dist }, stdio: ['ignore', 'pipe', 'pipe'] });
  const base = await new Promise((res, rej) => {
    let buf = '';
    let err = '';
    daemon.stdout.on('data', (c) => {
      buf += c;
      for (let nl; (nl = buf.indexOf('\n')) >= 0; buf = buf.slice(nl + 1)) {
        try {
          const o = JSON.parse(buf.slice(0, nl));
          if (o.msg === 'tollgate is serving') res(o.http);
        } catch { /* not JSON */ }
      }
    });
    daemon.stderr.on('data', (c) => (err += c));
    daemon.on('exit', (code) => rej(new Error(`daemon exited with ${code}: ${err}`)));
    setTimeout(() => rej(new Error('daemon did not start in 60 s')), 60_000).unref();
  });
  log(`daemon serving at ${base}`);
  return { daemon, base };
}
