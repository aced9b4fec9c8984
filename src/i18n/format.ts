/**
 * The one formatting module: money, numbers, percentages, dates, times and data sizes in a reader's
 * language, for the UI, the PDFs, the emails and the SMS alike. Built on Intl; no floats reach money:
 * an amount in minor units is turned into an exact decimal string before Intl sees it.
 *
 * Calendar dates (`YYYY-MM-DD`, billing dates) are shown as they are, never moved by a time zone;
 * instants (ISO UTC) are shown in the billing time zone, so a reader abroad sees the same day and
 * hour on screen as on the invoice.
 */
import { INTL_TAGS, type Locale } from './locales.js';

export interface FormatContext {
  /** IANA zone instants are shown in: the billing time zone. */
  readonly timeZone: string;
  /** ISO 4217 code of amounts that do not name their own. */
  readonly currency: string;
}

const cache = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat | Intl.RelativeTimeFormat>();
function cached<T extends Intl.NumberFormat | Intl.DateTimeFormat | Intl.RelativeTimeFormat>(key: string, make: () => T): T {
  let f = cache.get(key) as T | undefined;
  if (!f) {
    f = make();
    cache.set(key, f);
  }
  return f;
}

/** Minor units per major unit of `currency` (100 for EUR, 1 for JPY or CLP). */
export function minorDigits(currency: string): number {
  return cached(`digits:${currency}`, () => new Intl.NumberFormat('en', { style: 'currency', currency })).resolvedOptions().maximumFractionDigits ?? 2;
}

/** An integer amount of minor units as an exact decimal string ("-1234.5" never; "-1234.50"). */
export function minorToDecimal(minor: number, digits: number): `${number}` {
  const negative = minor < 0;
  const abs = String(Math.abs(Math.trunc(minor))).padStart(digits + 1, '0');
  const whole = digits === 0 ? abs : abs.slice(0, -digits);
  const frac = digits === 0 ? '' : `.${abs.slice(-digits)}`;
  return `${negative ? '-' : ''}${whole}${frac}` as `${number}`;
}

const DATE_STYLES = {
  /** "20/12/2026": documents and tables of dates. */
  short: { day: '2-digit', month: '2-digit', year: 'numeric' },
  /** "20 dic 2026" */
  medium: { day: 'numeric', month: 'short', year: 'numeric' },
  /** "20 dicembre 2026" */
  long: { day: 'numeric', month: 'long', year: 'numeric' },
} as const satisfies Record<string, Intl.DateTimeFormatOptions>;
export type DateStyle = keyof typeof DATE_STYLES;

const SIZE_UNITS = ['byte', 'kilobyte', 'megabyte', 'gigabyte', 'terabyte', 'petabyte'] as const;

export interface Formatter {
  readonly locale: Locale;
  readonly timeZone: string;
  /** Minor units as money: "29,90 €" in Italian and Spanish, "€29.90" in English. */
  money(minor: number, currency?: string): string;
  /** A plain number with the language's separators. */
  number(n: number, maxFractionDigits?: number): string;
  /** Basis points as a percentage: 2200 → "22 %" (it), "22 %" (es), "22%" (en). */
  percent(basisPoints: number): string;
  /** A calendar date `YYYY-MM-DD` as it is (not moved by any zone). */
  date(ymd: string, style?: DateStyle): string;
  /** An instant's calendar date in the billing time zone (a `YYYY-MM-DD` date as it is). */
  day(isoOrYmd: string, style?: DateStyle): string;
  /** An instant's date and time in the billing time zone. */
  dateTime(iso: string): string;
  /** An instant's time of day (hours and minutes) in the billing time zone. */
  time(iso: string): string;
  /** An instant's day and time, short: "6 dic, 01:48". */
  dayTime(iso: string): string;
  /** A data size in decimal units: "1,5 GB". */
  bytes(n: number): string;
  /** A speed in kbit/s as kbit/s or Mbit/s. */
  speed(kbps: number): string;
  /** How long ago `iso` was, relative to `now` ("5 minuti fa"). */
  ago(iso: string, now: number): string;
  /** A duration in seconds: "2 h 5 min". */
  duration(seconds: number): string;
  /** The month and year of a calendar date ("dicembre 2026"). */
  month(ymd: string): string;
  /** An ISO weekday (1 Monday … 7 Sunday) by name: "lunedì". */
  weekday(isoDay: number, style?: 'long' | 'short'): string;
}

