/**
 * Every service, its password already decrypted, in memory: loaded in chunks between datagrams at
 * start and again shortly after each change, so a NAS-reboot storm or a day's first logins read
 * memory, not database pages and AES-GCM (a first login would cost several times a warm one).
 *
 * A hit answers at once, synchronously. A miss (a login before the warm-up reached its service, or
 * just after a change emptied the cache) reads the database, which is asynchronous on either backend
 * (a round trip on PostgreSQL): `get` then returns a Promise, and the login's answer waits for it
 * without holding the event loop. Concurrent logins of one username share that one read.
 *
 * An entry is kept small, for the garbage collector's sake: a million of them are a heap V8 marks
 * whole in every full collection, and with the daemon, PostgreSQL and the generator sharing two
 * cores, marking the 770 MB the database rows made held the event loop some 100 ms at a time. So a
 * service is one object holding its own facts; its plan's facts are one object shared by every
 * service of the plan, and repeated short strings (a status, a date, a language) are one copy each.
 */
import type { Logger } from 'pino';
import type { ServiceAuthRow } from '../db/radius.js';
import type { SecretBox } from '../lib/secretbox.js';
import { ntHash } from '../radius/auth/index.js';
import type { CapServiceFacts } from './caps.js';
import type { StoredPassword } from './credentials.js';
import type { ServiceFacts } from './decide.js';

type PlanColumns = Pick<ServiceAuthRow, 'planId' | 'planType' | 'downloadKbps' | 'uploadKbps' | 'burstDownloadKbps' | 'burstUploadKbps'
  | 'burstThresholdDownloadKbps' | 'burstThresholdUploadKbps' | 'burstTimeSeconds' | 'dataCapBytes' | 'capAction' | 'throttleDownloadKbps'
  | 'throttleUploadKbps' | 'framedPool'>;

/** A plan's facts as its services' rows carried them: one object for every cached service of the plan. */
class PlanFacts implements PlanColumns {
  readonly planId: number;
  readonly planType: ServiceAuthRow['planType'];
  readonly downloadKbps: number;
  readonly uploadKbps: number;
  readonly burstDownloadKbps: number | null;
  readonly burstUploadKbps: number | null;
  readonly burstThresholdDownloadKbps: number | null;
  readonly burstThresholdUploadKbps: number | null;
  readonly burstTimeSeconds: number | null;
  readonly dataCapBytes: number | null;
  readonly capAction: ServiceAuthRow['capAction'];
  readonly throttleDownloadKbps: number | null;
  readonly throttleUploadKbps: number | null;
  readonly framedPool: string | null;

  constructor(r: PlanColumns) {
    this.planId = r.planId; this.planType = r.planType; this.downloadKbps = r.downloadKbps; this.uploadKbps = r.uploadKbps;
    this.burstDownloadKbps = r.burstDownloadKbps; this.burstUploadKbps = r.burstUploadKbps;
    this.burstThresholdDownloadKbps = r.burstThresholdDownloadKbps; this.burstThresholdUploadKbps = r.burstThresholdUploadKbps;
    this.burstTimeSeconds = r.burstTimeSeconds; this.dataCapBytes = r.dataCapBytes; this.capAction = r.capAction;
    this.throttleDownloadKbps = r.throttleDownloadKbps; this.throttleUploadKbps = r.throttleUploadKbps; this.framedPool = r.framedPool;
  }

  /** Whether a row carries exactly these facts (a plan changed mid-warm-up gets an object of its own). */
  sameAs(r: PlanColumns): boolean {
    return this.planId === r.planId && this.planType === r.planType && this.downloadKbps === r.downloadKbps && this.uploadKbps === r.uploadKbps
      && this.burstDownloadKbps === r.burstDownloadKbps && this.burstUploadKbps === r.burstUploadKbps
      && this.burstThresholdDownloadKbps === r.burstThresholdDownloadKbps && this.burstThresholdUploadKbps === r.burstThresholdUploadKbps
      && this.burstTimeSeconds === r.burstTimeSeconds && this.dataCapBytes === r.dataCapBytes && this.capAction === r.capAction
      && this.throttleDownloadKbps === r.throttleDownloadKbps && this.throttleUploadKbps === r.throttleUploadKbps && this.framedPool === r.framedPool;
  }
}

