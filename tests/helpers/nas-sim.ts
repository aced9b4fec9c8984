// A NAS simulator for the RFC 5176 client: a UDP listener on 127.0.0.1 that takes Disconnect-Request
// and CoA-Request, checks them, records them, and answers per a scripted policy.
//
// Its RADIUS arithmetic is written here from RFC 5176 and RFC 3579 with node:crypto only, on
// purpose: it does not call the codec, so a mistake in the codec cannot be mirrored by the simulator
// and pass unnoticed. Attributes are decoded by hand as well.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import dgram from 'node:dgram';
import { performance } from 'node:perf_hooks';

export const SIM_CODES = {
  DisconnectRequest: 40,
  DisconnectACK: 41,
  DisconnectNAK: 42,
  CoARequest: 43,
  CoAACK: 44,
  CoANAK: 45,
} as const;

const MIKROTIK = 14988;
const ZERO16 = Buffer.alloc(16);

export interface SimAttr {
  readonly type: number;
  /** 0 for standard attributes; the vendor of a Vendor-Specific sub-attribute otherwise. */
  readonly vendorId: number;
  readonly vendorType: number;
  readonly value: Buffer;
}

export interface SimRequest {
  readonly code: number;
  readonly identifier: number;
  readonly authenticator: Buffer;
  readonly raw: Buffer;
  readonly from: { readonly address: string; readonly port: number };
  /** performance.now() at arrival. */
  readonly at: number;
  /** 1 for the first arrival of these exact bytes, 2 for the first retransmission... */
  readonly transmission: number;
  readonly attrs: readonly SimAttr[];
  readonly hasMessageAuthenticator: boolean;
  readonly userName?: string;
  readonly acctSessionId?: string;
  readonly framedIpAddress?: string;
  readonly nasIpAddress?: string;
  /** Seconds since 1970. */
  readonly eventTimestamp?: number;
  readonly serviceType?: number;
  readonly mikrotikRateLimit?: string;
  readonly mikrotikAddressList?: string;
}

/** One datagram to send back. */
export interface SimReply {
  readonly kind: 'ack' | 'nak';
  readonly errorCause?: number;
  /** Milliseconds to wait before sending. */
  readonly delayMs?: number;
  /** Sign with this secret instead of the NAS's (a forgery, or a misconfigured NAS). */
  readonly secret?: string;
  /** Leave the Message-Authenticator out (default: put one first, as RFC 5176 3.1 allows). */
  readonly messageAuthenticator?: boolean;
  /** Flip a bit of the Message-Authenticator after signing it, keeping the Response Authenticator right. */
  readonly corruptMessageAuthenticator?: boolean;
  /** Compute the Message-Authenticator over 16 zero octets, as FreeRADIUS 3.2 does in its ACKs and NAKs. */
  readonly maOverZeros?: boolean;
  /** Send from a second socket on another port, as an impostor on the same host would. */
  readonly fromOtherPort?: boolean;
  /** Use this code instead of the one `kind` implies. */
  readonly code?: number;
}

export type SimAnswer = SimReply | readonly SimReply[] | undefined;

/**
 * What to do with a request that passed the checks: nothing (silence), or one or more replies, now
 * or when a returned promise settles (to hold answers until a test's condition is met).
 */
export type SimPolicy = (req: SimRequest) => SimAnswer | Promise<SimAnswer>;

export type SimDropReason = 'malformed' | 'unexpected_code' | 'bad_request_authenticator' | 'bad_message_authenticator' | 'missing_message_authenticator';

export interface NasSimOptions {
  readonly secret: string;
  readonly policy?: SimPolicy;
  /** Drop requests without a Message-Authenticator (default true: Tollgate always sends one). */
  readonly requireMessageAuthenticator?: boolean;
}

// --- RFC arithmetic, independent of src/ ---------------------------------------------------------

