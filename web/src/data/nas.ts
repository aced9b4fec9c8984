// NAS (the routers RADIUS answers): the entries, their SNMP state and traffic, the RouterOS setup
// script and the CoA self-test.
import type { Static } from 'typebox';
import type * as S from '../../../src/http/schemas.js';
import type * as L from '../../../src/http/list-schemas.js';
import { http, type Body, type Page } from './http.js';

export type Nas = Static<typeof S.Nas>;
export type NasQuery = Static<typeof L.NasListQuery>;

// The status, traffic, onboarding and self-test schemas sit in the NAS network routes, beside
// server-only code: copies of the parts the UI reads.
export interface NasStatus { state: string; lastSeenAt: string | null; uptimeSeconds: number | null; lastError: string | null; snmpEnabled: boolean; interfaces?: Array<{ ifIndex: number; name?: string; descr?: string }> }
export interface SelfTest { result: 'answered' | 'no_answer' | 'bad_authenticator'; ok: boolean; reply?: 'ack' | 'nak'; errorCause?: number; errorCauseName?: string; host: string; port: number; attempts: number }
export interface Traffic { items: Array<{ at: string; ifIndex: number; inBps?: number; outBps?: number; inOctets?: number; outOctets?: number }> }
export interface Onboarding { script: string; warnings?: string[] }

export const listNas = (query: NasQuery = {}) => http.get<Page<Nas>>('/nas', query);
export const getNas = (id: number) => http.get<Nas>(`/nas/${id}`);
export const createNas = (body: Body) => http.post<Nas>('/nas', body);
export const updateNas = (id: number, body: Body) => http.patch<Nas>(`/nas/${id}`, body);
export const nasStatus = (id: number) => http.get<NasStatus>(`/nas/${id}/status`);
export const nasTraffic = (id: number) => http.get<Traffic>(`/nas/${id}/traffic`);
export const nasOnboarding = (id: number, routerosVersion: string) => http.get<Onboarding>(`/nas/${id}/onboarding`, { routerosVersion });
/** Without a host: the NAS's own address. */
export const nasSelfTest = (id: number, host?: string) => http.post<SelfTest>(`/nas/${id}/self-test`, host ? { host } : {});
