// Builds the admin UI into dist/web: esbuild bundles web/src (Lit) into one minified ES module, app.js,
// plus a chunk per language catalogue but English (loaded when an admin picks that language), and
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

// src/i18n/locales.ts names each language's notification templates beside its catalogue; the UI never
// asks for them (notifications are the server's), so they stay out of the bundle: the import is left
// as it is, never run, rather than bundled.
const serverOnly = {
  name: 'server-only',
  setup(b) {
    b.onResolve({ filter: /\/templates\/[a-z]+\.js$/ }, (args) =>
      args.importer.includes(join('src', 'i18n')) ? { path: args.path, external: true } : undefined);
  },
};

await build({
  entryPoints: { app: join(here, 'src/main.ts') },
  bundle: true,
  splitting: true,
  format: 'esm',
  target: ['chrome111', 'firefox113', 'safari16.4'],
  minify: true,
  sourcemap: 'linked',
  legalComments: 'none',
  outdir: out,
  chunkNames: '[name]-[hash]',
  plugins: [serverOnly],
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
const kib = (f) => `${(readFileSync(join(out, f)).length / 1024).toFixed(0)} KiB`;
const chunks = readdirSync(out).filter((f) => f.endsWith('.js') && f !== 'app.js');
console.log(`web: dist/web built in ${Date.now() - started} ms (app.js ${kib('app.js')}; ${chunks.map((f) => `${f} ${kib(f)}`).join(', ')})`);
