/**
 * Every service, its password already decrypted, in memory: loaded in chunks between datagrams at
 * start and again shortly after each change, so a NAS-reboot storm or a day's first logins read
 * memory, not SQLite pages and AES-GCM (a first login would cost several times a warm one).
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
  service(username: string): ServiceAuthRow | undefined;
  /** Services with an id above `afterId`, by id, at most `limit`. */
  servicesAfter(afterId: number, limit: number): readonly ServiceAuthRow[];
}

const WARM_CHUNK = 1000;
/** Past this many entries the cache starts over rather than grow without bound. */
const MAX_ENTRIES = 500_000;
/** A warm-up stops here, leaving room for the lookups of logins. */
const MAX_WARM_ENTRIES = 400_000;

export class ServiceCache {
  /** null: looked up and not found (an unknown username costs one query, not one per attempt). */
  private readonly entries = new Map<string, CachedService | null>();
  private generation = 0;
  private warmDelay: NodeJS.Timeout | undefined;
  private warmStep: NodeJS.Immediate | undefined;

  constructor(
    private readonly source: ServiceSource,
    private readonly box: SecretBox,
    private readonly log: Logger,
  ) {}

  /** The service of a username, read from the database on a miss. */
  get(username: string): CachedService | undefined {
    const hit = this.entries.get(username);
    if (hit !== undefined) return hit ?? undefined;
    const row = this.source.service(username);
    if (this.entries.size > MAX_ENTRIES) this.entries.clear();
    if (!row) {
      this.entries.set(username, null);
      return undefined;
    }
    const entry = this.entryOf(row);
    this.entries.set(username, entry);
    return entry;
  }

  /** The service id from the cache alone: undefined when not cached, null when known not to exist. */
  cachedId(username: string): number | null | undefined {
    const hit = this.entries.get(username);
    return hit === undefined ? undefined : hit === null ? null : hit.row.id;
  }

  /** Forgets one username (a voucher just became its service). */
  forget(username: string): void {
    this.entries.delete(username);
  }

  /** Loads every service, a chunk per event-loop turn, without displacing what logins already cached. */
  warm(): void {
    const generation = ++this.generation;
    let after = 0;
    const step = (): void => {
      this.warmStep = undefined;
      // A change since this warm-up started cleared the cache and scheduled a fresh one.
      if (generation !== this.generation || this.entries.size > MAX_WARM_ENTRIES) return;
      try {
        const rows = this.source.servicesAfter(after, WARM_CHUNK);
        for (const row of rows) if (!this.entries.has(row.username)) this.entries.set(row.username, this.entryOf(row));
        const last = rows[rows.length - 1];
        if (rows.length === WARM_CHUNK && last !== undefined) {
          after = last.id;
          this.warmStep = setImmediate(step);
        }
      } catch (e) {
        // A password sealed with another key, say: logins look such a service up one by one.
        this.log.error({ err: e instanceof Error ? e.message : String(e), afterServiceId: after }, 'service cache warm-up stopped');
      }
    };
    this.warmStep = setImmediate(step);
  }

  /** Drops every entry (services or plans changed) and warms up again once changes pause. */
  drop(): void {
    this.entries.clear();
    this.generation++;
    // Bulk changes through the API come one request at a time: warm up once they pause.
    clearTimeout(this.warmDelay);
    this.warmDelay = setTimeout(() => this.warm(), 1000);
    this.warmDelay.unref();
  }

  /** Stops any warm-up, now and scheduled. */
  close(): void {
    clearTimeout(this.warmDelay);
    if (this.warmStep) clearImmediate(this.warmStep);
    this.generation++;
  }

  private entryOf(row: ServiceAuthRow): CachedService {
    return new CachedService(row, new StoredPassword(this.box.open(row.passwordEnc), row.voucherLogin === 1));
  }
}
