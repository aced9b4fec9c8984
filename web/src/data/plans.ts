// Plans (what a service is sold as) and their fair-use tiers.
import type { Static } from 'typebox';
import type * as S from '../../../src/http/schemas.js';
import type * as L from '../../../src/http/list-schemas.js';
import type * as P from '../../../src/http/prepaid-schemas.js';
import { http, type Body, type Page } from './http.js';

export type Plan = Static<typeof S.Plan>;
export type PlanQuery = Static<typeof L.PlanListQuery>;
export type CapTier = Static<typeof P.Tier>;
export type CapTiers = Static<typeof P.Tiers>;

export const listPlans = (query: PlanQuery = {}) => http.get<Page<Plan>>('/plans', query);
export const getPlan = (id: number) => http.get<Plan>(`/plans/${id}`);
export const createPlan = (body: Body) => http.post<Plan>('/plans', body);
export const updatePlan = (id: number, body: Body) => http.patch<Plan>(`/plans/${id}`, body);
export const getCapTiers = (planId: number) => http.get<CapTiers>(`/plans/${planId}/cap-tiers`);
export const putCapTiers = (planId: number, tiers: CapTier[]) => http.put<CapTiers>(`/plans/${planId}/cap-tiers`, { tiers });
