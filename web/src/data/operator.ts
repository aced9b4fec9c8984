// The operator's overview and checklist, payment totals and receipts, RADIUS drops, and a
// subscriber's password read back.
import type { Static } from 'typebox';
import type * as B from '../../../src/http/billing-schemas.js';
import type * as D from '../../../src/http/drops-schemas.js';
import type * as O from '../../../src/http/overview-schemas.js';
import { apiUrl, http } from './http.js';

export type Overview = Static<typeof O.Overview>;
export type Checklist = Static<typeof O.Checklist>;
export type PaymentTotals = Static<typeof B.PaymentTotals>;
export type PaymentTotalsQuery = Static<typeof B.PaymentTotalsQuery>;
export type DropCounters = Static<typeof D.DropCounters>;
export type DroppedRequests = Static<typeof D.DroppedRequests>;
export interface RevealedPassword { serviceId: number; username: string; password: string }

export const getOverview = () => http.get<Overview>('/dashboard/overview');
export const getChecklist = () => http.get<Checklist>('/dashboard/checklist');
export const paymentTotals = (query: PaymentTotalsQuery = {}) => http.get<PaymentTotals>('/payments/totals', query);
export const receiptPdfUrl = (paymentId: number) => apiUrl(`/payments/${paymentId}/pdf`);
export const nasDrops = (nasId: number) => http.get<DropCounters>(`/nas/${nasId}/drops`);
export const unknownSourceDrops = () => http.get<DropCounters>('/radius-drops', { unknown: true });
export const serviceDrops = (serviceId: number) => http.get<DroppedRequests>(`/services/${serviceId}/radius-drops`);
export const revealPassword = (serviceId: number) => http.post<RevealedPassword>(`/services/${serviceId}/password/reveal`);
