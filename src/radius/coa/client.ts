/**
 * The RFC 5176 client: sends Disconnect-Request and CoA-Request to a NAS's CoA port and waits for a
 * verified ACK or NAK, retransmitting with exponential backoff.
 *
 * One UDP socket per address family serves every request, to every NAS. Identifiers are allocated
 * per NAS (address and port) so that no two outstanding requests to the same NAS share one; when all
 * 256 are in use, further requests wait for a free one. A reply is matched by identifier and source
 * (the NAS's address and CoA port) and believed only once its Response Authenticator, and its
 * Message-Authenticator when present, verify against the request it answers; anything else is
 * counted and ignored, and the request keeps waiting for the genuine answer.
 *
 * Results are values. Network trouble (no answer, a send error, the client closed meanwhile) ends in
 * `outcome: 'timeout'` with `error` saying why when it is not a plain silence. Only a request that
 * cannot be built (a target that is not an IP address, an attribute value of the wrong shape)
 * rejects, with nothing sent.
 */
import type { Buffer } from 'node:buffer';
import dgram from 'node:dgram';
import { isIPv4, isIPv6 } from 'node:net';
import { performance } from 'node:perf_hooks';
import { systemClock, type Clock } from '../../lib/clock.js';
import { TollgateError } from '../../lib/errors.js';
import { decodePacket, formatIPv6, parseIPv4, parseIPv6, type AttributeInput, type Packet, type Secret } from '../codec/index.js';
import type { Dictionary } from '../dict/dictionary.js';
import { loadDictionary } from '../dict/load.js';
import {
  buildRequest,
  errorCauseName,
  isSessionNotFound,
  judgeReply,
  type CoaKind,
  type CoaSession,
  type ReplyDropReason,
} from './packets.js';

export const DEFAULT_COA_PORT = 3799;

/** Where to send: the NAS's address, its CoA port and the shared secret. */
export interface CoaTarget {
  /** An IPv4 or IPv6 address (not a name: replies are matched by source address). */
  readonly host: string;
  /** The NAS's `coaPort`; 3799 (the port IANA assigned to RFC 5176) when absent. */
  readonly port?: number;
  readonly secret: Secret;
}

/**
 * When to retransmit: the first wait is `initialTimeoutMs`, each next one `backoffFactor` times the
 * previous, every wait capped at `maxTimeoutMs`, for `maxTries` transmissions in all. The defaults wait 1 s,
 * 2 s, 4 s: seven seconds before a timeout.
 */
export interface RetryPolicy {
  readonly initialTimeoutMs: number;
  readonly backoffFactor: number;
  readonly maxTimeoutMs: number;
  readonly maxTries: number;
}

export const DEFAULT_RETRY: RetryPolicy = Object.freeze({ initialTimeoutMs: 1000, backoffFactor: 2, maxTimeoutMs: 16_000, maxTries: 3 });

export interface CoaClientOptions {
  readonly retry?: Partial<RetryPolicy>;
  /** Names Error-Cause values; Tollgate's own dictionaries when absent. */
  readonly dictionary?: Dictionary;
  /** The source of Event-Timestamp. */
  readonly clock?: Clock;
  /** Drop replies without a Message-Authenticator (many NAS, FreeRADIUS 3.2.1 among them, send none). */
  readonly requireMessageAuthenticator?: boolean;
  /** Local addresses to send from, when the NAS accepts CoA only from a given one. */
  readonly localAddress4?: string;
  readonly localAddress6?: string;
}

export interface RequestOptions {
  /** Overrides the client's retry policy for this request. */
  readonly retry?: Partial<RetryPolicy>;
}

export interface CoaResult {
  readonly outcome: 'ack' | 'nak' | 'timeout';
  /** The first Error-Cause of the reply (RFC 5176 3.5), and its dictionary name when it has one. */
  readonly errorCause?: number;
  readonly errorCauseName?: string;
  /** Error-Cause 503 (Session-Context-Not-Found): the NAS has no such session; close our record. */
  readonly sessionNotFound: boolean;
  /** Transmissions made (1 when the first one was answered). */
  readonly attempts: number;
  /** Milliseconds from the first transmission to the verified reply, or to giving up. */
  readonly rttMs: number;
  /** The identifier the request went out with (absent if it never did). */
  readonly identifier?: number;
  /** The verified reply, for callers that want more of it (a Reply-Message, say). */
  readonly reply?: Packet;
  /** Why no answer could come besides silence: the last send error, or the client being closed. */
  readonly error?: string;
}

type DropCounts = Record<ReplyDropReason, number>;

