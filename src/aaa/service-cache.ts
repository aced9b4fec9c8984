/**
 * Every service, its password already decrypted, in memory: loaded in chunks between datagrams at
 * start and again shortly after each change, so a NAS-reboot storm or a day's first logins read
 * memory, not database pages and AES-GCM (a first login would cost several times a warm one).
 *
 * A hit answers at once, synchronously. A miss (a login before the warm-up reached its service, or
 * just after a change emptied the cache) reads the database, which is asynchronous on either backend
 * (a round trip on PostgreSQL): `get` then returns a Promise, and the login's answer waits for it
 * without holding the event loop. Concurrent logins of one username share that one read.
 */
import type { Logger } from 'pino';
import type { ServiceAuthRow } from '../db/radius.js';
import type { SecretBox } from '../lib/secretbox.js';
import { StoredPassword } from './credentials.js';

/** A service as the login path needs it. A class, for one fixed shape V8 reads at fixed offsets. */
export class CachedService {
  constructor(readonly row: ServiceAuthRow, readonly password: StoredPassword) {}
}

/** The service reads the cache needs (prepared statements in src/db/radius.ts). */
export interface ServiceSource {
  service(username: string): Promise<ServiceAuthRow | undefined>;
  /** Services with an id above `afterId`, by id, at most `limit`. */
  servicesAfter(afterId: number, limit: number): Promise<readonly ServiceAuthRow[]>;
}

const WARM_CHUNK = 1000;
/**
 * Past this many entries the oldest tenth is dropped rather than the cache grow without bound. An
 * entry costs about 0.6 KB of heap (590 bytes measured for a plain service), so the bound is some
 * 700 MB: a million subscribers all stay in memory (at 500,000, half of a 1,000,000-subscriber
 * database missed and was read from PostgreSQL per login, and emptying the whole cache when full
 * made every login miss at once).
 */
const MAX_ENTRIES = 1_200_000;
/** A warm-up stops here, leaving room for the lookups of logins. */
const MAX_WARM_ENTRIES = 1_100_000;
/** Dropped at once when full: the longest-held entries (a Map keeps insertion order). */
const EVICT = MAX_ENTRIES / 10;

export class ServiceCache {
  /** null: looked up and not found (an unknown username costs one query, not one per attempt). */
  private readonly entries = new Map<string, CachedService | null>();
  /** Reads in flight for usernames that missed. */
  private readonly pending = new Map<string, Promise<CachedService | undefined>>();
  /** Bumped by every change: a read that began before one is not kept (its row may be stale). */
  private generation = 0;
  /** Bumped by every warm-up: only the latest one goes on. */
  private warming = 0;
  private warmDelay: NodeJS.Timeout | undefined;

  constructor(
    private readonly source: ServiceSource,
    private readonly box: SecretBox,
    private readonly log: Logger,
  ) {}

  /**
   * The service of a username: from memory at once, or on a miss a Promise of the database's answer
   * (rejected when the read fails; the request then goes unanswered and the NAS retries).
   */
  get(username: string): CachedService | undefined | Promise<CachedService | undefined> {
    const hit = this.entries.get(username);
    if (hit !== undefined) return hit ?? undefined;
    let read = this.pending.get(username);
    if (read === undefined) {
      const p: Promise<CachedService | undefined> = this.read(username).finally(() => {
        if (this.pending.get(username) === p) this.pending.delete(username);
      });
      this.pending.set(username, (read = p));
    }
    return read;
  }

  private evictOldest(): void {
    let n = EVICT;
    for (const key of this.entries.keys()) {
      if (n-- <= 0) break;
      this.entries.delete(key);
    }
  }

  private async read(username: string): Promise<CachedService | undefined> {
    const generation = this.generation;
    const row = await this.source.service(username);
    const entry = row ? this.entryOf(row) : null;
    // Read after the request came in, so it answers that request even if a change came meanwhile;
    // kept only when none did.
    if (generation === this.generation) {
      if (this.entries.size > MAX_ENTRIES) this.evictOldest();
      this.entries.set(username, entry);
    }
    return entry ?? undefined;
  }

  /** The service id from the cache alone: undefined when not cached, null when known not to exist. */
  cachedId(username: string): number | null | undefined {
    const hit = this.entries.get(username);
    return hit === undefined ? undefined : hit === null ? null : hit.row.id;
  }

  /** Services held now. */
  get size(): number {
    return this.entries.size;
  }

  /** Forgets one username (a voucher just became its service). */
  forget(username: string): void {
    this.entries.delete(username);
    this.pending.delete(username);
  }

  /**
   * Loads every service, a chunk per event-loop turn, without displacing what logins already cached.
   * Resolves when this warm-up has finished, stopped or been overtaken (for tests and the start-up log).
   */
  warm(): Promise<void> {
    const warming = ++this.warming;
    const generation = this.generation;
    let after = 0;
    return new Promise<void>((done) => {
      const step = async (): Promise<void> => {
        // A change since this warm-up started cleared the cache and scheduled a fresh one.
        if (warming !== this.warming || generation !== this.generation || this.entries.size > MAX_WARM_ENTRIES) return done();
        try {
          const rows = await this.source.servicesAfter(after, WARM_CHUNK);
          if (warming !== this.warming || generation !== this.generation) return done();
          for (const row of rows) if (!this.entries.has(row.username)) this.entries.set(row.username, this.entryOf(row));
          const last = rows[rows.length - 1];
          if (rows.length === WARM_CHUNK && last !== undefined) {
            after = last.id;
            setImmediate(next);
            return;
          }
        } catch (e) {
          // A password sealed with another key, say: logins look such a service up one by one.
          this.log.error({ err: e instanceof Error ? e.message : String(e), afterServiceId: after }, 'service cache warm-up stopped');
        }
        done();
      };
      const next = (): void => void step();
      setImmediate(next);
    });
  }

  /** Drops every entry (services or plans changed) and warms up again once changes pause. */
  drop(): void {
    this.entries.clear();
    this.pending.clear();
    this.generation++;
    // Bulk changes through the API come one request at a time: warm up once they pause.
    clearTimeout(this.warmDelay);
    this.warmDelay = setTimeout(() => void this.warm(), 1000);
    this.warmDelay.unref();
  }

  /** Stops any warm-up, now (at its next step) and scheduled. */
  close(): void {
    clearTimeout(this.warmDelay);
    this.generation++;
    this.warming++;
  }

  private entryOf(row: ServiceAuthRow): CachedService {
    return new CachedService(row, new StoredPassword(this.box.open(row.passwordEnc), row.voucherLogin));
  }
}