/**
 * A service as the login path needs it: the facts `decide` and the cap check read, and its password
 * in clear. A class, for one fixed shape V8 reads at fixed offsets; the plan's facts are read
 * through getters (inlined by the optimizer) from the shared PlanFacts.
 */
export class CachedService implements ServiceFacts, CapServiceFacts, StoredPassword {
  readonly id: number;
  readonly customerId: number;
  readonly username: string;
  readonly status: ServiceAuthRow['status'];
  readonly startDate: string;
  readonly macAddress: string | null;
  readonly staticIp: string | null;
  readonly ipv6Prefix: string | null;
  readonly delegatedIpv6Prefix: string | null;
  readonly simultaneousUse: number;
  readonly expiresAt: string | null;
  readonly suspensionMode: ServiceAuthRow['suspensionMode'];
  readonly billingDay: string;
  readonly periodMonths: number;
  readonly language: string | null;
  /** A redeemed hotspot voucher (the code as username) logs in by its code alone, password empty. */
  readonly acceptsEmptyPassword: boolean;
  readonly cleartext: string;
  private readonly plan: PlanFacts;
  /**
   * The NT hash once an MS-CHAP login needed it, as a 16-character latin1 string: a Buffer of its
   * own cost some 200 bytes of heap per service (most PPPoE logins are MS-CHAPv2), the string 32.
   */
  private nt: string | undefined;

  /** `one` gives the single copy of a repeated string. */
  constructor(row: ServiceAuthRow, cleartext: string, plan: PlanFacts, one: <T extends string | null>(s: T) => T) {
    this.id = row.id; this.customerId = row.customerId; this.username = row.username; this.status = one(row.status);
    this.startDate = one(row.startDate); this.macAddress = row.macAddress; this.staticIp = row.staticIp; this.ipv6Prefix = row.ipv6Prefix;
    this.delegatedIpv6Prefix = row.delegatedIpv6Prefix; this.simultaneousUse = row.simultaneousUse; this.expiresAt = row.expiresAt;
    this.suspensionMode = one(row.suspensionMode); this.billingDay = one(row.billingDay); this.periodMonths = row.periodMonths;
    this.language = one(row.language); this.acceptsEmptyPassword = row.voucherLogin; this.cleartext = cleartext; this.plan = plan;
    this.nt = undefined;
  }

  get planId(): number { return this.plan.planId; }
  get planType(): ServiceAuthRow['planType'] { return this.plan.planType; }
  get downloadKbps(): number { return this.plan.downloadKbps; }
  get uploadKbps(): number { return this.plan.uploadKbps; }
  get burstDownloadKbps(): number | null { return this.plan.burstDownloadKbps; }
  get burstUploadKbps(): number | null { return this.plan.burstUploadKbps; }
  get burstThresholdDownloadKbps(): number | null { return this.plan.burstThresholdDownloadKbps; }
  get burstThresholdUploadKbps(): number | null { return this.plan.burstThresholdUploadKbps; }
  get burstTimeSeconds(): number | null { return this.plan.burstTimeSeconds; }
  get dataCapBytes(): number | null { return this.plan.dataCapBytes; }
  get capAction(): ServiceAuthRow['capAction'] { return this.plan.capAction; }
  get throttleDownloadKbps(): number | null { return this.plan.throttleDownloadKbps; }
  get throttleUploadKbps(): number | null { return this.plan.throttleUploadKbps; }
  get framedPool(): string | null { return this.plan.framedPool; }

  /** The NT hash (a pure-TypeScript MD4) is only for MS-CHAP: PAP and CHAP logins never pay for it. */
  get ntHash(): Buffer {
    return Buffer.from((this.nt ??= ntHash(this.cleartext).toString('latin1')), 'latin1');
  }
}

