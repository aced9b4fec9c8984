/**
 * A failure by catalogue key, to store beside its English text so a screen words it in its reader's
 * language: a job's (`job_state.last_error_message`), a notification's delivery
 * (`notification_outbox.last_error_message`, through the SMTP client).
 *
 * The daemon's own refusals carry their key (a TollgateError said with one, or any error with its
 * `local` message, as the notification transports' DeliveryError). A peer's words (the SMTP
 * server's reply, PostgreSQL's or SQLite's error, the network's) are not ours to translate: they go
 * as the value `words`, exactly as said, and the catalogue's sentence says whose words they are
 * ("Il server SMTP ha risposto: «550 …»"). Anything else is a fault of ours: its English text goes
 * the same way, marked as the daemon's internal error (the log has the stack).
 */
import { said, storeText, TollgateError, type LocalText } from './errors.js';

export interface FailureMessage {
  readonly key: string;
  readonly values?: Readonly<Record<string, string>>;
}

const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

/** The key and values of a failure, from what was thrown. */
export function failureMessage(err: unknown): FailureMessage {
  const local = localOf(err);
  if (local) return local.values ? { key: local.key, values: stringValues(local.values) } : { key: local.key };
  // A refusal thrown without a key: its title in the reader's language, its English words beside.
  if (err instanceof TollgateError) return { key: 'jobError.refused', values: { code: err.code, words: err.message } };
  const e = (typeof err === 'object' && err !== null ? err : {}) as Record<string, unknown>;
  const words = text(e['message']) ?? String(err);
  const code = text(e['code']);
  // nodemailer: the server's reply line, with its SMTP code ("550 5.1.1 <x@y>: Recipient address rejected").
  const reply = text(e['response']);
  if (reply !== undefined && (typeof e['responseCode'] === 'number' || text(e['command']) !== undefined)) return { key: 'jobError.smtp', values: { words: reply } };
  // node-postgres: a server error carries its severity and SQLSTATE.
  if (code !== undefined && /^[0-9A-Z]{5}$/.test(code) && text(e['severity']) !== undefined) return { key: 'jobError.database', values: { words, code } };
  if (code?.startsWith('SQLITE_')) return { key: 'jobError.database', values: { words, code } };
  // A socket's error (ECONNREFUSED, ETIMEDOUT, ENOTFOUND…), or nodemailer's own connection errors.
  if (code !== undefined && (/^E[A-Z]+$/.test(code) || text(e['syscall']) !== undefined)) return { key: 'jobError.network', values: { words, code } };
  return { key: 'jobError.internal', values: { words } };
}

/**
 * The failure as a catalogue message with its English text: the one an error carries, as it carries
 * it, else what failureMessage reads, worded by the error's own message.
 */
export function failureLocal(err: unknown): LocalText {
  const local = localOf(err);
  if (local) return local;
  const m = failureMessage(err);
  return said(m.key, err instanceof Error ? err.message : String(err), m.values);
}

/** The message as the column stores it: JSON `{key, values}` (keyedError reads it back for the API). */
export function storedFailure(err: unknown): string {
  return storeText(failureMessage(err));
}

/** The catalogue message an error carries (TollgateError's, DeliveryError's `local`), if any. */
function localOf(err: unknown): LocalText | undefined {
  const local = typeof err === 'object' && err !== null ? (err as { local?: Partial<LocalText> }).local : undefined;
  return typeof local?.key === 'string' && typeof local.text === 'string' ? (local as LocalText) : undefined;
}

function stringValues(values: Readonly<Record<string, unknown>>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, String(v)]));
}
