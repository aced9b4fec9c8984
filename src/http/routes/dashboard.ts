/** `GET /api/v1/dashboard`: the admin UI's front page figures (read-only). */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Db } from '../../db/client.js';
import { dashboardStore } from '../../db/dashboard.js';
import { dateInZone } from '../../lib/calendar.js';
import { ProblemSchema } from '../schemas.js';
import type { Clock } from '../../lib/clock.js';

const Int = Type.Integer();
const Figures = Type.Object({
  at: Type.String({ format: 'date-time' }),
  today: Type.String({ format: 'date', description: 'today in the billing time zone' }),
  currency: Type.String(),
  online: Type.Integer({ description: 'open RADIUS sessions' }),
  customers: Int,
  services: Type.Object({ active: Int, suspended: Int, total: Int }),
  auth: Type.Array(Type.Object({ minute: Type.String({ description: 'YYYY-MM-DDTHH:MM, UTC' }), accept: Int, reject: Int }), { description: 'Access-Request outcomes per minute over the last hour (minutes without any are left out)' }),
  revenue: Type.Object({
    thisMonth: Type.Integer({ description: 'payments received this month, net of refunds (minor units)' }),
    lastMonth: Int,
    invoicedThisMonth: Type.Integer({ description: 'invoiced this month, net of credit notes' }),
    invoicedLastMonth: Int,
  }),
  overdue: Type.Object({ count: Type.Integer({ description: 'invoices past their due date with something still open' }), total: Int }),
  nas: Type.Object({ up: Int, down: Int, unknown: Int, total: Int }),
  traffic: Type.Object({ todayBytes: Int, monthBytes: Int }),
});

export async function dashboardRoutes(app: FastifyInstance, opts: { db: Db; clock: Clock; timezone: string; currency: string }): Promise<void> {
  const store = dashboardStore(opts.db);
  app.get('/api/v1/dashboard', {
    schema: { tags: ['dashboard'], summary: 'Front-page figures: online now, logins per minute, revenue, overdue, suspended, NAS up/down, traffic', response: { 200: Figures, 401: ProblemSchema, 403: ProblemSchema } },
  }, async () => {
    const at = opts.clock.now();
    const today = dateInZone(at, opts.timezone);
    return { at: at.toISOString(), today, currency: opts.currency, ...store.figures(at, today) };
  });
}