function ymdToUtc(ymd: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(ymd);
  if (!m) return null;
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), 12));
}

function validZone(tz: string): string {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return tz;
  } catch {
    return 'UTC';
  }
}

/** A formatter for one language, billing time zone and currency. */
export function formatter(locale: Locale, ctx: FormatContext): Formatter {
  const tag = INTL_TAGS[locale];
  const timeZone = validZone(ctx.timeZone);
  const num = (max: number) => cached(`n:${tag}:${max}`, () => new Intl.NumberFormat(tag, { maximumFractionDigits: max }));
  const dt = (key: string, opts: Intl.DateTimeFormatOptions) => cached(`d:${tag}:${timeZone}:${key}`, () => new Intl.DateTimeFormat(tag, { timeZone, ...opts }));
  const instant = (iso: string, key: string, opts: Intl.DateTimeFormatOptions) => {
    const d = new Date(iso);
    return Number.isNaN(d.getTime()) ? iso : dt(key, opts).format(d);
  };
  const f: Formatter = {
    locale,
    timeZone,
    money(minor, currency = ctx.currency) {
      let nf: Intl.NumberFormat;
      try {
        nf = cached(`m:${tag}:${currency}`, () => new Intl.NumberFormat(tag, { style: 'currency', currency }));
      } catch {
        return `${minorToDecimal(minor, 2)} ${currency}`;
      }
      // Intl takes a decimal string exactly (NumberFormat v3): the amount never passes through a float.
      return nf.format(minorToDecimal(minor, minorDigits(currency)) );
    },
    number: (n, max = 2) => num(max).format(n),
    percent(bp) {
      const p = cached(`p:${tag}`, () => new Intl.NumberFormat(tag, { style: 'percent', maximumFractionDigits: 2 }));
      return p.format(minorToDecimal(bp, 4) );
    },
    date(ymd, style = 'medium') {
      const d = ymdToUtc(ymd);
      if (!d) return ymd;
      return cached(`cd:${tag}:${style}`, () => new Intl.DateTimeFormat(tag, { timeZone: 'UTC', ...DATE_STYLES[style] })).format(d);
    },
    day(v, style = 'medium') {
      if (/^\d{4}-\d{2}-\d{2}$/.test(v)) return f.date(v, style);
      return instant(v, `day:${style}`, DATE_STYLES[style]);
    },
    dateTime: (iso) => instant(iso, 'dt', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' }),
    time: (iso) => instant(iso, 't', { hour: '2-digit', minute: '2-digit' }),
    dayTime: (iso) => instant(iso, 'dayt', { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' }),
    bytes(n) {
      let i = 0;
      let v = n;
      while (Math.abs(v) >= 1000 && i < SIZE_UNITS.length - 1) {
        v /= 1000;
        i++;
      }
      const digits = v >= 100 || i === 0 ? 0 : 1;
      return cached(`b:${tag}:${i}:${digits}`, () => new Intl.NumberFormat(tag, { style: 'unit', unit: SIZE_UNITS[i], unitDisplay: 'short', maximumFractionDigits: digits })).format(v);
    },
    speed(kbps) {
      return kbps >= 1000 ? `${num(kbps % 1000 ? 1 : 0).format(kbps / 1000)} Mbit/s` : `${num(0).format(kbps)} kbit/s`;
    },
    ago(iso, now) {
      const rt = cached(`r:${tag}`, () => new Intl.RelativeTimeFormat(tag, { numeric: 'auto', style: 'short' }));
      const s = Math.round((Date.parse(iso) - now) / 1000);
      if (Number.isNaN(s)) return iso;
      if (Math.abs(s) < 60) return rt.format(s, 'second');
      if (Math.abs(s) < 3600) return rt.format(Math.round(s / 60), 'minute');
      if (Math.abs(s) < 86_400) return rt.format(Math.round(s / 3600), 'hour');
      return rt.format(Math.round(s / 86_400), 'day');
    },
    duration(seconds) {
      const h = Math.floor(seconds / 3600);
      const m = Math.floor((seconds % 3600) / 60);
      return h ? `${num(0).format(h)} h ${m} min` : `${m} min ${seconds % 60} s`;
    },
    weekday(isoDay, style = 'long') {
      // 1 January 2024 was a Monday.
      return cached(`wd:${tag}:${style}`, () => new Intl.DateTimeFormat(tag, { timeZone: 'UTC', weekday: style })).format(new Date(Date.UTC(2024, 0, isoDay, 12)));
    },
    month(ymd) {
      const d = ymdToUtc(ymd);
      return d ? cached(`mo:${tag}`, () => new Intl.DateTimeFormat(tag, { timeZone: 'UTC', month: 'long', year: 'numeric' })).format(d) : ymd;
    },
  };
  return f;
}

/** The parts of a calendar date in the order a language writes them, and its separator. */
export interface DateEntryPattern {
  readonly order: readonly ('day' | 'month' | 'year')[];
  readonly separator: string;
}

/**
 * How a calendar date is typed in `locale` ("31/12/2026" in Italian, Spanish and British English),
 * from Intl's own short date, so date fields follow the operator's language and not the browser's.
 */
export function dateEntryPattern(locale: Locale): DateEntryPattern {
  return cachedPattern.get(locale) ?? (() => {
    const parts = new Intl.DateTimeFormat(INTL_TAGS[locale], { timeZone: 'UTC', ...DATE_STYLES.short }).formatToParts(new Date(Date.UTC(2026, 11, 31, 12)));
    const order = parts.filter((p) => p.type === 'day' || p.type === 'month' || p.type === 'year').map((p) => p.type as 'day' | 'month' | 'year');
    const separator = parts.find((p) => p.type === 'literal')?.value ?? '/';
    const pattern = { order, separator };
    cachedPattern.set(locale, pattern);
    return pattern;
  })();
}
const cachedPattern = new Map<Locale, DateEntryPattern>();

/** A calendar date `YYYY-MM-DD` as typed in `locale` ("31/12/2026"); anything else as it is. */
export function formatDateEntry(ymd: string, locale: Locale): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(ymd);
  if (!m) return ymd;
  const parts = { year: m[1]!, month: m[2]!, day: m[3]! };
  const p = dateEntryPattern(locale);
  return p.order.map((k) => parts[k]).join(p.separator);
}

/**
 * A date typed in `locale`'s order ("31/12/2026", "31.12.2026", "31-12-2026", "1/2/2026") or as
 * `YYYY-MM-DD`, as `YYYY-MM-DD`; null when it is not a real calendar date. The year has four digits:
 * "1/2/26" is refused rather than guessed.
 */
export function parseDateEntry(text: string, locale: Locale): string | null {
  const s = text.trim();
  let y: number, mo: number, d: number;
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(s);
  if (iso) {
    [y, mo, d] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  } else {
    const fields = s.split(/[\s./-]+/);
    if (fields.length !== 3 || !fields.every((x) => /^\d+$/.test(x))) return null;
    const order = dateEntryPattern(locale).order;
    const at = (k: 'day' | 'month' | 'year') => fields[order.indexOf(k)]!;
    if (at('year').length !== 4 || at('day').length > 2 || at('month').length > 2) return null;
    [y, mo, d] = [Number(at('year')), Number(at('month')), Number(at('day'))];
  }
  if (mo < 1 || mo > 12 || d < 1) return null;
  const last = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  if (d > last) return null;
  return `${String(y).padStart(4, '0')}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}
