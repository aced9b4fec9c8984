/**
 * The admin API's security records: API tokens, admins (password hash, TOTP seed, recovery codes),
 * cookie sessions, failed-login counters and custom roles, on either backend (src/db/sql.ts).
 *
 * Every statement is prepared once per store. A change and its audit row are one transaction; a
 * read-decide-write (the login throttle's reservation, a revocation, an admin change) runs inside
 * one, which both backends serialize (SQLite's write lock; PostgreSQL's shared advisory lock), so
 * parallel requests, processes and nodes take turns. Booleans come back as 0/1 from SQLite and as
 * true/false from PostgreSQL; the stores answer JavaScript booleans either way.
 */
import { createHash, randomBytes } from 'node:crypto';
import { auditRecorder } from './audit.js';
import { decodeCursor, encodeCursor, type Actor, type Page } from './crud.js';
import { dialectSql } from './dialect.js';
import { constraintOf, type SqlClient } from './sql.js';
import { said, TollgateError } from '../lib/errors.js';
import { systemClock, type Clock } from '../lib/clock.js';

export interface TokenInfo {
  id: number;
  name: string;
  role: string;
}

export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** A boolean column as read from either backend (SQLite 0/1, PostgreSQL true/false). */
const bool = (v: number | boolean): boolean => v === true || v === 1;

const pageLimit = (limit: number | undefined) => Math.min(Math.max(limit ?? 50, 1), 500);

// ---- API tokens ----------------------------------------------------------------------------------

export interface TokenRow {
  id: number;
  name: string;
  prefix: string;
  role: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
  createdBy: string;
  createdAt: string;
}

const tokenColumns = `id, name, prefix, role, expires_at as "expiresAt", revoked_at as "revokedAt", last_used_at as "lastUsedAt", created_by as "createdBy", created_at as "createdAt"`;
const tokenAudit = (t: Pick<TokenRow, 'name' | 'role' | 'expiresAt'> & { prefix?: string; revokedAt?: string | null }) => ({
  name: t.name, role: t.role, expiresAt: t.expiresAt ?? null, ...(t.prefix ? { prefix: t.prefix } : {}), ...(t.revokedAt ? { revokedAt: t.revokedAt } : {}),
});

/**
 * API tokens: shown once, stored as SHA-256. A token is 32 random bytes, so it cannot be guessed and
 * a fast hash is enough; the `tg_` prefix lets secret scanners recognise a leaked one.
 */
