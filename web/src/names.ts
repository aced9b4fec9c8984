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
