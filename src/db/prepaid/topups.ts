/**
 * The top-up store: a prepaid service's validity. Top-ups and the expiry they move, the services
 * whose expiry passed or comes near, and the notices already sent for them.
 */
import type { Db } from '../client.js';
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
  taxInclusive: number;
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

const TOPUP_COLS = `id, service_id as serviceId, source, days, previous_expires_at as previousExpiresAt, expires_at as expiresAt,
  payment_id as paymentId, invoice_id as invoiceId, voucher_id as voucherId, at, actor`;

export type TopupStore = ReturnType<typeof topupStore>;

export function topupStore(db: Db) {
  const p = (sql: string) => db.$client.prepare(sql);
  const s = {
    topupService: p(`select s.id, s.customer_id as customerId, s.username, s.status, s.expires_at as expiresAt, p.id as planId, p.name as planName,
        p.type as planType, p.validity_days as validityDays, p.price, p.tax_rate_bp as taxRateBp, p.tax_inclusive as taxInclusive
      from services s join plans p on p.id = s.plan_id where s.id = ?`),
    setExpiry: p(`update services set expires_at = ?, updated_at = ? where id = ?`),
    activate: p(`update services set status = 'active', updated_at = ? where id = ? and status = 'proposal'`),
    insertTopup: p(`insert into prepaid_topups (service_id, source, days, previous_expires_at, expires_at, payment_id, invoice_id, voucher_id, at, actor)
      values (@serviceId, @source, @days, @previousExpiresAt, @expiresAt, @paymentId, @invoiceId, @voucherId, @at, @actor) returning ${TOPUP_COLS}`),
    topupsOf: p(`select ${TOPUP_COLS} from prepaid_topups where service_id = ? order by id`),
    // Services whose expiry has passed and whose cut-off has not been done for that expiry.
    expired: p(`select s.id, s.customer_id as customerId, s.username, s.expires_at as expiresAt from services s
      where s.expires_at is not null and s.expires_at <= ? and s.status in ('active', 'free', 'suspended')
      and not exists (select 1 from service_notices n where n.service_id = s.id and n.key = 'prepaid.expired:' || s.expires_at)
      order by s.expires_at, s.id`),
    // Services with an expiry notice due and not done, each by its plan's notice days (the plan's
    // prepaid_notice_days, else @global; both "7,3,1", so '[' || days || ']' is a JSON array; a value
    // that is not one counts as no notice). A window of N days is open from expiry - N days.
    expiring: p(`select s.id, s.customer_id as customerId, s.username, s.expires_at as expiresAt,
        coalesce(p.prepaid_notice_days, @global) as noticeDays from services s join plans p on p.id = s.plan_id
      where s.expires_at is not null and s.expires_at > @now and s.status in ('active', 'free')
      and exists (select 1 from json_each(case when json_valid('[' || coalesce(p.prepaid_notice_days, @global) || ']')
          then '[' || coalesce(p.prepaid_notice_days, @global) || ']' else '[]' end) d
        where d.type = 'integer' and s.expires_at <= strftime('%Y-%m-%dT%H:%M:%fZ', @now, '+' || d.value || ' days')
        and not exists (select 1 from service_notices n where n.service_id = s.id
          and n.key = 'prepaid.expiring:' || s.expires_at || ':' || d.value))
      order by s.expires_at, s.id`),
  };

  return {
    ...prepaidBase(db),
    ...serviceNotices(db),
    topupService: (id: number) => s.topupService.get(id) as TopupServiceRow | undefined,
    setExpiry: (id: number, expiresAt: string, at: string) => void s.setExpiry.run(expiresAt, at, id),
    activateProposal: (id: number, at: string) => s.activate.run(at, id).changes > 0,
    insertTopup: (t: Omit<TopupRow, 'id'>) => s.insertTopup.get(t) as TopupRow,
    topupsOf: (serviceId: number) => s.topupsOf.all(serviceId) as TopupRow[],
    expired: (nowIso: string) => s.expired.all(nowIso) as { id: number; customerId: number; username: string; expiresAt: string }[],
    /**
     * Services with an expiry notice window open and not done, by their plan's notice days or, where the
     * plan has none set, `globalDays` ("7,3,1"); each with the notice days that applied to it.
     */
    expiring: (nowIso: string, globalDays: string) =>
      s.expiring.all({ now: nowIso, global: globalDays }) as { id: number; customerId: number; username: string; expiresAt: string; noticeDays: string }[],
  };
}