export function tokenStore(sql: SqlClient, clock: Clock = systemClock) {
  const now = () => clock.now();
  const audit = auditRecorder(sql);
  // The bearer check of every token request: one indexed lookup by hash (api_tokens_hash_uq).
  const lookup = sql.prepare<Omit<TokenRow, 'prefix' | 'createdBy' | 'createdAt'>>(
    `select id, name, role, expires_at as "expiresAt", revoked_at as "revokedAt", last_used_at as "lastUsedAt" from api_tokens where token_hash = ?`,
  );
  const touch = sql.prepare(`update api_tokens set last_used_at = ? where id = ?`);
  const byId = sql.prepare<TokenRow>(`select ${tokenColumns} from api_tokens where id = ?`);
  const insert = sql.prepare<{ id: number }>(
    `insert into api_tokens (name, role, token_hash, prefix, expires_at, created_by, created_at) values (?, ?, ?, ?, ?, ?, ?) returning id`,
  );
  const listActive = sql.prepare<TokenRow>(`select ${tokenColumns} from api_tokens where id > ? and revoked_at is null order by id limit ?`);
  const listAll = sql.prepare<TokenRow>(`select ${tokenColumns} from api_tokens where id > ? order by id limit ?`);
  const setRevoked = sql.prepare(`update api_tokens set revoked_at = ? where id = ?`);
  return {
    async create(opts: { name: string; role: string; expiresAt?: string | undefined | null; actor: Actor }): Promise<{ id: number; token: string }> {
      const token = 'tg_' + randomBytes(32).toString('base64url');
      const prefix = token.slice(0, 10);
      const at = now().toISOString();
      const id = await sql.transaction(async () => {
        const row = (await insert.get(opts.name, opts.role, sha256(token), prefix, opts.expiresAt ?? null, opts.actor.id, at))!;
        await audit(opts.actor, at, 'create', 'api_token', row.id, undefined, tokenAudit({ ...opts, expiresAt: opts.expiresAt ?? null, prefix }));
        return row.id;
      });
      return { id, token };
    },

    /** The token's identity if it is valid now; undefined for unknown, revoked or expired tokens. */
    async verify(token: string): Promise<TokenInfo | undefined> {
      const row = await lookup.get(sha256(token));
      if (!row || row.revokedAt) return undefined;
      const t = now();
      if (row.expiresAt && Date.parse(row.expiresAt) <= t.getTime()) return undefined;
      // Last use is informative; writing it at most once a minute keeps reads from turning into writes.
      if (!row.lastUsedAt || t.getTime() - Date.parse(row.lastUsedAt) > 60_000) await touch.run(t.toISOString(), row.id);
      return { id: row.id, name: row.name, role: row.role };
    },

    async get(id: number): Promise<TokenRow | undefined> {
      return byId.get(id);
    },

    async list(q: { limit?: number | undefined; cursor?: string | undefined; includeRevoked?: boolean | undefined }): Promise<Page<TokenRow>> {
      const limit = pageLimit(q.limit);
      const after = q.cursor ? decodeCursor(q.cursor) : 0;
      const rows = await (q.includeRevoked ? listAll : listActive).all(after, limit + 1);
      const items = rows.slice(0, limit);
      return { items, next: rows.length > limit ? encodeCursor(items[items.length - 1]!.id) : null };
    },

    /** Revokes a token; undefined when it does not exist. Revoking twice changes nothing. */
    async revoke(id: number, actor: Actor): Promise<TokenRow | undefined> {
      return sql.transaction(async () => {
        const before = await byId.get(id);
        if (!before || before.revokedAt) return before;
        const at = now().toISOString();
        await setRevoked.run(at, id);
        await audit(actor, at, 'revoke', 'api_token', id, tokenAudit(before), tokenAudit({ ...before, revokedAt: at }));
        return (await byId.get(id))!;
      });
    },
  };
}

// ---- Admins --------------------------------------------------------------------------------------

/** An admin as the API shows it: never the password hash or the TOTP seed. */
export interface AdminView {
  id: number;
  username: string;
  role: string;
  disabled: boolean;
  mustChangePassword: boolean;
  totpEnabled: boolean;
  lastLoginAt: string | null;
  /** The UI language the admin chose (en, it, es); null: the browser's, then the installation's. */
  language: string | null;
  createdAt: string;
  updatedAt: string;
}

interface AdminRow {
  id: number;
  username: string;
  passwordHash: string;
  role: string;
  totpSecretEnc: string | null;
  totpConfirmedAt: string | null;
  totpLastStep: number | null;
  mustChangePassword: number | boolean;
  disabled: number | boolean;
  lastLoginAt: string | null;
  language: string | null;
  createdAt: string;
  updatedAt: string;
}

const adminColumns = `id, username, password_hash as "passwordHash", role, totp_secret_enc as "totpSecretEnc", totp_confirmed_at as "totpConfirmedAt",
  totp_last_step as "totpLastStep", must_change_password as "mustChangePassword", disabled, last_login_at as "lastLoginAt", language, created_at as "createdAt", updated_at as "updatedAt"`;

export interface AdminSecrets {
  id: number;
  username: string;
  role: string;
  passwordHash: string;
  disabled: boolean;
  mustChangePassword: boolean;
  /** The sealed seed, confirmed or not. */
  totpSecretEnc: string | null;
  totpEnabled: boolean;
  totpLastStep: number | null;
}

function view(r: AdminRow): AdminView {
  return {
    id: r.id, username: r.username, role: r.role, disabled: bool(r.disabled), mustChangePassword: bool(r.mustChangePassword),
    totpEnabled: r.totpConfirmedAt !== null, lastLoginAt: r.lastLoginAt, language: r.language, createdAt: r.createdAt, updatedAt: r.updatedAt,
  };
}

function secrets(r: AdminRow): AdminSecrets {
  return {
    id: r.id, username: r.username, role: r.role, passwordHash: r.passwordHash, disabled: bool(r.disabled), mustChangePassword: bool(r.mustChangePassword),
    totpSecretEnc: r.totpSecretEnc, totpEnabled: r.totpConfirmedAt !== null, totpLastStep: r.totpLastStep,
  };
}