/** Walks the attributes; Vendor-Specific sub-attributes become their own entries. Undefined if malformed. */
export function parseAttrs(pkt: Buffer): SimAttr[] | undefined {
  const out: SimAttr[] = [];
  let pos = 20;
  while (pos < pkt.length) {
    if (pos + 2 > pkt.length) return undefined;
    const type = pkt[pos]!;
    const len = pkt[pos + 1]!;
    if (len < 2 || pos + len > pkt.length) return undefined;
    const value = pkt.subarray(pos + 2, pos + len);
    if (type === 26 && value.length >= 6) {
      const vendorId = value.readUInt32BE(0);
      let sub = 4;
      while (sub < value.length) {
        const subLen = value[sub + 1] ?? 0;
        if (subLen < 2 || sub + subLen > value.length) return undefined;
        out.push({ type, vendorId, vendorType: value[sub]!, value: value.subarray(sub + 2, sub + subLen) });
        sub += subLen;
      }
    } else {
      out.push({ type, vendorId: 0, vendorType: 0, value });
    }
    pos += len;
  }
  return out;
}

/** RFC 5176 2.3: MD5(Code + Identifier + Length + 16 zero octets + Attributes + Secret). */
export function simRequestAuthenticator(pkt: Buffer, secret: string): Buffer {
  const copy = Buffer.from(pkt);
  ZERO16.copy(copy, 4);
  return createHash('md5').update(copy).update(secret).digest();
}

/** RFC 2865 3 / RFC 5176 2.3: MD5(Code + Identifier + Length + Request Authenticator + Attributes + Secret). */
export function simResponseAuthenticator(pkt: Buffer, requestAuthenticator: Buffer, secret: string): Buffer {
  const copy = Buffer.from(pkt);
  requestAuthenticator.copy(copy, 4);
  return createHash('md5').update(copy).update(secret).digest();
}

/** Byte offset of the (single, 18-byte) Message-Authenticator's value, -1 if absent, undefined if malformed. */
function maOffset(pkt: Buffer): number | undefined {
  let at = -1;
  let pos = 20;
  while (pos + 2 <= pkt.length) {
    const len = pkt[pos + 1]!;
    if (len < 2) return undefined;
    if (pkt[pos] === 80) {
      if (len !== 18 || at !== -1) return undefined;
      at = pos + 2;
    }
    pos += len;
  }
  return at;
}

/**
 * RFC 3579 3.2 HMAC-MD5 keyed with the secret over the packet with the Message-Authenticator's value
 * zeroed and `headerAuthenticator` in the Authenticator field: 16 zero octets for CoA-Request and
 * Disconnect-Request (RFC 5176 3.4, as FreeRADIUS does), the request's authenticator for replies
 * (RFC 5176 3.4; FreeRADIUS 3.2 uses 16 zero octets there too).
 */
export function simMessageAuthenticator(pkt: Buffer, at: number, headerAuthenticator: Buffer, secret: string): Buffer {
  const copy = Buffer.from(pkt);
  headerAuthenticator.copy(copy, 4);
  copy.fill(0, at, at + 16);
  return createHmac('md5', secret).update(copy).digest();
}

