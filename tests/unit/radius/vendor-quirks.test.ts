/**
 * The cases of tests/vectors/vendor-quirks.json, both directions: each decode case is a whole
 * packet whose attributes must come out as listed, with the counts of attributes left out as empty
 * and of Vendor-Specific attributes kept whole, and, where nothing was left out, the decoded
 * attributes must encode to the same octets; each encode case is a list of attributes and the
 * octets written (none for an empty value), or the attribute an error names.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  Code,
  RadiusEncodeError,
  decodePacket,
  encodePacket,
  get,
  getDecrypted,
  getTagged,
  isAttr,
  type AttributeInput,
  type Packet,
  type RawAttribute,
} from '../../../src/radius/codec/index.js';
import { defineAttr, loadDictionary, type AttributeDef } from '../../../src/radius/dict/index.js';

type Value = string | number;
interface ExpectedAttr {
  attr: string;
  value?: Value;
  tag?: number;
  /** Kept raw (these octets) but not a valid instance of `attr`: every getter reads nothing. */
  invalid?: true;
  raw?: string;
}
interface DecodeCase {
  name: string;
  item: number;
  hex: string;
  attributes: ExpectedAttr[];
  emptyAttributes: number;
  opaqueVsas: number;
  /** False where re-encoding cannot give the same octets (several sub-attributes in one Vendor-Specific). */
  reencodes?: false;
}
type InputAttr = { attr: string; value: Value; tag?: number } | { raw: { type: number; vendorId: number; vendorType: number; value: string } };
interface EncodeCase {
  name: string;
  item: number;
  attributes: InputAttr[];
  hex?: string;
  error?: string;
}

const file = JSON.parse(readFileSync(new URL('../../vectors/vendor-quirks.json', import.meta.url), 'utf8')) as {
  decode: DecodeCase[];
  encode: EncodeCase[];
};
const dict = loadDictionary();
const SECRET = 'vendor-quirks';
const octets = (hex: string): Buffer => Buffer.from(hex.replace(/\s+/g, ''), 'hex');
const value = (v: Value): Value | Buffer => (typeof v === 'string' && v.startsWith('hex:') ? octets(v.slice(4)) : v);

function defOf(name: string): AttributeDef {
  const def = dict.attr(name);
  if (def === undefined) throw new Error(`${name} is not in the dictionary`);
  return def;
}

/** The packet with only `a` in it, so the getters read this instance and no other. */
const only = (p: Packet, a: RawAttribute): Packet => ({ ...p, attributes: [a] });

describe('vendor quirks: decoding', () => {
  for (const c of file.decode) {
    describe(`${c.item}. ${c.name}`, () => {
      const bytes = octets(c.hex);
      const r = decodePacket(bytes);

      it('decodes, every attribute as listed, with the counts listed', () => {
        if (!r.ok) throw new Error(`not decoded: ${r.reason}`);
        const p = r.packet;
        expect(p.attributes).toHaveLength(c.attributes.length);
        c.attributes.forEach((e, i) => {
          const a = p.attributes[i]!;
          const def = defOf(e.attr);
          expect(isAttr(a, def), `${i}: ${e.attr}`).toBe(true);
          if (e.invalid) {
            expect(a.value.toString('hex'), e.attr).toBe(octets(e.raw!.slice(4)).toString('hex'));
            if (def.encrypt !== 0) {
              expect(getDecrypted(only(p, a), def, SECRET), e.attr).toBeUndefined();
            } else {
              expect(get(only(p, a), def), e.attr).toBeUndefined();
              expect(getTagged(only(p, a), def), e.attr).toBeUndefined();
            }
          } else if (def.hasTag) {
            expect(getTagged(only(p, a), def), e.attr).toEqual({ tag: e.tag, value: value(e.value!) });
          } else {
            expect(get(only(p, a), def), e.attr).toEqual(value(e.value!));
          }
        });
        expect({ emptyAttributes: p.emptyAttributes, opaqueVsas: p.opaqueVsas }).toEqual({ emptyAttributes: c.emptyAttributes, opaqueVsas: c.opaqueVsas });
      });

      if (c.emptyAttributes === 0 && c.reencodes !== false) {
        it('re-encodes byte for byte from the decoded attributes', () => {
          if (!r.ok) throw new Error(r.reason);
          const p = r.packet;
          const out = encodePacket({ code: p.code, identifier: p.identifier, authenticator: p.authenticator, attributes: p.attributes, secret: SECRET });
          expect(out.toString('hex')).toBe(bytes.toString('hex'));
        });
      }
    });
  }
});

function input(a: InputAttr): AttributeInput {
  if ('raw' in a) return { ...a.raw, value: octets(a.raw.value.slice(4)) };
  return { def: defOf(a.attr), value: value(a.value), ...(a.tag === undefined ? {} : { tag: a.tag }) };
}

describe('vendor quirks: encoding', () => {
  for (const c of file.encode) {
    it(`${c.item}. ${c.name}`, () => {
      const build = (): Buffer =>
        encodePacket({ code: Code.AccessRequest, identifier: 0, authenticator: Buffer.alloc(16), attributes: c.attributes.map(input), secret: SECRET });
      if (c.error !== undefined) {
        let error: unknown;
        try {
          build();
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(RadiusEncodeError);
        expect((error as RadiusEncodeError).field).toBe(c.error);
        expect((error as RadiusEncodeError).message).toContain(c.error);
      } else {
        const out = build();
        expect(out.subarray(20).toString('hex')).toBe(octets(c.hex!).toString('hex'));
        // And it reads back: the octets written are a packet the decoder takes without loss.
        const r = decodePacket(out);
        expect(r.ok && r.packet.emptyAttributes + r.packet.opaqueVsas).toBe(c.attributes.some((a) => 'raw' in a && a.raw.type === 26 && a.raw.vendorId === 0) ? 1 : 0);
      }
    });
  }
});

describe('vendor quirks: definitions that do not fit the wire', () => {
  it('refuses a vendor attribute numbered above 255, naming it, instead of writing 0', () => {
    const wide = defineAttr(9, 256, 'Example-Wide-Type', 'integer');
    expect(() => encodePacket({ code: Code.AccessRequest, identifier: 0, authenticator: Buffer.alloc(16), attributes: [{ def: wide, value: 1 }], secret: SECRET })).toThrow(
      expect.objectContaining({ field: 'Example-Wide-Type' }) as Error,
    );
  });
});
