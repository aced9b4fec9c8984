/**
 * Property tests of the pure codec: whatever bytes arrive, decodePacket answers with a value and
 * never throws, and its verdict matches a small reference reading of RFC 2865 section 3 and 5;
 * whatever a packet is built from, decoding it gives back every attribute value. The UDP-level fuzz
 * test (tests/integration/radius-fuzz.test.ts) throws the same kinds of bytes at the daemon.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Code,
  RadiusPacketTooLargeError,
  authenticatorKind,
  checkMessageAuthenticator,
  decodePacket,
  encodePacket,
  formatIPv6,
  get,
  getDecrypted,
  getTagged,
  replyMaAuthenticator,
  verifyRequestAuthenticator,
  verifyResponseAuthenticator,
  type AttributeInput,
  type DecodeFailure,
  type RawAttribute,
  type TypedAttribute,
} from '../../../src/radius/codec/index.js';
import { A, type AttributeDef } from '../../../src/radius/dict/index.js';

const SECRET = 'fuzz-shared-secret';
const ZERO16 = Buffer.alloc(16);

interface Reading {
  verdict: DecodeFailure | 'ok';
  /** Entries decodePacket should list, and the counts it should report. */
  attributes: number;
  empty: number;
  opaque: number;
}

/**
 * An independent reading of the framing rules, to compare decodePacket's verdict with: only the
 * framing fails a packet; an empty attribute (other than EAP-Message) is left out and counted; a
 * Vendor-Specific is split into its sub-attributes when it has a non-zero Vendor-Id and they tile
 * its value, and is otherwise one opaque entry, counted.
 */
function reference(buf: Uint8Array): Reading {
  const reading = (verdict: DecodeFailure | 'ok'): Reading => ({ verdict, attributes: 0, empty: 0, opaque: 0 });
  if (buf.length < 20) return reading('short');
  const length = (buf[2]! << 8) | buf[3]!;
  if (length < 20 || length > 4096) return reading('bad_length');
  if (length > buf.length) return reading('truncated');
  const r = reading('ok');
  let pos = 20;
  while (pos < length) {
    if (length - pos < 2) return reading('bad_attribute');
    const len = buf[pos + 1]!;
    if (len < 2 || pos + len > length) return reading('bad_attribute');
    if (len === 2 && buf[pos] !== 79) r.empty++;
    else if (buf[pos] !== 26) r.attributes++;
    else {
      const vendor = len >= 8 ? ((buf[pos + 2]! << 24) | (buf[pos + 3]! << 16) | (buf[pos + 4]! << 8) | buf[pos + 5]!) >>> 0 : 0;
      let subs = 0;
      let empties = 0;
      let sub = pos + 6;
      let tiles = vendor !== 0;
      while (tiles && sub < pos + len) {
        const subLen = pos + len - sub >= 2 ? buf[sub + 1]! : 0;
        if (subLen < 2 || sub + subLen > pos + len) tiles = false;
        else if (subLen === 2) empties++;
        else subs++;
        sub += subLen;
      }
      if (tiles) {
        r.attributes += subs;
        r.empty += empties;
      } else {
        r.attributes++;
        r.opaque++;
      }
    }
    pos += len;
  }
  return r;
}

function checkDecode(bytes: Uint8Array): void {
  const buf = Buffer.from(bytes);
  let r: ReturnType<typeof decodePacket>;
  try {
    r = decodePacket(buf);
  } catch (e) {
    throw new Error(`decodePacket threw on ${buf.toString('hex')}: ${(e as Error).message}`, { cause: e });
  }
  const ref = reference(buf);
  expect(r.ok ? 'ok' : r.reason).toBe(ref.verdict);
  if (!r.ok) return;
  const p = r.packet;
  expect([p.attributes.length, p.emptyAttributes, p.opaqueVsas]).toEqual([ref.attributes, ref.empty, ref.opaque]);
  expect(p.raw.length).toBe(buf.readUInt16BE(2));
  expect(p.code).toBe(buf[0]);
  expect(p.identifier).toBe(buf[1]);
  expect(p.authenticator.equals(buf.subarray(4, 20))).toBe(true);
  let valueBytes = 0;
  for (const a of p.attributes) {
    // Values are views into the packet, never past its Length field.
    expect(a.value.buffer).toBe(buf.buffer);
    expect(a.value.byteOffset - buf.byteOffset + a.value.length).toBeLessThanOrEqual(p.raw.length);
    valueBytes += a.value.length;
  }
  expect(valueBytes).toBeLessThanOrEqual(p.raw.length - 20);
  // The other entry points that take received bytes must not throw on a decodable packet either.
  checkMessageAuthenticator(buf, SECRET);
  verifyRequestAuthenticator(buf, SECRET);
  verifyResponseAuthenticator(buf, ZERO16, SECRET);
  for (const def of Object.values(A) as AttributeDef[]) {
    if (def.encrypt === 0) get(p, def);
    else getDecrypted(p, def, SECRET);
  }
}

