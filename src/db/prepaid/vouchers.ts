/**
 * The voucher store: batches of codes, their one-time redemption, and the customer and service a
 * redemption may create.
 */
import { dialectSql } from '../dialect.js';
import type { SqlClient } from '../sql.js';
import { prepaidBase } from './shared.js';

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

const BATCH_COLS = `id, name, plan_id as "planId", count, code_length as "codeLength", price, valid_until as "validUntil", created_at as "createdAt", created_by as "createdBy"`;
const VOUCHER_COLS = `id, batch_id as "batchId", code, redeemed_at as "redeemedAt", service_id as "serviceId", redeemed_by as "redeemedBy"`;

export type VoucherByCode = VoucherRow & { planId: number; price: number; validUntil: string | null };
export type PlanRow = { id: number; type: string; name: string; validityDays: number | null; price: number };

/** Codes per INSERT: one parameter each statement, a few tens of kilobytes of JSON. */
const VOUCHER_CHUNK = 2000;

export type VoucherStore = ReturnType<typeof voucherStore>;

export function voucherStore(sql: SqlClient) {
  const d = dialectSql(sql.dialect);
  const s = {
    insertBatch: sql.prepare<VoucherBatchRow>(`insert into voucher_batches (name, plan_id, count, code_length, price, valid_until, created_at, created_by)
      values (@name, @planId, @count, @codeLength, @price, @validUntil, @createdAt, @createdBy) returning ${BATCH_COLS}`),
    // "where true": SQLite reads an ON CONFLICT after a bare SELECT's FROM as a join constraint.
    insertVouchers: sql.prepare(`insert into vouchers (batch_id, code) select cast(? as bigint), value from (${d.textList}) codes where true on conflict (code) do nothing`),
    batchCodesIn: sql.prepare<{ code: string }>(`select code from vouchers where batch_id = ? and code in (${d.textList})`),
    batch: sql.prepare<VoucherBatchRow>(`select ${BATCH_COLS} from voucher_batches where id = ?`),
    batches: sql.prepare<VoucherBatchRow & { redeemed: number }>(`select b.id, b.name, b.plan_id as "planId", b.count, b.code_length as "codeLength", b.price, b.valid_until as "validUntil",
        b.created_at as "createdAt", b.created_by as "createdBy", (select count(*) from vouchers v where v.batch_id = b.id and v.redeemed_at is not null) as redeemed
      from voucher_batches b where b.id > ? order by b.id limit ?`),
    vouchersOf: sql.prepare<VoucherRow>(`select ${VOUCHER_COLS} from vouchers where batch_id = ? order by id`),
    voucherByCode: sql.prepare<VoucherByCode>(`select v.id, v.batch_id as "batchId", v.code, v.redeemed_at as "redeemedAt", v.service_id as "serviceId", v.redeemed_by as "redeemedBy",
        b.plan_id as "planId", b.price, b.valid_until as "validUntil" from vouchers v join voucher_batches b on b.id = v.batch_id where v.code = ?`),
    redeem: sql.prepare(`update vouchers set redeemed_at = ?, service_id = ?, redeemed_by = ? where id = ? and redeemed_at is null`),
    planRow: sql.prepare<PlanRow>(`select id, type, name, validity_days as "validityDays", price from plans where id = ?`),
    insertCustomer: sql.prepare<{ id: number }>(`insert into customers (name, notes, created_at, updated_at) values (?, ?, ?, ?) returning id`),
    insertService: sql.prepare<{ id: number }>(`insert into services (customer_id, plan_id, username, password_enc, status, start_date, created_at, updated_at)
      values (?, ?, ?, ?, 'active', ?, ?, ?) returning id`),
    usernameTaken: sql.prepare(`select 1 as found from services where username = ?`),
    customerExists: sql.prepare(`select 1 as found from customers where id = ?`),
  };

  return {
    ...prepaidBase(sql),
    insertBatch: async (b: Omit<VoucherBatchRow, 'id'>): Promise<VoucherBatchRow> => (await s.insertBatch.get({ ...b }))!,
    /**
     * A batch's codes, in statements of VOUCHER_CHUNK codes; the codes that exist already (in an
     * earlier batch: the caller draws others for them). The caller's transaction makes it all or nothing.
     */
    async insertVouchers(batchId: number, codes: readonly string[]): Promise<string[]> {
      const taken: string[] = [];
      for (let i = 0; i < codes.length; i += VOUCHER_CHUNK) {
        const chunk = codes.slice(i, i + VOUCHER_CHUNK);
        const list = JSON.stringify(chunk);
        if ((await s.insertVouchers.run(batchId, list)).changes === chunk.length) continue;
        const mine = new Set((await s.batchCodesIn.all(batchId, list)).map((r) => r.code));
        for (const code of chunk) if (!mine.has(code)) taken.push(code);
      }
      return taken;
    },
    batch: (id: number): Promise<VoucherBatchRow | undefined> => s.batch.get(id),
    batches: (afterId: number, limit: number): Promise<(VoucherBatchRow & { redeemed: number })[]> => s.batches.all(afterId, limit),
    vouchersOf: (batchId: number): Promise<VoucherRow[]> => s.vouchersOf.all(batchId),
    voucherByCode: (code: string): Promise<VoucherByCode | undefined> => s.voucherByCode.get(code),
    /**
     * The single conditional UPDATE that makes a voucher redeem once: true for the one caller that won.
     * On PostgreSQL a concurrent caller's UPDATE waits for the winner's row lock and then finds the row
     * redeemed (READ COMMITTED re-checks the WHERE), so it too changes nothing.
     */
    redeem: async (voucherId: number, at: string, serviceId: number, by: string): Promise<boolean> => (await s.redeem.run(at, serviceId, by, voucherId)).changes === 1,
    plan: (id: number): Promise<PlanRow | undefined> => s.planRow.get(id),
    insertCustomer: async (name: string, notes: string, at: string): Promise<number> => (await s.insertCustomer.get(name, notes, at, at))!.id,
    insertService: async (customerId: number, planId: number, username: string, passwordEnc: string, startDate: string, at: string): Promise<number> =>
      (await s.insertService.get(customerId, planId, username, passwordEnc, startDate, at, at))!.id,
    usernameTaken: async (username: string): Promise<boolean> => (await s.usernameTaken.get(username)) !== undefined,
    customerExists: async (id: number): Promise<boolean> => (await s.customerExists.get(id)) !== undefined,
  };
}
