/**
 * The cap store: data caps and fair-use tiers. A service's cap facts, the tiers of a plan, usage
 * and data top-ups of a period, the tier each service was last told, and the cap notices sent.
 */
import type { CapTier } from '../../domain/billing/caps.js';
import { ids } from '../billing/shared.js';
import type { Db } from '../client.js';
import { dialectSql } from '../dialect.js';
import type { SqlClient } from '../sql.js';
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

const CAP_COLS = `s.id, s.customer_id as "customerId", s.username, s.status, s.start_date as "startDate", p.id as "planId", p.data_cap_bytes as "dataCapBytes",
  p.cap_action as "capAction", p.throttle_download_kbps as "throttleDownloadKbps", p.throttle_upload_kbps as "throttleUploadKbps",
  p.download_kbps as "downloadKbps", p.upload_kbps as "uploadKbps",
  coalesce(b.billing_period_months, p.billing_period_months, 1) as "periodMonths", coalesce(b.billing_day, 'anniversary') as "billingDay"`;

const TIERS = `select from_bytes as "fromBytes", download_kbps as "downloadKbps", upload_kbps as "uploadKbps" from plan_cap_tiers where plan_id = ? order by from_bytes`;
/**
 * A period's usage and its data top-ups as two scalar subqueries, over a service and period named by
 * SQL expressions: parameters for one service, a batch's columns for many.
 */
function periodTotalsSql(service: string, start: string, end: string): string {
  return `(select coalesce(sum(u.input_octets + u.output_octets), 0) from usage_daily u where u.service_id = ${service} and u.day >= ${start} and u.day <= ${end}) as "usedBytes",
    (select coalesce(sum(t.bytes), 0) from data_topups t where t.service_id = ${service} and t.period_start = ${start}) as "topupBytes"`;
}
/** A period's usage and top-ups in one round trip (service, start, end, service, start): a login, the watcher's cross-check, the API. */
const PERIOD_TOTALS = `select ${periodTotalsSql('?', '?', '?')}`;

export interface DataTopupRow {
  id: number;
  serviceId: number;
  periodStart: string;
  bytes: number;
  createdAt: string;
  createdBy: string;
}

/** A service whose sessions were told a reduced tier (or a block), with that tier and its period. */
export interface ReducedServiceRow extends CapServiceRow {
  statePeriodStart: string;
  stateTier: number;
}

/** A service's cap period, for the reads of many services at once. */
export interface ServicePeriod {
  serviceId: number;
  start: string;
  end: string;
}

/** What a data-cap counter starts from, for one service of a batch. */
export interface CounterFacts {
  serviceId: number;
  /** Traffic of the period's days. */
  usedBytes: number;
  /** Data top-ups of the period. */
  topupBytes: number;
  /** The tier its sessions were last told, and the period that was in. */
  state: { periodStart: string; tier: number } | undefined;
  /** The cap notices done for it (keys starting `cap.`), any period. */
  noticeKeys: string[];
}

export type CapStore = ReturnType<typeof capStore>;

