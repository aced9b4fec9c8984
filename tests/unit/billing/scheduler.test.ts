import { describe, expect, it, vi } from 'vitest';
import { dueBillingDate, startBillingScheduler } from '../../../src/billing/scheduler.js';
import type { BillingService, RunResult } from '../../../src/billing/service.js';
import { TestClock } from '../../../src/lib/clock.js';

describe('the billing scheduler', () => {
  it('the due date is today once run_at has passed in the billing zone, else yesterday', () => {
    // 02:00 in Rome is 01:00Z in winter (CET) and 00:00Z in summer (CEST).
    expect(dueBillingDate(new Date('2026-01-10T00:59:00Z'), 'Europe/Rome', '02:00')).toBe('2026-01-09');
    expect(dueBillingDate(new Date('2026-01-10T01:00:00Z'), 'Europe/Rome', '02:00')).toBe('2026-01-10');
    expect(dueBillingDate(new Date('2026-07-10T00:00:00Z'), 'Europe/Rome', '02:00')).toBe('2026-07-10');
    // Spring forward: 02:30 does not exist on 29 March 2026 in Rome; the run moves to 03:00 CEST.
    expect(dueBillingDate(new Date('2026-03-29T00:59:00Z'), 'Europe/Rome', '02:30')).toBe('2026-03-28');
    expect(dueBillingDate(new Date('2026-03-29T01:00:00Z'), 'Europe/Rome', '02:30')).toBe('2026-03-29');
  });

  it('runs the due date once, catches up after downtime, and does nothing when up to date', async () => {
    let last: string | null = '2026-01-05';
    const runs: string[] = [];
    const billing = {
      lastRun: () => last,
      runAsync: vi.fn(async (date: string): Promise<RunResult> => {
        runs.push(date);
        last = date;
        return { date, alreadyRun: false, days: [] };
      }),
    } as unknown as BillingService;
    const clock = new TestClock('2026-01-10T12:00:00Z');
    const s = startBillingScheduler({ billing, clock, timezone: 'Europe/Rome', runAt: '02:00', intervalMs: 3_600_000 });
    await s.tick();
    expect(runs).toEqual(['2026-01-10']);
    await s.tick();
    expect(runs).toEqual(['2026-01-10']);
    clock.set('2026-01-11T00:30:00Z');
    await s.tick();
    expect(runs).toEqual(['2026-01-10']);
    clock.set('2026-01-11T01:30:00Z');
    await s.tick();
    expect(runs).toEqual(['2026-01-10', '2026-01-11']);
    await s.stop();
    clock.set('2026-01-12T01:30:00Z');
    expect(await s.tick()).toBeNull();
  });

  it('stop() ends a run in progress between chunks and waits for it', async () => {
    let aborted = false;
    const billing = {
      lastRun: () => null,
      runAsync: (date: string, signal: AbortSignal) => new Promise<RunResult>((resolve, reject) => {
        signal.addEventListener('abort', () => {
          aborted = true;
          setTimeout(() => reject(new Error('stopped between chunks')), 5);
        });
        setTimeout(() => resolve({ date, alreadyRun: false, days: [] }), 10_000).unref();
      }),
    } as unknown as BillingService;
    const errors: unknown[] = [];
    const s = startBillingScheduler({ billing, clock: new TestClock('2026-01-10T12:00:00Z'), timezone: 'Europe/Rome', runAt: '02:00', onError: (e) => errors.push(e) });
    await s.stop();
    expect(aborted).toBe(true);
    // A stop is not a failure worth an error log.
    expect(errors).toEqual([]);
  });
});
