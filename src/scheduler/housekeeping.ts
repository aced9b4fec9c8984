/**
 * The daily `housekeeping` job (order 90, after every billing job): deletes admin sessions past their
 * idle, absolute or pending-second-factor limit and login-throttle counters that no longer count, as
 * of the run's instant (`ctx.now`, the runner's clock). Without it they would wait for the next login
 * (sessions) or for ever (counters of unknown usernames and addresses). Idempotent: a second run for
 * the same or another date at the same instant deletes nothing.
 */
import type { Job } from './jobs.js';

export interface HousekeepingResult {
  /** Admin sessions deleted. */
  sessions: number;
  /** Login-throttle counters deleted. */
  loginThrottle: number;
}

export function housekeepingJob(purgeExpired: (now: Date) => Promise<HousekeepingResult>): Job {
  return { name: 'housekeeping', order: 90, runFor: (_date, ctx) => purgeExpired(ctx.now) };
}
