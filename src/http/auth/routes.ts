import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { sha256 } from '../../db/security.js';
import { said, TollgateError } from '../../lib/errors.js';
import type { SecretBox } from '../../lib/secretbox.js';
import { hashPassword, verifyPassword } from '../../lib/password.js';
import { problem, sendProblem } from '../errors.js';
import { fullGrants } from '../permissions.js';
import { isLocale, LANGUAGE_LIST, type Locale } from '../../i18n/locales.js';
import { Enrolment, LanguageChange, LoginBody, Me, NewPassword, PasswordChange, RecoveryCodes, TotpConfirm, TotpDisable, TotpVerify } from '../admin-schemas.js';
import { ProblemSchema } from '../schemas.js';
import { clearedSessionCookie, sessionCookie } from './cookies.js';
import { csrfFor, type AuthContext, type Security } from './guard.js';
import { attempt, type ThrottlePolicy } from './throttle.js';
import { matchTotp, newRecoveryCodes, newTotpSecret, otpauthUri, qrDataUrl, recoveryHash } from './totp.js';
import type { Clock } from '../../lib/clock.js';
import { forgetInitialPassword } from '../../keys.js';

export interface AuthRoutesOptions {
  sec: Security;
  box: SecretBox;
  clock: Clock;
  /** The billing time zone and currency, for clients that show or default billing dates and amounts. */
  billing: { timezone: string; currency: string };
  /** The installation's language (`[locale] default`). */
  defaultLanguage: string;
  /** The first start's generated password (bootstrap.ts): removed when the admin it names changes it. */
  initialPasswordFile: string;
}

const tags = ['auth'];
const errors = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema, 409: ProblemSchema, 422: ProblemSchema, 429: ProblemSchema };

export { NewPassword };
const dummyHash = hashPassword(randomBytes(16).toString('hex'));