/** The audit view of an admin: what changed, never a secret. */
const adminAudit = (v: AdminView) => ({
  username: v.username, role: v.role, disabled: v.disabled, mustChangePassword: v.mustChangePassword, totpEnabled: v.totpEnabled,
  // Only once chosen: the rows of admins who never chose a language read as they always did.
  ...(v.language !== null ? { language: v.language } : {}),
});

export function adminStore(sql: SqlClient, clock: Clock = systemClock) {
  const audit = auditRecorder(sql);
  const count = sql.prepare<{ n: number }>(`select count(*) as "n" from admins`);
  const insert = sql.prepare<{ id: number }>(
    `insert into admins (username, password_hash, role, must_change_password, created_at, updated_at) values (?, ?, ?, ?, ?, ?) returning id`,
  );
  const byId = sql.prepare<AdminRow>(`select ${adminColumns} from admins where id = ?`);
  const byName = sql.prepare<AdminRow>(`select ${adminColumns} from admins where username = ?`);
  const idByName = sql.prepare<{ id: number }>(`select id from admins where username = ?`);
  const page = sql.prepare<AdminRow>(`select ${adminColumns} from admins where id > ? order by id limit ?`);
  const enabledWithRole = sql.prepare<{ n: number }>(`select count(*) as "n" from admins where role = ? and not disabled`);
  const setUpdated = sql.prepare(`update admins set updated_at = ? where id = ?`);
  const setRole = sql.prepare(`update admins set role = ? where id = ?`);
  const setDisabled = sql.prepare(`update admins set disabled = ? where id = ?`);
  const setLanguage = sql.prepare(`update admins set language = ? where id = ?`);
  const setHash = sql.prepare(`update admins set password_hash = ?, must_change_password = ? where id = ?`);
  const endSessions = sql.prepare(`delete from admin_sessions where admin_id = ?`);
  const endSessionsBut = sql.prepare(`delete from admin_sessions where admin_id = ? and id <> ?`);
  const setPendingSeed = sql.prepare(`update admins set totp_secret_enc = ?, totp_confirmed_at = null, totp_last_step = null where id = ?`);
  const setConfirmed = sql.prepare(`update admins set totp_confirmed_at = ?, totp_last_step = ? where id = ?`);
  const clearSeed = sql.prepare(`update admins set totp_secret_enc = null, totp_confirmed_at = null, totp_last_step = null where id = ?`);
  // A code's step is taken only if it is later than the last one taken: one statement, so two
  // requests with the same code cannot both pass, whichever backend or node they reach.
  const takeStep = sql.prepare(`update admins set totp_last_step = ? where id = ? and (totp_last_step is null or totp_last_step < ?)`);
  const deleteCodes = sql.prepare(`delete from admin_recovery_codes where admin_id = ?`);
  const insertCode = sql.prepare(`insert into admin_recovery_codes (admin_id, code_hash) values (?, ?)`);
  const spendCode = sql.prepare(`update admin_recovery_codes set used_at = ? where admin_id = ? and code_hash = ? and used_at is null`);
  const codesLeft = sql.prepare<{ n: number }>(`select count(*) as "n" from admin_recovery_codes where admin_id = ? and used_at is null`);

  /** Runs `apply` on the admin in one transaction with its audit row; undefined when it does not exist. */
  function change(id: number, actor: Actor, action: string, apply: (at: Date) => Promise<void>): Promise<AdminView | undefined> {
    return sql.transaction(async () => {
      const before = await byId.get(id);
      if (!before) return undefined;
      const at = clock.now();
      await apply(at);
      await setUpdated.run(at.toISOString(), id);
      const after = view((await byId.get(id))!);
      await audit(actor, at.toISOString(), action, 'admin', id, adminAudit(view(before)), adminAudit(after));
      return after;
    });
  }

  return {
    async count(): Promise<number> {
      return (await count.get())!.n;
    },
    async create(opts: { username: string; passwordHash: string; role: string; mustChangePassword: boolean; actor: Actor; at: Date }): Promise<number> {
      const at = opts.at.toISOString();
      return sql.transaction(async () => {
        let created: { id: number };
        try {
          created = (await insert.get(opts.username, opts.passwordHash, opts.role, opts.mustChangePassword, at, at))!;
        } catch (e) {
          if (constraintOf(e)?.kind === 'unique') throw new TollgateError('conflict', said('fault.admin.exists', `an admin named "${opts.username}" already exists`, { username: opts.username }), 'username');
          throw e;
        }
        await audit(opts.actor, at, 'create', 'admin', created.id, undefined, { username: opts.username, role: opts.role });
        return created.id;
      });
    },
    async exists(username: string): Promise<boolean> {
      return (await idByName.get(username)) !== undefined;
    },

    async get(id: number): Promise<AdminView | undefined> {
      const r = await byId.get(id);
      return r && view(r);
    },
    /** With the hash and the sealed seed: for the login and TOTP code only, never for an answer. */
    async secretsById(id: number): Promise<AdminSecrets | undefined> {
      const r = await byId.get(id);
      return r && secrets(r);
    },
    async secretsByUsername(username: string): Promise<AdminSecrets | undefined> {
      const r = await byName.get(username);
      return r && secrets(r);
    },
    async list(q: { limit?: number | undefined; cursor?: string | undefined }): Promise<Page<AdminView>> {
      const limit = pageLimit(q.limit);
      const rows = await page.all(q.cursor ? decodeCursor(q.cursor) : 0, limit + 1);
      const items = rows.slice(0, limit).map(view);
      return { items, next: rows.length > limit ? encodeCursor(items[items.length - 1]!.id) : null };
    },
    /** How many enabled admins hold a role: the last enabled super-admin must not go. */
    async countEnabledWithRole(role: string): Promise<number> {
      return (await enabledWithRole.get(role))!.n;
    },

    /** Changes role and/or disabled; disabling ends the admin's sessions. */
    async update(id: number, patch: { role?: string | undefined; disabled?: boolean | undefined }, actor: Actor): Promise<AdminView | undefined> {
      return change(id, actor, 'update', async () => {
        if (patch.role !== undefined) await setRole.run(patch.role, id);
        if (patch.disabled !== undefined) {
          await setDisabled.run(patch.disabled, id);
          if (patch.disabled) await endSessions.run(id);
        }
      });
    },

    /**
     * Sets a new password hash. `reset` (by another admin): the admin must change it at next login
     * and every session ends. Own change: clears the must-change flag and ends the other sessions.
     */
    async setPassword(id: number, passwordHash: string, opts: { reset: boolean; keepSessionId?: number | undefined; actor: Actor }): Promise<AdminView | undefined> {
      return change(id, opts.actor, opts.reset ? 'password_reset' : 'password_change', async () => {
        await setHash.run(passwordHash, opts.reset, id);
        await endSessionsBut.run(id, opts.keepSessionId ?? -1);
      });
    },

    /** The admin's own UI language; null goes back to the browser's (then the installation's). */
    async setLanguage(id: number, language: string | null, actor: Actor): Promise<AdminView | undefined> {
      return change(id, actor, 'language_change', async () => {
        await setLanguage.run(language, id);
      });
    },

    /** Stores a new, unconfirmed seed (TOTP stays off until confirmed). */
    async setPendingTotp(id: number, sealedSecret: string, actor: Actor): Promise<AdminView | undefined> {
      return change(id, actor, 'totp_enrol', async () => {
        await setPendingSeed.run(sealedSecret, id);
        await deleteCodes.run(id);
      });
    },

    /** Turns TOTP on with the step of the code that proved it and the hashed recovery codes. */
    async confirmTotp(id: number, step: number, recoveryHashes: string[], actor: Actor): Promise<AdminView | undefined> {
      return change(id, actor, 'totp_confirm', async (at) => {
        await setConfirmed.run(at.toISOString(), step, id);
        await deleteCodes.run(id);
        for (const h of recoveryHashes) await insertCode.run(id, h);
      });
    },

    /** Removes the second factor and the recovery codes (own choice or an admin's reset). */
    async clearTotp(id: number, actor: Actor): Promise<AdminView | undefined> {
      return change(id, actor, 'totp_reset', async () => {
        await clearSeed.run(id);
        await deleteCodes.run(id);
      });
    },

    /** Records the step of an accepted code; false when that step (or a later one) was already used. */
    async useTotpStep(id: number, step: number): Promise<boolean> {
      return (await takeStep.run(step, id, step)).changes === 1;
    },

    /** Spends a recovery code; false when it is unknown or used. */
    async useRecoveryCode(id: number, codeHash: string, actor: Actor): Promise<boolean> {
      return sql.transaction(async () => {
        const at = clock.now().toISOString();
        const used = (await spendCode.run(at, id, codeHash)).changes === 1;
        if (used) await audit(actor, at, 'recovery_code_used', 'admin', id, undefined, { remaining: (await codesLeft.get(id))!.n });
        return used;
      });
    },

    async recoveryCodesLeft(id: number): Promise<number> {
      return (await codesLeft.get(id))!.n;
    },
  };
}

