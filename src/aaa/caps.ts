/**
 * The data-cap facts of a login: the period's usage and top-ups (one statement of two lookups), and each
 * plan's tiers cached until a plan changes. Read by the authorizer on the RADIUS hot path and by the
 * network actions when they re-decide a live session.
 *
 * `load` reads through the SqlClient, on either backend, and is what an awaiting caller uses. `check`
 * answers synchronously for the Access-Request handler, which cannot await yet: on SQLite only, from
 * the same statements on the connection. A plan without a cap costs neither any query once its tiers
 * are cached, and both share that cache.
 */
import { sqlOf, type Db } from '../db/client.js';
import { capReadQueries, capReadQueriesSync, type CapServiceRow } from '../db/prepaid.js';
import type { SqlClient } from '../db/sql.js';
import { billingDayOf, capPeriod, capPolicy, type CapPolicy, type CapTier } from '../domain/billing/caps.js';
import type { CalDate } from '../lib/calendar.js';

/** The service facts a cap check needs (a ServiceAuthRow has them all). */
export type CapServiceFacts = { id: number; planId: number; startDate: string; billingDay: string; periodMonths: number }
  & Pick<CapServiceRow, 'dataCapBytes' | 'capAction' | 'throttleDownloadKbps' | 'throttleUploadKbps'>;

export interface LoginCap {
  policy: CapPolicy;
  usedBytes: number;
  extraBytes: number;
}

type CapReads = ReturnType<typeof capReadQueries>;
type SyncCapReads = ReturnType<typeof capReadQueriesSync>;

const periodOf = (row: CapServiceFacts, date: CalDate) =>
  capPeriod({ startDate: row.startDate, billingDay: billingDayOf(row.billingDay), periodMonths: row.periodMonths }, date);

export class LoginCapChecker {
  private readonly tiers = new Map<number, CapTier[]>();

  constructor(
    private readonly store: CapReads,
    private readonly syncStore?: SyncCapReads,
  ) {}

  /** The cap facts of the period containing `date`; undefined for a plan with no cap. Either backend. */
  async load(row: CapServiceFacts, date: CalDate): Promise<LoginCap | undefined> {
    let t = this.tiers.get(row.planId);
    if (!t) this.tiers.set(row.planId, (t = await this.store.tiersOf(row.planId)));
    const policy = this.policyOf(row, t);
    if (!policy) return undefined;
    const period = periodOf(row, date);
    const { usedBytes, topupBytes } = await this.store.periodTotals(row.id, period.start, period.end);
    return { policy, usedBytes, extraBytes: topupBytes };
  }

  /**
   * `load`, answered synchronously where the checker has the synchronous reads (SQLite: the
   * Access-Request handler answers without a promise), else the promise of `load` (PostgreSQL: the
   * handler answers when it settles).
   */
  check(row: CapServiceFacts, date: CalDate): LoginCap | undefined | Promise<LoginCap | undefined> {
    const sync = this.syncStore;
    if (!sync) return this.load(row, date);
    let t = this.tiers.get(row.planId);
    if (!t) this.tiers.set(row.planId, (t = sync.tiersOf(row.planId)));
    const policy = this.policyOf(row, t);
    if (!policy) return undefined;
    const period = periodOf(row, date);
    const { usedBytes, topupBytes } = sync.periodTotals(row.id, period.start, period.end);
    return { policy, usedBytes, extraBytes: topupBytes };
  }

  /** Forgets the cached tiers: a plan changed. */
  clear(): void {
    this.tiers.clear();
  }

  private policyOf(row: CapServiceFacts, tiers: CapTier[]): CapPolicy | undefined {
    if (tiers.length === 0 && row.dataCapBytes == null) return undefined;
    return capPolicy(row, tiers) ?? undefined;
  }
}

/** The checker on a SqlClient of either backend: `check` answers with the promise of `load`. */
export function loginCapCheckerOf(sql: SqlClient): LoginCapChecker {
  return new LoginCapChecker(capReadQueries(sql));
}

/** The checker on a SQLite database: `load`, and `check` for the synchronous Access-Request path. */
export function loginCapChecker(db: Db): LoginCapChecker {
  return new LoginCapChecker(capReadQueries(sqlOf(db)), capReadQueriesSync(db));
}
