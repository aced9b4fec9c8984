/**
 * The RADIUS transport over UDP: sockets, decoding, the NAS a datagram comes from, duplicate
 * detection, the authenticity of each request, Status-Server, and the replies, batched per
 * event-loop turn. It knows nothing of services or sessions: a request that passes its checks goes
 * to a handler (handlers.ts), and what the handler says goes through the reply policy (policy.ts).
 * Every datagram that gets no reply is counted by reason and logged at most once a minute per source.
 */
import dgram from 'node:dgram';
import dns from 'node:dns';
import { isIP } from 'node:net';
import type { Logger } from 'pino';
import { parseListen } from '../../config/schema.js';
import type { Metrics } from '../../metrics.js';
import {
  checkMessageAuthenticator,
  Code,
  decodePacket,
  encodePacket,
  get,
  has,
  isAttr,
  RadiusPacketTooLargeError,
  verifyRequestAuthenticator,
  type AttributeAnomaly,
  type AttributeInput,
  type Packet,
} from '../codec/index.js';
import { A } from '../dict/attrs.js';
import type { Dictionary } from '../dict/dictionary.js';
import { NasTable, type NasClient } from './clients.js';
import { DuplicateCache } from './dedup.js';
import type { DropTracker } from './drops.js';
import type { AccessAnswer, AccessHandler, AccountingHandler } from './handlers.js';
import { DROP, REPLY_POLICY, type AccessOutcome, type AccountingOutcome, type StatusOutcome } from './policy.js';

/**
 * Why a datagram got no answer; each is a metric label. The first six are the transport's own; the
 * rest are outcomes the reply policy drops.
 */
export type DropReason =
  | 'malformed' | 'unknown_client' | 'unexpected_code' | 'duplicate_in_progress' | 'reply_too_large' | 'internal'
  | AccessOutcome | AccountingOutcome | StatusOutcome;

export interface TransportOptions<X extends AccessAnswer> {
  access: AccessHandler<X>;
  accounting: AccountingHandler;
  /** Resolves VALUE names in reply attributes. */
  dictionary: Dictionary;
  metrics: Metrics;
  log: Logger;
  /** Counts the drops an operator can fix (wrong secret, missing Message-Authenticator, unknown address) for the API. */
  drops?: DropTracker | undefined;
}

/** Who sent a dropped request, as far as the request tells. */
interface Sender {
  nas: NasClient | null;
  packet: Packet;
}

interface Outgoing {
  socket: dgram.Socket;
  reply: Buffer;
  address: string;
  port: number;
}

type Counter = ReturnType<Metrics['radiusRequests']['labels']>;

/**
 * Where a reply goes: every reply is addressed to the IP literal a request came from, so the default
 * (dns.lookup, which answers a literal on the next tick) would only add a tick and a callback per
 * reply; a literal is passed through at once and anything else still goes to dns.lookup.
 */
function literalLookup(hostname: string, options: dns.LookupOneOptions, callback: (err: NodeJS.ErrnoException | null, address: string, family: number) => void): void {
  const f = isIP(hostname);
  if (f !== 0) return callback(null, hostname, f);
  // dgram passes the socket's family as a number here; dns.lookup takes either form.
  dns.lookup(hostname, options, callback);
}

async function bind(listen: string, rcvbuf: number): Promise<dgram.Socket> {
  const parsed = parseListen(listen);
  if (!parsed) throw new Error(`not a listen address: ${listen}`);
  const { host, port } = parsed;
  const type = host.includes(':') ? 'udp6' : 'udp4';
  const socket = dgram.createSocket({ type, ipv6Only: type === 'udp6', lookup: literalLookup });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, host, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  // A NAS reboot sends thousands of requests at once: a roomy buffer keeps the kernel from dropping them.
  try {
    socket.setRecvBufferSize(rcvbuf);
  } catch {
    /* capped by net.core.rmem_max; the default still works */
  }
  return socket;
}

const show = (s: dgram.Socket): string => {
  const a = s.address();
  return a.family === 'IPv6' ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
};

/** Echoes the request's Proxy-State onto the reply's attributes, in order (RFC 2865 5.33). */
function appendProxyState(request: Packet, attributes: AttributeInput[]): AttributeInput[] {
  for (const a of request.attributes) if (isAttr(a, A.ProxyState)) attributes.push(a);
  return attributes;
}

const HINT_SECRET = 'wrong shared secret?';

