/**
 * Prepaid, vouchers and data caps over one database, built together: the caps follow committed
 * accounting through the usage topic from construction on, and their scheduled work comes as jobs
 * and ticks for the runner (`prepaid-expiry` order 30, `cap-reset` order 40, each also a per-minute
 * tick so an expiry or a period start is acted on within a minute).
 */
import { isLocale } from '../i18n/locales.js';
import type { Config } from '../config/schema.js';
import type { UsageDelta } from '../db/radius.js';
import type { SqlClient } from '../db/sql.js';
import type { Clock } from '../lib/clock.js';
import type { SecretBox } from '../lib/secretbox.js';
import type { Change, Topic } from '../lib/topic.js';
import type { ServiceControl } from '../nas/control.js';
import type { Notifier } from '../notify/types.js';
import { capsService } from './caps.js';
import { parseNoticeDays } from '../domain/billing/prepaid.js';
import { prepaidService } from './prepaid.js';
import { voucherService } from './vouchers.js';

export interface PrepaidOpsOptions {
  /** The database of the prepaid and billing stores (receipts of top-ups and vouchers), either backend. */
  sql: SqlClient;
  box: SecretBox;
  config: Config;
  clock: Clock;
  control?: ServiceControl | undefined;
  notifier?: Notifier | undefined;
  /** Each committed accounting batch's traffic (published after its Accounting-Responses went out). */
  usage?: Topic<readonly UsageDelta[]> | undefined;
  /** Committed changes of cached data, which the data-cap counters follow. */
  changes?: Topic<Change> | undefined;
  onError?: ((err: unknown, context: Record<string, unknown>) => void) | undefined;
}

/** A daily job and a per-minute tick, in the shape the job runner (src/scheduler/jobs.ts) takes. */
export interface DailyJob {
  name: string;
  order: number;
  runFor(date: string, ctx: { now: Date }): unknown;
}
export interface Tick {
  name: string;
  run(now: Date, today: string): unknown;
}

export type PrepaidOps = ReturnType<typeof createPrepaidOps>;

export function createPrepaidOps(opts: PrepaidOpsOptions) {
  const { sql, config, clock } = opts;
  const timezone = config.billing.timezone;
  const currency = config.billing.currency;
  const prepaid = prepaidService({
    sql, clock, timezone, currency, noticeDays: parseNoticeDays(config.prepaid.notice_days, 'prepaid.notice_days'),
    notifier: opts.notifier, control: opts.control,
  });
  const vouchers = voucherService({
    sql, box: opts.box, clock, timezone, currency, prepaid, defaultCodeLength: config.prepaid.voucher_code_length,
    defaultLanguage: isLocale(config.locale.default) ? config.locale.default : 'en',
  });
  const caps = capsService({ sql, clock, timezone, notifier: opts.notifier, control: opts.control, changes: opts.changes, onError: opts.onError });
  opts.usage?.subscribe((u) => caps.onUsage(u));
  // Periods start at midnight in the billing time zone: the tick looks once per new date.
  let resetDone = '';
  const jobs: readonly DailyJob[] = [
    { name: 'prepaid-expiry', order: 30, runFor: (_date, ctx) => prepaid.runExpiry(ctx.now) },
    { name: 'cap-reset', order: 40, runFor: (_date, ctx) => caps.runReset(ctx.now) },
  ];
  const ticks: readonly Tick[] = [
    { name: 'prepaid-expiry', run: (now) => prepaid.runExpiry(now) },
    {
      name: 'cap-reset',
      run: async (now, today) => {
        if (today === resetDone) return undefined;
        const r = await caps.runReset(now);
        resetDone = today;
        return r;
      },
    },
  ];
  return { prepaid, vouchers, caps, jobs, ticks };
}
