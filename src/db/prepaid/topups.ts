/**
 * The top-up store: a prepaid service's validity. Top-ups and the expiry they move, the services
 * whose expiry passed or comes near, and the notices already sent for them.
 */
import { bool, type Row } from '../billing/shared.js';
import { dialectSql } from '../dialect.js';
import type { SqlClient } from '../sql.js';
import { prepaidBase, serviceNotices } from './shared.js';

export interface TopupServiceRow {
  id: number;
  customerId: number;
  username: string;
  status: string;
  expiresAt: string | null;
  planId: number;
  planName: string;
  planType: 'recurring' | 'prepaid';
  validityDays: number | null;
  price: number;
  taxRateBp: number;
  taxInclusive: boolean;
}

export interface TopupRow {
  id: number;
  serviceId: number;
  source: 'payment' | 'voucher' | 'admin';
  days: number;
  previousExpiresAt: string | null;
  expiresAt: string;
  paymentId: number | null;
  invoiceId: number | null;
  voucherId: number | null;
  at: string;
  actor: string;
}

const TOPUP_COLS = `id, service_id as "serviceId", source, days, previous_expires_at as "previousExpiresAt", expires_at as "expiresAt",
  payment_id as "paymentId", invoice_id as "invoiceId", voucher_id as "voucherId", at, actor`;

const DAY_MS = 86_400_000;

/**
 * A plan's stored notice days as the windows they open ("7,3,1"): whole numbers only; a value that is
 * not a comma-separated list of them counts as no notice, as parseNoticeDays would refuse it.
 */
function windowDays(value: string): number[] {
  const trimmed = value.trim();
  if (trimmed === '') return [];
  const parts = trimmed.split(',').map((p) => p.trim());
  return parts.every((p) => /^\d+$/.test(p)) ? parts.map(Number) : [];
}

export interface ExpiringRow {
  id: number;
  customerId: number;
  username: string;
  expiresAt: string;
  noticeDays: string;
}

export type TopupStore = ReturnType<typeof topupStore>;

export function topupStore(sql: SqlClient) {
  const d = dialectSql(sql.dialect);
  const s = {
    topupService: sql.prepare<Row>(`select s.id, s.customer_id as "customerId", s.username, s.status, s.expires_at as "expiresAt", p.id as "planId", p.name as "planName",
        p.type as "planType", p.validity_days as "validityDays", p.price, p.tax_rate_bp as "taxRateBp", p.tax_inclusive as "taxInclusive"
      from services s join plans p on p.id = s.plan_id where s.id = ?`),
    setExpiry: sql.prepare(`update services set expires_at = ?, updated_at = ? where id = ?`),
    activate: sql.prepare(`update services set status = 'active', updated_at = ? where id = ? and status = 'proposal'`),
    insertTopup: sql.prepare<TopupRow>(`insert into prepaid_topups (service_id, source, days, previous_expires_at, expires_at, payment_id, invoice_id, voucher_id, at, actor)
      values (@serviceId, @source, @days, @previousExpiresAt, @expiresAt, @paymentId, @invoiceId, @voucherId, @at, @actor) returning ${TOPUP_COLS}`),
    topupsOf: sql.prepare<TopupRow>(`select ${TOPUP_COLS} from prepaid_topups where service_id = ? order by id`),
    // Services whose expiry has passed and whose cut-off has not been done for that expiry.
    expired: sql.prepare<{ id: number; customerId: number; username: string; expiresAt: string }>(`select s.id, s.customer_id as "customerId", s.username, s.expires_at as "expiresAt" from services s
      where s.expires_at is not null and s.expires_at <= ? and s.status in ('active', 'free', 'suspended')
      and not exists (select 1 from service_notices n where n.service_id = s.id and n.key = 'prepaid.expired:' || s.expires_at)
      order by s.expires_at, s.id`),
    // The notice days plans set themselves (a handful of distinct values): the longest window of all.
    planNoticeDays: sql.prepare<{ days: string }>(`select distinct prepaid_notice_days as days from plans where prepaid_notice_days is not null`),
    // Services that expire within the longest notice window, each with its plan's notice days (else
    // @global): which windows are open, and done, is decided in expiring() below.
    expiringCandidates: sql.prepare<ExpiringRow>(`select s.id, s.customer_id as "customerId", s.username, s.expires_at as "expiresAt",
        coalesce(p.prepaid_notice_days, @global) as "noticeDays" from services s join plans p on p.id = s.plan_id
      where s.expires_at is not null and s.expires_at > @now and s.expires_at <= @horizon and s.status in ('active', 'free')
      order by s.expires_at, s.id`),
    expiringDone: sql.prepare<{ serviceId: number; key: string }>(`select service_id as "serviceId", key from service_notices
      where service_id in (${d.idList}) and key like 'prepaid.expiring:%'`),
  };

  return {
    ...prepaidBase(sql),
    ...serviceNotices(sql),
    async topupService(id: number): Promise<TopupServiceRow | undefined> {
      const r = await s.topupService.get(id);
      return r ? { ...(r as unknown as TopupServiceRow), taxInclusive: bool(r.taxInclusive) } : undefined;
    },
    setExpiry: async (id: number, expiresAt: string, at: string): Promise<void> => void (await s.setExpiry.run(expiresAt, at, id)),
    activateProposal: async (id: number, at: string): Promise<boolean> => (await s.activate.run(at, id)).changes > 0,
    insertTopup: async (t: Omit<TopupRow, 'id'>): Promise<TopupRow> => (await s.insertTopup.get({ ...t }))!,
    topupsOf: (serviceId: number): Promise<TopupRow[]> => s.topupsOf.all(serviceId),
    expired: (nowIso: string) => s.expired.all(nowIso),
    /**
     * Services with an expiry notice window open and not done, by their plan's notice days or, where the
     * plan has none set, `globalDays` ("7,3,1"); each with the notice days that applied to it. A window
     * of N days is open from expiry - N days; the instants are ISO text, so they compare as strings.
     */
    async expiring(nowIso: string, globalDays: string): Promise<ExpiringRow[]> {
      const now = Date.parse(nowIso);
      const longest = Math.max(0, ...windowDays(globalDays), ...(await s.planNoticeDays.all()).flatMap((r) => windowDays(r.days)));
      if (longest === 0) return [];
      const horizon = new Date(now + longest * DAY_MS).toISOString();
      const open = new Map<number, { row: ExpiringRow; keys: string[] }>();
      for (const row of await s.expiringCandidates.all({ now: nowIso, global: globalDays, horizon })) {
        const keys = windowDays(row.noticeDays)
          .filter((days) => row.expiresAt <= new Date(now + days * DAY_MS).toISOString())
          .map((days) => `prepaid.expiring:${row.expiresAt}:${days}`);
        if (keys.length > 0) open.set(row.id, { row, keys });
      }
      if (open.size === 0) return [];
      const done = new Set((await s.expiringDone.all(JSON.stringify([...open.keys()]))).map((r) => `${r.serviceId} ${r.key}`));
      return [...open.values()].filter(({ row, keys }) => keys.some((k) => !done.has(`${row.id} ${k}`))).map(({ row }) => row);
    },
  };
}
