/**
 * Cache invalidation across the nodes sharing one PostgreSQL: what one node's `changes` topic
 * publishes (a NAS, plan, service or customer changed; published after the change committed) is
 * sent to every other node with NOTIFY, and what the others send is published on this node's
 * topic, so each node's RADIUS caches reload what another node's API changed.
 *
 * A notification names its node, so a node does not act on its own twice. The listening
 * connection is a dedicated one (LISTEN is per session); when it drops, notifications sent
 * meanwhile are lost, so on reconnecting the relay publishes every entity once: each cache reloads
 * whole, as at start.
 */
import pg from 'pg';
import type { CachedEntity, Topic } from '../lib/topic.js';

export const CHANGES_CHANNEL = 'tollgate_changes';
const ENTITIES: readonly CachedEntity[] = ['nas', 'plan', 'service', 'customer'];

export interface ChangeRelayOptions {
  url: string;
  topic: Topic<CachedEntity>;
  /** Unique per running node (host, pid and a random part). */
  nodeId: string;
  /** A lost connection or a failed NOTIFY: logged by the caller; the relay keeps trying. */
  onError: (err: unknown) => void;
  /** First wait before reconnecting, doubled up to 30 s; default 500 ms. */
  retryMs?: number;
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
      if (n.channel !== CHANGES_CHANNEL || !n.payload) return;
      const sep = n.payload.lastIndexOf(':');
      const origin = n.payload.slice(0, sep);
      const entity = n.payload.slice(sep + 1) as CachedEntity;
      if (origin === opts.nodeId || !ENTITIES.includes(entity)) return;
      publishRemote([entity]);
    });
    await c.connect();
    await c.query(`listen ${CHANGES_CHANNEL}`);
    client = c;
    retry = firstRetry;
  };

  const publishRemote = (entities: readonly CachedEntity[]) => {
    relaying = true;
    try {
      for (const e of entities) opts.topic.publish(e);
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
          for (const e of unsent) notify(e);
          unsent.clear();
          publishRemote(ENTITIES);
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

  const notify = (entity: CachedEntity) => {
    if (!client) {
      unsent.add(entity);
      return;
    }
    client.query('select pg_notify($1, $2)', [CHANGES_CHANNEL, `${opts.nodeId}:${entity}`]).catch((err: unknown) => {
      unsent.add(entity);
      opts.onError(err);
    });
  };
  const unsubscribe = opts.topic.subscribe((entity) => {
    if (!relaying) notify(entity);
  });

  await connect();
  return {
    async close() {
      closed = true;
      unsubscribe();
      if (timer) clearTimeout(timer);
      const c = client;
      client = undefined;
      if (c) {
        c.removeAllListeners('end');
        await c.end().catch(() => undefined);
      }
    },
  };
}
