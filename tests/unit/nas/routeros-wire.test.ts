import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  attributeWord,
  decodeLength,
  encodeLength,
  encodeSentence,
  parseSentence,
  queryWord,
  SentenceDecoder,
} from '../../../src/nas/routeros/wire.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

// Each length class on both sides of its boundary, with the bytes the RouterOS API documents.
const LENGTHS: [number, string][] = [
  [0, '00'],
  [1, '01'],
  [0x7f, '7f'],
  [0x80, '8080'],
  [0x3fff, 'bfff'],
  [0x4000, 'c04000'],
  [0x1f_ffff, 'dfffff'],
  [0x20_0000, 'e0200000'],
  [0xfff_ffff, 'efffffff'],
  [0x1000_0000, 'f010000000'],
  [0xffff_ffff, 'f0ffffffff'],
];

describe('word length prefix', () => {
  it.each(LENGTHS)('encodes %i as %s', (length, bytes) => {
    expect(hex(encodeLength(length))).toBe(bytes);
  });

  it.each(LENGTHS)('decodes %i from %s', (length, bytes) => {
    const buf = Buffer.from(bytes, 'hex');
    expect(decodeLength(buf)).toEqual({ length, size: buf.length });
  });

  it('asks for the rest of a prefix cut short', () => {
    expect(decodeLength(Buffer.alloc(0))).toEqual({ need: 1 });
    expect(decodeLength(Buffer.from('80', 'hex'))).toEqual({ need: 2 });
    expect(decodeLength(Buffer.from('c040', 'hex'))).toEqual({ need: 3 });
    expect(decodeLength(Buffer.from('e02000', 'hex'))).toEqual({ need: 4 });
    expect(decodeLength(Buffer.from('f0100000', 'hex'))).toEqual({ need: 5 });
  });

  it('rejects control bytes and impossible lengths', () => {
    for (const b of [0xf8, 0xff]) expect(() => decodeLength(Buffer.from([b]))).toThrow(/control byte/);
    for (const n of [-1, 1.5, 0x1_0000_0000]) expect(() => encodeLength(n)).toThrow(RangeError);
  });
});

describe('sentences', () => {
  it('encodes a login sentence byte for byte', () => {
    expect(hex(encodeSentence(['/login', '=name=admin', '=password=']))).toBe(
      '06' + hex(Buffer.from('/login')) + '0b' + hex(Buffer.from('=name=admin')) + '0a' + hex(Buffer.from('=password=')) + '00',
    );
  });

  it('counts UTF-8 bytes, not characters', () => {
    expect(hex(encodeSentence(['é']))).toBe('02c3a900');
  });

  it('parses attribute, tag, query and reply words', () => {
    expect(parseSentence(['!re', '=name=u1', '=comment=a=b==c', '=empty=', '=bare', '.tag=7'])).toEqual({
      head: '!re',
      attributes: { name: 'u1', comment: 'a=b==c', empty: '', bare: '' },
      tag: '7',
      queries: [],
      other: [],
    });
    expect(parseSentence(['/ip/firewall/address-list/print', '?list=blocked', '?address=10.0.0.1', '?#&'])).toMatchObject({
      head: '/ip/firewall/address-list/print',
      queries: ['list=blocked', 'address=10.0.0.1', '#&'],
    });
    expect(parseSentence(['!fatal', 'session terminated on request'])).toMatchObject({ head: '!fatal', other: ['session terminated on request'] });
    expect(parseSentence(['!empty', '.tag=3'])).toEqual({ head: '!empty', attributes: {}, tag: '3', queries: [], other: [] });
    expect(parseSentence(['!trap', '=category=2', '=message=interrupted'])).toMatchObject({ attributes: { category: '2', message: 'interrupted' } });
  });

  it('keeps a router-sent __proto__ key as plain data', () => {
    const s = parseSentence(['!re', '=__proto__=x']);
    expect(Object.getOwnPropertyDescriptor(s.attributes, '__proto__')?.value).toBe('x');
    expect(Object.getPrototypeOf(s.attributes)).toBe(Object.prototype);
  });

  it('builds attribute and query words', () => {
    expect(attributeWord('disabled', true)).toBe('=disabled=yes');
    expect(attributeWord('comment', 'a=b')).toBe('=comment=a=b');
    expect(queryWord('list', 'blocked')).toBe('?list=blocked');
  });
});

describe('SentenceDecoder', () => {
  const stream = Buffer.concat([
    encodeSentence(['!re', '=.id=*1', '=name=alice', '.tag=1']),
    encodeSentence(['!done', '.tag=1']),
    encodeSentence(['!empty', '.tag=2']),
    encodeSentence(['!done', '.tag=2']),
  ]);
  const expected = [['!re', '=.id=*1', '=name=alice', '.tag=1'], ['!done', '.tag=1'], ['!empty', '.tag=2'], ['!done', '.tag=2']];

  it('returns every sentence in one chunk', () => {
    expect(new SentenceDecoder().push(stream)).toEqual(expected);
  });

  it('gives the same sentences for every split point', () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      const d = new SentenceDecoder();
      expect([...d.push(stream.subarray(0, cut)), ...d.push(stream.subarray(cut))]).toEqual(expected);
      expect(d.idle).toBe(true);
    }
  });

  it('handles the stream one byte at a time', () => {
    const d = new SentenceDecoder();
    const out: string[][] = [];
    for (const b of stream) out.push(...d.push(Buffer.from([b])));
    expect(out).toEqual(expected);
  });

  it('is not idle while a sentence is half received', () => {
    const d = new SentenceDecoder();
    d.push(encodeSentence(['!re', '=a=b']).subarray(0, 6));
    expect(d.idle).toBe(false);
  });

  it.each([0x7f, 0x80, 0x3fff, 0x4000, 0x1f_ffff, 0x20_0000])('decodes a %i-byte word split into 4093-byte chunks', (length) => {
    const word = `=x=${'v'.repeat(length - 3)}`;
    const bytes = encodeSentence(['!re', word]);
    const d = new SentenceDecoder();
    const out: string[][] = [];
    for (let i = 0; i < bytes.length; i += 4093) out.push(...d.push(bytes.subarray(i, i + 4093)));
    expect(out).toHaveLength(1);
    expect(out[0]![1]!.length).toBe(length);
  });

  it('refuses a word longer than its limit and a control byte', () => {
    expect(() => new SentenceDecoder(100).push(encodeLength(101))).toThrow(/exceeds the 100-byte limit/);
    expect(() => new SentenceDecoder().push(Buffer.from([0x01, 0x41, 0xf8]))).toThrow(/control byte 0xf8/);
  });

  it('round-trips random sentences through random chunking', () => {
    // Short words in any script, and ASCII ones long enough to need a 2-byte length prefix.
    const word = fc.oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }), fc.string({ minLength: 120, maxLength: 200 }));
    fc.assert(
      fc.property(fc.array(fc.array(word, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 5 }), fc.array(fc.nat(), { maxLength: 10 }), (sentences, cuts) => {
        const bytes = Buffer.concat(sentences.map(encodeSentence));
        const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const d = new SentenceDecoder();
        const out: string[][] = [];
        let from = 0;
        for (const p of [...points, bytes.length]) {
          out.push(...d.push(bytes.subarray(from, p)));
          from = p;
        }
        // Lone surrogates cannot survive UTF-8; compare what encoding actually carries.
        const carried = sentences.map((s) => s.map((w) => Buffer.from(w, 'utf8').toString('utf8')));
        return JSON.stringify(out) === JSON.stringify(carried);
      }),
    );
  });
});