function same(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function attr(type: number, value: Buffer): Buffer {
  return Buffer.concat([Buffer.from([type, value.length + 2]), value]);
}

/** A signed reply: Message-Authenticator first (unless left out), then the Response Authenticator. */
export function signSimReply(opts: {
  code: number;
  identifier: number;
  requestAuthenticator: Buffer;
  secret: string;
  errorCause?: number;
  messageAuthenticator?: boolean;
  corruptMessageAuthenticator?: boolean;
  maOverZeros?: boolean;
}): Buffer {
  const parts: Buffer[] = [];
  const withMa = opts.messageAuthenticator ?? true;
  if (withMa) parts.push(attr(80, ZERO16));
  if (opts.errorCause !== undefined) {
    const v = Buffer.alloc(4);
    v.writeUInt32BE(opts.errorCause);
    parts.push(attr(101, v));
  }
  const body = Buffer.concat(parts);
  const pkt = Buffer.alloc(20 + body.length);
  pkt[0] = opts.code;
  pkt[1] = opts.identifier;
  pkt.writeUInt16BE(pkt.length, 2);
  body.copy(pkt, 20);
  if (withMa) {
    simMessageAuthenticator(pkt, 22, opts.maOverZeros ? ZERO16 : opts.requestAuthenticator, opts.secret).copy(pkt, 22);
    if (opts.corruptMessageAuthenticator) pkt[22]! ^= 0x01;
  }
  simResponseAuthenticator(pkt, opts.requestAuthenticator, opts.secret).copy(pkt, 4);
  return pkt;
}

// --- the simulator --------------------------------------------------------------------------------

function readString(attrs: readonly SimAttr[], type: number, vendorId = 0): string | undefined {
  const a = attrs.find((x) => (vendorId === 0 ? x.type === type && x.vendorId === 0 : x.vendorId === vendorId && x.vendorType === type));
  return a?.value.toString('utf8');
}

function readIp(attrs: readonly SimAttr[], type: number): string | undefined {
  const a = attrs.find((x) => x.type === type && x.vendorId === 0);
  return a !== undefined && a.value.length === 4 ? [...a.value].join('.') : undefined;
}

function readInt(attrs: readonly SimAttr[], type: number): number | undefined {
  const a = attrs.find((x) => x.type === type && x.vendorId === 0);
  return a !== undefined && a.value.length === 4 ? a.value.readUInt32BE(0) : undefined;
}

export class NasSim {
  policy: SimPolicy;
  readonly received: SimRequest[] = [];
  readonly drops: Record<SimDropReason, number> = {
    malformed: 0,
    unexpected_code: 0,
    bad_request_authenticator: 0,
    bad_message_authenticator: 0,
    missing_message_authenticator: 0,
  };
  /**
   * Requests that arrived with the identifier of another request still unanswered (different bytes,
   * so not a retransmission): a client must never do that to one NAS.
   */
  duplicateIdentifiers = 0;
  /** Most requests outstanding (received, reply not yet sent) at once. */
  maxOutstanding = 0;

  readonly #secret: string;
  readonly #requireMa: boolean;
  readonly #seen = new Map<string, number>();
  /** identifier -> authenticator (hex) of the request awaiting its reply. */
  readonly #outstanding = new Map<number, string>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #closed = false;

  private constructor(
    private readonly socket: dgram.Socket,
    private readonly other: dgram.Socket,
    opts: NasSimOptions,
  ) {
    this.#secret = opts.secret;
    this.#requireMa = opts.requireMessageAuthenticator ?? true;
    this.policy = opts.policy ?? (() => ({ kind: 'ack' }));
    socket.on('message', (msg, rinfo) => this.#onMessage(msg, rinfo));
  }

  static async start(opts: NasSimOptions): Promise<NasSim> {
    const bind = (): Promise<dgram.Socket> =>
      new Promise((resolve, reject) => {
        const s = dgram.createSocket('udp4');
        s.once('error', reject);
        s.bind(0, '127.0.0.1', () => resolve(s));
      });
    return new NasSim(await bind(), await bind(), opts);
  }

  get port(): number {
    return this.socket.address().port;
  }

  /** The port the impostor socket sends from. */
  get otherPort(): number {
    return this.other.address().port;
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    await Promise.all([this.socket, this.other].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }

  #onMessage(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    const at = performance.now();
    if (msg.length < 20 || msg.readUInt16BE(2) < 20 || msg.readUInt16BE(2) > msg.length) {
      this.drops.malformed++;
      return;
    }
    const pkt = Buffer.from(msg.subarray(0, msg.readUInt16BE(2)));
    const code = pkt[0]!;
    if (code !== SIM_CODES.DisconnectRequest && code !== SIM_CODES.CoARequest) {
      this.drops.unexpected_code++;
      return;
    }
    const attrs = parseAttrs(pkt);
    const ma = maOffset(pkt);
    if (attrs === undefined || ma === undefined) {
      this.drops.malformed++;
      return;
    }
    const authenticator = pkt.subarray(4, 20);
    if (!same(simRequestAuthenticator(pkt, this.#secret), authenticator)) {
      this.drops.bad_request_authenticator++;
      return;
    }
    if (ma === -1 && this.#requireMa) {
      this.drops.missing_message_authenticator++;
      return;
    }
    if (ma !== -1 && !same(simMessageAuthenticator(pkt, ma, ZERO16, this.#secret), pkt.subarray(ma, ma + 16))) {
      this.drops.bad_message_authenticator++;
      return;
    }
    const identifier = pkt[1]!;
    const authHex = authenticator.toString('hex');
    const waiting = this.#outstanding.get(identifier);
    if (waiting !== undefined && waiting !== authHex) this.duplicateIdentifiers++;
    this.#outstanding.set(identifier, authHex);
    this.maxOutstanding = Math.max(this.maxOutstanding, this.#outstanding.size);

    const key = pkt.toString('hex');
    const transmission = (this.#seen.get(key) ?? 0) + 1;
    this.#seen.set(key, transmission);
    const eventTimestamp = readInt(attrs, 55);
    const serviceType = readInt(attrs, 6);
    const req: SimRequest = {
      code,
      identifier,
      authenticator: Buffer.from(authenticator),
      raw: pkt,
      from: { address: rinfo.address, port: rinfo.port },
      at,
      transmission,
      attrs,
      hasMessageAuthenticator: ma !== -1,
      ...optional('userName', readString(attrs, 1)),
      ...optional('acctSessionId', readString(attrs, 44)),
      ...optional('framedIpAddress', readIp(attrs, 8)),
      ...optional('nasIpAddress', readIp(attrs, 4)),
      ...optional('eventTimestamp', eventTimestamp),
      ...optional('serviceType', serviceType),
      ...optional('mikrotikRateLimit', readString(attrs, 8, MIKROTIK)),
      ...optional('mikrotikAddressList', readString(attrs, 19, MIKROTIK)),
    };
    this.received.push(req);

    const answer = this.policy(req);
    if (answer instanceof Promise) void answer.then((a) => this.#answer(a, code, identifier, authenticator, authHex, rinfo));
    else this.#answer(answer, code, identifier, authenticator, authHex, rinfo);
  }

  #answer(answer: SimAnswer, code: number, identifier: number, authenticator: Buffer, authHex: string, rinfo: dgram.RemoteInfo): void {
    if (this.#closed) return;
    const replies: readonly SimReply[] = answer === undefined ? [] : Array.isArray(answer) ? answer : [answer as SimReply];
    if (replies.length === 0) {
      this.#outstanding.delete(identifier);
      return;
    }
    let left = replies.length;
    for (const r of replies) {
      const send = (): void => {
        const ack = code === SIM_CODES.DisconnectRequest ? SIM_CODES.DisconnectACK : SIM_CODES.CoAACK;
        const reply = signSimReply({
          code: r.code ?? (r.kind === 'ack' ? ack : ack + 1),
          identifier,
          requestAuthenticator: authenticator,
          secret: r.secret ?? this.#secret,
          ...(r.errorCause === undefined ? {} : { errorCause: r.errorCause }),
          ...(r.messageAuthenticator === undefined ? {} : { messageAuthenticator: r.messageAuthenticator }),
          ...(r.corruptMessageAuthenticator === undefined ? {} : { corruptMessageAuthenticator: r.corruptMessageAuthenticator }),
          ...(r.maOverZeros === undefined ? {} : { maOverZeros: r.maOverZeros }),
        });
        if (--left === 0 && this.#outstanding.get(identifier) === authHex) this.#outstanding.delete(identifier);
        (r.fromOtherPort ? this.other : this.socket).send(reply, rinfo.port, rinfo.address);
      };
      if (r.delayMs === undefined || r.delayMs <= 0) send();
      else {
        const t = setTimeout(() => {
          this.#timers.delete(t);
          if (!this.#closed) send();
        }, r.delayMs);
        this.#timers.add(t);
      }
    }
  }
}

function optional<K extends string, T>(key: K, value: T | undefined): { [P in K]?: T } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: T };
}
