import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, realpathSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../helpers/daemon.js';

// The README's "Running under systemd" steps, typed as an admin types them, in a throw-away Debian 12
// that boots systemd as its init under systemd-nspawn: the unit starts, answers on HTTP, and the
// README's backup and `token create` commands, run as the service user, find the daemon's database
// and key through /etc/tollgate/tollgate.toml (a token the daemon accepts, a backup of the real
// database). The container has no network (--private-network), so two steps cannot run as written:
// `git clone` and `npm ci && npm prune --omit=dev`. The checkout, built, is mounted read-only at
// /opt/tollgate in their place (with its dev dependencies), and the host's Node.js binary is mounted
// at /usr/bin/node, where the unit runs it (Debian 12's own is 18, too old).
//
// The Debian root (mmdebstrap, minbase plus systemd and sudo, about 200 MB, a minute or two to build)
// is cached outside the checkout, in TOLLGATE_TEST_CACHE (default /var/cache/tollgate-tests), so it is
// built once per machine and never seen by the linter, tsc or git; each run boots a copy of it.
// Needs root, mmdebstrap and systemd-nspawn (packages mmdebstrap and systemd-container, which
// scripts/test.sh installs), and Debian's mirror for the first build.

const have = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const ready = process.getuid?.() === 0 && have('mmdebstrap') && have('systemd-nspawn');
const CACHE = process.env.TOLLGATE_TEST_CACHE ?? '/var/cache/tollgate-tests';
const PACKAGES = ['systemd', 'systemd-sysv', 'dbus', 'sudo'];
const BASE = join(CACHE, `bookworm-minbase-${PACKAGES.join('-')}`);

