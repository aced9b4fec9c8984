/**
 * The job store on both backends: job progress (ensure, claim, completed never going back, failures
 * counted) and the lease row (taken, renewed, refused while live, taken when expired, taken over from
 * a dead holder, forced by the session lock's holder, released).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { jobStore, sessionLockKey, type JobStore } from '../../../src/db/jobs.js';
import { backendNames, openTestBackend, type TestBackend } from '../../helpers/backends.js';

const A = { id: 'host-a:1:aa', host: 'host-a', bootId: 'boot-1', pid: 1 };
const B = { id: 'host-b:2:bb', host: 'host-b', bootId: null, pid: 2 };

describe('sessionLockKey', () => {
  it('is a whole number JavaScript holds exactly, one per lease name', () => {
    const k = sessionLockKey('daily-run');
    expect(Number.isSafeInteger(k) && k > 0 && k < 2 ** 48).toBe(true);
    expect(sessionLockKey('daily-run')).toBe(k);
    expect(sessionLockKey('other')).not.toBe(k);
  });
});

describe.each(backendNames)('jobStore on %s', (name) => {
  let b: TestBackend;
  let store: JobStore;
  beforeAll(async () => {
    b = await openTestBackend(name);
    store = jobStore(b.sql);
  });
  afterAll(() => b?.close());
  beforeEach(async () => {
    await b.sql.exec('delete from job_state; delete from job_leases');
  });

  it('records progress: a date is claimed until done, the last date never goes back, failures count until a success', async () => {
    await store.ensure('billing', '2026-05-01T08:00:00.000Z');
    await store.ensure('billing', '2026-05-02T08:00:00.000Z');
    expect(await store.all()).toEqual([{
      name: 'billing', lastDate: null, lastStartedAt: null, lastFinishedAt: null, failures: 0, lastError: null, lastErrorMessage: null, lastErrorAt: null, failedDate: null, nextRetryAt: null,
    }]);
    expect(await store.claim('billing', '2026-05-01', '2026-05-01T08:00:01.000Z')).toBe(true);
    await store.completed('billing', '2026-05-01', '2026-05-01T08:00:02.000Z');
    // Done: a second claim of that date, or an earlier one, is refused.
    expect(await store.claim('billing', '2026-05-01', '2026-05-01T08:00:03.000Z')).toBe(false);
    expect(await store.claim('billing', '2026-04-30', '2026-05-01T08:00:03.000Z')).toBe(false);
    expect(await store.claim('billing', '2026-05-02', '2026-05-02T08:00:00.000Z')).toBe(true);
    expect(await store.failed('billing', '2026-05-02', 'boom', '2026-05-02T08:00:01.000Z', '2026-05-02T08:01:01.000Z')).toBe(1);
    expect(await store.failed('billing', '2026-05-02', 'boom again', '2026-05-02T08:01:01.000Z', '2026-05-02T08:03:01.000Z', '{"key":"jobError.internal","values":{"words":"boom again"}}')).toBe(2);
    expect(await store.get('billing')).toMatchObject({
      lastDate: '2026-05-01', lastStartedAt: '2026-05-02T08:00:00.000Z', failures: 2, lastError: 'boom again', lastErrorMessage: '{"key":"jobError.internal","values":{"words":"boom again"}}', failedDate: '2026-05-02', nextRetryAt: '2026-05-02T08:03:01.000Z',
    });
    await store.started('billing', '2026-05-02T08:03:01.000Z');
    await store.completed('billing', '2026-05-02', '2026-05-02T08:03:02.000Z');
    // An operator's re-run of an earlier date leaves the last date where it is.
    await store.completed('billing', '2026-04-20', '2026-05-02T09:00:00.000Z');
    expect(await store.get('billing')).toMatchObject({
      lastDate: '2026-05-02', lastStartedAt: '2026-05-02T08:03:01.000Z', lastFinishedAt: '2026-05-02T09:00:00.000Z', failures: 0, failedDate: null, nextRetryAt: null, lastError: 'boom again',
    });
    expect(await store.get('nothing')).toBeNull();
    expect(await store.failed('nothing', '2026-05-02', 'x', 'x', 'x')).toBe(0);
  });

  it('leases: taken, renewed by its holder, refused while live, taken when expired, taken over, forced, released', async () => {
    expect(await store.lease('daily-run')).toBeNull();
    expect(await store.acquireLease('daily-run', A, '2026-05-01T08:00:00.000Z', '2026-05-01T08:05:00.000Z')).toBe(true);
    expect(await store.acquireLease('daily-run', A, '2026-05-01T08:01:00.000Z', '2026-05-01T08:06:00.000Z')).toBe(true);
    expect(await store.lease('daily-run')).toEqual({ holder: A.id, expiresAt: '2026-05-01T08:06:00.000Z', host: 'host-a', bootId: 'boot-1', pid: 1 });
    expect(await store.acquireLease('daily-run', B, '2026-05-01T08:05:59.000Z', '2026-05-01T08:10:00.000Z')).toBe(false);
    expect(await store.acquireLease('daily-run', B, '2026-05-01T08:06:01.000Z', '2026-05-01T08:11:00.000Z')).toBe(true);
    expect(await store.lease('daily-run')).toEqual({ holder: B.id, expiresAt: '2026-05-01T08:11:00.000Z', host: 'host-b', bootId: null, pid: 2 });
    // Taken over from a holder known dead, only while the row still names it.
    expect(await store.takeOverLease('daily-run', A.id, A, '2026-05-01T08:12:00.000Z')).toBe(false);
    expect(await store.takeOverLease('daily-run', B.id, A, '2026-05-01T08:12:00.000Z')).toBe(true);
    expect((await store.lease('daily-run'))?.holder).toBe(A.id);
    // Forced by the session lock's holder, whoever had it; and written when there was none.
    await store.forceLease('daily-run', B, '2026-05-01T08:13:00.000Z');
    expect(await store.lease('daily-run')).toMatchObject({ holder: B.id, expiresAt: '2026-05-01T08:13:00.000Z' });
    await store.releaseLease('daily-run', A.id);
    expect((await store.lease('daily-run'))?.holder).toBe(B.id);
    await store.releaseLease('daily-run', B.id);
    expect(await store.lease('daily-run')).toBeNull();
    await store.forceLease('daily-run', A, '2026-05-01T08:14:00.000Z');
    expect((await store.lease('daily-run'))?.holder).toBe(A.id);
  });

  it('grants the session lock of a lease name, excluding other processes on PostgreSQL only', async () => {
    expect(store.sessionLockExcludes).toBe(name === 'postgres');
    const lock = await store.sessionLock('daily-run');
    expect(lock).not.toBeNull();
    await lock!.release();
  });
});
