/**
 * Fuzzing the RADIUS listeners of the real daemon over UDP on 127.0.0.1: well over 100,000 datagrams
 * of random bytes and of mutated valid packets (seeded from tests/vectors and from requests built
 * with the codec), many of them re-signed with the NAS's secret so they get past the Request
 * Authenticator and Message-Authenticator checks and into attribute parsing, password decryption,
 * CHAP/MS-CHAP and accounting. Afterwards the daemon must still be up and answering, and its
 * counters must account for every datagram that reached it.
 *
 * Replay a failure with the printed seed: FUZZ_SEED=<seed> npx vitest run tests/integration/radius-fuzz.test.ts
 * (FUZZ_PACKETS changes the count). The bytes sent depend only on the seed.
 */
import dgram from 'node:dgram';
import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { setImmediate as yieldToLoop, setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import {
  Code,
  authenticatorKind,
  checkMessageAuthenticator,
  computeRequestAuthenticator,
  decodePacket,
  encodePacket,
  get,
  getDecrypted,
  signMessageAuthenticator,
  verifyResponseAuthenticator,
  type AttributeInput,
} from '../../src/radius/codec/index.js';
import { A, V } from '../../src/radius/dict/index.js';
import { buildChapRequest, buildMsChapV1Request, buildMsChapV2Request } from '../../src/radius/auth/client.js';
import { chapResponse } from '../../src/radius/auth/index.js';
import { api, createToken, startDaemon, type Daemon } from '../helpers/daemon.js';

const SECRET = 'fuzz-nas-shared-secret-7d1f';
const TOTAL = Number(process.env.FUZZ_PACKETS ?? 110_000);
const SEED = Number(process.env.FUZZ_SEED ?? randomInt(2 ** 31));
const ZERO16 = Buffer.alloc(16);

// ---- seeded randomness (sfc32): every byte sent derives from SEED

function sfc32(seed: number) {
  let a = 0x9e3779b9;
  let b = 0x243f6a88;
  let c = 0xb7e15162;
  let d = seed >>> 0;
  const next = () => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    const t = (a + b + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    return t;
  };
  for (let i = 0; i < 20; i++) next();
  return next;
}
const next32 = sfc32(SEED);
/** 0..n-1 */
const int = (n: number): number => Math.floor((next32() / 4294967296) * n);
const chance = (p: number): boolean => next32() / 4294967296 < p;
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
const bytes = (n: number): Buffer => {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i += 4) {
    const r = next32();
    b[i] = r;
    if (i + 1 < n) b[i + 1] = r >>> 8;
    if (i + 2 < n) b[i + 2] = r >>> 16;
    if (i + 3 < n) b[i + 3] = r >>> 24;
  }
  return b;
};
const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

// ---- seeds from the vector files

const vectorsRoot = new URL('../vectors/', import.meta.url);
const readVector = <T>(name: string): T => JSON.parse(readFileSync(new URL(name, vectorsRoot), 'utf8')) as T;
const rfc = readVector<{ secret: string; packets: { name: string; hex: string; code: number; password?: string }[] }>('rfc2865-examples.json');
const chapVectors = readVector<{ cases: { ident: number; password: string; chapChallenge?: string }[] }>('auth/chap.json');
const observed = readVector<Record<string, { userName: string; password: string; challenge: string; response: string }>>('auth/freeradius-3.2.1-observed.json');
const rfc2759 = readVector<{ hashExample: { userName: string; authenticatorChallenge: string; peerChallenge: string; ntResponse: string } }>('auth/mschapv2-rfc2759.json');
const rfc3079 = readVector<{ userName: string; authenticatorChallenge: string; peerChallenge: string; ntResponse: string }>('auth/mppe-rfc3079.json');
const rfc2433 = readVector<{ hashExample: { challenge: string; ntChallengeResponse: string } }>('auth/mschapv1-rfc2433.json');

/** Subscribers the vectors authenticate as, so that seeds from them reach the accept path too. */
const USERS: [string, string][] = [
  ['nemo', 'arctangent'],
  ['mopsy', 'challenge'],
  ['bob', 'hello'],
  ['ACME\\carol', 'hello'],
  ['User', 'clientPass'],
];

const rfcRequests = rfc.packets.filter((p) => p.code === Code.AccessRequest).map((p) => {
  const r = decodePacket(hex(p.hex));
  if (!r.ok) throw new Error(`${p.name}: ${r.reason}`);
  return { packet: r.packet, password: p.password };
});
const rfcReplies = rfc.packets.filter((p) => p.code !== Code.AccessRequest).map((p) => hex(p.hex));
// Requests that carry other vendors' Vendor-Specific layouts, empty and out-of-range attributes.
const quirkRequests = readVector<{ decode: { name: string; hex: string }[] }>('vendor-quirks.json').decode.flatMap((q) => {
  const r = decodePacket(hex(q.hex));
  return r.ok && r.packet.code === Code.AccessRequest ? [r.packet] : [];
});

function msChapV2Attrs(challenge: Buffer, peerChallenge: Buffer, ntResponse: Buffer, ident: number): AttributeInput[] {
  const response = Buffer.alloc(50);
  response[0] = ident;
  peerChallenge.copy(response, 2);
  ntResponse.copy(response, 26);
  return [{ def: A.MsChapChallenge, value: challenge }, { def: A.MsChap2Response, value: response }];
}

