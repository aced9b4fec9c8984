// Prepaid vouchers: batches, their printable and CSV forms, and redemption.
import type { Static } from 'typebox';
import type * as P from '../../../src/http/prepaid-schemas.js';
import { apiUrl, http, type Body, type Page } from './http.js';

export type Batch = Static<typeof P.Batch>;
export type BatchQuery = Static<typeof P.BatchListQuery>;
export type Redemption = Static<typeof P.Redemption>;

export const listBatches = (query: BatchQuery = {}) => http.get<Page<Batch>>('/vouchers/batches', query);
export const createBatch = (body: Body) => http.post<Batch>('/vouchers/batches', body);
export const batchPdfUrl = (id: number) => apiUrl(`/vouchers/batches/${id}/vouchers.pdf`);
export const batchCsvUrl = (id: number) => apiUrl(`/vouchers/batches/${id}/vouchers.csv`);
export const redeemVoucher = (body: Body) => http.post<Redemption>('/vouchers/redeem', body);
