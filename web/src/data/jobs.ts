// The daily jobs and how their last runs went.
import { http } from './http.js';

// The schema sits in the jobs routes, beside server-only code: a copy of its shape.
export interface Job { name: string; lastDate: string | null; lastFinishedAt: string | null; status: string; lastError: string | null; nextRetryAt: string | null }
export interface Jobs { timezone: string; runAt: string; nextRunAt: string | null; items: Job[] }

export const listJobs = () => http.get<Jobs>('/jobs');
