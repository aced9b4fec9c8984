// RADIUS client-side wire helpers for the benchmark generators (mschapv2-load.mjs, storm.mjs).
// Written from RFC 2865/2866/2548/3579 with Node built-ins only, independently of src/radius/codec,
// so a codec bug in the server cannot be hidden by the same bug in the generator.
import crypto from 'node:crypto';
import net from 'node:net';

export const CODE = { AccessRequest: 1, AccessAccept: 2, AccessReject: 3, AccountingRequest: 4, AccountingResponse: 5, AccessChallenge: 11 };
export const ATTR = {
  UserName: 1, UserPassword: 2, NASIPAddress: 4, NASPort: 5, ServiceType: 6, FramedProtocol: 7, FramedIPAddress: 8,
  VendorSpecific: 26, CalledStationId: 30, CallingStationId: 31, NASIdentifier: 32,
  AcctStatusType: 40, AcctDelayTime: 41, AcctInputOctets: 42, AcctOutputOctets: 43, AcctSessionId: 44,
  AcctAuthentic: 45, AcctSessionTime: 46, AcctTerminateCause: 49, EventTimestamp: 55, NASPortType: 61,
  MessageAuthenticator: 80,
};
export const MS = {
  vendor: 311, ChapError: 2, MppeEncryptionPolicy: 7, MppeEncryptionTypes: 8, ChapChallenge: 11,
  MppeSendKey: 16, MppeRecvKey: 17, Chap2Response: 25, Chap2Success: 26,
};

export function isLoopback(h) {
  if (h === 'localhost') return true;
  if (net.isIPv4(h)) return h.startsWith('127.');
  if (net.isIPv6(h)) return h === '::1';
  return false;
}

const SCRATCH = Buffer.alloc(8192);
/** MD5 over the concatenation of buffers, through one scratch buffer and the one-shot hash. */
export function md5(...bufs) {
  let n = 0;
  for (const b of bufs) {
    b.copy(SCRATCH, n);
    n += b.length;
  }
  return crypto.hash('md5', SCRATCH.subarray(0, n), 'buffer');
}

/** HMAC-MD5 keys pre-padded once per secret: MD5(K^opad || MD5(K^ipad || m)). */
export function hmacKeys(secret) {
  const k = secret.length > 64 ? crypto.createHash('md5').update(secret).digest() : secret;
  const ipad = Buffer.alloc(64, 0x36);
  const opad = Buffer.alloc(64, 0x5c);
  for (let i = 0; i < k.length; i++) {
    ipad[i] ^= k[i];
    opad[i] ^= k[i];
  }
  return { ipad, opad };
}
export const hmacMd5 = (keys, data) => md5(keys.opad, md5(keys.ipad, data));

export function ipToInt(a) {
  const p = a.split('.').map(Number);
  return ((p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3]) >>> 0;
}

/** Builds one packet in a reusable buffer; finish() returns a copy. */
export class PacketWriter {
  constructor() {
    this.buf = Buffer.alloc(4096);
    this.off = 20;
  }
  reset() {
    this.off = 20;
    return this;
  }
  raw(type, value) {
    this.buf[this.off] = type;
    this.buf[this.off + 1] = value.length + 2;
    value.copy(this.buf, this.off + 2);
    this.off += value.length + 2;
    return this;
  }
  str(type, s) {
    const l = this.buf.write(s, this.off + 2, 'utf8') + 2;
    this.buf[this.off] = type;
    this.buf[this.off + 1] = l;
    this.off += l;
    return this;
  }
  u32(type, n) {
    this.buf[this.off] = type;
    this.buf[this.off + 1] = 6;
    this.buf.writeUInt32BE(n >>> 0, this.off + 2);
    this.off += 6;
    return this;
  }
  /** Vendor-Specific with one sub-attribute (RFC 2865 section 5.26). */
  vsa(vendor, type, value) {
    const o = this.off;
    this.buf[o] = ATTR.VendorSpecific;
    this.buf[o + 1] = value.length + 8;
    this.buf.writeUInt32BE(vendor, o + 2);
    this.buf[o + 6] = type;
    this.buf[o + 7] = value.length + 2;
    value.copy(this.buf, o + 8);
    this.off += value.length + 8;
    return this;
  }
  /** Reserves a zeroed Message-Authenticator; returns the offset of its value. */
  msgAuth() {
    this.buf[this.off] = ATTR.MessageAuthenticator;
    this.buf[this.off + 1] = 18;
    this.buf.fill(0, this.off + 2, this.off + 18);
    const at = this.off + 2;
    this.off += 18;
    return at;
  }
  finish(code, id, authenticator) {
    this.buf[0] = code;
    this.buf[1] = id;
    this.buf.writeUInt16BE(this.off, 2);
    authenticator.copy(this.buf, 4);
    return Buffer.from(this.buf.subarray(0, this.off));
  }
}

/** RFC 2865 section 5.2 User-Password hiding. */
export function hidePassword(pass, secret, reqAuth) {
  const p = Buffer.from(pass, 'utf8');
  const len = Math.max(16, Math.ceil(p.length / 16) * 16);
  const out = Buffer.alloc(len);
  p.copy(out);
  let prev = reqAuth;
  for (let i = 0; i < len; i += 16) {
    const b = md5(secret, prev);
    for (let j = 0; j < 16; j++) out[i + j] ^= b[j];
    prev = out.subarray(i, i + 16);
  }
  return out;
}