// ---- Login sessions ------------------------------------------------------------------------------

export interface SessionInfo {
  id: number;
  adminId: number;
  stage: 'totp' | 'full';
  createdAt: string;
  lastSeenAt: string;
  username: string;
  role: string;
  disabled: boolean;
  mustChangePassword: boolean;
  totpEnabled: boolean;
  language: string | null;
}

type SessionRow = Omit<SessionInfo, 'disabled' | 'mustChangePassword' | 'totpEnabled'> & { disabled: number | boolean; mustChangePassword: number | boolean; totpEnabled: number | boolean };

/** Admin cookie sessions; the cookie's random id is stored only as SHA-256. */
export function sessionStore(sql: SqlClient) {
  const audit = auditRecorder(sql);
  // The cookie check of every session request: the session and its admin in one indexed lookup.
  const find = sql.prepare<SessionRow>(
    `select s.id, s.admin_id as "adminId", s.stage, s.created_at as "createdAt", s.last_seen_at as "lastSeenAt", a.username, a.role, a.disabled,
       a.must_change_password as "mustChangePassword", a.totp_confirmed_at is not null as "totpEnabled", a.language
     from admin_sessions s join admins a on a.id = s.admin_id where s.id_hash = ?`,
  );
  const insert = sql.prepare<{ id: number }>(
    `insert into admin_sessions (id_hash, admin_id, stage, created_at, last_seen_at, ip, user_agent) values (?, ?, ?, ?, ?, ?, ?) returning id`,
  );
  const lastLogin = sql.prepare(`update admins set last_login_at = ? where id = ?`);
  const touch = sql.prepare(`update admin_sessions set last_seen_at = ? where id = ?`);
  const del = sql.prepare(`delete from admin_sessions where id = ?`);
  const promote = sql.prepare(`update admin_sessions set id_hash = ?, stage = 'full', last_seen_at = ? where id = ?`);
  const purge = sql.prepare(`delete from admin_sessions where last_seen_at <= ? or created_at <= ? or (stage = 'totp' and created_at <= ?)`);
  return {
    /** Starts a session (a login); the audit row of the login goes in the same transaction. */
    async create(opts: { adminId: number; stage: 'totp' | 'full'; idHash: string; ip: string | undefined; userAgent: string | undefined; at: Date; audit?: { action: string; after: unknown } }): Promise<number> {
      const at = opts.at.toISOString();
      return sql.transaction(async () => {
        const { id } = (await insert.get(opts.idHash, opts.adminId, opts.stage, at, at, opts.ip ?? null, opts.userAgent?.slice(0, 300) ?? null))!;
        if (opts.stage === 'full') await lastLogin.run(at, opts.adminId);
        if (opts.audit) await audit({ id: `admin:${opts.adminId}`, ip: opts.ip }, at, opts.audit.action, 'admin', opts.adminId, undefined, opts.audit.after);
        return id;
      });
    },
    async find(idHash: string): Promise<SessionInfo | undefined> {
      const r = await find.get(idHash);
      return r && { ...r, disabled: bool(r.disabled), mustChangePassword: bool(r.mustChangePassword), totpEnabled: bool(r.totpEnabled) };
    },
    async touch(id: number, at: Date): Promise<void> {
      await touch.run(at.toISOString(), id);
    },
    /** Ends a session, with an audit row when an action is given. */
    async end(id: number, at: Date, entry?: { actor: Actor; adminId: number; action: string }): Promise<void> {
      if (!entry) {
        await del.run(id);
        return;
      }
      await sql.transaction(async () => {
        await del.run(id);
        await audit(entry.actor, at.toISOString(), entry.action, 'admin', entry.adminId, undefined, undefined);
      });
    },
    /**
     * Replaces a half-signed-in (`totp`) session by a full one with a new id: the id a browser held
     * before the second factor is worthless after it.
     */
    async promote(id: number, newIdHash: string, at: Date, actor: Actor, adminId: number, how: string): Promise<void> {
      await sql.transaction(async () => {
        await promote.run(newIdHash, at.toISOString(), id);
        await lastLogin.run(at.toISOString(), adminId);
        await audit(actor, at.toISOString(), 'login', 'admin', adminId, undefined, { secondFactor: how });
      });
    },
    /**
     * Deletes sessions past their idle or absolute limit: last seen at or before `idleBefore`, created at
     * or before `createdBefore`, or still owing the second factor and created at or before
     * `pendingBefore` (the same bounds as the guard's check, which refuses them already). Returns how many.
     */
    async purge(idleBefore: Date, createdBefore: Date, pendingBefore: Date = createdBefore): Promise<number> {
      return (await purge.run(idleBefore.toISOString(), createdBefore.toISOString(), pendingBefore.toISOString())).changes;
    },
  };
}

