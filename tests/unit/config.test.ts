import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { configFile, DEFAULT_CONFIG_FILE, flattenSections, loadConfig } from '../../src/config/load.js';
import { parseListen, schema } from '../../src/config/schema.js';
import { ConfigError } from '../../src/lib/errors.js';
import { ROOT, tempDir } from '../helpers/daemon.js';

function configFrom(text: string, env: NodeJS.ProcessEnv = {}) {
  const file = join(tempDir(), 'c.toml');
  writeFileSync(file, text);
  return { file, load: () => loadConfig(file, env) };
}

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('config', () => {
  it('runs on defaults with no file, as the contract fixes them', () => {
    const { config } = loadConfig(undefined, {});
    expect(config.database.path).toBe('./data/tollgate.db');
    expect(config.radius.auth_listen).toEqual(['0.0.0.0:1812']);
    expect(config.radius.acct_listen).toEqual(['0.0.0.0:1813']);
    expect(config.http.listen).toBe('0.0.0.0:8080');
    expect(config.billing).toEqual({ currency: 'EUR', timezone: 'Europe/Rome', run_at: '02:00' });
    expect(Object.isFrozen(config) && Object.isFrozen(config.http)).toBe(true);
  });

  it('names the key, the file and the line of an unknown key', () => {
    const { file, load } = configFrom('[http]\nlisten = "127.0.0.1:8080"\n\n[radius]\nauth_listen = "0.0.0.0:1812"\nacct_lisen = "0.0.0.0:1813"\n');
    const e = errorOf(load);
    expect(e.key).toBe('radius.acct_lisen');
    expect(e.line).toBe(6);
    expect(e.message).toContain(`${file}:6`);
    expect(e.message).toContain('unknown key "radius.acct_lisen"');
  });

  it('rejects an unknown section', () => {
    const e = errorOf(configFrom('[htpp]\nlisten = "x"\n').load);
    expect(e.key).toBe('htpp');
    expect(e.line).toBe(1);
  });

  it('names the key and line of a wrong type', () => {
    const e = errorOf(configFrom('[billing]\ncurrency = "EUR"\nrun_at = 2\n').load);
    expect(e.key).toBe('billing.run_at');
    expect(e.line).toBe(3);
    expect(e.message).toMatch(/must be a string, not a number/);
  });

  it('names the key and line of an invalid listen address', () => {
    const e = errorOf(configFrom('[http]\n\nlisten = "localhost:80800"\n').load);
    expect(e.key).toBe('http.listen');
    expect(e.line).toBe(3);
    expect(e.message).toMatch(/not a listen address/);
  });

  it('rejects bad values: time zone, currency, time of day', () => {
    expect(errorOf(configFrom('[billing]\ntimezone = "Mars/Olympus"\n').load).key).toBe('billing.timezone');
    expect(errorOf(configFrom('[billing]\ncurrency = "eur"\n').load).key).toBe('billing.currency');
    expect(errorOf(configFrom('[billing]\nrun_at = "25:00"\n').load).key).toBe('billing.run_at');
  });

  it('takes a PostgreSQL URL for [database] url, names a bad one, and never prints its password', () => {
    const { load } = configFrom('[database]\nurl = "postgres://tollgate:s3cret@db.example:5432/tollgate"\npool_size = 20\n');
    const loaded = load();
    expect(loaded.config.database.url).toBe('postgres://tollgate:s3cret@db.example:5432/tollgate');
    expect(loaded.config.database.pool_size).toBe(20);
    expect(schema.database!.url!.secret).toBe(true);
    const bad = (url: string) => errorOf(configFrom(`[database]\nurl = "${url}"\n`).load);
    expect(bad('mysql://x@h/db').message).toMatch(/must start with "postgres:\/\/"/);
    expect(bad('postgres://tollgate@db.example').message).toMatch(/names no database/);
    expect(bad('db.example/tollgate').key).toBe('database.url');
    expect(errorOf(configFrom('[database]\npool_size = 1\n').load).key).toBe('database.pool_size');
  });

  it('reports TOML syntax errors with their line', () => {
    const e = errorOf(configFrom('[http]\nlisten = "127.0.0.1:1\n').load);
    expect(e.line).toBe(2);
    expect(e.message).toMatch(/invalid TOML/);
  });

  it('takes secrets and overrides from the environment, validated the same way', () => {
    const key = 'ab'.repeat(32);
    const { load } = configFrom('[http]\nlisten = "127.0.0.1:8080"\n', { TOLLGATE_HTTP_LISTEN: '127.0.0.1:9090', TOLLGATE_SECURITY_SECRET_KEY: key });
    const loaded = load();
    expect(loaded.config.http.listen).toBe('127.0.0.1:9090');
    expect(loaded.config.security.secret_key).toBe(key);
    expect(loaded.sources['http.listen']).toBe('env');
    const bad = configFrom('', { TOLLGATE_RADIUS_AUTH_LISTEN: 'nope' });
    expect(errorOf(bad.load).key).toBe('radius.auth_listen');
  });

  it('accepts one listen address or a list (IPv4 and IPv6)', () => {
    const { config } = configFrom('[radius]\nauth_listen = ["0.0.0.0:1812", "[::]:1812"]\n').load();
    expect(config.radius.auth_listen).toEqual(['0.0.0.0:1812', '[::]:1812']);
    expect(parseListen('[::1]:1812')).toEqual({ host: '::1', port: 1812 });
    expect(parseListen('::1:1812')).toBeUndefined();
    expect(parseListen('300.1.1.1:1')).toBeUndefined();
  });

  it('config.example.toml documents exactly the schema, with the defaults', () => {
    const text = readFileSync(join(ROOT, 'config.example.toml'), 'utf8');
    const doc = flattenSections(parse(text) as Record<string, unknown>) as Record<string, Record<string, unknown>>;
    for (const [section, fields] of Object.entries(schema)) {
      expect(Object.keys(doc[section] ?? {}).sort(), section).toEqual(Object.keys(fields).sort());
      for (const [key, spec] of Object.entries(fields)) {
        const v = doc[section]![key];
        const normalised = spec.type === 'string[]' && typeof v === 'string' ? [v] : typeof v === 'bigint' ? Number(v) : v;
        expect(normalised, `${section}.${key}`).toEqual(spec.default);
      }
    }
    expect(Object.keys(doc).sort()).toEqual(Object.keys(schema).sort());
    // Every key has a comment above it or beside it.
    expect(() => loadConfig(join(ROOT, 'config.example.toml'), {})).not.toThrow();
  });
});

describe('which config file', () => {
  const there = (path: string) => path === DEFAULT_CONFIG_FILE;
  const absent = () => false;
  it('is --config, else TOLLGATE_CONFIG, else the systemd unit\'s file when it exists, else none', () => {
    expect(DEFAULT_CONFIG_FILE).toBe('/etc/tollgate/tollgate.toml');
    expect(configFile('a.toml', { TOLLGATE_CONFIG: 'b.toml' }, there)).toBe('a.toml');
    expect(configFile(undefined, { TOLLGATE_CONFIG: 'b.toml' }, there)).toBe('b.toml');
    expect(configFile(undefined, {}, there)).toBe(DEFAULT_CONFIG_FILE);
    expect(configFile(undefined, {}, absent)).toBeUndefined();
    // An empty TOLLGATE_CONFIG asks for defaults and environment only, even where the default file is.
    expect(configFile(undefined, { TOLLGATE_CONFIG: '' }, there)).toBeUndefined();
  });
});
