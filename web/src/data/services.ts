// Services (a customer's logins), their contract terms with plan changes, the network actions on
// them, and prepaid top-ups.
import type { Static } from 'typebox';
import type * as S from '../../../src/http/schemas.js';
import type * as B from '../../../src/http/billing-schemas.js';
import type * as L from '../../../src/http/list-schemas.js';
import type * as N from '../../../src/http/nas-schemas.js';
import type * as P from '../../../src/http/prepaid-schemas.js';
import { http, type Body, type Page } from './http.js';

export type Service = Static<typeof S.Service>;
export type ServiceQuery = Static<typeof L.ServiceListQuery>;
/** GET /services/{id}/billing: the contract terms with the dated plan changes. */
export type ServiceTerms = Static<typeof B.Terms>;
export type PlanChange = ServiceTerms['planChanges'][number];
export type ServiceAction = 'suspend' | 'resume' | 'disconnect';
/** What the NAS answered to each action sent for a suspension, resumption or kick. */
export type ActionResult = Static<typeof N.ActionSummarySchema>;
/** A prepaid top-up's answer: the new expiry, the payment and the receipt. */
export type TopupResult = Static<typeof P.TopupResult>;

export const listServices = (query: ServiceQuery = {}) => http.get<Page<Service>>('/services', query);
export const getService = (id: number) => http.get<Service>(`/services/${id}`);
export const createService = (body: Body) => http.post<Service>('/services', body);
export const updateService = (id: number, body: Body) => http.patch<Service>(`/services/${id}`, body);
export const serviceTerms = (id: number) => http.get<ServiceTerms>(`/services/${id}/billing`);
export const changePlan = (id: number, body: Body) => http.post<ServiceTerms>(`/services/${id}/plan-changes`, body);
/** Without a reason the server gives its own, by catalogue key, so every reader sees it in their language. */
export const serviceAction = (id: number, action: ServiceAction, reason?: string) => http.post<ActionResult>(`/services/${id}/${action}`, reason === undefined ? {} : { reason });
export const topUp = (id: number, body: Body) => http.post<TopupResult>(`/services/${id}/topup`, body);
