// What a service's contract bills beside its plan, and its end: the terms, the cancellation with its
// quote, recurring items (equipment rent), one-off charges (installation), discounts, data top-ups
// and the prepaid top-ups' history. These lists come whole (no paging): each takes its one filter.
import type { Static } from 'typebox';
import type * as B from '../../../src/http/billing-schemas.js';
import type * as P from '../../../src/http/prepaid-schemas.js';
import { http, type Body, type Page } from './http.js';
import type { ServiceTerms } from './services.js';

export type Cancellation = Static<typeof B.Cancellation>;
export type CancelQuote = Static<typeof B.CancelQuote>;
export type RecurringItem = Static<typeof B.Item>;
export type Charge = Static<typeof B.Charge>;
export type Discount = Static<typeof B.Discount>;
export type Usage = Static<typeof P.Usage>;
export type DataTopup = Static<typeof P.DataTopupRecord>;
export type Topup = Static<typeof P.Topup>;

/** The dates a cancellation takes (and its quote). */
export interface CancelDates {
  noticeDate?: string;
  endDate?: string;
}

export const setTerms = (serviceId: number, body: Body) => http.patch<ServiceTerms>(`/services/${serviceId}/billing`, body);
export const cancelQuote = (serviceId: number, dates: CancelDates) => http.get<CancelQuote>(`/services/${serviceId}/cancel-quote`, dates);
export const cancelService = (serviceId: number, dates: CancelDates) => http.post<Cancellation>(`/services/${serviceId}/cancel`, dates);

export const listItems = (serviceId: number) => http.get<Page<RecurringItem>>('/recurring-items', { serviceId });
export const createItem = (body: Body) => http.post<RecurringItem>('/recurring-items', body);
export const listCharges = (customerId: number) => http.get<Page<Charge>>('/charges', { customerId });
export const createCharge = (body: Body) => http.post<Charge>('/charges', body);
export const listDiscounts = (customerId: number) => http.get<Page<Discount>>('/discounts', { customerId });
export const createDiscount = (body: Body) => http.post<Discount>('/discounts', body);

export const serviceUsage = (serviceId: number) => http.get<Usage>(`/services/${serviceId}/usage`);
export const addData = (serviceId: number, bytes: number) => http.post<DataTopup & { usage: Usage }>(`/services/${serviceId}/data-topup`, { bytes });
export const listDataTopups = (serviceId: number) => http.get<Page<DataTopup>>(`/services/${serviceId}/data-topups`);
export const listTopups = (serviceId: number) => http.get<Page<Topup>>(`/services/${serviceId}/topups`);