/** The service reads the cache needs (prepared statements in src/db/radius.ts). */
export interface ServiceSource {
  service(username: string): Promise<ServiceAuthRow | undefined>;
  /** Services with an id above `afterId`, by id, at most `limit`. */
  servicesAfter(afterId: number, limit: number): Promise<readonly ServiceAuthRow[]>;
  servicesByIds(ids: readonly number[]): Promise<readonly ServiceAuthRow[]>;
  servicesOfCustomers(customerIds: readonly number[]): Promise<readonly ServiceAuthRow[]>;
}

const WARM_CHUNK = 1000;
/**
 * Past this many entries the oldest tenth is dropped rather than the cache grow without bound. An
 * entry costs about 260 bytes of heap, so the bound is some 320 MB: a million subscribers all stay in
 * memory (at 500,000, half of a 1,000,000-subscriber database missed and was read from PostgreSQL
 * per login, and emptying the whole cache when full made every login miss at once).
 */
const MAX_ENTRIES = 1_200_000;
/** A warm-up stops here, leaving room for the lookups of logins. */
const MAX_WARM_ENTRIES = 1_100_000;
/** Dropped at once when full: the longest-held entries (a Map keeps insertion order). */
const EVICT = MAX_ENTRIES / 10;
/** Ids per read of changed rows (a query's parameters). */
const REFRESH_CHUNK = 500;
/** Distinct strings kept single (dates, in practice): past this many, a new one stays the row's own. */
const MAX_SHARED_STRINGS = 100_000;

