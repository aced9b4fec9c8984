import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
export const BIN = join(ROOT, 'bin/tollgate.js');

export function tempDir(prefix = 'tollgate-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Runs a CLI command of the compiled bin to completion. */
export function cli(args: string[], opts: { cwd?: string; input?: string; env?: NodeJS.ProcessEnv } = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? ROOT,
    input: opts.input ?? '',
    env: { ...process.env, ...opts.env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export interface Daemon {
  proc: ChildProcess;
  dir: string;
  config: string;
  http: string;
  authPort: number;
  acctPort: number;
  logs: Record<string, unknown>[];
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Writes a config on loopback with ephemeral ports (port 0) in its own directory; `database`: the keys
 * of its `[database]` table (tests/helpers/backends.ts daemonDatabase), data/tollgate.db by default.
 */
export function writeConfig(dir: string, extra = '', database = `path = "${join(dir, 'data/tollgate.db')}"\nsynchronous = "normal"`): string {
  const file = join(dir, 'tollgate.toml');
  writeFileSync(
    file,
    `[database]
${database}
[radius]
auth_listen = "127.0.0.1:0"
acct_listen = "127.0.0.1:0"
[http]
listen = "127.0.0.1:0"
[log]
level = "info"
${extra}`,
  );
  return file;
}

/**
 * Starts `tollgate serve` as production runs it (node bin/tollgate.js) and waits for the
 * "tollgate is serving" log line, which carries the bound addresses.
 */
export async function startDaemon(opts: { dir?: string; config?: string; args?: string[]; env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<Daemon> {
  const dir = opts.dir ?? tempDir();
  const config = opts.config ?? writeConfig(dir);
  const args = opts.args ?? ['serve', '--config', config];
  const proc = spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? dir, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: Record<string, unknown>[] = [];
  let stderr = '';
  const exited = new Promise<number | null>((res) => proc.on('exit', (code) => res(code)));
  const ready = new Promise<Record<string, unknown>>((res, rej) => {
    let buf = '';
    proc.stdout!.on('data', (chunk: Buffer) => {
      buf += chunk.toString();
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        try {
          const obj = JSON.parse(line) as Record<string, unknown>;
          logs.push(obj);
          if (obj.msg === 'tollgate is serving') res(obj);
        } catch {
          /* not JSON: ignore */
        }
      }
    });
    proc.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    void exited.then((code) => rej(new Error(`daemon exited with ${code} before serving: ${stderr}\n${JSON.stringify(logs)}`)));
    setTimeout(() => rej(new Error(`daemon did not start in 30 s: ${stderr}`)), 30_000).unref();
  });
  const line = await ready;
  const port = (a: unknown) => Number(String((a as string[])[0]).split(':').pop());
  return {
    proc,
    dir,
    config,
    http: String(line.http),
    authPort: port(line.radiusAuth),
    acctPort: port(line.radiusAcct),
    logs,
    exited,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
  };
}

/** A JSON API call against a running daemon. */
export async function api(base: string, token: string, method: string, path: string, body?: unknown) {
  const res = await fetch(base + path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: text ? (JSON.parse(text) as any) : undefined };
}

/** Creates an API token for a daemon's database through the real CLI. */
export function createToken(config: string, role = 'super-admin'): string {
  const r = cli(['token', 'create', '--name', 'test', '--role', role, '--config', config]);
  if (r.code !== 0) throw new Error(`token create failed: ${r.stderr}`);
  return r.stdout.trim();
}