// ---- valid requests, built fresh each time so that no two share an identifier and authenticator

type Port = 'auth' | 'acct';
interface Datagram {
  port: Port;
  bytes: Buffer;
}

const mac = () => [...bytes(6)].map((b) => b.toString(16).padStart(2, '0')).join(':');
const ipv4 = () => [...bytes(4)].join('.');

function nasAttrs(): AttributeInput[] {
  const out: AttributeInput[] = [
    { def: A.NasIpAddress, value: ipv4() },
    { def: A.NasPort, value: next32() },
    { def: A.NasPortType, value: pick([0, 5, 15, 19]) },
  ];
  if (chance(0.7)) out.push({ def: A.CallingStationId, value: chance(0.8) ? mac() : bytes(int(30)).toString('latin1') });
  if (chance(0.5)) out.push({ def: A.CalledStationId, value: `hotspot-${int(100)}` });
  if (chance(0.5)) out.push({ def: A.NasIdentifier, value: 'fuzz-nas' });
  if (chance(0.5)) out.push({ def: A.ServiceType, value: V.ServiceType.FramedUser }, { def: A.FramedProtocol, value: V.FramedProtocol.PPP });
  if (chance(0.3)) out.push({ def: A.NasPortId, value: `ether${int(24)}` });
  if (chance(0.2)) out.push({ def: A.ProxyState, value: bytes(1 + int(40)) });
  return out;
}

/** Vendor-Specific attributes a MikroTik, a WISPr hotspot or a Microsoft peer would send. */
function vsaAttrs(): AttributeInput[] {
  const all: AttributeInput[] = [
    { def: A.MikrotikRealm, value: `realm${int(10)}` },
    { def: A.MikrotikHostIp, value: ipv4() },
    { def: A.MikrotikGroup, value: 'default' },
    { def: A.MikrotikWirelessVlanId, value: int(4096) },
    { def: A.MikrotikRateLimit, value: `${int(9999)}k/${int(9999)}k` },
    { def: A.WisprLocationId, value: `isocc=it,cc=39,ac=06,network=Fuzz${int(99)}` },
    { def: A.WisprLocationName, value: `Tower ${int(50)}` },
    { def: A.WisprLogoffUrl, value: 'http://10.0.0.1/logout' },
    { def: A.WisprBandwidthMaxDown, value: next32() },
    { def: A.MsChapDomain, value: 'ACME' },
    { def: A.MsPrimaryDnsServer, value: ipv4() },
    { def: A.MsMppeEncryptionTypes, value: 6 },
  ];
  return all.filter(() => chance(0.3));
}

const accessAuth = (): { identifier: number; authenticator: Buffer } => ({ identifier: int(256), authenticator: bytes(16) });

function accessRequest(method: AttributeInput[], userName: string, authenticator: Buffer, identifier: number): Buffer {
  return encodePacket({
    code: Code.AccessRequest,
    identifier,
    authenticator,
    attributes: [{ def: A.UserName, value: userName }, ...method, ...nasAttrs(), ...vsaAttrs()],
    secret: SECRET,
    messageAuthenticator: chance(0.8) ? 'first' : 'last',
  });
}

