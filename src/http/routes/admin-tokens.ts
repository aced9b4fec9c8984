import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { TollgateError } from '../../lib/errors.js';
import type { Security } from '../auth/guard.js';
import { mayHandOut } from '../permissions.js';
import { IdParams, pageOf, ProblemSchema } from '../schemas.js';
import { checkHandOut } from './admins.js';
import { actorOf } from './crud.js';
import type { Clock } from '../../lib/clock.js';

const tags = ['tokens'];
const errors = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema, 404: ProblemSchema, 409: ProblemSchema, 422: ProblemSchema };
const Instant = Type.String({ format: 'date-time' });
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

const ApiToken = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  prefix: Type.String({ description: 'the first characters, to tell tokens apart; the token itself is shown only when created' }),
  role: Type.String(),
  expiresAt: Nullable(Instant),
  revokedAt: Nullable(Instant),
  lastUsedAt: Nullable(Instant),
  createdBy: Type.String({ description: 'who created it: `admin:3`, `token:7`, `cli`' }),
  createdAt: Instant,
});

/** API bearer tokens: create (the token is shown once), list, read, revoke. */
export async function tokenRoutes(app: FastifyInstance, opts: { sec: Security; clock: Clock }): Promise<void> {
  const { sec, clock } = opts;

  app.post('/api/v1/tokens', {
    schema: {
      tags, summary: 'Create an API token with a role and an optional expiry; the answer carries the token, shown this once',
      body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }), role: Type.String({ minLength: 1, maxLength: 40 }), expiresAt: Type.Optional(Nullable(Instant)) }, { additionalProperties: false }),
      response: { 201: Type.Object({ ...ApiToken.properties, token: Type.String({ description: 'send as Authorization: Bearer <token>; only its hash is stored' }) }), ...errors },
    },
  }, async (req, reply) => {
    const b = req.body as { name: string; role: string; expiresAt?: string | null };
    checkHandOut(sec, req, b.role, 'role');
    let expiresAt: string | null = null;
    if (b.expiresAt) {
      const t = Date.parse(b.expiresAt);
      if (t <= clock.now().getTime()) throw new TollgateError('invalid_input', 'must be in the future', 'expiresAt');
      expiresAt = new Date(t).toISOString();
    }
    const { id, token } = await sec.tokens.create({ name: b.name, role: b.role, expiresAt, actor: actorOf(req) });
    return reply.code(201).header('location', `/api/v1/tokens/${id}`).send({ ...(await sec.tokens.get(id))!, token });
  });

  app.get('/api/v1/tokens', {
    schema: {
      tags, summary: 'List API tokens (prefix, role, expiry, last use; never the token)',
      querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })), cursor: Type.Optional(Type.String({ maxLength: 200 })), revoked: Type.Optional(Type.Boolean({ description: 'include revoked tokens' })) }, { additionalProperties: false }),
      response: { 200: pageOf(ApiToken), ...errors },
    },
  }, async (req) => {
    const q = req.query as { limit?: number; cursor?: string; revoked?: boolean };
    return sec.tokens.list({ limit: q.limit, cursor: q.cursor, includeRevoked: q.revoked });
  });

  app.get('/api/v1/tokens/:id', { schema: { tags, summary: 'Read an API token', params: IdParams, response: { 200: ApiToken, ...errors } } }, async (req) => {
    const { id } = req.params as { id: number };
    const t = await sec.tokens.get(id);
    if (!t) throw new TollgateError('not_found', `token ${id} does not exist`);
    return t;
  });

  app.delete('/api/v1/tokens/:id', { schema: { tags, summary: 'Revoke an API token: it stops working at once', params: IdParams, response: { 204: Type.Null(), ...errors } } }, async (req, reply) => {
    const { id } = req.params as { id: number };
    const t = await sec.tokens.get(id);
    if (!t) throw new TollgateError('not_found', `token ${id} does not exist`);
    if (!mayHandOut(req.auth!, t.role, sec.grantsOf(t.role) ?? {})) throw new TollgateError('forbidden', `token ${id} holds the role "${t.role}", which grants more than yours`);
    await sec.tokens.revoke(id, actorOf(req));
    return reply.code(204).send();
  });
}
