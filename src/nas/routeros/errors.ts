import { TollgateError } from '../../lib/errors.js';

export type RouterOsErrorCode =
  /** TCP connect failed or timed out. */
  | 'routeros_connect'
  /** TLS handshake failed: an untrusted certificate or a pinned fingerprint that does not match. */
  | 'routeros_tls'
  /** The router refused our credentials (a `!trap` on `/login`) or wants a login method we lack. */
  | 'routeros_auth'
  /** The router answered a command with `!trap`; the connection stays usable. */
  | 'routeros_trap'
  /** The router sent `!fatal` and ended the session. */
  | 'routeros_fatal'
  /** The connection is gone (dropped, reset, or closed by us). */
  | 'routeros_closed'
  /** One command got no complete reply in time; other commands are unaffected. */
  | 'routeros_timeout'
  /** The byte stream is not the RouterOS API wire format. */
  | 'routeros_protocol'
  /** The caller asked for something the client cannot send (bad command, reserved `.tag`). */
  | 'routeros_usage';

export class RouterOsError extends TollgateError {
  constructor(
    override readonly code: RouterOsErrorCode,
    message: string,
    /** The command that failed, when there is one. */
    readonly command?: string,
    /**
     * The `!trap` category as RouterOS numbers it (0 missing item or command, 1 argument value,
     * 2 interrupted, 3 scripting, 4 general, 5 API, 6 TTY, 7 `:return` value), when the router sent one.
     */
    readonly category?: number,
  ) {
    super(code, message);
    this.name = 'RouterOsError';
  }
}
