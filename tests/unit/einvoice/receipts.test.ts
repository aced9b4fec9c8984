import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseReceipt, parseReceiptName, ReceiptParseError, resendable, stateAfter } from '../../../src/domain/einvoice/receipts.js';

const dir = new URL('../../vectors/sdi/', import.meta.url);
const read = (name: string) => parseReceipt(name, readFileSync(new URL(name, dir)));

describe('SDI receipts', () => {
  it('every vector parses to its type and invoice file, named as SDI names them', () => {
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.xml'))) {
      const r = read(f);
      const byName = parseReceiptName(f)!;
      expect(r.type).toBe(byName.type);
      expect(r.invoiceFile).toBe(byName.invoiceFile);
      expect(r.sdiId).toMatch(/^\d+$/);
    }
  });

  it('RC delivers; NS rejects with its error codes; MC is not delivered; NE EC02 refuses; DT is deemed accepted', () => {
    expect(stateAfter('sent', read('IT06363391001_00001_RC_001.xml'))).toEqual({ state: 'delivered', code: null, text: null });
    const ns = read('IT06363391001_00002_NS_001.xml');
    expect(ns.errors.map((e) => e.code)).toEqual(['00305', '00423']);
    expect(stateAfter('sent', ns)).toMatchObject({ state: 'rejected', code: '00305,00423' });
    expect(stateAfter('sent', ns)!.text).toContain('00305 1.4.1.1.2 IdCodice non valido');
    expect(stateAfter('sent', read('IT06363391001_00003_MC_001.xml'))).toMatchObject({ state: 'not_delivered', code: 'MC' });
    expect(stateAfter('delivered', read('IT06363391001_00004_NE_001.xml'))).toEqual({ state: 'refused', code: 'EC02', text: 'CIG errato' });
    expect(stateAfter('delivered', read('IT06363391001_00005_DT_001.xml'))).toMatchObject({ state: 'accepted', code: 'DT' });
  });

  it('a final outcome stays; a late RC does not undo a rejection; only rejected or unsent documents are sent again', () => {
    expect(stateAfter('accepted', read('IT06363391001_00001_RC_001.xml'))).toBeNull();
    expect(stateAfter('rejected', read('IT06363391001_00001_RC_001.xml'))).toBeNull();
    expect(resendable('rejected')).toBe(true);
    expect(resendable('delivered')).toBe(false);
  });

  it('refuses what is not an SDI message', () => {
    expect(() => parseReceipt('x.xml', '<html/>')).toThrow(ReceiptParseError);
    expect(parseReceiptName('IT06363391001_0000A_RC_012.xml')).toEqual({ invoiceFile: 'IT06363391001_0000A.xml', type: 'RC' });
    expect(parseReceiptName('invoice.pdf')).toBeNull();
  });
});
