// Names of the API's codes (payment methods, channels) in the UI's language.
import { f, isMessageKey, t } from './i18n.js';

export const PAYMENT_METHODS = ['cash', 'bank', 'card', 'cheque', 'other'] as const;

/** A payment method's name; an unknown method (a gateway's) as it is. */
export function methodName(method: string): string {
  const key = `method.${method}`;
  return isMessageKey(key) ? t(key) : method;
}

/** The payment method select's options. */
export const methodOptions = (): Array<[string, string]> => PAYMENT_METHODS.map((m) => [m, methodName(m)]);

/** A notification channel's name (email, sms). */
export function channelName(channel: string): string {
  const key = `channel.${channel}`;
  return isMessageKey(key) ? t(key) : channel;
}

/**
 * How a network action reason's values read in the UI's language, by the value's name: a calendar date (`date`), an
 * instant (`at`), a data size (`bytes`) and service states (`fromStatus`, `toStatus`); the rest as sent.
 */
function reasonValue(name: string, v: string): string {
  if (name === 'date' && /^\d{4}-\d{2}-\d{2}$/.test(v)) return f().date(v);
  if (name === 'at' && !Number.isNaN(Date.parse(v))) return f().dateTime(v);
  if (name === 'bytes' && /^\d+$/.test(v)) return f().bytes(Number(v));
  const status = `status.${v}`;
  if ((name === 'fromStatus' || name === 'toStatus') && isMessageKey(status)) return t(status);
  return v;
}

/**
 * A reason in the UI's language (an auth-log reject, a network action's why): the catalogue's
 * message for the code the server sends beside it (`aaa.macMismatch`, `reason.throttled`,
 * `reason.action.overdue`…), or the server's English text for a row without one (written before
 * codes were stored, or typed by hand); null without a reason.
 */
export function reasonText(r: { reason: string | null; reasonCode?: string | null; reasonValues?: Readonly<Record<string, string>> | null }): string | null {
  const key = r.reasonCode;
  if (!key || !(key.startsWith('aaa.') || key.startsWith('reason.')) || !isMessageKey(key)) return r.reason;
  // Only a network action's values are named for their kind; the auth log's go as sent ("{bytes} bytes").
  const values = r.reasonValues && key.startsWith('reason.action.') ? Object.fromEntries(Object.entries(r.reasonValues).map(([k, v]) => [k, reasonValue(k, v)])) : r.reasonValues;
  return t(key, values ?? undefined);
}
