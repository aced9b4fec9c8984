/**
 * Delivery: email over SMTP (nodemailer) and SMS over a generic HTTP gateway. A transport throws on
 * failure with a message safe to store and log: the SMTP password and the SMS token are masked.
 */
import nodemailer, { type SendMailOptions } from 'nodemailer';
import type { OutboxRow } from '../db/notify.js';
import { said, type LocalText } from '../lib/errors.js';
import { failureMessage } from '../lib/failure.js';
import { htmlToText, render } from './templates.js';

export interface Transport {
  send(msg: OutboxRow): Promise<void>;
}

/** Replaces each secret in a message with ********. */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 3) out = out.split(s).join('********');
  return out;
}

/**
 * A send that failed: its English text (`message`, for the log and `last_error`) and the same by
 * catalogue key (`local`, stored beside it so the outbox reads in its reader's language). A peer's
 * words (the SMTP server's, the gateway's) go in the value `words`, as said, secrets masked.
 */
export class DeliveryError extends Error {
  constructor(readonly local: LocalText, readonly permanent = false) {
    super(local.text);
    this.name = 'DeliveryError';
  }
}

function urlSecrets(url: string): string[] {
  try {
    const u = new URL(url);
    return [decodeURIComponent(u.password), u.password].filter(Boolean);
  } catch {
    return [];
  }
}

/** Sends one mail; throws DeliveryError with the SMTP password masked. */
export type SendMail = (mail: Omit<SendMailOptions, 'from'>) => Promise<void>;

/**
 * The one SMTP client of `[notify.email]`, with its timeouts and the password masked in errors:
 * notifications, the accountant's archive and SDI's rejection alerts all go out through it.
 */
export function smtpSender(cfg: { smtp_url: string; from: string }, opts: { timeoutMs?: number } = {}): SendMail | undefined {
  if (!cfg.smtp_url) return undefined;
  const secrets = urlSecrets(cfg.smtp_url);
  const t = opts.timeoutMs ?? 30_000;
  const transporter = nodemailer.createTransport(cfg.smtp_url, { connectionTimeout: t, greetingTimeout: t, socketTimeout: t } as never);
  return async (mail) => {
    try {
      await transporter.sendMail({ from: cfg.from || undefined, ...mail });
    } catch (err) {
      const e = err as { message?: string; responseCode?: number };
      const permanent = typeof e.responseCode === 'number' && e.responseCode >= 500 && e.responseCode < 600;
      // By key as a job's failure is: the server's reply line, or the network's error and its code.
      const m = failureMessage(err);
      const values = Object.fromEntries(Object.entries(m.values ?? {}).map(([k, v]) => [k, maskSecrets(v, secrets)]));
      throw new DeliveryError(said(m.key, maskSecrets(`SMTP: ${e.message ?? String(err)}`, secrets), values), permanent);
    }
  };
}

export function emailTransport(cfg: { smtp_url: string; from: string }, opts: { timeoutMs?: number } = {}): Transport {
  const send = smtpSender(cfg, opts);
  if (!send) return { send: async () => Promise.reject(new DeliveryError(said('notifyError.noEmail', 'email is not configured ([notify.email] smtp_url is empty)'), true)) };
  return {
    send: (msg) => send({
      to: msg.recipient,
      subject: msg.subject,
      html: msg.body,
      text: htmlToText(msg.body),
      // One Message-ID per outbox row: a receiving system can tell a resend from a new message.
      messageId: `<tollgate-outbox-${msg.id}-${msg.createdAt.replace(/[^0-9]/g, '')}@tollgate.invalid>`,
    }),
  };
}

export interface SmsConfig {
  url: string;
  method: string;
  headers: readonly string[];
  body: string;
  content_type: string;
  token: string;
}

function escaperFor(contentType: string): (s: string) => string {
  if (contentType === 'application/json') return (s) => JSON.stringify(s).slice(1, -1);
  if (contentType === 'application/x-www-form-urlencoded') return (s) => encodeURIComponent(s).replace(/%20/g, '+');
  return (s) => s;
}

/** The HTTP request an SMS becomes: pure, for tests and for the transport. */
export function smsRequest(cfg: SmsConfig, to: string, text: string): { url: string; method: string; headers: Record<string, string>; body: string | undefined } {
  const vars = { to, text, token: cfg.token };
  const url = render(cfg.url, vars, encodeURIComponent);
  const headers: Record<string, string> = {};
  for (const h of cfg.headers) {
    const i = h.indexOf(':');
    if (i > 0) headers[h.slice(0, i).trim()] = render(h.slice(i + 1).trim(), vars);
  }
  const hasBody = cfg.method !== 'GET' && cfg.body !== '';
  if (hasBody && !Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) headers['content-type'] = cfg.content_type;
  return { url, method: cfg.method, headers, body: hasBody ? render(cfg.body, vars, escaperFor(cfg.content_type)) : undefined };
}

export function smsTransport(cfg: SmsConfig, opts: { timeoutMs?: number } = {}): Transport {
  if (!cfg.url) return { send: async () => Promise.reject(new DeliveryError(said('notifyError.noSms', 'SMS is not configured ([notify.sms] url is empty)'), true)) };
  const secrets = [cfg.token, encodeURIComponent(cfg.token)].filter(Boolean);
  return {
    async send(msg) {
      const req = smsRequest(cfg, msg.recipient, msg.body);
      let res: Response;
      try {
        res = await fetch(req.url, { method: req.method, headers: req.headers, body: req.body, signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000) });
      } catch (err) {
        const words = maskSecrets((err as Error).message, secrets);
        throw new DeliveryError(said('notifyError.sms', `SMS gateway: ${words}`, { words }));
      }
      if (!res.ok) {
        const words = maskSecrets((await res.text().catch(() => '')).slice(0, 200), secrets);
        const status = String(res.status);
        throw new DeliveryError(said('notifyError.smsStatus', `SMS gateway answered ${status}: ${words}`, { status, words }), res.status >= 400 && res.status < 500 && res.status !== 429);
      }
      await res.body?.cancel().catch(() => undefined);
    },
  };
}
