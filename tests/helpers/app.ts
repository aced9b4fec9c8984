// The HTTP app composed as the daemon composes it (src/daemon.ts: network control -> services ->
// scheduler -> build), with test defaults: the system clock unless a test clock is given, no logger,
// topics nobody listens to, and a ServiceControl of its own (no RADIUS writer) unless one is given.
// Closing the app stops what the daemon's stop would: the job runner, the sender, dunning's work in
// flight and the control made here.
import pino, { type Logger } from 'pino';
import type { Config } from '../../src/config/schema.js';
import { sqlOf, type Db } from '../../src/db/client.js';
import type { SqlClient } from '../../src/db/sql.js';
import type { AcctWriter, UsageDelta } from '../../src/db/radius.js';
import { createDailyScheduler, createServices, type Services } from '../../src/daemon.js';
import { build, type App, type BuildOptions } from '../../src/http/build.js';
import { systemClock, type Clock } from '../../src/lib/clock.js';
import type { SecretBox } from '../../src/lib/secretbox.js';
import { Topic, type Change } from '../../src/lib/topic.js';
import type { Metrics } from '../../src/metrics.js';
import { createServiceControl, type ServiceControlRuntime } from '../../src/nas/actions.js';
import { createNasJobs } from '../../src/nas/jobs.js';
import type { ServiceControl } from '../../src/nas/control.js';
import type { Transport } from '../../src/notify/transports.js';
import type { SdiChannel } from '../../src/einvoice/service.js';
import type { Channel } from '../../src/notify/types.js';
import type { Scheduler } from '../../src/scheduler/index.js';
import type { JobRunner } from '../../src/scheduler/jobs.js';

export interface TestAppOptions {
  /** The database: a SqlClient of either backend, or a SQLite handle (its connection's client is used). */
  sql?: SqlClient;
  db?: Db;
  box: SecretBox;
  config: Config;
  clock?: Clock;
  logger?: Logger | false;
  metrics?: Metrics;
  control?: ServiceControl;
  changes?: Topic<Change>;
  usage?: Topic<readonly UsageDelta[]>;
  transports?: Partial<Record<Channel, Transport>>;
  sdiChannel?: SdiChannel;
  nasNetwork?: BuildOptions['nasNetwork'];
  /**
   * The RADIUS server's accounting writer, when the test runs one: the NAS routes then reconcile
   * through it as the daemon's do, instead of a writer of their own beside it.
   */
  writer?: AcctWriter;
  health?: BuildOptions['health'];
  storage?: BuildOptions['storage'];
  fastify?: BuildOptions['fastify'];
}

/** The parts below HTTP, as the daemon builds them; `close()` stops what closing the app stops. */
export interface TestParts {
  services: Services;
  scheduler: Scheduler;
  /** The daily job runner (`scheduler.jobs`). */
  jobs: JobRunner;
  control: ServiceControl;
  changes: Topic<Change>;
  usage: Topic<readonly UsageDelta[]>;
  clock: Clock;
  close(): Promise<void>;
}

export interface TestApp extends TestParts {
  app: App;
}

function sqlOfOptions(opts: TestAppOptions): SqlClient {
  if (opts.sql) return opts.sql;
  if (!opts.db) throw new Error('a test app needs `sql` or `db`');
  return sqlOf(opts.db);
}

/** Network control (unless given), the domain services and the scheduler; RADIUS may be started next. */
export function composeParts(opts: TestAppOptions): TestParts {
  const { box, config } = opts;
  const sql = sqlOfOptions(opts);
  const clock = opts.clock ?? systemClock;
  const log = opts.logger || undefined;
  const changes = opts.changes ?? new Topic<Change>();
  const usage = opts.usage ?? new Topic<readonly UsageDelta[]>();
  let own: ServiceControlRuntime | undefined;
  let control = opts.control;
  if (!control) {
    own = createServiceControl({ sql, box, config, clock, ...(opts.metrics ? { metrics: opts.metrics } : {}), ...(log ? { log } : {}) });
    own.start();
    control = own;
  }
  const services = createServices({ sql, box, config, clock, control, changes, usage, transports: opts.transports, sdiChannel: opts.sdiChannel, metrics: opts.metrics, log });
  const scheduler = createDailyScheduler({ sql, config, clock, services, metrics: opts.metrics, log });
  return {
    services, scheduler, jobs: scheduler.jobs, control, changes, usage, clock,
    close: async () => {
      await scheduler.jobs.stop();
      await services.sender.stop();
      await services.dunning.idle();
      await own?.stop();
    },
  };
}

/** RouterOS reconciliation over the RADIUS writer, as src/main.ts composes it (createNasJobs, not started). */
function reconcilerOver(writer: AcctWriter, parts: TestParts, opts: TestAppOptions) {
  return createNasJobs({ sql: sqlOfOptions(opts), box: opts.box, config: opts.config, clock: parts.clock, writer, log: opts.logger || pino({ level: 'silent' }) }).reconciler;
}

/** The HTTP app over composed parts; closing it closes them. */
export async function buildHttp(parts: TestParts, opts: TestAppOptions): Promise<App> {
  const { box, config } = opts;
  const { services, scheduler, control, changes, clock } = parts;
  const app = await build({
    sql: sqlOfOptions(opts), db: opts.db, box, config, clock, services, scheduler, control, changes,
    logger: opts.logger ?? false,
    ...(opts.metrics ? { metrics: opts.metrics } : {}),
    ...(opts.nasNetwork ? { nasNetwork: opts.nasNetwork } : opts.writer ? { nasNetwork: { reconciler: reconcilerOver(opts.writer, parts, opts) } } : {}),
    ...(opts.health ? { health: opts.health } : {}),
    ...(opts.storage ? { storage: opts.storage } : {}),
    ...(opts.fastify ? { fastify: opts.fastify } : {}),
  });
  app.addHook('onClose', parts.close);
  return app;
}

export async function buildApp(opts: TestAppOptions): Promise<TestApp> {
  const parts = composeParts(opts);
  return { ...parts, app: await buildHttp(parts, opts) };
}
