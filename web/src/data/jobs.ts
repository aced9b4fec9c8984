// The daily jobs and how their last runs went.
import type { Static } from 'typebox';
import type * as J from '../../../src/http/jobs-schemas.js';
import { http } from './http.js';

export type Job = Static<typeof J.JobItem>;
export type Jobs = Static<typeof J.Jobs>;

export const listJobs = () => http.get<Jobs>('/jobs');
