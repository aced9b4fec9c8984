// Builds what production runs: the daemon (tsc -> dist/) and, once it exists, the web UI bundle.
import { execFileSync } from 'node:child_process';
import { rmSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
rmSync(resolve(root, 'dist'), { recursive: true, force: true });
execFileSync(process.execPath, [resolve(root, 'node_modules/typescript/bin/tsc'), '-p', resolve(root, 'tsconfig.json')], { stdio: 'inherit', cwd: root });
if (existsSync(resolve(root, 'web/build.mjs'))) {
  execFileSync(process.execPath, [resolve(root, 'web/build.mjs')], { stdio: 'inherit', cwd: root });
}
