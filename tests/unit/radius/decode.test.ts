import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkMessageAuthenticator,
  decodePacket,
  get,
  getAll,
  verifyRequestAuthenticator,
  verifyResponseAuthenticator,
  type DecodeFailure,
} from '../../../src/radius/codec/index.js';
import { A } from '../../../src/radius/dict/index.js';

const readVectors = <T>(name: string): T => JSON.parse(readFileSync(new URL(`../../vectors/${name}`, import.meta.url), 'utf8')) as T;
const vectors = [
  ...readVectors<{ packets: { hex: string }[] }>('rfc2865-examples.json').packets,
  ...readVectors<{ decode: { hex: string }[] }>('vendor-quirks.json').decode,
].map((v) => Buffer.from(v.hex.replace(/\s+/g, ''), 'hex'));

function header(length: number, code = 1): Buffer {
  const b = Buffer.alloc(20);
  b[0] = code;
  b.writeUInt16BE(length, 2);
  return b;
}

function packet(...attrs: number[][]): Buffer {
  const body = Buffer.from(attrs.flat());
  return Buffer.concat([header(20 + body.length), body]);
}

function reason(buf: Buffer): DecodeFailure | 'ok' {
  const r = decodePacket(buf);
  return r.ok ? 'ok' : r.reason;
}

describe('decodePacket on malformed input', () => {
  it.each<[string, Buffer, DecodeFailure]>([
    ['empty', Buffer.alloc(0), 'short'],
    ['19 bytes', Buffer.alloc(19), 'short'],
    ['length field 19', header(19), 'bad_length'],
    ['length field 4097', Buffer.concat([header(4097), Buffer.alloc(4077)]), 'bad_length'],
    ['length field past the datagram', header(30), 'truncated'],
    ['attribute length 0', packet([1, 0]), 'bad_attribute'],
    ['attribute length 1', packet([1, 1]), 'bad_attribute'],
    ['attribute past the packet', packet([1, 9, 0x61]), 'bad_attribute'],
    ['lone type byte', packet([1]), 'bad_attribute'],
    // A Vendor-Specific whose value is not in the RFC 2865 5.26 layout no longer fails the packet:
    // see the opaque Vendor-Specific cases in tests/vectors/vendor-quirks.json.
    ['VSA past the packet', packet([26, 12, 0, 0, 0x3a, 0x8c, 8, 4, 0x31]), 'bad_attribute'],
  ])('%s -> %s', (_name, buf, expected) => {
    expect(reason(buf)).toBe(expected);
  });

  it('leaves out an empty attribute, splits several VSAs in one attribute 26, and ignores trailing bytes', () => {
    const buf = Buffer.concat([
      packet([1, 2], [26, 14, 0, 0, 0x3a, 0x8c, 8, 4, 0x31, 0x6b, 19, 4, 0x77, 0x67], [26, 12, 0, 0, 0x00, 0x0b, 2, 6, 0, 0, 0, 5]),
      Buffer.from([0xde, 0xad]),
    ]);
    const r = decodePacket(buf);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.packet.raw.length).toBe(buf.length - 2);
    expect(r.packet.emptyAttributes).toBe(1);
    expect(r.packet.opaqueVsas).toBe(0);
    expect(r.packet.attributes.map((a) => [a.type, a.vendorId, a.vendorType, a.value.toString('hex')])).toEqual([
      [26, 14988, 8, '316b'],
      [26, 14988, 19, '7767'],
      [26, 11, 2, '00000005'],
    ]);
    expect(get(r.packet, A.UserName)).toBeUndefined();
    expect(get(r.packet, A.MikrotikRateLimit)).toBe('1k');
    expect(get(r.packet, A.MikrotikAddressList)).toBe('wg');
  });

  it('reads a value of the wrong size as undefined rather than throwing', () => {
    const r = decodePacket(packet([4, 5, 1, 2, 3], [5, 3, 1], [95, 4, 0, 0]));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(get(r.packet, A.NasIpAddress)).toBeUndefined();
    expect(getAll(r.packet, A.NasPort)).toEqual([]);
    expect(get(r.packet, A.NasIpv6Address)).toBeUndefined();
  });
});

describe('decoding never throws (fast-check)', () => {
  const secret = 'xyzzy5461';
  const everyGetter = (buf: Buffer): void => {
    const r = decodePacket(buf);
    checkMessageAuthenticator(buf, secret);
    verifyRequestAuthenticator(buf, secret);
    verifyResponseAuthenticator(buf, Buffer.alloc(16), secret);
    if (!r.ok) return;
    for (const def of Object.values(A)) {
      if (def.encrypt === 0) getAll(r.packet, def);
    }
  };

  it('survives random buffers', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 300 }), (bytes) => {
        everyGetter(Buffer.from(bytes));
      }),
      { numRuns: 3000 },
    );
  });

  it('survives random buffers with a plausible header', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 300 }), fc.integer({ min: 0, max: 4200 }), (bytes, len) => {
        const buf = Buffer.concat([Buffer.from([1, 0, len >> 8, len & 0xff]), Buffer.alloc(16), Buffer.from(bytes)]);
        everyGetter(buf);
      }),
      { numRuns: 3000 },
    );
  });

  it('survives mutations of the vector files\' packets (byte flips, truncation, extension)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...vectors),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
        fc.integer({ min: -30, max: 30 }),
        (base, flips, resize) => {
          let buf = Buffer.from(base);
          for (const [pos, value] of flips) buf[pos % buf.length] = value;
          buf = resize < 0 ? buf.subarray(0, Math.max(0, buf.length + resize)) : Buffer.concat([buf, Buffer.alloc(resize, 0x1a)]);
          everyGetter(buf);
          const r = decodePacket(buf);
          if (r.ok) expect(r.packet.raw.length).toBe(buf.readUInt16BE(2));
        },
      ),
      { numRuns: 5000 },
    );
  });
});

describe('decode speed', () => {
  it('decodes a 12-attribute Access-Request well over 100k times a second', () => {
    const buf = packet(
      [1, 8, ...Buffer.from('flopsy')],
      [2, 18, ...Buffer.alloc(16, 9)],
      [4, 6, 192, 168, 1, 16],
      [5, 6, 0, 0, 0, 20],
      [6, 6, 0, 0, 0, 2],
      [7, 6, 0, 0, 0, 1],
      [30, 10, ...Buffer.from('service1')],
      [31, 19, ...Buffer.from('AA:BB:CC:DD:EE:FF')],
      [32, 6, ...Buffer.from('nas1')],
      [61, 6, 0, 0, 0, 15],
      [87, 7, ...Buffer.from('ether')],
      [80, 18, ...Buffer.alloc(16)],
    );
    expect(decodePacket(buf).ok).toBe(true);
    const n = 200_000;
    for (let i = 0; i < 20_000; i++) decodePacket(buf);
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) decodePacket(buf);
    const perSecond = n / (Number(process.hrtime.bigint() - t0) / 1e9);
    // Loose bound so a busy CI machine does not fail; typical figures are several times higher.
    expect(perSecond).toBeGreaterThan(150_000);
  });
});
