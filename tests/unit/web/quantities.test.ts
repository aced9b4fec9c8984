// The quantities of the plan form, the tier editor and the contract forms (web/src/quantities.ts) and
// the promotion form's body (web/src/promotion-form.ts): the operator's text and unit in, the API's
// exact integer out, and back; a PATCH that changes only a unit re-reads the number that was there;
// a refusal says why in the UI language; the API's tier errors land on the row that was typed, not on
// the position in the request.
import { afterEach, describe, expect, it } from 'vitest';
import {
  exactSize, parseQuantity, quantityBody, quantityError, quantityFields, quantityOf, quantityValues, tierApiErrors, tierRows, tiersBody, type Quantity,
} from '../../../web/src/quantities.js';
import { promotionBody, promotionKey, serviceIdList } from '../../../web/src/promotion-form.js';
import { setLocale } from '../../../web/src/i18n.js';

const speed: Quantity = { name: 'downloadKbps', kind: 'speed' };
const cap: Quantity = { name: 'dataCapBytes', kind: 'size', min: 1 };
const vat: Quantity = { name: 'taxRateBp', kind: 'percent' };
const Q = [vat, speed, cap];

afterEach(() => setLocale('en'));

describe('a quantity typed in its unit', () => {
  it.each([
    [speed, '50', 'Mbit/s', 50_000],
    [speed, '2.5', 'Mbit/s', 2_500],
    [speed, '512', 'kbit/s', 512],
    [speed, '0.001', 'Mbit/s', 1],
    [cap, '100', 'GB', 100_000_000_000],
    [cap, '1.5', 'GB', 1_500_000_000],
    [cap, '0.1', 'GB', 100_000_000],
    [cap, '750', 'MB', 750_000_000],
    [vat, '22', undefined, 2200],
    [vat, '22.5', undefined, 2250],
    [vat, '4.1', undefined, 410],
    [vat, '0', undefined, 0],
  ] as const)('%o: "%s" %s is %i', (q, text, unit, value) => {
    expect(parseQuantity(q, text, unit)).toEqual({ ok: true, value });
  });

  it.each([
    [speed, '0', 'Mbit/s', 'out_of_range'],
    [speed, '100001', 'Mbit/s', 'out_of_range'],
    [speed, '0.0005', 'Mbit/s', 'too_precise'],
    [speed, '1.5', 'kbit/s', 'too_precise'],
    [cap, '0', 'GB', 'out_of_range'],
    [cap, 'lots', 'GB', 'not_a_number'],
    [vat, '100.01', undefined, 'out_of_range'],
    [vat, '22.555', undefined, 'too_precise'],
  ] as const)('%o: "%s" %s is refused (%s)', (q, text, unit, error) => {
    expect(parseQuantity(q, text, unit)).toEqual({ ok: false, error });
  });

  it('says why in the language, with the limits in the unit', async () => {
    expect(quantityError(speed, 'out_of_range')).toBe('must be between 1 kbit/s and 100,000 Mbit/s');
    expect(quantityError(speed, 'too_precise', 'Mbit/s')).toBe('has too many decimals (at most 3)');
    expect(quantityError(speed, 'too_precise', 'kbit/s')).toBe('must be a whole number');
    expect(quantityError(vat, 'out_of_range')).toBe('must be between 0% and 100%');
    await setLocale('it');
    expect(quantityError(vat, 'too_precise')).toBe('ha troppi decimali (al massimo 2)');
  });

  it('reads the language\'s decimal separator', async () => {
    await setLocale('it');
    expect(parseQuantity(vat, '22,5', undefined)).toEqual({ ok: true, value: 2250 });
    expect(parseQuantity(cap, '1,5', 'GB')).toEqual({ ok: true, value: 1_500_000_000 });
  });
});

