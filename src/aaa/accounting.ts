/**
 * Accounting: an Accounting-Request becomes an AcctRecord for the writer, which commits it in a group
 * and resolves once it is durable. The reply policy acknowledges only then, so a record the NAS was
 * told about is never lost; the writer's upsert on the session key makes a retransmission harmless.
 */
import type { AcctKind, AcctRecord, AcctWriter } from '../db/radius.js';
import type { Clock } from '../lib/clock.js';
import { normalizeMac } from '../lib/net.js';
import { get, type Packet } from '../radius/codec/index.js';
import { A, V } from '../radius/dict/attrs.js';
import type { Dictionary } from '../radius/dict/dictionary.js';
import type { NasClient } from '../radius/server/clients.js';
import type { AccountingHandler, AccountingSettled } from '../radius/server/handlers.js';
import type { BillingDay } from './billing-day.js';
import type { ServiceCache } from './service-cache.js';

export interface AccountingOptions {
  /** Names Acct-Terminate-Cause values for the session record. */
  dictionary: Dictionary;
  services: Pick<ServiceCache, 'cachedId'>;
  writer: Pick<AcctWriter, 'accounting' | 'pending'>;
  clock: Clock;
  days: BillingDay;
  /** Told the writer's queue length after each record (a gauge). */
  queue: { set(value: number): void };
}

/** The record kind of an Acct-Status-Type; undefined for the types we do not keep (Failed, say). */
export function acctKind(status: number | undefined): AcctKind | undefined {
  switch (status) {
    case V.AcctStatusType.Start:
      return 'start';
    case V.AcctStatusType.Stop:
      return 'stop';
    case V.AcctStatusType.InterimUpdate:
      return 'interim';
    case V.AcctStatusType.AccountingOn:
      return 'on';
    case V.AcctStatusType.AccountingOff:
      return 'off';
    default:
      return undefined;
  }
}


/** Octets with gigawords folded in (RFC 2869 5.1): `gigawords << 32 | octets`, beyond 32 bits. */
function octets(p: Packet, low: typeof A.AcctInputOctets, high: typeof A.AcctInputGigawords): number | null {
  const lo = get(p, low);
  if (lo === undefined) return null;
  return (get(p, high) ?? 0) * 4294967296 + lo;
}

export class AccountingRecorder implements AccountingHandler {
  private readonly dictionary: Dictionary;
  private readonly services: Pick<ServiceCache, 'cachedId'>;
  private readonly writer: Pick<AcctWriter, 'accounting' | 'pending'>;
  private readonly clock: Clock;
  private readonly days: BillingDay;
  private readonly queue: { set(value: number): void };

  constructor(opts: AccountingOptions) {
    this.dictionary = opts.dictionary;
    this.services = opts.services;
    this.writer = opts.writer;
    this.clock = opts.clock;
    this.days = opts.days;
    this.queue = opts.queue;
  }

  handle(request: Packet, nas: NasClient, settled: (outcome: AccountingSettled) => void): void {
    const kind = acctKind(get(request, A.AcctStatusType));
    const sessionId = get(request, A.AcctSessionId);
    // Status types we do not keep (e.g. Failed) are acknowledged so the NAS stops retrying them.
    if (kind === undefined || ((kind === 'start' || kind === 'interim' || kind === 'stop') && !sessionId)) return settled('ignored');
    this.writer.accounting(this.record(request, nas, kind, sessionId ?? '')).then(
      () => settled(kind),
      () => settled('store_failed'),
    );
    this.queue.set(this.writer.pending);
  }

  /** The record of an Accounting-Request, received now. */
  record(p: Packet, nas: NasClient, kind: AcctKind, acctSessionId: string): AcctRecord {
    const at = this.clock.now();
    const rawMac = get(p, A.CallingStationId);
    const cause = get(p, A.AcctTerminateCause);
    const username = get(p, A.UserName) ?? '';
    return {
      kind, nasId: nas.id, acctSessionId, username,
      // From the cache only (no SQLite read here): a miss leaves the lookup to the writer.
      serviceId: username === '' ? null : this.services.cachedId(username),
      at: at.toISOString(), day: this.days.of(at),
      nasIpAddress: get(p, A.NasIpAddress) ?? null,
      nasPort: get(p, A.NasPortId) ?? get(p, A.NasPort)?.toString() ?? null,
      framedIpAddress: get(p, A.FramedIpAddress) ?? null,
      callingStationId: rawMac === undefined ? null : (normalizeMac(rawMac) ?? rawMac),
      calledStationId: get(p, A.CalledStationId) ?? null,
      sessionTime: get(p, A.AcctSessionTime) ?? null,
      inputOctets: octets(p, A.AcctInputOctets, A.AcctInputGigawords),
      outputOctets: octets(p, A.AcctOutputOctets, A.AcctOutputGigawords),
      terminateCause: cause === undefined ? null : (this.dictionary.valueName(A.AcctTerminateCause, cause) ?? String(cause)),
      interimInterval: get(p, A.AcctInterimInterval) ?? null,
    };
  }
}
