/**
 * Composition of the daily work: the job runner with billing (10), invoice notices (15) and dunning (20), the
 * notifier (outbox) and its sender worker, and dunning's reactivation on payment. `build()` makes it
 * for the HTTP app (`app.jobs`, `app.notifier`, `app.dunning`, `app.sender`); `main.ts` starts the
 * runner's timer and the sender.
 */
import type { BillingService, RunResult } from '../billing/service.js';
import { dunningService } from '../billing/dunning.js';
import type { Config } from '../config/schema.js';
import type { Db } from '../db/client.js';
import { dunningStore } from '../db/dunning.js';
import { jobStore } from '../db/jobs.js';
import { notifyStore } from '../db/notify.js';
import type { Clock } from '../lib/clock.js';
import { formatMoney } from '../lib/money.js';
import type { Metrics } from '../metrics.js';
import type { ServiceControl } from '../nas/control.js';
import { outboxNotifier } from '../notify/outbox.js';
import { createSender } from '../notify/sender.js';
import { emailTransport, smsTransport, type Transport } from '../notify/transports.js';
import type { Channel } from '../notify/types.js';
import { createJobRunner, type JobLog } from './jobs.js';

export interface OperationsOptions {
  db: Db;
  config: Config;
  clock: Clock;
  billing: BillingService;
  control: ServiceControl;
  metrics?: Metrics | undefined;
  log?: JobLog | undefined;
  /** Replaces the configured email/SMS transports (tests). */
  transports?: Partial<Record<Channel, Transport>> | undefined;
}

export function createOperations(opts: OperationsOptions) {
  const { db, config, clock } = opts;
  const timezone = config.billing.timezone;
  const nstore = notifyStore(db);
  const sender = createSender({
    store: nstore, clock, metrics: opts.metrics, log: opts.log,
    transports: {
      email: opts.transports?.email ?? emailTransport(config['notify.email']),
      sms: opts.transports?.sms ?? smsTransport(config['notify.sms']),
    },
  });
  const notifier = outboxNotifier({ store: nstore, clock, timezone, onQueued: () => sender.poke() });
  const dunning = dunningService({ store: dunningStore(db), clock, timezone, currency: config.billing.currency, control: opts.control, notifier, log: opts.log });
  const money = (n: number) => formatMoney(n, config.billing.currency);
  const jobs = createJobRunner({ store: jobStore(db), clock, timezone, runAt: config.billing.run_at, log: opts.log, metrics: opts.metrics });

  jobs.register({ name: 'billing', order: 10, runFor: (date, ctx) => opts.billing.runAsync(date, ctx.signal) });
  jobs.register({
    name: 'dunning', order: 20,
    runFor: async (date, ctx) => {
      const ladder = dunning.runFor(date);
      // Suspensions as of the run's date, if its time allows now; a quiet time or a failure leaves them
      // to the ticks (which retry and report), so a NAS problem never holds prepaid and caps back.
      try {
        return { ...ladder, ...(await dunning.suspendDue(ctx.now, date)) };
      } catch (err) {
        opts.log?.warn({ date, err: (err as Error).message }, 'dunning: a suspension failed; the next tick retries it');
        return { ...ladder, suspensionError: (err as Error).message };
      }
    },
  });
  jobs.registerTick({ name: 'dunning-suspensions', run: (now, today) => dunning.suspendDue(now, today) });
  // invoice.issued for every invoice of the date, once each (dedupe key), a transaction per page.
  jobs.register({
    name: 'invoice-notices', order: 15,
    runFor: (date) => {
      let queued = 0;
      for (let after = 0; ;) {
        const page = nstore.invoicesIssuedOn(date, after, 500);
        if (page.length === 0) return { queued };
        nstore.transaction(() => {
          for (const inv of page) {
            queued += notifier.enqueueSync({
              customerId: inv.customerId, template: 'invoice.issued', dedupeKey: `invoice:${inv.id}:issued`,
              data: { invoiceNumber: inv.number, invoiceId: inv.id, amount: money(inv.total), dueDate: inv.dueDate },
            }).queued;
          }
        });
        after = page.at(-1)!.id;
      }
    },
  });

  opts.billing.onSettlement((customerId, event) => {
    if (event.kind === 'payment') {
      try {
        notifier.enqueueSync({ customerId, template: 'payment.received', data: { amount: money(event.amount), paymentId: event.id }, dedupeKey: `payment:${event.id}:received` });
      } catch (err) {
        opts.log?.error({ customerId, err: (err as Error).message }, 'notify: payment.received could not be queued');
      }
    }
    dunning.afterPayment(customerId).catch((err: unknown) => opts.log?.error({ customerId, err: (err as Error).message }, 'dunning: reactivation after payment failed'));
  });

  return {
    jobs,
    notifier,
    dunning,
    sender,
    /**
     * `POST /api/v1/billing/run`: the whole daily sequence as of `date`, answered with billing's result
     * (the other jobs' outcome is in `GET /api/v1/jobs`). A failure of any job is an error.
     */
    async runDaily(date: string) {
      const report = await jobs.runAsOf(date);
      const failed = report.steps.find((s) => !s.ok);
      if (failed) throw failed.cause ?? new Error(`job ${failed.job} failed for ${failed.date}: ${failed.error}`);
      const billed = report.steps.filter((s) => s.job === 'billing').map((s) => s.value as RunResult);
      const result: RunResult = { date: report.target, alreadyRun: billed.every((r) => r.alreadyRun), days: billed.flatMap((r) => r.days) };
      return result;
    },
  };
}

export type Operations = ReturnType<typeof createOperations>;
