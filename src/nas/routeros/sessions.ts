/**
 * Ending a subscriber's live session through the RouterOS API: the fallback when a Disconnect-Request
 * is NAKed, unanswered (CoA off on the router: `/radius incoming accept=no`) or ACKed but never
 * confirmed by an Accounting-Stop.
 */
import { RouterOsClient, type RouterOsOptions } from './client.js';
import { listHotspotActive, listPppActive, removeRouterSession } from './commands.js';
import { RouterOsError } from './errors.js';
import type { RouterSession } from './reconcile.js';

/** Which session to end: the user's, narrowed by what is known of it. */
export interface ActiveSessionTarget {
  /** PPP `name` or hotspot `user`, as RADIUS saw it in User-Name. */
  username: string;
  /**
   * The Acct-Session-Id from accounting. PPP sessions carry it (`session-id`, printed as `0x81A00001`
   * for the RADIUS value `81a00001`): when given, only a PPP session with that id matches, and a
   * hotspot session only if the address also matches (hotspot lists no session id).
   */
  acctSessionId?: string | undefined;
  /** Framed-IP-Address: when given, only sessions with this address match. */
  address?: string | undefined;
  /** Only this kind; both when absent. */
  kind?: 'ppp' | 'hotspot' | undefined;
}

export interface RemoveResult {
  /** The sessions removed (empty when the router had none matching: nothing left to end). */
  removed: RouterSession[];
}

/** `0x81A00001` and `81a00001` are the same PPP session id. */
export function sameSessionId(routerId: string | undefined, acctSessionId: string): boolean {
  if (routerId === undefined) return false;
  const norm = (s: string) => s.trim().toLowerCase().replace(/^0x/, '');
  return norm(routerId) === norm(acctSessionId);
}

function matches(s: RouterSession, t: ActiveSessionTarget): boolean {
  if (s.username !== t.username) return false;
  if (t.address !== undefined && s.address !== t.address) return false;
  if (t.acctSessionId !== undefined) {
    if (s.kind === 'ppp') return sameSessionId(s.sessionId, t.acctSessionId);
    return t.address !== undefined;
  }
  return true;
}

/**
 * Removes the user's matching active sessions (`/ppp/active/remove`, `/ip/hotspot/active/remove`)
 * on an open, logged-in client. Resolves with what was removed; an empty list means the router had
 * no such session (already gone). A session that vanishes between the print and the remove counts as
 * gone, not as an error. Rejects with a RouterOsError when the router cannot be asked.
 */
export async function removeActiveSession(client: RouterOsClient, target: ActiveSessionTarget): Promise<RemoveResult> {
  const lists: RouterSession[] = [];
  if (target.kind !== 'hotspot') lists.push(...(await listPppActive(client)));
  if (target.kind !== 'ppp') lists.push(...(await listHotspotActive(client)));
  const removed: RouterSession[] = [];
  for (const s of lists.filter((x) => matches(x, target))) {
    try {
      await removeRouterSession(client, s);
      removed.push(s);
    } catch (err) {
      // Category 0 "no such item": it ended on its own meanwhile, which is what we wanted.
      if (err instanceof RouterOsError && err.code === 'routeros_trap' && err.category === 0) continue;
      throw err;
    }
  }
  return { removed };
}

/**
 * Connects with `options` (see `routerOsOptionsOf` in src/nas/settings.ts for a NAS's stored
 * settings), removes the user's matching active sessions, and closes the connection.
 * Rejects with a RouterOsError (`routeros_connect`, `routeros_tls`, `routeros_auth`, ...).
 */
export async function removeActiveSessionOn(options: RouterOsOptions, target: ActiveSessionTarget): Promise<RemoveResult> {
  const client = await RouterOsClient.connect(options);
  try {
    return await removeActiveSession(client, target);
  } finally {
    await client.close();
  }
}
