// The operator's units, exact both ways: every case is text in, integer out (or the refusal), and
// the integer back to text. Floats would get several of these wrong (0.1 GB, 19.99 EUR, 4.1 %).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bpToPercent, bytesToSize, currencyDigits, decimalSeparator, formatScaled, kbpsToSpeed, minorToMoneyText, moneyToMinor, parseScaled, percentToBp, sizeToBytes, speedToKbps, uiDecimal,
} from '../../../web/src/units.js';
import { setLocale } from '../../../web/src/i18n.js';

const ok = (value: number) => ({ ok: true, value });
const no = (error: string) => ({ ok: false, error });

describe('decimal text ↔ scaled integers', () => {
  it.each([
    ['19.99', 2, '.', ok(1999)],
    ['19,99', 2, ',', ok(1999)],
    ['1.234,50', 2, ',', ok(123450)],
    ['1,234.50', 2, '.', ok(123450)],
    ['1 234,5', 2, ',', ok(123450)],
    ["1'234.5", 2, '.', ok(123450)],
    ['0.10', 2, '.', ok(10)],
    ['.5', 2, '.', ok(50)],
    ['5.', 2, '.', ok(500)],
    ['-3.05', 2, '.', ok(-305)],
    ['+3', 2, '.', ok(300)],
    ['1.2300', 2, '.', ok(123)],
    ['0.001', 2, '.', no('too_precise')],
    ['19.999', 2, '.', no('too_precise')],
    ['1,5', 2, '.', no('not_a_number')],
    ['1.5.0', 2, '.', no('not_a_number')],
    ['12,34,5', 2, '.', no('not_a_number')],
    ['1e3', 2, '.', no('not_a_number')],
    ['abc', 2, '.', no('not_a_number')],
    ['-', 2, '.', no('not_a_number')],
    ['', 2, '.', no('empty')],
    ['   ', 2, '.', no('empty')],
    ['90071992547409.92', 2, '.', no('out_of_range')],
    ['90071992547409.91', 2, '.', ok(Number.MAX_SAFE_INTEGER)],
  ] as const)('%s (scale %i, "%s")', (text, scale, decimal, expected) => {
    expect(parseScaled(text, scale, decimal)).toEqual(expected);
  });

  it('formats back exactly, trimmed or fixed', () => {
    expect(formatScaled(1999, 2)).toBe('19.99');
    expect(formatScaled(1990, 2, ',')).toBe('19,9');
    expect(formatScaled(1990, 2, ',', true)).toBe('19,90');
    expect(formatScaled(5, 2, '.', true)).toBe('0.05');
    expect(formatScaled(-305, 2)).toBe('-3.05');
    expect(formatScaled(100, 2)).toBe('1');
    expect(formatScaled(0, 3)).toBe('0');
    expect(() => formatScaled(0.5, 2)).toThrow(RangeError);
  });

  it('round-trips every safe integer at every scale and separator', () => {
    fc.assert(fc.property(fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }), fc.integer({ min: 0, max: 9 }), fc.constantFrom('.', ',') as fc.Arbitrary<'.' | ','>, fc.boolean(), (n, scale, decimal, fixed) => {
      expect(parseScaled(formatScaled(n, scale, decimal, fixed), scale, decimal)).toEqual(ok(n));
    }));
  });
});

