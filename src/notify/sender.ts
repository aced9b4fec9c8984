/**
 * The sender worker: claims due messages from the outbox a batch at a time (committed before any
 * send starts) and delivers them. A send that fails is retried with exponential backoff up to
 * `maxAttempts`, then the message is `failed` (visible in `GET /api/v1/notifications`).
 *
 * Each node runs one; the claims keep two from sending a message twice (src/db/notify.ts). A claim
 * lasts `claimMs` (beyond a batch's worth of the transports' 30 s timeouts): a message whose sender died with it
 * is claimed again by any sender once it expires, a new attempt (a message that used up its
 * attempts that way is failed instead). At start-up, the messages a previous process of this host
 * left mid-send (its pid gone) are marked failed at once, not re-sent: they may have gone out, and
 * an operator can requeue them.
 */
import type { Clock } from '../lib/clock.js';
import { said } from '../lib/errors.js';
import { failureLocal } from '../lib/failure.js';
import type { Claim, NotifyStore, OutboxRow } from '../db/notify.js';
import { claimantIsDead, newLeaseHolder } from '../lib/process-holder.js';
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
  /**
   * How long a claim lasts before another sender may retry the message: default 30 min, beyond a
   * whole batch (20) of sends that each take the transports' 30 s timeout.
   */
  claimMs?: number;
  metrics?: SenderMetrics | undefined;
  log?: { info(o: object, m: string): void; warn(o: object, m: string): void } | undefined;
}

export const INTERRUPTED = said('notifyError.interrupted', 'interrupted during delivery (restart); not re-sent automatically to avoid a duplicate');
export const ABANDONED = said('notifyError.abandoned', 'its sender stopped during delivery too many times; not re-sent automatically');

export function defaultSendBackoff(attempt: number): number {
  return Math.min(60_000 * 2 ** Math.max(0, attempt - 1), 6 * 3_600_000);
}

export type Sender = ReturnType<typeof createSender>;

export function createSender(opts: SenderOptions) {
  const { store, clock } = opts;
  const maxAttempts = opts.maxAttempts ?? 6;
  const backoff = opts.backoffMs ?? defaultSendBackoff;
  const batch = opts.batch ?? 20;
  const claimMs = opts.claimMs ?? 30 * 60_000;
  // This sender's claimant id: host, pid and a random part (src/lib/process-holder.ts).
  const self = newLeaseHolder();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | null = null;
  let stopped = false;
  let again = false;
  // Drains wait for the start-up recovery, so a message this host left mid-send is failed, not retried.
  let recovered: Promise<unknown> = Promise.resolve();

  /** An outcome written after the claim expired and another sender took the message: logged. */
  const fenced = (written: boolean, msg: OutboxRow, outcome: string) => {
    if (!written) opts.log?.warn({ id: msg.id, channel: msg.channel, attempt: msg.attempts, outcome }, 'notification: the claim expired before the outcome; another sender has the message');
  };

  /** Delivers a message this sender has claimed (`msg.attempts` is this attempt). */
  async function deliver(msg: OutboxRow): Promise<void> {
    const claim: Claim = { id: msg.id, attempt: msg.attempts };
    const attempt = msg.attempts;
    if (attempt > maxAttempts) {
      // Claimed again after claims that expired, more often than it may be tried: a sender died
      // each time (perhaps on this very message). Not tried once more.
      fenced(await store.markFailed(claim, ABANDONED), msg, 'failed');
      opts.metrics?.notifications.inc({ channel: msg.channel, outcome: 'failed' });
      opts.log?.warn({ id: msg.id, channel: msg.channel, template: msg.template, attempt }, 'notification failed: its claims expired too many times');
      return;
    }
    try {
      await opts.transports[msg.channel].send(msg);
      fenced(await store.markSent(claim, clock.now().toISOString()), msg, 'sent');
      opts.metrics?.notifications.inc({ channel: msg.channel, outcome: 'sent' });
    } catch (err) {
      // A transport's own message (DeliveryError's), else what the error says by key (a fault of ours is marked internal).
      const failure = failureLocal(err);
      const error = failure.text;
      const permanent = err instanceof DeliveryError && err.permanent;
      if (permanent || attempt >= maxAttempts) {
        fenced(await store.markFailed(claim, failure), msg, 'failed');
        opts.metrics?.notifications.inc({ channel: msg.channel, outcome: 'failed' });
        opts.log?.warn({ id: msg.id, channel: msg.channel, template: msg.template, attempt, error }, 'notification failed');
      } else {
        fenced(await store.markRetry(claim, failure, new Date(clock.now().getTime() + backoff(attempt)).toISOString()), msg, 'retry');
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
      const now = clock.now();
      const claimed = await store.claimDue(now.toISOString(), batch, self.id, new Date(now.getTime() + claimMs).toISOString());
      if (claimed.length === 0) return n;
      let next = 0;
      let broke = true;
      try {
        for (; next < claimed.length && !stopped; next++) {
          await deliver(claimed[next]!);
          n++;
        }
        broke = false;
      } finally {
        // Stopping, or the database failed mid-batch: the messages not tried go back to the queue
        // (they were due), rather than wait for their claims to expire or be failed as interrupted
        // at the next start. The one whose outcome could not be written keeps its claim.
        for (const msg of claimed.slice(broke ? next + 1 : next)) {
          await store.unclaim({ id: msg.id, attempt: msg.attempts }, now.toISOString()).catch(() => undefined);
        }
      }
    }
  }

  const sender = {
    /** This sender's claimant id, as the outbox records it. */
    id: self.id,
    /**
     * Marks the messages a previous process of this host left mid-send as failed (its pid is gone;
     * or a row claimed before claimants were recorded). Call once at start. Other nodes' claims are
     * theirs: those expire and are retried.
     */
    async recover(): Promise<number[]> {
      const dead = (await store.sending()).filter((r) => r.claimedBy === null || claimantIsDead(r.claimedBy, self)).map((r) => r.id);
      const ids = await store.failInterrupted(dead, INTERRUPTED);
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
        await recovered.catch(() => undefined);
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
      recovered = sender.recover().catch((err: unknown) => opts.log?.warn({ err: err instanceof Error ? err.message : String(err) }, 'notifications: recovery at start failed'));
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
