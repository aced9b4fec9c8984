import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { RoleRow } from '../../db/security.js';
import { said, TollgateError } from '../../lib/errors.js';
import type { Security } from '../auth/guard.js';
import { builtInRoleNames, builtInRoles, fullGrants, isBuiltInRole, mayHandOut, parseGrants, type Grants } from '../permissions.js';
import { Role, RoleCreate, RoleList, RoleNameParams, RolePatch } from '../admin-schemas.js';
import { ProblemSchema } from '../schemas.js';
import { actorOf } from './crud.js';

const tags = ['admins'];
const errors = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema, 404: ProblemSchema, 409: ProblemSchema, 422: ProblemSchema };
/** Built-in roles (fixed) and custom roles (stored): list, read, create, change, delete. */
/** The refusals of a role that grants more than the caller's own. */
const GRANTS_MORE = said('fault.role.grantsMore', 'the role grants more than your own');
const WOULD_GRANT_MORE = said('fault.role.wouldGrantMore', 'the role would grant more than your own');

export async function roleRoutes(app: FastifyInstance, opts: { sec: Security }): Promise<void> {
  const { sec } = opts;
  const builtIn = (name: (typeof builtInRoleNames)[number]) => ({ name, builtIn: true, description: builtInRoles[name].description, permissions: fullGrants(builtInRoles[name].grants) });
  const custom = (r: RoleRow) => ({ name: r.name, builtIn: false, description: r.description, permissions: fullGrants(parseGrants(JSON.parse(r.permissions)).grants) });
  const grantsIn = (value: unknown): Grants => {
    const { grants, bad } = parseGrants(value);
    if (bad) throw new TollgateError('invalid_input', said('fault.role.area', 'is not an area with none, read or write'), bad);
    return grants;
  };
  const notFound = (name: string) => new TollgateError('not_found', said('fault.missing.role', `there is no role "${name}"`, { name }));

  app.get('/api/v1/roles', { schema: { tags, summary: 'Every role with its access per area: the built-in ones, then the custom ones', response: { 200: RoleList, ...errors } } }, async () => ({
    items: [...builtInRoleNames.map(builtIn), ...(await sec.roles.list()).map(custom)],
    next: null,
  }));

  app.get('/api/v1/roles/:name', { schema: { tags, summary: 'Read a role', params: RoleNameParams, response: { 200: Role, ...errors } } }, async (req) => {
    const { name } = req.params as { name: string };
    if (isBuiltInRole(name)) return builtIn(name);
    const r = await sec.roles.get(name);
    if (!r) throw notFound(name);
    return custom(r);
  });

  app.post('/api/v1/roles', {
    schema: {
      tags, summary: 'Create a custom role; it may grant nothing beyond your own role',
      body: RoleCreate,
      response: { 201: Role, ...errors },
    },
  }, async (req, reply) => {
    const b = req.body as { name: string; description?: string; permissions: Record<string, string> };
    if (isBuiltInRole(b.name)) throw new TollgateError('conflict', said('fault.role.builtIn', `"${b.name}" is a built-in role`, { role: b.name }), 'name');
    const grants = grantsIn(b.permissions);
    if (!mayHandOut(req.auth!, b.name, grants)) throw new TollgateError('forbidden', WOULD_GRANT_MORE);
    const created = await sec.roles.create({ name: b.name, description: b.description ?? '', permissions: JSON.stringify(grants) }, actorOf(req));
    return reply.code(201).header('location', `/api/v1/roles/${b.name}`).send(custom(created));
  });

  app.patch('/api/v1/roles/:name', {
    schema: {
      tags, summary: "Change a custom role's description or permissions; admins and tokens holding it get the change at once",
      params: RoleNameParams,
      body: RolePatch,
      response: { 200: Role, ...errors },
    },
  }, async (req) => {
    const { name } = req.params as { name: string };
    if (isBuiltInRole(name)) throw new TollgateError('conflict', said('fault.role.builtInChange', `"${name}" is a built-in role and cannot be changed`, { role: name }));
    const current = await sec.roles.get(name);
    if (!current) throw notFound(name);
    const b = req.body as { description?: string; permissions?: Record<string, string> };
    if (!mayHandOut(req.auth!, name, parseGrants(JSON.parse(current.permissions)).grants)) throw new TollgateError('forbidden', GRANTS_MORE);
    const grants = b.permissions === undefined ? undefined : grantsIn(b.permissions);
    if (grants && !mayHandOut(req.auth!, name, grants)) throw new TollgateError('forbidden', WOULD_GRANT_MORE);
    return custom((await sec.roles.update(name, { description: b.description, permissions: grants && JSON.stringify(grants) }, actorOf(req)))!);
  });

  app.delete('/api/v1/roles/:name', { schema: { tags, summary: 'Delete a custom role no admin or active token holds', params: RoleNameParams, response: { 204: Type.Null(), ...errors } } }, async (req, reply) => {
    const { name } = req.params as { name: string };
    if (isBuiltInRole(name)) throw new TollgateError('conflict', said('fault.role.builtInDelete', `"${name}" is a built-in role and cannot be deleted`, { role: name }));
    const current = await sec.roles.get(name);
    if (!current) throw notFound(name);
    if (!mayHandOut(req.auth!, name, parseGrants(JSON.parse(current.permissions)).grants)) throw new TollgateError('forbidden', GRANTS_MORE);
    await sec.roles.delete(name, actorOf(req));
    return reply.code(204).send();
  });
}
