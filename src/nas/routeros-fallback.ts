/**
 * The RouterOS API as the fallback of a Disconnect (src/nas/actions.ts): for a NAS with the API
 * enabled, the user's matching active PPP or hotspot session is removed on the router. A router
 * that has no such session reports it (notFound), so our record of it can be closed.
 */
import { nasStore } from '../db/nas.js';
import type { SqlClient } from '../db/sql.js';
import type { SecretBox } from '../lib/secretbox.js';
import type { RouterOsFallback } from './actions.js';
import { removeActiveSessionOn } from './routeros/sessions.js';
import { routerOsOptionsOf } from './settings.js';

export function routerOsFallback(sql: SqlClient, box: SecretBox, timeouts: { connectTimeoutMs?: number; commandTimeoutMs?: number } = { connectTimeoutMs: 5000, commandTimeoutMs: 5000 }): RouterOsFallback {
  const store = nasStore(sql);
  return async (nasId, session) => {
    const row = await store.nas(nasId);
    const options = row === undefined ? undefined : routerOsOptionsOf(row, box, timeouts);
    if (options === undefined) return undefined;
    return removeActiveSessionOn(options, {
      username: session.username,
      acctSessionId: session.acctSessionId,
      ...(session.framedIpAddress !== null ? { address: session.framedIpAddress } : {}),
    }).then(
      (r) => ({ ok: true as const, notFound: r.removed.length === 0 }),
      (e: unknown) => ({ ok: false as const, error: e instanceof Error ? e.message : String(e) }),
    );
  };
}
