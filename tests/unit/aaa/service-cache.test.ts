import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { ServiceCache, type ServiceSource } from '../../../src/aaa/service-cache.js';
import type { ServiceAuthRow } from '../../../src/db/radius.js';
import { SecretBox } from '../../../src/lib/secretbox.js';

const box = new SecretBox(randomBytes(32));

function row(id: number, username: string, password: string, over: Partial<ServiceAuthRow> = {}): ServiceAuthRow {
  return {
    id, customerId: 100 + id, username, passwordEnc: box.seal(password), status: 'active', startDate: '2026-01-15', macAddress: null,
    staticIp: null, ipv6Prefix: null, delegatedIpv6Prefix: null, simultaneousUse: 1, expiresAt: null, planId: 5, planType: 'recurring',
    downloadKbps: 10000, uploadKbps: 2000, burstDownloadKbps: null, burstUploadKbps: null, burstThresholdDownloadKbps: null,
    burstThresholdUploadKbps: null, burstTimeSeconds: null, dataCapBytes: null, capAction: null, throttleDownloadKbps: null,
    throttleUploadKbps: null, framedPool: null, suspensionMode: null, billingDay: 'anniversary', periodMonths: 1, voucherLogin: false,
    language: null, ...over,
  };
}

/** A database of services the test edits, counting the reads the cache makes; `hold` makes reads wait (`logins`: only a login's). */
function database(rows: ServiceAuthRow[]) {
  const byId = new Map(rows.map((r) => [r.id, r]));
  const reads = { username: 0, ids: 0, customers: 0 };
  let gate: Promise<void> | undefined;
  let loginsOnly = false;
  const wait = async (login = false) => {
    if (gate && (login || !loginsOnly)) await gate;
  };
  const source: ServiceSource = {
    service: async (u) => {
      reads.username++;
      const found = [...byId.values()].find((r) => r.username === u);
      await wait(true);
      return found;
    },
    servicesAfter: async (after, limit) => {
      const chunk = [...byId.values()].filter((r) => r.id > after).sort((a, b) => a.id - b.id).slice(0, limit);
      await wait();
      return chunk;
    },
    servicesByIds: async (ids) => {
      reads.ids++;
      const found = ids.flatMap((id) => byId.get(id) ?? []);
      await wait();
      return found;
    },
    servicesOfCustomers: async (ids) => {
      reads.customers++;
      const found = [...byId.values()].filter((r) => ids.includes(r.customerId));
      await wait();
      return found;
    },
  };
  return {
    source, reads,
    put: (r: ServiceAuthRow) => void byId.set(r.id, r),
    remove: (id: number) => void byId.delete(id),
    /** Reads started from now wait until the returned function is called. */
    hold: (logins = false) => {
      let open!: () => void;
      loginsOnly = logins;
      gate = new Promise((r) => (open = r));
      return () => {
        gate = undefined;
        open();
      };
    },
  };
}

const cached = async (cache: ServiceCache, username: string) => (await cache.get(username)) ?? null;

describe('the service cache after a change of some services', () => {
  it('reads only the changed services again: a new password, a new username, a deleted service, a created one', async () => {
    const db = database([row(1, 'alice', 'a1'), row(2, 'bob', 'b1'), row(3, 'carol', 'c1')]);
    const cache = new ServiceCache(db.source, box, pino({ level: 'silent' }));
    await cache.warm();
    expect(cache.size).toBe(3);
    // A login before the service exists caches "unknown".
    expect(await cached(cache, 'dave')).toBeNull();

    db.put(row(1, 'alice', 'a2'));
    db.put(row(2, 'robert', 'b1'));
    db.remove(3);
    db.put(row(4, 'dave', 'd1'));
    await cache.refresh([1, 2, 3, 4]);

    expect(db.reads.ids).toBe(1);
    expect([cache.size, cache.services]).toEqual([3, 3]); // alice, robert, dave (its "unknown" replaced); bob and carol gone

    expect((await cached(cache, 'alice'))?.cleartext).toBe('a2');
    expect((await cached(cache, 'robert'))?.cleartext).toBe('b1');
    expect((await cached(cache, 'dave'))?.cleartext).toBe('d1');
    const before = db.reads.username;
    expect(await cached(cache, 'bob')).toBeNull();
    expect(await cached(cache, 'carol')).toBeNull();
    // The old username and the deleted service were looked up once more (not found); the rest were in memory.
    expect(db.reads.username - before).toBe(2);
    expect([cache.size, cache.services]).toEqual([5, 3]);
  });

  it('forgets a changed service at once, before its row is read again', async () => {
    const db = database([row(1, 'alice', 'a1')]);
    const cache = new ServiceCache(db.source, box, pino({ level: 'silent' }));
    await cache.warm();
    db.put(row(1, 'alice', 'a2'));
    const release = db.hold();
    const refreshing = cache.refresh([1]);
    // A login meanwhile reads the database (held too), not the old row from memory.
    const login = cache.get('alice');
    expect(login).toBeInstanceOf(Promise);
    release();
    await refreshing;
    expect((await login)?.cleartext).toBe('a2');
  });

  it('does not keep a row read before a change of it committed', async () => {
    const db = database([row(1, 'alice', 'a1')]);
    const cache = new ServiceCache(db.source, box, pino({ level: 'silent' }));
    // A login's read (before the change) comes back after the change's own read.
    const release = db.hold(true);
    const login = cache.get('alice');
    db.put(row(1, 'alice', 'a2'));
    await cache.refresh([1]);
    release();
    expect((await login)?.cleartext).toBe('a1'); // it answers the request it was read for
    expect((await cached(cache, 'alice'))?.cleartext).toBe('a2');
  });

  it('keeps no "unknown" read while a service was being created', async () => {
    const db = database([]);
    const cache = new ServiceCache(db.source, box, pino({ level: 'silent' }));
    const release = db.hold(true);
    const login = cache.get('erin');
    db.put(row(5, 'erin', 'e1'));
    await cache.refresh([5]);
    release();
    expect(await login).toBeUndefined();
    expect((await cached(cache, 'erin'))?.cleartext).toBe('e1');
  });

  it('reads a changed customer\'s services again (their language), and a warm-up goes on through changes', async () => {
    const rows = Array.from({ length: 2500 }, (_, i) => row(i + 1, `u${i + 1}`, 'pw', { customerId: i < 2 ? 7 : 100 + i }));
    const db = database(rows);
    const cache = new ServiceCache(db.source, box, pino({ level: 'silent' }));
    const warming = cache.warm();
    db.put({ ...rows[0]!, language: 'it' });
    db.put({ ...rows[1]!, language: 'it' });
    await cache.refreshCustomers([7]);
    await warming;
    expect(cache.size).toBe(2500);
    expect([(await cached(cache, 'u1'))?.language, (await cached(cache, 'u2'))?.language, (await cached(cache, 'u3'))?.language]).toEqual(['it', 'it', null]);
    expect(db.reads.customers).toBe(1);
    expect(db.reads.username).toBe(0);
  });
});
