/**
 * The intermediary channel: A-Cube's Italian e-invoicing API (docs.acubeapi.com, "gov-it"), an
 * accredited SDI intermediary. Its protocol as documented:
 * - login: `POST {login}/login` with `{ email, password }` answers `{ token }`, a JWT sent as
 *   `Authorization: Bearer …` (a 401 later means it expired: log in again once);
 * - send: `POST {api}/invoices` with the FatturaPA XML (`Content-Type: application/xml`) answers 202
 *   `{ uuid }`; A-Cube transmits it to SDI (as transmitter, in a file it names);
 * - receipts: A-Cube calls the webhook configured in its api-configurations (event
 *   `customer-notification`, authentication_type "header": a header name and token of ours) with
 *   `{ notification: { uuid, invoice_uuid, created_at, type, file_name, message }, invoice }`, the type
 *   being SDI's (RC, NS, MC, NE, DT, AT) and `message` SDI's message as JSON.
 * The webhook is checked by its header token (constant-time) and turned into a Receipt keyed by the
 * invoice's uuid (the transmission id this channel returned when sending).
 */
import { timingSafeEqual } from 'node:crypto';
import type { Receipt, ReceiptError, ReceiptType } from '../domain/einvoice/receipts.js';
import type { IncomingFile, OutgoingFile, SdiChannel } from './service.js';

export interface AcubeOptions {
  loginUrl: string;
  apiUrl: string;
  email: string;
  password: string;
  timeoutMs?: number;
}

export class AcubeError extends Error {
  constructor(message: string, readonly status?: number) {
    super(message);
    this.name = 'AcubeError';
  }
}

export function acubeChannel(opts: AcubeOptions): SdiChannel {
  const timeout = opts.timeoutMs ?? 30_000;
  let token: string | null = null;

  async function login(): Promise<string> {
    const res = await fetch(`${opts.loginUrl.replace(/\/$/, '')}/login`, {
      method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ email: opts.email, password: opts.password }), signal: AbortSignal.timeout(timeout),
    });
    if (!res.ok) throw new AcubeError(`A-Cube login refused: HTTP ${res.status}`, res.status);
    const body = (await res.json()) as { token?: unknown };
    if (typeof body.token !== 'string') throw new AcubeError('A-Cube login answered no token');
    return body.token;
  }

  async function post(xml: string): Promise<Response> {
    token ??= await login();
    return fetch(`${opts.apiUrl.replace(/\/$/, '')}/invoices`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/xml', accept: 'application/json' },
      body: xml, signal: AbortSignal.timeout(timeout),
    });
  }

  return {
    name: 'acube',
    async send(file: OutgoingFile) {
      let res = await post(file.xml);
      if (res.status === 401) {
        token = null;
        res = await post(file.xml);
      }
      if (res.status !== 202 && res.status !== 201 && res.status !== 200) {
        const detail = (await res.text()).slice(0, 500);
        throw new AcubeError(`A-Cube refused ${file.fileName}: HTTP ${res.status} ${detail}`, res.status);
      }
      const body = (await res.json()) as { uuid?: unknown };
      if (typeof body.uuid !== 'string') throw new AcubeError('A-Cube answered no uuid');
      return { messageId: body.uuid };
    },
    // Receipts arrive by webhook (acubeWebhookReceipt), not by polling.
    receive: async (): Promise<IncomingFile[]> => [],
  };
}

/** Whether the webhook call carries our token in the configured header (constant-time). */
export function acubeWebhookAuthentic(expected: string, given: string | undefined): boolean {
  if (!expected || given === undefined) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

const TYPES: readonly ReceiptType[] = ['RC', 'NS', 'MC', 'NE', 'DT', 'AT', 'MT', 'EC', 'SE'];

/** SDI's errors wherever the message JSON holds them: objects with a `codice` (and `descrizione`). */
function errorsIn(v: unknown, out: ReceiptError[]): ReceiptError[] {
  if (Array.isArray(v)) for (const x of v) errorsIn(x, out);
  else if (v !== null && typeof v === 'object') {
    const o = Object.fromEntries(Object.entries(v).map(([k, x]) => [k.toLowerCase(), x]));
    if (typeof o.codice === 'string' && (typeof o.descrizione === 'string' || o.descrizione === undefined)) {
      out.push({ code: o.codice, text: [o.descrizione, o.suggerimento].filter((x) => typeof x === 'string').join(' — ') });
    } else for (const x of Object.values(v)) errorsIn(x, out);
  }
  return out;
}

function findKey(v: unknown, key: string): string | null {
  if (v === null || typeof v !== 'object') return null;
  for (const [k, x] of Object.entries(v)) {
    if (k.toLowerCase() === key && typeof x === 'string') return x;
    const r = findKey(x, key);
    if (r !== null) return r;
  }
  return null;
}

/**
 * A webhook call as a Receipt keyed by the invoice's uuid (`invoiceFile` holds the uuid: the
 * service looks the document up by the transmission id). Null for a payload that is not a notification.
 */
export function acubeWebhookReceipt(body: unknown): (Receipt & { transmissionId: string }) | null {
  const n = (body as { notification?: Record<string, unknown> } | null)?.notification;
  if (!n || typeof n.invoice_uuid !== 'string' || typeof n.type !== 'string' || !(TYPES as readonly string[]).includes(n.type)) return null;
  let message: unknown = n.message;
  if (typeof message === 'string') {
    try {
      message = JSON.parse(message);
    } catch {
      // Kept as text.
    }
  }
  const outcome = findKey(message, 'esito');
  return {
    type: n.type as ReceiptType,
    fileName: typeof n.file_name === 'string' && n.file_name ? n.file_name : `acube-${String(n.uuid ?? n.invoice_uuid)}-${n.type}`,
    invoiceFile: n.invoice_uuid,
    transmissionId: n.invoice_uuid,
    sdiId: findKey(message, 'identificativo_sdi') ?? findKey(message, 'identificativosdi'),
    errors: n.type === 'NS' ? errorsIn(message, []) : [],
    outcome: outcome === 'EC01' || outcome === 'EC02' ? outcome : null,
    text: findKey(message, 'descrizione') ?? (typeof message === 'string' ? message : null),
  };
}