// ---- Login throttling ----------------------------------------------------------------------------

export interface ThrottleState {
  failures: number;
  lastFailureAt: string;
  lockedUntil: string | null;
}

/**
 * Failed-attempt counters by key (`user:alice`, `ip:192.0.2.1`, `totp:3`), kept in the database.
 * Every write to them is a transaction, so each one waits for a `reserve` in progress (on any node)
 * instead of landing between its read and its write.
 */
export function throttleStore(sql: SqlClient) {
  const d = dialectSql(sql.dialect);
  const audit = auditRecorder(sql);
  const get = sql.prepare<ThrottleState>(`select failures, last_failure_at as "lastFailureAt", locked_until as "lockedUntil" from login_throttle where key = ?`);
  const put = sql.prepare(
    `insert into login_throttle (key, failures, last_failure_at, locked_until) values (?, ?, ?, ?)
     on conflict (key) do update set failures = excluded.failures, last_failure_at = excluded.last_failure_at, locked_until = excluded.locked_until`,
  );
  const clear = sql.prepare(`delete from login_throttle where key = ?`);
  const forget = sql.prepare(`delete from login_throttle where key = ? and failures = 0 and locked_until is null`);
  const refund = sql.prepare(
    `update login_throttle set failures = ${d.greatest('failures - 1', '0')}, locked_until = case when failures - 1 < @max then null else locked_until end where key = @key`,
  );
  const purge = sql.prepare(`delete from login_throttle where (locked_until is null or locked_until <= @at) and last_failure_at <= @cut`);
  return {
    async get(key: string): Promise<ThrottleState | undefined> {
      return get.get(key);
    },
    /** Stores the new states of several keys and an audit row in one transaction. */
    async record(states: Array<{ key: string; state: ThrottleState }>, entry?: { at: Date; actor: Actor; action: string; entityId: string | number | null; after: unknown }): Promise<void> {
      await sql.transaction(async () => {
        for (const { key, state } of states) await put.run(key, state.failures, state.lastFailureAt, state.lockedUntil);
        if (entry) await audit(entry.actor, entry.at.toISOString(), entry.action, 'admin', entry.entityId, undefined, entry.after);
      });
    },
    /**
     * Counts one try on every key before the caller checks the secret, or on none when `decide` (pure:
     * the keys' states in, the refusal or the states with the try counted out) refuses. Reading,
     * deciding and writing run as one transaction, which holds the write lock from before the first
     * read (SQLite's BEGIN IMMEDIATE; on PostgreSQL the advisory lock every node's writers share):
     * parallel requests, other connections, processes and nodes take turns, so no two tries see the
     * same count. Answers the refusal, or undefined when counted.
     */
    async reserve<R>(keys: string[], decide: (states: Array<ThrottleState | undefined>) => { ok: false; refusal: R } | { ok: true; next: ThrottleState[] }): Promise<R | undefined> {
      return sql.transaction(async () => {
        const states: Array<ThrottleState | undefined> = [];
        for (const k of keys) states.push(await get.get(k));
        const decision = decide(states);
        if (!decision.ok) return decision.refusal;
        for (let i = 0; i < keys.length; i++) {
          const s = decision.next[i]!;
          await put.run(keys[i]!, s.failures, s.lastFailureAt, s.lockedUntil);
        }
        return undefined;
      });
    },
    /**
     * Gives back a try `reserve` counted that turned out right; a lock that the try's own count set
     * (the count back under `maxFailures`) goes with it.
     */
    async refund(key: string, maxFailures: number): Promise<void> {
      await sql.transaction(async () => {
        await refund.run({ key, max: maxFailures });
        // A right try from a clean key leaves nothing behind.
        await forget.run(key);
      });
    },
    async clear(key: string): Promise<void> {
      await sql.transaction(async () => {
        await clear.run(key);
      });
    },
    /**
     * Deletes the counters that no longer count: no lock in force at `at` and no failure for
     * `lockoutMs` (throttle.ts `expired`, which treats them as absent). Returns how many.
     */
    async purge(at: Date, lockoutMs: number): Promise<number> {
      return sql.transaction(async () => (await purge.run({ at: at.toISOString(), cut: new Date(at.getTime() - lockoutMs).toISOString() })).changes);
    },
  };
}

