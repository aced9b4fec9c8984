// Billing profiles: due dates, grace, late fees, reminders and quiet days of dunning.
import type { Reminder } from '../forms.js';
import { http, type Body, type Page, type Paging } from './http.js';

// The schema sits in the dunning routes, beside server-only code: a copy of the parts the UI reads.
export interface Profile { id: number; name: string; isDefault: boolean; daysUntilDue: number; graceDays: number | null; lateFeeAmount: number | null; lateFeeAfterDays: number | null; suspendMode: string | null; reminders: Reminder[]; quietWeekdays: number[]; officeHoursStart: string | null; officeHoursEnd: string | null; billSuspended: boolean }

export const listProfiles = (query: Paging = {}) => http.get<Page<Profile>>('/billing-profiles', query);
export const createProfile = (body: Body) => http.post<Profile>('/billing-profiles', body);
export const updateProfile = (id: number, body: Body) => http.patch<Profile>(`/billing-profiles/${id}`, body);
