/**
 * The text of a PDF made by pdfkit (pdfmake), for assertions: every content stream is inflated and
 * the strings of its TJ / Tj operators are decoded. Text in an embedded (Type0, Identity-H) font is
 * two bytes per glyph, read back through the font's ToUnicode CMap; text in a standard font is one
 * WinAnsi byte per glyph. One line per text-showing operator, in drawing order. Enough for our own
 * documents; not a general PDF parser.
 */
import { inflateSync } from 'node:zlib';

interface PdfObject {
  dict: string;
  stream: Buffer | null;
}

/** The numbered objects of the file, their dictionaries and (inflated) streams. */
function objects(pdf: Buffer): Map<number, PdfObject> {
  const raw = pdf.toString('latin1');
  const out = new Map<number, PdfObject>();
  const re = /(\d+) 0 obj\s*/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(raw)) !== null) {
    const start = m.index + m[0].length;
    const end = raw.indexOf('endobj', start);
    if (end < 0) break;
    const body = raw.slice(start, end);
    const s = /stream\r?\n/.exec(body);
    let stream: Buffer | null = null;
    let dict = body;
    if (s) {
      dict = body.slice(0, s.index);
      const from = start + s.index + s[0].length;
      const to = raw.indexOf('endstream', from);
      stream = pdf.subarray(from, to);
      try {
        stream = inflateSync(stream);
      } catch {
        // not compressed
      }
    }
    out.set(Number(m[1]), { dict, stream });
    re.lastIndex = end;
  }
  return out;
}

/** A ToUnicode CMap (bfchar and bfrange, both forms) as glyph code → text. */
function parseCmap(text: string): Map<number, string> {
  const map = new Map<number, string>();
  // A target may be several UTF-16 units written with spaces between them (<0066 0069> for "fi").
  const utf16 = (hex: string) => Buffer.from(hex.replace(/\s+/g, ''), 'hex').swap16().toString('utf16le');
  for (const block of text.matchAll(/beginbfchar([\s\S]*?)endbfchar/g)) {
    for (const [, code, uni] of block[1]!.matchAll(/<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>/g)) map.set(parseInt(code!, 16), utf16(uni!));
  }
  for (const block of text.matchAll(/beginbfrange([\s\S]*?)endbfrange/g)) {
    for (const [, lo, hi, rest] of block[1]!.matchAll(/<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*(\[[^\]]*\]|<[0-9a-fA-F]+>)/g)) {
      const from = parseInt(lo!, 16);
      const to = parseInt(hi!, 16);
      if (rest!.startsWith('[')) {
        [...rest!.matchAll(/<([0-9a-fA-F\s]+)>/g)].forEach((u, i) => map.set(from + i, utf16(u[1]!)));
      } else {
        const base = parseInt(rest!.slice(1, -1), 16);
        for (let c = from; c <= to; c++) map.set(c, String.fromCharCode(base + c - from));
      }
    }
  }
  return map;
}

export function pdfText(pdf: Buffer): string[] {
  const objs = objects(pdf);
  // Font resource names (/F1) → the font's object, and each Type0 font's ToUnicode CMap.
  const cmaps = new Map<string, Map<number, string>>();
  for (const o of objs.values()) {
    for (const [, name, num] of o.dict.matchAll(/\/(F\d+)\s+(\d+)\s+0\s+R/g)) {
      const font = objs.get(Number(num));
      const toUnicode = font && /\/ToUnicode\s+(\d+)\s+0\s+R/.exec(font.dict);
      const cmap = toUnicode && objs.get(Number(toUnicode[1]))?.stream;
      if (cmap) cmaps.set(name!, parseCmap(cmap.toString('latin1')));
    }
  }
  const decode = (hex: string, font: string | undefined): string => {
    const cmap = font ? cmaps.get(font) : undefined;
    if (!cmap) {
      // WinAnsi is latin1 but for a few glyphs in 0x80..0x9f; the euro sign is the one we print.
      return Buffer.from(hex, 'hex').toString('latin1').replace(/\x80/g, '€');
    }
    let s = '';
    for (let i = 0; i + 4 <= hex.length; i += 4) s += cmap.get(parseInt(hex.slice(i, i + 4), 16)) ?? '';
    return s;
  };
  const out: string[] = [];
  for (const o of objs.values()) {
    if (!o.stream || /\/Subtype\s*\/(Image|Type1C|CIDFontType0C)|\/Length1/.test(o.dict)) continue;
    const text = o.stream.toString('latin1');
    if (!/\b(TJ|Tj)\b/.test(text)) continue;
    let font: string | undefined;
    for (const op of text.matchAll(/\/(F\d+)\s+[\d.]+\s+Tf|\[((?:<[0-9a-fA-F]*>|[-\d.\s])*)\]\s*TJ|<([0-9a-fA-F]*)>\s*Tj/g)) {
      if (op[1] !== undefined) {
        font = op[1];
        continue;
      }
      const hexes = op[2] !== undefined ? [...op[2].matchAll(/<([0-9a-fA-F]*)>/g)].map((h) => h[1]!) : [op[3]!];
      // Intl puts no-break spaces in amounts ("29,90 €"): plain spaces, as a reader copies them.
      out.push(hexes.map((h) => decode(h, font)).join('').replace(/[\u00a0\u202f]/g, ' '));
    }
  }
  return out;
}

/** The document's text run together: words as pdfmake places them, without separators between cells. */
export const pdfPlain = (pdf: Buffer): string => pdfText(pdf).join('');
