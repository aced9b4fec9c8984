import { readFileSync } from 'node:fs';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { and, eq } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { Db } from '../db/client.js';
import { makeRepos, type Repos } from '../db/repos.js';
import { services } from '../db/schema.js';
import { tokenStore } from '../db/security.js';
import { sessionLog } from '../db/logs.js';
import type { SecretBox } from '../lib/secretbox.js';
import type { Metrics } from '../metrics.js';
import { errorHandler, problem, sendProblem } from './errors.js';
import { billingService, type BillingService } from '../billing/service.js';
import { billingStore } from '../db/billing.js';
import { billingRoutes } from './routes/billing.js';
import { registerCrud } from './routes/crud.js';
import * as S from './schemas.js';
import { validatorCompiler } from './validation.js';

declare module 'fastify' {
  interface FastifyRequest {
    actor?: { id: string; role: string };
  }
}

export interface BuildOptions {
  db: Db;
  box: SecretBox;
  config: Config;
  /** A pino logger, or false for none (tests). */
  logger?: Logger | false;
  now?: () => Date;
  /** Extra checks for /healthz (e.g. RADIUS listeners bound). */
  health?: () => Record<string, boolean>;
  /** Called after a change that the RADIUS side caches (NAS list, services, plans). */
  onChange?: (entity: 'nas' | 'plan' | 'service' | 'customer') => void;
  fastify?: Partial<FastifyServerOptions>;
  /** Prometheus registry served at /metrics. */
  metrics?: Metrics;
}

export interface App extends FastifyInstance {
  repos: Repos;
  /** The billing engine the routes use; the daemon's scheduler runs through the same instance. */
  billing: BillingService;
}

/** Builds the HTTP application without listening: `main.ts` listens, tests use `inject()`. */
export async function build(opts: BuildOptions): Promise<App> {
  const app = Fastify({
    loggerInstance: opts.logger || undefined,
    logger: opts.logger ? undefined : false,
    bodyLimit: opts.config.http.body_limit_bytes,
    trustProxy: opts.config.http.trust_proxy,
    ...(opts.config.http.tls_cert && opts.config.http.tls_key
      ? { https: { cert: readFileSync(opts.config.http.tls_cert), key: readFileSync(opts.config.http.tls_key) } }
      : {}),
    ...opts.fastify,
  } as FastifyServerOptions) as unknown as App;

  app.setValidatorCompiler(validatorCompiler());
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((req, reply) => sendProblem(reply, problem('not_found', `no route for ${req.method} ${req.url.split('?')[0]}`)));

  const repos = makeRepos(opts.db, opts.box, opts.now);
  app.decorate('repos', repos);
  const clock = { now: opts.now ?? (() => new Date()) };
  const billing = billingService({ store: billingStore(opts.db), clock, currency: opts.config.billing.currency, timezone: opts.config.billing.timezone });
  app.decorate('billing', billing);
  const tokens = tokenStore(opts.db, opts.now);

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Tollgate API', version: '1', description: 'RADIUS, billing and network control for ISPs. Money is integer minor units; dates YYYY-MM-DD in the billing time zone; instants ISO 8601 UTC.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'a token from `tollgate token create`' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });

  app.get('/healthz', { schema: { hide: true } }, async (_req, reply) => {
    let database = false;
    try {
      database = opts.db.$client.prepare('select 1 as ok').get() !== undefined;
    } catch {
      database = false;
    }
    const checks = { database, ...(opts.health?.() ?? {}) };
    const ok = Object.values(checks).every(Boolean);
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'degraded', checks });
  });

  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
    const registry = opts.metrics?.registry;
    if (!registry) return sendProblem(reply, problem('not_found', 'metrics are not enabled'));
    return reply.type(registry.contentType).send(await registry.metrics());
  });

  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(async (api) => {
    api.addHook('onRequest', async (req, reply) => {
      const header = req.headers.authorization ?? '';
      const m = /^Bearer\s+(\S+)$/i.exec(header);
      const info = m ? await tokens.verify(m[1]!) : undefined;
      if (!info) {
        reply.header('www-authenticate', 'Bearer realm="tollgate"');
        return sendProblem(reply, problem('unauthorized', m ? 'the token is unknown, revoked or expired' : 'send Authorization: Bearer <token>'));
      }
      req.actor = { id: `token:${info.id}`, role: info.role };
      return undefined;
    });
    // Caches on the RADIUS side are refreshed after every successful write.
    api.addHook('onResponse', async (req, reply) => {
      if (req.method === 'GET' || reply.statusCode >= 400) return;
      const entity = /^\/api\/v1\/(nas|plans|services|customers)\b/.exec(req.url)?.[1];
      if (entity) opts.onChange?.(({ nas: 'nas', plans: 'plan', services: 'service', customers: 'customer' } as const)[entity as 'nas']);
    });

    registerCrud(api, { path: '/api/v1/nas', tag: 'nas', noun: 'NAS', resource: repos.nas, item: S.Nas, create: S.NasCreate, patch: S.NasPatch });
    registerCrud(api, { path: '/api/v1/plans', tag: 'plans', noun: 'plan', resource: repos.plans, item: S.Plan, create: S.PlanCreate, patch: S.PlanPatch });
    registerCrud(api, { path: '/api/v1/customers', tag: 'customers', noun: 'customer', resource: repos.customers, item: S.Customer, create: S.CustomerCreate, patch: S.CustomerPatch });
    registerCrud(api, {
      path: '/api/v1/services', tag: 'services', noun: 'service', resource: repos.services, item: S.Service, create: S.ServiceCreate, patch: S.ServicePatch,
      listQuery: S.ServiceListQuery,
      filters: (q) => {
        const f = [];
        if (q.customerId !== undefined) f.push(eq(services.customerId, q.customerId as number));
        if (q.planId !== undefined) f.push(eq(services.planId, q.planId as number));
        if (q.status !== undefined) f.push(eq(services.status, q.status as 'active'));
        if (q.username !== undefined) f.push(eq(services.username, q.username as string));
        return f.length ? [and(...f)!] : [];
      },
    });

    const logs = sessionLog(opts.db);
    api.get('/api/v1/sessions', { schema: { tags: ['sessions'], summary: 'RADIUS sessions with their byte counts, newest first', querystring: S.SessionListQuery, response: { 200: S.pageOf(S.Session) } } }, async (req) => {
      const q = req.query as { limit?: number; cursor?: string; active?: boolean; username?: string; serviceId?: number; nasId?: number };
      const p = await logs.sessions(q, q.limit, q.cursor);
      return { ...p, items: p.items.map((s) => ({ ...s, active: s.stoppedAt === null })) };
    });
    api.get('/api/v1/auth-log', { schema: { tags: ['sessions'], summary: "Every Access-Request's outcome and, for a reject, the reason", querystring: S.AuthLogQuery, response: { 200: S.pageOf(S.AuthLogEntry) } } }, async (req) => {
      const q = req.query as { limit?: number; cursor?: string; username?: string; serviceId?: number; nasId?: number; outcome?: 'accept' | 'reject' };
      return logs.authLog(q, q.limit, q.cursor);
    });

    await api.register(billingRoutes, { db: opts.db, billing, clock, timezone: opts.config.billing.timezone });
  });

  return app;
}
