import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type MetricValueWithName } from 'prom-client';

/** What the registry reads from a metric when it is scraped. */
interface Values {
  name: string;
  help: string;
  type: string;
  values: MetricValueWithName<string>[];
  aggregator: 'sum';
}

/**
 * Metrics counted once per RADIUS request. prom-client builds and hashes a label key on every
 * inc() and observe(), even on a child made by labels(), which was a measurable share of an
 * Access-Request. Here a child is resolved once and counting is a few array writes; the registry
 * reads the totals when it is scraped, in the same exposition format.
 */
abstract class HotMetric<L extends string> {
  readonly aggregator = 'sum' as const;
  protected readonly series = new Map<string, { labels: Record<L, string>; counts: Float64Array }>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'counter' | 'histogram',
    private readonly labelNames: readonly L[],
    private readonly width: number,
    registers: Registry[],
  ) {
    for (const r of registers) r.registerMetric(this as never);
  }

  protected slot(labels: Record<L, string>): Float64Array {
    const key = this.labelNames.map((l) => labels[l]).join('\u0000');
    let s = this.series.get(key);
    if (!s) this.series.set(key, (s = { labels: { ...labels }, counts: new Float64Array(this.width) }));
    return s.counts;
  }

  abstract get(): Promise<Values>;

  reset(): void {
    for (const s of this.series.values()) s.counts.fill(0);
  }
}

export class HotCounter<L extends string> extends HotMetric<L> {
  constructor(cfg: { name: string; help: string; labelNames: readonly L[]; registers: Registry[] }) {
    super(cfg.name, cfg.help, 'counter', cfg.labelNames, 1, cfg.registers);
  }

  /** The counter of one label set: call `inc()` per event. */
  labels(labels: Record<L, string>): { inc(n?: number): void } {
    const c = this.slot(labels);
    return { inc: (n = 1) => void (c[0]! += n) };
  }

  get(): Promise<Values> {
    const values = [...this.series.values()].map((s) => ({ labels: s.labels, value: s.counts[0]!, metricName: this.name }));
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator });
  }
}

export class HotHistogram<L extends string> extends HotMetric<L> {
  constructor(private readonly cfg: { name: string; help: string; labelNames: readonly L[]; buckets: number[]; registers: Registry[] }) {
    // One count per bucket, then +Inf, the sum and the count.
    super(cfg.name, cfg.help, 'histogram', cfg.labelNames, cfg.buckets.length + 3, cfg.registers);
  }

  /** The histogram of one label set: call `observe(value)` per event. */
  labels(labels: Record<L, string>): { observe(value: number): void } {
    const c = this.slot(labels);
    const bounds = this.cfg.buckets;
    const n = bounds.length;
    return {
      observe(v: number) {
        let i = 0;
        while (i < n && v > bounds[i]!) i++;
        c[i]!++;
        c[n + 1]! += v;
        c[n + 2]!++;
      },
    };
  }

  get(): Promise<Values> {
    const bounds = this.cfg.buckets;
    const n = bounds.length;
    const values: MetricValueWithName<string>[] = [];
    for (const s of this.series.values()) {
      let acc = 0;
      for (let i = 0; i <= n; i++) {
        acc += s.counts[i]!;
        values.push({ labels: { le: i < n ? bounds[i]! : '+Inf', ...s.labels }, value: acc, metricName: `${this.name}_bucket` });
      }
      values.push({ labels: s.labels, value: s.counts[n + 1]!, metricName: `${this.name}_sum` });
      values.push({ labels: s.labels, value: s.counts[n + 2]!, metricName: `${this.name}_count` });
    }
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator });
  }
}

/** The daemon's Prometheus metrics, one registry per process (tests build their own). */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'tollgate_' });
  let servicesCachedNow = (): number => 0;
  let capsNow = (): { counters: number; queued: number } => ({ counters: 0, queued: 0 });
  return {
    registry,
    servicesCached: new Gauge({
      name: 'tollgate_radius_services_cached',
      help: 'Services this node answers logins from memory (its service cache; a change of one service reads that one again)',
      registers: [registry],
      collect() {
        this.set(servicesCachedNow());
      },
    }),
    /** Where tollgate_radius_services_cached reads its value when scraped: the RADIUS server, once started. */
    countServicesCached(count: () => number): void {
      servicesCachedNow = count;
    },
    capsCounters: new Gauge({
      name: 'tollgate_caps_counters',
      help: 'Capped services whose period usage this node follows in memory (the data-cap watcher)',
      registers: [registry],
      collect() {
        this.set(capsNow().counters);
      },
    }),
    capsQueued: new Gauge({
      name: 'tollgate_caps_usage_queued',
      help: 'Committed usage records waiting for the data-cap watcher (growing: it falls behind the accounting writer)',
      registers: [registry],
      collect() {
        this.set(capsNow().queued);
      },
    }),
    /** Where the two tollgate_caps_ gauges read their values when scraped: the data-cap watcher. */
    countCaps(stats: () => { counters: number; queued: number }): void {
      capsNow = stats;
    },
    radiusRequests: new HotCounter({
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
    radiusAttributeAnomalies: new Counter({
      name: 'tollgate_radius_attribute_anomalies_total',
      help: 'Attributes of received RADIUS packets left out (attribute_empty) or kept uninterpreted (vsa_opaque); the packet itself is handled',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    radiusDuplicates: new Counter({
      name: 'tollgate_radius_duplicates_total',
      help: 'Retransmitted requests answered from the duplicate cache or dropped while in progress',
      registers: [registry],
    }),
    radiusLatency: new HotHistogram({
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
