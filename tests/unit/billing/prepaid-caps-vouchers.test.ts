import { describe, expect, it } from 'vitest';
import {
  allowanceBytes, billingDayOf, BLOCKED, capPeriod, capPolicy, crossedNotices, formatBytes, tierAt, validateTiers,
} from '../../../src/domain/billing/caps.js';
import { periodContaining, buildSchedule } from '../../../src/domain/billing/periods.js';
import { daysLeft, dueExpiryNotice, extendExpiry, parseNoticeDays } from '../../../src/domain/billing/prepaid.js';
import { formatCode, generateCode, generateCodes, looksLikeVoucher, normalizeCode, VOUCHER_ALPHABET } from '../../../src/domain/billing/vouchers.js';
import { addDays } from '../../../src/lib/calendar.js';
import { translate } from '../../../src/i18n/messages.js';

const DAY = 86_400_000;
const now = new Date('2026-03-10T12:00:00.000Z');

describe('prepaid expiry', () => {
  it('extends from now, from a future expiry, and from now after a past one', () => {
    expect(extendExpiry(now, null, 30)).toBe('2026-04-09T12:00:00.000Z');
    expect(extendExpiry(now, '2026-03-20T00:00:00.000Z', 30)).toBe('2026-04-19T00:00:00.000Z');
    expect(extendExpiry(now, '2026-03-01T00:00:00.000Z', 30)).toBe('2026-04-09T12:00:00.000Z');
    expect(extendExpiry(now, null, 7, 3)).toBe(new Date(now.getTime() + 21 * DAY).toISOString());
    // DST (Europe: 2026-03-29) does not matter: days are 24 h from the instant.
    expect(Date.parse(extendExpiry(now, null, 30)) - now.getTime()).toBe(30 * DAY);
    expect(() => extendExpiry(now, null, 0)).toThrow();
    expect(() => extendExpiry(now, null, 30, 0)).toThrow();
  });

  it('parses notice days', () => {
    expect(parseNoticeDays('1, 7,3')).toEqual([7, 3, 1]);
    expect(parseNoticeDays('')).toEqual([]);
    for (const bad of ['0', '1,1', '1,2,3,4', 'x', '400', '-1']) expect(() => parseNoticeDays(bad)).toThrow();
  });

  it('sends the most urgent open notice once and never a larger one after', () => {
    const exp = new Date(now.getTime() + 10 * DAY).toISOString();
    const at = (daysBefore: number) => new Date(Date.parse(exp) - daysBefore * DAY);
    const days = [7, 3, 1];
    expect(dueExpiryNotice(at(8), exp, days, new Set())).toEqual({ send: null, done: [] });
    expect(dueExpiryNotice(at(7), exp, days, new Set())).toEqual({ send: 7, done: [7] });
    expect(dueExpiryNotice(at(6), exp, days, new Set([7]))).toEqual({ send: null, done: [] });
    // Downtime from 6 to 0.5 days before: only the 1-day notice, and 3 is marked done with it.
    expect(dueExpiryNotice(at(0.5), exp, days, new Set([7]))).toEqual({ send: 1, done: [1, 3] });
    expect(dueExpiryNotice(new Date(Date.parse(exp) + 1), exp, days, new Set())).toEqual({ send: null, done: [] });
    expect(daysLeft(at(2.5), exp)).toBe(3);
  });
});

describe('voucher codes', () => {
  it('uses 32 symbols without 0, O, 1, I, each equally likely', () => {
    expect(VOUCHER_ALPHABET).toHaveLength(32);
    expect(VOUCHER_ALPHABET).not.toMatch(/[01OI]/);
    const bytes = Buffer.from(Array.from({ length: 32 }, (_, i) => i + 32 * 3));
    expect(generateCode(32, () => bytes)).toBe(VOUCHER_ALPHABET);
    expect(() => generateCode(9)).toThrow();
    expect(() => generateCode(33)).toThrow();
  });

  it('generates 100,000 unique codes, skipping taken ones', () => {
    const codes = generateCodes(100_000, 10);
    expect(new Set(codes).size).toBe(100_000);
    expect(codes.every(looksLikeVoucher)).toBe(true);
    const taken = new Set(codes.slice(0, 10));
    let n = 0;
    // A random source that repeats the taken codes first: they are skipped.
    const first = generateCodes(3, 10, (c) => taken.has(c), (len) => (n < 10 ? Buffer.from(codes[n++]!.split('').map((ch) => VOUCHER_ALPHABET.indexOf(ch))) : Buffer.from(Array.from({ length: len }, () => Math.floor(Math.random() * 256)))));
    expect(first.some((c) => taken.has(c))).toBe(false);
  });

  it('normalises what people type and formats for printing', () => {
    expect(normalizeCode(' abcd-efgh 2345 ')).toBe('ABCDEFGH2345');
    expect(formatCode('ABCDEFGH2345')).toBe('ABCD-EFGH-2345');
    expect(formatCode('ABCDEFGH23')).toBe('ABCD-EFGH-23');
    expect(looksLikeVoucher('ABCDEFGH2O')).toBe(false);
    expect(looksLikeVoucher('mario')).toBe(false);
  });
});

