import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { loadConfig, type LoadedConfig } from './config/load.js';
import { ensureFirstAdmin, openAndMigrate } from './bootstrap.js';
import { build } from './http/build.js';
import type { PrepaidOps } from './billing/prepaid-ops.js';
import { parseListen } from './config/schema.js';
import { createLogger } from './logger.js';
import { startRadiusServer } from './radius/server/index.js';
import { createMetrics } from './metrics.js';
import { createNasJobs } from './nas/jobs.js';
import { createServiceControl, writerSessionCloser } from './nas/actions.js';
import { routerOsFallback } from './nas/routeros-fallback.js';
import { createAccountingWriter } from './db/writer-thread.js';
import type { UsageDelta } from './db/radius.js';
import { systemClock } from './lib/clock.js';
import { Topic, type CachedEntity } from './lib/topic.js';

/** How long a graceful stop may take before the process gives up and exits non-zero. */
const STOP_DEADLINE_MS = 10_000;

/**
 * The composition root: config -> database -> RADIUS, HTTP -> signals. Everything it starts is
 * stopped in reverse order on SIGTERM/SIGINT; SIGHUP reloads what can change without a restart.
 */
export async function serve(loaded: LoadedConfig, log: Logger = createLogger(loaded.config.log.level)): Promise<void> {
  const { config } = loaded;
  const now = () => new Date();
  log.info({ config: loaded.file ?? '(defaults)', database: config.database.path }, 'starting tollgate');

  const { db, box } = await openAndMigrate(config, log);
  await ensureFirstAdmin(db, config, log, now());

  const metrics = createMetrics();
  // Hotspot vouchers redeem at their first login through the app's voucher service (set once built).
  let prepaidOps: PrepaidOps | undefined;
  const vouchers = { redeemAtLogin: (username: string, password: string | undefined) => prepaidOps?.vouchers.redeemAtLogin(username, password) };
  const changes = new Topic<CachedEntity>((err) => log.error({ err }, 'acting on a change of cached data failed'));
  const usage = new Topic<readonly UsageDelta[]>((err) => log.error({ err }, 'data caps: acting on committed usage failed'));
  const writer = createAccountingWriter(db, {
    onError: (e) => log.error({ err: (e as Error).message }, 'accounting commit failed; requests stay unanswered so NAS retransmit'),
    onUsage: (u) => usage.publish(u),
  });
  const radius = await startRadiusServer({ config, db, box, log: log.child({ part: 'radius' }), metrics, clock: systemClock, writer, changes, vouchers });
  // CoA and Disconnect: one instance for the API, dunning, prepaid and caps; closes sessions the NAS
  // does not know through the RADIUS writer, and drops RADIUS's cached service row on a status change.
  const control = createServiceControl({
    db, box, config, clock: { now }, metrics, log: log.child({ part: 'nas' }),
    closeSession: writerSessionCloser(db, writer, config.billing.timezone),
    onServiceChange: () => changes.publish('service'),
    routerOs: routerOsFallback(db, box),
  });
  control.start();
  // RouterOS reconciliation and SNMP polling; sessions change through the RADIUS writer.
  const nasJobs = createNasJobs({ db, box, config, clock: { now }, writer: writer, metrics, log: log.child({ part: 'nas' }) });
  nasJobs.start();
  const app = await build({
    db,
    box,
    config,
    control,
    nasNetwork: { reconciler: nasJobs.reconciler, radiusAddresses: () => radius.addresses() },
    logger: log.child({ part: 'http' }),
    now,
    health: () => ({ radius: radius.addresses().auth.length > 0 }),
    onChange: (entity) => changes.publish(entity),
    metrics,
  });
  prepaidOps = app.prepaid;
  // Data caps see each committed accounting batch's traffic (after its Accounting-Responses went out).
  usage.subscribe((u) => app.prepaid.caps.onUsage(u));
  // Signal handlers go in before the listeners open, so an early SIGHUP cannot kill the daemon.
  let scheduler: { stop(): Promise<void> } | undefined;
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    const deadline = setTimeout(() => {
      log.error('graceful stop took longer than 10 s; exiting');
      process.exit(1);
    }, STOP_DEADLINE_MS);
    deadline.unref();
    try {
      // Stop taking new work first, then let RADIUS flush acknowledged-but-unwritten work, then close.
      await scheduler?.stop();
      await nasJobs.stop();
      await app.close();
      await control.stop();
      await radius.close();
      db.$client.pragma('wal_checkpoint(TRUNCATE)');
      db.$client.close();
      log.info('stopped');
      clearTimeout(deadline);
      process.exit(0);
    } catch (e) {
      log.error({ err: e }, 'error while stopping');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGHUP', () => {
    try {
      const fresh = loadConfig(loaded.file);
      log.level = fresh.config.log.level;
      changes.publish('nas');
      changes.publish('plan');
      log.info({ level: log.level }, 'reloaded: NAS clients and log level (other keys need a restart)');
    } catch (e) {
      log.error({ err: (e as Error).message }, 'reload failed; keeping the running configuration');
    }
  });

  const { host, port } = parseListen(config.http.listen)!;
  await app.listen({ host, port });
  const bound = app.server.address() as AddressInfo;
  const http = `${app.initialConfig.https ? 'https' : 'http'}://${bound.family === 'IPv6' ? `[${bound.address}]` : bound.address}:${bound.port}`;
  log.info({ radiusAuth: radius.addresses().auth, radiusAcct: radius.addresses().acct, http }, 'tollgate is serving');
  // The daily jobs (billing, dunning, prepaid, caps: src/scheduler/) at billing.run_at, catching up
  // missed days first, and the notification sender (outbox -> SMTP / SMS gateway).
  app.notifySender.start();
  app.jobs.start();
  scheduler = {
    stop: async () => {
      await app.jobs.stop();
      await app.notifySender.stop();
    },
  };

}
