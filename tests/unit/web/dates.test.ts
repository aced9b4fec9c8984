// The UI's "today" for billing date fields is the date in the billing time zone, not UTC's: between
// 23:00 and 24:00 UTC (22:00 in summer) UTC's date is a day behind Rome's, and a refund or plan change
// defaulted to it was dated before the payment it refers to, which the server refuses.
import { describe, expect, it } from 'vitest';
import { dateIn } from '../../../web/src/ui.js';

describe('dateIn', () => {
  it('gives the calendar date in the zone asked for', () => {
    const lateUtc = new Date('2026-11-23T23:30:00Z');
    expect(dateIn(lateUtc, 'UTC')).toBe('2026-11-23');
    expect(dateIn(lateUtc, 'Europe/Rome')).toBe('2026-11-24');
    expect(dateIn(new Date('2026-07-01T22:30:00Z'), 'Europe/Rome')).toBe('2026-07-02');
    expect(dateIn(new Date('2026-03-01T03:00:00Z'), 'America/Bogota')).toBe('2026-02-28');
  });

  it('falls back to the browser zone for an unknown zone name', () => {
    expect(dateIn(new Date('2026-11-23T12:00:00Z'), 'Not/AZone')).toMatch(/^2026-11-2[234]$/);
  });
});
