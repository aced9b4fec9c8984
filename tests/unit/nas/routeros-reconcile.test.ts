import { describe, expect, it } from 'vitest';
import { reconcileSessions, type Reconciliation, type RouterSession, type SessionKey } from '../../../src/nas/routeros/reconcile.js';

const onRouter = (id: string, username: string, address?: string, callerId?: string): RouterSession => ({ kind: 'ppp', id, username, address, callerId });
type Ours = SessionKey & { ref: string };
const ours = (ref: string, username: string, address?: string, callerId?: string): Ours => ({ ref, username, address, callerId });

const ids = (r: Reconciliation<RouterSession, Ours>) => ({
  missingHere: r.missingHere.map((s) => s.id),
  missingOnRouter: r.missingOnRouter.map((s) => s.ref),
  matched: r.matched.map((m) => `${m.router.id}=${m.ours.ref}`),
});

describe('reconcileSessions', () => {
  it('finds a session missing on either side', () => {
    const r = reconcileSessions(
      [onRouter('*1', 'alice', '10.0.0.1'), onRouter('*2', 'bob', '10.0.0.2')],
      [ours('a', 'alice', '10.0.0.1'), ours('c', 'carol', '10.0.0.3')],
    );
    expect(ids(r)).toEqual({ missingHere: ['*2'], missingOnRouter: ['c'], matched: ['*1=a'] });
  });

  it('matches nothing and loses nothing on empty sides', () => {
    expect(ids(reconcileSessions([], []))).toEqual({ missingHere: [], missingOnRouter: [], matched: [] });
    expect(ids(reconcileSessions([onRouter('*1', 'a', '10.0.0.1')], []))).toEqual({ missingHere: ['*1'], missingOnRouter: [], matched: [] });
    expect(ids(reconcileSessions([], [ours('x', 'a', '10.0.0.1')]))).toEqual({ missingHere: [], missingOnRouter: ['x'], matched: [] });
  });

  it('needs the username to agree, not just the address', () => {
    const r = reconcileSessions([onRouter('*1', 'alice', '10.0.0.1')], [ours('b', 'bob', '10.0.0.1')]);
    expect(ids(r)).toEqual({ missingHere: ['*1'], missingOnRouter: ['b'], matched: [] });
  });

  it('falls back to caller-id when our session has no address, whatever the MAC spelling', () => {
    const r = reconcileSessions(
      [onRouter('*1', 'alice', '10.0.0.1', 'AA:BB:CC:DD:EE:01'), onRouter('*2', 'bob', '10.0.0.2', 'AA:BB:CC:DD:EE:02')],
      [ours('a', 'alice', undefined, 'aa-bb-cc-dd-ee-01'), ours('b', 'bob', '', 'aabb.ccdd.ee02')],
    );
    expect(ids(r)).toEqual({ missingHere: [], missingOnRouter: [], matched: ['*1=a', '*2=b'] });
  });

  it('does not match by caller-id when both addresses are known and differ (a lost reconnect)', () => {
    const r = reconcileSessions([onRouter('*1', 'alice', '10.0.0.9', 'AA:BB:CC:DD:EE:01')], [ours('old', 'alice', '10.0.0.1', 'AA:BB:CC:DD:EE:01')]);
    expect(ids(r)).toEqual({ missingHere: ['*1'], missingOnRouter: ['old'], matched: [] });
  });

  it('lets an address match win over a caller-id match that comes earlier', () => {
    // `x` could match *1 by caller-id, but *1 has an exact address match in `y`.
    const r = reconcileSessions(
      [onRouter('*1', 'alice', '10.0.0.1', 'AA:BB:CC:DD:EE:01')],
      [ours('x', 'alice', undefined, 'AA:BB:CC:DD:EE:01'), ours('y', 'alice', '10.0.0.1', 'AA:BB:CC:DD:EE:01')],
    );
    expect(ids(r)).toEqual({ missingHere: [], missingOnRouter: ['x'], matched: ['*1=y'] });
  });

  it('pairs duplicates one to one', () => {
    const r = reconcileSessions(
      [onRouter('*1', 'shared', undefined, 'AA:BB:CC:DD:EE:01'), onRouter('*2', 'shared', undefined, 'AA:BB:CC:DD:EE:01')],
      [ours('a', 'shared', undefined, 'AA:BB:CC:DD:EE:01')],
    );
    expect(ids(r)).toEqual({ missingHere: ['*2'], missingOnRouter: [], matched: ['*1=a'] });
  });

  it('never matches sessions that have neither address nor caller-id', () => {
    const r = reconcileSessions([onRouter('*1', 'alice')], [ours('a', 'alice')]);
    expect(ids(r)).toEqual({ missingHere: ['*1'], missingOnRouter: ['a'], matched: [] });
  });
});
