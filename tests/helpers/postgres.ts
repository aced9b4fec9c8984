/**
 * A real PostgreSQL server for tests, from the machine's own binaries (Debian's `postgresql` package,
 * which scripts/test.sh installs when missing): initdb and pg_ctl found through `pg_config --bindir`,
 * a cluster in a temporary directory, listening on 127.0.0.1 on a free port and on a unix socket in
 * that directory only. The tests connect as an unprivileged role that owns its database, over TCP
 * with a password, as the daemon will; the superuser is reached only through the socket.
 *
 * initdb refuses to run as root, so under root the server runs as the `postgres` system user and the
 * directory is handed to it. Durability is traded for speed (fsync off): the cluster is thrown away.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface PostgresServer {
  /** `postgres://tollgate:…@127.0.0.1:<port>/tollgate`: the unprivileged role, owner of the database. */
  url: string;
  port: number;
  /** A further empty database owned by the same role, for a test that needs a fresh one. */
  createDatabase(name: string): Promise<string>;
  /** Where the superuser connects (trusted, over the unix socket in the server's directory). */
  admin: { host: string; port: number };
  /** Stops the server and removes its directory. */
  stop(): Promise<void>;
}

const ROLE = 'tollgate';
const DATABASE = 'tollgate';
const SUPERUSER = 'postgres';

function run(file: string, args: string[], cwd?: string): string {
  return execFileSync(file, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000, ...(cwd ? { cwd } : {}) });
}

/** The server's binaries, or null when PostgreSQL is not installed (the tests that need it skip). */
function findBinDir(): string | null {
  try {
    const dir = run('pg_config', ['--bindir']).trim();
    return existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl')) ? dir : null;
  } catch {
    return null;
  }
}

const asRoot = process.getuid?.() === 0;

/** Under root: the `postgres` system user's ids, or null when it does not exist. */
function postgresUser(): { uid: number; gid: number } | null {
  try {
    return { uid: Number(run('id', ['-u', 'postgres'])), gid: Number(run('id', ['-g', 'postgres'])) };
  } catch {
    return null;
  }
}

const binDir = findBinDir();
const owner = asRoot ? postgresUser() : null;

/** Whether a server can be started here: for `describe.skipIf(!postgresAvailable)`. */
export const postgresAvailable = binDir !== null && (!asRoot || owner !== null);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

/** SQL identifiers and literals built here come from this file, never from input; quoted all the same. */
const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;
const literal = (value: string) => `'${value.replace(/'/g, "''")}'`;

export async function startPostgres(): Promise<PostgresServer> {
  if (!binDir || !postgresAvailable) throw new Error('PostgreSQL is not installed (pg_config --bindir has no initdb): check postgresAvailable first');
  const bin = binDir;
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-pg-'));
  if (owner) chownSync(dir, owner.uid, owner.gid);
  const data = join(dir, 'data');
  const log = join(dir, 'server.log');
  // Run from the directory: the postgres user may not be allowed into the caller's working directory.
  const pgTool = (tool: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', join(bin, tool), ...args], dir) : run(join(bin, tool), args, dir);

  let started = false;
  const stop = async () => {
    if (started) {
      started = false;
      try {
        pgTool('pg_ctl', ['stop', '-D', data, '-m', 'fast', '-w']);
      } catch {
        // Already gone: the directory is removed all the same.
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    // Socket connections (the superuser's, from this file) are trusted; TCP ones need a password.
    pgTool('initdb', ['-D', data, '-U', SUPERUSER, '-E', 'UTF8', '--locale=C.UTF-8', '--auth-local=trust', '--auth-host=scram-sha-256', '--no-sync']);
    const port = await freePort();
    appendFileSync(
      join(data, 'postgresql.conf'),
      [
        '',
        '# tests: one throw-away cluster',
        "listen_addresses = '127.0.0.1'",
        `port = ${port}`,
        `unix_socket_directories = ${literal(dir)}`,
        'fsync = off',
        'full_page_writes = off',
        'max_connections = 50',
        '',
      ].join('\n'),
    );
    try {
      pgTool('pg_ctl', ['start', '-D', data, '-l', log, '-w', '-t', '60']);
    } catch (err) {
      const tail = existsSync(log) ? readFileSync(log, 'utf8').split('\n').slice(-20).join('\n') : '';
      throw new Error(`pg_ctl start failed:\n${tail}`, { cause: err });
    }
    started = true;

    const password = randomBytes(18).toString('base64url');
    const asSuperuser = async (...statements: string[]) => {
      const admin = new pg.Client({ host: dir, port, user: SUPERUSER, database: 'postgres' });
      await admin.connect();
      try {
        for (const statement of statements) await admin.query(statement);
      } finally {
        await admin.end();
      }
    };
    await asSuperuser(`create role ${ident(ROLE)} login password ${literal(password)}`, `create database ${ident(DATABASE)} owner ${ident(ROLE)}`);
    const urlOf = (database: string) => `postgres://${ROLE}:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`;

    return {
      url: urlOf(DATABASE),
      port,
      admin: { host: dir, port },
      async createDatabase(name) {
        // The role may not create databases: the superuser creates it and gives it to the role.
        await asSuperuser(`create database ${ident(name)} owner ${ident(ROLE)}`);
        return urlOf(name);
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
