/**
 * RFC 5080 section 2.2.2 duplicate detection: a request with the same source, identifier and
 * authenticator as one seen within the window is a retransmission. While the first copy is still
 * being processed the duplicate is dropped; once answered, it gets the cached reply byte for byte,
 * so a retransmitted Accounting-Request is never written twice and an Access-Request never
 * re-decided (which could flip an accept to "already connected").
 *
 * Every request passes through here, and at tens of thousands a second the window holds hundreds of
 * thousands of entries. Kept as JS objects (a key string, an entry, the reply), each entry outlived
 * several young-generation collections and was copied by each: most of the GC time of the RADIUS
 * path, and its 5-8 ms pauses set the p99. So the cache lives in typed arrays allocated once: a table
 * of `buckets` x `WAYS` slots (two candidate buckets are chosen by the request's authenticator,
 * which is random, mixed with its source and identifier) and a ring of reply bytes. It allocates nothing per request.
 *
 * When both buckets are full the oldest of their entries gives way, and the ring overwrites the oldest replies: under a load
 * beyond the table's size the window shrinks (a late retransmission is then processed again, which
 * the accounting writer and the decision tolerate) but memory stays fixed.
 */
const WAYS = 8;
const EMPTY = 0;
const PENDING = 1;
const ANSWERED = 2;

export interface DuplicateCacheOptions {
  /** How long a request is remembered (FreeRADIUS's cleanup_delay is 5 s; NASes retry for longer). */
  ttlMs?: number;
  /** Buckets of 8 entries, a power of two: 32768 hold about 200,000 requests, 10 s at 20,000/s, losing almost none. */
  buckets?: number;
  /** Bytes of replies kept: 32 MiB hold about 200,000 typical replies. */
  replyBytes?: number;
}

/**
 * What `check` says of a request: a handle (a number, to pass to `answered` or `forget`) when it is
 * new, `null` while its first copy is being processed, or the cached reply to send again.
 */
export type DuplicateCheck = number | null | Buffer;

export class DuplicateCache {
  private readonly ttlMs: number;
  private readonly mask: number;
  private readonly state: Uint8Array;
  private readonly ident: Uint8Array;
  private readonly port: Uint16Array;
  private readonly source: Int32Array;
  private readonly auth: Int32Array;
  private readonly gen: Uint32Array;
  private readonly expires: Float64Array;
  private readonly replyAt: Float64Array;
  private readonly replyLen: Uint16Array;
  private readonly ring: Buffer;
  /** Bytes written to the ring since the start; a reply at `at` is intact while written - at <= ring size. */
  private written = 0;
  private live = 0;

  constructor(opts: DuplicateCacheOptions = {}) {
    this.ttlMs = opts.ttlMs ?? 10_000;
    const buckets = opts.buckets ?? 32_768;
    if (!Number.isInteger(Math.log2(buckets))) throw new Error('DuplicateCache: buckets must be a power of two');
    this.mask = buckets - 1;
    const slots = buckets * WAYS;
    this.state = new Uint8Array(slots);
    this.ident = new Uint8Array(slots);
    this.port = new Uint16Array(slots);
    this.source = new Int32Array(slots);
    this.auth = new Int32Array(slots * 4);
    this.gen = new Uint32Array(slots);
    this.expires = new Float64Array(slots);
    this.replyAt = new Float64Array(slots);
    this.replyLen = new Uint16Array(slots);
    this.ring = Buffer.allocUnsafeSlow(opts.replyBytes ?? 32 * 1024 * 1024);
  }

