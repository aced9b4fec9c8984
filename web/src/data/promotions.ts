// Promotions: one discount given in bulk to the services of a plan (new contracts too, if asked) or to
// a list of services.
import type { Static } from 'typebox';
import type * as B from '../../../src/http/billing-schemas.js';
import { http, type Body, type Page, type Paging } from './http.js';

export type Promotion = Static<typeof B.Promotion>;
export type PromotionWithServices = Static<typeof B.PromotionWithServices>;

export const listPromotions = (query: Paging = {}) => http.get<Page<Promotion>>('/promotions', query);
export const getPromotion = (id: number) => http.get<PromotionWithServices>(`/promotions/${id}`);
export const createPromotion = (body: Body) => http.post<PromotionWithServices>('/promotions', body);
/** New contracts starting after `newUntil` no longer get it; services that have it keep it. */
export const endPromotionForNew = (id: number, body: Body) => http.post<PromotionWithServices>(`/promotions/${id}/end`, body);
