// The network actions sent to NAS (CoA, Disconnect) and what they answered.
import { http, type Page, type Paging } from './http.js';

// The schema sits in the actions routes, beside server-only code: a copy of the parts the UI reads.
export interface NasAction { id: number; serviceId: number | null; nasId: number | null; kind: string; outcome: string; reason?: string | null; by: string; createdAt: string; answeredAt: string | null; error?: string | null }

export const listActions = (query: Paging & { serviceId?: number } = {}) => http.get<Page<NasAction>>('/actions', query);