const accessSeeds: (() => Buffer)[] = [
  // PAP, right and wrong passwords, known and unknown users
  () => {
    const { identifier, authenticator } = accessAuth();
    const [user, password] = chance(0.7) ? pick(USERS) : [`u${int(1000)}`, 'nope'];
    return accessRequest([{ def: A.UserPassword, value: chance(0.8) ? password : bytes(int(129)) }], user, authenticator, identifier);
  },
  // CHAP with and without CHAP-Challenge (RFC 2865 2.2)
  () => {
    const { identifier, authenticator } = accessAuth();
    const ident = int(256);
    if (chance(0.5)) {
      const c = buildChapRequest({ password: 'hello', challenge: bytes(16), ident });
      return accessRequest([{ def: A.ChapPassword, value: c.chapPassword }, { def: A.ChapChallenge, value: c.chapChallenge }], 'bob', authenticator, identifier);
    }
    const chapPassword = Buffer.concat([Buffer.of(ident), chapResponse(ident, 'hello', authenticator)]);
    return accessRequest([{ def: A.ChapPassword, value: chapPassword }], 'bob', authenticator, identifier);
  },
  // CHAP from tests/vectors/auth/chap.json
  () => {
    const { identifier, authenticator } = accessAuth();
    const v = pick(chapVectors.cases);
    const challenge = v.chapChallenge ? hex(v.chapChallenge) : authenticator;
    const method: AttributeInput[] = [{ def: A.ChapPassword, value: Buffer.concat([Buffer.of(v.ident), chapResponse(v.ident, v.password, challenge)]) }];
    if (v.chapChallenge) method.push({ def: A.ChapChallenge, value: challenge });
    return accessRequest(method, 'bob', authenticator, identifier);
  },
  // MS-CHAPv2 built for a subscriber
  () => {
    const { identifier, authenticator } = accessAuth();
    const r = buildMsChapV2Request({ userName: 'User', password: 'clientPass', authenticatorChallenge: bytes(16), peerChallenge: bytes(16), ident: int(256) });
    return accessRequest([{ def: A.MsChapChallenge, value: r.challenge }, { def: A.MsChap2Response, value: r.response }], 'User', authenticator, identifier);
  },
  // MS-CHAPv2 from RFC 2759 9.2, RFC 3079 3.5.3 and FreeRADIUS's observed exchanges
  () => {
    const { identifier, authenticator } = accessAuth();
    const which = int(3);
    if (which === 0 || which === 1) {
      const v = which === 0 ? rfc2759.hashExample : rfc3079;
      return accessRequest(msChapV2Attrs(hex(v.authenticatorChallenge), hex(v.peerChallenge), hex(v.ntResponse), int(256)), v.userName, authenticator, identifier);
    }
    const v = pick([observed.mschapv2Domain!, observed.mschapv2Reject!]);
    return accessRequest([{ def: A.MsChapChallenge, value: hex(v.challenge) }, { def: A.MsChap2Response, value: hex(v.response) }], v.userName, authenticator, identifier);
  },
  // MS-CHAPv1, built and from RFC 2433 B.2 and FreeRADIUS's observed exchanges
  () => {
    const { identifier, authenticator } = accessAuth();
    const which = int(3);
    if (which === 0) {
      const r = buildMsChapV1Request({ password: 'hello', challenge: bytes(8), ident: int(256) });
      return accessRequest([{ def: A.MsChapChallenge, value: r.challenge }, { def: A.MsChapResponse, value: r.response }], 'bob', authenticator, identifier);
    }
    if (which === 1) {
      const response = Buffer.alloc(50);
      response[1] = 1;
      hex(rfc2433.hashExample.ntChallengeResponse).copy(response, 26);
      return accessRequest([{ def: A.MsChapChallenge, value: hex(rfc2433.hashExample.challenge) }, { def: A.MsChapResponse, value: response }], 'User', authenticator, identifier);
    }
    const v = pick([observed.mschapv1!, observed.mschapv1Reject!]);
    return accessRequest([{ def: A.MsChapChallenge, value: hex(v.challenge) }, { def: A.MsChapResponse, value: hex(v.response) }], v.userName, authenticator, identifier);
  },
  // The RFC 2865 section 7 Access-Requests, re-signed with our secret under a fresh authenticator
  () => {
    const { identifier, authenticator } = accessAuth();
    const v = pick(rfcRequests);
    const attributes: AttributeInput[] = v.packet.attributes.map((a) =>
      a.type === A.UserPassword.code && a.vendorId === 0 ? { def: A.UserPassword, value: getDecrypted(v.packet, A.UserPassword, rfc.secret) ?? '' } : a,
    );
    return encodePacket({ code: Code.AccessRequest, identifier, authenticator, attributes, secret: SECRET, messageAuthenticator: 'first' });
  },
  // The vendor-quirk requests of tests/vectors/vendor-quirks.json, re-signed with our secret
  () => {
    const { identifier, authenticator } = accessAuth();
    return encodePacket({ code: Code.AccessRequest, identifier, authenticator, attributes: pick(quirkRequests).attributes, secret: SECRET, messageAuthenticator: 'first' });
  },
  // No authentication attribute at all
  () => {
    const { identifier, authenticator } = accessAuth();
    return accessRequest([], pick(USERS)[0], authenticator, identifier);
  },
];

let sessionCounter = 0;
function accountingRequest(): Buffer {
  const status = chance(0.9) ? pick([1, 1, 2, 3, 3, 3, 7, 8, 15]) : int(300);
  const attributes: AttributeInput[] = [{ def: A.AcctStatusType, value: status }];
  if (chance(0.95)) attributes.push({ def: A.AcctSessionId, value: chance(0.5) ? `fz${(sessionCounter++).toString(16)}` : `fz${int(64)}` });
  attributes.push({ def: A.UserName, value: chance(0.7) ? pick(USERS)[0] : `u${int(1000)}` });
  attributes.push(...nasAttrs(), ...vsaAttrs());
  if (chance(0.7)) attributes.push({ def: A.FramedIpAddress, value: ipv4() });
  if (chance(0.8)) attributes.push({ def: A.AcctSessionTime, value: chance(0.9) ? int(86_400) : next32() });
  if (chance(0.8)) attributes.push({ def: A.AcctInputOctets, value: next32() }, { def: A.AcctOutputOctets, value: next32() });
  if (chance(0.4)) attributes.push({ def: A.AcctInputGigawords, value: chance(0.8) ? int(8) : next32() }, { def: A.AcctOutputGigawords, value: chance(0.8) ? int(8) : next32() });
  if (status === 2 || chance(0.1)) attributes.push({ def: A.AcctTerminateCause, value: chance(0.9) ? 1 + int(18) : next32() });
  if (chance(0.5)) attributes.push({ def: A.AcctInterimInterval, value: chance(0.9) ? 60 * (1 + int(10)) : next32() });
  if (chance(0.4)) attributes.push({ def: A.EventTimestamp, value: next32() });
  if (chance(0.4)) attributes.push({ def: A.AcctDelayTime, value: int(30) }, { def: A.AcctAuthentic, value: 1 });
  return encodePacket({
    code: Code.AccountingRequest,
    identifier: int(256),
    attributes,
    secret: SECRET,
    ...(chance(0.3) ? { messageAuthenticator: chance(0.5) ? ('first' as const) : ('last' as const) } : {}),
  });
}

