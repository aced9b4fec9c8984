// Prepaid vouchers: batches, their printable and CSV forms, and redemption.
import { apiUrl, http, type Body, type Page, type Paging } from './http.js';

// These schemas sit in the prepaid routes, beside server-only code: copies of the parts the UI reads.
export interface Batch { id: number; name: string; planId: number; count: number; price: number; validUntil: string | null; createdAt: string; redeemed?: number }
export interface Redemption { voucherId: number; serviceId: number; customerId: number; username: string; created: boolean; expiresAt: string; invoiceId: number | null }

export const listBatches = (query: Paging = {}) => http.get<Page<Batch>>('/vouchers/batches', query);
export const createBatch = (body: Body) => http.post<Batch>('/vouchers/batches', body);
export const batchPdfUrl = (id: number) => apiUrl(`/vouchers/batches/${id}/vouchers.pdf`);
export const batchCsvUrl = (id: number) => apiUrl(`/vouchers/batches/${id}/vouchers.csv`);
export const redeemVoucher = (body: Body) => http.post<Redemption>('/vouchers/redeem', body);
