// The document tax rule (src/domain/billing/document-tax.ts) by hand-computed cases.
import { describe, expect, it } from 'vitest';
import { applyDocumentTax, checkVatNature, rateSummary, type TaxableLine } from '../../../src/domain/billing/document-tax.js';
import { needsStampDuty } from '../../../src/domain/einvoice/fatturapa.js';

const l = (amount: number, taxRateBp: number, taxInclusive = false, extra: Partial<TaxableLine> & { key?: string } = {}) =>
  ({ amount, taxRateBp, taxInclusive, net: 0, tax: 0, gross: 0, key: 'k', ...extra });

describe('tax per rate on the document', () => {
  it('ten lines of 0.15 at 22 %: 1.50 × 22 % = 0.33, not 10 × 0.03 = 0.30', () => {
    // Per line: 15 × 0.22 = 3.3 → 3, ten lines 30. On the total: 150 × 0.22 = 33.
    const out = applyDocumentTax(Array.from({ length: 10 }, () => l(15, 2200)));
    expect(out.reduce((a, x) => a + x.tax, 0)).toBe(33);
    // The 3 cents go one each to the first three (equal) lines.
    expect(out.map((x) => x.tax)).toEqual([4, 4, 4, 3, 3, 3, 3, 3, 3, 3]);
    expect(out.every((x) => x.net === 15 && x.net + x.tax === x.gross)).toBe(true);
  });

  it('a discount line (negative) is netted before the tax: 30.00 - 10.00 at 22 % = 4.40', () => {
    const out = applyDocumentTax([l(3000, 2200), l(-1000, 2200)]);
    expect(rateSummary(out)).toEqual([{ taxRateBp: 2200, vatNature: null, net: 2000, tax: 440, gross: 2440 }]);
    expect(out.map((x) => x.tax)).toEqual([660, -220]);
  });

  it('a rate with prices with and without VAT rounds each part once', () => {
    // Without: 1001 × 22 % = 220.22 → 220. With: 1001 × 22/122 = 180.5 → 181 (half up), net 820.
    const out = applyDocumentTax([l(1001, 2200), l(1001, 2200, true)]);
    expect(rateSummary(out)).toEqual([{ taxRateBp: 2200, vatNature: null, net: 1821, tax: 401, gross: 2222 }]);
  });

  it('natures are groups of their own, with no tax; a reversal keeps what it reverses', () => {
    const out = applyDocumentTax(
      [l(6900, 0, false, { vatNature: 'N2.2' }), l(500, 0, false, { vatNature: 'N4' }), l(-1025, 1000, false, { key: 'void:x', net: -1025, tax: -103, gross: -1128 }), l(1025, 1000)],
      (x) => (x as { key: string }).key.startsWith('void:'),
    );
    expect(rateSummary(out)).toEqual([
      { taxRateBp: 0, vatNature: 'N2.2', net: 6900, tax: 0, gross: 6900 },
      { taxRateBp: 0, vatNature: 'N4', net: 500, tax: 0, gross: 500 },
      { taxRateBp: 1000, vatNature: null, net: 0, tax: 0, gross: 0 },
    ]);
    expect(out[2]).toMatchObject({ net: -1025, tax: -103, gross: -1128 });
    expect(out[3]).toMatchObject({ net: 1025, tax: 103, gross: 1128 });
  });

  it('a nature needs 0 % and a code in force', () => {
    expect(() => checkVatNature(0, 'N2')).toThrow(/not an exemption nature/);
    expect(() => checkVatNature(2200, 'N2.2')).toThrow(/taxRateBp 0/);
    expect(() => checkVatNature(0, 'N6.9')).not.toThrow();
  });

  it('stamp duty: due above 77.47 of exempt amounts, not at it; exports (N3.1) do not count', () => {
    expect(needsStampDuty([{ vatNature: 'N2.2', net: 7747 }])).toBe(false);
    expect(needsStampDuty([{ vatNature: 'N2.2', net: 7748 }])).toBe(true);
    expect(needsStampDuty([{ vatNature: 'N2.1', net: 5000 }, { vatNature: 'N4', net: 2748 }])).toBe(true);
    expect(needsStampDuty([{ vatNature: 'N3.1', net: 100000 }, { vatNature: null, net: 100000 }])).toBe(false);
  });
});
