/**
 * The daily billing run, state-driven: every minute it asks "is there a billing date that should have
 * run by now and has not?" (today once the local time has passed `run_at`, otherwise yesterday) and
 * runs it, missed days first. So a daemon that was down, a blocked event loop or a DST gap never loses
 * a day, and a restart never runs one twice.
 */
import { addDays, dateInZone, instantOfLocalTime, type CalDate } from '../lib/calendar.js';
import type { Clock } from '../lib/clock.js';
import type { BillingService, RunResult } from './service.js';

export interface SchedulerOptions {
  billing: BillingService;
  clock: Clock;
  timezone: string;
  /** HH:MM local time of the daily run. */
  runAt: string;
  intervalMs?: number;
  onRun?: (result: RunResult) => void;
  onError?: (err: unknown) => void;
}

/** The latest billing date due at `now`. */
export function dueBillingDate(now: Date, timezone: string, runAt: string): CalDate {
  const today = dateInZone(now, timezone);
  return now >= instantOfLocalTime(today, runAt, timezone) ? today : addDays(today, -1);
}

export function startBillingScheduler(opts: SchedulerOptions) {
  let inFlight: Promise<RunResult | null> | null = null;
  const abort = new AbortController();
  const tick = (): Promise<RunResult | null> => {
    if (inFlight || abort.signal.aborted) return Promise.resolve(null);
    const target = dueBillingDate(opts.clock.now(), opts.timezone, opts.runAt);
    const last = opts.billing.lastRun();
    if (last !== null && last >= target) return Promise.resolve(null);
    inFlight = opts.billing.runAsync(target, abort.signal).then(
      (result) => {
        opts.onRun?.(result);
        return result;
      },
      (err: unknown) => {
        if (!abort.signal.aborted) opts.onError?.(err);
        return null;
      },
    ).finally(() => {
      inFlight = null;
    });
    return inFlight;
  };
  const timer = setInterval(() => void tick(), opts.intervalMs ?? 60_000);
  timer.unref();
  void tick();
  return {
    tick,
    /** Stops ticking and any run in progress after its current chunk; resolves once it has. */
    stop: async (): Promise<void> => {
      clearInterval(timer);
      abort.abort();
      await inFlight;
    },
  };
}
