/**
 * The SNMP poller: each SNMP-enabled NAS is asked for sysUpTime and its interface counters; the
 * answer marks it up and turns counter deltas into traffic samples, a failure counts towards
 * marking it down (after `downAfterFailures` in a row). NAS are polled concurrently, each poll
 * bounded by the SNMP timeout.
 */
import type { InterfaceRecord, NasRow, NasStatusRecord, NasStore, TrafficSample } from '../../db/nas.js';
import type { Clock } from '../../lib/clock.js';
import { said, storeText, type LocalText } from '../../lib/errors.js';
import { failureLocal } from '../../lib/failure.js';
import type { SecretBox } from '../../lib/secretbox.js';
import { snmpTargetOf } from '../settings.js';
import { pollSnmp, type SnmpReading, type SnmpTarget } from './client.js';
import { trafficDelta } from './rates.js';

/** Polls in flight at once: each holds a UDP socket and waits at most the SNMP timeout. */
const POLL_CONCURRENCY = 32;

export interface SnmpPollerDeps {
  store: NasStore;
  box: SecretBox;
  clock: Clock;
  timeoutMs: number;
  downAfterFailures: number;
  retentionDays: number;
  /** Told each NAS's state after every poll (Prometheus gauges). */
  onStatus?: (nas: Pick<NasRow, 'id' | 'name'>, status: NasStatusRecord) => void;
  /** Replaces pollSnmp (tests). */
  poll?: (target: SnmpTarget) => Promise<SnmpReading>;
}

export class SnmpPoller {
  private lastPrune = 0;

  constructor(private readonly deps: SnmpPollerDeps) {}

  /** Polls one NAS now and stores the outcome; resolves with its status. */
  async pollNas(row: NasRow): Promise<NasStatusRecord> {
    const { store, clock } = this.deps;
    const target = snmpTargetOf(row, this.deps.box, { timeoutMs: this.deps.timeoutMs });
    const prev = await store.status(row.id);
    const at = clock.now().toISOString();
    let status: NasStatusRecord;
    if (!target) {
      status = this.failed(row.id, prev, at, said('nas.snmpIncomplete', 'SNMP settings are incomplete'));
      await store.savePoll(status, [], []);
    } else {
      try {
        const reading = await (this.deps.poll ?? pollSnmp)(target);
        const doneAt = clock.now().toISOString();
        status = {
          nasId: row.id, state: 'up', lastPollAt: doneAt, lastSeenAt: doneAt,
          uptimeSeconds: Math.floor(reading.uptimeTicks / 100), consecutiveFailures: 0, lastError: null, lastErrorMessage: null,
        };
        // A sysUpTime lower than last time: the NAS restarted, so its counters did too.
        const rebooted = prev?.uptimeSeconds != null && status.uptimeSeconds! < prev.uptimeSeconds;
        const { interfaces, samples } = await this.samples(row.id, reading, doneAt, rebooted);
        await store.savePoll(status, interfaces, samples);
      } catch (err) {
        // pollSnmp's SnmpError carries its own key; anything else (the database, saving the
        // samples) is read as any failure is, so it is not blamed on the NAS.
        status = this.failed(row.id, prev, at, failureLocal(err));
        await store.savePoll(status, [], []);
      }
    }
    this.deps.onStatus?.(row, status);
    return status;
  }

  /**
   * Every SNMP-enabled NAS, up to `POLL_CONCURRENCY` at a time; never rejects. Prunes old samples
   * about once an hour.
   */
  async pollAll(): Promise<NasStatusRecord[]> {
    const rows = await this.deps.store.snmpNas();
    const out: (NasStatusRecord | undefined)[] = [];
    let next = 0;
    const worker = async () => {
      while (next < rows.length) {
        const i = next++;
        out[i] = await this.pollNas(rows[i]!).catch(() => undefined);
      }
    };
    await Promise.all(Array.from({ length: Math.min(POLL_CONCURRENCY, rows.length) }, worker));
    const now = this.deps.clock.now().getTime();
    if (now - this.lastPrune > 3_600_000) {
      this.lastPrune = now;
      await this.deps.store.pruneSamples(new Date(now - this.deps.retentionDays * 86_400_000).toISOString());
    }
    return out.filter((s): s is NasStatusRecord => s !== undefined);
  }

  private failed(nasId: number, prev: NasStatusRecord | undefined, at: string, error: LocalText): NasStatusRecord {
    const failures = (prev?.consecutiveFailures ?? 0) + 1;
    return {
      nasId,
      state: failures >= this.deps.downAfterFailures ? 'down' : (prev?.state ?? 'unknown'),
      lastPollAt: at,
      lastSeenAt: prev?.lastSeenAt ?? null,
      uptimeSeconds: prev?.uptimeSeconds ?? null,
      consecutiveFailures: failures,
      lastError: error.text,
      lastErrorMessage: storeText(error),
    };
  }

  private async samples(nasId: number, reading: SnmpReading, at: string, rebooted: boolean) {
    const before = new Map((await this.deps.store.interfaces(nasId)).map((i) => [i.ifIndex, i]));
    const interfaces: (InterfaceRecord & { nasId: number })[] = [];
    const samples: (TrafficSample & { nasId: number })[] = [];
    for (const i of reading.interfaces) {
      const p = before.get(i.ifIndex);
      const d = trafficDelta(p && { inOctets: BigInt(p.inOctets), outOctets: BigInt(p.outOctets), at: p.at }, { inOctets: i.inOctets, outOctets: i.outOctets, at }, { rebooted });
      interfaces.push({ nasId, ifIndex: i.ifIndex, name: i.name, inOctets: i.inOctets.toString(), outOctets: i.outOctets.toString(), at });
      if (d.ok) {
        samples.push({
          nasId, ifIndex: i.ifIndex, at, seconds: d.delta.seconds,
          inOctets: Number(d.delta.inOctets), outOctets: Number(d.delta.outOctets), inBps: Number(d.delta.inBps), outBps: Number(d.delta.outBps),
        });
      }
    }
    return { interfaces, samples };
  }
}
