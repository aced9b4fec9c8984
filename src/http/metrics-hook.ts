import type { FastifyInstance } from 'fastify';
import type { BillingService } from '../billing/service.js';
import type { Metrics } from '../metrics.js';

/**
 * Counts every HTTP answer and its duration by route pattern (`/api/v1/customers/:id`, never the raw
 * URL, so the label set stays bounded); requests no route matched are `unmatched`.
 */
export function httpMetrics(app: FastifyInstance, metrics: Pick<Metrics, 'httpRequests' | 'httpDuration'>): void {
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    metrics.httpRequests.inc({ method: req.method, route, status: String(reply.statusCode) });
    metrics.httpDuration.observe({ method: req.method, route }, reply.elapsedTime / 1000);
  });
}

/**
 * Times the billing engine's runs, whoever starts them (the daily jobs, POST /api/v1/billing/run):
 * the same service, with `runAsync` observed into `tollgate_billing_run_duration_seconds`.
 */
export function instrumentBilling(billing: BillingService, metrics?: Pick<Metrics, 'billingRunDuration' | 'billingInvoices'>): BillingService {
  if (!metrics) return billing;
  const runAsync = billing.runAsync;
  const observed = async (...args: Parameters<BillingService['runAsync']>) => {
    const end = metrics.billingRunDuration.startTimer();
    try {
      const result = await runAsync(...args);
      end({ outcome: result.alreadyRun ? 'already_run' : 'ok' });
      metrics.billingInvoices.inc(result.days.reduce((n, d) => n + d.invoices, 0));
      return result;
    } catch (e) {
      end({ outcome: 'error' });
      throw e;
    }
  };
  return { ...billing, runAsync: observed };
}
