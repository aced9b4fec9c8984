/**
 * The daemon's periodic network work: RouterOS reconciliation (`[nas] reconcile_interval_seconds`)
 * and SNMP polling (`[nas] snmp_interval_seconds`), each 0 for off, both stopped on shutdown.
 */
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { nasStore } from '../db/nas.js';
import type { AcctWriter } from '../db/radius.js';
import type { SqlClient } from '../db/sql.js';
import type { Clock } from '../lib/clock.js';
import type { SecretBox } from '../lib/secretbox.js';
import type { Metrics } from '../metrics.js';
import { NasReconciler, startPeriodic, startReconcileJob, type PeriodicJob } from './reconcile-job.js';
import { SnmpPoller } from './snmp/poller.js';

export interface NasJobsOptions {
  sql: SqlClient;
  box: SecretBox;
  config: Config;
  clock: Clock;
  writer: Pick<AcctWriter, 'accounting'>;
  metrics?: Metrics | undefined;
  log: Logger;
}

export interface NasJobs {
  reconciler: NasReconciler;
  poller: SnmpPoller;
  start(): void;
  stop(): Promise<void>;
}

export function createNasJobs(o: NasJobsOptions): NasJobs {
  const store = nasStore(o.sql);
  const c = o.config.nas;
  const reconciler = new NasReconciler({ store, box: o.box, clock: o.clock, writer: o.writer, timezone: o.config.billing.timezone, graceSeconds: c.reconcile_grace_seconds });
  const poller = new SnmpPoller({
    store, box: o.box, clock: o.clock, timeoutMs: c.snmp_timeout_ms, downAfterFailures: c.snmp_down_after_failures, retentionDays: c.traffic_retention_days,
    onStatus: (nas, s) => {
      if (s.state !== 'unknown') {
        const labels = { nas: nas.name, nas_id: String(nas.id) };
        const old = gauged.get(labels.nas_id);
        if (old && old.nas !== labels.nas) o.metrics?.nasUp.remove(old);
        gauged.set(labels.nas_id, labels);
        o.metrics?.nasUp.set(labels, s.state === 'up' ? 1 : 0);
      }
      if (s.consecutiveFailures === o.config.nas.snmp_down_after_failures) o.log.warn({ nas: nas.name, err: s.lastError }, 'NAS is down: SNMP polls failed');
    },
  });
  let jobs: PeriodicJob[] = [];
  // A NAS no longer polled (SNMP turned off, NAS deleted) leaves the gauge instead of staying at its last value.
  let gauged = new Map<string, { nas: string; nas_id: string }>();
  const pollAndPrune = async () => {
    const polled = new Set((await poller.pollAll()).map((s) => String(s.nasId)));
    for (const [id, labels] of gauged) if (!polled.has(id)) o.metrics?.nasUp.remove(labels);
    gauged = new Map([...gauged].filter(([id]) => polled.has(id)));
  };
  return {
    reconciler,
    poller,
    start() {
      jobs = [
        startReconcileJob(
          reconciler, c.reconcile_interval_seconds,
          (r) => {
            if (r.outcome === 'error') o.log.warn({ nasId: r.nasId, err: r.error }, 'reconciliation could not read the router');
            else if (r.created || r.closed) o.log.info({ nasId: r.nasId, created: r.created, closed: r.closed, skipped: r.skipped }, 'reconciliation fixed sessions');
          },
          (err) => o.log.error({ err }, 'reconciliation run failed'),
        ),
        startPeriodic(c.snmp_interval_seconds, () => pollAndPrune(), (err) => o.log.error({ err }, 'SNMP poll failed')),
      ];
    },
    async stop() {
      await Promise.all(jobs.map((j) => j.stop()));
      await reconciler.idle();
    },
  };
}
