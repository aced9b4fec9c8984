/**
 * RADIUS requests dropped for a reason the operator can fix on the router (a missing or wrong
 * Message-Authenticator, a wrong shared secret, an address no NAS entry covers), kept in memory:
 * counts per NAS (or per source address when no NAS matched) and reason with the first and last time
 * seen, and the latest individual drops that name a user, so "Why offline?" can show a login that
 * never reached the authorizer. Memory, not the database: a misconfigured router retries every few
 * seconds, and writing each drop would let it load the disk; counts start again when the daemon does
 * (`since` says when), and each node of a cluster counts what it received.
 *
 * Bounded: at most `maxCounters` counters (the least recently seen goes first) and `maxRecent` drops.
 */
import type { Clock } from '../../lib/clock.js';

/** The drops worth showing an operator: each has a fix on the router or the NAS entry. */
export const TRACKED_DROPS = ['missing_message_authenticator', 'bad_message_authenticator', 'bad_authenticator', 'unknown_client', 'eap_without_message_authenticator'] as const;
export type TrackedDrop = (typeof TRACKED_DROPS)[number];

export const isTrackedDrop = (reason: string): reason is TrackedDrop => (TRACKED_DROPS as readonly string[]).includes(reason);

export interface DropCounter {
  /** The NAS entry the request came from; null when no entry covers its source. */
  nasId: number | null;
  /** The last source address seen (for an unknown client, the one this counter is about). */
  source: string;
  reason: TrackedDrop;
  count: number;
  firstAt: string;
  lastAt: string;
  /** The User-Name of the last request dropped, when it carried one. */
  lastUsername: string | null;
}

export interface DroppedRequest {
  at: string;
  nasId: number | null;
  source: string;
  reason: TrackedDrop;
  username: string;
}

export class DropTracker {
  readonly since: string;
  private readonly counters = new Map<string, DropCounter>();
  private recent: DroppedRequest[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly limits: { maxCounters: number; maxRecent: number } = { maxCounters: 10_000, maxRecent: 2_000 },
  ) {
    this.since = clock.now().toISOString();
  }

  /** Counts a dropped request; reasons that are not tracked are ignored. */
  record(reason: string, source: string, nasId: number | null, username: string | undefined): void {
    if (!isTrackedDrop(reason)) return;
    const at = this.clock.now().toISOString();
    const key = nasId === null ? `src:${source}|${reason}` : `nas:${nasId}|${reason}`;
    const c = this.counters.get(key);
    if (c) {
      c.count++;
      c.lastAt = at;
      c.source = source;
      c.lastUsername = username ?? c.lastUsername;
      // Re-inserted: the map's order is then least recently seen first, which eviction takes.
      this.counters.delete(key);
      this.counters.set(key, c);
    } else {
      if (this.counters.size >= this.limits.maxCounters) this.counters.delete(this.counters.keys().next().value!);
      this.counters.set(key, { nasId, source, reason, count: 1, firstAt: at, lastAt: at, lastUsername: username ?? null });
    }
    if (username !== undefined && username !== '') {
      this.recent.push({ at, nasId, source, reason, username });
      // Trimmed in halves so a flood costs one copy per maxRecent/2 drops, not one per drop.
      if (this.recent.length > this.limits.maxRecent) this.recent = this.recent.slice(this.recent.length - Math.floor(this.limits.maxRecent / 2));
    }
  }

  /** Counters, most recently seen first; `nasId` null: only those of unknown sources. */
  counts(filter: { nasId?: number | null } = {}): DropCounter[] {
    const all = [...this.counters.values()].reverse();
    const picked = filter.nasId === undefined ? all : all.filter((c) => c.nasId === filter.nasId);
    return picked.map((c) => ({ ...c }));
  }

  /** The latest drops that named a user, newest first. */
  latest(filter: { username?: string; nasId?: number; limit?: number } = {}): DroppedRequest[] {
    const out: DroppedRequest[] = [];
    const limit = filter.limit ?? 50;
    for (let i = this.recent.length - 1; i >= 0 && out.length < limit; i--) {
      const d = this.recent[i]!;
      if (filter.username !== undefined && d.username !== filter.username) continue;
      if (filter.nasId !== undefined && d.nasId !== filter.nasId) continue;
      out.push({ ...d });
    }
    return out;
  }
}
