/**
 * A NAS as RADIUS client with a primary and a secondary server, as routers are set up in front of
 * several Tollgate nodes: each request goes to the server in use, is retransmitted unchanged (same
 * identifier and authenticator, same source port) when unanswered, and after `tries` unanswered
 * sends the NAS moves to the next server and sends it there (RouterOS marks the server down the
 * same way). It records which requests were answered, so a test can compare what a server
 * acknowledged with what the database holds.
 */
import { UdpClient } from './radius.js';

export interface RadiusServerAddress {
  name: string;
  authPort: number;
  acctPort: number;
}

export interface FailoverOptions {
  servers: readonly RadiusServerAddress[];
  /** Wait for an answer before resending; default 300 ms. */
  timeoutMs?: number;
  /** Sends per server before moving on; default 2. */
  tries?: number;
}

export interface Answered {
  reply: Buffer;
  /** The server that answered. */
  server: string;
  /** Sends it took in all, over all servers. */
  sends: number;
}

export class FailoverNas {
  #current = 0;
  readonly failovers: { from: string; to: string }[] = [];

  constructor(private readonly opts: FailoverOptions) {}

  get current(): string {
    return this.opts.servers[this.#current]!.name;
  }

  /**
   * Sends `request` (an encoded Access- or Accounting-Request) until a server answers, moving down
   * the list; undefined when every server stayed silent. `client` keeps the source port fixed.
   */
  async send(client: UdpClient, request: Buffer, kind: 'auth' | 'acct'): Promise<Answered | undefined> {
    const timeoutMs = this.opts.timeoutMs ?? 300;
    const tries = this.opts.tries ?? 2;
    let sends = 0;
    for (let moved = 0; moved < this.opts.servers.length; moved++) {
      const index = this.#current;
      const server = this.opts.servers[index]!;
      for (let t = 0; t < tries; t++) {
        sends++;
        const reply = await client.exchange(request, kind === 'auth' ? server.authPort : server.acctPort, '127.0.0.1', timeoutMs);
        if (reply) return { reply, server: server.name, sends };
      }
      // Another request may have moved the NAS on already; move only from the server that failed.
      if (this.#current === index) {
        this.#current = (index + 1) % this.opts.servers.length;
        this.failovers.push({ from: server.name, to: this.opts.servers[this.#current]!.name });
      }
    }
    return undefined;
  }
}
