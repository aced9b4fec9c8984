/**
 * What the generic lists add to each resource: filters, the whitelisted sort fields, customer
 * search, and the CSV export of sessions (customers and services export through registerCrud).
 */
import type { FastifyInstance } from 'fastify';
import { eq, sql, type SQL } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import type { Db } from '../../db/client.js';
import { decodeCursor, type Resource } from '../../db/crud.js';
import { sessionLog } from '../../db/logs.js';
import { customers, nas, plans, services } from '../../db/schema/index.js';
import { customerSearchCondition, customerSearchPages, type CustomerRow } from '../../db/search.js';
import { TollgateError } from '../../lib/errors.js';
import { normalizeMac } from '../../lib/net.js';
import { csvStream } from '../csv.js';
import { CustomerListQuery, NasListQuery, PlanListQuery, ServiceListQuery, withoutPaging } from '../list-schemas.js';
import { fileResponse, ProblemSchema, Session, SessionListQuery } from '../schemas.js';
import type { CrudRoutes } from './crud.js';

type Listing = Pick<CrudRoutes, 'listQuery' | 'filters' | 'sort' | 'csv'>;

const sorts = <T extends Record<string, SQLiteColumn>>(s: T) => s;

export const nasListing: Listing = {
  listQuery: NasListQuery,
  sort: sorts({ id: nas.id, name: nas.name, ipAddress: nas.ipAddress, createdAt: nas.createdAt, updatedAt: nas.updatedAt }),
  filters: (q) => (q.vendor !== undefined ? [eq(nas.vendor, q.vendor as 'generic')] : []),
};

export const planListing: Listing = {
  listQuery: PlanListQuery,
  sort: sorts({ id: plans.id, name: plans.name, price: plans.price, type: plans.type, createdAt: plans.createdAt, updatedAt: plans.updatedAt }),
  filters: (q) => (q.type !== undefined ? [eq(plans.type, q.type as 'recurring')] : []),
};

export const customerListing: Listing = {
  listQuery: CustomerListQuery,
  sort: sorts({ id: customers.id, name: customers.name, createdAt: customers.createdAt, updatedAt: customers.updatedAt }),
  filters: (q) => {
    const f: SQL[] = [];
    // Every match: beside another filter, the first page of the index may hold none of its rows (the
    // search alone, by id, is served a page of the index by customerSearchList).
    if (typeof q.q === 'string') f.push(customerSearchCondition(customers.id, q.q));
    if (typeof q.email === 'string') f.push(sql`lower(${customers.email}) = lower(${q.email})`);
    return f;
  },
  csv: '/api/v1/exports/customers.csv',
};

/** The index window of a search listed by id (the page size plus one, the cursor), or undefined for another order. */
function searchWindow(q: Record<string, unknown>) {
  const sort = q.sort as string | undefined;
  if (typeof q.limit !== 'number' || !(sort === undefined || sort === 'id' || sort === '-id')) return undefined;
  return { limit: Math.min(Math.max(q.limit, 1), 500) + 1, descending: sort === '-id', afterId: typeof q.cursor === 'string' ? decodeCursor(q.cursor) : undefined };
}

/**
 * Customer search by id with no other filter (the search box: `?q=`, a page size, a cursor) through
 * statements prepared once; any other shape goes through the generic list and `customerListing`.
 */
export function customerSearchList(db: Db, resource: Resource<CustomerRow, unknown, unknown, unknown>): Pick<CrudRoutes, 'list'> {
  const pages = customerSearchPages(db);
  return {
    list: (q) => {
      const window = typeof q.q === 'string' && q.email === undefined ? searchWindow(q) : undefined;
      if (!window) return undefined;
      return resource.page(pages(q.q as string, window), window.limit - 1);
    },
  };
}

export const serviceListing: Listing = {
  listQuery: ServiceListQuery,
  sort: sorts({
    id: services.id, username: services.username, status: services.status, startDate: services.startDate, customerId: services.customerId,
    planId: services.planId, createdAt: services.createdAt, updatedAt: services.updatedAt,
  }),
  filters: (q) => {
    const f: SQL[] = [];
    if (q.customerId !== undefined) f.push(eq(services.customerId, q.customerId as number));
    if (q.planId !== undefined) f.push(eq(services.planId, q.planId as number));
    if (q.status !== undefined) f.push(eq(services.status, q.status as 'active'));
    if (q.username !== undefined) f.push(eq(services.username, q.username as string));
    if (typeof q.macAddress === 'string') {
      const mac = normalizeMac(q.macAddress);
      if (!mac) throw new TollgateError('invalid_input', `"${q.macAddress}" is not a MAC address`, 'macAddress');
      f.push(eq(services.macAddress, mac));
    }
    if (typeof q.staticIp === 'string') f.push(eq(services.staticIp, q.staticIp));
    return f;
  },
  csv: '/api/v1/exports/services.csv',
};

const sessionColumns = Object.keys(Session.properties);

/** `GET /api/v1/exports/sessions.csv`: the sessions list's filters, every match, newest first. */
export async function listRoutes(app: FastifyInstance, opts: { db: Db }): Promise<void> {
  const logs = sessionLog(opts.db);
  app.get('/api/v1/exports/sessions.csv', {
    schema: {
      tags: ['sessions'],
      summary: 'RADIUS sessions as CSV (the list filters, every match, newest first)',
      querystring: withoutPaging(SessionListQuery),
      produces: ['text/csv'],
      response: { 200: fileResponse('text/csv', 'CSV, one row per session'), 401: ProblemSchema, 422: ProblemSchema },
    },
  }, async (req, reply) => {
    const q = req.query as { active?: boolean; username?: string; serviceId?: number; nasId?: number };
    const stream = csvStream(sessionColumns, (cursor) => logs.sessions(q, 500, cursor), (row, c) =>
      c === 'active' ? row.stoppedAt === null : ((row as Record<string, unknown>)[c] as string | number | null));
    return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="sessions.csv"').send(stream);
  });
}
