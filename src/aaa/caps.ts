/**
 * The data-cap facts of a login: the period's usage and top-ups from prepared statements (two
 * point/range lookups), and each plan's tiers cached until a plan changes. Read by the authorizer on
 * the RADIUS hot path and by the network actions when they re-decide a live session.
 */
import type { Db } from '../db/client.js';
import { capReadQueries, type CapServiceRow } from '../db/prepaid.js';
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

export class LoginCapChecker {
  private readonly tiers = new Map<number, CapTier[]>();

  constructor(private readonly store: CapReads) {}

  /** The cap facts of the period containing `date`; undefined for a plan with no cap. */
  check(row: CapServiceFacts, date: CalDate): LoginCap | undefined {
    let t = this.tiers.get(row.planId);
    if (!t) this.tiers.set(row.planId, (t = this.store.tiersOf(row.planId)));
    if (t.length === 0 && row.dataCapBytes == null) return undefined;
    const policy = capPolicy(row, t);
    if (!policy) return undefined;
    const period = capPeriod({ startDate: row.startDate, billingDay: billingDayOf(row.billingDay), periodMonths: row.periodMonths }, date);
    return { policy, usedBytes: this.store.usage(row.id, period.start, period.end), extraBytes: this.store.topupBytes(row.id, period.start) };
  }

  /** Forgets the cached tiers: a plan changed. */
  clear(): void {
    this.tiers.clear();
  }
}

export function loginCapChecker(db: Db): LoginCapChecker {
  return new LoginCapChecker(capReadQueries(db));
}
