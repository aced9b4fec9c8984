/**
 * The PDF printer of every document (invoices, credit notes, receipts, voucher sheets): pdfmake 0.2
 * server side with pdfmake's own Roboto EMBEDDED (subset into each file), not the PDF standard
 * fonts. Roboto covers all of Latin (ñ, à, ç, ő, €…), so a document prints and extracts the same in
 * every viewer, and words do not run together as they did with an unembedded Helvetica.
 */
import { createRequire } from 'node:module';

// pdfmake 0.2 ships no types and is CommonJS; its server-side printer is this module, and its font
// bundle (build/vfs_fonts.js) is a map of file name to base64 TTF.
type PdfDoc = NodeJS.ReadableStream & { end(): void };
type Printer = { createPdfKitDocument(def: unknown): PdfDoc };
const require = createRequire(import.meta.url);
const PdfPrinter = require('pdfmake/src/printer') as new (fonts: unknown) => Printer;
const vfs = require('pdfmake/build/vfs_fonts.js') as Record<string, string>;

const font = (name: string): Buffer => {
  const b64 = vfs[name];
  if (!b64) throw new Error(`pdfmake's font bundle has no ${name}`);
  return Buffer.from(b64, 'base64');
};

/** The font every document uses; `Roboto` in a document definition names it. */
export const DOCUMENT_FONT = 'Roboto';

const printer = new PdfPrinter({
  [DOCUMENT_FONT]: {
    normal: font('Roboto-Regular.ttf'),
    bold: font('Roboto-Medium.ttf'),
    italics: font('Roboto-Italic.ttf'),
    bolditalics: font('Roboto-MediumItalic.ttf'),
  },
});

/** Renders a pdfmake document definition to the bytes of a PDF. */
export function renderPdf(definition: unknown): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = printer.createPdfKitDocument(definition);
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.end();
  });
}