export class ServiceCache {
  /** null: looked up and not found (an unknown username costs one query, not one per attempt). */
  private readonly entries = new Map<string, CachedService | null>();
  /** Reads in flight for usernames that missed. */
  private readonly pending = new Map<string, Promise<CachedService | undefined>>();
  /** Bumped by every change of the whole kind: a read that began before one is not kept (its row may be stale). */
  private generation = 0;
  /** The username each cached service is held under (a change names the service by id). */
  private readonly usernames = new Map<number, string>();
  /**
   * Changes of single services: a count of them, and the count at each changed service's latest
   * change. A read that began before a service's change does not keep that service's row. Emptied
   * whenever no read is in flight (nothing can be older than the changes it holds then).
   */
  private changeCount = 0;
  private readonly changedAt = new Map<number, number>();
  private reads = 0;
  /** Bumped by every warm-up: only the latest one goes on. */
  private warming = 0;
  private warmDelay: NodeJS.Timeout | undefined;
  /** The current facts of each plan, shared by its cached services. */
  private readonly plans = new Map<number, PlanFacts>();
  /** The single copy of each repeated string. */
  private readonly strings = new Map<string, string>();
  private readonly one = <T extends string | null>(s: T): T => {
    if (s === null) return s;
    const kept = this.strings.get(s);
    if (kept !== undefined) return kept as T;
    if (this.strings.size < MAX_SHARED_STRINGS) this.strings.set(s, s);
    return s;
  };

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
    for (const [key, entry] of this.entries) {
      if (n-- <= 0) break;
      this.entries.delete(key);
      if (entry !== null && this.usernames.get(entry.id) === key) this.usernames.delete(entry.id);
    }
  }

  /** Holds `entry` under `username`, where the service was held before under another one gone. */
  private hold(username: string, entry: CachedService): void {
    const before = this.usernames.get(entry.id);
    if (before !== undefined && before !== username) this.entries.delete(before);
    this.entries.set(username, entry);
    this.usernames.set(entry.id, username);
  }

  /** Whether a row read since change number `since` is current (no later change of its service). */
  private current(row: ServiceAuthRow, since: number): boolean {
    return (this.changedAt.get(row.id) ?? 0) <= since;
  }

  /** Runs a read, counted: the change marks are dropped once no read is in flight. */
  private async reading<T>(read: () => Promise<T>): Promise<T> {
    this.reads++;
    try {
      return await read();
    } finally {
      if (--this.reads === 0) this.changedAt.clear();
    }
  }

  private async read(username: string): Promise<CachedService | undefined> {
    const generation = this.generation;
    const since = this.changeCount;
    return this.reading(async () => {
      const row = await this.source.service(username);
      const entry = row ? this.entryOf(row) : null;
      // Read after the request came in, so it answers that request even if a change came meanwhile;
      // kept only when none did (a username not found: when no service changed at all, as the
      // change may have been its creation).
      if (generation === this.generation && (row ? this.current(row, since) : since === this.changeCount)) {
        if (this.entries.size > MAX_ENTRIES) this.evictOldest();
        if (entry === null) this.entries.set(username, null);
        else this.hold(username, entry);
      }
      return entry ?? undefined;
    });
  }

  /**
   * These services changed (committed): each is forgotten at once, so the next login reads the
   * database, then read again and held. A service that no longer exists, or whose username changed,
   * is no longer found under the old one.
   */
  async refresh(serviceIds: readonly number[]): Promise<void> {
    for (const id of serviceIds) {
      this.changedAt.set(id, ++this.changeCount);
      const username = this.usernames.get(id);
      if (username !== undefined) {
        this.entries.delete(username);
        this.usernames.delete(id);
      }
    }
    for (let i = 0; i < serviceIds.length; i += REFRESH_CHUNK) {
      const ids = serviceIds.slice(i, i + REFRESH_CHUNK);
      await this.reload(() => this.source.servicesByIds(ids));
    }
  }

  /** These customers changed (their language, say): their services are read again. */
  async refreshCustomers(customerIds: readonly number[]): Promise<void> {
    for (let i = 0; i < customerIds.length; i += REFRESH_CHUNK) {
      const ids = customerIds.slice(i, i + REFRESH_CHUNK);
      await this.reload(() => this.source.servicesOfCustomers(ids), true);
    }
  }

  /**
   * Holds the rows `read` returns, unless a change since made them stale. `mark`: the rows' services
   * count as changed now, so reads that began before this one do not keep their older rows.
   */
  private async reload(read: () => Promise<readonly ServiceAuthRow[]>, mark = false): Promise<void> {
    const generation = this.generation;
    const since = this.changeCount;
    await this.reading(async () => {
      const rows = await read();
      if (generation !== this.generation) return; // the whole cache is being read again
      for (const row of rows) {
        if (!this.current(row, since)) continue; // changed again: that change's own read holds it
        // A login refused before the service existed left a null under its username.
        this.hold(row.username, this.entryOf(row));
        if (mark) this.changedAt.set(row.id, ++this.changeCount);
      }
    });
  }

  /** The service id from the cache alone: undefined when not cached, null when known not to exist. */
  cachedId(username: string): number | null | undefined {
    const hit = this.entries.get(username);
    return hit === undefined ? undefined : hit === null ? null : hit.id;
  }

  /** Usernames held now: services, and usernames known not to exist. */
  get size(): number {
    return this.entries.size;
  }

  /** Services held now. */
  get services(): number {
    return this.usernames.size;
  }

  /** Forgets one username (a voucher just became its service). */
  forget(username: string): void {
    const entry = this.entries.get(username);
    if (entry) this.usernames.delete(entry.id);
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
          const since = this.changeCount;
          const rows = await this.reading(async () => {
            const chunk = await this.source.servicesAfter(after, WARM_CHUNK);
            if (warming !== this.warming || generation !== this.generation) return undefined;
            // What logins cached meanwhile, and services changed since the chunk was read, stay as they are.
            for (const row of chunk) if (!this.entries.has(row.username) && this.current(row, since)) this.hold(row.username, this.entryOf(row));
            return chunk;
          });
          if (rows === undefined) return done();
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
    this.usernames.clear();
    this.pending.clear();
    this.plans.clear();
    this.strings.clear();
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
    let plan = this.plans.get(row.planId);
    if (plan === undefined || !plan.sameAs(row)) this.plans.set(row.planId, (plan = new PlanFacts(row)));
    return new CachedService(row, this.box.open(row.passwordEnc), plan, this.one);
  }
}
