/**
 * The sender worker: takes due messages from the outbox and delivers them, one claim per message
 * committed before the send starts. A send that fails is retried with exponential backoff up to
 * `maxAttempts`, then the message is `failed` (visible in `GET /api/v1/notifications`). A message
 * found mid-send at start-up (the process died during delivery) is marked failed, not re-sent: it may
 * have gone out, and a customer must never get a message twice; an operator can requeue it.
 */
import type { Clock } from '../lib/clock.js';
import type { NotifyStore, OutboxRow } from '../db/notify.js';
import type { Channel } from './types.js';
import { DeliveryError, type Transport } from './transports.js';

export interface SenderMetrics {
  notifications: { inc(labels: { channel: string; outcome: string }): void };
}

export interface SenderOptions {
  store: NotifyStore;
  clock: Clock;
  transports: Record<Channel, Transport>;
  maxAttempts?: number;
  /** Delay before retry `attempt` (1-based): default 1 min doubling to at most 6 h. */
  backoffMs?: (attempt: number) => number;
  batch?: number;
  metrics?: SenderMetrics | undefined;
  log?: { info(o: object, m: string): void; warn(o: object, m: string): void } | undefined;
}

export const INTERRUPTED = 'interrupted during delivery (restart); not re-sent automatically to avoid a duplicate';

export function defaultSendBackoff(attempt: number): number {
  return Math.min(60_000 * 2 ** Math.max(0, attempt - 1), 6 * 3_600_000);
}

export type Sender = ReturnType<typeof createSender>;

export function createSender(opts: SenderOptions) {
  const { store, clock } = opts;
  const maxAttempts = opts.maxAttempts ?? 6;
  const backoff = opts.backoffMs ?? defaultSendBackoff;
  const batch = opts.batch ?? 20;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | null = null;
  let stopped = false;
  let again = false;

  async function deliver(msg: OutboxRow): Promise<void> {
    if (!store.claim(msg.id)) return;
    const attempt = msg.attempts + 1;
    try {
      await opts.transports[msg.channel].send(msg);
      store.markSent(msg.id, clock.now().toISOString());
      opts.metrics?.notifications.inc({ channel: msg.channel, outcome: 'sent' });
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      const permanent = err instanceof DeliveryError && err.permanent;
      if (permanent || attempt >= maxAttempts) {
        store.markFailed(msg.id, error);
        opts.metrics?.notifications.inc({ channel: msg.channel, outcome: 'failed' });
        opts.log?.warn({ id: msg.id, channel: msg.channel, template: msg.template, attempt, error }, 'notification failed');
      } else {
        store.markRetry(msg.id, error, new Date(clock.now().getTime() + backoff(attempt)).toISOString());
        opts.metrics?.notifications.inc({ channel: msg.channel, outcome: 'retry' });
        opts.log?.info({ id: msg.id, channel: msg.channel, attempt, error }, 'notification will be retried');
      }
    }
  }

  /** Sends everything due now; resolves with how many messages it tried. */
  async function drainOnce(): Promise<number> {
    let n = 0;
    for (;;) {
      if (stopped) return n;
      const due = store.due(clock.now().toISOString(), batch);
      if (due.length === 0) return n;
      for (const msg of due) {
        if (stopped) return n;
        await deliver(msg);
        n++;
      }
    }
  }

  const sender = {
    /** Marks messages a previous process left mid-send as failed. Call once at start. */
    recover(): number[] {
      const ids = store.failInterrupted(INTERRUPTED);
      if (ids.length > 0) opts.log?.warn({ ids }, 'notifications interrupted by a restart are marked failed, not re-sent');
      return ids;
    },
    /** Sends what is due; concurrent calls share one pass (and ask for one more after it). */
    drain(): Promise<number> {
      if (running) {
        again = true;
        return running;
      }
      running = (async () => {
        let total = 0;
        do {
          again = false;
          total += await drainOnce();
        } while (again && !stopped);
        return total;
      })().finally(() => {
        running = null;
      });
      return running;
    },
    /** Wakes the worker now (after an enqueue), without waiting for it. */
    poke(): void {
      if (timer !== undefined) void sender.drain().catch(() => undefined);
    },
    start(intervalMs = 5_000): void {
      stopped = false;
      sender.recover();
      timer = setInterval(() => void sender.drain().catch(() => undefined), intervalMs);
      timer.unref();
      void sender.drain().catch(() => undefined);
    },
    async stop(): Promise<void> {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = undefined;
      await running?.catch(() => undefined);
    },
  };
  return sender;
}
