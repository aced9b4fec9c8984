import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TSchema } from 'typebox';
import type { SQL } from 'drizzle-orm';
import type { Actor, Resource } from '../../db/crud.js';
import { TollgateError } from '../../lib/errors.js';
import { IdParams, ListQuery, pageOf, ProblemSchema } from '../schemas.js';

export interface CrudRoutes {
  /** `/api/v1/nas` */
  path: string;
  tag: string;
  /** Singular noun for messages: `NAS`, `plan`. */
  noun: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  resource: Resource<any, any, any, any>;
  item: TSchema;
  create: TSchema;
  patch: TSchema;
  listQuery?: TSchema;
  /** Turns the list query's filters into conditions. */
  filters?: (query: Record<string, unknown>) => SQL[];
}

export function actorOf(request: FastifyRequest): Actor {
  return { id: request.actor?.id ?? 'anonymous', ip: request.ip };
}

const errors = { 400: ProblemSchema, 401: ProblemSchema, 404: ProblemSchema, 409: ProblemSchema, 422: ProblemSchema };

/** Create, read, update (PATCH), delete and list for one resource, with schemas for OpenAPI. */
export function registerCrud(app: FastifyInstance, r: CrudRoutes): void {
  const notFound = (id: number) => new TollgateError('not_found', `${r.noun} ${id} does not exist`);
  const tags = [r.tag];

  app.get(r.path, { schema: { tags, summary: `List ${r.noun} records`, querystring: r.listQuery ?? ListQuery, response: { 200: pageOf(r.item), ...errors } } }, async (req) => {
    const q = req.query as Record<string, unknown> & { limit?: number; cursor?: string };
    return r.resource.list({ limit: q.limit, cursor: q.cursor }, r.filters?.(q) ?? []);
  });

  app.get(`${r.path}/:id`, { schema: { tags, summary: `Read a ${r.noun}`, params: IdParams, response: { 200: r.item, ...errors } } }, async (req) => {
    const { id } = req.params as { id: number };
    const found = await r.resource.get(id);
    if (!found) throw notFound(id);
    return found;
  });

  app.post(r.path, { schema: { tags, summary: `Create a ${r.noun}`, body: r.create, response: { 201: r.item, ...errors } } }, async (req, reply) => {
    const created = await r.resource.create(req.body, actorOf(req));
    return reply.code(201).header('location', `${r.path}/${created.id}`).send(created);
  });

  app.patch(`${r.path}/:id`, { schema: { tags, summary: `Change a ${r.noun}`, params: IdParams, body: r.patch, response: { 200: r.item, ...errors } } }, async (req) => {
    const { id } = req.params as { id: number };
    const updated = await r.resource.update(id, req.body, actorOf(req));
    if (!updated) throw notFound(id);
    return updated;
  });

  app.delete(`${r.path}/:id`, { schema: { tags, summary: `Delete a ${r.noun}`, params: IdParams, response: { 204: { type: 'null' }, ...errors } } }, async (req, reply) => {
    const { id } = req.params as { id: number };
    if (!(await r.resource.delete(id, actorOf(req)))) throw notFound(id);
    return reply.code(204).send();
  });
}
