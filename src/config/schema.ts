import { isIP } from 'node:net';

/**
 * The one configuration schema. Every key has a type, a default and a check; `config.example.toml`
 * documents the same keys and a test keeps the two in step. Unknown keys are errors, so a typo never
 * silently falls back to a default.
 */

export type FieldType = 'string' | 'integer' | 'boolean' | 'string[]';

export interface FieldSpec {
  type: FieldType;
  default: string | number | boolean | string[];
  /** Returns an error message for a bad value, or undefined when it is fine. */
  check?: (value: never) => string | undefined;
  /** Never printed by check-config or logged. */
  secret?: boolean;
  /** Applied by SIGHUP without a restart. */
  reloadable?: boolean;
}

export type Schema = Record<string, Record<string, FieldSpec>>;

/** `host:port`, `[v6]:port` or `:port`; the host must be an IP literal so the bind is unambiguous. */
export function parseListen(value: string): { host: string; port: number } | undefined {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([0-9.]+))?:(\d{1,5})$/.exec(value.trim());
  if (!m) return undefined;
  const host = m[1] ?? m[2] ?? '0.0.0.0';
  const port = Number(m[3]);
  if (port > 65535) return undefined;
  if (m[1] !== undefined && isIP(host) !== 6) return undefined;
  if (m[2] !== undefined && isIP(host) !== 4) return undefined;
  return { host, port };
}

const listen = (v: string) =>
  parseListen(v) ? undefined : `"${v}" is not a listen address: use "IP:PORT" or "[IPv6]:PORT" (port 0-65535)`;

const listenList = (v: string[]) => {
  if (v.length === 0) return 'at least one listen address is needed';
  for (const item of v) {
    const err = listen(item);
    if (err) return err;
  }
  return undefined;
};

const oneOf =
  (...allowed: string[]) =>
  (v: string) =>
    allowed.includes(v) ? undefined : `must be one of ${allowed.map((a) => `"${a}"`).join(', ')}`;

const range = (min: number, max: number) => (v: number) =>
  v >= min && v <= max ? undefined : `must be between ${min} and ${max}`;

const nonEmpty = (v: string) => (v.trim() === '' ? 'must not be empty' : undefined);

function timezone(v: string): string | undefined {
  try {
    new Intl.DateTimeFormat('en', { timeZone: v });
    return undefined;
  } catch {
    return `"${v}" is not an IANA time zone (e.g. "Europe/Rome")`;
  }
}

function currency(v: string): string | undefined {
  if (!/^[A-Z]{3}$/.test(v)) return `"${v}" is not an ISO 4217 code (three capital letters, e.g. "EUR")`;
  try {
    new Intl.NumberFormat('en', { style: 'currency', currency: v });
    return undefined;
  } catch {
    return `"${v}" is not a known ISO 4217 currency`;
  }
}

const hhmm = (v: string) =>
  /^([01]\d|2[0-3]):[0-5]\d$/.test(v) ? undefined : `"${v}" is not a time of day as "HH:MM" (24 h)`;

export const schema = {
  database: {
    path: { type: 'string', default: './data/tollgate.db', check: nonEmpty },
    // NORMAL is durable against a process crash or kill (the WAL is in the OS cache); FULL also
    // survives power loss at the cost of an fsync per commit.
    synchronous: { type: 'string', default: 'full', check: oneOf('normal', 'full') },
    backup_before_migrate: { type: 'boolean', default: true },
    backup_dir: { type: 'string', default: '', },
  },
  radius: {
    auth_listen: { type: 'string[]', default: ['0.0.0.0:1812'], check: listenList },
    acct_listen: { type: 'string[]', default: ['0.0.0.0:1813'], check: listenList },
    dictionaries: { type: 'string[]', default: [] },
    interim_interval: { type: 'integer', default: 300, check: range(60, 86_400) },
    stale_after_intervals: { type: 'integer', default: 3, check: range(2, 10) },
    suspended_mode: { type: 'string', default: 'reject', check: oneOf('reject', 'walled-garden') },
    walled_garden_list: { type: 'string', default: 'tollgate-walled-garden', check: nonEmpty },
    walled_garden_download_kbps: { type: 'integer', default: 256, check: range(8, 10_000_000) },
    walled_garden_upload_kbps: { type: 'integer', default: 128, check: range(8, 10_000_000) },
    receive_buffer_bytes: { type: 'integer', default: 8_388_608, check: range(65_536, 268_435_456) },
  },
  http: {
    listen: { type: 'string', default: '0.0.0.0:8080', check: listen },
    trust_proxy: { type: 'boolean', default: false },
    tls_cert: { type: 'string', default: '' },
    tls_key: { type: 'string', default: '', secret: true },
    body_limit_bytes: { type: 'integer', default: 1_048_576, check: range(1024, 104_857_600) },
  },
  billing: {
    currency: { type: 'string', default: 'EUR', check: currency },
    timezone: { type: 'string', default: 'Europe/Rome', check: timezone },
    run_at: { type: 'string', default: '02:00', check: hhmm },
  },
  log: {
    level: { type: 'string', default: 'info', check: oneOf('fatal', 'error', 'warn', 'info', 'debug', 'trace'), reloadable: true },
  },
  security: {
    // The key that encrypts subscriber passwords and NAS secrets at rest. Created with mode 0600 at
    // first start when missing. TOLLGATE_SECURITY_SECRET_KEY (64 hex chars) takes precedence.
    secret_key_file: { type: 'string', default: '', },
    secret_key: { type: 'string', default: '', secret: true },
    initial_admin_username: { type: 'string', default: 'admin', check: nonEmpty },
  },
} satisfies Schema;

type ValueOf<T extends FieldType> = T extends 'string'
  ? string
  : T extends 'integer'
    ? number
    : T extends 'boolean'
      ? boolean
      : string[];

export type Config = {
  readonly [S in keyof typeof schema]: {
    readonly [K in keyof (typeof schema)[S]]: (typeof schema)[S][K] extends { type: infer T extends FieldType }
      ? ValueOf<T>
      : never;
  };
};
