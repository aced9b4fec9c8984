/**
 * RFC 5080 section 2.2.2 duplicate detection: a request with the same source, identifier and
 * authenticator as one seen within the window is a retransmission. While the first copy is still
 * being processed the duplicate is dropped; once answered, it gets the cached reply byte for byte,
 * so a retransmitted Accounting-Request is never written twice and an Access-Request never
 * re-decided (which could flip an accept to "already connected").
 */
export class DuplicateCache {
  // Replies are kept as latin1 strings, not Buffers: at tens of thousands of requests a second the
  // window holds hundreds of thousands of replies, and that many small Buffers (each its own
  // ArrayBuffer) make every young-generation GC walk them, which showed up as 15-20 ms pauses.
  // A retransmission is rare, so turning the string back into bytes then costs nothing that matters.
  private entries = new Map<string, { reply: string | null; expires: number }>();
  private lastSweep = 0;

  constructor(private readonly ttlMs = 10_000, private readonly maxEntries = 200_000) {}

  static key(address: string, port: number, identifier: number, authenticator: Buffer): string {
    return `${address}|${port}|${identifier}|${authenticator.toString('latin1')}`;
  }

  /** `undefined`: new request (now marked in progress); `null`: in progress, drop; a Buffer: resend it. */
  check(key: string, now: number): Buffer | null | undefined {
    this.sweep(now);
    const e = this.entries.get(key);
    if (e && e.expires > now) return e.reply === null ? null : Buffer.from(e.reply, 'latin1');
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { reply: null, expires: now + this.ttlMs });
    return undefined;
  }

  /** Records the reply sent for a request. */
  answered(key: string, reply: Buffer, now: number): void {
    this.entries.set(key, { reply: reply.toString('latin1'), expires: now + this.ttlMs });
  }

  /** Forgets a request that got no reply (dropped or failed), so the NAS's retransmission is processed. */
  forget(key: string): void {
    this.entries.delete(key);
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < 1000) return;
    this.lastSweep = now;
    // Map iterates in insertion order, and expiry grows with insertion: stop at the first live one.
    for (const [k, e] of this.entries) {
      if (e.expires > now) break;
      this.entries.delete(k);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