/** One wire attribute: mostly well formed, sometimes with its length byte lying. */
const wireAttr = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 60 })).map(([t, v]) => [t, v.length + 2, ...v]) },
  {
    weight: 3,
    arbitrary: fc
      .tuple(
        fc.constantFrom(311, 14988, 14122, 0, 9, 0xffffffff),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 30 })), { minLength: 1, maxLength: 4 }),
      )
      .map(([vendor, subs]) => {
        const body = subs.flatMap(([t, v]) => [t, v.length + 2, ...v]);
        return [26, body.length + 6, vendor >>> 24, (vendor >>> 16) & 255, (vendor >>> 8) & 255, vendor & 255, ...body];
      }),
  },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0, 1, 255), fc.uint8Array({ maxLength: 8 })).map(([t, l, v]) => [t, l, ...v]) },
);

/** Every packet of the vector files, as seeds for mutation. */
const readVectors = <T>(name: string): T => JSON.parse(readFileSync(new URL(`../../vectors/${name}`, import.meta.url), 'utf8')) as T;
const SEEDS = [
  ...readVectors<{ packets: { hex: string }[] }>('rfc2865-examples.json').packets,
  ...readVectors<{ decode: { hex: string }[] }>('vendor-quirks.json').decode,
].map((v) => Buffer.from(v.hex.replace(/\s+/g, ''), 'hex'));

describe('decodePacket on arbitrary bytes', () => {
  it('agrees with the reference on mutations of the vector files\' packets', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SEEDS),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
        fc.integer({ min: -8, max: 8 }),
        (seed, flips, resize) => {
          let buf = Buffer.from(seed);
          // Flips land past the header most of the time: that is where the attribute rules are.
          for (const [pos, value] of flips) buf[20 + (pos % Math.max(1, buf.length - 20))] = value;
          buf = resize < 0 ? buf.subarray(0, Math.max(0, buf.length + resize)) : Buffer.concat([buf, Buffer.alloc(resize, 0x1a)]);
          checkDecode(buf);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('never throws on random datagrams of 0..4200 bytes, and agrees with the reference framing', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4200 }), (bytes) => checkDecode(bytes)),
      { numRuns: 2000 },
    );
  });

  it('never throws on attribute streams behind a sound header, with lying lengths and trailing bytes', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(1, 4, 12, 2, 5, 43, 0, 255),
        fc.array(wireAttr, { maxLength: 40 }),
        fc.integer({ min: -3, max: 3 }),
        fc.uint8Array({ maxLength: 4 }),
        (code, attrs, lengthSkew, trailing) => {
          const body = attrs.flat();
          const length = Math.max(0, Math.min(0xffff, 20 + body.length + lengthSkew));
          const buf = Buffer.concat([Buffer.from([code, 7, length >> 8, length & 255]), Buffer.alloc(16, 0xab), Buffer.from(body), Buffer.from(trailing)]);
          checkDecode(buf);
        },
      ),
      { numRuns: 3000 },
    );
  });
});

// ---- round trip

interface Gen {
  def: AttributeDef;
  value: fc.Arbitrary<{ input: TypedAttribute; expected: unknown }>;
}

// No RADIUS attribute is empty (RFC 8044 3.4-3.5): the encoder leaves one out, so none is generated.
const utf8Max = (max: number, maxLength = 40) =>
  fc.string({ unit: 'grapheme', minLength: 1, maxLength }).filter((s) => Buffer.byteLength(s, 'utf8') <= max);
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const bytes16 = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => Buffer.from(b));

function plain<T>(def: AttributeDef, arb: fc.Arbitrary<T>, expected: (v: T) => unknown = (v) => v, toInput: (v: T) => unknown = (v) => v): Gen {
  return { def, value: arb.map((v) => ({ input: { def, value: toInput(v) as TypedAttribute['value'] }, expected: expected(v) })) };
}

