/**
 * SQL for prepaid validity, vouchers and data caps, in three stores (src/db/prepaid/): top-ups,
 * vouchers, caps. Plain prepared statements; the services around them (src/billing/prepaid.ts,
 * vouchers.ts, caps.ts) take the store they use and decide what is one transaction, which spans
 * stores freely: every one opens it on the same connection. `prepaidStore` is all three together.
 */
import type { Db } from './client.js';
import { capStore, type CapStore } from './prepaid/caps.js';
import { topupStore, type TopupStore } from './prepaid/topups.js';
import { voucherStore, type VoucherStore } from './prepaid/vouchers.js';

export { capReadQueries, capStore, type CapServiceRow, type CapStore } from './prepaid/caps.js';
export { topupStore, type TopupRow, type TopupServiceRow, type TopupStore } from './prepaid/topups.js';
export { voucherStore, type VoucherBatchRow, type VoucherRow, type VoucherStore } from './prepaid/vouchers.js';

export type PrepaidStore = TopupStore & VoucherStore & CapStore;

export function prepaidStore(db: Db): PrepaidStore {
  return { ...topupStore(db), ...voucherStore(db), ...capStore(db) };
}
