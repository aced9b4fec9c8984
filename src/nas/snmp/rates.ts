/**
 * Turning two readings of an interface's octet counters into traffic, pure. A counter that went
 * backwards (the NAS rebooted, or the interface was re-created) or a sysUpTime that went backwards
 * starts a new baseline: no sample for that interval, rather than a wrong one.
 */

export interface CounterState {
  inOctets: bigint;
  outOctets: bigint;
  /** ISO instant of the reading. */
  at: string;
}

export interface TrafficDelta {
  seconds: number;
  inOctets: bigint;
  outOctets: bigint;
  /** Average bits per second over the interval, rounded down. */
  inBps: bigint;
  outBps: bigint;
}

export type DeltaResult = { ok: true; delta: TrafficDelta } | { ok: false; reason: 'first_reading' | 'counter_reset' | 'no_time_passed' };

export function trafficDelta(prev: CounterState | undefined, next: CounterState, opts: { rebooted?: boolean } = {}): DeltaResult {
  if (!prev) return { ok: false, reason: 'first_reading' };
  if (opts.rebooted || next.inOctets < prev.inOctets || next.outOctets < prev.outOctets) return { ok: false, reason: 'counter_reset' };
  const ms = Date.parse(next.at) - Date.parse(prev.at);
  if (!(ms >= 1000)) return { ok: false, reason: 'no_time_passed' };
  const seconds = Math.round(ms / 1000);
  const inOctets = next.inOctets - prev.inOctets;
  const outOctets = next.outOctets - prev.outOctets;
  const bps = (octets: bigint) => (octets * 8n * 1000n) / BigInt(ms);
  return { ok: true, delta: { seconds, inOctets, outOctets, inBps: bps(inOctets), outBps: bps(outOctets) } };
}