describe('data caps', () => {
  const GB = 1_000_000_000;
  const plan = { dataCapBytes: null, capAction: null, throttleDownloadKbps: null, throttleUploadKbps: null };
  const fairUse = capPolicy(plan, [
    { fromBytes: 300 * GB, downloadKbps: 2000, uploadKbps: 500 },
    { fromBytes: 200 * GB, downloadKbps: 10000, uploadKbps: 2000 },
  ])!;

  it('puts usage in tiers: full to 200 GB, 10 Mbit/s to 300 GB, then 2 Mbit/s', () => {
    expect(tierAt(fairUse, 0)).toMatchObject({ level: 0, rate: null, nextAtBytes: 200 * GB });
    expect(tierAt(fairUse, 200 * GB)).toMatchObject({ level: 1, rate: { downloadKbps: 10000 }, nextAtBytes: 300 * GB });
    expect(tierAt(fairUse, 1000 * GB)).toMatchObject({ level: 2, rate: { downloadKbps: 2000 }, nextAtBytes: null });
    // 50 GB of top-ups move every threshold up.
    expect(tierAt(fairUse, 240 * GB, 50 * GB)).toMatchObject({ level: 0, nextAtBytes: 250 * GB });
    expect(allowanceBytes(fairUse, 50 * GB)).toBe(250 * GB);
  });

  it('turns the plan cap into a throttle tier or a block', () => {
    const throttled = capPolicy({ dataCapBytes: 100, capAction: 'throttle', throttleDownloadKbps: 64, throttleUploadKbps: 32 }, [])!;
    expect(tierAt(throttled, 100)).toMatchObject({ level: 1, blocked: false, rate: { downloadKbps: 64, uploadKbps: 32 } });
    const block = capPolicy({ dataCapBytes: 300, capAction: 'block', throttleDownloadKbps: null, throttleUploadKbps: null }, [{ fromBytes: 100, downloadKbps: 1, uploadKbps: 1 }])!;
    expect(tierAt(block, 150)).toMatchObject({ level: 1, nextAtBytes: 300 });
    expect(tierAt(block, 300)).toMatchObject({ level: BLOCKED, blocked: true });
    expect(allowanceBytes(block)).toBe(100);
    expect(capPolicy(plan, [])).toBeNull();
  });

  it('validates tiers', () => {
    expect(validateTiers([{ fromBytes: 2, downloadKbps: 1, uploadKbps: 1 }, { fromBytes: 1, downloadKbps: 1, uploadKbps: 1 }]).map((t) => t.fromBytes)).toEqual([1, 2]);
    expect(() => validateTiers([1, 2, 3, 4].map((i) => ({ fromBytes: i, downloadKbps: 1, uploadKbps: 1 })))).toThrow();
    expect(() => validateTiers([{ fromBytes: 1, downloadKbps: 1, uploadKbps: 1 }, { fromBytes: 1, downloadKbps: 2, uploadKbps: 2 }])).toThrow();
  });

  it('names the field at fault by its position in the request, as the request names it', () => {
    const field = (tiers: Array<{ fromBytes: number }>) => {
      try {
        validateTiers(tiers.map((t) => ({ ...t, downloadKbps: 1, uploadKbps: 1 })));
      } catch (e) {
        return (e as { field?: string }).field;
      }
      return undefined;
    };
    // Sorted, the duplicate 5 comes second; in the request it is the third entry.
    expect(field([{ fromBytes: 5 }, { fromBytes: 9 }, { fromBytes: 5 }])).toBe('tiers.2.fromBytes');
    expect(field([{ fromBytes: 9 }, { fromBytes: 0 }])).toBe('tiers.1.fromBytes');
    expect(field([1, 2, 3, 4].map((fromBytes) => ({ fromBytes })))).toBe('tiers');
  });

  it('formats bytes for notices', () => {
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(200_000)).toBe('200.0 kB');
    expect(formatBytes(200 * GB)).toBe('200.0 GB');
  });

  it('reports 80 % and 100 % only when crossed', () => {
    expect(crossedNotices(1000, 0, 799)).toEqual([]);
    expect(crossedNotices(1000, 0, 800)).toEqual([80]);
    expect(crossedNotices(1000, 790, 1000)).toEqual([80, 100]);
    expect(crossedNotices(1000, 900, 950)).toEqual([]);
  });

  it('anchors periods to the billing day, like the billing periods, in O(1)', () => {
    expect(capPeriod({ startDate: '2026-01-31', billingDay: 'anniversary', periodMonths: 1 }, '2026-03-05')).toEqual({ start: '2026-02-28', end: '2026-03-30' });
    expect(capPeriod({ startDate: '2026-01-31', billingDay: 'anniversary', periodMonths: 1 }, '2026-03-31')).toEqual({ start: '2026-03-31', end: '2026-04-29' });
    expect(capPeriod({ startDate: '2026-01-10', billingDay: 1, periodMonths: 1 }, '2026-01-20')).toEqual({ start: '2026-01-10', end: '2026-01-31' });
    expect(capPeriod({ startDate: '2026-01-10', billingDay: 'last', periodMonths: 1 }, '2026-03-01')).toEqual({ start: '2026-02-28', end: '2026-03-30' });
    expect(capPeriod({ startDate: '2026-05-15', billingDay: 'anniversary', periodMonths: 1 }, '2026-05-01')).toEqual({ start: '2026-05-15', end: '2026-06-14' });
    expect(billingDayOf('12')).toBe(12);
    expect(billingDayOf(null)).toBe('anniversary');
    // Agrees with the billing schedule's periods day by day, for several contracts.
    const cases = [
      { startDate: '2024-01-31', billingDay: 'anniversary' as const, periodMonths: 1 },
      { startDate: '2024-02-29', billingDay: 'anniversary' as const, periodMonths: 3 },
      { startDate: '2024-03-17', billingDay: 5, periodMonths: 1 },
      { startDate: '2024-03-17', billingDay: 'last' as const, periodMonths: 2 },
      { startDate: '2024-12-01', billingDay: 28, periodMonths: 12 },
    ];
    for (const c of cases) {
      const schedule = buildSchedule({ startDate: c.startDate, billingPeriodMonths: c.periodMonths, billingDay: c.billingDay });
      for (let d = c.startDate; d < '2027-01-01'; d = addDays(d, 1)) {
        const p = periodContaining(schedule, d)!;
        expect(capPeriod(c, d), `${JSON.stringify(c)} ${d}`).toEqual({ start: p.start, end: p.end });
      }
    }
  });
});

