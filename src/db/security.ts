import { createHash, randomBytes } from 'node:crypto';
import { and, count, eq } from 'drizzle-orm';
import type { Db } from './client.js';
import { admins, apiTokens, auditLog } from './schema/index.js';
import { decodeCursor, encodeCursor, type Actor, type Page } from './crud.js';
import { TollgateError } from '../lib/errors.js';
import { systemClock, type Clock } from '../lib/clock.js';

export interface TokenInfo {
  id: number;
  name: string;
  role: string;
}

export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** One audit row; callers run it inside the transaction of the change it records. */
function auditRow(db: Db, at: Date, actor: Actor, action: string, entity: string, entityId: string | number | null, before: unknown, after: unknown): void {
  db.$client
    .prepare(`insert into audit_log (at, actor, actor_ip, action, entity, entity_id, before, after) values (?, ?, ?, ?, ?, ?, ?, ?)`)
    .run(
      at.toISOString(),
      actor.id,
      actor.ip ?? null,
      action,
      entity,
      entityId === null ? null : String(entityId),
      before === undefined ? null : JSON.stringify(before),
      after === undefined ? null : JSON.stringify(after),
    );
}

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

const tokenColumns = `id, name, prefix, role, expires_at as expiresAt, revoked_at as revokedAt, last_used_at as lastUsedAt, created_by as createdBy, created_at as createdAt`;
const tokenAudit = (t: Pick<TokenRow, 'name' | 'role' | 'expiresAt'> & { prefix?: string; revokedAt?: string | null }) => ({
  name: t.name, role: t.role, expiresAt: t.expiresAt ?? null, ...(t.prefix ? { prefix: t.prefix } : {}), ...(t.revokedAt ? { revokedAt: t.revokedAt } : {}),
});

/**
 * API tokens: shown once, stored as SHA-256. A token is 32 random bytes, so it cannot be guessed and
 * a fast hash is enough; the `tg_` prefix lets secret scanners recognise a leaked one.
 */
export function tokenStore(db: Db, clock: Clock = systemClock) {
  const now = () => clock.now();
  const lookup = db.$client.prepare(
    `select id, name, role, expires_at as expiresAt, revoked_at as revokedAt, last_used_at as lastUsedAt from api_tokens where token_hash = ?`,
  );
  const touch = db.$client.prepare(`update api_tokens set last_used_at = ? where id = ?`);
  const byId = db.$client.prepare(`select ${tokenColumns} from api_tokens where id = ?`);
  return {
    async create(opts: { name: string; role: string; expiresAt?: string | undefined | null; actor: Actor }): Promise<{ id: number; token: string }> {
      const token = 'tg_' + randomBytes(32).toString('base64url');
      const prefix = token.slice(0, 10);
      const id = db.transaction((tx) => {
        const row = tx
          .insert(apiTokens)
          .values({ name: opts.name, role: opts.role, tokenHash: sha256(token), prefix, expiresAt: opts.expiresAt ?? null, createdBy: opts.actor.id })
          .returning({ id: apiTokens.id })
          .get();
        tx.insert(auditLog)
          .values({ at: now().toISOString(), actor: opts.actor.id, actorIp: opts.actor.ip ?? null, action: 'create', entity: 'api_token', entityId: String(row.id), after: JSON.stringify(tokenAudit({ ...opts, expiresAt: opts.expiresAt ?? null, prefix })) })
          .run();
        return row.id;
      });
      return { id, token };
    },

    /** The token's identity if it is valid now; undefined for unknown, revoked or expired tokens. */
    async verify(token: string): Promise<TokenInfo | undefined> {
      const row = lookup.get(sha256(token)) as
        | { id: number; name: string; role: string; expiresAt: string | null; revokedAt: string | null; lastUsedAt: string | null }
        | undefined;
      if (!row || row.revokedAt) return undefined;
      const t = now();
      if (row.expiresAt && Date.parse(row.expiresAt) <= t.getTime()) return undefined;
      // Last use is informative; writing it at most once a minute keeps reads from turning into writes.
      if (!row.lastUsedAt || t.getTime() - Date.parse(row.lastUsedAt) > 60_000) touch.run(t.toISOString(), row.id);
      return { id: row.id, name: row.name, role: row.role };
    },

    async get(id: number): Promise<TokenRow | undefined> {
      return byId.get(id) as TokenRow | undefined;
    },

    async list(q: { limit?: number | undefined; cursor?: string | undefined; includeRevoked?: boolean | undefined }): Promise<Page<TokenRow>> {
      const limit = pageLimit(q.limit);
      const after = q.cursor ? decodeCursor(q.cursor) : 0;
      const rows = db.$client
        .prepare(`select ${tokenColumns} from api_tokens where id > ? ${q.includeRevoked ? '' : 'and revoked_at is null'} order by id limit ?`)
        .all(after, limit + 1) as TokenRow[];
      const items = rows.slice(0, limit);
      return { items, next: rows.length > limit ? encodeCursor(items[items.length - 1]!.id) : null };
    },

    /** Revokes a token; false when it does not exist. Revoking twice changes nothing. */
    async revoke(id: number, actor: Actor): Promise<TokenRow | undefined> {
      return db.$client.transaction(() => {
        const before = byId.get(id) as TokenRow | undefined;
        if (!before || before.revokedAt) return before;
        const at = now();
        db.$client.prepare(`update api_tokens set revoked_at = ? where id = ?`).run(at.toISOString(), id);
        auditRow(db, at, actor, 'revoke', 'api_token', id, tokenAudit(before), tokenAudit({ ...before, revokedAt: at.toISOString() }));
        return byId.get(id) as TokenRow;
      })();
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
  mustChangePassword: number;
  disabled: number;
  lastLoginAt: string | null;
  createdAt: string;
  updatedAt: string;
}

const adminColumns = `id, username, password_hash as passwordHash, role, totp_secret_enc as totpSecretEnc, totp_confirmed_at as totpConfirmedAt,
  totp_last_step as totpLastStep, must_change_password as mustChangePassword, disabled, last_login_at as lastLoginAt, created_at as createdAt, updated_at as updatedAt`;

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
    id: r.id, username: r.username, role: r.role, disabled: !!r.disabled, mustChangePassword: !!r.mustChangePassword,
    totpEnabled: r.totpConfirmedAt !== null, lastLoginAt: r.lastLoginAt, createdAt: r.createdAt, updatedAt: r.updatedAt,
  };
}