function statusServer(): Buffer {
  return encodePacket({ code: Code.StatusServer, identifier: int(256), authenticator: bytes(16), attributes: [], secret: SECRET, messageAuthenticator: 'first' });
}

function seed(): Datagram {
  const r = int(100);
  if (r < 55) return { port: 'auth', bytes: pick(accessSeeds)() };
  if (r < 93) return { port: 'acct', bytes: accountingRequest() };
  if (r < 97) return { port: chance(0.5) ? 'auth' : 'acct', bytes: statusServer() };
  // Replies sent to a server: dropped as unexpected. A fresh identifier and authenticator keep a
  // mutation of one (into a Status-Server, say) from being a retransmission of another.
  const reply = Buffer.from(pick(rfcReplies));
  reply[1] = int(256);
  bytes(16).copy(reply, 4);
  return { port: chance(0.5) ? 'auth' : 'acct', bytes: reply };
}

// ---- mutations

/** Top-level attribute spans [start, length] of a packet, as far as they are well formed. */
function spans(b: Buffer): [number, number][] {
  const out: [number, number][] = [];
  const end = b.length >= 4 ? Math.min(b.length, b.readUInt16BE(2)) : 0;
  for (let pos = 20; pos + 2 <= end; ) {
    const len = b[pos + 1]!;
    if (len < 2 || pos + len > end) break;
    out.push([pos, len]);
    pos += len;
  }
  return out;
}

const withLength = (b: Buffer): Buffer => {
  if (b.length >= 4) b.writeUInt16BE(Math.min(b.length, 0xffff), 2);
  return b;
};

const INTERESTING_TYPES = [1, 2, 3, 4, 5, 8, 18, 24, 25, 26, 30, 31, 32, 33, 40, 41, 42, 43, 44, 46, 49, 52, 53, 55, 60, 61, 64, 69, 79, 80, 85, 87, 95, 97, 123];
const MS_TYPES = [1, 2, 7, 8, 10, 11, 12, 16, 17, 25, 26];

function valueFor(_type: number): Buffer {
  const len = pick([0, 1, 2, 3, 4, 4, 4, 6, 8, 16, 16, 17, 18, 32, 49, 50, 51, 128, 129, int(254)]);
  return bytes(len);
}

/** A random attribute, well framed, weighted towards the types the server reads. */
function randomAttribute(): Buffer {
  if (chance(0.3)) {
    const vendor = pick([311, 311, 14988, 14122, 9, next32()]);
    const subs: Buffer[] = [];
    let room = 255 - 6;
    for (let n = 1 + int(3); n > 0 && room >= 2; n--) {
      const type = vendor === 311 ? pick(MS_TYPES) : int(32);
      const value = valueFor(type).subarray(0, room - 2);
      subs.push(Buffer.concat([Buffer.from([type, value.length + 2]), value]));
      room -= value.length + 2;
    }
    const body = Buffer.concat(subs);
    const head = Buffer.from([26, body.length + 6, 0, 0, 0, 0]);
    head.writeUInt32BE(vendor >>> 0, 2);
    return Buffer.concat([head, body]);
  }
  const type = chance(0.8) ? pick(INTERESTING_TYPES) : int(256);
  const value = type === 80 && chance(0.8) ? bytes(16) : valueFor(type).subarray(0, 253);
  return Buffer.concat([Buffer.from([type, value.length + 2]), value]);
}

function insertAt(b: Buffer, at: number, piece: Buffer): Buffer {
  return withLength(Buffer.concat([b.subarray(0, at), piece, b.subarray(at)]));
}

