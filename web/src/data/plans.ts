// Plans (what a service is sold as).
import type { Static } from 'typebox';
import type * as S from '../../../src/http/schemas.js';
import type * as L from '../../../src/http/list-schemas.js';
import { http, type Body, type Page } from './http.js';

export type Plan = Static<typeof S.Plan>;
export type PlanQuery = Static<typeof L.PlanListQuery>;

export const listPlans = (query: PlanQuery = {}) => http.get<Page<Plan>>('/plans', query);
export const getPlan = (id: number) => http.get<Plan>(`/plans/${id}`);
export const createPlan = (body: Body) => http.post<Plan>('/plans', body);
export const updatePlan = (id: number, body: Body) => http.patch<Plan>(`/plans/${id}`, body);
