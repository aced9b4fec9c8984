import { readFileSync } from 'node:fs';
import Fastify, { LogController, type FastifyInstance, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { Db } from '../db/client.js';
import type { SqlClient } from '../db/sql.js';
import { makeRepos, type Repos } from '../db/repos.js';
import { collectRoutes } from './auth/guard.js';
import { authRoutes } from './auth/routes.js';
import { initialPasswordFile } from '../keys.js';
import { adminRoutes } from './routes/admins.js';
import { roleRoutes } from './routes/admin-roles.js';
import { tokenRoutes } from './routes/admin-tokens.js';
import { sessionLog } from '../db/logs.js';
import { writeBarrier } from '../db/radius.js';
import type { SecretBox } from '../lib/secretbox.js';
import type { Metrics } from '../metrics.js';
import { errorHandler, noRoute, problem, readerLanguage, sendProblem } from './errors.js';
import type { BillingService } from '../billing/service.js';
import { billingRoutes } from './routes/billing.js';
import { actionRoutes } from './routes/actions.js';
import { serviceStatusPatch, suspensionStep } from './routes/service-status.js';
import { nasNetworkRoutes, type NasNetworkOptions } from './routes/nas-network.js';
import { because, type ServiceControl } from '../nas/control.js';
import { said, type LocalText } from '../lib/errors.js';
import type { Scheduler } from '../scheduler/index.js';
import type { DunningService } from '../billing/dunning.js';
import type { Sender } from '../notify/sender.js';
import type { Security } from './auth/guard.js';
import type { Clock } from '../lib/clock.js';
import type { Change, Topic } from '../lib/topic.js';
import { changeOf } from './changes.js';
import { einvoiceRoutes } from './routes/einvoice.js';
import type { EinvoiceService } from '../einvoice/service.js';
import { dunningRoutes } from './routes/dunning.js';
import { notifyRoutes } from './routes/notify.js';
import { isLocale } from '../i18n/locales.js';
import { jobRoutes } from './routes/jobs.js';
import type { PrepaidOps } from '../billing/prepaid-ops.js';
import { prepaidRoutes } from './routes/prepaid.js';
import { registerCrud } from './routes/crud.js';
import * as L from './routes/lists.js';
import { auditRoutes } from './routes/audit.js';
import { dashboardRoutes } from './routes/dashboard.js';
import { webRoutes } from './routes/web.js';
import { ensureCustomerSearch } from '../db/search.js';
import { isStorageFailure, StorageHealth } from '../db/storage-health.js';
import { httpMetrics } from './metrics-hook.js';
import * as S from './schemas.js';
import { nameLookup } from '../db/names.js';
import { overviewRoutes } from './routes/overview.js';
import { radiusDropRoutes } from './routes/radius-drops.js';
import { servicePasswordRoutes } from './routes/service-password.js';
import { DropTracker } from '../radius/server/drops.js';
import { withServiceOwners } from './names.js';
import { withReasonCode } from './reasons.js';
import { validatorCompiler } from './validation.js';

declare module 'fastify' {
  interface FastifyRequest {
    actor?: { id: string; role: string };
  }
}

/** What the routes act through: the daemon's domain services and its scheduler, built before the app. */
export interface AppServices {
  billing: BillingService;
  dunning: DunningService;
  prepaid: PrepaidOps;
  security: Security;
  /** Poked when a notification is queued or retried by hand. */
  sender: Pick<Sender, 'poke'>;
  einvoice: EinvoiceService;
}

export interface BuildOptions {
  /** The database, on either backend. */
  sql: SqlClient;
  /** SQLite only: the connection's handle, for the NAS routes' own writer when no reconciler is given (tests, tools). */
  db?: Db | undefined;
  box: SecretBox;
  config: Config;
  clock: Clock;
  services: AppServices;
  scheduler: Scheduler;
  /** Suspend, resume, disconnect and rate changes on the network. */
  control: ServiceControl;
  /** Told after a change that the RADIUS side caches (NAS list, services, plans, customers). */
  changes: Topic<Change>;
  /** A pino logger, or false for none (tests). */
  logger?: Logger | false;
  /** Extra checks for /healthz (e.g. RADIUS listeners bound). */
  health?: () => Record<string, boolean>;
  /**
   * Whether the database takes writes, shared with the accounting writer (the composition root
   * builds it); one over `db` when absent. The API reports its own storage failures and commits to it.
   */
  storage?: StorageHealth;
  fastify?: Partial<FastifyServerOptions>;
  /** Prometheus registry served at /metrics. */
  metrics?: Metrics;
  /** RouterOS reconciliation and the RADIUS listeners' bound addresses (onboarding), from the daemon. */
  nasNetwork?: Pick<NasNetworkOptions, 'reconciler' | 'radiusAddresses' | 'selfTestRetry'>;
  /** The RADIUS server's count of fixable drops; absent (tests, tools without RADIUS): an empty one. */
  radiusDrops?: DropTracker | undefined;
}

export interface App extends FastifyInstance {
  repos: Repos;
}

/** Why a service's edit acts on its live sessions: a plan change, a status set by hand, or both; undefined for neither. */
function serviceChange(before: Record<string, unknown>, after: Record<string, unknown>, statusHere: boolean): LocalText | undefined {
  const plan = before.planId !== after.planId ? { from: String(before.planId), to: String(after.planId) } : undefined;
  const status = statusHere ? { fromStatus: String(before.status), toStatus: String(after.status) } : undefined;
  const planText = (p: { from: string; to: string }) => `plan changed from ${p.from} to ${p.to}`;
  const statusText = (st: { fromStatus: string; toStatus: string }) => `status changed from ${st.fromStatus} to ${st.toStatus}`;
  if (plan && status) return said('reason.action.planAndStatusChanged', `${planText(plan)}; ${statusText(status)}`, { ...plan, ...status });
  if (plan) return said('reason.action.planChanged', planText(plan), plan);
  if (status) return said('reason.action.statusChanged', statusText(status), status);
  return undefined;
}

/**
 * Builds the HTTP application without listening: plugins and routes over the services, scheduler and
 * network control it is given (composed in src/daemon.ts). `main.ts` listens, tests use `inject()`.
 */
export async function build(opts: BuildOptions): Promise<App> {
  const app = Fastify({
    loggerInstance: opts.logger || undefined,
    logger: opts.logger ? undefined : false,
    bodyLimit: opts.config.http.body_limit_bytes,
    trustProxy: opts.config.http.trust_proxy,
    // Fastify's two lines per request are replaced by one, after the answer (below).
    logController: new LogController({ disableRequestLogging: true }),
    ...(opts.config.http.tls_cert && opts.config.http.tls_key
      ? { https: { cert: readFileSync(opts.config.http.tls_cert), key: readFileSync(opts.config.http.tls_key) } }
      : {}),
    ...opts.fastify,
  } as FastifyServerOptions) as unknown as App;
  collectRoutes(app);
  // One line per request once answered: changes and failures at info, successful reads at debug (the
  // UI polls and searches as you type: a line per read would drown the journal and halve throughput).
  // The path only, never the query string: searches carry names and phone numbers.
  app.addHook('onResponse', async (req, reply) => {
    const quiet = (req.method === 'GET' || req.method === 'HEAD') && reply.statusCode < 400;
    req.log[quiet ? 'debug' : 'info']({ method: req.method, path: req.url.split('?')[0], status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
  });

  // Problems for a reader who names no language (readerLanguage in errors.ts) are in the installation's.
  app.decorate('defaultLanguage', isLocale(opts.config.locale.default) ? opts.config.locale.default : 'en');
  app.setValidatorCompiler(validatorCompiler());
  const storage = opts.storage ?? new StorageHealth(opts.sql, opts.clock);
  app.setErrorHandler((err, req, reply) => {
    if (isStorageFailure(err)) storage.failed(`API ${req.method} ${req.url.split('?')[0]}`, err);
    return errorHandler(err, req, reply);
  });
  // A request that succeeded after its connection committed rows: the storage takes writes again.
  app.addHook('onResponse', async (_req, reply) => {
    if (reply.statusCode < 400) await storage.observeCommits();
  });

  const { clock, control, changes } = opts;
  const { billing, dunning, prepaid: prepaidOps, security: sec } = opts.services;
  // A path nothing answers: a signed-in admin reads it in their chosen language, others by the request's.
  const notFoundLanguage = async (req: FastifyRequest) => (await sec.sessionLanguage(req)) ?? readerLanguage(req);
  app.setNotFoundHandler(async (req, reply) => sendProblem(reply, problem('not_found', noRoute(req.method, req.url.split('?')[0]!)), await notFoundLanguage(req)));
  const sql = opts.sql;
  const repos = makeRepos(sql, opts.box, clock);
  await ensureCustomerSearch(sql);
  app.decorate('repos', repos);

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Tollgate API', version: '1', description: 'RADIUS, billing and network control for ISPs. Money is integer minor units; dates YYYY-MM-DD in the billing time zone; instants ISO 8601 UTC.' },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'a token from `tollgate token create` or POST /api/v1/tokens' },
          session: { type: 'apiKey', in: 'cookie', name: 'tollgate_session', description: 'the cookie POST /api/v1/auth/login sets; writes also need the X-CSRF-Token header' },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });

  app.get('/healthz', { schema: { hide: true } }, async (_req, reply) => {
    let database: boolean;
    try {
      database = (await opts.sql.get('select 1 as "ok"')) !== undefined;
    } catch {
      database = false;
    }
    // A failed commit (the disk full, say) makes the daemon unhealthy until a commit succeeds again.
    const failure = storage.problem;
    const checks = { database, storage: failure === undefined, ...(opts.health?.() ?? {}) };
    const ok = Object.values(checks).every(Boolean);
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'degraded', checks, ...(failure ? { storage: failure } : {}) });
  });

  if (opts.metrics) httpMetrics(app, opts.metrics);
  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
    const registry = opts.metrics?.registry;
    if (!registry) return sendProblem(reply, problem('not_found', said('fault.metricsOff', 'metrics are not enabled')));
    return reply.type(registry.contentType).send(await registry.metrics());
  });

  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await app.register(webRoutes, { language: notFoundLanguage }); // the admin UI at / (H6)

  await app.register(async (api) => {
    // Allow-list, token or session (with CSRF), second factor and first-run password, role permission.
    api.addHook('onRequest', sec.guard);
    // Caches on the RADIUS side and the data-cap counters are refreshed after every successful
    // write (committed by now): the rows it changed. onSend, as a create's new id is in its answer.
    api.addHook('onSend', async (req, reply, payload) => {
      if (req.method === 'GET' || reply.statusCode >= 400) return payload;
      const change = changeOf(req.method, req.url, payload);
      if (change) changes.publish(change);
      return payload;
    });

    registerCrud(api, { path: '/api/v1/nas', tag: 'nas', noun: 'NAS', resource: repos.nas, item: S.Nas, create: S.NasCreate, patch: S.NasPatch, ...L.nasListing });
    const names = nameLookup(sql);
    registerCrud(api, {
      path: '/api/v1/plans', tag: 'plans', noun: 'plan', resource: repos.plans, item: S.Plan, create: S.PlanCreate, patch: S.PlanPatch, ...L.planListing,
      decorate: async (items) => {
        const counts = await names.activeSubscribers(items.map((p) => p.id as number));
        return items.map((p) => ({ ...p, activeSubscribers: counts.get(p.id as number) ?? 0 }));
      },
    });
    registerCrud(api, { path: '/api/v1/customers', tag: 'customers', noun: 'customer', resource: repos.customers, item: S.Customer, create: S.CustomerCreate, patch: S.CustomerPatch, ...L.customerListing(sql), ...L.customerSearchList(sql, repos.customers) });
    registerCrud(api, {
      path: '/api/v1/services', tag: 'services', noun: 'service', resource: repos.services, item: S.Service, create: S.ServiceCreate, patch: S.ServicePatch,
      ...L.serviceListing,
      // A plan change reaches live sessions by CoA (Disconnect if the NAS refuses), after the commit.
      // A status edited by hand (to ended, say) is enforced too: sessions a login would refuse are cut.
      // To suspended, or from suspended to active, is a suspend or resume (service-status.ts): enforced there.
      splitPatch: serviceStatusPatch(control, { sql, clock, timezone: opts.config.billing.timezone }),
      afterUpdate: (before, after, req) => {
        const statusHere = before.status !== after.status && suspensionStep(before.status, after.status) === null;
        const why = serviceChange(before, after, statusHere);
        if (!why) return;
        const act = { ...because(why), by: req.actor?.id ?? 'anonymous' };
        // Leaving a suspension: a session still open is in the walled garden, which only a new login leaves.
        const leftSuspension = statusHere && before.status === 'suspended';
        (leftSuspension ? control.disconnect(after.id as number, act) : control.refreshRate(after.id as number, act))
          .catch((err: unknown) => req.log.error({ err }, 'acting on live sessions after a service change failed'));
      },
      beforeDelete: async (id, req) => {
        await control.disconnect(id, { ...because(said('reason.action.serviceDeleted', 'service deleted')), by: req.actor?.id ?? 'anonymous' });
      },
    });

    const logs = sessionLog(sql, () => writeBarrier(sql));
    api.get('/api/v1/sessions', { schema: { tags: ['sessions'], summary: 'RADIUS sessions with their byte counts, newest first', querystring: S.SessionListQuery, response: { 200: S.pageOf(S.Session) } } }, async (req) => {
      const q = req.query as { limit?: number; cursor?: string; active?: boolean; username?: string; serviceId?: number; nasId?: number };
      const p = await logs.sessions(q, q.limit, q.cursor);
      return { ...p, items: await withServiceOwners(names, p.items.map((s) => ({ ...s, active: s.stoppedAt === null }))) };
    });
    api.get('/api/v1/auth-log', { schema: { tags: ['sessions'], summary: "Every Access-Request's outcome and, for a reject, the reason", querystring: S.AuthLogQuery, response: { 200: S.pageOf(S.AuthLogEntry) } } }, async (req) => {
      const q = req.query as { limit?: number; cursor?: string; username?: string; serviceId?: number; nasId?: number; outcome?: 'accept' | 'reject' };
      const p = await logs.authLog(q, q.limit, q.cursor);
      return { ...p, items: await withServiceOwners(names, p.items.map(withReasonCode)) };
    });

    await api.register(L.listRoutes, { logs });
    await api.register(auditRoutes, { sql });
    await api.register(dashboardRoutes, { sql, clock, timezone: opts.config.billing.timezone, currency: opts.config.billing.currency });
    await api.register(overviewRoutes, { sql, clock, config: opts.config });
    await api.register(servicePasswordRoutes, { sql, repos, box: opts.box, clock });
    await api.register(radiusDropRoutes, { drops: opts.radiusDrops ?? new DropTracker(clock), repos });
    await api.register(billingRoutes, { sql, billing, clock, timezone: opts.config.billing.timezone, currency: opts.config.billing.currency, control, runDaily: opts.scheduler.runDaily, company: opts.config.company, defaultLanguage: isLocale(opts.config.locale.default) ? opts.config.locale.default : 'en' });
    await api.register(dunningRoutes, { sql, dunning, clock });
    await api.register(einvoiceRoutes, {
      sql, einvoice: opts.services.einvoice, config: opts.config,
      acubeWebhook: { header: opts.config.einvoice.acube_webhook_header, token: opts.config.einvoice.acube_webhook_token },
    });
        await api.register(notifyRoutes, { sql, clock, defaultLanguage: isLocale(opts.config.locale.default) ? opts.config.locale.default : 'en', poke: () => opts.services.sender.poke() });
    await api.register(jobRoutes, { jobs: opts.scheduler.jobs });
    await api.register(prepaidRoutes, { ops: prepaidOps, onChange: (change) => changes.publish(change) });
    await api.register(actionRoutes, { sql, control });
    await api.register(nasNetworkRoutes, { sql, db: opts.db, box: opts.box, config: opts.config, clock, ...opts.nasNetwork });
    await api.register(authRoutes, { sec, box: opts.box, clock, initialPasswordFile: initialPasswordFile(opts.config), billing: { timezone: opts.config.billing.timezone, currency: opts.config.billing.currency }, defaultLanguage: opts.config.locale.default });
    await api.register(adminRoutes, { sec, clock });
    await api.register(roleRoutes, { sec });
    await api.register(tokenRoutes, { sec, clock });
  });

  return app;
}
