/** The scheduled jobs and their state (`GET /api/v1/jobs`): last date done, failures, next retry. */
import type { FastifyInstance } from 'fastify';
import type { JobRunner } from '../../scheduler/jobs.js';
import { Jobs } from '../jobs-schemas.js';
import { ProblemSchema } from '../schemas.js';

export async function jobRoutes(app: FastifyInstance, opts: { jobs: JobRunner }): Promise<void> {
  app.get('/api/v1/jobs', { schema: { tags: ['billing'], summary: 'The daily jobs in run order, with the last date each completed and any failure', response: { 200: Jobs, 401: ProblemSchema } } }, async () => ({ ...(await opts.jobs.status()), next: null }));
}