  /** Looks a request up; a new one is recorded as being processed. */
  check(address: string, port: number, identifier: number, authenticator: Buffer, now: number): DuplicateCheck {
    const src = sourceHash(address);
    const a0 = authenticator.readInt32LE(0);
    const a1 = authenticator.readInt32LE(4);
    const a2 = authenticator.readInt32LE(8);
    const a3 = authenticator.readInt32LE(12);
    // Two candidate buckets (from two words of the random authenticator); a new entry goes where
    // there is room. With one bucket, a table three quarters full already overflowed one bucket in six.
    const mix = src ^ Math.imul(port * 256 + identifier, 0x9e3779b1);
    const b1 = ((a0 ^ mix) & this.mask) * WAYS;
    const b2 = ((a1 ^ mix) & this.mask) * WAYS;
    let free1 = -1;
    let free2 = -1;
    let room1 = 0;
    let room2 = 0;
    let oldest = b1;
    for (let i = 0; i < 2 * WAYS; i++) {
      const s = i < WAYS ? b1 + i : b2 + i - WAYS;
      const st = this.state[s]!;
      if (st === EMPTY || this.expires[s]! <= now) {
        if (i < WAYS) {
          room1++;
          if (free1 < 0) free1 = s;
        } else {
          room2++;
          if (free2 < 0) free2 = s;
        }
        continue;
      }
      const k = s * 4;
      if (this.source[s] === src && this.port[s] === port && this.ident[s] === identifier
        && this.auth[k] === a0 && this.auth[k + 1] === a1 && this.auth[k + 2] === a2 && this.auth[k + 3] === a3) {
        if (st === PENDING) return null;
        const at = this.replyAt[s]!;
        if (this.written - at > this.ring.length) return null; // its reply was overwritten: the NAS tries again
        const from = at % this.ring.length;
        return Buffer.from(this.ring.subarray(from, from + this.replyLen[s]!));
      }
      if (this.expires[s]! < this.expires[oldest]!) oldest = s;
    }
    // The emptier bucket: with that choice a table 76% full loses 3 entries in 200,000 (tests/unit/radius/dedup.test.ts).
    const s = room1 === 0 && room2 === 0 ? oldest : room1 >= room2 ? free1 : free2;
    if (this.state[s] === EMPTY) this.live++;
    this.state[s] = PENDING;
    this.source[s] = src;
    this.port[s] = port;
    this.ident[s] = identifier;
    const k = s * 4;
    this.auth[k] = a0;
    this.auth[k + 1] = a1;
    this.auth[k + 2] = a2;
    this.auth[k + 3] = a3;
    this.expires[s] = now + this.ttlMs;
    const g = (this.gen[s]! + 1) >>> 0;
    this.gen[s] = g;
    return g * this.state.length + s;
  }

  /** Records the reply sent for the request behind `handle` (if its entry is still there). */
  answered(handle: number, reply: Buffer, now: number): void {
    const s = this.slot(handle);
    if (s < 0 || reply.length > 0xffff) return;
    const size = this.ring.length;
    let from = this.written % size;
    if (from + reply.length > size) {
      this.written += size - from; // the tail is too short: the reply starts again at the beginning
      from = 0;
    }
    reply.copy(this.ring, from);
    this.replyAt[s] = this.written;
    this.replyLen[s] = reply.length;
    this.written += reply.length;
    this.state[s] = ANSWERED;
    this.expires[s] = now + this.ttlMs;
  }

  /** Forgets a request that got no reply (dropped or failed), so the NAS's retransmission is processed. */
  forget(handle: number): void {
    const s = this.slot(handle);
    if (s < 0) return;
    this.state[s] = EMPTY;
    this.live--;
  }

  /** Entries recorded and not forgotten (expired ones included until their slot is reused). */
  get size(): number {
    return this.live;
  }

  private slot(handle: number): number {
    const slots = this.state.length;
    const s = handle % slots;
    return this.state[s] !== EMPTY && this.gen[s] === Math.floor(handle / slots) ? s : -1;
  }
}

/** FNV-1a of the source address: it and the port pick and check the entry with the authenticator. */
function sourceHash(address: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < address.length; i++) h = Math.imul(h ^ address.charCodeAt(i), 0x01000193);
  return h | 0;
}
