// An invoice's status badge, the same in the list and on the invoice's page.
import type { InvoiceSummary } from '../data/invoices.js';
import { badge, todayIso } from '../ui.js';

/** The invoice's status, or "overdue" when something is open past the due date. */
export const invoiceStatus = (i: InvoiceSummary) => badge(i.open > 0 && i.dueDate < todayIso() ? 'overdue' : i.status);
