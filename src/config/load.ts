import { existsSync, readFileSync } from 'node:fs';
import { parse, TomlError } from 'smol-toml';
import { ConfigError } from '../lib/errors.js';
import { schema, type Config, type FieldSpec } from './schema.js';

export interface LoadedConfig {
  config: Config;
  /** The file read, or undefined when running on defaults alone. */
  file: string | undefined;
  /** Where each key's effective value came from. */
  sources: Record<string, 'default' | 'file' | 'env'>;
}

/**
 * Finds the line of `key` inside `[section]` so errors can point at it. TOML allows other spellings
 * (dotted keys, inline tables); when those are used we fall back to the section's line.
 */
export function lineOf(text: string, section: string, key?: string): number | undefined {
  const lines = text.split(/\r?\n/);
  let current = '';
  let sectionLine: number | undefined;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!.trim();
    const header = /^\[\s*([^\]]+?)\s*\]/.exec(l);
    if (header) {
      current = header[1]!.replace(/["']/g, '');
      if (current === section && sectionLine === undefined) {
        if (key === undefined) return i + 1;
        sectionLine = i + 1;
      }
      continue;
    }
    const kv = /^["']?([A-Za-z0-9_.-]+)["']?\s*=/.exec(l);
    if (!kv) continue;
    const full = current ? `${current}.${kv[1]}` : kv[1]!;
    if (key === undefined ? full === section || full.startsWith(section + '.') : full === `${section}.${key}`) return i + 1;
  }
  return sectionLine;
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return 'an array';
  if (v === null) return 'null';
  if (typeof v === 'object') return 'a table';
  if (typeof v === 'bigint') return 'an integer';
  return `a ${typeof v}`;
}

function coerce(spec: FieldSpec, raw: unknown, where: () => string): string | number | boolean | string[] {
  const want = spec.type;
  if (want === 'string' && typeof raw === 'string') return raw;
  if (want === 'boolean' && typeof raw === 'boolean') return raw;
  if (want === 'integer' && (typeof raw === 'bigint' || (typeof raw === 'number' && Number.isInteger(raw)))) {
    const n = Number(raw);
    if (!Number.isSafeInteger(n)) throw new Error(`${where()}: the integer is too large`);
    return n;
  }
  // A single address is the common case; a list allows IPv4 and IPv6 listeners side by side.
  if (want === 'string[]' && typeof raw === 'string') return [raw];
  if (want === 'string[]' && Array.isArray(raw) && raw.every((x) => typeof x === 'string')) return raw as string[];
  const wanted = want === 'string[]' ? 'a string or an array of strings' : `a ${want}`;
  throw new Error(`${where()} must be ${wanted}, not ${describe(raw)}`);
}

function fromEnv(spec: FieldSpec, text: string): unknown {
  switch (spec.type) {
    case 'string':
      return text;
    case 'integer':
      return /^-?\d+$/.test(text.trim()) ? Number(text) : text;
    case 'boolean':
      return text === 'true' || text === '1' ? true : text === 'false' || text === '0' ? false : text;
    case 'string[]':
      return text.split(',').map((s) => s.trim()).filter(Boolean);
  }
}

/** The environment variable that overrides a key: `TOLLGATE_<SECTION>_<KEY>`, upper case. */
export function envName(section: string, key: string): string {
  return `TOLLGATE_${section.replace(/\./g, '_')}_${key}`.toUpperCase();
}

/** Moves TOML sub-tables that are sections of their own (`[notify.email]`) to their dotted name. */
export function flattenSections(doc: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...doc };
  for (const [top, value] of Object.entries(doc)) {
    if (top in schema || typeof value !== 'object' || value === null || Array.isArray(value)) continue;
    const rest: Record<string, unknown> = {};
    for (const [sub, v] of Object.entries(value)) {
      if (`${top}.${sub}` in schema) out[`${top}.${sub}`] = v;
      else rest[sub] = v;
    }
    if (Object.keys(rest).length === 0) delete out[top];
    else out[top] = rest;
  }
  return out;
}

/**
 * The config file read when none is named: the one the systemd unit runs with, so that the CLI run by
 * an admin (`sudo -u tollgate tollgate backup ...`) reads the same database and key as the daemon.
 */
export const DEFAULT_CONFIG_FILE = '/etc/tollgate/tollgate.toml';

/**
 * Which config file to read: `--config`, else TOLLGATE_CONFIG (empty: none, defaults and environment
 * only), else DEFAULT_CONFIG_FILE when it is there, else none.
 */
