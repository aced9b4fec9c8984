import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { loadConfig, type LoadedConfig } from './config/load.js';
import { ensureFirstAdmin, openStorage } from './bootstrap.js';
import { createDailyScheduler, createNetworkControl, createServices } from './daemon.js';
import { build } from './http/build.js';
import { parseListen } from './config/schema.js';
import { createLogger } from './logger.js';
import { startRadiusServer } from './aaa/server.js';
import { DropTracker } from './radius/server/drops.js';
import { createMetrics } from './metrics.js';
import { createNasJobs } from './nas/jobs.js';
import { createAccountingWriter } from './db/writer-thread.js';
import { relayChanges, type ChangeRelay } from './db/pg-changes.js';
import { createPgAccountingWriter } from './db/pg-writer.js';
import { redactUrl } from './db/sql.js';
import { StorageHealth } from './db/storage-health.js';
import type { AcctWriter, UsageDelta } from './db/radius.js';
import { systemClock, type Clock } from './lib/clock.js';
import { newInstanceId } from './lib/process-holder.js';
import { allOf, Topic, type Change } from './lib/topic.js';

/** How long a graceful stop may take before the process gives up and exits non-zero. */
const STOP_DEADLINE_MS = 10_000;

export interface ServeOptions {
  log?: Logger | undefined;
  clock?: Clock | undefined;
}

/**
 * The composition root: config -> clock -> database -> accounting writer and topics -> network
 * control -> domain services -> scheduler -> RADIUS -> HTTP -> signals. Each part is built from the
 * parts before it (src/daemon.ts); nothing is wired afterwards. Everything it starts is stopped in
 * reverse order on SIGTERM/SIGINT; SIGHUP reloads what can change without a restart.
 */
export async function serve(loaded: LoadedConfig, opts: ServeOptions = {}): Promise<void> {
  const { config } = loaded;
  const log = opts.log ?? createLogger(config.log.level);
  const clock = opts.clock ?? systemClock;
  const postgres = config.database.url !== '';
  // The runtime too: it sets how much CPU a request costs (bench/README.md, "Node.js lines"), and a
  // report from an operator should say which one ran.
  log.info({ config: loaded.file ?? '(defaults)', database: postgres ? redactUrl(config.database.url) : config.database.path, node: process.version }, 'starting tollgate');

  // SQLite (`db` is its handle, for the SQLite-only parts) or PostgreSQL shared with other nodes.
  const { sql, db, box } = await openStorage(config, log, clock);
  await ensureFirstAdmin(sql, config, log, clock);

  const metrics = createMetrics();
  // What RADIUS caches and others change; the traffic of each committed accounting batch (published
  // after its Accounting-Responses went out), which data caps follow.
  const changes = new Topic<Change>((err) => log.error({ err }, 'acting on a change of cached data failed'));
  const usage = new Topic<readonly UsageDelta[]>((err) => log.error({ err }, 'data caps: acting on committed usage failed'));
  // Whether the database takes writes, from the outcome of every commit (the writer's and the API's):
  // /healthz answers 503 with the reason after a failed one, and API writes answer 503.
  const storage = new StorageHealth(sql, clock);
  // Accounting is acknowledged after commit: on SQLite by a writer thread on its own connection, on
  // PostgreSQL by batched upserts committed with synchronous_commit on.
  const writerOptions = {
    storage,
    onError: (e: unknown) => log.error({ err: (e as Error).message }, 'accounting commit failed; requests stay unanswered so NAS retransmit'),
    onUsage: (u: readonly UsageDelta[]) => usage.publish(u),
  };
  // Several nodes on one PostgreSQL: what one node's API changes, the others' caches reload, and
  // the services whose open sessions one node's accounting changed, the others read again.
  const sessionsChanged = new Topic<readonly number[]>((err) => log.error({ err }, 'telling other nodes of session changes failed'));
  let writer: AcctWriter;
  let relay: ChangeRelay | undefined;
  if (db) writer = createAccountingWriter(db, writerOptions);
  else {
    const pgWriter = await createPgAccountingWriter(sql, { ...writerOptions, onSessions: (ids) => sessionsChanged.publish(ids) });
    writer = pgWriter;
    relay = await relayChanges({
      url: config.database.url, topic: changes, nodeId: newInstanceId(),
      onError: (err) => log.warn({ err: (err as Error).message }, 'changes between nodes: connection lost; reconnecting'),
      sessions: { changed: sessionsChanged, refresh: (ids) => pgWriter.refreshSessions(ids), reload: () => pgWriter.reloadSessions() },
    });
  }
  // CoA and Disconnect: one instance for the API, dunning, prepaid and caps; closes sessions the NAS
  // does not know through the RADIUS writer, and drops RADIUS's cached service row on a status change.
  const nasLog = log.child({ part: 'nas' });
  const control = createNetworkControl({ sql, box, config, clock, writer, changes, metrics, log: nasLog });
  // RouterOS reconciliation and SNMP polling; sessions change through the RADIUS writer.
  const nasJobs = createNasJobs({ sql, box, config, clock, writer, metrics, log: nasLog });
  const services = createServices({ sql, box, config, clock, control, changes, usage, metrics, log });
  // The daily jobs (billing, dunning, prepaid, caps: src/scheduler/) at billing.run_at, catching up missed days first.
  const scheduler = createDailyScheduler({ sql, config, clock, services, metrics, log });
  // Drops an operator can fix on the router, counted in memory for the API's NAS view.
  const drops = new DropTracker(clock);
  // Hotspot vouchers redeem at their first login.
  const radius = await startRadiusServer({
    config, sql, db, box, log: log.child({ part: 'radius' }), metrics, clock, writer, changes, vouchers: services.prepaid.vouchers, drops,
  });
  control.start();
  nasJobs.start();
  const app = await build({
    sql, db, box, config, clock, services, scheduler, control, changes, metrics, radiusDrops: drops,
    nasNetwork: { reconciler: nasJobs.reconciler, radiusAddresses: () => radius.addresses() },
    logger: log.child({ part: 'http' }),
    health: () => ({ radius: radius.addresses().auth.length > 0 }),
    storage,
  });
  // Signal handlers go in before the listeners open, so an early SIGHUP cannot kill the daemon.
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
      await scheduler.jobs.stop();
      await services.sender.stop();
      await nasJobs.stop();
      await app.close();
      await services.dunning.idle();
      await control.stop();
      await radius.close();
      await services.notifier.idle();
      await relay?.close();
      if (db) db.$client.pragma('wal_checkpoint(TRUNCATE)');
      await sql.close();
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
      changes.publish(allOf('nas'));
      changes.publish(allOf('plan'));
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
  // The daily jobs and the notification sender (outbox -> SMTP / SMS gateway) start once serving.
  services.sender.start();
  scheduler.jobs.start();
}
