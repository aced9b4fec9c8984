// Payments received and the refunds of them.
import type { Static } from 'typebox';
import type * as B from '../../../src/http/billing-schemas.js';
import { apiUrl, http, type Body, type Page } from './http.js';

export type Payment = Static<typeof B.Payment>;
export type PaymentQuery = Static<typeof B.PaymentListQuery>;
export type Refund = Static<typeof B.Refund>;

export const listPayments = (query: PaymentQuery = {}) => http.get<Page<Payment>>('/payments', query);
export const createPayment = (body: Body) => http.post<Payment>('/payments', body);
export const refundPayment = (id: number, body: Body) => http.post<Refund>(`/payments/${id}/refund`, body);
export const paymentsCsvUrl = () => apiUrl('/exports/payments.csv');
