/**
 * The one formatter: money from integer minor units (never through a float), percentages from basis
 * points, calendar dates as they are, instants in the billing time zone, sizes and speeds, in each
 * language; and the choice of a language from an Accept-Language header or the browser's list.
 */
import { describe, expect, it } from 'vitest';
import { dateEntryPattern, formatDateEntry, formatter, minorToDecimal, parseDateEntry } from '../../../src/i18n/format.js';
import { negotiate, parseAcceptLanguage } from '../../../src/i18n/locales.js';
import { translate } from '../../../src/i18n/messages.js';

const rome = { timeZone: 'Europe/Rome', currency: 'EUR' };
const it_ = formatter('it', rome);
const es = formatter('es', rome);
const en = formatter('en', rome);
// Intl separates amount and symbol with a no-break space; compare with plain ones.
const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

describe('money', () => {
  it('is "29,90 €" in Italian and Spanish and "€29.90" in English', () => {
    expect(plain(it_.money(2990))).toBe('29,90 €');
    expect(plain(es.money(2990))).toBe('29,90 €');
    expect(en.money(2990)).toBe('€29.90');
  });

  it('groups thousands the way each language does, and keeps the sign', () => {
    expect(plain(it_.money(123456789))).toBe('1.234.567,89 €');
    expect(plain(es.money(12345678))).toBe('123.456,78 €');
    // Spanish leaves four-digit amounts ungrouped (RAE / CLDR).
    expect(plain(es.money(123456))).toBe('1234,56 €');
    expect(en.money(-123456)).toBe('-€1,234.56');
    expect(plain(it_.money(-5))).toBe('-0,05 €');
  });

  it('is exact beyond what a float holds: 2^53 - 1 cents', () => {
    expect(minorToDecimal(Number.MAX_SAFE_INTEGER, 2)).toBe('90071992547409.91');
    expect(en.money(Number.MAX_SAFE_INTEGER)).toBe('€90,071,992,547,409.91');
  });

  it('follows the currency\'s minor units and symbol', () => {
    expect(en.money(1500, 'JPY')).toBe('JP¥1,500');
    expect(plain(es.money(250000, 'USD'))).toBe('2500,00 US$');
  });
});

describe('numbers, percentages, sizes and speeds', () => {
  it('formats basis points as a percentage in each language', () => {
    expect(plain(es.percent(2200))).toBe('22 %');
    expect(it_.percent(2200)).toBe('22%');
    expect(en.percent(1050)).toBe('10.5%');
    expect(it_.percent(1050)).toBe('10,5%');
  });

  it('formats data sizes in decimal units with the language\'s decimal separator', () => {
    expect(it_.bytes(1_500_000_000)).toBe('1,5 GB');
    expect(en.bytes(1_500_000_000)).toBe('1.5 GB');
    expect(es.bytes(999)).toBe('999 B');
    expect(plain(it_.speed(10_500))).toBe('10,5 Mbit/s');
    expect(en.speed(512)).toBe('512 kbit/s');
  });
});

describe('dates and times', () => {
  it('shows a calendar date as it is, in each language', () => {
    expect(it_.date('2026-12-20')).toBe('20 dic 2026');
    expect(es.date('2026-12-20')).toBe('20 dic 2026');
    expect(en.date('2026-12-20')).toBe('20 Dec 2026');
    expect(it_.date('2026-12-20', 'short')).toBe('20/12/2026');
    expect(es.date('2026-01-05', 'long')).toBe('5 de enero de 2026');
    expect(it_.date('not a date')).toBe('not a date');
  });

  it('shows instants in the billing time zone, whatever the reader\'s zone', () => {
    // 23:30 UTC on 31 December is already 1 January in Rome.
    expect(it_.day('2026-12-31T23:30:00Z')).toBe('1 gen 2027');
    expect(en.time('2026-12-31T23:30:00Z')).toBe('00:30');
    expect(es.dayTime('2026-12-06T00:48:00Z')).toBe('6 dic, 01:48');
    expect(formatter('es', { timeZone: 'America/Bogota', currency: 'COP' }).day('2026-03-01T03:00:00Z')).toBe('28 feb 2026');
  });

  it('names weekdays and says how long ago', () => {
    expect(it_.weekday(1)).toBe('lunedì');
    expect(es.weekday(7)).toBe('domingo');
    const now = Date.parse('2026-12-06T12:00:00Z');
    expect(it_.ago('2026-12-06T11:55:00Z', now)).toBe('5 min fa');
    expect(es.ago('2026-12-04T12:00:00Z', now)).toBe('anteayer');
  });
});

describe('the language of a reader', () => {
  it('is the first supported one of an Accept-Language header, by weight', () => {
    expect(parseAcceptLanguage('fr-CH, es-419;q=0.8, it;q=0.9, *;q=0.1')).toEqual(['fr-CH', 'it', 'es-419']);
    expect(negotiate('fr-CH, es-419;q=0.8, it;q=0.9', 'en')).toBe('it');
    expect(negotiate(['es-AR', 'en-US'], 'it')).toBe('es');
    expect(negotiate('de, fr;q=0.5', 'it')).toBe('it');
    expect(negotiate('it;q=0, es', 'en')).toBe('es');
    expect(negotiate(undefined, 'es')).toBe('es');
  });

  it('turns plurals the way each language does', () => {
    expect(translate('it', 'dashboard.invoices', { n: 1 })).toBe('1 fattura');
    expect(translate('it', 'dashboard.invoices', { n: 3 })).toBe('3 fatture');
    expect(translate('es', 'vouchers.generated', { n: 50 })).toBe('50 fichas generadas');
    expect(translate('en', 'plans.days', { n: 1 })).toBe('1 day');
  });
});

describe('dates typed in the operator\'s language', () => {
  it('follows the language, not the browser: day, month, year in Italian, Spanish and British English', () => {
    for (const l of ['it', 'es', 'en'] as const) {
      expect(dateEntryPattern(l)).toEqual({ order: ['day', 'month', 'year'], separator: '/' });
      expect(formatDateEntry('2026-12-31', l)).toBe('31/12/2026');
    }
    expect(formatDateEntry('', 'it')).toBe('');
  });

  it('reads what an operator types, in the language\'s order, and refuses what is not a date', () => {
    expect(parseDateEntry('31/12/2026', 'it')).toBe('2026-12-31');
    expect(parseDateEntry(' 1/2/2026 ', 'es')).toBe('2026-02-01');
    expect(parseDateEntry('1.2.2026', 'it')).toBe('2026-02-01');
    expect(parseDateEntry('01-02-2026', 'en')).toBe('2026-02-01');
    expect(parseDateEntry('2026-02-01', 'it')).toBe('2026-02-01');
    expect(parseDateEntry('29/02/2028', 'it')).toBe('2028-02-29');
    for (const bad of ['29/02/2026', '31/04/2026', '13/13/2026', '0/1/2026', '1/2/26', '2026/02/01x', 'domani', '', '1/2']) {
      expect(parseDateEntry(bad, 'it'), bad).toBeNull();
    }
  });
});