export function capStore(sql: SqlClient) {
  const d = dialectSql(sql.dialect);
  const s = {
    capService: sql.prepare<CapServiceRow>(`select ${CAP_COLS} from services s join plans p on p.id = s.plan_id left join service_billing b on b.service_id = s.id where s.id = ?`),
    // Only services whose plan has a cap or tiers: on a network that caps a few plans, most of a
    // batch's services are read as absent rather than as rows.
    capServices: sql.prepare<CapServiceRow>(`select ${CAP_COLS} from services s join plans p on p.id = s.plan_id left join service_billing b on b.service_id = s.id
      where s.id in (${d.idList}) and (p.data_cap_bytes is not null or exists (select 1 from plan_cap_tiers t where t.plan_id = p.id))`),
    tiersOfPlans: sql.prepare<CapTier & { planId: number }>(`select plan_id as "planId", from_bytes as "fromBytes", download_kbps as "downloadKbps", upload_kbps as "uploadKbps"
      from plan_cap_tiers where plan_id in (${d.idList}) order by plan_id, from_bytes`),
    // Each service's own period: usage and top-ups by the (service, day) and (service, period) keys.
    counterFacts: sql.prepare<{ serviceId: number; usedBytes: number; topupBytes: number; statePeriod: string | null; stateTier: number | null }>(
      `select q."id" as "serviceId", ${periodTotalsSql('q."id"', 'q."start"', 'q."end"')}, cs.period_start as "statePeriod", cs.tier as "stateTier"
      from (${d.jsonRows({ id: 'integer', start: 'text', end: 'text' })}) q left join service_cap_state cs on cs.service_id = q."id"`,
    ),
    capNotices: sql.prepare<{ serviceId: number; key: string }>(`select service_id as "serviceId", key from service_notices
      where service_id in (${d.idList}) and key like 'cap.%'`),
    // Services whose sessions were told a reduced tier (or a block): the only ones a period reset changes.
    reducedServices: sql.prepare<ReducedServiceRow>(`select ${CAP_COLS}, cs.period_start as "statePeriodStart", cs.tier as "stateTier"
      from service_cap_state cs join services s on s.id = cs.service_id join plans p on p.id = s.plan_id
      left join service_billing b on b.service_id = s.id where cs.tier > 0 order by s.id`),
    cappedPlanIds: sql.prepare<{ id: number }>(`select id from plans where data_cap_bytes is not null union select plan_id from plan_cap_tiers`),
    deleteTiers: sql.prepare(`delete from plan_cap_tiers where plan_id = ?`),
    insertTier: sql.prepare(`insert into plan_cap_tiers (plan_id, position, from_bytes, download_kbps, upload_kbps) values (?, ?, ?, ?, ?)`),
    planExists: sql.prepare(`select 1 as found from plans where id = ?`),
    insertDataTopup: sql.prepare<DataTopupRow>(`insert into data_topups (service_id, period_start, bytes, created_at, created_by) values (?, ?, ?, ?, ?)
      returning id, service_id as "serviceId", period_start as "periodStart", bytes, created_at as "createdAt", created_by as "createdBy"`),
    dataTopups: sql.prepare<DataTopupRow>(`select id, service_id as "serviceId", period_start as "periodStart", bytes, created_at as "createdAt", created_by as "createdBy"
      from data_topups where service_id = ? order by id desc limit ?`),
    capState: sql.prepare<{ periodStart: string; tier: number }>(`select period_start as "periodStart", tier from service_cap_state where service_id = ?`),
    setCapState: sql.prepare(`insert into service_cap_state (service_id, period_start, tier, updated_at) values (?, ?, ?, ?)
      on conflict (service_id) do update set period_start = excluded.period_start, tier = excluded.tier, updated_at = excluded.updated_at`),
  };

  return {
    ...prepaidBase(sql),
    ...serviceNotices(sql),
    // tiersOf and periodTotals: the same reads as a login's.
    ...capReadQueries(sql),
    capService: (id: number): Promise<CapServiceRow | undefined> => s.capService.get(id),
    /** capService of many services in one read, those on a plan with a cap or tiers; the others, and services deleted, are absent. */
    capServices: (serviceIds: readonly number[]): Promise<CapServiceRow[]> => s.capServices.all(ids(serviceIds)),
    /** The tiers of each of these plans, [] for a plan without. */
    async tiersOfPlans(planIds: readonly number[]): Promise<Map<number, CapTier[]>> {
      const out = new Map<number, CapTier[]>(planIds.map((id) => [id, []]));
      for (const { planId, ...tier } of await s.tiersOfPlans.all(ids(planIds))) out.get(planId)?.push(tier);
      return out;
    },
    /** What each service's data-cap counter starts from, for its own period: two reads for any number of services. */
    async counterFacts(periods: readonly ServicePeriod[]): Promise<CounterFacts[]> {
      if (periods.length === 0) return [];
      const rows = await s.counterFacts.all(JSON.stringify(periods.map((p) => ({ id: p.serviceId, start: p.start, end: p.end }))));
      const keys = new Map<number, string[]>();
      for (const n of await s.capNotices.all(ids(periods.map((p) => p.serviceId)))) {
        const list = keys.get(n.serviceId);
        if (list) list.push(n.key);
        else keys.set(n.serviceId, [n.key]);
      }
      return rows.map((r) => ({
        serviceId: r.serviceId, usedBytes: r.usedBytes, topupBytes: r.topupBytes,
        state: r.statePeriod === null || r.stateTier === null ? undefined : { periodStart: r.statePeriod, tier: r.stateTier },
        noticeKeys: keys.get(r.serviceId) ?? [],
      }));
    },
    reducedServices: (): Promise<ReducedServiceRow[]> => s.reducedServices.all(),
    /** Plans with a data cap or fair-use tiers. */
    cappedPlanIds: async (): Promise<number[]> => (await s.cappedPlanIds.all()).map((r) => r.id),
    async replaceTiers(planId: number, tiers: readonly CapTier[]): Promise<void> {
      await s.deleteTiers.run(planId);
      for (const [i, t] of tiers.entries()) await s.insertTier.run(planId, i + 1, t.fromBytes, t.downloadKbps, t.uploadKbps);
    },
    planExists: async (id: number): Promise<boolean> => (await s.planExists.get(id)) !== undefined,
    insertDataTopup: async (serviceId: number, periodStart: string, bytes: number, at: string, by: string): Promise<DataTopupRow> =>
      (await s.insertDataTopup.get(serviceId, periodStart, bytes, at, by))!,
    /** A service's data top-ups, newest first. */
    dataTopups: (serviceId: number, limit: number): Promise<DataTopupRow[]> => s.dataTopups.all(serviceId, limit),
    capState: (serviceId: number): Promise<{ periodStart: string; tier: number } | undefined> => s.capState.get(serviceId),
    setCapState: async (serviceId: number, periodStart: string, tier: number, at: string): Promise<void> => void (await s.setCapState.run(serviceId, periodStart, tier, at)),
  };
}

/** A period's traffic and data top-ups of one service. */
export interface PeriodTotals {
  usedBytes: number;
  topupBytes: number;
}

/** Only what a login's cap check reads: two prepared statements, for the login cap checker (src/aaa/caps.ts); capStore has them too. */
export function capReadQueries(sql: SqlClient) {
  const tiers = sql.prepare<CapTier>(TIERS);
  const totals = sql.prepare<PeriodTotals>(PERIOD_TOTALS);
  return {
    tiersOf: (planId: number): Promise<CapTier[]> => tiers.all(planId),
    /** A service's usage and top-ups of the period from `start` to `end`, one round trip (a login on a capped plan waits for it). */
    periodTotals: async (serviceId: number, start: string, end: string): Promise<PeriodTotals> => (await totals.get(serviceId, start, end, serviceId, start))!,
  };
}

/**
 * capReadQueries' reads answered synchronously, SQLite only: the bridge for the Access-Request
 * path while it cannot await (src/aaa/caps.ts `LoginCapChecker.check`). Goes once that path awaits
 * `LoginCapChecker.load`.
 */
export function capReadQueriesSync(db: Db) {
  const c = db.$client;
  const tiers = c.prepare(TIERS);
  const totals = c.prepare(PERIOD_TOTALS);
  return {
    tiersOf: (planId: number) => tiers.all(planId) as CapTier[],
    periodTotals: (serviceId: number, start: string, end: string) => totals.get(serviceId, start, end, serviceId, start) as PeriodTotals,
  };
}
