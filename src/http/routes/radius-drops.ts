/**
 * RADIUS requests dropped for a reason the operator can fix on the router: counts per NAS (or per
 * unknown source) with a hint, and the latest dropped requests per user for "Why offline?".
 */
import type { FastifyInstance } from 'fastify';
import type { Repos } from '../../db/repos.js';
import type { DropCounter, DroppedRequest, DropTracker } from '../../radius/server/drops.js';
import { notFound } from '../../lib/errors.js';
import { DROP_HINTS } from '../drop-hints.js';
import { DropCounters, DropCountersQuery, DroppedRequests, DroppedRequestsQuery } from '../drops-schemas.js';
import { IdParams, ProblemSchema } from '../schemas.js';

const errors = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema, 404: ProblemSchema, 422: ProblemSchema };

const hinted = <T extends DropCounter | DroppedRequest>(items: T[]) => items.map((i) => ({ ...i, hint: DROP_HINTS[i.reason] }));

export async function radiusDropRoutes(app: FastifyInstance, opts: { drops: DropTracker; repos: Pick<Repos, 'nas' | 'services'> }): Promise<void> {
  const { drops } = opts;
  app.get('/api/v1/radius-drops', {
    schema: { tags: ['nas'], summary: 'RADIUS requests dropped for a fixable reason (missing Message-Authenticator, wrong secret, unknown address), counted per NAS or unknown source, with the fix', querystring: DropCountersQuery, response: { 200: DropCounters, ...errors } },
  }, async (req) => {
    const q = req.query as { nasId?: number; unknown?: boolean };
    return { since: drops.since, items: hinted(drops.counts(q.unknown ? { nasId: null } : { nasId: q.nasId })) };
  });
  app.get('/api/v1/radius-drops/recent', {
    schema: { tags: ['nas'], summary: 'The latest dropped requests that carried a User-Name, newest first; filter by username or NAS', querystring: DroppedRequestsQuery, response: { 200: DroppedRequests, ...errors } },
  }, async (req) => {
    const q = req.query as { username?: string; nasId?: number; limit?: number };
    return { since: drops.since, items: hinted(drops.latest(q)) };
  });
  app.get('/api/v1/nas/:id/drops', {
    schema: { tags: ['nas'], summary: "This NAS's dropped requests by reason, with counts, last seen and the RouterOS command that fixes each", params: IdParams, response: { 200: DropCounters, ...errors } },
  }, async (req) => {
    const { id } = req.params as { id: number };
    if (!(await opts.repos.nas.get(id))) throw notFound('NAS', id);
    return { since: drops.since, items: hinted(drops.counts({ nasId: id })) };
  });
  app.get('/api/v1/services/:id/radius-drops', {
    schema: { tags: ['services'], summary: "Requests with this service's username that were dropped before any check of the subscriber (wrong secret, missing Message-Authenticator, unknown address), newest first", params: IdParams, response: { 200: DroppedRequests, ...errors } },
  }, async (req) => {
    const { id } = req.params as { id: number };
    const service = await opts.repos.services.get(id);
    if (!service) throw notFound('service', id);
    return { since: drops.since, items: hinted(drops.latest({ username: service.username })) };
  });
}
