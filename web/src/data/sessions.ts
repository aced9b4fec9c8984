// RADIUS sessions (who is online, and was) and the log of Access-Requests.
import type { Static } from 'typebox';
import type * as S from '../../../src/http/schemas.js';
import { apiUrl, http, type Page } from './http.js';

export type Session = Static<typeof S.Session>;
export type SessionQuery = Static<typeof S.SessionListQuery>;
export type AuthLogEntry = Static<typeof S.AuthLogEntry>;
export type AuthLogQuery = Static<typeof S.AuthLogQuery>;

export const listSessions = (query: SessionQuery = {}) => http.get<Page<Session>>('/sessions', query);
export const sessionsCsvUrl = (query: { active?: true } = {}) => apiUrl('/exports/sessions.csv', query);
export const listAuthLog = (query: AuthLogQuery = {}) => http.get<Page<AuthLogEntry>>('/auth-log', query);
