import { describe, expect, it } from 'vitest';
import { changePayload, parseChange } from '../../../src/db/pg-changes.js';
import { changeOf } from '../../../src/http/changes.js';
import { allOf, rowsOf } from '../../../src/lib/topic.js';

describe('what an API write changed, for the RADIUS caches', () => {
  it('names the row a path names, and a created row by the id its answer carries', () => {
    expect(changeOf('PATCH', '/api/v1/services/12', '{"id":12}')).toEqual(rowsOf('service', [12]));
    expect(changeOf('POST', '/api/v1/services/12/topup?x=1', '{}')).toEqual(rowsOf('service', [12]));
    expect(changeOf('DELETE', '/api/v1/services/12', '')).toEqual(rowsOf('service', [12]));
    expect(changeOf('POST', '/api/v1/services', '{"id":40,"username":"new"}')).toEqual(rowsOf('service', [40]));
    expect(changeOf('POST', '/api/v1/customers?dryRun=0', '{"id":5}')).toEqual(rowsOf('customer', [5]));
    expect(changeOf('PATCH', '/api/v1/customers/5', '{"id":5}')).toEqual(rowsOf('customer', [5]));
    expect(changeOf('PUT', '/api/v1/plans/3/cap-tiers', '{}')).toEqual(rowsOf('plan', [3]));
  });

  it('changes the whole kind where no row is named, and nothing outside the cached kinds', () => {
    expect(changeOf('DELETE', '/api/v1/customers/5', '')).toEqual(allOf('customer'));
    expect(changeOf('POST', '/api/v1/services', 'not json')).toEqual(allOf('service'));
    expect(changeOf('POST', '/api/v1/services/import', '{"id":1}')).toEqual(allOf('service'));
    expect(changeOf('POST', '/api/v1/nas', '{"id":2}')).toEqual(rowsOf('nas', [2]));
    expect(changeOf('POST', '/api/v1/invoices', '{"id":2}')).toBeUndefined();
    expect(changeOf('POST', '/api/v1/servicesx', '{"id":2}')).toBeUndefined();
  });
});

describe('a change between nodes', () => {
  it('round-trips, and is not heard back by its sender', () => {
    for (const change of [allOf('plan'), rowsOf('service', [1, 22, 333]), rowsOf('customer', [])]) {
      const payload = changePayload('host:42:ab12', change);
      expect(parseChange(payload, 'other:1:ff')).toEqual(change);
      expect(parseChange(payload, 'host:42:ab12')).toBeUndefined();
    }
  });

  it('reads as its kind to a node of an earlier build, which parsed `sender:entity` by the last colon', () => {
    const earlier = (payload: string) => ({ origin: payload.slice(0, payload.lastIndexOf(':')), entity: payload.slice(payload.lastIndexOf(':') + 1) });
    const heard = earlier(changePayload('host:42:ab12', rowsOf('service', [7, 9])));
    expect(heard.entity).toBe('service');
    expect(heard.origin).not.toBe('host:42:ab12'); // so the earlier node acts on it: it reloads every service
    expect(parseChange('host:42:ab12:customer', 'other')).toEqual(allOf('customer'));
  });

  it('ignores what no build sends, and reads an unreadable id list as the whole kind', () => {
    expect(parseChange('host:1:aa:invoice', 'other')).toBeUndefined();
    expect(parseChange('nocolon', 'other')).toBeUndefined();
    expect(parseChange('host:1:aa#7,x:service', 'other')).toEqual(allOf('service'));
  });
});