export class RadiusTransport<X extends AccessAnswer> {
  /** The NAS list, replaced whole when it changes. */
  clients = new NasTable([]);
  private readonly dedup = new DuplicateCache();
  private readonly access: AccessHandler<X>;
  private readonly accounting: AccountingHandler;
  private readonly dictionary: Dictionary;
  private readonly metrics: Metrics;
  private readonly log: Logger;
  private readonly drops: DropTracker | undefined;
  private auth: dgram.Socket[] = [];
  private acct: dgram.Socket[] = [];
  // Labelled children resolved once: resolving labels hashes them on every call, per request.
  private readonly accessAccepted: Counter;
  private readonly attributeEmpty: Counter;
  private readonly vsaOpaque: Counter;
  private readonly accessRejected: Counter;
  private readonly accessLatency: ReturnType<Metrics['radiusLatency']['labels']>;
  private readonly accountingLatency: ReturnType<Metrics['radiusLatency']['labels']>;
  private readonly accountingAnswered = new Map<AccountingOutcome, Counter>();
  private readonly lastLogged = new Map<string, number>();
  // Replies leave together at the end of each event-loop turn (setImmediate runs right after the
  // poll phase that delivered the turn's datagrams), not one by one between requests. A NAS waiting
  // for several answers is then woken once per turn rather than once per answer, which on a busy
  // server is a large share of the cost of a reply, and the turn's requests are not held up by it.
  private outbox: Outgoing[] = [];
  /** Bound once: each turn's setImmediate gets the same function, not a new closure. */
  private readonly flush = (): void => this.flushReplies();

  constructor(opts: TransportOptions<X>) {
    this.access = opts.access;
    this.accounting = opts.accounting;
    this.dictionary = opts.dictionary;
    this.metrics = opts.metrics;
    this.log = opts.log;
    this.drops = opts.drops;
    this.accessAccepted = opts.metrics.radiusRequests.labels({ type: 'access', outcome: 'accept' });
    this.attributeEmpty = opts.metrics.radiusAttributeAnomalies.labels({ reason: 'attribute_empty' satisfies AttributeAnomaly });
    this.vsaOpaque = opts.metrics.radiusAttributeAnomalies.labels({ reason: 'vsa_opaque' satisfies AttributeAnomaly });
    this.accessRejected = opts.metrics.radiusRequests.labels({ type: 'access', outcome: 'reject' });
    this.accessLatency = opts.metrics.radiusLatency.labels({ type: 'access' });
    this.accountingLatency = opts.metrics.radiusLatency.labels({ type: 'accounting' });
  }

  async listen(authListen: readonly string[], acctListen: readonly string[], receiveBufferBytes: number): Promise<void> {
    this.auth = await Promise.all(authListen.map((l) => bind(l, receiveBufferBytes)));
    this.acct = await Promise.all(acctListen.map((l) => bind(l, receiveBufferBytes)));
    for (const s of this.auth) s.on('message', (m, r) => this.onMessage(s, false, m, r));
    for (const s of this.acct) s.on('message', (m, r) => this.onMessage(s, true, m, r));
    for (const s of [...this.auth, ...this.acct]) s.on('error', (e) => this.log.error({ err: e.message }, 'RADIUS socket error'));
  }

  /** Bound addresses as `ip:port`. */
  addresses(): { auth: string[]; acct: string[] } {
    return { auth: this.auth.map(show), acct: this.acct.map(show) };
  }

  /** Takes no more requests; replies already owed (accounting in its commit) can still leave. */
  stopReceiving(): void {
    for (const s of [...this.auth, ...this.acct]) s.removeAllListeners('message');
  }

  /** Lets the replies queued this turn leave, then closes the sockets. */
  async close(): Promise<void> {
    this.stopReceiving();
    await new Promise((r) => setImmediate(r));
    await Promise.all([...this.auth, ...this.acct].map((s) => new Promise<void>((r) => s.close(() => r()))));
  }

  private onMessage(socket: dgram.Socket, acct: boolean, msg: Buffer, rinfo: dgram.RemoteInfo): void {
    // performance.now(), not the clock: it measures the request's latency, a duration.
    const started = performance.now();
    const decoded = decodePacket(msg);
    if (!decoded.ok) return this.drop('malformed', rinfo.address, { why: decoded.reason });
    const p = decoded.packet;
    // Attributes the decoder left out (empty) or kept whole (a Vendor-Specific in another vendor's
    // layout): the packet goes on, and the count shows a NAS that sends them.
    if (p.emptyAttributes !== 0) this.attributeEmpty.inc(p.emptyAttributes);
    if (p.opaqueVsas !== 0) this.vsaOpaque.inc(p.opaqueVsas);
    const expected = acct ? Code.AccountingRequest : Code.AccessRequest;
    if (p.code !== expected && p.code !== Code.StatusServer) return this.drop('unexpected_code', rinfo.address, { code: p.code });
    const nas = this.clients.resolve(rinfo.address, () => get(p, A.NasIdentifier));
    if (!nas) return this.drop('unknown_client', rinfo.address, undefined, { nas: null, packet: p });
    // Date.now(), not the clock: the cache measures how long an entry has lived, a duration.
    const dup = this.dedup.check(rinfo.address, rinfo.port, p.identifier, p.authenticator, Date.now());
    if (typeof dup !== 'number') {
      this.metrics.radiusDuplicates.inc();
      if (dup !== null) this.transmit(socket, dup, rinfo.address, rinfo.port);
      return;
    }
    try {
      if (p.code === Code.StatusServer) this.status(socket, acct, p, nas, rinfo.address, rinfo.port, dup);
      else if (acct) this.accountingRequest(socket, p, nas, rinfo.address, rinfo.port, dup, started);
      else this.accessRequest(socket, p, nas, rinfo.address, rinfo.port, dup, started);
    } catch (e) {
      // Bad input that got past the decoder (an attribute of the wrong size, say) costs one request, never the server.
      this.unanswered('internal', dup, rinfo.address, { err: e instanceof Error ? e.message : String(e) });
    }
  }