// ---- Custom roles --------------------------------------------------------------------------------

export interface RoleRow {
  name: string;
  description: string;
  /** JSON object of area to access. */
  permissions: string;
  createdAt: string;
  updatedAt: string;
}

const roleColumns = `name, description, permissions, created_at as "createdAt", updated_at as "updatedAt"`;

export function roleStore(sql: SqlClient, clock: Clock = systemClock) {
  const audit = auditRecorder(sql);
  const one = sql.prepare<RoleRow>(`select ${roleColumns} from admin_roles where name = ?`);
  const all = sql.prepare<RoleRow>(`select ${roleColumns} from admin_roles order by name`);
  const insert = sql.prepare(`insert into admin_roles (name, description, permissions, created_at, updated_at) values (?, ?, ?, ?, ?)`);
  const update = sql.prepare(`update admin_roles set description = ?, permissions = ?, updated_at = ? where name = ?`);
  const del = sql.prepare(`delete from admin_roles where name = ?`);
  const held = sql.prepare<{ admins: number; tokens: number }>(
    `select (select count(*) from admins where role = @name) as "admins", (select count(*) from api_tokens where role = @name and revoked_at is null) as "tokens"`,
  );
  const auditView = (r: RoleRow) => ({ name: r.name, description: r.description, permissions: JSON.parse(r.permissions) as unknown });
  /** Who still holds a role: admins and unrevoked tokens. */
  const holders = async (name: string) => (await held.get({ name }))!;
  return {
    holders,
    async get(name: string): Promise<RoleRow | undefined> {
      return one.get(name);
    },
    async list(): Promise<RoleRow[]> {
      return all.all();
    },
    async create(r: { name: string; description: string; permissions: string }, actor: Actor): Promise<RoleRow> {
      const at = clock.now().toISOString();
      return sql.transaction(async () => {
        try {
          await insert.run(r.name, r.description, r.permissions, at, at);
        } catch (e) {
          if (constraintOf(e)?.kind === 'unique') throw new TollgateError('conflict', said('fault.role.exists', `a role named "${r.name}" already exists`, { role: r.name }), 'name');
          throw e;
        }
        const created = (await one.get(r.name))!;
        await audit(actor, at, 'create', 'role', r.name, undefined, auditView(created));
        return created;
      });
    },
    async update(name: string, patch: { description?: string | undefined; permissions?: string | undefined }, actor: Actor): Promise<RoleRow | undefined> {
      return sql.transaction(async () => {
        const before = await one.get(name);
        if (!before) return undefined;
        const at = clock.now().toISOString();
        await update.run(patch.description ?? before.description, patch.permissions ?? before.permissions, at, name);
        const after = (await one.get(name))!;
        await audit(actor, at, 'update', 'role', name, auditView(before), auditView(after));
        return after;
      });
    },
    async delete(name: string, actor: Actor): Promise<boolean> {
      return sql.transaction(async () => {
        const before = await one.get(name);
        if (!before) return false;
        const h = await holders(name);
        if (h.admins || h.tokens) {
          throw new TollgateError('in_use', said('fault.role.held', `the role is held by ${h.admins} admin(s) and ${h.tokens} active token(s): change or revoke them first`, { admins: h.admins, tokens: h.tokens }));
        }
        await del.run(name);
        await audit(actor, clock.now().toISOString(), 'delete', 'role', name, auditView(before), undefined);
        return true;
      });
    },
  };
}
