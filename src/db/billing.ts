/**
 * The billing repository: every SQL statement the billing services need, prepared once, in four
 * stores split by what they own (src/db/billing/): invoices, payments, contracts, promotions.
 * A service that needs one of them takes only that one; `billingStore` is all of them together.
 *
 * Every function is asynchronous and runs on either backend (SqlClient). Functions here do not open
 * transactions, except `transaction()` itself: the services decide what is atomic. Every store's
 * `transaction()` is the client's, and the stores' statements join the one open in their async
 * context, so a change that writes through several stores (an invoice issued and settled from
 * credit) is one transaction whichever store opened it.
 */
import type { SqlClient } from './sql.js';
import { contractStore, type ContractStore } from './billing/contracts.js';
import { invoiceStore, type InvoiceStore } from './billing/invoices.js';
import { paymentStore, type PaymentStore } from './billing/payments.js';
import { promotionStore, type PromotionStore } from './billing/promotions.js';

export { contractStore, type ChargeRow, type CloseCandidate, type ContractStore, type ItemRow, type PlanSwitchRow, type ServiceTerms, type TermsRow } from './billing/contracts.js';
export { invoiceStore, toAccount, type BillingRunRow, type InvoiceFilter, type InvoiceLineRow, type InvoiceRow, type InvoiceStore } from './billing/invoices.js';
export { paymentStore, type CreditNoteRow, type PaymentFilter, type PaymentRow, type PaymentStore, type RefundRow } from './billing/payments.js';
export { promotionStore, type PromotionRow, type PromotionStore } from './billing/promotions.js';

export type BillingStore = InvoiceStore & PaymentStore & ContractStore & PromotionStore;

export function billingStore(sql: SqlClient): BillingStore {
  return { ...invoiceStore(sql), ...paymentStore(sql), ...contractStore(sql), ...promotionStore(sql) };
}