/** Builds the cached root when it is not there yet; a half-built one never takes its name. */
function baseRoot(): string {
  if (existsSync(join(BASE, 'usr/bin/systemctl'))) return BASE;
  mkdirSync(CACHE, { recursive: true });
  const building = `${BASE}.building-${process.pid}`;
  const started = Date.now();
  execFileSync('mmdebstrap', ['--quiet', '--variant=minbase', `--include=${PACKAGES.join(',')}`, 'bookworm', building], { stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    renameSync(building, BASE);
  } catch (e) {
    // Another run built it meanwhile: keep theirs.
    spawnSync('rm', ['-rf', '--one-file-system', building]);
    if (!existsSync(join(BASE, 'usr/bin/systemctl'))) throw e;
  }
  console.log(`systemd test root built in ${Math.round((Date.now() - started) / 1000)} s: ${BASE}`);
  return BASE;
}

/**
 * The README's commands, in its order: the fenced block of "Running under systemd", then the backup
 * and token commands its text gives inline. Fails when the README no longer has a step this test
 * stands in for, so that a change there is looked at here.
 */
function readmeSteps() {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('## Running under systemd');
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  const lines = block.split('\n').filter((l) => l.trim() !== '' && !l.trim().startsWith('#'));
  const clone = lines.findIndex((l) => l.startsWith('git clone '));
  const npm = lines.findIndex((l) => l.startsWith('npm ci'));
  const start_ = lines.findIndex((l) => /systemctl .*enable --now tollgate/.test(l));
  const inline = [...section.matchAll(/`(sudo -u tollgate [^`]+)`/g)].map((m) => m[1].replace(/\s+/g, ' '));
  const backup = inline.find((c) => / backup /.test(c));
  const token = inline.find((c) => / token create /.test(c));
  expect({ clone, npm, start: start_, backup, token }).toEqual({
    clone: expect.any(Number),
    npm: expect.any(Number),
    start: expect.any(Number),
    backup: expect.any(String),
    token: expect.any(String),
  });
  expect(Math.min(clone, npm, start_)).toBeGreaterThanOrEqual(0);
  return { lines, clone, npm, start: start_, backup: backup ?? '', token: token ?? '' };
}

/** The script the container runs once booted: the README's steps, then what it checks. */
function selfTest(): string {
  const steps = readmeSteps();
  const install = steps.lines.flatMap((line, i) => {
    // The tree is already at /opt/tollgate, built: mounted in place of the clone and the install.
    if (i === steps.clone) return ['cd /opt/tollgate'];
    if (i === steps.npm) return [];
    if (i === steps.start) return [line, 'wait_healthz'];
    return [line];
  });
  return `#!/bin/bash
exec > /out/log 2>&1
trap 'systemctl poweroff --no-block' EXIT
set -euxo pipefail
fact() { echo "$1=$2" >> /out/facts; }
wait_healthz() {
  for _ in $(seq 1 120); do
    if node -e "fetch('http://127.0.0.1:8080/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"; then
      fact healthz ok; return 0
    fi
    sleep 0.5
  done
  fact healthz down; systemctl status tollgate --no-pager || true; journalctl -u tollgate --no-pager || true; return 1
}
${install.join('\n')}
fact unit "$(systemctl is-active tollgate)"
${steps.backup}
backup=$(ls /var/lib/tollgate/backups/*.db | head -n 1)
fact backup_owner "$(stat -c %U:%a "$backup")"
fact backup_rows "$(node -e "const D = require('/opt/tollgate/node_modules/better-sqlite3'); console.log(new D(process.argv[1], { readonly: true }).prepare('select count(*) n from admins').get().n)" "$backup")"
token=$(${steps.token})
code=$(node -e "fetch('http://127.0.0.1:8080/api/v1/nas', { headers: { authorization: 'Bearer ' + process.argv[1] } }).then((r) => console.log(r.status))" "$token")
fact api_with_token "$code"
systemctl stop tollgate
fact stopped "$(systemctl is-active tollgate || true):$(systemctl show -p Result --value tollgate)"
fact done yes
`;
}

describe.skipIf(!ready)('the README systemd install, in a booted Debian 12 container', () => {
  let base = '';
  const work = tempDir('tollgate-nspawn-');
  beforeAll(() => {
    base = baseRoot();
  }, 900_000);
  afterAll(() => {
    // --one-file-system: never follow into a mount, should one outlive the container.
    spawnSync('rm', ['-rf', '--one-file-system', work]);
  });

  it('installs, starts, answers, backs up, creates a token the daemon accepts, and stops', () => {
    expect(existsSync(join(ROOT, 'dist')), 'the build (npm run build) is mounted into the container').toBe(true);
    const root = join(work, 'root');
    const out = join(work, 'out');
    mkdirSync(out);
    execFileSync('cp', ['-a', base, root]);
    const unit = join(root, 'etc/systemd/system/tollgate-selftest.service');
    writeFileSync(
      unit,
      '[Unit]\nDescription=the README install steps\nAfter=multi-user.target\n\n[Service]\nType=oneshot\nExecStart=/bin/bash /out/selftest.sh\n\n[Install]\nWantedBy=multi-user.target\n',
    );
    symlinkSync('/etc/systemd/system/tollgate-selftest.service', join(root, 'etc/systemd/system/multi-user.target.wants/tollgate-selftest.service'));
    writeFileSync(join(out, 'selftest.sh'), selfTest());

    const binds = [`--bind=${out}:/out`, `--bind-ro=${ROOT}:/opt/tollgate`, `--bind-ro=${process.execPath}:/usr/bin/node`];
    // A checkout whose node_modules links elsewhere: that target at the same path, so the link resolves.
    const modules = join(ROOT, 'node_modules');
    if (lstatSync(modules).isSymbolicLink()) binds.push(`--bind-ro=${realpathSync(modules)}:${realpathSync(modules)}`);
    const started = Date.now();
    // No machined or D-Bus on the host to register with: --register=no --keep-unit.
    const boot = spawnSync(
      'timeout',
      ['-k', '10', '240', 'systemd-nspawn', '--quiet', '--boot', `--directory=${root}`, '--register=no', '--keep-unit', '--private-network', ...binds],
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
    const seconds = Math.round((Date.now() - started) / 1000);
    const log = existsSync(join(out, 'log')) ? readFileSync(join(out, 'log'), 'utf8') : '(no log: the self-test never ran)';
    const facts = Object.fromEntries(
      (existsSync(join(out, 'facts')) ? readFileSync(join(out, 'facts'), 'utf8') : '')
        .split('\n')
        .filter(Boolean)
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    console.log(`container booted, ran the README steps and powered off in ${seconds} s`);
    expect(facts, `container exit ${boot.status}\n--- self-test log\n${log}\n--- console\n${boot.stdout.slice(-4000)}${boot.stderr.slice(-2000)}`).toEqual({
      healthz: 'ok',
      unit: 'active',
      // The backup is the daemon's database (its first admin is there), owned by the service user, 0600.
      backup_owner: 'tollgate:600',
      backup_rows: '1',
      // The CLI wrote its token into the database and key the daemon serves from.
      api_with_token: '200',
      stopped: 'inactive:success',
      done: 'yes',
    });
    expect(boot.status).toBe(0);
  }, 600_000);
});