  private accessRequest(socket: dgram.Socket, p: Packet, nas: NasClient, address: string, port: number, dup: number, started: number): void {
    const ma = checkMessageAuthenticator(p.raw, nas.secret);
    if (ma === 'invalid') return this.accessAnswered(socket, p, nas, address, port, dup, started, 'bad_message_authenticator', undefined);
    if (ma === 'absent' && nas.requireMessageAuthenticator) {
      return this.accessAnswered(socket, p, nas, address, port, dup, started, 'missing_message_authenticator', undefined);
    }
    if (ma === 'absent' && has(p, A.EapMessage)) {
      return this.accessAnswered(socket, p, nas, address, port, dup, started, 'eap_without_message_authenticator', undefined);
    }
    const answer = this.access.handle(p, nas);
    if (!(answer instanceof Promise)) return this.accessAnswered(socket, p, nas, address, port, dup, started, answer.outcome, answer);
    // The handler waits for the database: reply when it has. A retransmission meanwhile is a
    // duplicate in progress (dropped); a failure leaves the request unanswered, as a throw does.
    answer.then(
      (a) => {
        try {
          this.accessAnswered(socket, p, nas, address, port, dup, started, a.outcome, a);
        } catch (e) {
          this.unanswered('internal', dup, address, { err: e instanceof Error ? e.message : String(e) });
        }
      },
      (e: unknown) => this.unanswered('internal', dup, address, { err: e instanceof Error ? e.message : String(e) }),
    );
  }

  private accessAnswered(
    socket: dgram.Socket, p: Packet, nas: NasClient, address: string, port: number, dup: number, started: number, outcome: AccessOutcome,
    answer: X | undefined,
  ): void {
    const code = REPLY_POLICY.accessRequest[outcome];
    if (code === DROP) return this.unanswered(outcome, dup, address, detailOf(outcome, nas), { nas, packet: p });
    let reply: Buffer;
    try {
      reply = encodePacket({
        code, identifier: p.identifier, attributes: appendProxyState(p, answer === undefined ? [] : answer.attributes), secret: nas.secret,
        requestAuthenticator: p.authenticator, messageAuthenticator: 'first', dictionary: this.dictionary,
      });
    } catch (e) {
      // Proxy-State must be echoed whole (RFC 2865 5.33): a request that fills 4096 bytes with it
      // leaves no room for our attributes, and no valid reply exists. That is the request's fault.
      if (e instanceof RadiusPacketTooLargeError) return this.unanswered('reply_too_large', dup, address, { nas: nas.name, length: e.length });
      throw e;
    }
    this.send(socket, reply, address, port, dup);
    // Counted by what the NAS got: an 'invalid' request is a Reject to it, and to the dashboards.
    (code === Code.AccessAccept ? this.accessAccepted : this.accessRejected).inc();
    this.accessLatency.observe((performance.now() - started) / 1000);
    if (answer !== undefined) this.access.answered(answer);
  }

  private accountingRequest(socket: dgram.Socket, p: Packet, nas: NasClient, address: string, port: number, dup: number, started: number): void {
    if (!verifyRequestAuthenticator(p.raw, nas.secret)) return this.accountingSettled(socket, p, nas, address, port, dup, started, 'bad_authenticator');
    if (checkMessageAuthenticator(p.raw, nas.secret) === 'invalid') {
      return this.accountingSettled(socket, p, nas, address, port, dup, started, 'bad_message_authenticator');
    }
    this.accounting.handle(p, nas, (outcome) => this.accountingSettled(socket, p, nas, address, port, dup, started, outcome));
  }

