/**
 * The text of a PDF made by pdfkit (pdfmake) with the standard fonts, for assertions: every content
 * stream is inflated and the strings of its TJ / Tj operators are decoded (pdfkit writes them as hex
 * in WinAnsi, one glyph per byte). One line per text-showing operator, in drawing order. Enough for
 * our own documents; not a general PDF parser.
 */
import { inflateSync } from 'node:zlib';

export function pdfText(pdf: Buffer): string[] {
  const out: string[] = [];
  const raw = pdf.toString('latin1');
  const re = /(?<!end)stream\r?\n/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(raw)) !== null) {
    const start = m.index + m[0].length;
    const end = raw.indexOf('endstream', start);
    if (end < 0) break;
    let body: Buffer = pdf.subarray(start, end);
    try {
      body = inflateSync(body);
    } catch {
      // not compressed (or not a content stream)
    }
    const text = body.toString('latin1');
    for (const op of text.matchAll(/\[((?:<[0-9a-fA-F]*>|[-\d.\s])*)\]\s*TJ|<([0-9a-fA-F]*)>\s*Tj/g)) {
      const hexes = op[1] !== undefined ? [...op[1].matchAll(/<([0-9a-fA-F]*)>/g)].map((h) => h[1]!) : [op[2]!];
      // WinAnsi is latin1 but for a few glyphs in 0x80..0x9f; the euro sign is the one we print.
      out.push(hexes.map((h) => Buffer.from(h, 'hex').toString('latin1')).join('').replace(/\x80/g, '€'));
    }
    re.lastIndex = end + 'endstream'.length;
  }
  return out;
}

/** The document's text run together: words as pdfmake places them, without separators between cells. */
export const pdfPlain = (pdf: Buffer): string => pdfText(pdf).join('');
