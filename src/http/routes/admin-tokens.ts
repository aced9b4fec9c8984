import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { notFound, said, TollgateError } from '../../lib/errors.js';
import type { Security } from '../auth/guard.js';
import { mayHandOut } from '../permissions.js';
import { ApiToken, TokenCreate, TokenCreated, TokenListQuery } from '../admin-schemas.js';
import { IdParams, pageOf, ProblemSchema } from '../schemas.js';
import { checkHandOut } from './admins.js';
import { actorOf } from './crud.js';
import type { Clock } from '../../lib/clock.js';

const tags = ['tokens'];
const errors = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema, 404: ProblemSchema, 409: ProblemSchema, 422: ProblemSchema };
/** API bearer tokens: create (the token is shown once), list, read, revoke. */
export async function tokenRoutes(app: FastifyInstance, opts: { sec: Security; clock: Clock }): Promise<void> {
  const { sec, clock } = opts;

  app.post('/api/v1/tokens', {
    schema: {
      tags, summary: 'Create an API token with a role and an optional expiry; the answer carries the token, shown this once',
      body: TokenCreate,
      response: { 201: TokenCreated, ...errors },
    },
  }, async (req, reply) => {
    const b = req.body as { name: string; role: string; expiresAt?: string | null };
    await checkHandOut(sec, req, b.role, 'role');
    let expiresAt: string | null = null;
    if (b.expiresAt) {
      const t = Date.parse(b.expiresAt);
      if (t <= clock.now().getTime()) throw new TollgateError('invalid_input', said('fault.future', 'must be in the future'), 'expiresAt');
      expiresAt = new Date(t).toISOString();
    }
    const { id, token } = await sec.tokens.create({ name: b.name, role: b.role, expiresAt, actor: actorOf(req) });
    return reply.code(201).header('location', `/api/v1/tokens/${id}`).send({ ...(await sec.tokens.get(id))!, token });
  });

  app.get('/api/v1/tokens', {
    schema: {
      tags, summary: 'List API tokens (prefix, role, expiry, last use; never the token)',
      querystring: TokenListQuery,
      response: { 200: pageOf(ApiToken), ...errors },
    },
  }, async (req) => {
    const q = req.query as { limit?: number; cursor?: string; revoked?: boolean };
    return sec.tokens.list({ limit: q.limit, cursor: q.cursor, includeRevoked: q.revoked });
  });

  app.get('/api/v1/tokens/:id', { schema: { tags, summary: 'Read an API token', params: IdParams, response: { 200: ApiToken, ...errors } } }, async (req) => {
    const { id } = req.params as { id: number };
    const t = await sec.tokens.get(id);
    if (!t) throw notFound('token', id);
    return t;
  });

  app.delete('/api/v1/tokens/:id', { schema: { tags, summary: 'Revoke an API token: it stops working at once', params: IdParams, response: { 204: Type.Null(), ...errors } } }, async (req, reply) => {
    const { id } = req.params as { id: number };
    const t = await sec.tokens.get(id);
    if (!t) throw notFound('token', id);
    if (!mayHandOut(req.auth!, t.role, (await sec.grantsOf(t.role)) ?? {})) throw new TollgateError('forbidden', said('fault.role.tokenAbove', `token ${id} holds the role "${t.role}", which grants more than yours`, { id, role: t.role }));
    await sec.tokens.revoke(id, actorOf(req));
    return reply.code(204).send();
  });
}
