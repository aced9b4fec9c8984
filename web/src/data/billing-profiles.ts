// Billing profiles: due dates, grace, late fees, reminders and quiet days of dunning.
import type { Static } from 'typebox';
import type * as D from '../../../src/http/dunning-schemas.js';
import { http, type Body, type Page } from './http.js';

export type Profile = Static<typeof D.Profile>;
export type ProfileQuery = Static<typeof D.ProfileListQuery>;

export const listProfiles = (query: ProfileQuery = {}) => http.get<Page<Profile>>('/billing-profiles', query);
export const createProfile = (body: Body) => http.post<Profile>('/billing-profiles', body);
export const updateProfile = (id: number, body: Body) => http.patch<Profile>(`/billing-profiles/${id}`, body);
