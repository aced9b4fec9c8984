/**
 * Cache invalidation across the nodes sharing one PostgreSQL: what one node's `changes` topic
 * publishes (a NAS, plan, service or customer changed; published after the change committed) is
 * sent to every other node with NOTIFY, and what the others send is published on this node's
 * topic, so each node's RADIUS caches reload what another node's API changed.
 *
 * A change of some rows names their ids: `node#id,id:entity`. A node of an earlier build reads the
 * part after the last colon as the entity and the rest as the sender, so it still hears a change
 * of that kind (and reloads the kind whole, as it always did).
 *
 * A notification names its node, so a node does not act on its own twice. The listening
 * connection is a dedicated one (LISTEN is per session); when it drops, notifications sent
 * meanwhile are lost, so on reconnecting the relay publishes every entity once: each cache reloads
 * whole, as at start.
 *
 * The same connection carries the open sessions' changes: which services' open sessions a node's
 * accounting changed (a Start, a Stop, an Accounting-On). The other nodes read those services'
 * open sessions again, so a simultaneous-use limit holds whichever node a subscriber's accounting
 * reaches. The notification names services, not sessions: each node reads the database's state
 * when it hears, so notifications that arrive out of order cannot leave a stale session behind.
 * Services are gathered for SESSIONS_GATHER_MS and sent in as few notifications as fit.
 */
import pg from 'pg';
import { allOf, rowsOf, type CachedEntity, type Change, type Topic } from '../lib/topic.js';

export const CHANGES_CHANNEL = 'tollgate_changes';
export const SESSIONS_CHANNEL = 'tollgate_sessions';
const SESSIONS_GATHER_MS = 20;
/** NOTIFY's payload must stay under 8000 bytes. */
const PAYLOAD_MAX = 7000;
const ENTITIES: readonly CachedEntity[] = ['nas', 'plan', 'service', 'customer'];

export interface ChangeRelayOptions {
  url: string;
  topic: Topic<Change>;
  /** Unique per running node (host, pid and a random part). */
  nodeId: string;
  /** A lost connection or a failed NOTIFY: logged by the caller; the relay keeps trying. */
  onError: (err: unknown) => void;
  /** First wait before reconnecting, doubled up to 30 s; default 500 ms. */
  retryMs?: number;
  /** Open sessions across nodes: what this node's accounting changed, and what to do with the others'. */
  sessions?: {
    /** Services whose open sessions this node changed (published after the commit). */
    changed: Topic<readonly number[]>;
    /** Another node changed these services' open sessions. */
    refresh: (serviceIds: readonly number[]) => Promise<void>;
    /** Notifications may have been missed (the connection dropped): read every open session. */
    reload: () => Promise<void>;
  };
}

export interface ChangeRelay {
  close(): Promise<void>;
}