const GENS: Gen[] = [
  plain(A.UserName, utf8Max(253)),
  plain(A.NasIpAddress, fc.ipV4()),
  plain(A.NasPort, u32),
  plain(A.EventTimestamp, u32, (s) => s * 1000, (s) => new Date(s * 1000)),
  plain(A.AcctSessionId, utf8Max(253)),
  plain(A.CallingStationId, utf8Max(253)),
  plain(A.State, fc.uint8Array({ minLength: 1, maxLength: 253 }).map((b) => Buffer.from(b))),
  plain(A.ChapPassword, fc.uint8Array({ minLength: 17, maxLength: 17 }).map((b) => Buffer.from(b))),
  plain(A.NasIpv6Address, bytes16.map(formatIPv6)),
  plain(
    A.FramedIpv6Prefix,
    fc.tuple(bytes16, fc.integer({ min: 0, max: 128 })).map(([addr, bits]) => {
      for (let i = 0; i < 16; i++) addr[i]! &= (0xff << (8 - Math.max(0, Math.min(8, bits - i * 8)))) & 0xff;
      return `${formatIPv6(addr)}/${bits}`;
    }),
  ),
  plain(A.FramedInterfaceId, fc.uint8Array({ minLength: 8, maxLength: 8 }).map((b) => (Buffer.from(b).toString('hex').match(/..../g) ?? []).join(':'))),
  plain(A.MsChapChallenge, fc.uint8Array({ minLength: 1, maxLength: 247 }).map((b) => Buffer.from(b))),
  plain(A.MsChap2Response, fc.uint8Array({ minLength: 50, maxLength: 50 }).map((b) => Buffer.from(b))),
  plain(A.MikrotikRateLimit, utf8Max(247)),
  plain(A.MikrotikRecvLimit, u32),
  plain(A.MikrotikHostIp, fc.ipV4()),
  plain(A.WisprLocationName, utf8Max(247)),
  plain(A.WisprBandwidthMaxUp, u32),
  {
    def: A.TunnelType,
    value: fc.tuple(fc.integer({ min: 0, max: 0xffffff }), fc.integer({ min: 0, max: 31 })).map(([value, tag]) => ({
      input: { def: A.TunnelType, value, tag },
      expected: { tag, value },
    })),
  },
  {
    def: A.TunnelPrivateGroupId,
    value: fc.tuple(utf8Max(250), fc.integer({ min: 0, max: 31 })).map(([value, tag]) => ({
      input: { def: A.TunnelPrivateGroupId, value, tag },
      expected: { tag, value },
    })),
  },
  // Encrypted: read back with getDecrypted over the authenticator the encoder used.
  plain(A.UserPassword, utf8Max(128).filter((s) => !s.endsWith('\0'))),
  plain(A.TunnelPassword, utf8Max(100, 25)),
  plain(A.MsMppeSendKey, fc.uint8Array({ maxLength: 32 }).map((b) => Buffer.from(b))),
];

/** Raw attributes in type and vendor spaces none of GENS uses, so they can be checked in order. */
const RAW_TYPES = [192, 200, 224, 241, 255];
const RAW_VENDORS = [9, 2636, 0x7fffffff];
const rawAttr: fc.Arbitrary<RawAttribute> = fc.oneof(
  fc.tuple(fc.constantFrom(...RAW_TYPES), fc.uint8Array({ minLength: 1, maxLength: 100 })).map(([type, v]) => ({ type, vendorId: 0, vendorType: 0, value: Buffer.from(v) })),
  fc
    .tuple(fc.constantFrom(...RAW_VENDORS), fc.integer({ min: 0, max: 255 }), fc.uint8Array({ minLength: 1, maxLength: 100 }))
    .map(([vendorId, vendorType, v]) => ({ type: 26, vendorId, vendorType, value: Buffer.from(v) })),
);

const REQUEST_OF: Record<number, number> = {
  [Code.AccessAccept]: Code.AccessRequest,
  [Code.AccessReject]: Code.AccessRequest,
  [Code.AccessChallenge]: Code.AccessRequest,
  [Code.AccountingResponse]: Code.AccountingRequest,
  [Code.CoAACK]: Code.CoARequest,
};

