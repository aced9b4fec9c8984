// Builds the admin UI into dist/web: esbuild bundles web/src (Lit) into one minified ES module, and
// every file gets .br and .gz siblings that @fastify/static serves to browsers that accept them.
// Called by scripts/build.mjs after tsc (which empties dist/), or alone: `node web/build.mjs`.
import { build } from 'esbuild';
import { mkdirSync, copyFileSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = resolve(here, '../dist/web');
mkdirSync(out, { recursive: true });
const started = Date.now();
await build({
  entryPoints: [join(here, 'src/main.ts')],
  bundle: true,
  format: 'esm',
  target: ['chrome111', 'firefox113', 'safari16.4'],
  minify: true,
  sourcemap: 'linked',
  legalComments: 'none',
  outfile: join(out, 'app.js'),
  logLevel: 'warning',
});
copyFileSync(join(here, 'index.html'), join(out, 'index.html'));
copyFileSync(join(here, 'favicon.svg'), join(out, 'favicon.svg'));
for (const f of readdirSync(out)) {
  if (!/\.(js|html|svg|css|map)$/.test(f)) continue;
  const body = readFileSync(join(out, f));
  writeFileSync(join(out, `${f}.br`), brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
  writeFileSync(join(out, `${f}.gz`), gzipSync(body, { level: 9 }));
}
console.log(`web: dist/web built in ${Date.now() - started} ms (app.js ${(readFileSync(join(out, 'app.js')).length / 1024).toFixed(0)} KiB)`);
