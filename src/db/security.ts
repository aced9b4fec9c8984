import { createHash, randomBytes } from 'node:crypto';
import { and, count, eq } from 'drizzle-orm';
import type { Db } from './client.js';
import { admins, apiTokens, auditLog } from './schema.js';
import type { Actor } from './crud.js';

export interface TokenInfo {
  id: number;
  name: string;
  role: string;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * API tokens: shown once, stored as SHA-256. A token is 32 random bytes, so it cannot be guessed and
 * a fast hash is enough; the `tg_` prefix lets secret scanners recognise a leaked one.
 */
export function tokenStore(db: Db, now: () => Date = () => new Date()) {
  const lookup = db.$client.prepare(
    `select id, name, role, expires_at as expiresAt, revoked_at as revokedAt, last_used_at as lastUsedAt from api_tokens where token_hash = ?`,
  );
  const touch = db.$client.prepare(`update api_tokens set last_used_at = ? where id = ?`);
  return {
    async create(opts: { name: string; role: string; expiresAt?: string | undefined; actor: Actor }): Promise<{ id: number; token: string }> {
      const token = 'tg_' + randomBytes(32).toString('base64url');
      const id = db.transaction((tx) => {
        const row = tx
          .insert(apiTokens)
          .values({ name: opts.name, role: opts.role, tokenHash: sha256(token), prefix: token.slice(0, 10), expiresAt: opts.expiresAt ?? null, createdBy: opts.actor.id })
          .returning({ id: apiTokens.id })
          .get();
        tx.insert(auditLog)
          .values({ at: now().toISOString(), actor: opts.actor.id, actorIp: opts.actor.ip ?? null, action: 'create', entity: 'api_token', entityId: String(row.id), after: JSON.stringify({ name: opts.name, role: opts.role, expiresAt: opts.expiresAt ?? null }) })
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
  };
}

export function adminStore(db: Db) {
  return {
    async count(): Promise<number> {
      return db.select({ n: count() }).from(admins).get()!.n;
    },
    async create(opts: { username: string; passwordHash: string; role: string; mustChangePassword: boolean; actor: Actor; at: Date }): Promise<number> {
      return db.transaction((tx) => {
        const row = tx
          .insert(admins)
          .values({ username: opts.username, passwordHash: opts.passwordHash, role: opts.role, mustChangePassword: opts.mustChangePassword })
          .returning({ id: admins.id })
          .get();
        tx.insert(auditLog)
          .values({ at: opts.at.toISOString(), actor: opts.actor.id, action: 'create', entity: 'admin', entityId: String(row.id), after: JSON.stringify({ username: opts.username, role: opts.role }) })
          .run();
        return row.id;
      });
    },
    async findActive(username: string) {
      return db.select().from(admins).where(and(eq(admins.username, username), eq(admins.disabled, false))).get();
    },
    async exists(username: string): Promise<boolean> {
      return db.select({ id: admins.id }).from(admins).where(eq(admins.username, username)).get() !== undefined;
    },
  };
}