function secrets(r: AdminRow): AdminSecrets {
  return {
    id: r.id, username: r.username, role: r.role, passwordHash: r.passwordHash, disabled: !!r.disabled, mustChangePassword: !!r.mustChangePassword,
    totpSecretEnc: r.totpSecretEnc, totpEnabled: r.totpConfirmedAt !== null, totpLastStep: r.totpLastStep,
  };
}

/** The audit view of an admin: what changed, never a secret. */
const adminAudit = (v: AdminView) => ({ username: v.username, role: v.role, disabled: v.disabled, mustChangePassword: v.mustChangePassword, totpEnabled: v.totpEnabled });

export function adminStore(db: Db, clock: Clock = systemClock) {
  const c = db.$client;
  const byId = c.prepare(`select ${adminColumns} from admins where id = ?`);
  const byName = c.prepare(`select ${adminColumns} from admins where username = ?`);
  const row = (id: number) => byId.get(id) as AdminRow | undefined;

  /** Runs `change` on the admin in one transaction with its audit row; undefined when it does not exist. */
  function change(id: number, actor: Actor, action: string, apply: (before: AdminRow, at: Date) => void): AdminView | undefined {
    return c.transaction(() => {
      const before = row(id);
      if (!before) return undefined;
      const at = clock.now();
      apply(before, at);
      c.prepare(`update admins set updated_at = ? where id = ?`).run(at.toISOString(), id);
      const after = view(row(id)!);
      auditRow(db, at, actor, action, 'admin', id, adminAudit(view(before)), adminAudit(after));
      return after;
    })();
  }

  return {
    async count(): Promise<number> {
      return db.select({ n: count() }).from(admins).get()!.n;
    },
    async create(opts: { username: string; passwordHash: string; role: string; mustChangePassword: boolean; actor: Actor; at: Date }): Promise<number> {
      return db.transaction((tx) => {
        let created: { id: number };
        try {
          created = tx
            .insert(admins)
            .values({ username: opts.username, passwordHash: opts.passwordHash, role: opts.role, mustChangePassword: opts.mustChangePassword })
            .returning({ id: admins.id })
            .get();
        } catch (e) {
          if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw new TollgateError('conflict', `an admin named "${opts.username}" already exists`, 'username');
          throw e;
        }
        tx.insert(auditLog)
          .values({ at: opts.at.toISOString(), actor: opts.actor.id, actorIp: opts.actor.ip ?? null, action: 'create', entity: 'admin', entityId: String(created.id), after: JSON.stringify({ username: opts.username, role: opts.role }) })
          .run();
        return created.id;
      });
    },
    async findActive(username: string) {
      return db.select().from(admins).where(and(eq(admins.username, username), eq(admins.disabled, false))).get();
    },
    async exists(username: string): Promise<boolean> {
      return db.select({ id: admins.id }).from(admins).where(eq(admins.username, username)).get() !== undefined;
    },

    async get(id: number): Promise<AdminView | undefined> {
      const r = row(id);
      return r && view(r);
    },
    /** With the hash and the sealed seed: for the login and TOTP code only, never for an answer. */
    async secretsById(id: number): Promise<AdminSecrets | undefined> {
      const r = row(id);
      return r && secrets(r);
    },
    async secretsByUsername(username: string): Promise<AdminSecrets | undefined> {
      const r = byName.get(username) as AdminRow | undefined;
      return r && secrets(r);
    },
    async list(q: { limit?: number | undefined; cursor?: string | undefined }): Promise<Page<AdminView>> {
      const limit = pageLimit(q.limit);
      const rows = c.prepare(`select ${adminColumns} from admins where id > ? order by id limit ?`).all(q.cursor ? decodeCursor(q.cursor) : 0, limit + 1) as AdminRow[];
      const items = rows.slice(0, limit).map(view);
      return { items, next: rows.length > limit ? encodeCursor(items[items.length - 1]!.id) : null };
    },
    /** How many enabled admins hold a role: the last enabled super-admin must not go. */
    async countEnabledWithRole(role: string): Promise<number> {
      return (c.prepare(`select count(*) as n from admins where role = ? and disabled = 0`).get(role) as { n: number }).n;
    },

    /** Changes role and/or disabled; disabling ends the admin's sessions. */
    async update(id: number, patch: { role?: string | undefined; disabled?: boolean | undefined }, actor: Actor): Promise<AdminView | undefined> {
      return change(id, actor, 'update', () => {
        if (patch.role !== undefined) c.prepare(`update admins set role = ? where id = ?`).run(patch.role, id);
        if (patch.disabled !== undefined) {
          c.prepare(`update admins set disabled = ? where id = ?`).run(patch.disabled ? 1 : 0, id);
          if (patch.disabled) c.prepare(`delete from admin_sessions where admin_id = ?`).run(id);
        }
      });
    },

    /**
     * Sets a new password hash. `reset` (by another admin): the admin must change it at next login
     * and every session ends. Own change: clears the must-change flag and ends the other sessions.
     */
    async setPassword(id: number, passwordHash: string, opts: { reset: boolean; keepSessionId?: number | undefined; actor: Actor }): Promise<AdminView | undefined> {
      return change(id, opts.actor, opts.reset ? 'password_reset' : 'password_change', () => {
        c.prepare(`update admins set password_hash = ?, must_change_password = ? where id = ?`).run(passwordHash, opts.reset ? 1 : 0, id);
        c.prepare(`delete from admin_sessions where admin_id = ? and id <> ?`).run(id, opts.keepSessionId ?? -1);
      });
    },

    /** Stores a new, unconfirmed seed (TOTP stays off until confirmed). */
    async setPendingTotp(id: number, sealedSecret: string, actor: Actor): Promise<AdminView | undefined> {
      return change(id, actor, 'totp_enrol', () => {
        c.prepare(`update admins set totp_secret_enc = ?, totp_confirmed_at = null, totp_last_step = null where id = ?`).run(sealedSecret, id);
        c.prepare(`delete from admin_recovery_codes where admin_id = ?`).run(id);
      });
    },

    /** Turns TOTP on with the step of the code that proved it and the hashed recovery codes. */
    async confirmTotp(id: number, step: number, recoveryHashes: string[], actor: Actor): Promise<AdminView | undefined> {
      return change(id, actor, 'totp_confirm', (_before, at) => {
        c.prepare(`update admins set totp_confirmed_at = ?, totp_last_step = ? where id = ?`).run(at.toISOString(), step, id);
        c.prepare(`delete from admin_recovery_codes where admin_id = ?`).run(id);
        const ins = c.prepare(`insert into admin_recovery_codes (admin_id, code_hash) values (?, ?)`);
        for (const h of recoveryHashes) ins.run(id, h);
      });
    },

    /** Removes the second factor and the recovery codes (own choice or an admin's reset). */
    async clearTotp(id: number, actor: Actor): Promise<AdminView | undefined> {
      return change(id, actor, 'totp_reset', () => {
        c.prepare(`update admins set totp_secret_enc = null, totp_confirmed_at = null, totp_last_step = null where id = ?`).run(id);
        c.prepare(`delete from admin_recovery_codes where admin_id = ?`).run(id);
      });
    },

    /** Records the step of an accepted code; false when that step (or a later one) was already used. */
    async useTotpStep(id: number, step: number): Promise<boolean> {
      return c.prepare(`update admins set totp_last_step = ? where id = ? and (totp_last_step is null or totp_last_step < ?)`).run(step, id, step).changes === 1;
    },

    /** Spends a recovery code; false when it is unknown or used. */
    async useRecoveryCode(id: number, codeHash: string, actor: Actor): Promise<boolean> {
      return c.transaction(() => {
        const at = clock.now();
        const used = c.prepare(`update admin_recovery_codes set used_at = ? where admin_id = ? and code_hash = ? and used_at is null`).run(at.toISOString(), id, codeHash).changes === 1;
        if (used) {
          const left = (c.prepare(`select count(*) as n from admin_recovery_codes where admin_id = ? and used_at is null`).get(id) as { n: number }).n;
          auditRow(db, at, actor, 'recovery_code_used', 'admin', id, undefined, { remaining: left });
        }
        return used;
      })();
    },

    async recoveryCodesLeft(id: number): Promise<number> {
      return (c.prepare(`select count(*) as n from admin_recovery_codes where admin_id = ? and used_at is null`).get(id) as { n: number }).n;
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
}

/** Admin cookie sessions; the cookie's random id is stored only as SHA-256. */
export function sessionStore(db: Db) {
  const c = db.$client;
  const find = c.prepare(
    `select s.id, s.admin_id as adminId, s.stage, s.created_at as createdAt, s.last_seen_at as lastSeenAt, a.username, a.role, a.disabled,
       a.must_change_password as mustChangePassword, a.totp_confirmed_at is not null as totpEnabled
     from admin_sessions s join admins a on a.id = s.admin_id where s.id_hash = ?`,
  );
  const touch = c.prepare(`update admin_sessions set last_seen_at = ? where id = ?`);
  const del = c.prepare(`delete from admin_sessions where id = ?`);
  return {
    /** Starts a session (a login); the audit row of the login goes in the same transaction. */
    create(opts: { adminId: number; stage: 'totp' | 'full'; idHash: string; ip: string | undefined; userAgent: string | undefined; at: Date; audit?: { action: string; after: unknown } }): number {
      return c.transaction(() => {
        const id = Number(
          c.prepare(`insert into admin_sessions (id_hash, admin_id, stage, created_at, last_seen_at, ip, user_agent) values (?, ?, ?, ?, ?, ?, ?)`)
            .run(opts.idHash, opts.adminId, opts.stage, opts.at.toISOString(), opts.at.toISOString(), opts.ip ?? null, opts.userAgent?.slice(0, 300) ?? null).lastInsertRowid,
        );
        if (opts.stage === 'full') c.prepare(`update admins set last_login_at = ? where id = ?`).run(opts.at.toISOString(), opts.adminId);
        if (opts.audit) auditRow(db, opts.at, { id: `admin:${opts.adminId}`, ip: opts.ip }, opts.audit.action, 'admin', opts.adminId, undefined, opts.audit.after);
        return id;
      })();
    },
    find(idHash: string): SessionInfo | undefined {
      const r = find.get(idHash) as (Omit<SessionInfo, 'disabled' | 'mustChangePassword' | 'totpEnabled'> & { disabled: number; mustChangePassword: number; totpEnabled: number }) | undefined;
      return r && { ...r, disabled: !!r.disabled, mustChangePassword: !!r.mustChangePassword, totpEnabled: !!r.totpEnabled };
    },
    touch(id: number, at: Date): void {
      touch.run(at.toISOString(), id);
    },
    /** Ends a session, with an audit row when an action is given. */
    end(id: number, at: Date, audit?: { actor: Actor; adminId: number; action: string }): void {
      c.transaction(() => {
        del.run(id);
        if (audit) auditRow(db, at, audit.actor, audit.action, 'admin', audit.adminId, undefined, undefined);
      })();
    },
    /**
     * Replaces a half-signed-in (`totp`) session by a full one with a new id: the id a browser held
     * before the second factor is worthless after it.
     */
    promote(id: number, newIdHash: string, at: Date, actor: Actor, adminId: number, how: string): void {
      c.transaction(() => {
        c.prepare(`update admin_sessions set id_hash = ?, stage = 'full', last_seen_at = ? where id = ?`).run(newIdHash, at.toISOString(), id);
        c.prepare(`update admins set last_login_at = ? where id = ?`).run(at.toISOString(), adminId);
        auditRow(db, at, actor, 'login', 'admin', adminId, undefined, { secondFactor: how });
      })();
    },
    /**
     * Deletes sessions past their idle or absolute limit: last seen at or before `idleBefore`, created at
     * or before `createdBefore`, or still owing the second factor and created at or before
     * `pendingBefore` (the same bounds as the guard's check, which refuses them already). Returns how many.
     */
    purge(idleBefore: Date, createdBefore: Date, pendingBefore: Date = createdBefore): number {
      return c
        .prepare(`delete from admin_sessions where last_seen_at <= ? or created_at <= ? or (stage = 'totp' and created_at <= ?)`)
        .run(idleBefore.toISOString(), createdBefore.toISOString(), pendingBefore.toISOString()).changes;
    },
  };
}

// ---- Login throttling ----------------------------------------------------------------------------

export interface ThrottleState {
  failures: number;
  lastFailureAt: string;
  lockedUntil: string | null;
}

/** Failed-attempt counters by key (`user:alice`, `ip:192.0.2.1`, `totp:3`), kept in the database. */
export function throttleStore(db: Db) {
  const c = db.$client;
  const get = c.prepare(`select failures, last_failure_at as lastFailureAt, locked_until as lockedUntil from login_throttle where key = ?`);
  const put = c.prepare(
    `insert into login_throttle (key, failures, last_failure_at, locked_until) values (?, ?, ?, ?)
     on conflict(key) do update set failures = excluded.failures, last_failure_at = excluded.last_failure_at, locked_until = excluded.locked_until`,
  );
  const clear = c.prepare(`delete from login_throttle where key = ?`);
  const forget = c.prepare(`delete from login_throttle where key = ? and failures = 0 and locked_until is null`);
  const refund = c.prepare(
    `update login_throttle set failures = max(failures - 1, 0), locked_until = case when failures - 1 < @max then null else locked_until end where key = @key`,
  );
  return {
    get(key: string): ThrottleState | undefined {
      return get.get(key) as ThrottleState | undefined;
    },
    /** Stores the new states of several keys and an audit row in one transaction. */
    record(states: Array<{ key: string; state: ThrottleState }>, audit?: { at: Date; actor: Actor; action: string; entityId: string | number | null; after: unknown }): void {
      c.transaction(() => {
        for (const { key, state } of states) put.run(key, state.failures, state.lastFailureAt, state.lockedUntil);
        if (audit) auditRow(db, audit.at, audit.actor, audit.action, 'admin', audit.entityId, undefined, audit.after);
      })();
    },
    /**
     * Counts one try on every key before the caller checks the secret, or on none when `decide` (pure:
     * the keys' states in, the refusal or the states with the try counted out) refuses. Reading,
     * deciding and writing run as one BEGIN IMMEDIATE transaction, which holds SQLite's write lock from
     * the first read: parallel requests, other connections and other processes on the same file take
     * turns, so no two tries see the same count. Answers the refusal, or undefined when counted.
     */
    reserve<R>(keys: string[], decide: (states: Array<ThrottleState | undefined>) => { ok: false; refusal: R } | { ok: true; next: ThrottleState[] }): R | undefined {
      return c.transaction(() => {
        const d = decide(keys.map((k) => get.get(k) as ThrottleState | undefined));
        if (!d.ok) return d.refusal;
        keys.forEach((k, i) => put.run(k, d.next[i]!.failures, d.next[i]!.lastFailureAt, d.next[i]!.lockedUntil));
        return undefined;
      }).immediate();
    },
    /**
     * Gives back a try `reserve` counted that turned out right; a lock that the try's own count set
     * (the count back under `maxFailures`) goes with it.
     */
    refund(key: string, maxFailures: number): void {
      c.transaction(() => {
        refund.run({ key, max: maxFailures });
        // A right try from a clean key leaves nothing behind.
        forget.run(key);
      }).immediate();
    },
    clear(key: string): void {
      clear.run(key);
    },
    /**
     * Deletes the counters that no longer count: no lock in force at `at` and no failure for
     * `lockoutMs` (throttle.ts `expired`, which treats them as absent). Returns how many.
     */
    purge(at: Date, lockoutMs: number): number {
      return c
        .prepare(`delete from login_throttle where (locked_until is null or locked_until <= @at) and last_failure_at <= @cut`)
        .run({ at: at.toISOString(), cut: new Date(at.getTime() - lockoutMs).toISOString() }).changes;
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

export function roleStore(db: Db, clock: Clock = systemClock) {
  const c = db.$client;
  const one = c.prepare(`select name, description, permissions, created_at as createdAt, updated_at as updatedAt from admin_roles where name = ?`);
  const audit = (r: RoleRow | undefined) => r && { name: r.name, description: r.description, permissions: JSON.parse(r.permissions) as unknown };
  /** Who still holds a role: admins and unrevoked tokens. */
  const holders = (name: string) => ({
    admins: (c.prepare(`select count(*) as n from admins where role = ?`).get(name) as { n: number }).n,
    tokens: (c.prepare(`select count(*) as n from api_tokens where role = ? and revoked_at is null`).get(name) as { n: number }).n,
  });
  return {
    holders,
    get(name: string): RoleRow | undefined {
      return one.get(name) as RoleRow | undefined;
    },
    list(): RoleRow[] {
      return c.prepare(`select name, description, permissions, created_at as createdAt, updated_at as updatedAt from admin_roles order by name`).all() as RoleRow[];
    },
    create(r: { name: string; description: string; permissions: string }, actor: Actor): RoleRow {
      return c.transaction(() => {
        const at = clock.now().toISOString();
        try {
          c.prepare(`insert into admin_roles (name, description, permissions, created_at, updated_at) values (?, ?, ?, ?, ?)`).run(r.name, r.description, r.permissions, at, at);
        } catch (e) {
          if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw new TollgateError('conflict', `a role named "${r.name}" already exists`, 'name');
          throw e;
        }
        const created = one.get(r.name) as RoleRow;
        auditRow(db, new Date(at), actor, 'create', 'role', r.name, undefined, audit(created));
        return created;
      })();
    },
    update(name: string, patch: { description?: string | undefined; permissions?: string | undefined }, actor: Actor): RoleRow | undefined {
      return c.transaction(() => {
        const before = one.get(name) as RoleRow | undefined;
        if (!before) return undefined;
        const at = clock.now();
        c.prepare(`update admin_roles set description = ?, permissions = ?, updated_at = ? where name = ?`).run(
          patch.description ?? before.description, patch.permissions ?? before.permissions, at.toISOString(), name,
        );
        const after = one.get(name) as RoleRow;
        auditRow(db, at, actor, 'update', 'role', name, audit(before), audit(after));
        return after;
      })();
    },
    delete(name: string, actor: Actor): boolean {
      return c.transaction(() => {
        const before = one.get(name) as RoleRow | undefined;
        if (!before) return false;
        const held = holders(name);
        if (held.admins || held.tokens) {
          throw new TollgateError('in_use', `the role is held by ${held.admins} admin(s) and ${held.tokens} active token(s): change or revoke them first`);
        }
        c.prepare(`delete from admin_roles where name = ?`).run(name);
        auditRow(db, clock.now(), actor, 'delete', 'role', name, audit(before), undefined);
        return true;
      })();
    },
  };
}
