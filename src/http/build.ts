import { readFileSync } from 'node:fs';
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { Db } from '../db/client.js';
import { makeRepos, type Repos } from '../db/repos.js';
import { collectRoutes, security } from './auth/guard.js';
import { authRoutes } from './auth/routes.js';
import { adminRoutes } from './routes/admins.js';
import { roleRoutes } from './routes/admin-roles.js';
import { tokenRoutes } from './routes/admin-tokens.js';
import { sessionLog } from '../db/logs.js';
import type { SecretBox } from '../lib/secretbox.js';
import type { Metrics } from '../metrics.js';
import { errorHandler, problem, sendProblem } from './errors.js';
import { billingService, type BillingService } from '../billing/service.js';
import { billingStore } from '../db/billing.js';
import { billingRoutes } from './routes/billing.js';
import { actionRoutes } from './routes/actions.js';
import { serviceStatusPatch, suspensionStep } from './routes/service-status.js';
import { nasNetworkRoutes, type NasNetworkOptions } from './routes/nas-network.js';
import { createServiceControl } from '../nas/actions.js';
import type { ServiceControl } from '../nas/control.js';
import { createOperations, type OperationsOptions } from '../scheduler/index.js';
import type { JobRunner } from '../scheduler/jobs.js';
import type { DunningService } from '../billing/dunning.js';
import type { OutboxNotifier } from '../notify/outbox.js';
import type { Sender } from '../notify/sender.js';
import { dunningRoutes } from './routes/dunning.js';
import { notifyRoutes } from './routes/notify.js';
import { jobRoutes } from './routes/jobs.js';
import { createPrepaidOps, type PrepaidOps } from '../billing/prepaid-ops.js';
import { planSwitchJob } from '../billing/plan-switch.js';
import { housekeepingJob } from '../scheduler/housekeeping.js';
import { prepaidRoutes } from './routes/prepaid.js';
import { registerCrud } from './routes/crud.js';
import * as L from './routes/lists.js';
import { auditRoutes } from './routes/audit.js';
import { dashboardRoutes } from './routes/dashboard.js';
import { webRoutes } from './routes/web.js';
import { ensureCustomerSearch } from '../db/search.js';
import { httpMetrics, instrumentBilling } from './metrics-hook.js';
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
  /**
   * CoA and Disconnect for live sessions. The daemon passes the one it runs (closing sessions through
   * the RADIUS server's writer); absent, build makes one with its checker, stopped when the app closes.
   */
  control?: ServiceControl;
  /** Email/SMS delivery in place of the configured SMTP and SMS gateway (tests). */
  notifyTransports?: OperationsOptions['transports'];
  /** RouterOS reconciliation and the RADIUS listeners' bound addresses (onboarding), from the daemon. */
  nasNetwork?: Pick<NasNetworkOptions, 'reconciler' | 'radiusAddresses' | 'selfTestRetry'>;
}

export interface App extends FastifyInstance {
  repos: Repos;
  /** The billing engine the routes use; the daemon's scheduler runs through the same instance. */
  billing: BillingService;
  /** Suspend, resume, disconnect and rate changes on the network: dunning, prepaid and caps use it too. */
  control: ServiceControl;
  /** The daily jobs: `app.jobs.register({ name, order, runFor })` adds one (plan-changes 5, billing 10, invoice-notices 15, dunning 20, prepaid 30, caps 40, housekeeping 90). */
  jobs: JobRunner;
  /** Notifications: `app.notifier.enqueue({ customerId, template, data, dedupeKey })` (src/notify/types.ts). */
  notifier: OutboxNotifier;
  dunning: DunningService;
  /** The outbox sender worker: main.ts starts it; tests call `drain()`. */
  notifySender: Sender;
  /** Prepaid top-ups and expiry, vouchers, data caps (main.ts hooks caps to the accounting writer). */
  prepaid: PrepaidOps;
}

