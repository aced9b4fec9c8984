// Where the compiled daemon is: $BENCH_DIST (bench/radius.sh builds its own copy, so a concurrent
// `npm run build`, which empties dist/ first, cannot pull it away mid-run) or the package's dist/.
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

export function distRoot() {
  const dir = process.env.BENCH_DIST ? resolve(process.env.BENCH_DIST) : resolve(import.meta.dirname, '../../dist');
  return pathToFileURL(dir + '/');
}
