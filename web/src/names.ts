// Names of the API's codes (payment methods, channels) in the UI's language.
import { isMessageKey, t } from './i18n.js';

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
 * An auth-log reason in the UI's language: the catalogue's message for the code the server sends
 * beside it (`aaa.macMismatch`, `reason.throttled`…), or the server's English text for a row
 * without one (written before codes were stored); null without a reason.
 */
export function reasonText(r: { reason: string | null; reasonCode?: string | null; reasonValues?: Readonly<Record<string, string>> | null }): string | null {
  const key = r.reasonCode;
  if (key && (key.startsWith('aaa.') || key.startsWith('reason.')) && isMessageKey(key)) return t(key, r.reasonValues ?? undefined);
  return r.reason;
}
