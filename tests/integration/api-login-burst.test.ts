import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openDatabase, sqlOf } from '../../src/db/client.js';
import { openPostgres } from '../../src/db/sql.js';
import { throttleStore } from '../../src/db/security.js';
import { totpCode } from '../../src/http/auth/totp.js';
import { cookieFrom, testApi, type TestApi } from '../helpers/admin-api.js';
import { defaultBackend } from '../helpers/backends.js';

/**
 * Failed-login limits under parallel requests: a burst fired at once must not get more password
 * checks than the limit allows, and the counters never pass their limits. Every argon2 verification
 * is counted through the one module that does them.
 */

const verifications = vi.hoisted(() => ({ count: 0 }));
vi.mock('../../src/lib/password.js', async (original) => {
  const real = await original<typeof import('../../src/lib/password.js')>();
  return {
    ...real,
    verifyPassword: async (phc: string, password: string) => {
      verifications.count++;
      return real.verifyPassword(phc, password);
    },
  };
});

let t: TestApi;
beforeAll(async () => {
  t = await testApi({ env: { TOLLGATE_SECURITY_LOGIN_MAX_FAILURES: '3', TOLLGATE_SECURITY_LOGIN_MAX_FAILURES_IP: '5' } });
  await t.admin('victim', 'victim-password-1', 'support');
});
afterAll(async () => t.close());

const login = (username: string, password: string, remoteAddress: string) =>
  t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password }, remoteAddress });
const counter = async (key: string) =>
  (await t.sql.get<{ failures: number }>(`select failures from login_throttle where key = ?`, key))?.failures ?? 0;
/** How many answers had each status. */
const tally = (statuses: number[]) => statuses.reduce<Record<number, number>>((m, s) => ({ ...m, [s]: (m[s] ?? 0) + 1 }), {});

describe('a burst of logins at once', () => {
  it('checks at most login_max_failures passwords for a username, and refuses the right one after them', async () => {
    // 40 wrong guesses for one username, each from its own address: only the username's limit applies.
    verifications.count = 0;
    const first = await Promise.all(Array.from({ length: 40 }, (_, i) => login('victim', `guess-${i}`, `198.51.100.${i + 1}`)));
    expect(tally(first.map((r) => r.statusCode))).toEqual({ 401: 3, 429: 37 });
    expect(verifications.count).toBe(3);
    expect(await counter('user:victim')).toBe(3);

    // After the lockout, 39 wrong guesses and the right password 40th, all at once: the right one comes
    // after the limit, so it is refused like the rest.
    t.clock.advance(15 * 60_000);
    verifications.count = 0;
    const second = await Promise.all(
      Array.from({ length: 40 }, (_, i) => login('victim', i === 39 ? 'victim-password-1' : `guess-${i}`, `198.51.100.${i + 101}`)),
    );
    expect(second[39]!.statusCode).toBe(429);
    expect(tally(second.map((r) => r.statusCode))).toEqual({ 401: 3, 429: 37 });
    expect(verifications.count).toBe(3);
    expect(await counter('user:victim')).toBe(3);
  });

  it('checks at most login_max_failures_ip passwords from one address, whatever the usernames', async () => {
    verifications.count = 0;
    const burst = await Promise.all(Array.from({ length: 40 }, (_, i) => login(`user-${i}`, 'x', '203.0.113.9')));
    expect(tally(burst.map((r) => r.statusCode))).toEqual({ 401: 5, 429: 35 });
    expect(verifications.count).toBe(5);
    expect(await counter('ip:203.0.113.9')).toBe(5);
  });

  it('a right password within the limits still signs in and costs the address nothing', async () => {
    t.clock.advance(15 * 60_000); // past the username's lock from the first test
    for (let i = 0; i < 4; i++) expect((await login(`other-${i}`, 'x', '203.0.113.20')).statusCode).toBe(401);
    expect(await counter('ip:203.0.113.20')).toBe(4);
    // The 5th try is the right one, sent with wrong ones behind it: it takes the last place, signs in,
    // and gives the place back; the ones that came while it was checked were refused.
    const burst = await Promise.all([login('victim', 'victim-password-1', '203.0.113.20'), login('other-x', 'x', '203.0.113.20'), login('other-y', 'x', '203.0.113.20')]);
    expect(burst.map((r) => r.statusCode)).toEqual([200, 429, 429]);
    expect(await counter('ip:203.0.113.20')).toBe(4);
    expect((await login('other-z', 'x', '203.0.113.20')).statusCode).toBe(401);
    expect(await counter('ip:203.0.113.20')).toBe(5);
    // From a clean address a sign-in leaves no counter at all.
    expect((await login('victim', 'victim-password-1', '203.0.113.30')).statusCode).toBe(200);
    expect(await t.sql.get(`select * from login_throttle where key = 'ip:203.0.113.30'`)).toBeUndefined();
  });
});

