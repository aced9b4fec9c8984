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
    nasActions: new Counter({
      name: 'tollgate_nas_actions_total',
      help: 'CoA and Disconnect actions by kind and outcome (acked, nak, timeout, failed, then confirmed or unconfirmed)',
      labelNames: ['kind', 'outcome'] as const,
      registers: [registry],
    }),
    nasUp: new Gauge({
      name: 'tollgate_nas_up',
      help: 'Whether the NAS answered SNMP (1 up, 0 down after failed polls), per NAS polled',
      labelNames: ['nas', 'nas_id'] as const,
      registers: [registry],
    }),
    jobRuns: new Counter({
      name: 'tollgate_job_runs_total',
      help: 'Scheduled job runs (one per job and billing date) by job and outcome (ok, error)',
      labelNames: ['job', 'outcome'] as const,
      registers: [registry],
    }),
    jobFailures: new Gauge({
      name: 'tollgate_job_consecutive_failures',
      help: 'Consecutive failures of each scheduled job (0 once it succeeds)',
      labelNames: ['job'] as const,
      registers: [registry],
    }),
    notifications: new Counter({
      name: 'tollgate_notifications_total',
      help: 'Notification delivery attempts by channel and outcome (sent, retry, failed)',
      labelNames: ['channel', 'outcome'] as const,
      registers: [registry],
    }),
    // ---- billing, jobs and HTTP (H3b)
    billingRunDuration: new Histogram({
      name: 'tollgate_billing_run_duration_seconds',
      help: 'Duration of billing runs (all the days a run catches up on), by outcome (ok, already_run, error)',
      labelNames: ['outcome'] as const,
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
      registers: [registry],
    }),
    billingInvoices: new Counter({
      name: 'tollgate_billing_invoices_total',
      help: 'Invoices issued by billing runs',
      registers: [registry],
    }),
    jobDuration: new Histogram({
      name: 'tollgate_job_duration_seconds',
      help: 'Duration of one scheduled job for one billing date, by job and outcome (ok, error)',
      labelNames: ['job', 'outcome'] as const,
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
      registers: [registry],
    }),
    httpRequests: new Counter({
      name: 'tollgate_http_requests_total',
      help: 'HTTP requests answered, by method, route pattern and status code',
      labelNames: ['method', 'route', 'status'] as const,
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'tollgate_http_request_duration_seconds',
      help: 'Time to answer an HTTP request, by method and route pattern',
      labelNames: ['method', 'route'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
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
