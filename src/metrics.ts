import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The daemon's Prometheus metrics, one registry per process (tests build their own). */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'tollgate_' });
  return {
    registry,
    radiusRequests: new Counter({
      name: 'tollgate_radius_requests_total',
      help: 'RADIUS requests answered, by packet type and outcome',
      labelNames: ['type', 'outcome'] as const,
      registers: [registry],
    }),
    radiusDrops: new Counter({
      name: 'tollgate_radius_dropped_total',
      help: 'RADIUS datagrams dropped without a reply, by reason',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    radiusDuplicates: new Counter({
      name: 'tollgate_radius_duplicates_total',
      help: 'Retransmitted requests answered from the duplicate cache or dropped while in progress',
      registers: [registry],
    }),
    radiusLatency: new Histogram({
      name: 'tollgate_radius_latency_seconds',
      help: 'Time from receiving a RADIUS request to sending its reply',
      labelNames: ['type'] as const,
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5],
      registers: [registry],
    }),
    accountingQueue: new Gauge({
      name: 'tollgate_accounting_queue',
      help: 'Accounting records and auth-log rows waiting for the next group commit',
      registers: [registry],
    }),
    staleSessionsClosed: new Counter({
      name: 'tollgate_sessions_closed_stale_total',
      help: 'Sessions closed because their interim updates stopped',
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
