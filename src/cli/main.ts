import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { configFile, DEFAULT_CONFIG_FILE, describeConfig, loadConfig, type LoadedConfig } from '../config/load.js';
import { openStorage, type Storage } from '../bootstrap.js';
import { adminRoles } from '../db/schema/index.js';
import { adminStore, roleStore, tokenStore } from '../db/security.js';
import { systemClock, type Clock } from '../lib/clock.js';
import { ConfigError } from '../lib/errors.js';
import { hashPassword } from '../lib/password.js';
import { createPrivateFile, ensurePrivateDir } from '../lib/private-files.js';
import { MigrationError } from '../db/migrate.js';
import { keyFilePath } from '../keys.js';
import { createLogger } from '../logger.js';
import { serve } from '../main.js';

class UsageError extends Error {}
/** A refusal or failure the message explains in full (exit 1, no stack). */
class CommandError extends Error {}

const HELP = `tollgate: RADIUS and billing server for ISPs

Usage: tollgate <command> [options]

Commands:
  serve [--config FILE]                       run the daemon in the foreground
  migrate [--config FILE]                     apply pending database migrations and exit
  check-config [--config FILE]                validate the config and print the effective values
  admin create --username U --role ROLE       create an admin; the password is read from stdin
  token create --name N --role ROLE [--expires-days D]
                                              print a new API bearer token once (stored hashed)
  backup FILE [--config FILE]                 consistent online backup of the database
  migrate-to-postgres [--to URL] [--config FILE]
                                              copy the SQLite database into an empty PostgreSQL one

The config file is --config FILE, else TOLLGATE_CONFIG, else ${DEFAULT_CONFIG_FILE} when it exists
(the systemd unit's); every key can be overridden by TOLLGATE_<SECTION>_<KEY>. Every command but
serve and migrate needs the database to exist already. Roles: ${adminRoles.join(', ')}, or a custom role (/api/v1/roles).
Exit codes: 0 success, 2 bad usage or bad config, 1 anything else.
`;

const commandHelp: Record<string, string> = {
  serve: 'Usage: tollgate serve [--config FILE]\nRuns the daemon in the foreground (systemd Type=simple). SIGTERM/SIGINT stop it, SIGHUP reloads NAS clients and the log level.',
  migrate: 'Usage: tollgate migrate [--config FILE]\nBacks the database up (database.backup_before_migrate) and applies pending migrations.',
  'check-config': 'Usage: tollgate check-config [--config FILE]\nValidates the config; prints the effective values (secrets masked) with their source; exit 0 or 2.',
  'admin create': 'Usage: tollgate admin create --username U --role ROLE [--config FILE] < password\nCreates an admin. The password (at least 12 characters) is read from standard input.\nROLE: a built-in role or a custom one (/api/v1/roles).',
  'token create': 'Usage: tollgate token create --name N --role ROLE [--expires-days D] [--config FILE]\nPrints a new API token once; only its hash is stored.\nROLE: a built-in role or a custom one (/api/v1/roles).',
  backup: 'Usage: tollgate backup FILE [--config FILE]\nCopies the database with SQLite\'s online backup while the daemon runs, then checks the copy with PRAGMA integrity_check. Back up the secret key file too.',
  'migrate-to-postgres': [
    'Usage: tollgate migrate-to-postgres [--to postgres://USER:PASSWORD@HOST[:PORT]/DATABASE] [--config FILE]',
    'Copies the configured SQLite database (database.path) into an EMPTY PostgreSQL database, named by --to',
    'or else by database.url: applies migrations-pg, copies every table in one transaction and, before',
    'committing, checks that row counts and money sums are equal (else rolls back, exit 1). The copy is a',
    'snapshot of one instant: writes the daemon makes after it are not copied, so stop the daemon first (or',
    'accept that). Sealed secrets are copied as they are: keep the same secret key file (or',
    'security.secret_key) with the installation.',
  ].join('\n'),
};

function readStdin(): string {
  try {
    return readFileSync(0, 'utf8');
  } catch {
    return '';
  }
}

function config(values: { config?: string | undefined }): LoadedConfig {
  return loadConfig(configFile(values.config));
}

/**
 * Only `serve` and `migrate` create a database: any other command on a missing one would act on an
 * empty database of its own (a token the daemon refuses, a backup of nothing), so it exits 2 instead.
 */
function existingDatabase(loaded: LoadedConfig): string {
  const path = loaded.config.database.path;
  if (existsSync(path)) return path;
  const from = loaded.sources['database.path'] === 'env' ? 'TOLLGATE_DATABASE_PATH' : loaded.file ? `database.path in ${loaded.file}` : 'the default database.path; no config file was found';
  throw new UsageError(`no database at ${path} (${from}); name the daemon's config with --config, or create the database with \`tollgate migrate\``);
}

const pad = (text: string, width: number) => text + ' '.repeat(Math.max(0, width - text.length));
const padStart = (text: string, width: number) => ' '.repeat(Math.max(0, width - text.length)) + text;

