// The pure parts of dunning and notifications: the ladder, suspension times against quiet days and
// office hours, time windows, template rendering and the SMS gateway request.
import { describe, expect, it } from 'vitest';
import { dueLadderSteps, overdueByCustomer, owesEnough, suspensionDate, suspensionInstant, type DunningProfile } from '../../../src/domain/billing/dunning.js';
import { oneUnit } from '../../../src/lib/money.js';
import { insideWindow, nextAllowedInstant } from '../../../src/lib/windows.js';
import { htmlToText, render, renderMessage, escapeHtml } from '../../../src/notify/templates.js';
import { maskSecrets, smsRequest } from '../../../src/notify/transports.js';

const TZ = 'Europe/Rome';
const profile: DunningProfile = {
  id: 1,
  reminders: [
    { afterDays: 1, channels: ['email'], template: 'invoice.reminder.1' },
    { afterDays: 7, channels: ['sms'], template: 'invoice.reminder.2' },
    { afterDays: 14, channels: ['email', 'sms'], template: 'invoice.reminder.3' },
  ],
  lateFeeAmount: 500, lateFeeAfterDays: 10, graceDays: 20,
  quietWeekdays: [6, 7], quietDates: ['2026-04-06'], officeHoursStart: '09:00', officeHoursEnd: '17:00',
  minOverdueAmount: 100,
};
const inv = { id: 42, dueDate: '2026-03-15' };

describe('dunning ladder', () => {
  it('sends each reminder on its day, once, only the latest when several are due, never an earlier after a later', () => {
    expect(dueLadderSteps(inv, profile, '2026-03-15', new Set())).toEqual([]);
    expect(dueLadderSteps(inv, profile, '2026-03-16', new Set()).map((s) => s.key)).toEqual(['invoice:42:reminder:1']);
    expect(dueLadderSteps(inv, profile, '2026-03-17', new Set(['invoice:42:reminder:1']))).toEqual([]);
    // A late start on day 8: reminder 2 only.
    expect(dueLadderSteps(inv, profile, '2026-03-22', new Set()).map((s) => s.key)).toEqual(['invoice:42:reminder:2']);
    expect(dueLadderSteps(inv, profile, '2026-03-25', new Set(['invoice:42:reminder:2'])).map((s) => s.key)).toEqual(['invoice:42:late_fee']);
    expect(dueLadderSteps(inv, profile, '2026-03-29', new Set(['invoice:42:reminder:2', 'invoice:42:late_fee']))).toEqual([
      expect.objectContaining({ kind: 'reminder', step: 3, date: '2026-03-29', rule: profile.reminders[2] }),
    ]);
    expect(dueLadderSteps(inv, { ...profile, reminders: [], lateFeeAmount: null }, '2026-05-01', new Set())).toEqual([]);
  });

  it('suspends on due + grace + 1 at the first allowed instant: not on weekends, holidays or outside office hours', () => {
    expect(suspensionDate(inv, profile)).toBe('2026-04-05');
    expect(suspensionDate(inv, { ...profile, graceDays: null })).toBeNull();
    // 2026-04-05 is a Sunday, 04-06 a holiday (Easter Monday): Tuesday 09:00 CEST.
    expect(suspensionInstant(inv, profile, new Date('2026-04-05T00:00:00Z'), TZ)?.toISOString()).toBe('2026-04-07T07:00:00.000Z');
    // Already inside office hours on an allowed day: now.
    expect(suspensionInstant(inv, profile, new Date('2026-04-08T10:00:00Z'), TZ)?.toISOString()).toBe('2026-04-08T10:00:00.000Z');
    // After hours: the next morning.
    expect(suspensionInstant(inv, profile, new Date('2026-04-08T15:00:00Z'), TZ)?.toISOString()).toBe('2026-04-09T07:00:00.000Z');
    // No office hours: from midnight of the day.
    const open = { ...profile, officeHoursStart: null, officeHoursEnd: null, quietWeekdays: [] };
    expect(suspensionInstant(inv, open, new Date('2026-03-01T00:00:00Z'), TZ)?.toISOString()).toBe('2026-04-04T22:00:00.000Z');
  });
});

