/** `GET /api/v1/dashboard`: the admin UI's front page figures (read-only). */
import type { FastifyInstance } from 'fastify';
import type { SqlClient } from '../../db/sql.js';
import { dashboardStore } from '../../db/dashboard.js';
import { dateInZone } from '../../lib/calendar.js';
import { Dashboard } from '../dashboard-schemas.js';
import { ProblemSchema } from '../schemas.js';
import type { Clock } from '../../lib/clock.js';

export async function dashboardRoutes(app: FastifyInstance, opts: { sql: SqlClient; clock: Clock; timezone: string; currency: string }): Promise<void> {
  const store = dashboardStore(opts.sql);
  app.get('/api/v1/dashboard', {
    schema: { tags: ['dashboard'], summary: 'Front-page figures: online now, logins per minute, revenue, overdue, suspended, NAS up/down, traffic', response: { 200: Dashboard, 401: ProblemSchema, 403: ProblemSchema } },
  }, async () => {
    const at = opts.clock.now();
    const today = dateInZone(at, opts.timezone);
    return { at: at.toISOString(), today, currency: opts.currency, ...(await store.figures(at, today)) };
  });
}
