import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config/schema.js';
import { adminStore, roleStore, sessionStore, sha256, throttleStore, tokenStore } from '../../db/security.js';
import type { SqlClient } from '../../db/sql.js';
import { cidrContains, parseCidr, type Cidr } from '../../lib/net.js';
import type { SecretBox } from '../../lib/secretbox.js';
import { problem, sendProblem, type ErrorCode, type ProblemText } from '../errors.js';
import { said, type LocalText } from '../../lib/errors.js';
import { isLocale, type Locale } from '../../i18n/locales.js';
import { isMessageKey, translate } from '../../i18n/messages.js';
import { builtInRoles, isBuiltInRole, mayCall, parseGrants, routeRequirement, type Grants, type Requirement } from '../permissions.js';
import { clearedSessionCookie, readCookie, SESSION_COOKIE } from './cookies.js';
import type { ThrottlePolicy } from './throttle.js';
import type { Clock } from '../../lib/clock.js';

/**
 * How far a session must have got for a route: `pending` routes take a session that still owes its
 * second factor (verify, logout, me); `setup` routes take an admin who must first change the initial
 * password or enrol TOTP; every other route needs a full sign-in. Bearer tokens are always full.
 */
export type AuthStage = 'pending' | 'setup';

declare module 'fastify' {
  interface FastifyRequest {
    auth?: AuthContext;
  }
  interface FastifyContextConfig {
    authStage?: AuthStage;
  }
  interface FastifyInstance {
    /** Every route registered on the app, for the route-permission test. */
    apiRoutes?: Array<{ method: string; url: string }>;
  }
}

/** Who is calling, after the guard: a bearer token or an admin's cookie session. */
export interface AuthContext {
  kind: 'token' | 'session';
  /** `token:7` or `admin:3`, as the audit log names actors. */
  actorId: string;
  role: string;
  grants: Grants;
  tokenId?: number;
  tokenName?: string;
  adminId?: number;
  username?: string;
  sessionId?: number;
  /** For a session: the value the X-CSRF-Token header must carry on writes. */
  csrfToken?: string;
  /** For a session: `totp` while the second factor is owed. */
  stage?: 'totp' | 'full';
  mustChangePassword?: boolean;
  totpEnabled?: boolean;
  /** For a session: the admin's chosen UI language, if any. */
  language?: string | null;
}

export interface SecurityOptions {
  sql: SqlClient;
  box: SecretBox;
  config: Config;
  clock: Clock;
}

export type Security = ReturnType<typeof security>;

