import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays, daysInclusive } from '../../../src/lib/calendar.js';
import { allocate, mulRatio, percentOf, taxExclusive, taxInclusive, toDecimalString } from '../../../src/lib/money.js';
import { buildSchedule, periodContaining, periodsStartingThrough } from '../../../src/domain/billing/periods.js';
import { planChangeProration, prorate } from '../../../src/domain/billing/proration.js';
import { findNumberingGaps, nextDocumentNumber } from '../../../src/domain/billing/numbering.js';

describe('money', () => {
  it('rounds half up, away from zero, once', () => {
    expect([mulRatio(5, 1, 2), mulRatio(-5, 1, 2), mulRatio(7, 1, 3), mulRatio(8, 1, 3)]).toEqual([3, -3, 2, 3]);
    expect(percentOf(1025, 1000)).toBe(103);
    expect(taxExclusive(1999, 2200)).toEqual({ net: 1999, tax: 440, gross: 2439 });
    expect(taxInclusive(1999, 2200)).toEqual({ net: 1639, tax: 360, gross: 1999 });
    expect(toDecimalString(-1205, 2)).toBe('-12.05');
  });
  it('the safe-integer fast path of mulRatio agrees with exact BigInt rounding everywhere', () => {
    const reference = (a: number, n: number, d: number): bigint => {
      const num = BigInt(a) * BigInt(n);
      const den = BigInt(d);
      const neg = num < 0n !== den < 0n && num !== 0n;
      const an = num < 0n ? -num : num;
      const ad = den < 0n ? -den : den;
      const q = (2n * an + ad) / (2n * ad);
      return neg ? -q : q;
    };
    const big = fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER });
    fc.assert(fc.property(
      fc.oneof(fc.integer({ min: -1e7, max: 1e7 }), big), fc.oneof(fc.integer({ min: -400, max: 400 }), big), fc.oneof(fc.integer({ min: 1, max: 400 }), big).filter((d) => d !== 0),
      (a, n, d) => {
        const want = reference(a, n, d);
        if (want > BigInt(Number.MAX_SAFE_INTEGER) || want < -BigInt(Number.MAX_SAFE_INTEGER)) expect(() => mulRatio(a, n, d)).toThrow();
        else expect(mulRatio(a, n, d)).toBe(Number(want));
      },
    ), { numRuns: 5000 });
  });
  it('refuses floats and unsafe integers', () => {
    expect(() => mulRatio(10.5, 1, 2)).toThrow(/integer/);
    expect(() => percentOf(Number.MAX_SAFE_INTEGER, 20_000)).toThrow(/safe integer/);
  });
  it('allocate never loses a cent', () => {
    fc.assert(fc.property(fc.integer({ min: -1e9, max: 1e9 }), fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 8 }).filter((w) => w.some((x) => x > 0)), (a, w) => {
      expect(allocate(a, w).reduce((s, x) => s + x, 0)).toBe(a);
    }));
    expect(allocate(100, [1, 1, 1])).toEqual([34, 33, 33]);
  });
  it('inclusive tax keeps the quoted gross, exclusive keeps the net', () => {
    fc.assert(fc.property(fc.integer({ min: -1e8, max: 1e8 }), fc.integer({ min: 0, max: 5000 }), (amt, bp) => {
      const i = taxInclusive(amt, bp);
      const e = taxExclusive(amt, bp);
      expect(i.gross).toBe(amt);
      expect(i.net + i.tax).toBe(amt);
      expect(e.net).toBe(amt);
      expect(e.net + e.tax).toBe(e.gross);
    }));
  });
});

describe('proration', () => {
  it('is exact on whole periods and rounds once otherwise', () => {
    expect(prorate(3000, 31, 31)).toBe(3000);
    expect(prorate(3000, 17, 31)).toBe(1645);
    expect(() => prorate(3000, 32, 31)).toThrow(/used days/);
    expect(planChangeProration({ oldAmount: 3000, newAmount: 6000, changeDate: '2026-03-11', periodEnd: '2026-03-31', periodDays: 31 })).toEqual({
      remainingDays: 21, periodDays: 31, credit: -2032, charge: 4065,
    });
  });
});

describe('periods', () => {
  it('monthly anniversary periods tile the calendar and clamp month ends', () => {
    const s = buildSchedule({ startDate: '2024-01-31', billingPeriodMonths: 1, billingDay: 'anniversary' });
    const ps = periodsStartingThrough(s, '2024-04-30');
    // 2024 is a leap year: 31 Jan → 29 Feb → 31 Mar → 30 Apr.
    expect(ps.map((p) => [p.start, p.end, p.days])).toEqual([
      ['2024-01-31', '2024-02-28', 29], ['2024-02-29', '2024-03-30', 31], ['2024-03-31', '2024-04-29', 30], ['2024-04-30', '2024-05-30', 31],
    ]);
  });
  it('an end date cuts the last period; nothing after it', () => {
    const s = buildSchedule({ startDate: '2026-01-01', billingPeriodMonths: 3, billingDay: 1, endDate: '2026-05-10' });
    const ps = periodsStartingThrough(s, '2027-01-01');
    expect(ps.map((p) => [p.start, p.end, p.fullEnd, p.lastPartial])).toEqual([
      ['2026-01-01', '2026-03-31', '2026-03-31', false], ['2026-04-01', '2026-05-10', '2026-06-30', true],
    ]);
    expect(periodContaining(s, '2026-05-11')).toBeNull();
  });
  it('refuses bad terms with a code and a field', () => {
    expect(() => buildSchedule({ startDate: '2026-01-01', billingPeriodMonths: 4, billingDay: 1 })).toThrow(/billingPeriodMonths/);
    expect(() => buildSchedule({ startDate: '2026-01-01', billingPeriodMonths: 1, billingDay: 29 })).toThrow(/billingDay/);
    expect(() => buildSchedule({ startDate: '2026-01-01', billingPeriodMonths: 1, billingDay: 1, endDate: '2025-12-31' })).toThrow(/end date/);
  });
  it('periods are contiguous for any start, length and billing day', () => {
    fc.assert(fc.property(
      fc.integer({ min: 0, max: 3000 }), fc.constantFrom(1, 2, 3, 6, 12), fc.oneof(fc.constant('anniversary' as const), fc.constant('last' as const), fc.integer({ min: 1, max: 28 })),
      (offset, months, day) => {
        const start = addDays('2020-01-01', offset);
        const ps = periodsStartingThrough(buildSchedule({ startDate: start, billingPeriodMonths: months, billingDay: day }), '2030-01-01');
        expect(ps[0]!.start).toBe(start);
        for (let i = 1; i < ps.length; i++) {
          expect(daysInclusive(ps[i - 1]!.end, ps[i]!.start)).toBe(2);
          expect(ps[i]!.firstPartial).toBe(false);
          expect(ps[i]!.days).toBe(ps[i]!.fullDays);
        }
      },
    ), { numRuns: 200 });
  });
});

describe('numbering', () => {
  it('is gapless per year and detects gaps', () => {
    expect(nextDocumentNumber({ prefix: 'INV' }, '2026-12-31', 41).number).toBe('INV-2026-000042');
    expect(nextDocumentNumber({ prefix: 'CN', digits: 4 }, '2027-01-01', null).number).toBe('CN-2027-0001');
    expect(findNumberingGaps({ prefix: 'INV' }, ['INV-2026-000001', 'INV-2026-000003'])).toEqual(['INV 2026: expected sequence 2, found 3']);
  });
});
