import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TSchema } from 'typebox';
import type { TObject } from 'typebox';
import type { Condition } from '../../db/conditions.js';
import type { Actor, Page, Resource } from '../../db/crud.js';
import { notFound, type MissingRecord } from '../../lib/errors.js';
import { fileResponse, IdParams, ListQuery, pageOf, ProblemSchema } from '../schemas.js';
import { csvStream, type CsvValue } from '../csv.js';
import { withoutPaging, withSort } from '../list-schemas.js';

export interface CrudRoutes {
  /** `/api/v1/nas` */
  path: string;
  tag: string;
  /** Singular noun for messages: `NAS`, `plan`. */
  noun: MissingRecord;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  resource: Resource<any, any, any, any>;
  item: TSchema;
  create: TSchema;
  patch: TSchema;
  listQuery?: TSchema;
  /**
   * Serves a page of the list itself when the query has a shape it reads faster than the generic
   * list does (customer search); undefined leaves it to the generic list. Not used by the CSV export.
   */
  list?: (query: Record<string, unknown>) => Promise<Page<unknown>> | undefined;
  /** Turns the list query's filters into conditions. */
  filters?: (query: Record<string, unknown>) => Condition[];
  /** The fields the list may be sorted by (`sort=name`, `sort=-name`): NOT NULL columns of the row. */
  sort?: readonly string[];
  /** Also serve this CSV export (`/api/v1/exports/customers.csv`): the list's filters and sort, every match, streamed. */
  csv?: string;
  /** Runs after a PATCH has committed, with the record before and after (network side effects). */
  afterUpdate?: (before: Record<string, unknown>, after: Record<string, unknown>, request: FastifyRequest) => Promise<void> | void;
  /**
   * Takes part of a PATCH out of the plain update when it has an operation of its own (a service's
   * status to or from suspended is a suspend or resume). Runs before anything is written and may refuse
   * the PATCH by throwing; returns the fields left for the plain update and the operation, run once that
   * update has committed. Undefined: the whole PATCH is a plain update.
   */
  splitPatch?: (before: Record<string, unknown>, patch: Record<string, unknown>, request: FastifyRequest) => { rest: Record<string, unknown>; then: () => Promise<unknown> } | undefined;
  /**
   * Adds figures the row does not hold to what the list and the read answer (a plan's active
   * subscribers), for a whole page at once; the item schema declares them.
   */
  decorate?: (items: Array<Record<string, unknown>>) => Promise<Array<Record<string, unknown>>>;
  /** Runs before a DELETE of an existing record (a service's sessions are cut first). */
  beforeDelete?: (id: number, request: FastifyRequest) => Promise<void>;
}

export function actorOf(request: FastifyRequest): Actor {
  return { id: request.actor?.id ?? 'anonymous', ip: request.ip };
}

const errors = { 400: ProblemSchema, 401: ProblemSchema, 404: ProblemSchema, 409: ProblemSchema, 422: ProblemSchema };

/** Create, read, update (PATCH), delete and list for one resource, with schemas for OpenAPI. */
export function registerCrud(app: FastifyInstance, r: CrudRoutes): void {
  const gone = (id: number) => notFound(r.noun, id);
  const tags = [r.tag];

  const listQuery = withSort((r.listQuery ?? ListQuery) as TObject, r.sort);
  const sortOf = (q: { sort?: string }) => {
    if (!q.sort || !r.sort) return undefined;
    return { field: q.sort.replace(/^-/, ''), desc: q.sort.startsWith('-') };
  };
  app.get(r.path, { schema: { tags, summary: `List ${r.noun} records`, querystring: listQuery, response: { 200: pageOf(r.item), ...errors } } }, async (req) => {
    const q = req.query as Record<string, unknown> & { limit?: number; cursor?: string; sort?: string };
    const page = await (r.list?.(q) ?? r.resource.list({ limit: q.limit, cursor: q.cursor, sort: sortOf(q) }, r.filters?.(q) ?? []));
    return r.decorate ? { ...page, items: await r.decorate(page.items as Array<Record<string, unknown>>) } : page;
  });

  if (r.csv) {
    const columns = Object.keys((r.item as TObject).properties);
    const file = r.csv.split('/').pop();
    app.get(r.csv, {
      schema: {
        tags,
        summary: `${r.noun[0]!.toUpperCase()}${r.noun.slice(1)} records as CSV: the list's filters and sort, every match`,
        querystring: withoutPaging(listQuery),
        produces: ['text/csv'],
        response: { 200: fileResponse('text/csv', 'CSV, one row per record'), ...errors },
      },
    }, async (req, reply) => {
      const q = req.query as Record<string, unknown> & { sort?: string };
      const sort = sortOf(q);
      // Filters are built once, so bad input is refused before the first byte is sent.
      const filters = r.filters?.(q) ?? [];
      const stream = csvStream(columns, (cursor) => r.resource.list({ limit: 500, cursor, sort }, filters), (row, c) => (row as Record<string, CsvValue>)[c]);
      return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${file}"`).send(stream);
    });
  }

  app.get(`${r.path}/:id`, { schema: { tags, summary: `Read a ${r.noun}`, params: IdParams, response: { 200: r.item, ...errors } } }, async (req) => {
    const { id } = req.params as { id: number };
    const found = await r.resource.get(id);
    if (!found) throw gone(id);
    return r.decorate ? (await r.decorate([found]))[0] : found;
  });

  app.post(r.path, { schema: { tags, summary: `Create a ${r.noun}`, body: r.create, response: { 201: r.item, ...errors } } }, async (req, reply) => {
    const created = await r.resource.create(req.body, actorOf(req));
    return reply.code(201).header('location', `${r.path}/${created.id}`).send(created);
  });

  app.patch(`${r.path}/:id`, { schema: { tags, summary: `Change a ${r.noun}`, params: IdParams, body: r.patch, response: { 200: r.item, ...errors } } }, async (req) => {
    const { id } = req.params as { id: number };
    const before = r.afterUpdate || r.splitPatch ? await r.resource.get(id) : undefined;
    const split = before ? r.splitPatch?.(before, req.body as Record<string, unknown>, req) : undefined;
    let updated = split && Object.keys(split.rest).length === 0 ? before : await r.resource.update(id, split ? split.rest : req.body, actorOf(req));
    if (!updated) throw gone(id);
    if (split) {
      await split.then();
      updated = (await r.resource.get(id)) ?? updated;
    }
    if (r.afterUpdate && before) await r.afterUpdate(before, updated, req);
    return updated;
  });

  app.delete(`${r.path}/:id`, { schema: { tags, summary: `Delete a ${r.noun}`, params: IdParams, response: { 204: { type: 'null' }, ...errors } } }, async (req, reply) => {
    const { id } = req.params as { id: number };
    if (r.beforeDelete && (await r.resource.get(id))) await r.beforeDelete(id, req);
    if (!(await r.resource.delete(id, actorOf(req)))) throw gone(id);
    return reply.code(204).send();
  });
}