describe('the plan form and the API', () => {
  const plan = { name: 'Home', taxRateBp: 2250, downloadKbps: 50_000, uploadKbps: 512, dataCapBytes: null };

  it('shows the API\'s integers in the operator\'s units, with the unit chosen', () => {
    expect(quantityValues(plan, Q)).toEqual({
      name: 'Home', taxRateBp: '22.5', downloadKbps: '50', 'downloadKbps.unit': 'Mbit/s', uploadKbps: 512, dataCapBytes: null, 'dataCapBytes.unit': 'GB',
    });
    expect(quantityValues({ uploadKbps: 512 }, [{ name: 'uploadKbps', kind: 'speed' }])).toEqual({ uploadKbps: '512', 'uploadKbps.unit': 'kbit/s' });
    expect(quantityValues({ dataCapBytes: 750_000_000 }, [cap])).toEqual({ dataCapBytes: '750', 'dataCapBytes.unit': 'MB' });
  });

  it('sends the form\'s text as the API\'s integers, unit fields dropped', () => {
    const before = quantityValues({}, Q);
    expect(quantityBody({ name: 'Home', taxRateBp: '22', downloadKbps: '50', 'downloadKbps.unit': 'Mbit/s', dataCapBytes: '100', 'dataCapBytes.unit': 'GB' }, before, Q))
      .toEqual({ name: 'Home', taxRateBp: 2200, downloadKbps: 50_000, dataCapBytes: 100_000_000_000 });
  });

  it('in a PATCH, a changed unit alone re-reads the number that was there; an emptied cap is null', () => {
    const before = quantityValues(plan, Q);
    expect(quantityBody({ 'downloadKbps.unit': 'kbit/s' }, before, Q)).toEqual({ downloadKbps: 50 });
    expect(quantityBody({ dataCapBytes: null }, before, Q)).toEqual({ dataCapBytes: null });
    expect(quantityBody({}, before, Q)).toEqual({});
  });

  it('goes both ways for every value shown', () => {
    for (const kbps of [1, 999, 1000, 2500, 100_000, 1_234_567]) {
      const v = quantityValues({ downloadKbps: kbps }, [speed]);
      expect(quantityBody(v, {}, [speed])).toEqual({ downloadKbps: kbps });
    }
    for (const bytes of [1, 999_999, 1_000_000, 1_500_000_000, 123_456_789_012]) {
      const v = quantityValues({ dataCapBytes: bytes }, [cap]);
      expect(quantityBody(v, {}, [cap])).toEqual({ dataCapBytes: bytes });
    }
  });
});

describe('the contract forms: VAT, a discount and a data top-up', () => {
  const percent: Quantity = { name: 'percentBp', kind: 'percent' };
  const topup: Quantity = { name: 'bytes', kind: 'size' };

  it.each([
    ['en', { taxRateBp: '22', percentBp: '4.1' }, { taxRateBp: 2200, percentBp: 410 }],
    ['it', { taxRateBp: '10', percentBp: '12,5' }, { taxRateBp: 1000, percentBp: 1250 }],
    ['es', { taxRateBp: '0', percentBp: '100' }, { taxRateBp: 0, percentBp: 10000 }],
  ] as const)('reads percentages as basis points in %s', async (lang, form, body) => {
    await setLocale(lang);
    expect(quantityBody({ ...form, description: 'x' }, {}, [vat, percent])).toEqual({ ...body, description: 'x' });
  });

  it('shows basis points as the percentage field holds them', async () => {
    expect(quantityValues({ taxRateBp: 2200, taxInclusive: true }, [vat])).toEqual({ taxRateBp: '22', taxInclusive: true });
    expect(quantityValues({ taxRateBp: 1050 }, [vat]).taxRateBp).toBe('10.5');
    await setLocale('it');
    expect(quantityValues({ taxRateBp: 1050 }, [vat]).taxRateBp).toBe('10,5');
    expect(quantityValues({ taxRateBp: null }, [vat]).taxRateBp).toBeNull();
  });

  it('refuses a percentage it cannot read exactly, with a message', () => {
    const [field] = quantityFields(vat, { label: 'VAT' });
    expect(field!.validate?.('22', {})).toBeUndefined();
    expect(field!.validate?.('22.005', {})).toBe('has too many decimals (at most 2)');
    expect(field!.validate?.('101', {})).toBe('must be between 0% and 100%');
    expect(field!.validate?.('ventidue', {})).toBe('must be a number');
  });

  it.each([
    ['en', '1.5', 'GB', 1_500_000_000],
    ['en', '0.1', 'GB', 100_000_000],
    ['it', '1,5', 'GB', 1_500_000_000],
    ['es', '250', 'MB', 250_000_000],
    ['en', '0', 'GB', 0], // read, and left to the API to refuse (it names `bytes`)
  ] as const)('reads a data size in %s: %s %s', async (lang, text, unit, bytes) => {
    await setLocale(lang);
    expect(quantityOf(topup, { bytes: text, 'bytes.unit': unit })).toBe(bytes);
  });

  it('names the top-up\'s unit field after its amount, GB unless chosen', () => {
    const fields = quantityFields(topup, { label: 'Data', unitLabel: 'Unit', required: true });
    expect(fields.map((x) => x.name)).toEqual(['bytes', 'bytes.unit']);
    expect(quantityValues({}, [topup])).toEqual({ 'bytes.unit': 'GB' });
  });

  it('refuses a size finer than a byte in its unit', () => {
    const [amount] = quantityFields(topup, { label: 'Data' });
    expect(amount!.validate?.('1.0000000001', { 'bytes.unit': 'GB' })).toBe('has too many decimals (at most 9)');
    expect(amount!.validate?.('1.0000001', { 'bytes.unit': 'MB' })).toBe('has too many decimals (at most 6)');
    expect(amount!.validate?.('1.000001', { 'bytes.unit': 'GB' })).toBeUndefined();
    expect(() => quantityOf(topup, { bytes: 'lots', 'bytes.unit': 'GB' })).toThrow(RangeError);
    expect(quantityError(topup, 'empty')).toBe('is required');
  });

  it.each([
    [101_500_000_000, 'en', '101.5 GB'],
    [1_500_000_000, 'it', '1,5 GB'],
    [250_000_000, 'es', '250 MB'],
  ] as const)('shows a size the operator set exactly: %d bytes in %s', async (n, lang, shown) => {
    await setLocale(lang);
    expect(exactSize(n)).toBe(shown);
  });
});