/**
 * `migrate-to-postgres`: the copy (src/db/copy-to-postgres.ts), told as it goes. The module (pg,
 * the PostgreSQL schema) is loaded here only, so no other command starts slower for it.
 */
async function migrateToPostgres(loaded: LoadedConfig, url: string, clock: Clock): Promise<void> {
  const { CopyError, copyToPostgres, postgresUrlProblem, redactUrl } = await import('../db/copy-to-postgres.js');
  const problem = postgresUrlProblem(url);
  if (problem) throw new UsageError(`--to: ${problem}`);
  const path = existingDatabase(loaded);
  const out = (line = '') => process.stdout.write(line + '\n');
  const started = clock.now();
  out(`Copying ${path} to ${redactUrl(url)}`);
  const width = 28;
  const report = await copyToPostgres({
    sqlitePath: path,
    url,
    onSnapshot: () => {
      out(`Snapshot of the SQLite database taken at ${clock.now().toISOString()}: writes after it are not copied.`);
      out();
      out(`${pad('table', width)} ${padStart('rows', 12)}`);
    },
    onTable: (table, rows) => out(`${pad(table, width)} ${padStart(String(rows), 12)}`),
  }).catch((e: unknown) => {
    throw e instanceof CopyError ? new CommandError(e.message, { cause: e }) : e;
  });
  const total = report.tables.reduce((n, t) => n + t.rows, 0);
  out(`${pad('all tables', width)} ${padStart(String(total), 12)}`);
  out();
  out('Verified before commit: the row count of every table, and these money sums (minor units), equal in both:');
  for (const s of report.sums) out(`  ${pad(`${s.table}.${s.column}`, width + 10)} ${padStart(s.sum.toString(), 16)}`);
  if (report.migrationsApplied.length) out(`PostgreSQL migrations applied first: ${report.migrationsApplied.join(', ')}`);
  if (report.skipped.length) out(`SQLite-only tables not copied (PostgreSQL does without them): ${report.skipped.join(', ')}`);
  out(`Identity sequences moved past the copied ids.`);
  out();
  const seconds = ((clock.now().getTime() - started.getTime()) / 1000).toFixed(1);
  out(`Copied ${total} rows of ${report.tables.length} tables in ${seconds} s, in one committed transaction.`);
  out('Writes made to the SQLite database after the snapshot are NOT in PostgreSQL: stop the daemon before');
  out('the copy (or accept losing what it wrote since), then start it on PostgreSQL.');
  out('Sealed secrets (NAS secrets, service passwords, TOTP seeds: the *_enc columns) were copied as they are;');
  const key = loaded.config.security.secret_key !== '' ? 'security.secret_key as set now' : `the key file ${keyFilePath(loaded.config)}`;
  out(`they open only with the same key: ${key} must go with the installation.`);
}