/** The CSRF token of a session, derived from its cookie so nothing more is stored. */
export function csrfFor(sessionValue: string): string {
  return createHmac('sha256', sessionValue).update('tollgate-csrf-v1').digest('base64url');
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** A half-signed-in session (password right, TOTP owed) lives this long at most. */
const PENDING_MS = 5 * 60_000;
/** Last-seen is written at most this often, so reads do not all turn into writes. */
const TOUCH_MS = 60_000;

/** The stores, policies and request guard of the admin API. */
export function security(opts: SecurityOptions) {
  const { sql, config, clock } = opts;
  const s = config.security;
  const tokens = tokenStore(sql, clock);
  const sessions = sessionStore(sql);
  const admins = adminStore(sql, clock);
  const roles = roleStore(sql, clock);
  const throttle = throttleStore(sql);
  const allowList = config.http.admin_allow.map((c) => parseCidr(c)).filter((c): c is Cidr => c !== undefined);
  const idleMs = s.session_idle_minutes * 60_000;
  const maxMs = s.session_max_hours * 3_600_000;
  const lockoutMs = s.login_lockout_minutes * 60_000;
  const policies = {
    user: { slowAfter: 3, maxDelayMs: 60_000, maxFailures: s.login_max_failures, lockoutMs } satisfies ThrottlePolicy,
    // Many people can share an address (an office, a NAT): no slow-down per address, only a lock.
    ip: { slowAfter: Number.POSITIVE_INFINITY, maxDelayMs: 0, maxFailures: s.login_max_failures_ip, lockoutMs } satisfies ThrottlePolicy,
    totp: { slowAfter: 3, maxDelayMs: 60_000, maxFailures: 5, lockoutMs } satisfies ThrottlePolicy,
  };

  /** A role's grants, built-in or custom; undefined for a role that does not exist. */
  async function grantsOf(role: string): Promise<Grants | undefined> {
    if (isBuiltInRole(role)) return builtInRoles[role].grants;
    const row = await roles.get(role);
    return row ? parseGrants(JSON.parse(row.permissions)).grants : undefined;
  }

  // After identify, the caller is known but not yet on the request: `own` is their chosen language.
  const deny = (reply: FastifyReply, code: ErrorCode, detail: ProblemText, own?: string | null) =>
    sendProblem(reply, problem(code, detail), isLocale(own) ? own : undefined);
  const secure = (req: FastifyRequest) => req.protocol === 'https';

  /** Whether a session is past its idle or absolute limit (or, owing TOTP, the short pending one). */
  function sessionExpired(sess: { stage: 'totp' | 'full'; createdAt: string; lastSeenAt: string }, at: number): boolean {
    if (at - Date.parse(sess.createdAt) >= (sess.stage === 'totp' ? Math.min(PENDING_MS, maxMs) : maxMs)) return true;
    return at - Date.parse(sess.lastSeenAt) >= idleMs;
  }

  /** Deletes the sessions `sessionExpired` refuses at `at`; returns how many. */
  function purgeSessions(at: Date): Promise<number> {
    const t = at.getTime();
    return sessions.purge(new Date(t - idleMs), new Date(t - maxMs), new Date(t - Math.min(PENDING_MS, maxMs)));
  }

  /** The daily housekeeping job's work: expired sessions and login-throttle counters that no longer count. */
  async function purgeExpired(at: Date): Promise<{ sessions: number; loginThrottle: number }> {
    return { sessions: await purgeSessions(at), loginThrottle: await throttle.purge(at, Math.max(...Object.values(policies).map((p) => p.lockoutMs))) };
  }

  /** Finds the caller; undefined after it has answered (401 or 403). */
  async function identify(req: FastifyRequest, reply: FastifyReply): Promise<AuthContext | undefined> {
    const header = req.headers.authorization;
    if (header !== undefined) {
      const m = /^Bearer\s+(\S+)$/i.exec(header);
      const info = m ? await tokens.verify(m[1]!) : undefined;
      if (!info) {
        reply.header('www-authenticate', 'Bearer realm="tollgate"');
        deny(reply, 'unauthorized', m ? said('fault.auth.badToken', 'the token is unknown, revoked or expired') : said('fault.auth.sendToken', 'send Authorization: Bearer <token>'));
        return undefined;
      }
      return { kind: 'token', actorId: `token:${info.id}`, role: info.role, grants: (await grantsOf(info.role)) ?? {}, tokenId: info.id, tokenName: info.name };
    }
    const raw = readCookie(req.headers.cookie, SESSION_COOKIE);
    if (!raw) {
      reply.header('www-authenticate', 'Bearer realm="tollgate"');
      deny(reply, 'unauthorized', said('fault.auth.signIn', 'send Authorization: Bearer <token>, or sign in with POST /api/v1/auth/login'));
      return undefined;
    }
    const sess = await sessions.find(sha256(raw));
    const at = clock.now();
    if (!sess || sess.disabled || sessionExpired(sess, at.getTime())) {
      if (sess) await sessions.end(sess.id, at);
      reply.header('set-cookie', clearedSessionCookie(secure(req)));
      deny(reply, 'unauthorized', said('fault.session.ended', 'the session has ended: sign in again'));
      return undefined;
    }
    const csrfToken = csrfFor(raw);
    if (!SAFE_METHODS.has(req.method)) {
      const sent = req.headers['x-csrf-token'];
      if (typeof sent !== 'string' || !sameSecret(sent, csrfToken)) {
        deny(reply, 'forbidden', said('fault.auth.csrf', 'a write with a session cookie needs the X-CSRF-Token header that login and /api/v1/auth/me return'), sess.language);
        return undefined;
      }
    }
    if (at.getTime() - Date.parse(sess.lastSeenAt) >= TOUCH_MS) await sessions.touch(sess.id, at);
    return {
      kind: 'session', actorId: `admin:${sess.adminId}`, role: sess.role, grants: (await grantsOf(sess.role)) ?? {}, adminId: sess.adminId, username: sess.username,
      sessionId: sess.id, csrfToken, stage: sess.stage, mustChangePassword: sess.mustChangePassword, totpEnabled: sess.totpEnabled, language: sess.language,
    };
  }

  /**
   * The chosen language of the admin whose live session cookie a request carries, without refusing
   * anything: for answers outside the guarded API (a path nothing answers) that still go to a
   * signed-in admin. Undefined without a live session or a choice.
   */
  async function sessionLanguage(req: FastifyRequest): Promise<Locale | undefined> {
    const raw = readCookie(req.headers.cookie, SESSION_COOKIE);
    if (!raw) return undefined;
    const sess = await sessions.find(sha256(raw));
    if (!sess || sess.disabled || sessionExpired(sess, clock.now().getTime())) return undefined;
    return isLocale(sess.language) ? sess.language : undefined;
  }

  /** What an admin still has to do before the API opens, if anything. */
  function setupOwed(ctx: AuthContext): LocalText | undefined {
    if (ctx.kind !== 'session') return undefined;
    if (ctx.mustChangePassword) return said('fault.auth.changePassword', 'change the initial password first (POST /api/v1/auth/password)');
    if (s.require_totp && !ctx.totpEnabled) return said('fault.auth.enrolTotp', 'enrol a TOTP second factor first (POST /api/v1/auth/totp/enrol, then /confirm)');
    return undefined;
  }

  /**
   * The onRequest hook of every /api/v1 route: address allow-list, then who is calling (token or
   * session with CSRF check), then how far the session got, then the role's permission for the route.
   */
  async function guard(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (allowList.length && !allowList.some((c) => cidrContains(c, req.ip))) {
      deny(reply, 'forbidden', said('fault.auth.notAllowed', `the admin API does not answer requests from ${req.ip}`, { ip: req.ip }));
      return;
    }
    const url = req.routeOptions.url ?? '';
    const requirement: Requirement | undefined = routeRequirement(req.method, url);
    if (requirement?.area === 'public') return;
    const ctx = await identify(req, reply);
    if (!ctx) return;
    const stage = req.routeOptions.config.authStage;
    if (ctx.stage === 'totp' && stage !== 'pending') {
      deny(reply, 'unauthorized', said('fault.auth.totpOwed', 'the second factor is still owed: POST /api/v1/auth/totp/verify'), ctx.language);
      return;
    }
    const owed = setupOwed(ctx);
    if (owed && stage !== 'pending' && stage !== 'setup') {
      deny(reply, 'forbidden', owed, ctx.language);
      return;
    }
    if (!mayCall(ctx.role, ctx.grants, requirement)) {
      deny(reply, 'forbidden', (language) => refusal(language, ctx.role, `${req.method} ${url}`, requirement), ctx.language);
      return;
    }
    req.auth = ctx;
    req.actor = { id: ctx.actorId, role: ctx.role };
  }

  return { tokens, sessions, admins, roles, throttle, policies, idleMs, maxMs, grantsOf, guard, setupOwed, sessionLanguage, secure, requireTotp: s.require_totp, purgeSessions, purgeExpired };
}

/** Records every route the app registers (on the root instance, before any route). */
export function collectRoutes(app: FastifyInstance): void {
  const list: Array<{ method: string; url: string }> = [];
  app.decorate('apiRoutes', list);
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) list.push({ method, url: r.url });
  });
}

/**
 * Why a role may not make a call, in `language`: English exactly as it always read, other readers
 * the catalogue's words with the area by its name there (the areas' names are the admin UI's).
 */
function refusal(language: Locale, role: string, call: string, requirement: Requirement | undefined): string {
  if (!requirement?.access) {
    return language === 'en' ? `the role "${role}" may not ${call}: it needs a super-admin` : translate(language, 'fault.forbidden.superAdmin', { role, call });
  }
  if (language === 'en') return `the role "${role}" may not ${call}: it needs ${requirement.access} access to ${requirement.area}`;
  const areaKey = `area.${requirement.area}`;
  const area = isMessageKey(areaKey) ? translate(language, areaKey) : requirement.area;
  return translate(language, requirement.access === 'read' ? 'fault.forbidden.read' : 'fault.forbidden.write', { role, call, area });
}