/** Builds the HTTP application without listening: `main.ts` listens, tests use `inject()`. */
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

  app.setValidatorCompiler(validatorCompiler());
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((req, reply) => sendProblem(reply, problem('not_found', `no route for ${req.method} ${req.url.split('?')[0]}`)));

  const repos = makeRepos(opts.db, opts.box, opts.now);
  ensureCustomerSearch(opts.db.$client);
  app.decorate('repos', repos);
  const clock = { now: opts.now ?? (() => new Date()) };
  // Contracts the daily run closed: RADIUS drops their cached rows, so the next login is refused, and
  // their live sessions are cut as a deletion's are (`control` is set below, before any run starts).
  const contractsClosed = (serviceIds: number[]) => {
    opts.onChange?.('service');
    for (const id of serviceIds) {
      control!.disconnect(id, { reason: 'contract ended', by: 'system:billing' })
        .catch((err: unknown) => (opts.logger ? opts.logger.error({ err, serviceId: id }, 'billing: cutting the sessions of an ended contract failed') : undefined));
    }
  };
  const billing = instrumentBilling(billingService({ store: billingStore(opts.db), clock, currency: opts.config.billing.currency, timezone: opts.config.billing.timezone, onServicesChanged: contractsClosed }), opts.metrics);
  app.decorate('billing', billing);
  let control = opts.control;
  if (!control) {
    const own = createServiceControl({ db: opts.db, box: opts.box, config: opts.config, clock, ...(opts.metrics ? { metrics: opts.metrics } : {}), ...(opts.logger ? { log: opts.logger } : {}) });
    own.start();
    app.addHook('onClose', async () => own.stop());
    control = own;
  }
  app.decorate('control', control);
  const ops = createOperations({
    db: opts.db, config: opts.config, clock, billing, control, metrics: opts.metrics,
    log: opts.logger ? opts.logger.child({ part: 'jobs' }) : undefined, transports: opts.notifyTransports,
  });
  app.decorate('jobs', ops.jobs);
  app.decorate('notifier', ops.notifier);
  app.decorate('dunning', ops.dunning);
  app.decorate('notifySender', ops.sender);
  const prepaidOps = createPrepaidOps({
    db: opts.db, box: opts.box, config: opts.config, clock, control, notifier: ops.notifier,
    onError: (err, context) => (opts.logger ? opts.logger.error({ err, ...context }, 'prepaid or data caps: an after-commit action failed') : undefined),
  });
  prepaidOps.registerJobs(ops.jobs);
  // Plan changes dated ahead switch the enforced plan on their day (before billing: src/billing/plan-switch.ts).
  ops.jobs.register(planSwitchJob({
    store: billingStore(opts.db), clock, control, onServicesChanged: () => opts.onChange?.('service'),
    onError: (err, context) => (opts.logger ? opts.logger.error({ err, ...context }, 'plan-changes: a rate change after the switch failed') : undefined),
  }));
  app.decorate('prepaid', prepaidOps);
  app.addHook('onClose', async () => {
    await ops.jobs.stop();
    await ops.sender.stop();
    await ops.dunning.idle();
  });
  const sec = security({ db: opts.db, box: opts.box, config: opts.config, now: clock.now });
  // Expired admin sessions and stale login-throttle counters go daily, logins or not (src/scheduler/housekeeping.ts).
  ops.jobs.register(housekeepingJob(sec.purgeExpired));

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

  if (opts.metrics) httpMetrics(app, opts.metrics);
  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
    const registry = opts.metrics?.registry;
    if (!registry) return sendProblem(reply, problem('not_found', 'metrics are not enabled'));
    return reply.type(registry.contentType).send(await registry.metrics());
  });

  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await app.register(webRoutes); // the admin UI at / (H6)

  await app.register(async (api) => {
    // Allow-list, token or session (with CSRF), second factor and first-run password, role permission.
    api.addHook('onRequest', sec.guard);
    // Caches on the RADIUS side are refreshed after every successful write.
    api.addHook('onResponse', async (req, reply) => {
      if (req.method === 'GET' || reply.statusCode >= 400) return;
      const m = /^\/api\/v1\/(nas|plans|services|customers)\b(?:\/(\d+))?/.exec(req.url);
      const entity = m?.[1];
      if (entity) opts.onChange?.(({ nas: 'nas', plans: 'plan', services: 'service', customers: 'customer' } as const)[entity as 'nas']);
      // Data-cap counters follow a plan's cap or a service's plan and billing day at once.
      if (entity === 'plans') prepaidOps.caps.invalidate();
      else if (entity === 'services') prepaidOps.caps.invalidate(m?.[2] === undefined ? undefined : Number(m[2]));
    });

    registerCrud(api, { path: '/api/v1/nas', tag: 'nas', noun: 'NAS', resource: repos.nas, item: S.Nas, create: S.NasCreate, patch: S.NasPatch, ...L.nasListing });
    registerCrud(api, { path: '/api/v1/plans', tag: 'plans', noun: 'plan', resource: repos.plans, item: S.Plan, create: S.PlanCreate, patch: S.PlanPatch, ...L.planListing });
    registerCrud(api, { path: '/api/v1/customers', tag: 'customers', noun: 'customer', resource: repos.customers, item: S.Customer, create: S.CustomerCreate, patch: S.CustomerPatch, ...L.customerListing, ...L.customerSearchList(opts.db, repos.customers) });
    registerCrud(api, {
      path: '/api/v1/services', tag: 'services', noun: 'service', resource: repos.services, item: S.Service, create: S.ServiceCreate, patch: S.ServicePatch,
      ...L.serviceListing,
      // A plan change reaches live sessions by CoA (Disconnect if the NAS refuses), after the commit.
      // A status edited by hand (to ended, say) is enforced too: sessions a login would refuse are cut.
      // To suspended, or from suspended to active, is a suspend or resume (service-status.ts): enforced there.
      splitPatch: serviceStatusPatch(control, { db: opts.db, now: clock.now, timezone: opts.config.billing.timezone }),
      afterUpdate: (before, after, req) => {
        const statusHere = before.status !== after.status && suspensionStep(before.status, after.status) === null;
        const changes = [
          ...(before.planId !== after.planId ? [`plan changed from ${String(before.planId)} to ${String(after.planId)}`] : []),
          ...(statusHere ? [`status changed from ${String(before.status)} to ${String(after.status)}`] : []),
        ];
        if (changes.length === 0) return;
        const act = { reason: changes.join('; '), by: req.actor?.id ?? 'anonymous' };
        // Leaving a suspension: a session still open is in the walled garden, which only a new login leaves.
        const leftSuspension = statusHere && before.status === 'suspended';
        (leftSuspension ? control.disconnect(after.id as number, act) : control.refreshRate(after.id as number, act))
          .catch((err: unknown) => req.log.error({ err }, 'acting on live sessions after a service change failed'));
      },
      beforeDelete: async (id, req) => {
        await control.disconnect(id, { reason: 'service deleted', by: req.actor?.id ?? 'anonymous' });
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

    await api.register(L.listRoutes, { db: opts.db });
    await api.register(auditRoutes, { db: opts.db });
    await api.register(dashboardRoutes, { db: opts.db, now: clock.now, timezone: opts.config.billing.timezone, currency: opts.config.billing.currency });
    await api.register(billingRoutes, { db: opts.db, billing, clock, timezone: opts.config.billing.timezone, control, runDaily: ops.runDaily, company: opts.config.company });
    await api.register(dunningRoutes, { db: opts.db, dunning: ops.dunning, clock });
    await api.register(notifyRoutes, { db: opts.db, clock, poke: () => ops.sender.poke() });
    await api.register(jobRoutes, { jobs: ops.jobs });
    await api.register(prepaidRoutes, { ops: prepaidOps, onChange: opts.onChange });
    await api.register(actionRoutes, { db: opts.db, control });
    await api.register(nasNetworkRoutes, { db: opts.db, box: opts.box, config: opts.config, clock, ...opts.nasNetwork });
    await api.register(authRoutes, { sec, box: opts.box, now: clock.now, billing: { timezone: opts.config.billing.timezone, currency: opts.config.billing.currency } });
    await api.register(adminRoutes, { sec, now: clock.now });
    await api.register(roleRoutes, { sec });
    await api.register(tokenRoutes, { sec, now: clock.now });
  });

  return app;
}