describe('the authorization decision with cap facts', async () => {
  const { decide } = await import('../../../src/aaa/decide.js');
  const service = {
    id: 1, status: 'active' as const, startDate: '2026-01-01', macAddress: null, staticIp: null, ipv6Prefix: null, delegatedIpv6Prefix: null,
    simultaneousUse: 1, expiresAt: null, planType: 'recurring' as const, downloadKbps: 50000, uploadKbps: 10000, burstDownloadKbps: null,
    burstUploadKbps: null, burstThresholdDownloadKbps: null, burstThresholdUploadKbps: null, burstTimeSeconds: null,
    dataCapBytes: 300, capAction: 'block' as const, throttleDownloadKbps: null, throttleUploadKbps: null, framedPool: null,
  };
  const req = { passwordOk: true, callingStationId: null, nasId: 1, vendor: 'mikrotik' as const };
  const policy = { interimInterval: 300, suspendedMode: 'reject' as const, walledGardenList: 'wg', walledGardenDownloadKbps: 256, walledGardenUploadKbps: 128 };
  const cap = capPolicy(service, [{ fromBytes: 100, downloadKbps: 2000, uploadKbps: 500 }])!;
  const ctx = (usedBytes: number, extraBytes = 0) => ({ now, openSessions: [], policy, cap: { policy: cap, usedBytes, extraBytes } });
  const rate = (d: ReturnType<typeof decide>) => (d.accept ? d.attributes.find(([n]) => n === 'Mikrotik-Rate-Limit')?.[1] : undefined);

  it('gives the full rate, the tier rate, or a reject with the reason', () => {
    expect(rate(decide(service, req, ctx(99)))).toBe('10000k/50000k');
    const throttled = decide(service, req, ctx(150));
    expect(rate(throttled)).toBe('500k/2000k');
    // The note is a catalogue message (the UI words it for its reader); the log keeps the English.
    expect(throttled).toMatchObject({ note: { key: 'reason.throttledTier', values: { tier: '1' } } });
    if (throttled.accept && throttled.note) expect(translate('en', throttled.note.key, throttled.note.values)).toBe('data cap reached: throttled (fair-use tier 1)');
    expect(decide(service, req, ctx(300))).toEqual({ accept: false, reason: 'data cap of 300 bytes reached', reply: { key: 'aaa.dataCap', values: { bytes: '300' } } });
    expect(rate(decide(service, req, ctx(300, 250)))).toBe('10000k/50000k');
  });
});
