import { cidrContains, parseCidr, type Cidr } from '../../lib/net.js';

/** A NAS as the server uses it: the secret in clear (in memory only), the range parsed once. */
export interface NasClient {
  id: number;
  name: string;
  range: Cidr;
  nasIdentifier: string | null;
  secret: Buffer;
  vendor: 'mikrotik' | 'generic';
  coaPort: number;
  requireMessageAuthenticator: boolean;
}

/**
 * Finds the NAS for a datagram's source address. An exact address wins over ranges, and a narrower
 * range over a wider one. Routers behind NAT or on dynamic addresses often share a range: then the
 * NAS-Identifier the router sends picks among them.
 */
export class NasTable {
  private exact = new Map<string, NasClient[]>();
  private ranges: NasClient[] = [];

  constructor(clients: readonly NasClient[]) {
    for (const c of clients) {
      const full = c.range.prefix === (c.range.family === 4 ? 32 : 128);
      if (full) {
        const key = c.range.family === 4 ? ipv4String(c.range.network) : c.range.network.toString(16);
        const list = this.exact.get(key) ?? [];
        list.push(c);
        this.exact.set(key, list);
      } else {
        this.ranges.push(c);
      }
    }
    this.ranges.sort((a, b) => b.range.prefix - a.range.prefix);
  }

  get size(): number {
    let n = this.ranges.length;
    for (const l of this.exact.values()) n += l.length;
    return n;
  }

  /** Every entry that could own this source, most specific first. */
  candidates(address: string): NasClient[] {
    const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
    let key = v4;
    if (v4.includes(':')) {
      const parsed = parseCidr(v4);
      key = parsed ? parsed.network.toString(16) : v4;
    }
    const exact = this.exact.get(key);
    const ranged = this.ranges.length ? this.ranges.filter((c) => cidrContains(c.range, address)) : [];
    return exact ? [...exact, ...ranged] : ranged;
  }

  /**
   * The NAS for this source. `nasIdentifier` is only consulted when several entries match; an entry
   * without an identifier is the fallback among them.
   */
  resolve(address: string, nasIdentifier: () => string | undefined): NasClient | undefined {
    const list = this.candidates(address);
    if (list.length <= 1) return list[0];
    const id = nasIdentifier();
    if (id !== undefined) {
      const named = list.find((c) => c.nasIdentifier === id);
      if (named) return named;
    }
    return list.find((c) => c.nasIdentifier === null) ?? undefined;
  }
}

function ipv4String(n: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String((n >> s) & 255n)).join('.');
}
