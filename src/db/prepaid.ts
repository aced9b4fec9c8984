/**
 * SQL for prepaid validity, vouchers and data caps. Plain prepared statements; the services around
 * them (src/billing/prepaid.ts, vouchers.ts, caps.ts) decide what is one transaction.
 */
import type Database from 'better-sqlite3';
import type { CapTier } from '../domain/billing/caps.js';
import type { Db } from './client.js';

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

export interface VoucherBatchRow {
  id: number;
  name: string;
  planId: number;
  count: number;
  codeLength: number;
  price: number;
  validUntil: string | null;
  createdAt: string;
  createdBy: string;
}

export interface VoucherRow {
  id: number;
  batchId: number;
  code: string;
  redeemedAt: string | null;
  serviceId: number | null;
  redeemedBy: string | null;
}

const TOPUP_COLS = `id, service_id as serviceId, source, days, previous_expires_at as previousExpiresAt, expires_at as expiresAt,
  payment_id as paymentId, invoice_id as invoiceId, voucher_id as voucherId, at, actor`;
const CAP_COLS = `s.id, s.customer_id as customerId, s.username, s.status, s.start_date as startDate, p.id as planId, p.data_cap_bytes as dataCapBytes,
  p.cap_action as capAction, p.throttle_download_kbps as throttleDownloadKbps, p.throttle_upload_kbps as throttleUploadKbps,
  p.download_kbps as downloadKbps, p.upload_kbps as uploadKbps,
  coalesce(b.billing_period_months, p.billing_period_months, 1) as periodMonths, coalesce(b.billing_day, 'anniversary') as billingDay`;
const BATCH_COLS = `id, name, plan_id as planId, count, code_length as codeLength, price, valid_until as validUntil, created_at as createdAt, created_by as createdBy`;
const VOUCHER_COLS = `id, batch_id as batchId, code, redeemed_at as redeemedAt, service_id as serviceId, redeemed_by as redeemedBy`;

export type PrepaidStore = ReturnType<typeof prepaidStore>;

