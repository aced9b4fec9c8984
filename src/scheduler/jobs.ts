/**
 * The daily jobs (billing, dunning, prepaid expiry, cap resets, ...) and the runner that drives them.
 *
 * A job is `{ name, order, runFor(date) }`: it does everything due on one billing date and must be
 * idempotent (running a date twice changes nothing the second time). The runner is state-driven: each
 * job's last completed date is in `job_state`, so after downtime the missed dates run in order, date by
 * date, every job in `order` within a date; a crash part-way redoes only what was not recorded.
 * Only one run at a time: an in-process queue, plus a lease row in the database against a second
 * process (a holder that died on this host is taken over at once: src/lib/process-holder.ts). On
 * PostgreSQL, where several nodes share the database, the run also holds a session lock
 * (SqlClient.sessionLock): it dies with its holder's connection, so a node killed mid-run is replaced
 * by the next node's timer at once, whatever its lease row says; a holder that finds its lock lost
 * stops at its next step. Each date of a job is claimed before it runs (`JobStore.claim`: not if its
 * last date has reached it), so a date completed before a takeover is not run again by the next
 * holder. A failure stops the run where it is (later jobs may depend on earlier ones: dunning reads
 * billing's invoices), is recorded (`job_state`, a log line, a metric, `GET /api/v1/jobs`) and is
 * retried with exponential backoff; nothing is skipped.
 *
 * The daemon hands the runner its jobs and ticks at construction (`createJobRunner({ ..., jobs, ticks })`,
 * composed in src/daemon.ts); `register` remains for a runner built bare (unit tests).
 * Orders in use: plan-changes 5, billing 10, invoice-notices 15, dunning 20, prepaid 30, caps 40, housekeeping 90.
 */
import { Cron } from 'croner';
import { addDays, dateInZone, instantOfLocalTime, parseDate, type CalDate } from '../lib/calendar.js';
import type { Clock } from '../lib/clock.js';
import { keyedError, said, TollgateError } from '../lib/errors.js';
import type { JobStateRow, JobStore } from '../db/jobs.js';
import { holderIsDead, newLeaseHolder } from '../lib/process-holder.js';
import { storedFailure } from '../lib/failure.js';

export interface JobContext {
  /** The instant the run started (from the runner's clock). */
  now: Date;
  /** True when an operator asked for this date through the API rather than the timer. */
  manual: boolean;
  signal: AbortSignal;
}

export interface Job {
  name: string;
  /** Position within a date: lower runs first. Plan changes 5, billing 10, invoice notices 15, dunning 20, prepaid 30, caps 40, housekeeping 90. */
  order: number;
  /** Does everything due on `date` (YYYY-MM-DD in the billing time zone). Idempotent. */
  runFor(date: CalDate, ctx: JobContext): Promise<unknown> | unknown;
}

/** Work that is due at an instant rather than on a date (a suspension waiting for office hours). */
export interface TickTask {
  name: string;
  run(now: Date, today: CalDate): Promise<unknown> | unknown;
}

export interface JobLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface JobMetrics {
  jobRuns: { inc(labels: { job: string; outcome: string }): void };
  jobFailures: { set(labels: { job: string }, value: number): void };
  /** Seconds one job took for one date. */
  jobDuration?: { observe(labels: { job: string; outcome: string }, seconds: number): void };
}

export interface JobRunnerOptions {
  store: JobStore;
  clock: Clock;
  timezone: string;
  /** HH:MM local time of the daily run. */
  runAt: string;
  log?: JobLog | undefined;
  metrics?: JobMetrics | undefined;
  /** How long a lease lasts without renewal (renewed after every job and date). */
  leaseMs?: number;
  /** Backoff before retry number `failures`: default 1 min doubling to at most 1 h. */
  backoffMs?: (failures: number) => number;
  /** The daily jobs, registered at construction (names unique). */
  jobs?: readonly Job[] | undefined;
  /** Work run at every tick, in this order. */
  ticks?: readonly TickTask[] | undefined;
}

export interface JobStepResult {
  job: string;
  date: CalDate;
  ok: boolean;
  value?: unknown;
  error?: string;
  /** The error itself (not serialised): the API rethrows it. */
  cause?: unknown;
}

export interface RunReport {
  target: CalDate;
  /** Why nothing ran: another holder has the lease, a retry is not due yet, nothing due. */
  skipped?: 'lease_held' | 'retry_pending' | 'nothing_due';
  steps: JobStepResult[];
  ok: boolean;
}

export const LEASE_NAME = 'daily-run';

export function defaultBackoffMs(failures: number): number {
  return Math.min(60_000 * 2 ** Math.max(0, failures - 1), 3_600_000);
}