/** Each takes a packet (a copy it may change) and returns the mutated datagram. */
const MUTATIONS: ((b: Buffer) => Buffer)[] = [
  // bit flips anywhere, header included
  (b) => {
    for (let n = 1 + int(8); n > 0 && b.length > 0; n--) b[int(b.length)]! ^= 1 << int(8);
    return b;
  },
  // a random byte overwritten
  (b) => {
    if (b.length > 0) b[int(b.length)] = int(256);
    return b;
  },
  // truncation, the Length field kept (so it lies) or fixed up
  (b) => {
    const cut = b.subarray(0, int(b.length + 1));
    return chance(0.5) ? cut : withLength(Buffer.from(cut));
  },
  // a lying Length field
  (b) => {
    if (b.length >= 4) b.writeUInt16BE(pick([0, 1, 19, 20, b.length - 1, b.length + 1, b.length + int(200), 4096, 4097, 0xffff, int(0x10000)]) & 0xffff, 2);
    return b;
  },
  // an attribute length of 0, 1 or 255 (overrunning), or one off
  (b) => {
    const s = spans(b);
    if (s.length === 0) return b;
    const [at, len] = pick(s);
    b[at + 1] = pick([0, 1, 255, len + 1, len - 1, int(256)]) & 0xff;
    return b;
  },
  // a Vendor-Specific whose vendor id, inner length or outer length lies
  (b) => {
    const vsas = spans(b).filter(([at]) => b[at] === 26);
    if (vsas.length === 0) return b;
    const [at, len] = pick(vsas);
    if (len >= 8 && chance(0.6)) b[at + 7] = pick([0, 1, 2, 255, len - 5, len - 7, int(256)]) & 0xff;
    else if (len >= 6 && chance(0.5)) b.writeUInt32BE(pick([0, 311, 14988, 14122, next32()]) >>> 0, at + 2);
    else b[at + 1] = pick([2, 3, 6, 7, 8, 255]);
    return b;
  },
  // duplicated attributes (a second User-Name, User-Password, Message-Authenticator, status type...)
  (b) => {
    let out = b;
    for (let n = 1 + int(4); n > 0; n--) {
      const s = spans(out);
      if (s.length === 0) break;
      const [at, len] = pick(s);
      out = insertAt(out, chance(0.5) ? pick(s)[0] : out.length, Buffer.from(out.subarray(at, at + len)));
    }
    return out;
  },
  // a huge number of attributes, up to the 4096-byte limit and sometimes past it
  (b) => {
    const limit = chance(0.8) ? 4096 : 4096 + int(100);
    const kind = int(4);
    const parts: Buffer[] = [b];
    let size = b.length;
    const target = chance(0.5) ? limit : 20 + int(limit - 20);
    while (size < target) {
      let a: Buffer;
      if (kind === 0) a = Buffer.from([pick([1, 18, 25, 31, 44, 224]), 2]);
      else if (kind === 1) {
        // Proxy-State, which every reply must echo: many of them make a reply larger than a request.
        const len = chance(0.5) ? 253 : 1 + int(253);
        a = Buffer.concat([Buffer.from([33, len + 2]), bytes(len)]);
      } else if (kind === 2) a = Buffer.from([26, 8, 0, 0, 0x3a, 0x8c, 1 + int(30), 2]);
      else a = randomAttribute();
      if (size + a.length > limit) break;
      parts.push(a);
      size += a.length;
    }
    return withLength(Buffer.concat(parts));
  },
  // attributes dropped
  (b) => {
    const s = spans(b);
    if (s.length === 0) return b;
    const [at, len] = pick(s);
    return withLength(Buffer.concat([b.subarray(0, at), b.subarray(at + len)]));
  },
  // garbage attributes behind a sound header (re-signed below, so they reach the handlers)
  (b) => {
    const keep = spans(b).filter(() => chance(0.5));
    const parts = [b.subarray(0, 20), ...keep.map(([at, len]) => b.subarray(at, at + len))];
    let size = parts.reduce((n, p) => n + p.length, 0);
    for (let n = int(30); n > 0; n--) {
      const a = randomAttribute();
      if (size + a.length > 4096) break;
      parts.splice(1 + int(parts.length), 0, a);
      size += a.length;
    }
    return withLength(Buffer.concat(parts));
  },
  // another packet code
  (b) => {
    if (b.length > 0) b[0] = pick([1, 1, 4, 4, 12, 2, 3, 5, 11, 40, 43, 0, 255, int(256)]);
    return b;
  },
  // bytes after the Length field, which the server must ignore
  (b) => Buffer.concat([b, bytes(1 + int(200))]),
  // an attribute's value replaced by random bytes of the same length
  (b) => {
    const s = spans(b);
    if (s.length === 0) return b;
    const [at, len] = pick(s);
    bytes(len - 2).copy(b, at + 2);
    return b;
  },
];

/**
 * Signs a mutated request with the NAS's secret, as a NAS that sent these bytes would have: a valid
 * Message-Authenticator (added when missing, for Access-Request and Status-Server) and, for an
 * Accounting-Request, a valid Request Authenticator. Packets whose framing is broken are left as
 * they are: the server drops them before looking at authenticators.
 */
function resign(b: Buffer): Buffer {
  if (b.length < 20) return b;
  const length = b.readUInt16BE(2);
  if (length < 20 || length > 4096 || length > b.length) return b;
  const kind = authenticatorKind(b[0]!);
  if (kind !== 'random' && kind !== 'request-hash') return b;
  let pkt = b;
  if (spans(pkt).reduce((n, [, len]) => n + len, 20) !== length) return b;
  let ma = spans(pkt).find(([at, len]) => pkt[at] === 80 && len === 18);
  if (ma === undefined && kind === 'random' && length + 18 <= 4096) {
    pkt = insertAt(Buffer.from(pkt.subarray(0, length)), 20, Buffer.concat([Buffer.from([80, 18]), ZERO16]));
    ma = [20, 18];
  }
  const framed = pkt.subarray(0, pkt.readUInt16BE(2));
  if (ma !== undefined) {
    ZERO16.copy(framed, ma[0] + 2);
    signMessageAuthenticator(framed, ma[0] + 2, kind === 'random' ? Buffer.from(framed.subarray(4, 20)) : ZERO16, SECRET);
  }
  if (kind === 'request-hash') computeRequestAuthenticator(framed, SECRET).copy(framed, 4);
  return pkt;
}

// ---- the stream of datagrams

/** Recently sent datagrams, resent now and then as a NAS retransmits. */
const recent: Datagram[] = [];

