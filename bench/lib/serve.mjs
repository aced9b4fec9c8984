#!/usr/bin/env node
// Runs the daemon's command line from the build BENCH_DIST points at (see lib/dist.mjs), as
// bin/tollgate.js does from dist/: `node bench/lib/serve.mjs serve --config FILE`.
import { distRoot } from './dist.mjs';

const { main } = await import(new URL('cli/main.js', distRoot()).href);
await main(process.argv.slice(2));
