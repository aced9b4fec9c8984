/**
 * Composition of prepaid, vouchers and data caps for the app: the three services over one database,
 * and their scheduled work registered with the job runner (`prepaid-expiry` order 30, `cap-reset`
 * order 40, each also as a per-minute tick so an expiry or a period start is acted on within a minute).
 */
import type { Config } from '../config/schema.js';
import type { Db } from '../db/client.js';
import type { Clock } from '../lib/clock.js';
import type { SecretBox } from '../lib/secretbox.js';
import type { ServiceControl } from '../nas/control.js';
import type { Notifier } from '../notify/types.js';
import { capsService } from './caps.js';
import { parseNoticeDays } from '../domain/billing/prepaid.js';
import { prepaidService } from './prepaid.js';
import { voucherService } from './vouchers.js';

export interface PrepaidOpsOptions {
  db: Db;
  box: SecretBox;
  config: Config;
  clock: Clock;
  control?: ServiceControl | undefined;
  notifier?: Notifier | undefined;
  onError?: ((err: unknown, context: Record<string, unknown>) => void) | undefined;
}

/** The slice of the job runner (src/scheduler/jobs.ts) this needs. */
export interface JobRegistry {
  register(job: { name: string; order: number; runFor(date: string, ctx: { now: Date }): unknown }): void;
  registerTick(task: { name: string; run(now: Date, today: string): unknown }): void;
  jobs(): readonly { name: string }[];
}

export type PrepaidOps = ReturnType<typeof createPrepaidOps>;

export function createPrepaidOps(opts: PrepaidOpsOptions) {
  const { db, config, clock } = opts;
  const timezone = config.billing.timezone;
  const currency = config.billing.currency;
  const prepaid = prepaidService({
    db, clock, timezone, currency, noticeDays: parseNoticeDays(config.prepaid.notice_days, 'prepaid.notice_days'),
    notifier: opts.notifier, control: opts.control,
  });
  const vouchers = voucherService({ db, box: opts.box, clock, timezone, currency, prepaid, defaultCodeLength: config.prepaid.voucher_code_length });
  const caps = capsService({ db, clock, timezone, notifier: opts.notifier, control: opts.control, onError: opts.onError });
  return {
    prepaid,
    vouchers,
    caps,
    /** Registers the jobs once (a second call, or a runner that has them, is a no-op). */
    registerJobs(jobs: JobRegistry | undefined): boolean {
      if (!jobs || jobs.jobs().some((j) => j.name === 'prepaid-expiry')) return false;
      jobs.register({ name: 'prepaid-expiry', order: 30, runFor: (_date, ctx) => prepaid.runExpiry(ctx.now) });
      jobs.register({ name: 'cap-reset', order: 40, runFor: (_date, ctx) => caps.runReset(ctx.now) });
      jobs.registerTick({ name: 'prepaid-expiry', run: (now) => prepaid.runExpiry(now) });
      // Periods start at midnight in the billing time zone: the tick looks once per new date.
      let resetDone = '';
      jobs.registerTick({
        name: 'cap-reset',
        run: async (now, today) => {
          if (today === resetDone) return undefined;
          const r = await caps.runReset(now);
          resetDone = today;
          return r;
        },
      });
      return true;
    },
  };
}
