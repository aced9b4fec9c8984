/**
 * What each tracked RADIUS drop means and how to fix it, for the NAS view and "Why offline?": one
 * sentence and, where RouterOS has one, the command that fixes it. The sentence lives in the
 * catalogue (`drops.hint.<reason>`): the API gives it in English for API clients, and the admin UI
 * shows the same key in the admin's language. The command is never translated.
 */
import { translate, type MessageKey } from '../i18n/messages.js';
import type { TrackedDrop } from '../radius/server/drops.js';

export interface DropHint {
  /** What happened, in one sentence (English). */
  text: string;
  /** The RouterOS command that fixes it (placeholders in angle brackets), or null. */
  routeros: string | null;
}

const hint = (key: MessageKey, routeros: string | null): DropHint => ({ text: translate('en', key), routeros });

export const DROP_HINTS: Readonly<Record<TrackedDrop, DropHint>> = {
  missing_message_authenticator: hint('drops.hint.missing_message_authenticator', '/radius set [find] require-message-auth=yes'),
  bad_message_authenticator: hint('drops.hint.bad_message_authenticator', '/radius set [find] secret="<the NAS entry\'s secret>"'),
  bad_authenticator: hint('drops.hint.bad_authenticator', '/radius set [find] secret="<the NAS entry\'s secret>"'),
  unknown_client: hint('drops.hint.unknown_client', '/radius set [find] src-address=<the NAS entry\'s address>'),
  eap_without_message_authenticator: hint('drops.hint.eap_without_message_authenticator', '/radius set [find] require-message-auth=yes'),
};