function nextDatagram(): Datagram & { resend: boolean } {
  const r = int(1000);
  if (r < 20 && recent.length > 0) return { ...pick(recent), resend: true };
  let d: Datagram;
  if (r < 220) {
    // Purely random bytes of 0..4200 bytes, often short.
    const len = chance(0.8) ? int(4201) : int(41);
    d = { port: chance(0.5) ? 'auth' : 'acct', bytes: bytes(len) };
  } else if (r < 270) {
    // Random attribute bytes behind a plausible header.
    const body = bytes(int(400));
    const b = Buffer.concat([Buffer.from([pick([1, 4, 12, int(256)]), int(256), 0, 0]), bytes(16), body]);
    d = { port: chance(0.5) ? 'auth' : 'acct', bytes: chance(0.7) ? withLength(b) : b };
  } else if (r < 350) {
    // Valid requests as they are, so the success paths (accept, MPPE keys, accounting) run too.
    d = seed();
  } else {
    const s = seed();
    let b: Buffer = Buffer.from(s.bytes);
    for (let n = 1 + (chance(0.3) ? int(3) : 0); n > 0; n--) b = pick(MUTATIONS)(b);
    if (chance(0.65)) b = resign(b);
    d = { port: chance(0.9) ? s.port : s.port === 'auth' ? 'acct' : 'auth', bytes: b };
  }
  if (recent.length < 256) recent.push(d);
  else recent[int(256)] = d;
  return { ...d, resend: false };
}

// ---- observing the daemon

interface SocketStats {
  sockets: number;
  rxQueue: number;
  drops: number;
}

/** Receive-queue bytes and kernel drops of the daemon's UDP sockets, from /proc/net/udp. */
function socketStats(ports: number[]): SocketStats {
  const wanted = new Set(ports.map((p) => `0100007F:${p.toString(16).toUpperCase().padStart(4, '0')}`));
  const out = { sockets: 0, rxQueue: 0, drops: 0 };
  for (const line of readFileSync('/proc/net/udp', 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 13 || !wanted.has(f[1]!)) continue;
    out.sockets++;
    out.rxQueue += Number.parseInt(f[4]!.split(':')[1]!, 16);
    out.drops += Number(f[12]);
  }
  return out;
}

type Counters = Map<string, number>;

async function scrape(d: Daemon): Promise<Counters> {
  const res = await fetch(`${d.http}/metrics`);
  expect(res.status).toBe(200);
  const out: Counters = new Map();
  for (const line of (await res.text()).split('\n')) {
    const m = /^(tollgate_radius_(?:dropped|requests|duplicates)_total)(\{[^}]*\})?\s+(\S+)$/.exec(line);
    if (m) out.set(`${m[1]}${m[2] ?? ''}`, Number(m[3]));
  }
  return out;
}

function delta(before: Counters, after: Counters, prefix: string): { total: number; by: Record<string, number> } {
  const by: Record<string, number> = {};
  let total = 0;
  for (const [k, v] of after) {
    if (!k.startsWith(prefix)) continue;
    const d = v - (before.get(k) ?? 0);
    if (d === 0) continue;
    by[k.slice(prefix.length) || 'value'] = d;
    total += d;
  }
  return { total, by };
}

/** Sends one request and waits for the reply with its identifier, retransmitting like a NAS. */
async function exchange(port: number, request: Buffer): Promise<Buffer> {
  const s = dgram.createSocket('udp4');
  try {
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
    const reply = new Promise<Buffer>((resolve) => s.on('message', (m) => m[1] === request[1] && resolve(m)));
    for (let attempt = 0; attempt < 3; attempt++) {
      s.send(request, port, '127.0.0.1');
      const got = await Promise.race([reply, sleep(2000).then(() => undefined)]);
      if (got) return got;
    }
    throw new Error(`no reply from 127.0.0.1:${port}`);
  } finally {
    s.close();
  }
}

async function papAccept(d: Daemon): Promise<void> {
  const authenticator = bytes(16);
  const request = encodePacket({
    code: Code.AccessRequest,
    identifier: 200,
    authenticator,
    attributes: [{ def: A.UserName, value: 'bob' }, { def: A.UserPassword, value: 'hello' }, { def: A.NasPort, value: 1 }],
    secret: SECRET,
    messageAuthenticator: 'first',
  });
  const reply = await exchange(d.authPort, request);
  const r = decodePacket(reply);
  if (!r.ok) throw new Error(`reply does not decode: ${r.reason}`);
  expect(r.packet.code, get(r.packet, A.ReplyMessage)).toBe(Code.AccessAccept);
  expect(verifyResponseAuthenticator(reply, authenticator, SECRET)).toBe(true);
  expect(checkMessageAuthenticator(reply, SECRET, authenticator)).toBe('valid');
  expect(get(r.packet, A.MikrotikRateLimit)).toBe('2000k/10000k');
}

async function accountingOff(d: Daemon): Promise<void> {
  // Closes every session the fuzzing opened for this NAS, so simultaneous-use cannot refuse the check.
  const request = encodePacket({
    code: Code.AccountingRequest,
    identifier: 201,
    attributes: [{ def: A.AcctStatusType, value: V.AcctStatusType.AccountingOff }, { def: A.NasIdentifier, value: `final-${SEED}` }, { def: A.EventTimestamp, value: new Date() }],
    secret: SECRET,
  });
  const reply = await exchange(d.acctPort, request);
  expect(reply[0]).toBe(Code.AccountingResponse);
}

/**
 * An Access-Request that would be accepted, filled to 4096 bytes with Proxy-State: the reply must
 * echo them all and cannot fit, so it is dropped and counted (it once made the handler throw).
 */
