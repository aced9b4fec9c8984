import { describe, expect, it } from 'vitest';
import { OpenSessionIndex, type SessionChange } from '../../../src/db/radius.js';

const open = (id: number, serviceId: number, mac: string | null = null, nasId: number | null = 1): SessionChange =>
  ({ op: 'open', id, serviceId, nasId, callingStationId: mac });
const close = (id: number): SessionChange => ({ op: 'close', id });

describe('the open-session index', () => {
  it('lists a service\'s open sessions oldest first, whichever of them closes', () => {
    const index = new OpenSessionIndex();
    index.apply([open(1, 10, 'A'), open(2, 10, 'B'), open(3, 10, 'C'), open(4, 20, 'D')]);
    expect(index.of(10)).toEqual([{ nasId: 1, callingStationId: 'A' }, { nasId: 1, callingStationId: 'B' }, { nasId: 1, callingStationId: 'C' }]);
    expect(index.size).toBe(4);

    index.apply([close(2)]);
    expect(index.of(10).map((s) => s.callingStationId)).toEqual(['A', 'C']);
    index.apply([close(1)]);
    expect(index.of(10).map((s) => s.callingStationId)).toEqual(['C']);
    index.apply([close(3), close(3), close(99)]);
    expect(index.of(10)).toEqual([]);
    expect([...index.services()]).toEqual([20]);
    expect(index.size).toBe(1);
  });

  it('re-opening a session moves it, to the end of its list or to another service', () => {
    const index = new OpenSessionIndex();
    index.apply([open(1, 10, 'A'), open(2, 10, 'B')]);
    index.apply([open(1, 10, 'A2')]);
    expect(index.of(10).map((s) => s.callingStationId)).toEqual(['B', 'A2']);
    index.apply([open(2, 20, 'B')]);
    expect(index.of(10).map((s) => s.callingStationId)).toEqual(['A2']);
    expect(index.of(20).map((s) => s.callingStationId)).toEqual(['B']);
    expect(index.serviceOf(2)).toBe(20);
    expect(index.size).toBe(2);
  });

  it('replaces a service\'s sessions with what the database holds, taking a session from another service', () => {
    const index = new OpenSessionIndex();
    index.apply([open(1, 10, 'A'), open(2, 10, 'B'), open(3, 20, 'C')]);
    index.replace(10, [{ id: 2, nasId: 5, callingStationId: 'B' }, { id: 3, nasId: 5, callingStationId: 'C' }, { id: 7, nasId: null, callingStationId: null }]);
    expect(index.of(10)).toEqual([{ nasId: 5, callingStationId: 'B' }, { nasId: 5, callingStationId: 'C' }, { nasId: null, callingStationId: null }]);
    expect(index.of(20)).toEqual([]);
    expect(index.serviceOf(1)).toBeUndefined();
    expect(index.serviceOf(3)).toBe(10);
    expect(index.size).toBe(3);
    index.replace(10, []);
    expect([...index.services()]).toEqual([]);
    expect(index.size).toBe(0);
  });
});
