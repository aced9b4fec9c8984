/**
 * The one way code asks "what time is it". Billing and scheduling take a Clock, so scenario tests
 * move time by hand instead of waiting or patching globals.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = {
  now: () => new Date(),
};

/** A clock that stands still until told otherwise: `set()` or `advance()`. */
export class TestClock implements Clock {
  #ms: number;

  constructor(start: Date | string) {
    this.#ms = toMs(start);
  }

  now(): Date {
    return new Date(this.#ms);
  }

  set(at: Date | string): void {
    this.#ms = toMs(at);
  }

  advance(ms: number): void {
    if (!Number.isFinite(ms)) throw new RangeError(`advance needs a finite number of milliseconds, got ${ms}`);
    this.#ms += ms;
  }
}

/** A clock frozen at one instant. */
export function fixedClock(at: Date | string): Clock {
  const ms = toMs(at);
  return { now: () => new Date(ms) };
}

function toMs(at: Date | string): number {
  const ms = typeof at === 'string' ? Date.parse(at) : at.getTime();
  if (Number.isNaN(ms)) throw new RangeError(`not an instant: ${String(at)}`);
  return ms;
}
