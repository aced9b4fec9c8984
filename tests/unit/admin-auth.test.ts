import { describe, expect, it } from 'vitest';
import { afterFailure, attempt, delayAfter, verdict, type ThrottlePolicy } from '../../src/http/auth/throttle.js';
import { matchTotp, newRecoveryCodes, recoveryHash, totpCode } from '../../src/http/auth/totp.js';
import { builtInRoles, isWithin, mayHandOut, parseGrants } from '../../src/http/permissions.js';

describe('TOTP', () => {
  // RFC 6238 appendix B, SHA-1 seed "12345678901234567890" (base32 below); 6-digit codes are the last 6 digits.
  const seed = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
  it.each([
    [59, '287082'],
    [1111111109, '081804'],
    [1111111111, '050471'],
    [1234567890, '005924'],
    [2000000000, '279037'],
  ])('RFC 6238 vector at %i s', (seconds, code) => {
    expect(totpCode(seed, new Date(seconds * 1000))).toBe(code);
    expect(matchTotp(seed, code, new Date(seconds * 1000))).toBe(Math.floor(seconds / 30));
  });
  it('accepts one step of drift either way, and nothing else', () => {
    const at = new Date(1234567890_000);
    expect(matchTotp(seed, '005924', new Date(at.getTime() + 30_000))).toBe(41152263);
    expect(matchTotp(seed, '005924', new Date(at.getTime() - 30_000))).toBe(41152263);
    expect(matchTotp(seed, '005924', new Date(at.getTime() + 61_000))).toBeUndefined();
    expect(matchTotp(seed, '00592', at)).toBeUndefined();
    expect(matchTotp(seed, 'abcdef', at)).toBeUndefined();
  });
  it('recovery codes are random, typed back loosely, and stored as hashes', () => {
    const { codes, hashes } = newRecoveryCodes();
    expect(codes).toHaveLength(10);
    for (const c of codes) expect(c).toMatch(/^[a-z2-7]{4}(-[a-z2-7]{4}){3}$/);
    expect(recoveryHash(codes[0]!.toUpperCase().replace(/-/g, ' '))).toBe(hashes[0]);
    expect(hashes[0]).not.toContain(codes[0]!.replace(/-/g, ''));
  });
});

describe('login throttle', () => {
  const policy: ThrottlePolicy = { slowAfter: 3, maxDelayMs: 60_000, maxFailures: 10, lockoutMs: 15 * 60_000 };
  const t0 = new Date('2026-11-23T10:00:00Z');
  const at = (ms: number) => new Date(t0.getTime() + ms);
  it('slows down after 3 failures with doubling waits capped at 60 s', () => {
    expect([0, 1, 2, 3, 4, 5, 8, 9, 20].map((f) => delayAfter(f, policy))).toEqual([0, 0, 0, 1000, 2000, 4000, 32_000, 60_000, 60_000]);
    let s = afterFailure(undefined, t0, policy);
    s = afterFailure(s, t0, policy);
    expect(verdict(s, t0, policy)).toEqual({ ok: true });
    s = afterFailure(s, t0, policy);
    expect(verdict(s, at(500), policy)).toEqual({ ok: false, locked: false, retryAfterMs: 500 });
    expect(verdict(s, at(1000), policy)).toEqual({ ok: true });
  });
  it('locks at the limit for the lockout, then forgets', () => {
    let s = undefined;
    for (let i = 0; i < 10; i++) s = afterFailure(s, t0, policy);
    expect(s!.lockedUntil).toBe(at(15 * 60_000).toISOString());
    expect(verdict(s, at(14 * 60_000), policy)).toMatchObject({ ok: false, locked: true, retryAfterMs: 60_000 });
    expect(verdict(s, at(15 * 60_000), policy)).toEqual({ ok: true });
    expect(afterFailure(s, at(15 * 60_000), policy).failures).toBe(1);
  });
  it('a try on several keys counts on all of them, or on none when any refuses', () => {
    const ip: ThrottlePolicy = { slowAfter: Number.POSITIVE_INFINITY, maxDelayMs: 0, maxFailures: 3, lockoutMs: 15 * 60_000 };
    const first = attempt([undefined, undefined], t0, [policy, ip]);
    expect(first).toEqual({ ok: true, next: [{ failures: 1, lastFailureAt: t0.toISOString(), lockedUntil: null }, { failures: 1, lastFailureAt: t0.toISOString(), lockedUntil: null }] });
    // The address's 3rd try locks it; a 4th is refused as a whole, the username's counter untouched.
    const ipAt2 = { failures: 2, lastFailureAt: t0.toISOString(), lockedUntil: null };
    const third = attempt([undefined, ipAt2], t0, [policy, ip]);
    expect(third.ok && third.next[1]).toEqual({ failures: 3, lastFailureAt: t0.toISOString(), lockedUntil: at(15 * 60_000).toISOString() });
    expect(attempt([undefined, third.ok ? third.next[1] : undefined], at(1), [policy, ip])).toEqual({ ok: false, locked: true, retryAfterMs: 15 * 60_000 - 1 });
  });
});

