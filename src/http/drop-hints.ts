/**
 * What each tracked RADIUS drop means and how to fix it, for the NAS view and "Why offline?": one
 * sentence and, where RouterOS has one, the command that fixes it. English until the catalogue
 * carries them; the command is never translated.
 */
import type { TrackedDrop } from '../radius/server/drops.js';

export interface DropHint {
  /** What happened, in one sentence. */
  text: string;
  /** The RouterOS command that fixes it (placeholders in angle brackets), or null. */
  routeros: string | null;
}

export const DROP_HINTS: Record<TrackedDrop, DropHint> = {
  missing_message_authenticator: {
    text: 'The router sent Access-Requests without a Message-Authenticator, which this NAS entry requires (protection against BlastRADIUS): have the router sign them (RouterOS 7.15 or later), or turn off "Require Message-Authenticator" on the NAS entry.',
    routeros: '/radius set [find] require-message-auth=yes',
  },
  bad_message_authenticator: {
    text: "The Message-Authenticator does not verify: the shared secret on the router is not the NAS entry's. Set the same secret on both.",
    routeros: '/radius set [find] secret="<the NAS entry\'s secret>"',
  },
  bad_authenticator: {
    text: "Accounting requests do not verify: the shared secret on the router is not the NAS entry's. Set the same secret on both.",
    routeros: '/radius set [find] secret="<the NAS entry\'s secret>"',
  },
  unknown_client: {
    text: "Requests came from an address no NAS entry covers: add a NAS entry for it (an address or a range), or make the router send from the entry's address.",
    routeros: '/radius set [find] src-address=<the NAS entry\'s address>',
  },
  eap_without_message_authenticator: {
    text: 'EAP requests without a Message-Authenticator are always discarded (RFC 3579): have the router sign them.',
    routeros: '/radius set [find] require-message-auth=yes',
  },
};
