/** The scheduled jobs and their state (`GET /api/v1/jobs`): last date done, failures, next retry. */
import type { FastifyInstance } from 'fastify';
import { Type, type TSchema } from 'typebox';
import type { JobRunner } from '../../scheduler/jobs.js';
import { ProblemSchema } from '../schemas.js';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const JobItem = Type.Object({
  name: Type.String(), order: Type.Integer(), lastDate: Nullable(Type.String()), lastStartedAt: Nullable(Type.String()),
  lastFinishedAt: Nullable(Type.String()), failures: Type.Integer(), lastError: Nullable(Type.String()), lastErrorAt: Nullable(Type.String()),
  failedDate: Nullable(Type.String()), nextRetryAt: Nullable(Type.String()), status: Type.Union([Type.Literal('ok'), Type.Literal('failing')]),
});
const Jobs = Type.Object({
  timezone: Type.String(), runAt: Type.String(), dueDate: Type.String({ description: 'the latest date due now' }),
  nextRunAt: Nullable(Type.String()), lease: Nullable(Type.Object({ holder: Type.String(), expiresAt: Type.String() })),
  items: Type.Array(JobItem), next: Type.Null(),
});

export async function jobRoutes(app: FastifyInstance, opts: { jobs: JobRunner }): Promise<void> {
  app.get('/api/v1/jobs', { schema: { tags: ['billing'], summary: 'The daily jobs in run order, with the last date each completed and any failure', response: { 200: Jobs, 401: ProblemSchema } } }, async () => ({ ...opts.jobs.status(), next: null }));
}