const packetSpec = fc.record({
  code: fc.constantFrom(Code.AccessRequest, Code.AccountingRequest, Code.StatusServer, Code.CoARequest, Code.DisconnectRequest, ...Object.keys(REQUEST_OF).map(Number)),
  identifier: fc.integer({ min: 0, max: 255 }),
  authenticator: bytes16,
  ma: fc.constantFrom<'first' | 'last' | undefined>('first', 'last', undefined),
  typed: fc.uniqueArray(fc.integer({ min: 0, max: GENS.length - 1 }), { maxLength: 12 }).chain((idx) => fc.tuple(...idx.map((i) => GENS[i]!.value))),
  raw: fc.array(rawAttr, { maxLength: 8 }),
  order: fc.array(fc.nat(), { maxLength: 20 }),
});

describe('decode(encode(x)) round trip', () => {
  it('gives back every attribute value, in order, with valid authenticators', () => {
    fc.assert(
      fc.property(packetSpec, (s) => {
        // Interleave typed and raw attributes in an arbitrary order.
        const inputs: AttributeInput[] = [];
        const typed = [...s.typed];
        const raw = [...s.raw];
        for (let i = 0; typed.length + raw.length > 0; i++) {
          const fromTyped = raw.length === 0 || (typed.length > 0 && (s.order[i] ?? 0) % 2 === 0);
          inputs.push(fromTyped ? typed.shift()!.input : raw.shift()!);
        }
        const kind = authenticatorKind(s.code)!;
        const requestCode = REQUEST_OF[s.code];
        const opts = {
          code: s.code,
          identifier: s.identifier,
          attributes: inputs,
          secret: SECRET,
          ...(kind === 'random' ? { authenticator: s.authenticator } : {}),
          ...(kind === 'response' ? { requestAuthenticator: s.authenticator, requestCode } : {}),
          ...(s.ma ? { messageAuthenticator: s.ma } : {}),
        };
        let bytes: Buffer;
        try {
          bytes = encodePacket(opts);
        } catch (e) {
          // Only the size limit may refuse these inputs; the generators keep every value legal.
          fc.pre(!(e instanceof RadiusPacketTooLargeError));
          throw e;
        }
        const r = decodePacket(bytes);
        if (!r.ok) throw new Error(`own packet does not decode: ${r.reason}`);
        const p = r.packet;
        expect(p.code).toBe(s.code);
        expect(p.identifier).toBe(s.identifier);
        expect(p.raw.length).toBe(bytes.length);

        // Encryption keys on the request's authenticator; request-hash packets use 16 zero octets.
        const cryptoAuth = kind === 'request-hash' ? ZERO16 : s.authenticator;
        for (const { input, expected } of s.typed) {
          const def = input.def;
          let got: unknown;
          if (def.encrypt !== 0) got = getDecrypted(p, def, SECRET, cryptoAuth);
          else if (def.hasTag) got = getTagged(p, def);
          else got = get(p, def);
          if (got instanceof Date) got = got.getTime();
          expect(got, def.name).toEqual(expected);
        }
        const rawSeen = p.attributes.filter((a) => RAW_TYPES.includes(a.type) || (a.type === 26 && RAW_VENDORS.includes(a.vendorId)));
        expect(rawSeen.map((a) => [a.type, a.vendorId, a.vendorType, a.value.toString('hex')])).toEqual(
          s.raw.map((a) => [a.type, a.vendorId, a.vendorType, a.value.toString('hex')]),
        );
        // Message-Authenticator and the packet code's own authenticator check out.
        const mas = p.attributes.filter((a) => a.type === 80 && a.vendorId === 0);
        expect(mas.length).toBe(s.ma ? 1 : 0);
        if (s.ma === 'first') expect(p.attributes[0]!.type).toBe(80);
        if (s.ma === 'last') expect(p.attributes.at(-1)!.type).toBe(80);
        const maAuth = kind === 'response' ? replyMaAuthenticator(s.code, requestCode!, s.authenticator) : undefined;
        expect(checkMessageAuthenticator(bytes, SECRET, maAuth)).toBe(s.ma ? 'valid' : 'absent');
        if (kind === 'request-hash') expect(verifyRequestAuthenticator(bytes, SECRET)).toBe(true);
        if (kind === 'response') expect(verifyResponseAuthenticator(bytes, s.authenticator, SECRET)).toBe(true);
        if (kind === 'random') expect(p.authenticator.equals(s.authenticator)).toBe(true);
      }),
      { numRuns: 1500 },
    );
  });
});