export async function relayChanges(opts: ChangeRelayOptions): Promise<ChangeRelay> {
  const firstRetry = opts.retryMs ?? 500;
  let client: pg.Client | undefined;
  let closed = false;
  let retry = firstRetry;
  let timer: NodeJS.Timeout | undefined;
  // True while publishing what another node sent: this node's subscriber must not send it back.
  let relaying = false;
  // What changed here while the connection was down: sent once it is back.
  const unsent = new Set<CachedEntity>();

  const connect = async (): Promise<void> => {
    // Named, so pg_stat_activity shows which node's relay a connection is.
    const c = new pg.Client({ connectionString: opts.url, application_name: `tollgate-changes ${opts.nodeId}` });
    c.on('error', (err) => {
      opts.onError(err);
      reconnect(c);
    });
    c.on('end', () => reconnect(c));
    c.on('notification', (n) => {
      if (n.channel === SESSIONS_CHANNEL && n.payload) return remoteSessions(n.payload);
      if (n.channel !== CHANGES_CHANNEL || !n.payload) return;
      const change = parseChange(n.payload, opts.nodeId);
      if (change) publishRemote([change]);
    });
    await c.connect();
    await c.query(`listen ${CHANGES_CHANNEL}`);
    if (opts.sessions) await c.query(`listen ${SESSIONS_CHANNEL}`);
    client = c;
    retry = firstRetry;
  };

  const publishRemote = (changes: readonly Change[]) => {
    relaying = true;
    try {
      for (const c of changes) opts.topic.publish(c);
    } finally {
      relaying = false;
    }
  };

  const reconnect = (dead: pg.Client) => {
    if (closed || client !== dead) return;
    client = undefined;
    dead.removeAllListeners('end');
    void dead.end().catch(() => undefined);
    schedule();
  };

  const schedule = () => {
    if (closed || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      connect().then(
        // Whatever was sent while the connection was down is lost: reload everything once.
        () => {
          for (const e of unsent) notify(allOf(e));
          unsent.clear();
          publishRemote(ENTITIES.map(allOf));
          if (opts.sessions) {
            // The other nodes may have missed what changed here meanwhile: tell them again.
            if (unsentSessions.size > 0) sendSessions();
            opts.sessions.reload().catch(opts.onError);
          }
        },
        (err: unknown) => {
          opts.onError(err);
          retry = Math.min(retry * 2, 30_000);
          schedule();
        },
      );
    }, retry);
    timer.unref();
  };

  // One NOTIFY at a time on the connection: pg queues a query sent while another runs, but sending
  // one without waiting is deprecated there (and a burst of changes, a dunning run's, does so).
  let sending: Promise<void> = Promise.resolve();
  const send = (channel: string, payload: string, unsentAgain: () => void): void => {
    sending = sending.then(async () => {
      const c = client;
      if (!c) return unsentAgain(); // the connection dropped meanwhile: sent again once it is back
      try {
        await c.query('select pg_notify($1, $2)', [channel, payload]);
      } catch (err) {
        unsentAgain();
        opts.onError(err);
      }
    });
  };
  const notify = (change: Change) => {
    if (!client) {
      // Sent once the connection is back, for every row of the kind: the others reload it whole.
      unsent.add(change.entity);
      return;
    }
    send(CHANGES_CHANNEL, changePayload(opts.nodeId, change), () => unsent.add(change.entity));
  };
  const unsubscribe = opts.topic.subscribe((change) => {
    if (!relaying) notify(change);
  });

  // Services whose open sessions changed here, gathered for one notification.
  const unsentSessions = new Set<number>();
  let sessionsTimer: NodeJS.Timeout | undefined;
  const sendSessions = () => {
    sessionsTimer = undefined;
    if (!client) return; // kept: sent on reconnecting
    const ids = [...unsentSessions];
    unsentSessions.clear();
    for (const payload of sessionPayloads(opts.nodeId, ids)) {
      send(SESSIONS_CHANNEL, payload, () => {
        for (const id of idsOf(payload.slice(payload.indexOf('|') + 1)).ids) unsentSessions.add(id);
      });
    }
  };
  const unsubscribeSessions = opts.sessions?.changed.subscribe((ids) => {
    for (const id of ids) unsentSessions.add(id);
    sessionsTimer ??= setTimeout(sendSessions, SESSIONS_GATHER_MS);
  });
  const remoteSessions = (payload: string) => {
    const sep = payload.indexOf('|');
    if (sep < 0 || payload.slice(0, sep) === opts.nodeId || !opts.sessions) return;
    // The ids this build can read: a session of another kind of id has nothing to refresh here.
    const { ids } = idsOf(payload.slice(sep + 1));
    if (ids.length > 0) opts.sessions.refresh(ids).catch(opts.onError);
  };

  await connect();
  return {
    async close() {
      closed = true;
      unsubscribe();
      unsubscribeSessions?.();
      if (timer) clearTimeout(timer);
      if (sessionsTimer) {
        clearTimeout(sessionsTimer);
        sendSessions();
      }
      const c = client;
      client = undefined;
      if (c) {
        c.removeAllListeners('end');
        await c.end().catch(() => undefined);
      }
    },
  };
}

/** `node:entity`, or `node#id,id,…:entity` for some rows; a list too long for one NOTIFY names the kind alone. */
export function changePayload(nodeId: string, change: Change): string {
  const ids = change.ids?.join(',');
  return ids === undefined || nodeId.length + ids.length + 32 > PAYLOAD_MAX ? `${nodeId}:${change.entity}` : `${nodeId}#${ids}:${change.entity}`;
}

/** The change another node sent; undefined for this node's own and for what no build sends. */
export function parseChange(payload: string, nodeId: string): Change | undefined {
  const sep = payload.lastIndexOf(':');
  const entity = payload.slice(sep + 1) as CachedEntity;
  if (sep < 0 || !ENTITIES.includes(entity)) return undefined;
  const head = payload.slice(0, sep);
  const hash = head.lastIndexOf('#');
  if (hash < 0) return head === nodeId ? undefined : allOf(entity);
  if (head.slice(0, hash) === nodeId) return undefined;
  const { ids, all } = idsOf(head.slice(hash + 1));
  // A list this build cannot read in full still says the kind changed.
  return all ? rowsOf(entity, ids) : allOf(entity);
}

/** The positive integer ids of a comma-separated list, and whether every item was one. */
function idsOf(list: string): { ids: number[]; all: boolean } {
  if (list === '') return { ids: [], all: true };
  const items = list.split(',');
  const ids = items.map(Number).filter((id) => Number.isSafeInteger(id) && id > 0);
  return { ids, all: ids.length === items.length };
}

/** `node|id,id,…` notifications, each under NOTIFY's payload limit. */
export function sessionPayloads(nodeId: string, ids: readonly number[]): string[] {
  const payloads: string[] = [];
  let cur = '';
  for (const id of ids) {
    const part = String(id);
    if (cur !== '' && nodeId.length + 1 + cur.length + 1 + part.length > PAYLOAD_MAX) {
      payloads.push(`${nodeId}|${cur}`);
      cur = '';
    }
    cur = cur === '' ? part : `${cur},${part}`;
  }
  if (cur !== '') payloads.push(`${nodeId}|${cur}`);
  return payloads;
}