describe('a burst of second-factor codes at once', () => {
  it('checks at most 3 wrong codes (then the 1 s slow-down applies) and refuses the rest', async () => {
    await t.admin('twofa', 'twofa-password-12', 'admin');
    const signIn = async () => {
      const res = await login('twofa', 'twofa-password-12', '192.0.2.50');
      expect(res.statusCode).toBe(200);
      return { cookie: cookieFrom(res)!, 'x-csrf-token': res.json().csrfToken as string };
    };
    const s = await signIn();
    const { secret } = (await t.app.inject({ method: 'POST', url: '/api/v1/auth/totp/enrol', headers: s })).json();
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/auth/totp/confirm', headers: s, payload: { code: totpCode(secret, t.clock.now()) } })).statusCode).toBe(200);
    const pending = await signIn();
    const wrong = totpCode(secret, t.clock.now()) === '000001' ? '000002' : '000001';
    const burst = await Promise.all(Array.from({ length: 40 }, () => t.app.inject({ method: 'POST', url: '/api/v1/auth/totp/verify', headers: pending, payload: { code: wrong } })));
    expect(tally(burst.map((r) => r.statusCode))).toEqual({ 401: 3, 429: 37 });
    expect(await counter(`totp:${(await t.sql.get<{ id: number }>(`select id from admins where username = 'twofa'`))!.id}`)).toBe(3);
  });
});

describe('the counters are shared by every connection to the database', () => {
  it.runIf(defaultBackend === 'sqlite')('another connection (another process) cannot count a try between the read and the write of one', async () => {
    const other = openDatabase({ path: join(t.dir, 'tollgate.db') });
    try {
      other.$client.pragma('busy_timeout = 0');
      const mine = throttleStore(t.sql);
      const theirs = throttleStore(sqlOf(other));
      const state = { failures: 1, lastFailureAt: t.clock.now().toISOString(), lockedUntil: null };
      let inBetween: Promise<unknown> | undefined;
      await mine.reserve(['user:shared'], (states) => {
        expect(states).toEqual([undefined]);
        // The other connection tries to take a try while this one holds what it read: it must wait.
        inBetween = theirs.reserve(['user:shared'], () => ({ ok: true, next: [state] }));
        return { ok: true, next: [state] };
      });
      await expect(inBetween).rejects.toMatchObject({ code: 'SQLITE_BUSY' });
      expect(await counter('user:shared')).toBe(1);
    } finally {
      other.$client.close();
    }
  });

  it.runIf(defaultBackend === 'postgres')('another node waits for the one that holds what it read, then counts on top of it', async () => {
    const other = openPostgres({ url: t.config.database.url, max: 2 });
    try {
      const mine = throttleStore(t.sql);
      const theirs = throttleStore(other);
      const state = { failures: 1, lastFailureAt: t.clock.now().toISOString(), lockedUntil: null };
      let inBetween: Promise<unknown> | undefined;
      let seen: unknown;
      await mine.reserve(['user:shared-node'], (states) => {
        expect(states).toEqual([undefined]);
        inBetween = theirs.reserve(['user:shared-node'], (read) => {
          seen = read;
          return { ok: true, next: [{ ...state, failures: 2 }] };
        });
        return { ok: true, next: [state] };
      });
      await inBetween;
      // It read after this one's write, not the empty row this one started from.
      expect(seen).toEqual([state]);
      expect(await counter('user:shared-node')).toBe(2);
    } finally {
      await other.close();
    }
  });
});
