/**
 * What the generic lists add to each resource: filters, the whitelisted sort fields, customer
 * search, and the CSV export of sessions (customers and services export through registerCrud).
 */
import type { FastifyInstance } from 'fastify';
import type { Condition } from '../../db/conditions.js';
import { decodeCursor, type Resource } from '../../db/crud.js';
import type { SessionLog } from '../../db/logs.js';
import { customerSearchCondition, customerSearchPages, type CustomerRow } from '../../db/search.js';
import type { SqlClient } from '../../db/sql.js';
import { said, TollgateError } from '../../lib/errors.js';
import { normalizeMac } from '../../lib/net.js';
import { csvStream } from '../csv.js';
import { CustomerListQuery, NasListQuery, PlanListQuery, ServiceListQuery, withoutPaging } from '../list-schemas.js';
import { fileResponse, ProblemSchema, Session, SessionListQuery } from '../schemas.js';
import type { CrudRoutes } from './crud.js';

type Listing = Pick<CrudRoutes, 'listQuery' | 'filters' | 'sort' | 'csv'>;

/** `column = ?` when the query has the field as a string or number (its schema says which), else nothing. */
function equal(value: unknown, column: string): Condition[] {
  return typeof value === 'string' || typeof value === 'number' ? [{ sql: `${column} = ?`, args: [value] }] : [];
}

export const nasListing: Listing = {
  listQuery: NasListQuery,
  sort: ['id', 'name', 'ipAddress', 'createdAt', 'updatedAt'],
  filters: (q) => equal(q.vendor, 'vendor'),
};

export const planListing: Listing = {
  listQuery: PlanListQuery,
  sort: ['id', 'name', 'price', 'type', 'createdAt', 'updatedAt'],
  filters: (q) => equal(q.type, 'type'),
};

/** The customers' list: its filters depend on the backend (customer search). */
export function customerListing(sql: Pick<SqlClient, 'dialect'>): Listing {
  return {
    listQuery: CustomerListQuery,
    sort: ['id', 'name', 'createdAt', 'updatedAt'],
    filters: (q) => {
      const f: Condition[] = [];
      // Every match: beside another filter, the first page of the index may hold none of its rows (the
      // search alone, by id, is served a page of the index by customerSearchList).
      if (typeof q.q === 'string') f.push(customerSearchCondition(sql, q.q));
      if (typeof q.email === 'string') f.push({ sql: 'lower(email) = lower(?)', args: [q.email] });
      return f;
    },
    csv: '/api/v1/exports/customers.csv',
  };
}

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
export function customerSearchList(sql: SqlClient, resource: Resource<CustomerRow, unknown, unknown, unknown>): Pick<CrudRoutes, 'list'> {
  const pages = customerSearchPages(sql);
  return {
    list: (q) => {
      const window = typeof q.q === 'string' && q.email === undefined ? searchWindow(q) : undefined;
      if (!window) return undefined;
      return pages(q.q as string, window).then((rows) => resource.page(rows, window.limit - 1));
    },
  };
}

export const serviceListing: Listing = {
  listQuery: ServiceListQuery,
  sort: ['id', 'username', 'status', 'startDate', 'customerId', 'planId', 'createdAt', 'updatedAt'],
  filters: (q) => {
    const f: Condition[] = [...equal(q.customerId, 'customer_id'), ...equal(q.planId, 'plan_id'), ...equal(q.status, 'status'), ...equal(q.username, 'username')];
    if (typeof q.macAddress === 'string') {
      const mac = normalizeMac(q.macAddress);
      if (!mac) throw new TollgateError('invalid_input', said('fault.mac', `"${q.macAddress}" is not a MAC address`, { value: q.macAddress }), 'macAddress');
      f.push({ sql: 'mac_address = ?', args: [mac] });
    }
    f.push(...equal(q.staticIp, 'static_ip'));
    return f;
  },
  csv: '/api/v1/exports/services.csv',
};

const sessionColumns = Object.keys(Session.properties);

/** `GET /api/v1/exports/sessions.csv`: the sessions list's filters, every match, newest first. */
export async function listRoutes(app: FastifyInstance, opts: { logs: SessionLog }): Promise<void> {
  const { logs } = opts;
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