export interface CoaStats {
  readonly requests: number;
  readonly transmissions: number;
  readonly retransmissions: number;
  readonly acks: number;
  readonly naks: number;
  readonly timeouts: number;
  readonly sendErrors: number;
  /** Datagrams received and not believed, by reason. */
  readonly dropped: Readonly<DropCounts>;
}

/** A request the client cannot build: nothing was sent. */
export class CoaRequestError extends TollgateError {
  constructor(message: string, field?: string) {
    super('coa_invalid_request', message, field);
    this.name = 'CoaRequestError';
  }
}

type Family = 4 | 6;

interface Pending {
  readonly key: string;
  readonly nasKey: string;
  readonly kind: CoaKind;
  readonly identifier: number;
  readonly packet: Buffer;
  readonly secret: Secret;
  readonly host: string;
  readonly port: number;
  readonly family: Family;
  readonly retry: RetryPolicy;
  attempts: number;
  firstSentAt: number;
  timer: NodeJS.Timeout | undefined;
  lastError: string | undefined;
  readonly resolve: (r: CoaResult) => void;
}

/**
 * Identifiers 0..255 for one NAS. Allocation goes round from a random start, so a freed identifier
 * is reused as late as possible and a straggling reply to a finished request rarely meets a new
 * request with its identifier (and would fail verification if it did).
 */
class IdentifierPool {
  private next = Math.floor(Math.random() * 256);
  private readonly used = new Set<number>();
  private readonly waiting: ((id: number | undefined) => void)[] = [];

  get idle(): boolean {
    return this.used.size === 0 && this.waiting.length === 0;
  }

  /** A free identifier now, or once one is released; undefined if the client closes first. */
  acquire(): Promise<number | undefined> {
    const id = this.take();
    if (id !== undefined) return Promise.resolve(id);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  release(id: number): void {
    this.used.delete(id);
    const waiter = this.waiting.shift();
    if (waiter !== undefined) waiter(this.take());
  }

  /** Ends every wait with undefined. */
  abandon(): void {
    for (const w of this.waiting.splice(0)) w(undefined);
  }

  private take(): number | undefined {
    if (this.used.size >= 256) return undefined;
    while (this.used.has(this.next)) this.next = (this.next + 1) & 0xff;
    const id = this.next;
    this.used.add(id);
    this.next = (id + 1) & 0xff;
    return id;
  }
}

function checkRetry(r: RetryPolicy): RetryPolicy {
  const ok =
    Number.isInteger(r.maxTries) && r.maxTries >= 1 && r.maxTries <= 20 &&
    Number.isFinite(r.initialTimeoutMs) && r.initialTimeoutMs > 0 &&
    Number.isFinite(r.backoffFactor) && r.backoffFactor >= 1 &&
    Number.isFinite(r.maxTimeoutMs) && r.maxTimeoutMs > 0;
  if (!ok) throw new RangeError(`bad CoA retry policy ${JSON.stringify(r)}: maxTries 1..20, initialTimeoutMs > 0, backoffFactor >= 1, maxTimeoutMs > 0`);
  return Object.freeze({ ...r });
}

/** The wait after transmission number `attempt` (1-based). */
export function retransmitDelay(retry: RetryPolicy, attempt: number): number {
  return Math.min(retry.maxTimeoutMs, retry.initialTimeoutMs * retry.backoffFactor ** (attempt - 1));
}

/** The address as the socket reports a datagram's source, so that replies can be matched to it. */
function canonicalHost(host: string): { host: string; family: Family } | undefined {
  if (isIPv4(host)) {
    const b = parseIPv4(host);
    return b === undefined ? undefined : { host: `${b[0]}.${b[1]}.${b[2]}.${b[3]}`, family: 4 };
  }
  if (isIPv6(host) && !host.includes('%')) {
    const b = parseIPv6(host);
    return b === undefined ? undefined : { host: formatIPv6(b), family: 6 };
  }
  return undefined;
}

const CLOSED = 'client closed';

export class CoaClient {
  readonly #retry: RetryPolicy;
  readonly #clock: Clock;
  readonly #dictionary: Dictionary;
  readonly #requireMa: boolean;
  readonly #localAddress: Record<Family, string | undefined>;
  readonly #sockets = new Map<Family, Promise<dgram.Socket>>();
  readonly #pools = new Map<string, IdentifierPool>();
  readonly #pending = new Map<string, Pending>();
  #closed = false;
  readonly #stats = {
    requests: 0,
    transmissions: 0,
    retransmissions: 0,
    acks: 0,
    naks: 0,
    timeouts: 0,
    sendErrors: 0,
    dropped: { malformed: 0, unmatched: 0, unexpected_code: 0, bad_authenticator: 0, bad_message_authenticator: 0, missing_message_authenticator: 0 } as DropCounts,
  };

