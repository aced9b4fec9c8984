/**
 * The voucher store: batches of codes, their one-time redemption, and the customer and service a
 * redemption may create.
 */
import type { Db } from '../client.js';
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

const BATCH_COLS = `id, name, plan_id as planId, count, code_length as codeLength, price, valid_until as validUntil, created_at as createdAt, created_by as createdBy`;
const VOUCHER_COLS = `id, batch_id as batchId, code, redeemed_at as redeemedAt, service_id as serviceId, redeemed_by as redeemedBy`;

export type VoucherStore = ReturnType<typeof voucherStore>;

export function voucherStore(db: Db) {
  const p = (sql: string) => db.$client.prepare(sql);
  const s = {
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
  };

  return {
    ...prepaidBase(db),
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
  };
}
