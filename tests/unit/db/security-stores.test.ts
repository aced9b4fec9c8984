/**
 * The security stores behave the same on SQLite and PostgreSQL: tokens stored only as their hash,
 * argon2id password hashes that verify after the round trip, booleans as booleans, a TOTP step and
 * a recovery code good once, sessions found by the hash of their cookie, the constraint paths as
 * domain errors, and the login throttle's reservation admitting no more tries than the limit when
 * they all arrive at once, from one node or (PostgreSQL) from two sharing the database.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminStore, roleStore, sessionStore, sha256, throttleStore, tokenStore, type ThrottleState } from '../../../src/db/security.js';
import { ConstraintViolation, openPostgres, type SqlClient } from '../../../src/db/sql.js';
import { attempt, type ThrottlePolicy } from '../../../src/http/auth/throttle.js';
import { TestClock } from '../../../src/lib/clock.js';
import { TollgateError } from '../../../src/lib/errors.js';
import { hashPassword, verifyPassword } from '../../../src/lib/password.js';
import { backendNames, openTestBackend, type TestBackend } from '../../helpers/backends.js';
import { rejection } from '../../helpers/rejection.js';

const cli = { id: 'cli' };

describe.each(backendNames)('the security stores on %s', (name) => {
  let b: TestBackend;
  let sql: SqlClient;
  const clock = new TestClock('2026-11-23T10:00:00.000Z');
  const auditRows = (action: string) =>
    sql.all<{ actor: string; entityId: string | null; before: string | null; after: string | null }>(
      `select actor, entity_id as "entityId", before, after from audit_log where action = ? order by id`, action);

  beforeAll(async () => {
    b = await openTestBackend(name);
    sql = b.sql;
  });
  afterAll(() => b?.close());

  describe('tokens', () => {
    it('stores only the hash, verifies the token, and stops it once revoked or expired', async () => {
      const tokens = tokenStore(sql, clock);
      const { id, token } = await tokens.create({ name: 'ci', role: 'read-only', actor: cli });
      expect(token).toMatch(/^tg_[\w-]{43}$/);
      const stored = await sql.get<{ tokenHash: string; prefix: string; createdAt: string }>(
        `select token_hash as "tokenHash", prefix, created_at as "createdAt" from api_tokens where id = ?`, id);
      expect(stored).toEqual({ tokenHash: sha256(token), prefix: token.slice(0, 10), createdAt: '2026-11-23T10:00:00.000Z' });
      expect(JSON.stringify(await sql.all(`select * from api_tokens`))).not.toContain(token);

      expect(await tokens.verify(token)).toEqual({ id, name: 'ci', role: 'read-only' });
      expect((await tokens.get(id))!.lastUsedAt).toBe('2026-11-23T10:00:00.000Z');
      expect(await tokens.verify(token + 'x')).toBeUndefined();

      expect((await tokens.revoke(id, cli))!.revokedAt).toBe('2026-11-23T10:00:00.000Z');
      clock.advance(1000);
      // Revoking twice changes nothing and records nothing.
      expect((await tokens.revoke(id, cli))!.revokedAt).toBe('2026-11-23T10:00:00.000Z');
      expect(await tokens.revoke(999_999, cli)).toBeUndefined();
      expect(await tokens.verify(token)).toBeUndefined();
      expect((await auditRows('revoke')).filter((r) => r.entityId === String(id))).toHaveLength(1);

      const expiring = await tokens.create({ name: 'short', role: 'admin', expiresAt: new Date(clock.now().getTime() + 60_000).toISOString(), actor: cli });
      expect(await tokens.verify(expiring.token)).toMatchObject({ id: expiring.id });
      clock.advance(60_000);
      expect(await tokens.verify(expiring.token)).toBeUndefined();
    });

    it('lists active tokens by default and all of them on request, a page at a time', async () => {
      const tokens = tokenStore(sql, clock);
      const all = await tokens.list({ includeRevoked: true, limit: 500 });
      const active = await tokens.list({});
      expect(all.items.some((t) => t.revokedAt !== null)).toBe(true);
      expect(active.items.every((t) => t.revokedAt === null)).toBe(true);
      expect(active.items.length).toBeLessThan(all.items.length);
      const first = await tokens.list({ includeRevoked: true, limit: 1 });
      expect(first.items).toHaveLength(1);
      const second = await tokens.list({ includeRevoked: true, limit: 1, cursor: first.next! });
      expect(second.items[0]!.id).toBeGreaterThan(first.items[0]!.id);
    });

    it('refuses a second token with the same hash (the unique index the lookup relies on)', async () => {
      const row = (await sql.get<{ tokenHash: string }>(`select token_hash as "tokenHash" from api_tokens order by id limit 1`))!;
      const e = await rejection(sql.run(`insert into api_tokens (name, role, token_hash, prefix, created_by, created_at) values ('x', 'admin', ?, 'tg_x', 'cli', ?)`, row.tokenHash, clock.now().toISOString()));
      expect(e).toBeInstanceOf(ConstraintViolation);
      expect(e).toMatchObject({ kind: 'unique' });
    });
  });

  describe('admins', () => {
    it('keeps an argon2id hash that verifies after the round trip, and refuses a second admin of the name', async () => {
      const admins = adminStore(sql, clock);
      const hash = await hashPassword('correct horse battery');
      const id = await admins.create({ username: 'alice', passwordHash: hash, role: 'super-admin', mustChangePassword: true, actor: cli, at: clock.now() });
      const s = (await admins.secretsByUsername('alice'))!;
      expect(s.passwordHash).toMatch(/^\$argon2id\$/);
      expect(s.passwordHash).toBe(hash);
      expect(await verifyPassword(s.passwordHash, 'correct horse battery')).toBe(true);
      expect(await verifyPassword(s.passwordHash, 'wrong horse battery')).toBe(false);
      expect(s).toMatchObject({ id, username: 'alice', role: 'super-admin', disabled: false, mustChangePassword: true, totpEnabled: false, totpLastStep: null });
      expect(await admins.secretsById(id)).toEqual(s);
      expect(await admins.secretsByUsername('nobody')).toBeUndefined();

      const dup = await rejection(admins.create({ username: 'alice', passwordHash: hash, role: 'admin', mustChangePassword: false, actor: cli, at: clock.now() }));
      expect(dup).toBeInstanceOf(TollgateError);
      expect(dup).toMatchObject({ code: 'conflict', field: 'username' });
      expect(await admins.count()).toBe(1);
      expect(await admins.exists('alice')).toBe(true);
      expect(await admins.exists('bob')).toBe(false);
      expect(await auditRows('create')).toContainEqual({ actor: 'cli', entityId: String(id), before: null, after: JSON.stringify({ username: 'alice', role: 'super-admin' }) });
    });

    it('answers booleans, lists, counts enabled holders, and a disable ends the sessions', async () => {
      const admins = adminStore(sql, clock);
      const sessions = sessionStore(sql);
      const id = await admins.create({ username: 'bob', passwordHash: await hashPassword('bob-password-1'), role: 'super-admin', mustChangePassword: false, actor: cli, at: clock.now() });
      const bob = (await admins.get(id))!;
      expect(bob).toEqual({
        id, username: 'bob', role: 'super-admin', disabled: false, mustChangePassword: false, totpEnabled: false, lastLoginAt: null, language: null,
        createdAt: clock.now().toISOString(), updatedAt: clock.now().toISOString(),
      });
      expect(await admins.countEnabledWithRole('super-admin')).toBe(2);
      const page = await admins.list({ limit: 1 });
      expect(page.items).toHaveLength(1);
      expect((await admins.list({ cursor: page.next! })).items.map((a) => a.username)).toEqual(['bob']);

      await sessions.create({ adminId: id, stage: 'full', idHash: sha256('bob-session'), ip: '192.0.2.1', userAgent: 'test', at: clock.now() });
      clock.advance(1000);
      const disabled = (await admins.update(id, { disabled: true, role: 'admin' }, cli))!;
      expect(disabled).toMatchObject({ disabled: true, role: 'admin', updatedAt: clock.now().toISOString() });
      expect(await sessions.find(sha256('bob-session'))).toBeUndefined();
      expect(await admins.countEnabledWithRole('super-admin')).toBe(1);
      expect(await admins.countEnabledWithRole('admin')).toBe(0);
      expect((await auditRows('update')).at(-1)).toMatchObject({
        before: JSON.stringify({ username: 'bob', role: 'super-admin', disabled: false, mustChangePassword: false, totpEnabled: false }),
        after: JSON.stringify({ username: 'bob', role: 'admin', disabled: true, mustChangePassword: false, totpEnabled: false }),
      });
      expect((await admins.update(id, { disabled: false }, cli))!.disabled).toBe(false);
      expect(await admins.update(999_999, { disabled: true }, cli)).toBeUndefined();
    });

    it('keeps the admin\'s own UI language, audited, and goes back to none (the browser\'s)', async () => {
      const admins = adminStore(sql, clock);
      const id = await admins.create({ username: 'lia', passwordHash: await hashPassword('lia-password-12'), role: 'support', mustChangePassword: false, actor: cli, at: clock.now() });
      expect((await admins.setLanguage(id, 'es', cli))?.language).toBe('es');
      expect((await admins.get(id))?.language).toBe('es');
      expect(await auditRows('language_change')).toContainEqual(expect.objectContaining({ entityId: String(id), after: expect.stringContaining('"language":"es"') }));
      expect((await admins.setLanguage(id, null, cli))?.language).toBeNull();
      expect(await admins.setLanguage(999_999, 'it', cli)).toBeUndefined();
    });

    it('sets a password: a reset ends every session and asks for a change; an own change keeps the current session', async () => {
      const admins = adminStore(sql, clock);
      const sessions = sessionStore(sql);
      const id = (await admins.secretsByUsername('bob'))!.id;
      const keep = await sessions.create({ adminId: id, stage: 'full', idHash: sha256('keep'), ip: undefined, userAgent: undefined, at: clock.now() });
      await sessions.create({ adminId: id, stage: 'full', idHash: sha256('other'), ip: undefined, userAgent: undefined, at: clock.now() });
      await admins.setPassword(id, await hashPassword('bob-password-2'), { reset: false, keepSessionId: keep, actor: cli });
      expect(await sessions.find(sha256('keep'))).toBeDefined();
      expect(await sessions.find(sha256('other'))).toBeUndefined();
      expect((await admins.get(id))!.mustChangePassword).toBe(false);
      const reset = (await admins.setPassword(id, await hashPassword('bob-password-3'), { reset: true, actor: cli }))!;
      expect(reset.mustChangePassword).toBe(true);
      expect(await sessions.find(sha256('keep'))).toBeUndefined();
      expect(await verifyPassword((await admins.secretsById(id))!.passwordHash, 'bob-password-3')).toBe(true);
    });

    it('takes a TOTP step once, later steps only, even when the same code arrives at once', async () => {
      const admins = adminStore(sql, clock);
      const id = (await admins.secretsByUsername('alice'))!.id;
      await admins.setPendingTotp(id, 'sealed-seed', cli);
      expect(await admins.secretsById(id)).toMatchObject({ totpSecretEnc: 'sealed-seed', totpEnabled: false, totpLastStep: null });
      const { totpEnabled } = (await admins.confirmTotp(id, 1000, ['h1', 'h2', 'h3'], cli))!;
      expect(totpEnabled).toBe(true);
      expect(await admins.secretsById(id)).toMatchObject({ totpEnabled: true, totpLastStep: 1000 });

      expect(await admins.useTotpStep(id, 1000)).toBe(false); // the code that confirmed the enrolment
      expect(await admins.useTotpStep(id, 1001)).toBe(true);
      expect(await admins.useTotpStep(id, 1001)).toBe(false);
      expect(await admins.useTotpStep(id, 999)).toBe(false);
      // A large step (bigint on PostgreSQL) compares as a number.
      const taken = await Promise.all(Array.from({ length: 10 }, () => admins.useTotpStep(id, 58_000_000)));
      expect(taken.filter(Boolean)).toHaveLength(1);
      expect((await admins.secretsById(id))!.totpLastStep).toBe(58_000_000);
    });

    it('spends a recovery code once, even when it arrives twice at once, and forgets them with the seed', async () => {
      const admins = adminStore(sql, clock);
      const id = (await admins.secretsByUsername('alice'))!.id;
      expect(await admins.recoveryCodesLeft(id)).toBe(3);
      const spent = await Promise.all([admins.useRecoveryCode(id, 'h2', cli), admins.useRecoveryCode(id, 'h2', cli)]);
      expect(spent.filter(Boolean)).toHaveLength(1);
      expect(await admins.useRecoveryCode(id, 'unknown', cli)).toBe(false);
      expect(await admins.recoveryCodesLeft(id)).toBe(2);
      expect((await auditRows('recovery_code_used')).map((r) => r.after)).toEqual([JSON.stringify({ remaining: 2 })]);
      // A code is stored once per admin (admin_recovery_codes_uq).
      expect(await rejection(sql.run(`insert into admin_recovery_codes (admin_id, code_hash) values (?, ?)`, id, 'h1'))).toMatchObject({ kind: 'unique' });

      const cleared = (await admins.clearTotp(id, cli))!;
      expect(cleared.totpEnabled).toBe(false);
      expect(await admins.secretsById(id)).toMatchObject({ totpSecretEnc: null, totpLastStep: null });
      expect(await admins.recoveryCodesLeft(id)).toBe(0);
    });
  });

  describe('sessions', () => {
    it('finds a session by the hash of its cookie with its admin, promotes, touches, ends and purges', async () => {
      const admins = adminStore(sql, clock);
      const sessions = sessionStore(sql);
      const id = await admins.create({ username: 'carol', passwordHash: await hashPassword('carol-password-1'), role: 'support', mustChangePassword: true, actor: cli, at: clock.now() });
      await admins.setPendingTotp(id, 'seed', cli);
      await admins.confirmTotp(id, 5, [], cli);
      const at = clock.now();
      const sid = await sessions.create({ adminId: id, stage: 'totp', idHash: sha256('pending'), ip: '192.0.2.9', userAgent: 'x'.repeat(400), at, audit: { action: 'login_password', after: { secondFactor: 'pending' } } });
      expect(await sessions.find(sha256('pending'))).toEqual({
        id: sid, adminId: id, stage: 'totp', createdAt: at.toISOString(), lastSeenAt: at.toISOString(),
        username: 'carol', role: 'support', disabled: false, mustChangePassword: true, totpEnabled: true, language: null,
      });
      expect((await sql.get<{ n: number }>(`select length(user_agent) as "n" from admin_sessions where id = ?`, sid))!.n).toBe(300);
      // A pending session is no login yet.
      expect((await admins.get(id))!.lastLoginAt).toBeNull();

      clock.advance(30_000);
      await sessions.promote(sid, sha256('full'), clock.now(), { id: `admin:${id}` }, id, 'totp');
      expect(await sessions.find(sha256('pending'))).toBeUndefined();
      expect(await sessions.find(sha256('full'))).toMatchObject({ id: sid, stage: 'full', lastSeenAt: clock.now().toISOString() });
      expect((await admins.get(id))!.lastLoginAt).toBe(clock.now().toISOString());
      expect((await auditRows('login')).at(-1)).toMatchObject({ actor: `admin:${id}`, entityId: String(id), after: JSON.stringify({ secondFactor: 'totp' }) });

      const dup = await rejection(sessions.create({ adminId: id, stage: 'full', idHash: sha256('full'), ip: undefined, userAgent: undefined, at: clock.now() }));
      expect(dup).toMatchObject({ kind: 'unique' });
      expect(await rejection(sessions.create({ adminId: 999_999, stage: 'full', idHash: sha256('orphan'), ip: undefined, userAgent: undefined, at: clock.now() }))).toMatchObject({ kind: 'foreign_key' });

      clock.advance(60_000);
      await sessions.touch(sid, clock.now());
      expect((await sessions.find(sha256('full')))!.lastSeenAt).toBe(clock.now().toISOString());

      const other = await sessions.create({ adminId: id, stage: 'full', idHash: sha256('old'), ip: undefined, userAgent: undefined, at: new Date(clock.now().getTime() - 3_600_000) });
      await sessions.end(other, clock.now(), { actor: { id: `admin:${id}` }, adminId: id, action: 'logout' });
      expect(await sessions.find(sha256('old'))).toBeUndefined();
      expect((await auditRows('logout')).at(-1)).toMatchObject({ actor: `admin:${id}`, entityId: String(id) });

      // Idle before now + 1 ms: every session so far goes; nothing is left for a second purge.
      const before = (await sql.get<{ n: number }>(`select count(*) as "n" from admin_sessions`))!.n;
      expect(await sessions.purge(new Date(clock.now().getTime() - 3_600_000), new Date(0))).toBe(0);
      expect(await sessions.purge(new Date(clock.now().getTime() + 1), new Date(0))).toBe(before);
      expect(await sessions.purge(new Date(clock.now().getTime() + 1), new Date(0))).toBe(0);
    });
  });

  describe('the login throttle', () => {
    const policy: ThrottlePolicy = { slowAfter: Number.POSITIVE_INFINITY, maxDelayMs: 0, maxFailures: 5, lockoutMs: 15 * 60_000 };
    const decideAt = (at: Date, policies: ThrottlePolicy[]) => (states: Array<ThrottleState | undefined>) => {
      const a = attempt(states, at, policies);
      return a.ok ? a : { ok: false as const, refusal: a };
    };

    it('counts a try, refuses past the limit without counting, gives a right try back, clears and purges', async () => {
      const throttle = throttleStore(sql);
      const at = clock.now();
      expect(await throttle.get('ip:192.0.2.7')).toBeUndefined();
      for (let i = 0; i < 4; i++) expect(await throttle.reserve(['ip:192.0.2.7'], decideAt(at, [policy]))).toBeUndefined();
      expect(await throttle.get('ip:192.0.2.7')).toEqual({ failures: 4, lastFailureAt: at.toISOString(), lockedUntil: null });
      // The 5th try takes the last place and locks the key; a 6th is refused and changes nothing.
      expect(await throttle.reserve(['ip:192.0.2.7'], decideAt(at, [policy]))).toBeUndefined();
      const locked = { failures: 5, lastFailureAt: at.toISOString(), lockedUntil: new Date(at.getTime() + policy.lockoutMs).toISOString() };
      expect(await throttle.get('ip:192.0.2.7')).toEqual(locked);
      expect(await throttle.reserve(['ip:192.0.2.7'], decideAt(at, [policy]))).toMatchObject({ ok: false, locked: true });
      expect(await throttle.get('ip:192.0.2.7')).toEqual(locked);
      // The 5th was right: its count and the lock it set go.
      await throttle.refund('ip:192.0.2.7', policy.maxFailures);
      expect(await throttle.get('ip:192.0.2.7')).toEqual({ failures: 4, lastFailureAt: at.toISOString(), lockedUntil: null });
      // A right try from a clean key leaves nothing behind.
      await throttle.reserve(['ip:192.0.2.8'], decideAt(at, [policy]));
      await throttle.refund('ip:192.0.2.8', policy.maxFailures);
      expect(await throttle.get('ip:192.0.2.8')).toBeUndefined();
      await throttle.clear('ip:192.0.2.7');
      expect(await throttle.get('ip:192.0.2.7')).toBeUndefined();

      // A failure for an unknown user: its audit row names no entity.
      await throttle.record(
        [{ key: 'user:stale', state: { failures: 2, lastFailureAt: new Date(at.getTime() - policy.lockoutMs).toISOString(), lockedUntil: null } },
          { key: 'user:fresh', state: { failures: 2, lastFailureAt: at.toISOString(), lockedUntil: null } }],
        { at, actor: { id: 'anonymous', ip: '192.0.2.7' }, action: 'login_failed', entityId: null, after: { username: 'ghost', reason: 'unknown_user' } },
      );
      expect((await auditRows('login_failed')).at(-1)).toEqual({ actor: 'anonymous', entityId: null, before: null, after: JSON.stringify({ username: 'ghost', reason: 'unknown_user' }) });
      expect(await throttle.purge(at, policy.lockoutMs)).toBe(1);
      expect(await throttle.get('user:stale')).toBeUndefined();
      expect(await throttle.get('user:fresh')).toBeDefined();
    });

    it('admits no more tries than the limit when they all arrive at once, on every key', async () => {
      // Two nodes on one PostgreSQL: two pools, each with its own connections.
      const second = b.name === 'postgres' ? openPostgres({ url: b.url!, max: 4 }) : undefined;
      try {
        const nodes = [throttleStore(sql), ...(second ? [throttleStore(second)] : [])];
        const at = clock.now();
        const userPolicy = { ...policy, maxFailures: 3 };
        const outcomes = await Promise.all(Array.from({ length: 40 }, (_, i) =>
          nodes[i % nodes.length]!.reserve(['user:burst', 'ip:198.51.100.1'], decideAt(at, [userPolicy, policy]))));
        expect(outcomes.filter((o) => o === undefined)).toHaveLength(3);
        expect(await nodes[0]!.get('user:burst')).toMatchObject({ failures: 3 });
        expect(await nodes[0]!.get('ip:198.51.100.1')).toMatchObject({ failures: 3, lockedUntil: null });

        const ipOnly = await Promise.all(Array.from({ length: 40 }, (_, i) =>
          nodes[i % nodes.length]!.reserve([`user:u${i}`, 'ip:198.51.100.1'], decideAt(at, [userPolicy, policy]))));
        // The address had 3 of its 5: two more, whatever the usernames.
        expect(ipOnly.filter((o) => o === undefined)).toHaveLength(2);
        expect(await nodes[0]!.get('ip:198.51.100.1')).toMatchObject({ failures: 5 });
        const counted = await sql.all<{ key: string }>(`select key from login_throttle where key like 'user:u%'`);
        expect(counted).toHaveLength(2);
      } finally {
        await second?.close();
      }
    });
  });

  describe('custom roles', () => {
    it('creates, reads, changes and deletes a role; a second of the name and the delete of a held one are refused', async () => {
      const roles = roleStore(sql, clock);
      const admins = adminStore(sql, clock);
      const tokens = tokenStore(sql, clock);
      const created = await roles.create({ name: 'billing-clerk', description: 'Invoices', permissions: '{"billing":"write"}' }, cli);
      expect(created).toEqual({ name: 'billing-clerk', description: 'Invoices', permissions: '{"billing":"write"}', createdAt: clock.now().toISOString(), updatedAt: clock.now().toISOString() });
      expect(await rejection(roles.create({ name: 'billing-clerk', description: '', permissions: '{}' }, cli))).toMatchObject({ code: 'conflict', field: 'name' });
      expect(await roles.get('billing-clerk')).toEqual(created);
      expect(await roles.get('nope')).toBeUndefined();
      await roles.create({ name: 'auditor', description: '', permissions: '{}' }, cli);
      expect((await roles.list()).map((r) => r.name)).toEqual(['auditor', 'billing-clerk']);

      clock.advance(1000);
      const changed = (await roles.update('billing-clerk', { permissions: '{"billing":"read"}' }, cli))!;
      expect(changed).toMatchObject({ description: 'Invoices', permissions: '{"billing":"read"}', updatedAt: clock.now().toISOString() });
      expect(await roles.update('nope', { description: 'x' }, cli)).toBeUndefined();

      const adminId = await admins.create({ username: 'dave', passwordHash: 'x', role: 'billing-clerk', mustChangePassword: false, actor: cli, at: clock.now() });
      const token = await tokens.create({ name: 'clerk', role: 'billing-clerk', actor: cli });
      expect(await roles.holders('billing-clerk')).toEqual({ admins: 1, tokens: 1 });
      expect(await rejection(roles.delete('billing-clerk', cli))).toMatchObject({ code: 'in_use' });
      await admins.update(adminId, { role: 'read-only' }, cli);
      await tokens.revoke(token.id, cli);
      expect(await roles.holders('billing-clerk')).toEqual({ admins: 0, tokens: 0 });
      expect(await roles.delete('billing-clerk', cli)).toBe(true);
      expect(await roles.delete('billing-clerk', cli)).toBe(false);
      expect((await auditRows('delete')).at(-1)).toMatchObject({ entityId: 'billing-clerk', after: null });
    });
  });
});