/** The latest billing date due at `now`: today once the local time has passed `runAt`, else yesterday. */
export function dueDate(now: Date, timezone: string, runAt: string): CalDate {
  const today = dateInZone(now, timezone);
  return now >= instantOfLocalTime(today, runAt, timezone) ? today : addDays(today, -1);
}

/** The croner pattern of a daily HH:MM. */
export function dailyPattern(runAt: string): string {
  const [h, m] = runAt.split(':').map(Number);
  return `0 ${m} ${h} * * *`;
}

/** The next `n` instants croner fires the daily run after `from` (DST-aware). */
export function nextFireTimes(runAt: string, timezone: string, n: number, from: Date): Date[] {
  const cron = new Cron(dailyPattern(runAt), { timezone, paused: true });
  try {
    return cron.nextRuns(n, from);
  } finally {
    cron.stop();
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export type JobRunner = ReturnType<typeof createJobRunner>;

export function createJobRunner(opts: JobRunnerOptions) {
  const { store, clock } = opts;
  const jobs: Job[] = [];
  const ticks: TickTask[] = [...(opts.ticks ?? [])];
  for (const job of opts.jobs ?? []) addJob(job);
  // This host, boot and process, under an id of this runner's own.
  const self = newLeaseHolder();
  const holder = self.id;
  const leaseMs = opts.leaseMs ?? 5 * 60_000;
  const backoff = opts.backoffMs ?? defaultBackoffMs;
  const abort = new AbortController();
  let queue: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let cron: Cron | undefined;
  let inFlight: Promise<unknown> | null = null;

  const iso = () => clock.now().toISOString();
  /** Takes or renews the lease; a holder on this host that has died is taken over at once (logged). */
  const lease = async (): Promise<boolean> => {
    const now = clock.now();
    const until = new Date(now.getTime() + leaseMs).toISOString();
    if (await store.acquireLease(LEASE_NAME, self, now.toISOString(), until)) return true;
    const held = await store.lease(LEASE_NAME);
    if (store.sessionLockExcludes) {
      // This runner holds the session lock, so whoever the row names has lost it: dead, or stopping.
      await store.forceLease(LEASE_NAME, self, until);
      if (held !== null) opts.log?.warn({ from: held.holder, host: held.host, pid: held.pid, expiresAt: held.expiresAt }, 'daily jobs: the last holder lost its lock; lease taken over');
      return true;
    }
    if (held === null || !holderIsDead(held, self)) return false;
    if (!(await store.takeOverLease(LEASE_NAME, held.holder, self, until))) return false;
    opts.log?.warn({ from: held.holder, pid: held.pid, expiresAt: held.expiresAt }, 'daily jobs: the lease holder on this host is dead; lease taken over');
    return true;
  };

  /**
   * Runs `fn` after any run in progress in this process, holding the session lock and the lease;
   * `fn`'s signal aborts when the runner stops or the lock is lost.
   */
  function exclusive<T>(fn: (signal: AbortSignal, lost: AbortSignal) => Promise<T>, onLeaseHeld: () => Promise<T>): Promise<T> {
    const next = queue.then(async () => {
      const lock = await store.sessionLock(LEASE_NAME);
      if (lock === null) return onLeaseHeld();
      // This run's signal: the runner stopping or the lock lost. (Listeners removed after the run,
      // rather than AbortSignal.any, which keeps one on the runner's signal for every run.)
      const run = new AbortController();
      const onStop = () => run.abort(abort.signal.reason);
      const onLost = () => {
        opts.log?.error({ err: message(lock.lost.reason) }, 'daily jobs: the session lock was lost; stopping at the next step');
        run.abort(lock.lost.reason);
      };
      abort.signal.addEventListener('abort', onStop, { once: true });
      lock.lost.addEventListener('abort', onLost, { once: true });
      if (abort.signal.aborted) onStop();
      if (lock.lost.aborted) onLost();
      try {
        if (!(await lease())) return await onLeaseHeld();
        try {
          return await fn(run.signal, lock.lost);
        } finally {
          await store.releaseLease(LEASE_NAME, holder);
        }
      } finally {
        abort.signal.removeEventListener('abort', onStop);
        lock.lost.removeEventListener('abort', onLost);
        await lock.release();
      }
    });
    queue = next.catch(() => undefined);
    return next;
  }

  /** `signal`: stop at the next step; `lost`: the session lock is gone (another process may be running the jobs). */
  async function runDates(target: CalDate, manual: boolean, signal: AbortSignal, lost: AbortSignal): Promise<RunReport> {
    const sorted = [...jobs].sort((a, b) => a.order - b.order);
    const at = iso();
    const from = new Map<string, CalDate | null>();
    const lastDates = new Map<string, CalDate | null>();
    for (const job of sorted) {
      await store.ensure(job.name, at);
      const last = (await store.get(job.name))?.lastDate ?? null;
      lastDates.set(job.name, last);
      let start: CalDate | null;
      if (last === null) start = target;
      else if (last < target) start = addDays(last, 1);
      // As of an earlier or the same date: an operator's request runs that date again (idempotent).
      else start = manual ? target : null;
      from.set(job.name, start);
    }
    const starts = [...from.values()].filter((d): d is CalDate => d !== null).sort();
    const steps: JobStepResult[] = [];
    if (starts.length === 0) return { target, skipped: 'nothing_due', steps, ok: true };
    const now = clock.now();
    for (let d = starts[0]!; d <= target; d = addDays(d, 1)) {
      for (const job of sorted) {
        const start = from.get(job.name);
        if (start === null || start === undefined || d < start) continue;
        if (signal.aborted) return { target, steps, ok: false };
        const last = lastDates.get(job.name) ?? null;
        if (manual && last !== null && d <= last) {
          await store.started(job.name, iso()); // the operator's re-run of a date done
        } else if (!(await store.claim(job.name, d, iso()))) {
          // Completed by another process since this run looked (a takeover): not run twice.
          opts.log?.info({ job: job.name, date: d }, 'daily jobs: date already completed by another process');
          continue;
        }
        const t0 = performance.now();
        try {
          const value = await job.runFor(d, { now, manual, signal });
          opts.metrics?.jobDuration?.observe({ job: job.name, outcome: 'ok' }, (performance.now() - t0) / 1000);
          await store.completed(job.name, d, iso());
          opts.metrics?.jobRuns.inc({ job: job.name, outcome: 'ok' });
          opts.metrics?.jobFailures.set({ job: job.name }, 0);
          steps.push({ job: job.name, date: d, ok: true, value });
        } catch (err) {
          if (lost.aborted) {
            // Abandoned because the lock went (the job saw its signal): not the job's failure, and
            // no retry delay for the process that now holds the lock.
            opts.log?.warn({ job: job.name, date: d, err: message(err) }, 'daily jobs: stopped without the lock; another process continues');
            return { target, steps, ok: false };
          }
          const failures = (await store.get(job.name))?.failures ?? 0;
          const retryAt = new Date(clock.now().getTime() + backoff(failures + 1)).toISOString();
          const n = await store.failed(job.name, d, message(err), iso(), retryAt, storedFailure(err));
          opts.metrics?.jobDuration?.observe({ job: job.name, outcome: 'error' }, (performance.now() - t0) / 1000);
          opts.metrics?.jobRuns.inc({ job: job.name, outcome: 'error' });
          opts.metrics?.jobFailures.set({ job: job.name }, n);
          opts.log?.error({ job: job.name, date: d, failures: n, retryAt, err: message(err) }, 'scheduled job failed; it will be retried');
          steps.push({ job: job.name, date: d, ok: false, error: message(err), cause: err });
          return { target, steps, ok: false };
        }
        if (!signal.aborted) await lease();
      }
    }
    return { target, steps, ok: true };
  }

  async function runTicks(now: Date): Promise<void> {
    const today = dateInZone(now, opts.timezone);
    for (const t of ticks) {
      await store.ensure(t.name, now.toISOString());
      try {
        await t.run(now, today);
        if (((await store.get(t.name))?.failures ?? 0) > 0) opts.metrics?.jobFailures.set({ job: t.name }, 0);
        await store.completed(t.name, today, iso());
      } catch (err) {
        // Visible like a job's failure; retried at the next tick (it does not hold the daily jobs).
        const n = await store.failed(t.name, today, message(err), iso(), new Date(now.getTime() + 60_000).toISOString(), storedFailure(err));
        opts.metrics?.jobRuns.inc({ job: t.name, outcome: 'error' });
        opts.metrics?.jobFailures.set({ job: t.name }, n);
        opts.log?.error({ job: t.name, failures: n, err: message(err) }, 'scheduled task failed; it will be retried at the next tick');
      }
    }
  }

  function addJob(job: Job): void {
    if (jobs.some((j) => j.name === job.name)) throw new Error(`job "${job.name}" is already registered`);
    jobs.push(job);
  }

  const runner = {
    holder,
    /** Adds a daily job; `order` places it within a date. Names are unique. */
    register: addJob,
    /** Adds work run at every tick (every minute) once the daily jobs are up to date. */
    registerTick(task: TickTask): void {
      ticks.push(task);
    },
    jobs: (): readonly Job[] => [...jobs].sort((a, b) => a.order - b.order),

    dueDate: (now: Date = clock.now()) => dueDate(now, opts.timezone, opts.runAt),

    /**
     * What the timer does: every date due up to now that some job has not completed, in order; then
     * the tick tasks. While a failed job waits for its retry time nothing daily runs.
     */
    runDue(): Promise<RunReport> {
      return exclusive(async (signal, lost) => {
        const now = clock.now();
        const target = dueDate(now, opts.timezone, opts.runAt);
        const pending = (await store.all()).find((s) => s.nextRetryAt !== null && s.nextRetryAt > now.toISOString() && jobs.some((j) => j.name === s.name));
        let report: RunReport;
        if (pending) report = { target, skipped: 'retry_pending', steps: [], ok: false };
        else report = await runDates(target, false, signal, lost);
        if (report.ok || report.skipped === 'nothing_due') await runTicks(now);
        return report;
      }, async () => ({ target: dueDate(clock.now(), opts.timezone, opts.runAt), skipped: 'lease_held', steps: [], ok: false }));
    },

    /**
     * What `POST /api/v1/billing/run` does: the same sequence as of `date` (missed dates first), retries
     * not waited for. An earlier date than a job has done runs that job for `date` again (idempotent).
     */
    runAsOf(dateInput: string): Promise<RunReport> {
      const date = parseDate(dateInput, 'date');
      return exclusive(async (signal, lost) => {
        const report = await runDates(date, true, signal, lost);
        if (report.ok) await runTicks(clock.now());
        return report;
      }, async () => {
        const l = await store.lease(LEASE_NAME);
        throw new TollgateError('conflict', said('fault.jobs.running', `the daily jobs are running in another process (${l?.holder ?? 'unknown'}) until ${l?.expiresAt ?? '?'}`, { holder: l?.holder ?? '?', until: l?.expiresAt ?? '?' }));
      });
    },

    /** Each registered job with its state, for `GET /api/v1/jobs`. */
    async status() {
      const states = new Map((await store.all()).map((s) => [s.name, s] as const));
      const now = clock.now();
      const next = nextFireTimes(opts.runAt, opts.timezone, 1, now)[0] ?? null;
      return {
        timezone: opts.timezone,
        runAt: opts.runAt,
        dueDate: dueDate(now, opts.timezone, opts.runAt),
        nextRunAt: next?.toISOString() ?? null,
        lease: ((l) => (l ? { holder: l.holder, expiresAt: l.expiresAt } : null))(await store.lease(LEASE_NAME)),
        items: [...runner.jobs(), ...ticks.map((t, i) => ({ name: t.name, order: 1000 + i }))].map((j) => {
          const s: JobStateRow | undefined = states.get(j.name);
          return {
            name: j.name,
            order: j.order,
            lastDate: s?.lastDate ?? null,
            lastStartedAt: s?.lastStartedAt ?? null,
            lastFinishedAt: s?.lastFinishedAt ?? null,
            failures: s?.failures ?? 0,
            lastError: s?.lastError ?? null,
            ...keyedError(s?.lastErrorMessage ?? null),
            lastErrorAt: s?.lastErrorAt ?? null,
            failedDate: s?.failedDate ?? null,
            nextRetryAt: s?.nextRetryAt ?? null,
            status: (s?.failures ?? 0) > 0 ? 'failing' : 'ok',
          };
        }),
      };
    },

    /** Starts the timer: croner at `runAt` in the zone (DST-aware) and a check every `intervalMs`. */
    start(intervalMs = 60_000): void {
      const tick = () => {
        if (inFlight || abort.signal.aborted) return;
        inFlight = runner.runDue().then(
          (r) => {
            if (r.steps.length > 0) opts.log?.info({ target: r.target, ok: r.ok, steps: r.steps.map(({ job, date, ok, error }) => ({ job, date, ok, error })) }, 'daily jobs');
          },
          (err: unknown) => opts.log?.error({ err: message(err) }, 'daily jobs failed; they will be retried'),
        ).finally(() => {
          inFlight = null;
        });
      };
      cron = new Cron(dailyPattern(opts.runAt), { timezone: opts.timezone, protect: true }, tick);
      timer = setInterval(tick, intervalMs);
      timer.unref();
      tick();
    },

    /** Stops the timer; a job in progress stops at its next step. Resolves once it has. */
    async stop(): Promise<void> {
      cron?.stop();
      if (timer) clearInterval(timer);
      abort.abort();
      await inFlight;
      await queue;
    },
  };
  return runner;
}
