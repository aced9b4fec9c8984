/** `GET /api/v1/audit-log`: who changed what, when, from where, before and after (secrets redacted). */
import type { FastifyInstance } from 'fastify';
import { auditStore, type AuditFilter } from '../../db/audit.js';
import type { SqlClient } from '../../db/sql.js';
import { said, TollgateError } from '../../lib/errors.js';
import { AuditEntrySchema, AuditQuery } from '../audit-schemas.js';
import { fileResponse, pageOf, ProblemSchema } from '../schemas.js';
import { csvStream } from '../csv.js';
import { withoutPaging } from '../list-schemas.js';

export { AuditEntrySchema, AuditQuery };

export async function auditRoutes(app: FastifyInstance, opts: { sql: SqlClient }): Promise<void> {
  const store = auditStore(opts.sql);
  app.get('/api/v1/audit-log', {
    schema: {
      tags: ['audit'],
      summary: 'The audit log, newest first: every change made through the API, by whom, from where, before and after',
      querystring: AuditQuery,
      response: { 200: pageOf(AuditEntrySchema), 401: ProblemSchema, 403: ProblemSchema, 422: ProblemSchema },
    },
  }, async (req) => {
    const q = req.query as AuditFilter & { limit?: number; cursor?: string };
    if (q.from && q.to && Date.parse(q.from) >= Date.parse(q.to)) throw new TollgateError('invalid_input', said('fault.range.afterFrom', 'must be after from'), 'to');
    return store.list(q, q.limit ?? 50, q.cursor);
  });

  const columns = Object.keys(AuditEntrySchema.properties);
  app.get('/api/v1/exports/audit-log.csv', {
    schema: {
      tags: ['audit'],
      summary: 'The audit log as CSV: the same filters, every match, newest first (before and after as JSON text)',
      querystring: withoutPaging(AuditQuery),
      response: { 200: fileResponse('text/csv', 'CSV, one row per entry'), 401: ProblemSchema, 403: ProblemSchema, 422: ProblemSchema },
    },
  }, async (req, reply) => {
    const q = req.query as AuditFilter;
    const stream = csvStream(columns, (cursor) => store.list(q, 500, cursor), (row, c) => {
      const v = (row as unknown as Record<string, unknown>)[c];
      return c === 'before' || c === 'after' ? (v === null ? null : JSON.stringify(v)) : (v as string | number | null);
    });
    return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="audit-log.csv"').send(stream);
  });
}