export function configFile(flag: string | undefined, env: NodeJS.ProcessEnv = process.env, exists: (path: string) => boolean = existsSync): string | undefined {
  if (flag !== undefined) return flag;
  const named = env.TOLLGATE_CONFIG;
  if (named !== undefined) return named === '' ? undefined : named;
  return exists(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : undefined;
}

/**
 * Reads, validates and freezes the configuration. Precedence: environment, then file, then default.
 * Secrets (the at-rest key, TLS key) may come from the environment so they need not sit in the file.
 */
export function loadConfig(file: string | undefined, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  let text = '';
  let doc: Record<string, unknown> = {};
  if (file !== undefined) {
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new ConfigError(`${file}: cannot read the config file: ${(e as Error).message}`, undefined, file);
    }
    try {
      doc = parse(text) as Record<string, unknown>;
    } catch (e) {
      if (e instanceof TomlError) {
        const first = e.message.split('\n')[0];
        throw new ConfigError(`${file}:${e.line}: invalid TOML: ${first}`, undefined, file, e.line);
      }
      throw e;
    }
  }

  doc = flattenSections(doc);
  const at = (section: string, key?: string) => {
    const line = file ? lineOf(text, section, key) : undefined;
    return `${file ?? '(defaults)'}${line ? `:${line}` : ''}`;
  };
  const fail = (msg: string, section: string, key?: string, fromFile = true): never => {
    const line = file && fromFile ? lineOf(text, section, key) : undefined;
    throw new ConfigError(msg, key ? `${section}.${key}` : section, fromFile ? file : undefined, line);
  };

  for (const [section, value] of Object.entries(doc)) {
    if (!(section in schema)) {
      fail(`${at(section)}: unknown section [${section}] (known: ${Object.keys(schema).join(', ')})`, section);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      fail(`${at(section)}: "${section}" must be a table ([${section}])`, section);
    }
    const known = schema[section as keyof typeof schema] as Record<string, FieldSpec>;
    for (const key of Object.keys(value as object)) {
      if (!(key in known)) {
        fail(`${at(section, key)}: unknown key "${section}.${key}" (known in [${section}]: ${Object.keys(known).join(', ')})`, section, key);
      }
    }
  }

  const out: Record<string, Record<string, unknown>> = {};
  const sources: LoadedConfig['sources'] = {};
  for (const [section, fields] of Object.entries(schema) as [string, Record<string, FieldSpec>][]) {
    out[section] = {};
    const given = (doc[section] ?? {}) as Record<string, unknown>;
    for (const [key, spec] of Object.entries(fields)) {
      const name = `${section}.${key}`;
      const envKey = envName(section, key);
      let raw: unknown = spec.default;
      let source: 'default' | 'file' | 'env' = 'default';
      let where = () => `${at(section, key)}: "${name}"`;
      if (env[envKey] !== undefined) {
        raw = fromEnv(spec, env[envKey]!);
        source = 'env';
        where = () => `environment ${envKey} ("${name}")`;
      } else if (key in given) {
        raw = given[key];
        source = 'file';
      }
      let value: string | number | boolean | string[];
      try {
        value = coerce(spec, raw, where);
      } catch (e) {
        return fail((e as Error).message, section, key, source === 'file');
      }
      const problem = spec.check?.(value as never);
      if (problem) fail(`${where()}: ${problem}`, section, key, source === 'file');
      out[section]![key] = value;
      sources[name] = source;
    }
    Object.freeze(out[section]);
  }
  // Rules across keys.
  const http = out.http as { tls_cert: string; tls_key: string };
  if (Boolean(http.tls_cert) !== Boolean(http.tls_key)) {
    const missing = http.tls_cert ? 'tls_key' : 'tls_cert';
    fail(`${at('http', missing)}: "http.${missing}" is needed too: HTTPS takes both a certificate and a key`, 'http', missing, false);
  }
  for (const key of ['tls_cert', 'tls_key'] as const) {
    if (http[key] && !existsSync(http[key])) fail(`${at('http', key)}: "http.${key}": no file at ${http[key]}`, 'http', key, sources[`http.${key}`] === 'file');
  }
  return { config: Object.freeze(out) as unknown as Config, file, sources };
}

/** The effective configuration as TOML-ish text with secrets masked, for `check-config`. */
export function describeConfig(loaded: LoadedConfig): string {
  const lines: string[] = [];
  for (const [section, fields] of Object.entries(schema) as [string, Record<string, FieldSpec>][]) {
    lines.push(`[${section}]`);
    for (const [key, spec] of Object.entries(fields)) {
      const v = (loaded.config as unknown as Record<string, Record<string, unknown>>)[section]![key];
      const shown = spec.secret && v !== '' ? '"********"' : JSON.stringify(v);
      lines.push(`${key} = ${shown}  # ${loaded.sources[`${section}.${key}`]}`);
    }
    lines.push('');
  }
  return lines.join('\n');
}