/** RFC 2548 section 2.4.2 salt decryption (MS-MPPE-Send/Recv-Key): the key without length and padding. */
export function saltDecrypt(value, secret, reqAuth) {
  if (value.length < 18 || (value.length - 2) % 16 !== 0) return null;
  const salt = value.subarray(0, 2);
  const c = value.subarray(2);
  const p = Buffer.alloc(c.length);
  let prev = Buffer.concat([reqAuth, salt]);
  for (let i = 0; i < c.length; i += 16) {
    const b = md5(secret, prev);
    for (let j = 0; j < 16; j++) p[i + j] = c[i + j] ^ b[j];
    prev = c.subarray(i, i + 16);
  }
  const len = p[0];
  return len + 1 <= p.length ? p.subarray(1, 1 + len) : null;
}

/** A pool of random bytes refilled in large chunks: one syscall per 64 KiB, not per packet. */
export class RandPool {
  constructor(size = 65536) {
    this.buf = Buffer.alloc(size);
    this.off = size;
  }
  take(n) {
    if (this.off + n > this.buf.length) {
      crypto.randomFillSync(this.buf);
      this.off = 0;
    }
    const b = Buffer.from(this.buf.subarray(this.off, this.off + n));
    this.off += n;
    return b;
  }
  u32() {
    return this.take(4).readUInt32BE(0);
  }
}

/**
 * Checks a reply: Response Authenticator (RFC 2865 section 3) and any Message-Authenticator
 * (RFC 3579 section 3.2). Returns { ok, reason, hasMa, attrs } where attrs lists [type, value] and
 * vendor sub-attributes as [vendor, type, value].
 */
export function checkReply(msg, secret, hk, reqAuth) {
  if (msg.length < 20) return { ok: false, reason: 'malformed' };
  const len = msg.readUInt16BE(2);
  if (len < 20 || len > msg.length) return { ok: false, reason: 'malformed' };
  const expect = md5(msg.subarray(0, 4), reqAuth, msg.subarray(20, len), secret);
  if (!expect.equals(msg.subarray(4, 20))) return { ok: false, reason: 'bad_response_auth' };
  const attrs = [];
  const vsas = [];
  let maOff = -1;
  for (let o = 20; o < len; ) {
    const t = msg[o];
    const l = msg[o + 1];
    if (l < 2 || o + l > len) return { ok: false, reason: 'malformed' };
    const v = msg.subarray(o + 2, o + l);
    if (t === ATTR.MessageAuthenticator && l === 18) maOff = o + 2;
    if (t === ATTR.VendorSpecific && v.length >= 6) {
      const vendor = v.readUInt32BE(0);
      for (let s = 4; s + 2 <= v.length; ) {
        const sl = v[s + 1];
        if (sl < 2 || s + sl > v.length) break;
        vsas.push([vendor, v[s], v.subarray(s + 2, s + sl)]);
        s += sl;
      }
    } else attrs.push([t, v]);
    o += l;
  }
  if (maOff >= 0) {
    const copy = Buffer.from(msg.subarray(0, len));
    reqAuth.copy(copy, 4);
    copy.fill(0, maOff, maOff + 16);
    if (!hmacMd5(hk, copy).equals(msg.subarray(maOff, maOff + 16))) return { ok: false, reason: 'bad_msg_auth' };
  }
  return { ok: true, code: msg[0], id: msg[1], hasMa: maOff >= 0, attrs, vsas };
}

/** Latency histogram with 1 µs buckets up to 200 ms (the same resolution radload reports). */
const HIST_US = 200000;
export class Hist {
  constructor() {
    this.b = new Uint32Array(HIST_US);
    this.over = [];
    this.n = 0;
    this.sum = 0;
    this.max = 0;
  }
  add(us) {
    us = Math.max(0, Math.round(us));
    if (us < HIST_US) this.b[us]++;
    else this.over.push(us);
    this.n++;
    this.sum += us;
    if (us > this.max) this.max = us;
  }
  pct(p) {
    if (!this.n) return null;
    const rank = Math.max(1, Math.ceil((p / 100) * this.n));
    let acc = 0;
    for (let i = 0; i < HIST_US; i++) {
      acc += this.b[i];
      if (acc >= rank) return i;
    }
    const o = this.over.slice().sort((a, b) => a - b);
    return o[rank - acc - 1];
  }
  summary() {
    const ms = (us) => (us == null ? null : Math.round(us) / 1000);
    return {
      p50: ms(this.pct(50)), p90: ms(this.pct(90)), p95: ms(this.pct(95)), p99: ms(this.pct(99)),
      p999: ms(this.pct(99.9)), max: ms(this.max), mean: this.n ? ms(this.sum / this.n) : null,
    };
  }
}

export const round = (x, d) => Math.round(x * 10 ** d) / 10 ** d;

/** Minimal --key value / --key=value / --flag parser. */
export function parseArgv(argv, flags) {
  const o = {};
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument: ${a}`);
    a = a.slice(2);
    let v;
    const eq = a.indexOf('=');
    if (eq >= 0) {
      v = a.slice(eq + 1);
      a = a.slice(0, eq);
    }
    if (flags.has(a)) {
      o[a] = v === undefined ? true : v !== 'false';
      continue;
    }
    if (v === undefined) {
      v = argv[++i];
      if (v === undefined) throw new Error(`--${a} needs a value`);
    }
    o[a] = v;
  }
  return o;
}