  constructor(opts: CoaClientOptions = {}) {
    this.#retry = checkRetry({ ...DEFAULT_RETRY, ...opts.retry });
    this.#clock = opts.clock ?? systemClock;
    this.#dictionary = opts.dictionary ?? loadDictionary();
    this.#requireMa = opts.requireMessageAuthenticator ?? false;
    this.#localAddress = { 4: opts.localAddress4, 6: opts.localAddress6 };
  }

  /** Asks the NAS to end the session (Disconnect-Request). */
  disconnect(target: CoaTarget, session: CoaSession, opts: RequestOptions = {}): Promise<CoaResult> {
    return this.#request('disconnect', target, session, [], opts);
  }

  /** Asks the NAS to change the live session's authorization (CoA-Request) to `attributes`. */
  coa(target: CoaTarget, session: CoaSession, attributes: readonly AttributeInput[], opts: RequestOptions = {}): Promise<CoaResult> {
    return this.#request('coa', target, session, attributes, opts);
  }

  /** Counters since the client was made. */
  stats(): CoaStats {
    return { ...this.#stats, dropped: { ...this.#stats.dropped } };
  }

  /** Outstanding requests (sent and not yet answered or given up). */
  get pending(): number {
    return this.#pending.size;
  }

  /**
   * Ends every outstanding request (as a timeout with `error: 'client closed'`) and releases the
   * sockets. Requests made afterwards end the same way without sending anything.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const p of [...this.#pending.values()]) this.#finish(p, { outcome: 'timeout', error: CLOSED });
    for (const pool of this.#pools.values()) pool.abandon();
    this.#pools.clear();
    const sockets = [...this.#sockets.values()];
    this.#sockets.clear();
    await Promise.all(
      sockets.map(async (pending) => {
        const socket = await pending.catch(() => undefined);
        if (socket === undefined) return;
        await new Promise<void>((resolve) => {
          try {
            socket.close(() => resolve());
          } catch {
            resolve();
          }
        });
      }),
    );
  }

  async #request(kind: CoaKind, target: CoaTarget, session: CoaSession, attributes: readonly AttributeInput[], opts: RequestOptions): Promise<CoaResult> {
    const where = canonicalHost(target.host);
    if (where === undefined) throw new CoaRequestError(`CoA target "${target.host}" is not an IP address`, 'host');
    const port = target.port ?? DEFAULT_COA_PORT;
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new CoaRequestError(`CoA port ${port} is not 1..65535`, 'port');
    const retry = opts.retry === undefined ? this.#retry : checkRetry({ ...this.#retry, ...opts.retry });
    // Build once with a placeholder identifier so a bad value rejects before anything waits or is sent.
    const build = (identifier: number): Buffer =>
      buildRequest({ kind, identifier, secret: target.secret, session, attributes, eventTimestamp: this.#clock.now() });
    build(0);
    if (this.#closed) return closedResult();

    this.#stats.requests++;
    const nasKey = `${where.host}|${port}`;
    let pool = this.#pools.get(nasKey);
    if (pool === undefined) {
      pool = new IdentifierPool();
      this.#pools.set(nasKey, pool);
    }
    const identifier = await pool.acquire();
    if (identifier === undefined || this.#closed) {
      if (identifier !== undefined) pool.release(identifier);
      return closedResult();
    }
    const packet = build(identifier);
    return new Promise<CoaResult>((resolve) => {
      const p: Pending = {
        key: `${nasKey}|${identifier}`,
        nasKey,
        kind,
        identifier,
        packet,
        secret: target.secret,
        host: where.host,
        port,
        family: where.family,
        retry,
        attempts: 0,
        firstSentAt: performance.now(),
        timer: undefined,
        lastError: undefined,
        resolve,
      };
      this.#pending.set(p.key, p);
      this.#transmit(p);
    });
  }

  #transmit(p: Pending): void {
    if (this.#pending.get(p.key) !== p) return;
    p.attempts++;
    if (p.attempts === 1) p.firstSentAt = performance.now();
    else this.#stats.retransmissions++;
    this.#stats.transmissions++;
    // The same bytes every time (RFC 5080 2.2.1): a reply to any copy answers the request.
    p.timer = setTimeout(() => this.#onTimer(p), retransmitDelay(p.retry, p.attempts));
    this.#socket(p.family).then(
      (socket) => {
        if (this.#pending.get(p.key) !== p) return;
        try {
          socket.send(p.packet, p.port, p.host, (err) => {
            if (err) this.#sendFailed(p, err);
          });
        } catch (err) {
          this.#sendFailed(p, err);
        }
      },
      (err: unknown) => this.#sendFailed(p, err),
    );
  }

  #sendFailed(p: Pending, err: unknown): void {
    this.#stats.sendErrors++;
    p.lastError = err instanceof Error ? err.message : String(err);
  }

  #onTimer(p: Pending): void {
    p.timer = undefined;
    if (this.#pending.get(p.key) !== p) return;
    if (p.attempts < p.retry.maxTries) this.#transmit(p);
    else this.#finish(p, p.lastError === undefined ? { outcome: 'timeout' } : { outcome: 'timeout', error: p.lastError });
  }

  #finish(p: Pending, end: { outcome: 'timeout'; error?: string } | { outcome: 'ack' | 'nak'; errorCause?: number; reply: Packet }): void {
    if (this.#pending.get(p.key) !== p) return;
    this.#pending.delete(p.key);
    if (p.timer !== undefined) clearTimeout(p.timer);
    this.#pools.get(p.nasKey)?.release(p.identifier);
    const rttMs = Math.round((performance.now() - p.firstSentAt) * 1000) / 1000;
    const base = { attempts: p.attempts, rttMs, identifier: p.identifier };
    if (end.outcome === 'timeout') {
      this.#stats.timeouts++;
      p.resolve({ outcome: 'timeout', sessionNotFound: false, ...base, ...(end.error === undefined ? {} : { error: end.error }) });
      return;
    }
    if (end.outcome === 'ack') this.#stats.acks++;
    else this.#stats.naks++;
    const cause = end.errorCause;
    const name = cause === undefined ? undefined : errorCauseName(this.#dictionary, cause);
    p.resolve({
      outcome: end.outcome,
      ...(cause === undefined ? {} : { errorCause: cause }),
      ...(name === undefined ? {} : { errorCauseName: name }),
      sessionNotFound: isSessionNotFound(cause),
      ...base,
      reply: end.reply,
    });
  }

  #onMessage(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    const decoded = decodePacket(msg);
    if (!decoded.ok) {
      this.#stats.dropped.malformed++;
      return;
    }
    const packet = decoded.packet;
    const p = this.#pending.get(`${rinfo.address}|${rinfo.port}|${packet.identifier}`);
    if (p === undefined) {
      this.#stats.dropped.unmatched++;
      return;
    }
    const verdict = judgeReply(packet, {
      kind: p.kind,
      authenticator: p.packet.subarray(4, 20),
      secret: p.secret,
      requireMessageAuthenticator: this.#requireMa,
    });
    if (!verdict.ok) {
      this.#stats.dropped[verdict.reason]++;
      return;
    }
    this.#finish(p, verdict.errorCause === undefined ? { outcome: verdict.outcome, reply: packet } : { outcome: verdict.outcome, errorCause: verdict.errorCause, reply: packet });
  }

  /** The family's socket, bound on first use to an ephemeral port. */
  #socket(family: Family): Promise<dgram.Socket> {
    let s = this.#sockets.get(family);
    if (s === undefined) {
      s = this.#bind(family);
      this.#sockets.set(family, s);
      // A failed bind is reported to the requests waiting on it; the next request tries again.
      s.catch(() => {
        if (this.#sockets.get(family) === s) this.#sockets.delete(family);
      });
    }
    return s;
  }

  #bind(family: Family): Promise<dgram.Socket> {
    return new Promise((resolve, reject) => {
      const socket = dgram.createSocket({ type: family === 4 ? 'udp4' : 'udp6' });
      let bound = false;
      socket.on('message', (msg, rinfo) => this.#onMessage(msg, rinfo));
      socket.on('error', (err) => {
        if (!bound) {
          try {
            socket.close();
          } catch {
            // already closed
          }
          reject(err);
          return;
        }
        // UDP sockets report send trouble here on some platforms; requests learn of it as silence.
        this.#stats.sendErrors++;
      });
      socket.once('listening', () => {
        bound = true;
        // An idle client must not keep the process alive; pending requests hold their timers.
        socket.unref();
        resolve(socket);
      });
      const address = this.#localAddress[family];
      socket.bind(address === undefined ? { port: 0 } : { port: 0, address });
    });
  }
}

function closedResult(): CoaResult {
  return { outcome: 'timeout', sessionNotFound: false, attempts: 0, rttMs: 0, error: CLOSED };
}
