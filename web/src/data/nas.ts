// NAS (the routers RADIUS answers): the entries, their SNMP state and traffic, the RouterOS setup
// script and the CoA self-test.
import type { Static } from 'typebox';
import type * as S from '../../../src/http/schemas.js';
import type * as L from '../../../src/http/list-schemas.js';
import type * as N from '../../../src/http/nas-schemas.js';
import { http, type Body, type Page } from './http.js';

export type Nas = Static<typeof S.Nas>;
export type NasQuery = Static<typeof L.NasListQuery>;

export type NasStatus = Static<typeof N.NasStatus>;
export type SelfTest = Static<typeof N.SelfTest>;
export type Traffic = Static<typeof N.Traffic>;
export type Onboarding = Static<typeof N.Onboarding>;
export type RouterOsVersion = NonNullable<Static<typeof N.OnboardingQuery>['routerosVersion']>;

export const listNas = (query: NasQuery = {}) => http.get<Page<Nas>>('/nas', query);
export const getNas = (id: number) => http.get<Nas>(`/nas/${id}`);
export const createNas = (body: Body) => http.post<Nas>('/nas', body);
export const updateNas = (id: number, body: Body) => http.patch<Nas>(`/nas/${id}`, body);
export const nasStatus = (id: number) => http.get<NasStatus>(`/nas/${id}/status`);
export const nasTraffic = (id: number) => http.get<Traffic>(`/nas/${id}/traffic`);
export const nasOnboarding = (id: number, routerosVersion: RouterOsVersion) => http.get<Onboarding>(`/nas/${id}/onboarding`, { routerosVersion });
/** Without a host: the NAS's own address. */
export const nasSelfTest = (id: number, host?: string) => http.post<SelfTest>(`/nas/${id}/self-test`, host ? { host } : {});
