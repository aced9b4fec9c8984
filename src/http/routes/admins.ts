import type { FastifyInstance, FastifyRequest } from 'fastify';
import { notFound, said, TollgateError } from '../../lib/errors.js';
import { hashPassword } from '../../lib/password.js';
import type { Security } from '../auth/guard.js';
import { Admin, AdminCreate, AdminPasswordReset, AdminPatch } from '../admin-schemas.js';
import { mayHandOut } from '../permissions.js';
import { IdParams, ListQuery, pageOf, ProblemSchema } from '../schemas.js';
import { actorOf } from './crud.js';
import type { Clock } from '../../lib/clock.js';

const tags = ['admins'];
const errors = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema, 404: ProblemSchema, 409: ProblemSchema, 422: ProblemSchema };

export { Admin };
/**
 * Checks that the caller may give `role` (it exists, and it grants nothing the caller lacks); the
 * grants of the role.
 */
export async function checkHandOut(sec: Security, req: FastifyRequest, role: string, field: string): Promise<void> {
  const grants = await sec.grantsOf(role);
  if (!grants) throw new TollgateError('invalid_input', said('fault.role.none', `there is no role "${role}"`, { role }), field);
  if (!mayHandOut(req.auth!, role, grants)) throw new TollgateError('forbidden', said('fault.role.handOut', `you may not hand out the role "${role}": it grants more than yours`, { role }));
}

/** Admin users: list, create with a role, change the role, disable, reset the password or TOTP. */
export async function adminRoutes(app: FastifyInstance, opts: { sec: Security; clock: Clock }): Promise<void> {
  const { sec, clock } = opts;

  /** The target admin, after checking that the caller outranks it. */
  async function target(req: FastifyRequest, id: number) {
    const a = await sec.admins.get(id);
    if (!a) throw notFound('admin', id);
    if (!mayHandOut(req.auth!, a.role, (await sec.grantsOf(a.role)) ?? {})) throw new TollgateError('forbidden', said('fault.role.adminAbove', `admin ${id} holds the role "${a.role}", which grants more than yours`, { id, role: a.role }));
    return a;
  }

  app.get('/api/v1/admins', { schema: { tags, summary: 'List admins (never their password hashes or TOTP secrets)', querystring: ListQuery, response: { 200: pageOf(Admin), ...errors } } }, async (req) => {
    const q = req.query as { limit?: number; cursor?: string };
    return sec.admins.list(q);
  });

  app.get('/api/v1/admins/:id', { schema: { tags, summary: 'Read an admin', params: IdParams, response: { 200: Admin, ...errors } } }, async (req) => {
    const { id } = req.params as { id: number };
    const a = await sec.admins.get(id);
    if (!a) throw notFound('admin', id);
    return a;
  });

  app.post('/api/v1/admins', {
    schema: {
      tags, summary: 'Create an admin with a role; by default they must change the password at first login',
      body: AdminCreate,
      response: { 201: Admin, ...errors },
    },
  }, async (req, reply) => {
    const b = req.body as { username: string; password: string; role: string; mustChangePassword?: boolean };
    await checkHandOut(sec, req, b.role, 'role');
    if (await sec.admins.exists(b.username)) throw new TollgateError('conflict', said('fault.admin.exists', `an admin named "${b.username}" already exists`, { username: b.username }), 'username');
    const id = await sec.admins.create({ username: b.username, passwordHash: await hashPassword(b.password), role: b.role, mustChangePassword: b.mustChangePassword ?? true, actor: actorOf(req), at: clock.now() });
    return reply.code(201).header('location', `/api/v1/admins/${id}`).send(await sec.admins.get(id));
  });

  app.patch('/api/v1/admins/:id', {
    schema: {
      tags, summary: "Change an admin's role, or disable (ending their sessions) or enable them",
      params: IdParams,
      body: AdminPatch,
      response: { 200: Admin, ...errors },
    },
  }, async (req) => {
    const { id } = req.params as { id: number };
    const b = req.body as { role?: string; disabled?: boolean };
    const before = await target(req, id);
    if (b.role !== undefined) await checkHandOut(sec, req, b.role, 'role');
    if (req.auth!.adminId === id && ((b.role !== undefined && b.role !== before.role) || b.disabled)) {
      throw new TollgateError('conflict', said('fault.admin.self', 'you cannot change your own role or disable yourself'));
    }
    const losesSuper = before.role === 'super-admin' && !before.disabled && ((b.role !== undefined && b.role !== 'super-admin') || b.disabled === true);
    if (losesSuper && (await sec.admins.countEnabledWithRole('super-admin')) <= 1) {
      throw new TollgateError('conflict', said('fault.admin.lastSuper', 'this is the last enabled super-admin'));
    }
    return (await sec.admins.update(id, b, actorOf(req)))!;
  });

  app.post('/api/v1/admins/:id/password', {
    schema: {
      tags, summary: "Reset an admin's password: they must change it at next login, and their sessions end",
      params: IdParams,
      body: AdminPasswordReset,
      response: { 200: Admin, ...errors },
    },
  }, async (req) => {
    const { id } = req.params as { id: number };
    await target(req, id);
    return (await sec.admins.setPassword(id, await hashPassword((req.body as { password: string }).password), { reset: true, actor: actorOf(req) }))!;
  });

  app.post('/api/v1/admins/:id/totp/reset', {
    schema: { tags, summary: "Remove an admin's TOTP second factor and recovery codes (a lost phone); they enrol again", params: IdParams, response: { 200: Admin, ...errors } },
  }, async (req) => {
    const { id } = req.params as { id: number };
    await target(req, id);
    return (await sec.admins.clearTotp(id, actorOf(req)))!;
  });
}
