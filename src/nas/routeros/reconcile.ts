/**
 * Comparing what a router says is online with the sessions we hold open, pure. A session is the
 * same on both sides when username and address agree, or, for one without a usable address,
 * username and caller-id (the subscriber's MAC); each session matches at most one on the other side.
 */

/** What both sides know of a session. */
export interface SessionKey {
  username: string;
  /** Framed IP address. */
  address?: string | undefined;
  /** Calling-Station-Id: usually the subscriber's MAC. */
  callerId?: string | undefined;
}

/** An active session as the router lists it. */
export interface RouterSession extends SessionKey {
  kind: 'ppp' | 'hotspot';
  /** The router's item id (`*1A`), what a remove takes. */
  id: string;
  /** PPP `session-id` (Acct-Session-Id), when the router reports one. */
  sessionId?: string | undefined;
  /** PPP service (`pppoe`...) or hotspot server name. */
  service?: string | undefined;
  uptime?: string | undefined;
}

export interface Reconciliation<R extends SessionKey, O extends SessionKey> {
  /** Online on the router with no open session here: accounting was lost, or a stale start. */
  missingHere: R[];
  /** Open here but not on the router: the stop never reached us. */
  missingOnRouter: O[];
  matched: { router: R; ours: O }[];
}

function normAddress(a: string | undefined): string | undefined {
  const t = a?.trim().toLowerCase();
  return t ? t : undefined;
}

/** MACs come as `AA:BB:..`, `aa-bb-..` or `aabb.ccdd..` depending on the NAS: compare the digits. */
function normCallerId(c: string | undefined): string | undefined {
  const t = c?.trim().toLowerCase();
  if (!t) return undefined;
  const hex = t.replace(/[:\-.]/g, '');
  return /^[0-9a-f]{12}$/.test(hex) ? hex : t;
}

function addressKey(s: SessionKey): string | undefined {
  const a = normAddress(s.address);
  return a === undefined ? undefined : JSON.stringify([s.username, a]);
}

function callerIdKey(s: SessionKey): string | undefined {
  const c = normCallerId(s.callerId);
  return c === undefined ? undefined : JSON.stringify([s.username, c]);
}

export function reconcileSessions<R extends SessionKey, O extends SessionKey>(router: readonly R[], ours: readonly O[]): Reconciliation<R, O> {
  const routerLeft = new Set(router.map((_, i) => i));
  const oursLeft = new Set(ours.map((_, i) => i));
  const matched: { router: R; ours: O }[] = [];

  const pass = (key: (s: SessionKey) => string | undefined, compatible: (r: R, o: O) => boolean): void => {
    const waiting = new Map<string, number[]>();
    for (const j of oursLeft) {
      const k = key(ours[j]!);
      if (k !== undefined) waiting.set(k, [...(waiting.get(k) ?? []), j]);
    }
    for (const i of routerLeft) {
      const k = key(router[i]!);
      const candidates = k === undefined ? undefined : waiting.get(k);
      const at = candidates?.findIndex((j) => compatible(router[i]!, ours[j]!)) ?? -1;
      if (at < 0) continue;
      const j = candidates!.splice(at, 1)[0]!;
      matched.push({ router: router[i]!, ours: ours[j]! });
      routerLeft.delete(i);
      oursLeft.delete(j);
    }
  };

  // Address first across all sessions, so a caller-id match never takes a session an exact address
  // match would have claimed.
  pass(addressKey, () => true);
  // Caller-id only stands in for a missing address: two known, different addresses are two
  // sessions (a reconnect whose start or stop we lost), even from the same MAC.
  pass(callerIdKey, (r, o) => normAddress(r.address) === undefined || normAddress(o.address) === undefined);

  return {
    missingHere: [...routerLeft].map((i) => router[i]!),
    missingOnRouter: [...oursLeft].map((i) => ours[i]!),
    matched,
  };
}