async function tooLargeToAnswer(d: Daemon): Promise<void> {
  const r = buildMsChapV2Request({ userName: 'User', password: 'clientPass', authenticatorChallenge: bytes(16), peerChallenge: bytes(16), ident: 1 });
  const attributes: AttributeInput[] = [
    { def: A.UserName, value: 'User' },
    { def: A.MsChapChallenge, value: r.challenge },
    { def: A.MsChap2Response, value: r.response },
  ];
  const room = 4096 - 20 - 18 - 6 - 24 - 58;
  for (let left = room; left >= 3; left -= Math.min(255, left)) attributes.push({ def: A.ProxyState, value: bytes(Math.min(255, left) - 2) });
  const request = encodePacket({ code: Code.AccessRequest, identifier: 77, authenticator: bytes(16), attributes, secret: SECRET, messageAuthenticator: 'first' });
  expect(request.length).toBeGreaterThan(4090);
  const key = 'tollgate_radius_dropped_total{reason="reply_too_large"}';
  const before = (await scrape(d)).get(key) ?? 0;
  const s = dgram.createSocket('udp4');
  let replied = false;
  s.on('message', () => (replied = true));
  await new Promise<void>((res) => s.bind(0, '127.0.0.1', res));
  s.send(request, d.authPort, '127.0.0.1');
  let after = before;
  for (let i = 0; i < 40 && after === before; i++) {
    await sleep(50);
    after = (await scrape(d)).get(key) ?? 0;
  }
  s.close();
  expect(after - before).toBe(1);
  expect(replied).toBe(false);
}

