/**
 * The cap store: data caps and fair-use tiers. A service's cap facts, the tiers of a plan, usage
 * and data top-ups of a period, the tier each service was last told, and the cap notices sent.
 */
import type { CapTier } from '../../domain/billing/caps.js';
import type { Db } from '../client.js';
import { prepaidBase, serviceNotices } from './shared.js';

export interface CapServiceRow {
  id: number;
  customerId: number;
  username: string;
  status: string;
  startDate: string;
  planId: number;
  dataCapBytes: number | null;
  capAction: 'block' | 'throttle' | null;
  throttleDownloadKbps: number | null;
  throttleUploadKbps: number | null;
  downloadKbps: number;
  uploadKbps: number;
  /** The contract's period length: service_billing's, else the plan's, else 1 (prepaid). */
  periodMonths: number;
  billingDay: string;
}

const CAP_COLS = `s.id, s.customer_id as customerId, s.username, s.status, s.start_date as startDate, p.id as planId, p.data_cap_bytes as dataCapBytes,
  p.cap_action as capAction, p.throttle_download_kbps as throttleDownloadKbps, p.throttle_upload_kbps as throttleUploadKbps,
  p.download_kbps as downloadKbps, p.upload_kbps as uploadKbps,
  coalesce(b.billing_period_months, p.billing_period_months, 1) as periodMonths, coalesce(b.billing_day, 'anniversary') as billingDay`;

export type CapStore = ReturnType<typeof capStore>;

export function capStore(db: Db) {
  const p = (sql: string) => db.$client.prepare(sql);
  const s = {
    capService: p(`select ${CAP_COLS} from services s join plans p on p.id = s.plan_id left join service_billing b on b.service_id = s.id where s.id = ?`),
    // Services whose sessions were told a reduced tier (or a block): the only ones a period reset changes.
    reducedServices: p(`select ${CAP_COLS} from service_cap_state cs join services s on s.id = cs.service_id join plans p on p.id = s.plan_id
      left join service_billing b on b.service_id = s.id where cs.tier > 0 order by s.id`),
    tiersOf: p(`select from_bytes as fromBytes, download_kbps as downloadKbps, upload_kbps as uploadKbps from plan_cap_tiers where plan_id = ? order by from_bytes`),
    cappedPlanIds: p(`select id from plans where data_cap_bytes is not null union select plan_id from plan_cap_tiers`),
    deleteTiers: p(`delete from plan_cap_tiers where plan_id = ?`),
    insertTier: p(`insert into plan_cap_tiers (plan_id, position, from_bytes, download_kbps, upload_kbps) values (?, ?, ?, ?, ?)`),
    planExists: p(`select 1 from plans where id = ?`),
    usage: p(`select coalesce(sum(input_octets + output_octets), 0) as total from usage_daily where service_id = ? and day >= ? and day <= ?`),
    topupBytes: p(`select coalesce(sum(bytes), 0) as total from data_topups where service_id = ? and period_start = ?`),
    insertDataTopup: p(`insert into data_topups (service_id, period_start, bytes, created_at, created_by) values (?, ?, ?, ?, ?)
      returning id, service_id as serviceId, period_start as periodStart, bytes, created_at as createdAt, created_by as createdBy`),
    capState: p(`select period_start as periodStart, tier from service_cap_state where service_id = ?`),
    setCapState: p(`insert into service_cap_state (service_id, period_start, tier, updated_at) values (?, ?, ?, ?)
      on conflict (service_id) do update set period_start = excluded.period_start, tier = excluded.tier, updated_at = excluded.updated_at`),
  };

  return {
    ...prepaidBase(db),
    ...serviceNotices(db),
    capService: (id: number) => s.capService.get(id) as CapServiceRow | undefined,
    reducedServices: () => s.reducedServices.all() as CapServiceRow[],
    tiersOf: (planId: number) => s.tiersOf.all(planId) as CapTier[],
    /** Plans with a data cap or fair-use tiers. */
    cappedPlanIds: () => s.cappedPlanIds.pluck().all() as number[],
    replaceTiers(planId: number, tiers: readonly CapTier[]): void {
      s.deleteTiers.run(planId);
      tiers.forEach((t, i) => s.insertTier.run(planId, i + 1, t.fromBytes, t.downloadKbps, t.uploadKbps));
    },
    planExists: (id: number) => s.planExists.get(id) !== undefined,
    usage: (serviceId: number, from: string, to: string) => (s.usage.get(serviceId, from, to) as { total: number }).total,
    topupBytes: (serviceId: number, periodStart: string) => (s.topupBytes.get(serviceId, periodStart) as { total: number }).total,
    insertDataTopup: (serviceId: number, periodStart: string, bytes: number, at: string, by: string) =>
      s.insertDataTopup.get(serviceId, periodStart, bytes, at, by) as { id: number; serviceId: number; periodStart: string; bytes: number; createdAt: string; createdBy: string },
    capState: (serviceId: number) => s.capState.get(serviceId) as { periodStart: string; tier: number } | undefined,
    setCapState: (serviceId: number, periodStart: string, tier: number, at: string) => void s.setCapState.run(serviceId, periodStart, tier, at),
  };
}

/** Only what a login's cap check reads: three prepared statements (the RADIUS server and CoA builder hold one each). */
export function capReadQueries(db: Db) {
  const c = db.$client;
  const tiers = c.prepare(`select from_bytes as fromBytes, download_kbps as downloadKbps, upload_kbps as uploadKbps from plan_cap_tiers where plan_id = ? order by from_bytes`);
  const usage = c.prepare(`select coalesce(sum(input_octets + output_octets), 0) as total from usage_daily where service_id = ? and day >= ? and day <= ?`);
  const topups = c.prepare(`select coalesce(sum(bytes), 0) as total from data_topups where service_id = ? and period_start = ?`);
  return {
    tiersOf: (planId: number) => tiers.all(planId) as CapTier[],
    usage: (serviceId: number, from: string, to: string) => (usage.get(serviceId, from, to) as { total: number }).total,
    topupBytes: (serviceId: number, periodStart: string) => (topups.get(serviceId, periodStart) as { total: number }).total,
  };
}