async function run(argv: string[], clock: Clock): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: 'string', short: 'c' },
      help: { type: 'boolean', short: 'h' },
      username: { type: 'string' },
      role: { type: 'string' },
      name: { type: 'string' },
      'expires-days': { type: 'string' },
      to: { type: 'string' },
    },
  });
  const [cmd, sub, ...rest] = positionals;
  const key = cmd === 'admin' || cmd === 'token' ? `${cmd} ${sub ?? ''}`.trim() : (cmd ?? '');
  if (values.help || cmd === 'help' || cmd === undefined) {
    process.stdout.write((commandHelp[key] ?? HELP) + '\n');
    return cmd === undefined && !values.help ? 2 : 0;
  }
  const needRole = () => {
    if (!values.role) throw new UsageError(`--role is required: one of ${adminRoles.join(', ')} or a custom role`);
    return values.role;
  };
  // A built-in role, or a custom one stored in the database (admin_roles), as the API accepts. Opens
  // (and migrates) the database; an unknown role with no database yet is refused without creating one.
  const openForRole = async (role: string): Promise<Storage> => {
    const builtIn = (adminRoles as readonly string[]).includes(role);
    const loaded = config(values);
    const unknown = (custom: string[]) => new UsageError(`there is no role "${role}": --role must be one of ${[...adminRoles, ...custom].join(', ')}`);
    const sqlite = loaded.config.database.url === '';
    if (sqlite && !builtIn && !existsSync(loaded.config.database.path)) throw unknown([]);
    if (sqlite) existingDatabase(loaded);
    const storage = await openStorage(loaded.config, undefined, clock);
    const roles = roleStore(storage.sql, clock);
    if (builtIn || (await roles.get(role))) return storage;
    const custom = (await roles.list()).map((r) => r.name);
    await storage.close();
    throw unknown(custom);
  };

  switch (key) {
    case 'serve': {
      await serve(config(values), { clock });
      return -1; // keeps running; the signal handlers exit
    }
    case 'check-config': {
      const loaded = config(values);
      process.stdout.write(`# ${loaded.file ?? 'no config file: defaults and environment'}\n${describeConfig(loaded)}`);
      process.stdout.write('config OK\n');
      return 0;
    }
    case 'migrate': {
      const loaded = config(values);
      const storage = await openStorage(loaded.config, createLogger('info'), clock);
      await storage.close();
      process.stdout.write('database is up to date\n');
      return 0;
    }
    case 'admin create': {
      if (!values.username) throw new UsageError('--username is required');
      const role = needRole();
      const password = readStdin().replace(/\r?\n$/, '');
      if (password.length < 12) throw new UsageError('the password (from stdin) must be at least 12 characters');
      const storage = await openForRole(role);
      try {
        const admins = adminStore(storage.sql, clock);
        if (await admins.exists(values.username)) throw new UsageError(`an admin named "${values.username}" already exists`);
        const id = await admins.create({ username: values.username, passwordHash: await hashPassword(password), role, mustChangePassword: false, actor: { id: 'cli' }, at: clock.now() });
        process.stdout.write(`created admin ${values.username} (id ${id}, role ${role})\n`);
      } finally {
        await storage.close();
      }
      return 0;
    }
    case 'token create': {
      if (!values.name) throw new UsageError('--name is required');
      const role = needRole();
      let expiresAt: string | undefined;
      if (values['expires-days'] !== undefined) {
        const days = Number(values['expires-days']);
        if (!Number.isInteger(days) || days < 1) throw new UsageError('--expires-days must be a whole number of days, at least 1');
        expiresAt = new Date(clock.now().getTime() + days * 86_400_000).toISOString();
      }
      const storage = await openForRole(role);
      try {
        const { token } = await tokenStore(storage.sql, clock).create({ name: values.name, role, expiresAt, actor: { id: 'cli' } });
        process.stdout.write(token + '\n');
        process.stderr.write('Store this token now: it is shown only once.\n');
      } finally {
        await storage.close();
      }
      return 0;
    }
    case 'backup': {
      const file = sub;
      if (!file || rest.length) throw new UsageError('usage: tollgate backup FILE');
      if (existsSync(file)) throw new UsageError(`${file} already exists; choose a new file name`);
      const loaded = config(values);
      if (loaded.config.database.url !== '') {
        throw new UsageError('backup copies the SQLite file; with [database] url the data is in PostgreSQL: back it up with pg_dump or pg_basebackup (README, "Several nodes on PostgreSQL"), and keep the secret key file with it');
      }
      const path = existingDatabase(loaded);
      // Every customer's data: the copy is 0600 like the database, whatever the umask, in a folder
      // made 0700 when it is new (the README's /var/lib/tollgate/backups/ on a fresh install).
      ensurePrivateDir(dirname(file));
      if (!createPrivateFile(file)) throw new UsageError(`${file} already exists; choose a new file name`);
      // The online backup API copies a consistent snapshot while the daemon keeps writing (WAL).
      const source = new Database(path, { readonly: true, fileMustExist: true });
      source.pragma('busy_timeout = 5000');
      try {
        await source.backup(file);
      } catch (e) {
        rmSync(file, { force: true });
        throw e;
      } finally {
        source.close();
      }
      const copy = new Database(file, { readonly: true, fileMustExist: true });
      const check = copy.pragma('integrity_check', { simple: true });
      copy.close();
      if (check !== 'ok') throw new Error(`the backup failed its integrity check: ${String(check)}`);
      process.stdout.write(`backup written to ${file} (integrity_check: ok); keep the secret key file with it\n`);
      return 0;
    }
    case 'migrate-to-postgres': {
      if (sub) throw new UsageError('usage: tollgate migrate-to-postgres [--to URL] [--config FILE]');
      const loaded = config(values);
      // --to, else the config's own [database] url (checked when the config loaded).
      const url = values.to ?? (loaded.config.database.url || undefined);
      if (!url) throw new UsageError('--to is required (or [database] url in the config): the empty PostgreSQL database, postgres://USER:PASSWORD@HOST[:PORT]/DATABASE');
      await migrateToPostgres(loaded, url, clock);
      return 0;
    }
    default:
      throw new UsageError(`unknown command "${positionals.join(' ')}"; see tollgate --help`);
  }
}

export async function main(argv: string[], clock: Clock = systemClock): Promise<void> {
  let code: number;
  try {
    code = await run(argv, clock);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`tollgate: bad config: ${e.message}\n`);
      code = 2;
    } else if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`tollgate: ${(e as Error).message}\n`);
      code = 2;
    } else if (e instanceof MigrationError || e instanceof CommandError) {
      process.stderr.write(`tollgate: ${e.message}\n`);
      code = 1;
    } else {
      process.stderr.write(`tollgate: ${(e as Error).stack ?? String(e)}\n`);
      code = 1;
    }
  }
  // Exit explicitly: a failed `serve` may already hold sockets that would keep the process alive.
  if (code >= 0) process.exit(code);
}
