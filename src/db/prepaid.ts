/**
 * SQL for prepaid validity, vouchers and data caps, in three stores (src/db/prepaid/): top-ups,
 * vouchers, caps. Plain prepared statements on the SqlClient, either backend; the services around
 * them (src/billing/prepaid.ts, vouchers.ts, caps.ts) take the store they use and decide what is one
 * transaction, which spans stores freely: a statement joins the transaction open in its async
 * context. `prepaidStore` is all three together.
 */
import type { SqlClient } from './sql.js';
import { capStore, type CapStore } from './prepaid/caps.js';
import { topupStore, type TopupStore } from './prepaid/topups.js';
import { voucherStore, type VoucherStore } from './prepaid/vouchers.js';

export { capReadQueries, capReadQueriesSync, capStore, type CapServiceRow, type CapStore, type DataTopupRow } from './prepaid/caps.js';
export { topupStore, type ExpiringRow, type TopupRow, type TopupServiceRow, type TopupStore } from './prepaid/topups.js';
export { voucherStore, type VoucherBatchRow, type VoucherByCode, type VoucherRow, type VoucherStore } from './prepaid/vouchers.js';

export type PrepaidStore = TopupStore & VoucherStore & CapStore;

export function prepaidStore(sql: SqlClient): PrepaidStore {
  return { ...topupStore(sql), ...voucherStore(sql), ...capStore(sql) };
}