/** Login, logout, the current identity, own password and TOTP second factor: /api/v1/auth/*. */
export async function authRoutes(app: FastifyInstance, opts: AuthRoutesOptions): Promise<void> {
  const { sec, box, clock } = opts;

  function me(ctx: AuthContext) {
    return {
      kind: ctx.kind,
      role: ctx.role,
      permissions: fullGrants(ctx.stage === 'totp' ? {} : ctx.grants),
      ...(ctx.kind === 'session'
        ? { admin: { id: ctx.adminId!, username: ctx.username!, mustChangePassword: !!ctx.mustChangePassword, totpEnabled: !!ctx.totpEnabled }, csrfToken: ctx.csrfToken! }
        : { token: { id: ctx.tokenId!, name: ctx.tokenName! } }),
      totpRequired: ctx.stage === 'totp',
      setupRequired: ctx.stage === 'totp' ? null : (sec.setupOwed(ctx)?.text ?? null),
      locale: { language: ctx.kind === 'session' && isLocale(ctx.language) ? ctx.language : null, default: isLocale(opts.defaultLanguage) ? opts.defaultLanguage : 'en' },
      billing: opts.billing,
    };
  }

  /** Starts a session: a fresh random id in the cookie, its hash in the database. */
  async function startSession(req: FastifyRequest, reply: FastifyReply, adminId: number, stage: 'totp' | 'full', audit: { action: string; after: unknown }): Promise<string> {
    const raw = randomBytes(32).toString('base64url');
    const at = clock.now();
    // Besides the daily housekeeping job: keeps a busy install's table small between runs.
    await sec.purgeSessions(at);
    await sec.sessions.create({ adminId, stage, idHash: sha256(raw), ip: req.ip, userAgent: req.headers['user-agent'], at, audit });
    reply.header('set-cookie', sessionCookie(raw, { secure: sec.secure(req), maxAgeSeconds: Math.floor(sec.maxMs / 1000) }));
    return raw;
  }

  function sessionOnly(req: FastifyRequest): AuthContext & { kind: 'session' } {
    const ctx = req.auth!;
    if (ctx.kind !== 'session') throw new TollgateError('bad_request', said('fault.auth.sessionOnly', 'this is for an admin signed in with a password, not for an API token'));
    return ctx as AuthContext & { kind: 'session' };
  }

  const tooMany = (reply: FastifyReply, retryAfterMs: number, locked: boolean) => {
    reply.header('retry-after', String(Math.max(1, Math.ceil(retryAfterMs / 1000))));
    return sendProblem(reply, problem('rate_limited', locked ? said('fault.login.locked', 'too many failed attempts: temporarily locked, try again later') : said('fault.login.wait', 'too many failed attempts: wait before trying again')));
  };

  /**
   * Counts a try on several throttle keys before the secret is checked, atomically with the check of
   * their limits; the refusal when any of them refuses (and then nothing is counted). A right secret
   * gives the count back (`clear` or `refund`), a wrong one leaves it: parallel tries cannot all pass
   * a check made before any of them failed.
   */
  function reserve(keys: Array<{ key: string; policy: ThrottlePolicy }>, at: Date) {
    return sec.throttle.reserve(keys.map((k) => k.key), (states) => {
      const a = attempt(states, at, keys.map((k) => k.policy));
      return a.ok ? a : { ok: false as const, refusal: a };
    });
  }

  app.post('/api/v1/auth/login', {
    schema: {
      tags, summary: 'Sign in with a username and password; sets the session cookie', security: [],
      description: 'Answers the same for an unknown user and a wrong password. After 3 failures for a username each try waits longer; after `[security] login_max_failures` (or `login_max_failures_ip` from one address) logins are refused for `login_lockout_minutes`. A try counts from its start, so tries sent at once take turns at these limits. With TOTP on, the session is pending until POST /api/v1/auth/totp/verify.',
      body: LoginBody,
      response: { 200: Me, ...errors },
    },
  }, async (req, reply) => {
    const { username, password } = req.body as { username: string; password: string };
    const at = clock.now();
    const keys = [
      { key: `user:${username.toLowerCase()}`, policy: sec.policies.user },
      { key: `ip:${req.ip}`, policy: sec.policies.ip },
    ];
    const refused = await reserve(keys, at);
    if (refused) {
      req.log.warn({ username, ip: req.ip, locked: refused.locked }, 'login refused: too many failures');
      return tooMany(reply, refused.retryAfterMs, refused.locked);
    }
    const admin = await sec.admins.secretsByUsername(username);
    // An unknown or disabled admin costs the same argon2 work as a wrong password.
    let ok = false;
    if (admin && !admin.disabled) ok = await verifyPassword(admin.passwordHash, password);
    else await verifyPassword(await dummyHash, password);
    if (!admin || admin.disabled || !ok) {
      // The failure is already counted (reserve); this is its audit row.
      await sec.throttle.record(
        [],
        { at: clock.now(), actor: { id: 'anonymous', ip: req.ip }, action: 'login_failed', entityId: admin?.id ?? null, after: { username, reason: !admin ? 'unknown_user' : admin.disabled ? 'disabled' : 'wrong_password' } },
      );
      req.log.info({ username, ip: req.ip }, 'login failed');
      return sendProblem(reply, problem('unauthorized', said('fault.login.wrong', 'wrong username or password')));
    }
    await sec.throttle.clear(keys[0]!.key);
    await sec.throttle.refund(keys[1]!.key, keys[1]!.policy.maxFailures);
    const stage = admin.totpEnabled ? 'totp' : 'full';
    const raw = await startSession(req, reply, admin.id, stage, { action: stage === 'full' ? 'login' : 'login_password', after: { secondFactor: stage === 'full' ? 'none' : 'pending' } });
    req.log.info({ admin: admin.id, stage }, 'login');
    return me({
      kind: 'session', actorId: `admin:${admin.id}`, role: admin.role, grants: stage === 'full' ? ((await sec.grantsOf(admin.role)) ?? {}) : {}, adminId: admin.id, username: admin.username,
      csrfToken: csrfFor(raw), stage, mustChangePassword: admin.mustChangePassword, totpEnabled: admin.totpEnabled,
    });
  });

  app.post('/api/v1/auth/logout', {
    config: { authStage: 'pending' },
    schema: { tags, summary: 'End the current session and clear the cookie', response: { 204: Type.Null(), ...errors } },
  }, async (req, reply) => {
    const ctx = sessionOnly(req);
    await sec.sessions.end(ctx.sessionId!, clock.now(), { actor: { id: ctx.actorId, ip: req.ip }, adminId: ctx.adminId!, action: 'logout' });
    return reply.code(204).header('set-cookie', clearedSessionCookie(sec.secure(req))).send();
  });

  app.get('/api/v1/auth/me', {
    config: { authStage: 'pending' },
    schema: { tags, summary: 'Who is calling: the admin or token, its role and permissions, and the CSRF token of a session', response: { 200: Me, ...errors } },
  }, async (req) => me(req.auth!));

  app.post('/api/v1/auth/password', {
    config: { authStage: 'setup' },
    schema: {
      tags, summary: 'Change your own password (the first thing a new or reset admin must do); ends your other sessions',
      description: 'For the first admin, the change also removes `initial-admin-password` from the data folder: the generated password in it no longer works.',
      body: PasswordChange,
      response: { 200: Me, ...errors },
    },
  }, async (req) => {
    const ctx = sessionOnly(req);
    const { currentPassword, newPassword } = req.body as { currentPassword: string; newPassword: string };
    const admin = (await sec.admins.secretsById(ctx.adminId!))!;
    if (!(await verifyPassword(admin.passwordHash, currentPassword))) throw new TollgateError('invalid_input', said('fault.password.current', 'is not your current password'), 'currentPassword');
    if (newPassword === currentPassword) throw new TollgateError('invalid_input', said('fault.password.same', 'must differ from the current password'), 'newPassword');
    if (newPassword.toLowerCase().includes(admin.username.toLowerCase())) throw new TollgateError('invalid_input', said('fault.password.username', 'must not contain the username'), 'newPassword');
    await sec.admins.setPassword(admin.id, await hashPassword(newPassword), { reset: false, keepSessionId: ctx.sessionId, actor: { id: ctx.actorId, ip: req.ip } });
    if (forgetInitialPassword(opts.initialPasswordFile, admin.username)) req.log.info({ admin: admin.id, file: opts.initialPasswordFile }, 'initial password changed: its file is removed');
    return me({ ...ctx, mustChangePassword: false });
  });

  app.put('/api/v1/auth/language', {
    config: { authStage: 'setup' },
    schema: {
      tags, summary: `Choose your own UI language (${LANGUAGE_LIST}), or null to follow the browser`,
      body: LanguageChange,
      response: { 200: Me, ...errors },
    },
  }, async (req) => {
    const ctx = sessionOnly(req);
    const { language } = req.body as { language: Locale | null };
    await sec.admins.setLanguage(ctx.adminId!, language, { id: ctx.actorId, ip: req.ip });
    return me({ ...ctx, language });
  });

  app.post('/api/v1/auth/totp/enrol', {
    config: { authStage: 'setup' },
    schema: {
      tags, summary: 'Start TOTP enrolment: a new secret as an otpauth URI and a QR code; POST /api/v1/auth/totp/confirm turns it on',
      response: { 200: Enrolment, ...errors },
    },
  }, async (req) => {
    const ctx = sessionOnly(req);
    if (ctx.totpEnabled) throw new TollgateError('conflict', said('fault.totp.onTurnOff', 'TOTP is already on: turn it off first (POST /api/v1/auth/totp/disable)'));
    const secret = newTotpSecret();
    await sec.admins.setPendingTotp(ctx.adminId!, box.seal(secret), { id: ctx.actorId, ip: req.ip });
    const uri = otpauthUri(secret, ctx.username!);
    return { uri, secret, qr: await qrDataUrl(uri) };
  });

  app.post('/api/v1/auth/totp/confirm', {
    config: { authStage: 'setup' },
    schema: {
      tags, summary: 'Turn TOTP on with a code from the app; answers 10 one-use recovery codes, shown this once',
      body: TotpConfirm,
      response: { 200: RecoveryCodes, ...errors },
    },
  }, async (req) => {
    const ctx = sessionOnly(req);
    const admin = (await sec.admins.secretsById(ctx.adminId!))!;
    if (admin.totpEnabled) throw new TollgateError('conflict', said('fault.totp.on', 'TOTP is already on'));
    if (!admin.totpSecretEnc) throw new TollgateError('conflict', said('fault.totp.noEnrolment', 'no enrolment in progress: POST /api/v1/auth/totp/enrol first'));
    const step = matchTotp(box.open(admin.totpSecretEnc), (req.body as { code: string }).code, clock.now());
    if (step === undefined) throw new TollgateError('invalid_input', said('fault.totp.code', 'is not the current code of the enrolled secret'), 'code');
    const { codes, hashes } = newRecoveryCodes();
    await sec.admins.confirmTotp(admin.id, step, hashes, { id: ctx.actorId, ip: req.ip });
    return { recoveryCodes: codes };
  });

  app.post('/api/v1/auth/totp/verify', {
    config: { authStage: 'pending' },
    schema: {
      tags, summary: 'Complete a sign-in with TOTP on: a current code or one recovery code; each works once',
      body: TotpVerify,
      response: { 200: Me, ...errors },
    },
  }, async (req, reply) => {
    const ctx = sessionOnly(req);
    if (ctx.stage !== 'totp') throw new TollgateError('conflict', said('fault.auth.signedIn', 'this session is already signed in'));
    const body = req.body as { code?: string; recoveryCode?: string };
    const key = { key: `totp:${ctx.adminId}`, policy: sec.policies.totp };
    const at = clock.now();
    const refused = await reserve([key], at);
    if (refused) return tooMany(reply, refused.retryAfterMs, refused.locked);
    const admin = (await sec.admins.secretsById(ctx.adminId!))!;
    const actor = { id: ctx.actorId, ip: req.ip };
    let how: string | undefined;
    if (body.code !== undefined && admin.totpSecretEnc) {
      const step = matchTotp(box.open(admin.totpSecretEnc), body.code, at);
      if (step !== undefined && (await sec.admins.useTotpStep(admin.id, step))) how = 'totp';
    } else if (body.recoveryCode !== undefined) {
      if (await sec.admins.useRecoveryCode(admin.id, recoveryHash(body.recoveryCode), actor)) how = 'recovery_code';
    }
    if (!how) {
      await sec.throttle.record([], {
        at, actor, action: 'login_failed', entityId: admin.id, after: { username: admin.username, reason: body.code !== undefined ? 'wrong_totp_code' : 'wrong_recovery_code' },
      });
      return sendProblem(reply, problem('unauthorized', said('fault.totp.wrong', 'wrong or already used code')));
    }
    await sec.throttle.clear(key.key);
    // A new session id once the second factor is in: the pending id is worthless from now on.
    const raw = randomBytes(32).toString('base64url');
    await sec.sessions.promote(ctx.sessionId!, sha256(raw), at, actor, admin.id, how);
    reply.header('set-cookie', sessionCookie(raw, { secure: sec.secure(req), maxAgeSeconds: Math.floor(sec.maxMs / 1000) }));
    return me({ ...ctx, grants: (await sec.grantsOf(admin.role)) ?? {}, stage: 'full', csrfToken: csrfFor(raw) });
  });

  app.post('/api/v1/auth/totp/disable', {
    config: { authStage: 'setup' },
    schema: {
      tags, summary: 'Turn your TOTP second factor off (needs your password; refused when [security] require_totp is on)',
      body: TotpDisable,
      response: { 204: Type.Null(), ...errors },
    },
  }, async (req, reply) => {
    const ctx = sessionOnly(req);
    if (sec.requireTotp) throw new TollgateError('conflict', said('fault.totp.required', 'TOTP is required for every admin here ([security] require_totp)'));
    const admin = (await sec.admins.secretsById(ctx.adminId!))!;
    if (!(await verifyPassword(admin.passwordHash, (req.body as { password: string }).password))) throw new TollgateError('invalid_input', said('fault.password.current', 'is not your current password'), 'password');
    await sec.admins.clearTotp(admin.id, { id: ctx.actorId, ip: req.ip });
    return reply.code(204).send();
  });
}