export function prepaidStore(db: Db) {
  const c: Database.Database = db.$client;
  const p = (sql: string) => c.prepare(sql);
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
    noticeKeys: p(`select key from service_notices where service_id = ? and key like ? escape '\\'`),
    markNotice: p(`insert into service_notices (service_id, key, at) values (?, ?, ?) on conflict do nothing`),
    unmarkNotice: p(`delete from service_notices where service_id = ? and key = ?`),

    // ---- vouchers
    insertBatch: p(`insert into voucher_batches (name, plan_id, count, code_length, price, valid_until, created_at, created_by)
      values (@name, @planId, @count, @codeLength, @price, @validUntil, @createdAt, @createdBy) returning ${BATCH_COLS}`),
    insertVoucher: p(`insert into vouchers (batch_id, code) values (?, ?) on conflict (code) do nothing`),
    codeExists: p(`select 1 from vouchers where code = ?`),
    batch: p(`select ${BATCH_COLS} from voucher_batches where id = ?`),
    batches: p(`select b.id, b.name, b.plan_id as planId, b.count, b.code_length as codeLength, b.price, b.valid_until as validUntil,
        b.created_at as createdAt, b.created_by as createdBy, (select count(*) from vouchers v where v.batch_id = b.id and v.redeemed_at is not null) as redeemed
      from voucher_batches b where b.id > ? order by b.id limit ?`),
    vouchersOf: p(`select ${VOUCHER_COLS} from vouchers where batch_id = ? order by id`),
    voucherByCode: p(`select v.id, v.batch_id as batchId, v.code, v.redeemed_at as redeemedAt, v.service_id as serviceId, v.redeemed_by as redeemedBy,
        b.plan_id as planId, b.price, b.valid_until as validUntil from vouchers v join voucher_batches b on b.id = v.batch_id where v.code = ?`),
    redeem: p(`update vouchers set redeemed_at = ?, service_id = ?, redeemed_by = ? where id = ? and redeemed_at is null`),
    planRow: p(`select id, type, name, validity_days as validityDays, price from plans where id = ?`),
    insertCustomer: p(`insert into customers (name, notes, created_at, updated_at) values (?, ?, ?, ?) returning id`),
    insertService: p(`insert into services (customer_id, plan_id, username, password_enc, status, start_date, created_at, updated_at)
      values (?, ?, ?, ?, 'active', ?, ?, ?) returning id`),
    usernameTaken: p(`select 1 from services where username = ?`),
    customerExists: p(`select 1 from customers where id = ?`),

    // ---- data caps
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
    audit: p(`insert into audit_log (at, actor, actor_ip, action, entity, entity_id, before, after) values (?, ?, ?, ?, ?, ?, ?, ?)`),
  };

  return {
    transaction<T>(fn: () => T): T {
      return c.transaction(fn).immediate();
    },
    audit(actor: { id: string; ip?: string | undefined }, at: string, action: string, entity: string, entityId: number | string, before: unknown, after: unknown): void {
      s.audit.run(at, actor.id, actor.ip ?? null, action, entity, String(entityId), before === undefined ? null : JSON.stringify(before), after === undefined ? null : JSON.stringify(after));
    },

    // ---- prepaid
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
    /** Keys done for a service that start with `prefix`. */
    noticeKeys: (serviceId: number, prefix: string) =>
      (s.noticeKeys.all(serviceId, `${prefix.replace(/[\\%_]/g, (m) => `\\${m}`)}%`) as { key: string }[]).map((r) => r.key),
    /** Records a notice or action as done; false when it was done already. */
    markNotice: (serviceId: number, key: string, at: string) => s.markNotice.run(serviceId, key, at).changes > 0,
    unmarkNotice: (serviceId: number, key: string) => void s.unmarkNotice.run(serviceId, key),

    // ---- vouchers
    insertBatch: (b: Omit<VoucherBatchRow, 'id'>) => s.insertBatch.get(b) as VoucherBatchRow,
    /** False when the code exists already (then the caller draws another). */
    insertVoucher: (batchId: number, code: string) => s.insertVoucher.run(batchId, code).changes > 0,
    codeExists: (code: string) => s.codeExists.get(code) !== undefined,
    batch: (id: number) => s.batch.get(id) as VoucherBatchRow | undefined,
    batches: (afterId: number, limit: number) => s.batches.all(afterId, limit) as (VoucherBatchRow & { redeemed: number })[],
    vouchersOf: (batchId: number) => s.vouchersOf.all(batchId) as VoucherRow[],
    voucherByCode: (code: string) => s.voucherByCode.get(code) as (VoucherRow & { planId: number; price: number; validUntil: string | null }) | undefined,
    /** The single conditional UPDATE that makes a voucher redeem once: true for the one caller that won. */
    redeem: (voucherId: number, at: string, serviceId: number, by: string) => s.redeem.run(at, serviceId, by, voucherId).changes === 1,
    plan: (id: number) => s.planRow.get(id) as { id: number; type: string; name: string; validityDays: number | null; price: number } | undefined,
    insertCustomer: (name: string, notes: string, at: string) => (s.insertCustomer.get(name, notes, at, at) as { id: number }).id,
    insertService: (customerId: number, planId: number, username: string, passwordEnc: string, startDate: string, at: string) =>
      (s.insertService.get(customerId, planId, username, passwordEnc, startDate, at, at) as { id: number }).id,
    usernameTaken: (username: string) => s.usernameTaken.get(username) !== undefined,
    customerExists: (id: number) => s.customerExists.get(id) !== undefined,

    // ---- data caps
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
  const c: Database.Database = db.$client;
  const tiers = c.prepare(`select from_bytes as fromBytes, download_kbps as downloadKbps, upload_kbps as uploadKbps from plan_cap_tiers where plan_id = ? order by from_bytes`);
  const usage = c.prepare(`select coalesce(sum(input_octets + output_octets), 0) as total from usage_daily where service_id = ? and day >= ? and day <= ?`);
  const topups = c.prepare(`select coalesce(sum(bytes), 0) as total from data_topups where service_id = ? and period_start = ?`);
  return {
    tiersOf: (planId: number) => tiers.all(planId) as CapTier[],
    usage: (serviceId: number, from: string, to: string) => (usage.get(serviceId, from, to) as { total: number }).total,
    topupBytes: (serviceId: number, periodStart: string) => (topups.get(serviceId, periodStart) as { total: number }).total,
  };
}