describe('the tier editor', () => {
  const row = (fromBytes: string, down: string, up: string, fromUnit = 'GB', unit = 'Mbit/s') =>
    ({ fromBytes: { text: fromBytes, unit: fromUnit }, downloadKbps: { text: down, unit }, uploadKbps: { text: up, unit } });

  it('shows tiers as rows, padded to three', () => {
    const rows = tierRows([{ fromBytes: 100_000_000_000, downloadKbps: 2000, uploadKbps: 512 }]);
    expect(rows).toHaveLength(3);
    expect(rows[0]).toEqual({ fromBytes: { text: '100', unit: 'GB' }, downloadKbps: { text: '2', unit: 'Mbit/s' }, uploadKbps: { text: '512', unit: 'kbit/s' } });
    expect(rows[1]!.fromBytes.text).toBe('');
  });

  it('sends filled rows, leaves empty ones out and keeps which row each came from', () => {
    expect(tiersBody([row('', '', ''), row('100', '2', '1'), row('500', '512', '256', 'MB', 'kbit/s')])).toEqual({
      tiers: [{ fromBytes: 100_000_000_000, downloadKbps: 2000, uploadKbps: 1000 }, { fromBytes: 500_000_000, downloadKbps: 512, uploadKbps: 256 }],
      index: [1, 2],
      errors: {},
    });
  });

  it('names what a row filled in part lacks, and a bad number, beside its field', () => {
    const r = tiersBody([row('100', '', '1'), row('x', '2', '1')]);
    expect(r.tiers).toEqual([]);
    expect(r.errors).toEqual({ '0.downloadKbps': 'is required', '1.fromBytes': 'must be a number' });
  });

  it("puts the API's errors on the row typed", () => {
    expect(tierApiErrors({ 'tiers.1.fromBytes': 'two tiers start at the same usage', 'tiers.0.downloadKbps': 'must be <= 100000000', tiers: 'at most 3' }, [1, 2]))
      .toEqual({ '2.fromBytes': 'two tiers start at the same usage', '1.downloadKbps': 'must be <= 100000000', tiers: 'at most 3' });
  });
});

describe('the promotion form', () => {
  it('reads a list of service numbers', () => {
    expect(serviceIdList('12, 15 31;7')).toEqual([12, 15, 31, 7]);
    expect(serviceIdList('12, x')).toBeNull();
    expect(serviceIdList('0')).toBeNull();
    expect(serviceIdList(' ')).toBeNull();
  });

  it('sends a percentage on a plan, with new contracts until a date', () => {
    expect(promotionBody({ description: 'Summer', valueType: 'percent', percentBp: '22.5', startDate: '2026-07-01', periods: 3, targetKind: 'plan', 'target.planId': 4, appliesToNew: true, newUntil: '2026-08-31' }, 'k1'))
      .toEqual({ key: 'k1', description: 'Summer', percentBp: 2250, startDate: '2026-07-01', periods: 3, target: { planId: 4 }, appliesToNew: true, newUntil: '2026-08-31' });
  });

  it('sends an amount to chosen services, until removed', () => {
    expect(promotionBody({ description: 'Sorry', valueType: 'fixed', amount: 500, startDate: '2026-07-01', periods: null, targetKind: 'services', 'target.serviceIds': '3, 9' }, 'k2'))
      .toEqual({ key: 'k2', description: 'Sorry', amount: 500, startDate: '2026-07-01', target: { serviceIds: [3, 9] } });
  });

  it('makes a fresh key each time, as the API takes it', () => {
    const a = promotionKey();
    expect(a).toMatch(/^ui-[0-9a-f]{24}$/);
    expect(promotionKey()).not.toBe(a);
  });
});