  private accountingSettled(
    socket: dgram.Socket, p: Packet, nas: NasClient, address: string, port: number, dup: number, started: number, outcome: AccountingOutcome,
  ): void {
    const code = REPLY_POLICY.accountingRequest[outcome];
    if (code === DROP) return this.unanswered(outcome, dup, address, detailOf(outcome, nas), { nas, packet: p });
    try {
      // No Message-Authenticator here: RFC 3579 defines it for Access-* only, and the two reference
      // peers disagree on how to compute it for an Accounting-Response (FreeRADIUS over 16 zero octets,
      // others over the request's authenticator), so any choice makes one of them drop our answer.
      // The Response Authenticator already authenticates it; BlastRADIUS concerns Access-* packets.
      const reply = encodePacket({ code, identifier: p.identifier, attributes: appendProxyState(p, []), secret: nas.secret, requestAuthenticator: p.authenticator });
      this.send(socket, reply, address, port, dup);
    } catch (e) {
      // Reached after the commit, outside onMessage's guard: the record is kept, the NAS retransmits.
      return this.unanswered('internal', dup, address, { err: e instanceof Error ? e.message : String(e) });
    }
    let answered = this.accountingAnswered.get(outcome);
    if (answered === undefined) {
      answered = this.metrics.radiusRequests.labels({ type: 'accounting', outcome });
      this.accountingAnswered.set(outcome, answered);
    }
    answered.inc();
    this.accountingLatency.observe((performance.now() - started) / 1000);
  }

  /** Status-Server (RFC 5997): lets a NAS or a monitor check that we are alive. */
  private status(socket: dgram.Socket, acct: boolean, p: Packet, nas: NasClient, address: string, port: number, dup: number): void {
    const outcome: StatusOutcome = checkMessageAuthenticator(p.raw, nas.secret) === 'valid' ? 'alive' : 'bad_message_authenticator';
    const code = (acct ? REPLY_POLICY.statusServerAcct : REPLY_POLICY.statusServerAuth)[outcome];
    if (code === DROP) return this.unanswered(outcome, dup, address, detailOf(outcome, nas), { nas, packet: p });
    // requestCode: an Accounting-Response to a Status-Server signs its Message-Authenticator with the
    // request's authenticator (RFC 5997), not the zeros used when answering an Accounting-Request.
    const reply = encodePacket({
      code, identifier: p.identifier, attributes: [], secret: nas.secret,
      requestAuthenticator: p.authenticator, requestCode: Code.StatusServer, messageAuthenticator: 'first',
    });
    this.send(socket, reply, address, port, dup);
  }

  private send(socket: dgram.Socket, reply: Buffer, address: string, port: number, dup: number): void {
    // Date.now(), as in check(): the entry's lifetime is a duration.
    this.dedup.answered(dup, reply, Date.now());
    this.transmit(socket, reply, address, port);
  }

  private transmit(socket: dgram.Socket, reply: Buffer, address: string, port: number): void {
    if (this.outbox.length === 0) setImmediate(this.flush);
    this.outbox.push({ socket, reply, address, port });
  }

  private flushReplies(): void {
    const replies = this.outbox;
    this.outbox = [];
    for (const r of replies) {
      try {
        r.socket.send(r.reply, r.port, r.address);
      } catch {
        /* the socket closed during shutdown: the NAS retransmits and the duplicate cache is gone with us */
      }
    }
  }

  /** A request that gets no reply: its retransmission must be handled afresh, not treated as a duplicate. */
  private unanswered(reason: DropReason, dup: number, address: string, detail: Record<string, unknown>, sender?: Sender): void {
    this.dedup.forget(dup);
    this.drop(reason, address, detail, sender);
  }

  private drop(reason: DropReason, address: string, detail?: Record<string, unknown>, sender?: Sender): void {
    this.metrics.radiusDrops.inc({ reason });
    if (this.drops && sender) {
      // The User-Name of a request that failed its checks is unproven, but it is what the router sent:
      // support matches it against the subscriber who calls. A malformed one is left out.
      let username: string | undefined;
      try {
        username = get(sender.packet, A.UserName);
      } catch {
        username = undefined;
      }
      this.drops.record(reason, address, sender.nas?.id ?? null, username);
    }
    const key = `${reason}|${address}`;
    // Date.now(), not the clock: the rate limit below measures an interval.
    const t = Date.now();
    // Rate-limited: a misconfigured router retrying every second must not flood the journal.
    if ((this.lastLogged.get(key) ?? 0) + 60_000 > t) return;
    if (this.lastLogged.size > 10_000) this.lastLogged.clear();
    this.lastLogged.set(key, t);
    this.log.warn({ reason, source: address, ...detail }, 'RADIUS request dropped (logged once a minute per source and reason)');
  }
}

function detailOf(reason: DropReason, nas: NasClient): Record<string, unknown> {
  return reason === 'bad_authenticator' || reason === 'bad_message_authenticator' ? { nas: nas.name, hint: HINT_SECRET } : { nas: nas.name };
}
