import type { ThrottleState } from '../../db/security.js';

/**
 * Failed-login arithmetic, pure: what a key's counter says about the next try, and the counter after
 * a failure. The counters live in the database (src/db/security.ts throttleStore) so a restart does
 * not reset them.
 */
export interface ThrottlePolicy {
  /** After this many failures in a row each further try waits 1 s, 2 s, 4 s ... up to maxDelayMs. */
  slowAfter: number;
  maxDelayMs: number;
  /** This many failures in a row lock the key for lockoutMs. */
  maxFailures: number;
  lockoutMs: number;
}

export type ThrottleVerdict = { ok: true } | { ok: false; locked: boolean; retryAfterMs: number };

/** A counter with no failure for a lockout period (and no lock in force) is forgotten. */
function expired(state: ThrottleState, now: number, policy: ThrottlePolicy): boolean {
  const locked = state.lockedUntil !== null && Date.parse(state.lockedUntil) > now;
  return !locked && now - Date.parse(state.lastFailureAt) >= policy.lockoutMs;
}

export function delayAfter(failures: number, policy: ThrottlePolicy): number {
  if (failures < policy.slowAfter) return 0;
  return Math.min(1000 * 2 ** (failures - policy.slowAfter), policy.maxDelayMs);
}

/** Whether a try may go ahead now. */
export function verdict(state: ThrottleState | undefined, at: Date, policy: ThrottlePolicy): ThrottleVerdict {
  if (!state) return { ok: true };
  const now = at.getTime();
  if (state.lockedUntil !== null && Date.parse(state.lockedUntil) > now) {
    return { ok: false, locked: true, retryAfterMs: Date.parse(state.lockedUntil) - now };
  }
  if (expired(state, now, policy)) return { ok: true };
  const wait = Date.parse(state.lastFailureAt) + delayAfter(state.failures, policy) - now;
  return wait > 0 ? { ok: false, locked: false, retryAfterMs: wait } : { ok: true };
}

/** The counter after one more failure; it locks when it reaches maxFailures. */
export function afterFailure(state: ThrottleState | undefined, at: Date, policy: ThrottlePolicy): ThrottleState {
  const now = at.getTime();
  const failures = state && !expired(state, now, policy) ? state.failures + 1 : 1;
  const lockedUntil = failures >= policy.maxFailures ? new Date(now + policy.lockoutMs).toISOString() : null;
  return { failures, lastFailureAt: at.toISOString(), lockedUntil };
}

export type Attempt = { ok: true; next: ThrottleState[] } | { ok: false; locked: boolean; retryAfterMs: number };

/**
 * One try on several keys at once (a username and an address): refused when any key refuses, else
 * every key's counter with this try already counted as a failure. The caller stores those counters
 * before it checks the password (throttleStore `reserve`), so parallel tries take turns at the limit;
 * a try that turns out right gives its count back.
 */
export function attempt(states: Array<ThrottleState | undefined>, at: Date, policies: ThrottlePolicy[]): Attempt {
  for (let i = 0; i < states.length; i++) {
    const v = verdict(states[i], at, policies[i]!);
    if (!v.ok) return v;
  }
  return { ok: true, next: states.map((s, i) => afterFailure(s, at, policies[i]!)) };
}
