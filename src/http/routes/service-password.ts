/**
 * `POST /api/v1/services/{id}/password/reveal`: a subscriber's PPPoE or hotspot password read back,
 * so support can tell it to the subscriber on the phone. Only for roles with the `secrets` area
 * (built in: super-admin and admin), and every reveal is audited (who, when, from where; never the
 * password). A POST, not a GET: it writes the audit row, and nothing may prefetch or cache it.
 */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { auditRecorder } from '../../db/audit.js';
import type { Repos } from '../../db/repos.js';
import type { SqlClient } from '../../db/sql.js';
import type { Clock } from '../../lib/clock.js';
import { notFound } from '../../lib/errors.js';
import type { SecretBox } from '../../lib/secretbox.js';
import { IdParams, ProblemSchema } from '../schemas.js';
import { actorOf } from './crud.js';

export const RevealedPassword = Type.Object({
  serviceId: Type.Integer(),
  username: Type.String(),
  password: Type.String({ description: 'in clear: show it, do not store it' }),
});

export async function servicePasswordRoutes(app: FastifyInstance, opts: { sql: SqlClient; repos: Pick<Repos, 'services'>; box: SecretBox; clock: Clock }): Promise<void> {
  const audit = auditRecorder(opts.sql);
  app.post('/api/v1/services/:id/password/reveal', {
    schema: {
      tags: ['services'],
      summary: "Read back a subscriber's PPPoE or hotspot password; needs the secrets permission, and each reveal is audited",
      params: IdParams,
      response: { 200: RevealedPassword, 401: ProblemSchema, 403: ProblemSchema, 404: ProblemSchema, 422: ProblemSchema },
    },
  }, async (req, reply) => {
    const { id } = req.params as { id: number };
    const row = await opts.repos.services.getRow(id);
    if (!row) throw notFound('service', id);
    const username = String(row.username);
    // Audited before it is answered: a reveal that cannot be recorded is not made.
    await opts.sql.transaction(() => audit(actorOf(req), opts.clock.now().toISOString(), 'reveal_password', 'service', id, undefined, { username }));
    return reply.header('cache-control', 'no-store').send({ serviceId: id, username, password: opts.box.open(String(row.passwordEnc)) });
  });
}