describe('the minimum overdue amount', () => {
  it('dunns a customer from the minimum on, summing its overdue invoices; one unit of the currency by default', () => {
    expect([oneUnit('EUR'), oneUnit('jpy'), oneUnit('KWD')]).toEqual([100, 1, 1000]);
    // One cent, 99 cents: nothing; one euro: dunned. A minimum of 0 still needs something overdue.
    expect([1, 99, 100, 101].map((n) => owesEnough(n, profile))).toEqual([false, false, true, true]);
    expect([0, 1].map((n) => owesEnough(n, { minOverdueAmount: 0 }))).toEqual([false, true]);
    // Three small invoices of one customer count together.
    const owed = overdueByCustomer([{ customerId: 1, open: 40 }, { customerId: 2, open: 1 }, { customerId: 1, open: 40 }, { customerId: 1, open: 20 }]);
    expect(owed).toEqual(new Map([[1, 100], [2, 1]]));
    expect(owesEnough(owed.get(1)!, profile) && !owesEnough(owed.get(2)!, profile)).toBe(true);
  });
});

describe('time windows', () => {
  it('handles windows wrapping midnight and DST days', () => {
    const night = { from: '22:00', until: '06:00' };
    expect(nextAllowedInstant(new Date('2026-05-04T10:00:00Z'), TZ, night)?.toISOString()).toBe('2026-05-04T20:00:00.000Z');
    expect(insideWindow(new Date('2026-05-05T02:00:00Z'), TZ, night)).toBe(true);
    expect(insideWindow(new Date('2026-05-05T04:30:00Z'), TZ, night)).toBe(false);
    // On the spring-forward day a window from 02:30 opens at 03:00 CEST.
    expect(nextAllowedInstant(new Date('2026-03-28T23:30:00Z'), TZ, { from: '02:30', until: '05:00' })?.toISOString()).toBe('2026-03-29T01:00:00.000Z');
    expect(nextAllowedInstant(new Date('2026-05-04T10:00:00Z'), TZ, { excludedWeekdays: [1, 2, 3, 4, 5, 6, 7] })).toBeNull();
  });
});

describe('templates and gateways', () => {
  it('renders {{vars}}, HTML-escaping values only in an email body', () => {
    expect(render('Hi {{ name }}, {{missing}}!', { name: 'A' })).toBe('Hi A, !');
    const m = renderMessage('email', { subject: 'For {{name}}\n', body: '<p>{{name}}</p>' }, { name: '<b>Tom & "Jerry"</b>' });
    expect(m).toEqual({ subject: 'For <b>Tom & "Jerry"</b> ', body: '<p>&lt;b&gt;Tom &amp; &quot;Jerry&quot;&lt;/b&gt;</p>' });
    expect(renderMessage('sms', { subject: '', body: '{{name}}' }, { name: '<b>' }).body).toBe('<b>');
    expect(htmlToText('<p>a &amp; b</p><p>c<br>d</p>')).toBe('a & b\n\nc\nd');
    expect(escapeHtml("'")).toBe('&#39;');
  });

  it('builds the SMS request for JSON, form and GET gateways', () => {
    const base = { url: 'https://sms.example/send', method: 'POST', headers: ['Authorization: Bearer {{token}}'], token: 'T0K', body: '', content_type: 'application/json' };
    expect(smsRequest({ ...base, body: '{"to":"{{to}}","text":"{{text}}"}' }, '+39 1', 'a "b"\nc')).toEqual({
      url: 'https://sms.example/send', method: 'POST', headers: { Authorization: 'Bearer T0K', 'content-type': 'application/json' }, body: '{"to":"+39 1","text":"a \\"b\\"\\nc"}',
    });
    expect(smsRequest({ ...base, content_type: 'application/x-www-form-urlencoded', body: 'To={{to}}&Body={{text}}' }, '+39 1', 'a&b c').body).toBe('To=%2B39+1&Body=a%26b+c');
    expect(smsRequest({ ...base, method: 'GET', url: 'http://gw/?u=x&p={{token}}&to={{to}}&msg={{text}}', headers: [] }, '+39', 'hi there')).toEqual({
      url: 'http://gw/?u=x&p=T0K&to=%2B39&msg=hi%20there', method: 'GET', headers: {}, body: undefined,
    });
    expect(maskSecrets('failed: token=T0K0 and T0K0', ['T0K0'])).toBe('failed: token=******** and ********');
  });
});
