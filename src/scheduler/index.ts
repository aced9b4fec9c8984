/**
 * The daily work: the job runner with every job and tick handed to it at construction, and the job
 * definitions of billing (10), invoice notices (15) and dunning (20). The composition root
 * (src/daemon.ts) lists the jobs; `main.ts` starts the runner's timer.
 */
import type { BillingService, RunResult } from '../billing/service.js';
import type { DunningService } from '../billing/dunning.js';
import type { EinvoiceService } from '../einvoice/service.js';
import type { Config } from '../config/schema.js';
import { jobStore } from '../db/jobs.js';
import type { NotifyStore } from '../db/notify.js';
import type { SqlClient } from '../db/sql.js';
import type { Clock } from '../lib/clock.js';
import { TollgateError } from '../lib/errors.js';
import type { Metrics } from '../metrics.js';
import type { OutboxNotifier } from '../notify/outbox.js';
import { createJobRunner, type Job, type JobLog, type JobRunner, type TickTask } from './jobs.js';

export interface SchedulerOptions {
  /** The database the jobs' progress, lease and session lock live in. */
  sql: SqlClient;
  config: Config;
  clock: Clock;
  jobs: readonly Job[];
  ticks: readonly TickTask[];
  metrics?: Metrics | undefined;
  log?: JobLog | undefined;
}

export interface Scheduler {
  jobs: JobRunner;
  /**
   * `POST /api/v1/billing/run`: the whole daily sequence as of `date`, answered with billing's result
   * (the other jobs' outcome is in `GET /api/v1/jobs`). A failure of any job is an error.
   */
  runDaily(date: string): Promise<RunResult>;
}

export function createScheduler(opts: SchedulerOptions): Scheduler {
  const { config } = opts;
  const jobs = createJobRunner({
    store: jobStore(opts.sql), clock: opts.clock, timezone: config.billing.timezone, runAt: config.billing.run_at,
    log: opts.log, metrics: opts.metrics, jobs: opts.jobs, ticks: opts.ticks,
  });
  return {
    jobs,
    async runDaily(date: string) {
      const report = await jobs.runAsOf(date);
      const failed = report.steps.find((s) => !s.ok);
      if (failed) throw failed.cause ?? new Error(`job ${failed.job} failed for ${failed.date}: ${failed.error}`);
      // Stopped part-way (shutting down): not "already run", whatever ran before the stop.
      if (!report.ok) throw new TollgateError('billing_run_aborted', 'the daily jobs were stopped before they finished; the next run completes them');
      const billed = report.steps.filter((s) => s.job === 'billing').map((s) => s.value as RunResult);
      const result: RunResult = { date: report.target, alreadyRun: billed.length > 0 && billed.every((r) => r.alreadyRun), days: billed.flatMap((r) => r.days) };
      return result;
    },
  };
}

/** The billing run of each date (order 10). */
export function billingJob(billing: Pick<BillingService, 'runAsync'>): Job {
  return { name: 'billing', order: 10, runFor: (date, ctx) => billing.runAsync(date, ctx.signal) };
}

/** The dunning ladder of each date, then the suspensions it makes due (order 20). */
export function dunningJob(dunning: DunningService, log?: JobLog): Job {
  return {
    name: 'dunning', order: 20,
    runFor: async (date, ctx) => {
      const ladder = await dunning.runFor(date);
      // Suspensions as of the run's date, if its time allows now; a quiet time or a failure leaves them
      // to the ticks (which retry and report), so a NAS problem never holds prepaid and caps back.
      try {
        return { ...ladder, ...(await dunning.suspendDue(ctx.now, date)) };
      } catch (err) {
        log?.warn({ date, err: (err as Error).message }, 'dunning: a suspension failed; the next tick retries it');
        return { ...ladder, suspensionError: (err as Error).message };
      }
    },
  };
}

/** Suspensions waiting for office hours, looked at every minute. */
export function dunningTick(dunning: DunningService): TickTask {
  return { name: 'dunning-suspensions', run: (now, today) => dunning.suspendDue(now, today) };
}

/** invoice.issued for every invoice of the date, once each (dedupe key), a transaction per page (order 15). */
export function invoiceNoticesJob(store: NotifyStore, notifier: Pick<OutboxNotifier, 'enqueue'>, currency: string): Job {
  return {
    name: 'invoice-notices', order: 15,
    runFor: async (date) => {
      let queued = 0;
      for (let after = 0; ;) {
        const page = await store.invoicesIssuedOn(date, after, 500);
        if (page.length === 0) return { queued };
        queued += await store.transaction(async () => {
          let n = 0;
          for (const inv of page) {
            n += (await notifier.enqueue({
              customerId: inv.customerId, template: 'invoice.issued', dedupeKey: `invoice:${inv.id}:issued`,
              data: { invoiceNumber: inv.number, invoiceId: inv.id, amount: { money: inv.total, currency }, dueDate: { date: inv.dueDate } },
            })).queued;
          }
          return n;
        });
        after = page.at(-1)!.id;
      }
    },
  };
}

/** FatturaPA to SDI for the documents of the date, retries, receipts and rejection alerts (order 17, after billing). */
export function einvoiceJob(einvoice: Pick<EinvoiceService, 'runFor'>): Job {
  return { name: 'einvoice', order: 17, runFor: (date) => einvoice.runFor(date) };
}