describe('roles', () => {
  it('grants: finance writes billing and payments, reads customers; support the reverse; read-only never admins', () => {
    expect(builtInRoles.finance.grants).toMatchObject({ billing: 'write', payments: 'write', customers: 'read' });
    expect(builtInRoles.support.grants).toMatchObject({ customers: 'write', services: 'write', billing: 'read' });
    expect(builtInRoles['read-only'].grants.admins).toBeUndefined();
    expect(Object.values(builtInRoles['read-only'].grants)).not.toContain('write');
  });
  it('no one hands out more than they hold', () => {
    expect(isWithin({ customers: 'read' }, { customers: 'write' })).toBe(true);
    expect(isWithin({ customers: 'write' }, { customers: 'read' })).toBe(false);
    expect(mayHandOut({ role: 'x', grants: builtInRoles.admin.grants }, 'super-admin', builtInRoles['super-admin'].grants)).toBe(false);
    expect(mayHandOut({ role: 'super-admin', grants: {} }, 'super-admin', {})).toBe(true);
  });
  it('parses permissions, naming the bad area', () => {
    expect(parseGrants({ billing: 'write', nas: 'none' })).toEqual({ grants: { billing: 'write' } });
    expect(parseGrants({ billing: 'all' }).bad).toBe('permissions.billing');
    expect(parseGrants({ kitchen: 'read' }).bad).toBe('permissions.kitchen');
  });
});

describe('config', () => {
  it('checks [http] admin_allow entries as addresses or CIDR blocks', async () => {
    const { loadConfig } = await import('../../src/config/load.js');
    expect(loadConfig(undefined, { TOLLGATE_HTTP_ADMIN_ALLOW: '10.0.0.0/8, 2001:db8::/32,192.0.2.7' }).config.http.admin_allow).toEqual(['10.0.0.0/8', '2001:db8::/32', '192.0.2.7']);
    expect(() => loadConfig(undefined, { TOLLGATE_HTTP_ADMIN_ALLOW: '10.0.0.0/33' })).toThrow(/admin_allow.*10\.0\.0\.0\/33|10\.0\.0\.0\/33.*not an address/);
  });
});

describe('route overrides', () => {
  it('voucher codes and onboarding commands (which hold secrets) need write access', async () => {
    const { routeRequirement } = await import('../../src/http/permissions.js');
    expect(routeRequirement('GET', '/api/v1/vouchers/batches/:id/vouchers.csv')).toEqual({ area: 'billing', access: 'write' });
    expect(routeRequirement('GET', '/api/v1/vouchers/batches/:id/vouchers.pdf')).toEqual({ area: 'billing', access: 'write' });
    expect(routeRequirement('GET', '/api/v1/vouchers/batches/:id')).toEqual({ area: 'billing', access: 'read' });
    expect(routeRequirement('GET', '/api/v1/nas/:id/onboarding')).toEqual({ area: 'nas', access: 'write' });
  });
});
