import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { parseCidr } from '../lib/net.js';
import { LOCALES } from '../i18n/locales.js';

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

/** Empty (SQLite), or a `postgres://` / `postgresql://` URL naming a host and a database. */
function postgresUrl(v: string): string | undefined {
  if (v === '') return undefined;
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    return 'is not a URL: use "postgres://USER:PASSWORD@HOST:PORT/DATABASE"';
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') return `must start with "postgres://" (got "${url.protocol}//")`;
  if (url.pathname.replace(/^\//, '') === '') return 'names no database: add "/DATABASE" after the host';
  if (url.hostname === '' && !url.searchParams.has('host')) return 'names no host';
  return undefined;
}

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

const noticeDays = (v: string) => {
  const parts = v.trim() === '' ? [] : v.split(',').map((x) => x.trim());
  if (parts.length > 3 || parts.some((x) => !/^\d+$/.test(x) || Number(x) < 1 || Number(x) > 365) || new Set(parts.map(Number)).size !== parts.length) {
    return `"${v}" is not up to three distinct whole days 1-365, comma-separated (e.g. "7,3,1")`;
  }
  return undefined;
};

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
    // PostgreSQL instead of the SQLite file: every node of an installation names the same database.
    // Secret: the URL usually carries the password.
    url: { type: 'string', default: '', check: postgresUrl, secret: true },
    // Connections each node keeps open to PostgreSQL (the server's max_connections is shared by all).
    pool_size: { type: 'integer', default: 10, check: range(2, 200) },
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
    // CoA and Disconnect (src/nas/actions.ts): the first wait for an answer, doubled per retransmission.
    coa_timeout_ms: { type: 'integer', default: 1000, check: range(50, 60_000) },
    coa_tries: { type: 'integer', default: 3, check: range(1, 10) },
    // How long an ACKed action may wait for accounting to confirm it before it is retried once, then
    // flagged unconfirmed. 0 for coa_confirm_seconds: interim_interval + 60.
    disconnect_confirm_seconds: { type: 'integer', default: 30, check: range(1, 3600) },
    coa_confirm_seconds: { type: 'integer', default: 0, check: range(0, 86_400) },
    receive_buffer_bytes: { type: 'integer', default: 8_388_608, check: range(65_536, 268_435_456) },
    // The address routers send RADIUS to (router onboarding commands); empty: the API's own address.
    public_address: { type: 'string', default: '' },
  },
  http: {
    listen: { type: 'string', default: '0.0.0.0:8080', check: listen },
    trust_proxy: { type: 'boolean', default: false },
    tls_cert: { type: 'string', default: '' },
    tls_key: { type: 'string', default: '', secret: true },
    body_limit_bytes: { type: 'integer', default: 1_048_576, check: range(1024, 104_857_600) },
    // Addresses or CIDR blocks allowed to reach /api/v1 (login included); empty: every address.
    admin_allow: { type: 'string[]', default: [], check: (v: string[]) => v.map((c) => (parseCidr(c) ? undefined : `"${c}" is not an address or a CIDR block`)).find(Boolean) },
  },
  billing: {
    currency: { type: 'string', default: 'EUR', check: currency },
    timezone: { type: 'string', default: 'Europe/Rome', check: timezone },
    run_at: { type: 'string', default: '02:00', check: hhmm },
  },
  // Languages (src/i18n/): the installation's, for customers and admins who have not chosen their own.
  locale: {
    default: { type: 'string', default: 'en', check: oneOf(...LOCALES) },
  },
  // The seller on invoices and credit notes (src/http/routes/billing-pdf.ts).
  company: {
    name: { type: 'string', default: '' },
    address: { type: 'string', default: '' },
    tax_id: { type: 'string', default: '' },
    email: { type: 'string', default: '' },
    phone: { type: 'string', default: '' },
    iban: { type: 'string', default: '' },
    payment_terms: { type: 'string', default: '' },
    logo: { type: 'string', default: '', check: (v: string) => (v === '' || existsSync(v) ? undefined : `"${v}" does not exist (a PNG or JPEG file)`) },
    // The seller's fiscal data for e-invoices (FatturaPA CedentePrestatore). Italy: the partita IVA
    // goes in vat_number without "IT"; regime_fiscale RF01 ordinary, RF19 forfettario.
    vat_country: { type: 'string', default: 'IT', check: (v: string) => (/^[A-Z]{2}$/.test(v) ? undefined : 'is an ISO 3166-1 alpha-2 code, e.g. "IT"') },
    vat_number: { type: 'string', default: '' },
    tax_code: { type: 'string', default: '' },
    regime_fiscale: { type: 'string', default: 'RF01', check: oneOf(...['01', '02', '04', '05', '06', '07', '08', '09', '10', '11', '12', '13', '14', '15', '16', '17', '18', '19'].map((n) => `RF${n}`)) },
    street: { type: 'string', default: '' },
    street_number: { type: 'string', default: '' },
    postal_code: { type: 'string', default: '' },
    city: { type: 'string', default: '' },
    province: { type: 'string', default: '' },
    country: { type: 'string', default: 'IT', check: (v: string) => (/^[A-Z]{2}$/.test(v) ? undefined : 'is an ISO 3166-1 alpha-2 code, e.g. "IT"') },
    // Registro delle Imprese (REA), for companies registered there: office (province), number, share
    // capital in cents (0: not stated), sole shareholder SU/SM ("" not stated), in liquidation LS/LN.
    rea_office: { type: 'string', default: '' },
    rea_number: { type: 'string', default: '' },
    rea_capital: { type: 'integer', default: 0, check: range(0, Number.MAX_SAFE_INTEGER) },
    rea_sole_shareholder: { type: 'string', default: '', check: oneOf('', 'SU', 'SM') },
    rea_liquidation: { type: 'string', default: 'LN', check: oneOf('LS', 'LN') },
  },
  // Italian e-invoicing through SDI (src/einvoice/). Off until `channel` is set.
  einvoice: {
    // "" off (documents are generated, nothing is sent); "pec": SMTP/IMAP of the operator's PEC mailbox;
    // "acube": the accredited intermediary A-Cube's API (files sent over HTTPS, receipts by webhook).
    channel: { type: 'string', default: '', check: oneOf('', 'pec', 'acube') },
    // The transmitter's identity (file names IT<code>_<progressive>.xml): empty for the seller itself
    // (company.vat_number, else company.tax_code); an intermediary's codice fiscale when it transmits.
    transmitter_country: { type: 'string', default: 'IT' },
    transmitter_code: { type: 'string', default: '' },
    // Payment method on the XML: MP05 bank transfer (company.iban), MP19 SEPA direct debit, MP08 card.
    payment_method: { type: 'string', default: 'MP05', check: oneOf('MP05', 'MP19', 'MP08') },
    // Attach the customer's PDF to the XML (Allegati).
    attach_pdf: { type: 'boolean', default: false },
    // PEC: the operator's certified mailbox. Secrets: prefer TOLLGATE_EINVOICE_PEC_SMTP_URL / _PEC_IMAP_URL.
    pec_address: { type: 'string', default: '' },
    pec_smtp_url: { type: 'string', default: '', secret: true },
    pec_imap_url: { type: 'string', default: '', secret: true },
    // SDI's first-contact address; after SDI's first receipt Tollgate uses the address it came from.
    sdi_address: { type: 'string', default: 'sdi01@pec.fatturapa.it' },
    // A-Cube: login and API base URLs (the sandbox's: https://common-sandbox.api.acubeapi.com and
    // https://api-sandbox.acubeapi.com), the account, and the header A-Cube's webhook calls carry
    // (configured in A-Cube's api-configurations as authentication_type "header").
    acube_login_url: { type: 'string', default: 'https://common.api.acubeapi.com' },
    acube_api_url: { type: 'string', default: 'https://api.acubeapi.com' },
    acube_email: { type: 'string', default: '' },
    acube_password: { type: 'string', default: '', secret: true },
    acube_webhook_header: { type: 'string', default: 'X-Tollgate-Webhook-Token' },
    acube_webhook_token: { type: 'string', default: '', secret: true },
    // The accountant's address for the monthly archive (ZIP of XML and PDF plus the VAT register); "" none.
    accountant_email: { type: 'string', default: '' },
    // Where SDI's rejections are mailed, once each, for someone to correct and send again within
    // SDI's five days (through [notify.email]); "" the [company] email; both "" only the log says it.
    alert_email: { type: 'string', default: '' },
  },
  // Notifications (src/notify/). Sections with a dot are TOML sub-tables: [notify.email].
  'notify.email': {
    smtp_url: { type: 'string', default: '', secret: true },
    from: { type: 'string', default: '' },
  },
  'notify.sms': {
    url: { type: 'string', default: '' },
    method: { type: 'string', default: 'POST', check: oneOf('GET', 'POST', 'PUT') },
    headers: { type: 'string[]', default: [] },
    body: { type: 'string', default: '' },
    content_type: { type: 'string', default: 'application/x-www-form-urlencoded', check: oneOf('application/x-www-form-urlencoded', 'application/json', 'text/plain') },
    token: { type: 'string', default: '', secret: true },
  },
  // RouterOS API reconciliation and SNMP polling (src/nas/).
  nas: {
    reconcile_interval_seconds: { type: 'integer', default: 300, check: range(0, 86_400) },
    reconcile_grace_seconds: { type: 'integer', default: 120, check: range(0, 3600) },
    snmp_interval_seconds: { type: 'integer', default: 60, check: range(0, 86_400) },
    snmp_timeout_ms: { type: 'integer', default: 3000, check: range(100, 60_000) },
    snmp_down_after_failures: { type: 'integer', default: 3, check: range(1, 100) },
    traffic_retention_days: { type: 'integer', default: 30, check: range(1, 3650) },
  },
  // Prepaid expiry notices and vouchers (src/billing/prepaid.ts, vouchers.ts).
  prepaid: {
    // Days before expiry on which a notice goes out: up to three, comma-separated; empty for none. The
    // default for plans that leave their own `prepaidNoticeDays` unset.
    notice_days: { type: 'string', default: '7,3,1', check: noticeDays },
    voucher_code_length: { type: 'integer', default: 12, check: range(10, 32) },
    // An expired prepaid service's next login: refused, or accepted into the walled garden (radius.walled_garden_*).
    expired_mode: { type: 'string', default: 'reject', check: oneOf('reject', 'walled-garden') },
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
    // Admin sessions (cookie login): idle and absolute lifetime.
    session_idle_minutes: { type: 'integer', default: 30, check: range(1, 1440) },
    session_max_hours: { type: 'integer', default: 12, check: range(1, 720) },
    // Every admin must enrol a TOTP second factor before using the API.
    require_totp: { type: 'boolean', default: false },
    // Failed logins: slowed after 3, locked for login_lockout_minutes after these many in a row.
    login_max_failures: { type: 'integer', default: 10, check: range(3, 1000) },
    login_max_failures_ip: { type: 'integer', default: 50, check: range(3, 100_000) },
    login_lockout_minutes: { type: 'integer', default: 15, check: range(1, 1440) },
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