describe('the units', () => {
  it('money: minor units of the currency', () => {
    expect(moneyToMinor('25,00', 2, ',')).toEqual(ok(2500));
    expect(moneyToMinor('0.1')).toEqual(ok(10));
    expect(moneyToMinor('1500', 0)).toEqual(ok(1500)); // CLP has no minor unit
    expect(moneyToMinor('1500.5', 0)).toEqual(no('too_precise'));
    expect(minorToMoneyText(2500, 2, ',')).toBe('25,00');
    expect(minorToMoneyText(1, 3)).toBe('0.001');
    expect(currencyDigits('EUR')).toBe(2);
    expect(currencyDigits('CLP')).toBe(0);
    expect(currencyDigits('KWD')).toBe(3);
  });

  it('VAT: a percentage is basis points, 0 to 100 %', () => {
    expect(percentToBp('22')).toEqual(ok(2200));
    expect(percentToBp('4,1', ',')).toEqual(ok(410));
    expect(percentToBp('10.5 %')).toEqual(ok(1050));
    expect(percentToBp('0')).toEqual(ok(0));
    expect(percentToBp('100')).toEqual(ok(10_000));
    expect(percentToBp('100.01')).toEqual(no('out_of_range'));
    expect(percentToBp('-1')).toEqual(no('out_of_range'));
    expect(percentToBp('22.125')).toEqual(no('too_precise'));
    expect(bpToPercent(2200)).toBe('22');
    expect(bpToPercent(1050, ',')).toBe('10,5');
    expect(bpToPercent(410)).toBe('4.1');
  });

  it('speeds: Mbit/s to three decimals or kbit/s, stored as kbit/s', () => {
    expect(speedToKbps('10', 'Mbit/s')).toEqual(ok(10_000));
    expect(speedToKbps('2,5', 'Mbit/s', ',')).toEqual(ok(2500));
    expect(speedToKbps('0.512', 'Mbit/s')).toEqual(ok(512));
    expect(speedToKbps('512', 'kbit/s')).toEqual(ok(512));
    expect(speedToKbps('0.5', 'kbit/s')).toEqual(no('too_precise'));
    expect(speedToKbps('0', 'Mbit/s')).toEqual(no('out_of_range'));
    expect(speedToKbps('100001', 'Mbit/s')).toEqual(no('out_of_range'));
    expect(kbpsToSpeed(10_000)).toEqual({ value: '10', unit: 'Mbit/s' });
    expect(kbpsToSpeed(2500, ',')).toEqual({ value: '2,5', unit: 'Mbit/s' });
    expect(kbpsToSpeed(1001)).toEqual({ value: '1.001', unit: 'Mbit/s' });
    expect(kbpsToSpeed(512)).toEqual({ value: '512', unit: 'kbit/s' });
  });

  it('data: GB and MB are decimal (10^9, 10^6 bytes), stored as bytes', () => {
    expect(sizeToBytes('100', 'GB')).toEqual(ok(100_000_000_000));
    expect(sizeToBytes('0.1', 'GB')).toEqual(ok(100_000_000));
    expect(sizeToBytes('1,5', 'GB', ',')).toEqual(ok(1_500_000_000));
    expect(sizeToBytes('500', 'MB')).toEqual(ok(500_000_000));
    expect(sizeToBytes('0.0000001', 'MB')).toEqual(no('too_precise'));
    expect(sizeToBytes('-1', 'GB')).toEqual(no('out_of_range'));
    expect(bytesToSize(100_000_000_000)).toEqual({ value: '100', unit: 'GB' });
    expect(bytesToSize(1_500_000_000, ',')).toEqual({ value: '1,5', unit: 'GB' });
    expect(bytesToSize(500_000_000)).toEqual({ value: '500', unit: 'MB' });
    expect(bytesToSize(1_234_567)).toEqual({ value: '1.234567', unit: 'MB' });
    expect(sizeToBytes(bytesToSize(1_234_567_891).value, 'GB')).toEqual(ok(1_234_567_891));
  });

  it('takes the decimal separator from the locale', () => {
    expect(decimalSeparator('it')).toBe(',');
    expect(decimalSeparator('es')).toBe(',');
    expect(decimalSeparator('en')).toBe('.');
    expect(decimalSeparator('es-MX')).toBe('.');
  });

  it("follows the admin's language when no separator is passed, and switches with it", async () => {
    try {
      await setLocale('it');
      expect(uiDecimal()).toBe(',');
      expect(moneyToMinor('1.234,50')).toEqual(ok(123450));
      expect(percentToBp('22,5')).toEqual(ok(2250));
      expect(bpToPercent(2250)).toBe('22,5');
      expect(kbpsToSpeed(2500)).toEqual({ value: '2,5', unit: 'Mbit/s' });
      await setLocale('es');
      expect(sizeToBytes('0,1', 'GB')).toEqual(ok(100_000_000));
      await setLocale('en');
      expect(moneyToMinor('1,234.50')).toEqual(ok(123450));
      expect(bpToPercent(2250)).toBe('22.5');
    } finally {
      await setLocale('en');
    }
  });
});