describe('RADIUS listeners under fuzzing', () => {
  it(`survive ${TOTAL} random and mutated datagrams, count every drop and answer right after`, async () => {
    console.log(`radius fuzz: seed ${SEED} (replay with FUZZ_SEED=${SEED}), ${TOTAL} datagrams`);
    const d = await startDaemon();
    const client = dgram.createSocket('udp4');
    try {
      const token = createToken(d.config);
      const created = async (path: string, body: object) => {
        const r = await api(d.http, token, 'POST', path, body);
        expect(r.status, `${path}: ${JSON.stringify(r.body)}`).toBe(201);
        return r.body.id as number;
      };
      await created('/api/v1/nas', { name: 'fuzz-nas', ipAddress: '127.0.0.1', secret: SECRET, vendor: 'mikrotik' });
      const planId = await created('/api/v1/plans', { name: 'Fuzz 10M', type: 'recurring', price: 1000, billingPeriodMonths: 1, downloadKbps: 10000, uploadKbps: 2000 });
      const customerId = await created('/api/v1/customers', { name: 'Fuzz Customer' });
      const startDate = new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10);
      for (const [username, password] of USERS) await created('/api/v1/services', { customerId, planId, username, password, startDate, simultaneousUse: 1000 });
      // The set-up works end to end before the fuzzing starts, so the check after it means something.
      await papAccept(d);

      const ports = { auth: d.authPort, acct: d.acctPort };
      const proc = [d.authPort, d.acctPort];
      let replies = 0;
      client.on('message', () => replies++);
      await new Promise<void>((r) => client.bind(0, '127.0.0.1', r));
      try {
        client.setRecvBufferSize(4 << 20);
      } catch {
        /* capped by net.core.rmem_max: only the reply count, which is a lower bound anyway, suffers */
      }

      const before = await scrape(d);
      const kernelBefore = socketStats(proc);
      // Pacing and the kernel-drop count below rely on finding both listeners.
      expect(kernelBefore.sockets).toBe(2);
      const tally = { sent: 0, auth: 0, acct: 0, shortOrLyingLength: 0, malformed: 0, unexpectedCode: 0, statusAnswerable: 0, resends: 0, statusKeyReused: 0 };
      const keys = new Set<string>();
      let inFlight = 0;
      const started = Date.now();
      while (tally.sent < TOTAL) {
        for (let k = 0; k < 64 && tally.sent < TOTAL; k++) {
          const dg = nextDatagram();
          const b = dg.bytes;
          tally.sent++;
          tally[dg.port]++;
          if (dg.resend) tally.resends++;
          // What the server must make of it. The length checks are spelt out here; the rest follows the
          // pure decoder, which tests/unit/radius/fuzz.test.ts holds against a reference reading.
          if (b.length < 20 || b.readUInt16BE(2) < 20 || b.readUInt16BE(2) > 4096 || b.readUInt16BE(2) > b.length) tally.shortOrLyingLength++;
          const decoded = decodePacket(b);
          if (!decoded.ok) tally.malformed++;
          else if (decoded.packet.code !== Code.StatusServer && decoded.packet.code !== (dg.port === 'auth' ? Code.AccessRequest : Code.AccountingRequest)) tally.unexpectedCode++;
          else {
            // Reaches the duplicate cache, keyed on identifier and authenticator (the source is always ours).
            const key = b.subarray(1, 2).toString('hex') + b.subarray(4, 20).toString('hex');
            const seen = keys.has(key);
            keys.add(key);
            if (decoded.packet.code === Code.StatusServer && checkMessageAuthenticator(b, SECRET) === 'valid') {
              // A retransmission of an answered Status-Server is a duplicate; a new one that repeats the
              // key of an earlier request is answered only if that request was dropped (and forgotten).
              if (!seen) tally.statusAnswerable++;
              else if (!dg.resend) tally.statusKeyReused++;
            }
          }
          inFlight++;
          client.send(b, ports[dg.port], '127.0.0.1', () => inFlight--);
        }
        await yieldToLoop();
        // Keep the daemon's receive queues from overflowing: the point is to test the daemon, not the kernel.
        for (let spins = 0; inFlight > 256 || socketStats(proc).rxQueue > 1 << 20; spins++) {
          if (spins > 20_000) throw new Error('the daemon stopped reading its sockets');
          await sleep(1);
        }
      }
      const sendSeconds = (Date.now() - started) / 1000;

      // Let the daemon drain its queues and commit the last accounting batch.
      let after = await scrape(d);
      let accounted = -1;
      for (let i = 0; i < 100; i++) {
        await sleep(250);
        const now = await scrape(d);
        const total = delta(before, now, 'tollgate_radius_dropped_total').total + delta(before, now, 'tollgate_radius_requests_total').total + delta(before, now, 'tollgate_radius_duplicates_total').total;
        after = now;
        if (total === accounted && socketStats(proc).rxQueue === 0) break;
        accounted = total;
      }
      const kernelDrops = socketStats(proc).drops - kernelBefore.drops;

      // Still alive, still answering, still healthy.
      expect(d.proc.exitCode).toBeNull();
      expect(d.proc.signalCode).toBeNull();
      // A failed accounting commit or a socket error is logged at error level; neither may happen.
      expect(d.logs.filter((l) => Number(l.level) >= 50)).toEqual([]);
      await accountingOff(d);
      await papAccept(d);
      await tooLargeToAnswer(d);
      expect((await fetch(`${d.http}/healthz`)).status).toBe(200);

      const drops = delta(before, after, 'tollgate_radius_dropped_total');
      const answered = delta(before, after, 'tollgate_radius_requests_total');
      const duplicates = delta(before, after, 'tollgate_radius_duplicates_total').total;
      const internalErrors = d.logs.filter((l) => l.reason === 'internal').map((l) => l.err);
      const summary = {
        seed: SEED,
        sent: tally,
        sendSeconds,
        kernelDrops,
        drops: drops.by,
        answered: answered.by,
        duplicates,
        repliesReceived: replies,
        internalErrors,
      };
      console.log(`radius fuzz: ${JSON.stringify(summary)}`);

      const dropped = (reason: string) => drops.by[`{reason="${reason}"}`] ?? 0;
      expect(tally.sent).toBeGreaterThanOrEqual(100_000);
      expect(tally.auth).toBeGreaterThan(0.3 * TOTAL);
      expect(tally.acct).toBeGreaterThan(0.3 * TOTAL);
      // Pacing kept the kernel from discarding more than a sliver, so what follows is about the daemon.
      expect(kernelDrops).toBeLessThan(0.01 * TOTAL);
      const delivered = tally.sent - kernelDrops;
      // Every datagram known to be malformed is counted as such, and nothing else is.
      expect(tally.malformed).toBeGreaterThanOrEqual(tally.shortOrLyingLength);
      expect(dropped('malformed')).toBeGreaterThanOrEqual(tally.malformed - kernelDrops);
      expect(dropped('malformed')).toBeLessThanOrEqual(tally.malformed);
      expect(dropped('malformed')).toBeGreaterThanOrEqual(tally.shortOrLyingLength - kernelDrops);
      expect(dropped('unexpected_code')).toBeGreaterThanOrEqual(tally.unexpectedCode - kernelDrops);
      expect(dropped('unexpected_code')).toBeLessThanOrEqual(tally.unexpectedCode);
      // Everything came from the registered NAS, and no accounting batch failed because of a bad record.
      expect(dropped('unknown_client')).toBe(0);
      expect(dropped('store_failed')).toBe(0);
      // Input that passes the decoder must not make a handler throw.
      expect(dropped('internal'), JSON.stringify(internalErrors)).toBe(0);
      // Every delivered datagram is answered, dropped for a reason, or a duplicate; the only answers
      // not counted as requests are those to a Status-Server with a valid Message-Authenticator.
      const unaccounted = delivered - drops.total - answered.total - duplicates;
      expect(unaccounted).toBeGreaterThanOrEqual(0);
      expect(unaccounted).toBeLessThanOrEqual(tally.statusAnswerable + tally.statusKeyReused);
      if (kernelDrops === 0) expect(unaccounted).toBeGreaterThanOrEqual(tally.statusAnswerable);
      // The fuzzing reached past the checks into the handlers, both ways.
      expect(answered.by['{type="access",outcome="accept"}'] ?? 0).toBeGreaterThan(100);
      expect(answered.by['{type="access",outcome="reject"}'] ?? 0).toBeGreaterThan(1000);
      expect(answered.by['{type="accounting",outcome="start"}'] ?? 0).toBeGreaterThan(100);
      expect(dropped('bad_message_authenticator')).toBeGreaterThan(100);
      expect(dropped('bad_authenticator')).toBeGreaterThan(100);
      expect(duplicates).toBeGreaterThan(0);
      expect(replies).toBeGreaterThan(0);
      expect(replies).toBeLessThanOrEqual(answered.total + duplicates + unaccounted);
    } finally {
      client.close();
      await d.stop();
    }
  }, 120_000);
});
