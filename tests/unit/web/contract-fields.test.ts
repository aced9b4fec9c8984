// The contract forms' unit fields: what the operator types (VAT in percent, data in GB or MB, in the
// UI language's decimals) becomes the API's integers exactly, and a refusal names why.
import { afterEach, describe, expect, it } from 'vitest';
import { exactSize, parsedError, percentBody, percentField, percentValue, sizeBytes, sizeFields } from '../../../web/src/contract-fields.js';
import { setLocale } from '../../../web/src/i18n.js';

afterEach(() => setLocale('en'));

describe('the contract forms in the operator units', () => {
  it.each([
    ['en', { taxRateBp: '22', percentBp: '4.1' }, { taxRateBp: 2200, percentBp: 410 }],
    ['it', { taxRateBp: '10', percentBp: '12,5' }, { taxRateBp: 1000, percentBp: 1250 }],
    ['es', { taxRateBp: '0', percentBp: '100' }, { taxRateBp: 0, percentBp: 10000 }],
  ] as const)('reads percentages as basis points in %s', async (lang, form, body) => {
    await setLocale(lang);
    expect(percentBody({ ...form, description: 'x' }, ['taxRateBp', 'percentBp'])).toEqual({ ...body, description: 'x' });
  });

  it('shows basis points as the percentage field holds them', async () => {
    expect(percentValue(2200)).toBe('22');
    expect(percentValue(1050)).toBe('10.5');
    await setLocale('it');
    expect(percentValue(1050)).toBe('10,5');
    expect(percentValue(null)).toBe('');
  });

  it('refuses a percentage it cannot read exactly, with a message', () => {
    const f = percentField('taxRateBp', 'VAT');
    expect(f.validate?.('22', {})).toBeUndefined();
    expect(f.validate?.('22.005', {})).toBe('has too many decimals');
    expect(f.validate?.('101', {})).toBe('is out of range');
    expect(f.validate?.('ventidue', {})).toBe('must be a number');
  });

  it.each([
    ['en', '1.5', 'GB', 1_500_000_000],
    ['en', '0.1', 'GB', 100_000_000],
    ['it', '1,5', 'GB', 1_500_000_000],
    ['es', '250', 'MB', 250_000_000],
    ['en', '0', 'GB', 0], // read, and left to the API to refuse (it names `bytes`)
  ] as const)('reads a data size in %s: %s %s', async (lang, text, unit, bytes) => {
    await setLocale(lang);
    expect(sizeBytes({ bytes: text, unit })).toBe(bytes);
  });

  it('refuses a size finer than a byte in its unit', () => {
    const [amount] = sizeFields();
    expect(amount!.validate?.('1.0000000001', { unit: 'GB' })).toBe('has too many decimals');
    expect(amount!.validate?.('1.0000001', { unit: 'MB' })).toBe('has too many decimals');
    expect(amount!.validate?.('1.000001', { unit: 'GB' })).toBeUndefined();
    expect(sizeBytes({ bytes: 'lots', unit: 'GB' })).toBeNaN();
    expect(parsedError({ ok: false, error: 'empty' })).toBe('is required');
  });
});

describe('sizes the operator set, shown exactly', () => {
  it.each([
    [101_500_000_000, 'en', '101.5 GB'],
    [1_500_000_000, 'it', '1,5 GB'],
    [250_000_000, 'es', '250 MB'],
  ] as const)('%d bytes in %s', async (n, lang, shown) => {
    await setLocale(lang);
    expect(exactSize(n)).toBe(shown);
  });
});
