// The admin UI's form helpers (web/src/forms.ts): flat form fields to the API's nested bodies and the
// API's field names back to the form's.
import { describe, expect, it } from 'vitest';
import {
  checkLinePart, checkReminder, creditNoteLines, fieldFor, planChangeRows, profileBody, profileValues, redeemTarget, reminderTemplateOptions, renameLineErrors, roleBody, roleValues,
} from '../../../web/src/forms.js';

describe('fieldFor', () => {
  const known = new Set(['name', 'permissions.nas', 'lines.2', 'lines.2.amount', 'reminders.0.template']);
  it('takes the exact field, else the nearest prefix the form has', () => {
    expect(fieldFor('name', known)).toBe('name');
    expect(fieldFor('permissions.nas', known)).toBe('permissions.nas');
    expect(fieldFor('lines.2.amount', known)).toBe('lines.2.amount');
    expect(fieldFor('lines.2.key', known)).toBe('lines.2');
    expect(fieldFor('name.first', known)).toBe('name');
    expect(fieldFor('reminders.0.template', known)).toBe('reminders.0.template');
  });
  it('answers nothing for a field the form does not show', () => {
    expect(fieldFor('permissions.billing', known)).toBeUndefined();
    expect(fieldFor('body', known)).toBeUndefined();
  });
});

describe('role grid', () => {
  const areas = ['customers', 'services', 'nas'];
  it('names every area, none where the form says nothing', () => {
    expect(roleBody({ name: 'field-tech', description: 'techs', 'permissions.services': 'write', 'permissions.nas': 'read' }, areas)).toEqual({
      name: 'field-tech', description: 'techs', permissions: { customers: 'none', services: 'write', nas: 'read' },
    });
  });
  it('ignores values that are no access level', () => {
    expect(roleBody({ 'permissions.customers': 'admin' }, areas).permissions.customers).toBe('none');
  });
  it('goes both ways', () => {
    const values = roleValues({ name: 'x', permissions: { customers: 'read', services: 'write', nas: 'none' } });
    expect(values).toMatchObject({ name: 'x', description: '', 'permissions.services': 'write' });
    expect(roleBody(values, areas).permissions).toEqual({ customers: 'read', services: 'write', nas: 'none' });
  });
});

describe('credit note lines', () => {
  const lines = [{ key: 'a', amount: 2500 }, { key: 'b', amount: 1000 }, { key: 'c', amount: -500 }];
  it('no line chosen: the whole invoice', () => {
    expect(creditNoteLines({ reason: 'x', 'lines.0': false }, lines)).toEqual({ index: [] });
  });
  it('chosen lines in invoice order, a part where given', () => {
    expect(creditNoteLines({ 'lines.1': true, 'lines.1.amount': 300, 'lines.2': true, 'lines.0.amount': 5 }, lines)).toEqual({
      lines: [{ key: 'b', amount: 300 }, { key: 'c' }], index: [1, 2],
    });
  });
  it('names the API errors by the invoice line', () => {
    expect(renameLineErrors({ 'lines.0.amount': 'too much', 'lines.1.key': 'already credited', reason: 'empty' }, [1, 2])).toEqual({
      'lines.1.amount': 'too much', 'lines.2': 'already credited', reason: 'empty',
    });
  });
  it('a part keeps the sign of the line and is no larger', () => {
    expect(checkLinePart(100, lines[0]!)).toBeUndefined();
    expect(checkLinePart(2500, lines[0]!)).toBeUndefined();
    expect(checkLinePart(2501, lines[0]!)).toMatch(/between/);
    expect(checkLinePart(-1, lines[0]!)).toMatch(/between/);
    expect(checkLinePart(0, lines[0]!)).toMatch(/zero/);
    expect(checkLinePart(-200, lines[2]!)).toBeUndefined();
    expect(checkLinePart(200, lines[2]!)).toMatch(/between/);
  });
});

describe('voucher redemption target', () => {
  it('needs one of service, customer, new customer', () => {
    expect(redeemTarget({})).toMatchObject({ field: 'customerId' });
    expect(redeemTarget({ serviceId: null, customerId: null, customerName: '' })).toMatchObject({ field: 'customerId' });
  });
  it('a new customer name with a service or customer is a mistake', () => {
    expect(redeemTarget({ serviceId: 3, customerName: 'Bo' })).toMatchObject({ field: 'customerName' });
    expect(redeemTarget({ customerId: 3, customerName: 'Bo' })).toMatchObject({ field: 'customerName' });
  });
  it('builds the body', () => {
    expect(redeemTarget({ serviceId: 3, customerId: 4 }).body).toEqual({ serviceId: 3 });
    expect(redeemTarget({ customerId: 4 }).body).toEqual({ customerId: 4 });
    expect(redeemTarget({ customerName: 'Walk-in' }).body).toEqual({ customer: { name: 'Walk-in' } });
  });
});

describe('billing profile reminders and quiet days', () => {
  it('round-trips a profile through the flat form', () => {
    const p = { name: 'Home', reminders: [{ afterDays: 3, channels: ['email', 'sms'], template: 'invoice.reminder.1' }], quietWeekdays: [6, 7] };
    const v = profileValues(p);
    expect(v).toMatchObject({ 'reminders.0.afterDays': 3, 'reminders.0.channels': 'email,sms', 'quietWeekdays.6': true, 'quietWeekdays.1': false });
    expect(profileBody(v)).toMatchObject({ name: 'Home', reminders: p.reminders, quietWeekdays: [6, 7] });
    expect(Object.keys(profileBody(v)).filter((k) => k.includes('.'))).toEqual([]);
  });
  it('skips empty reminder slots and defaults channel and template', () => {
    expect(profileBody({ 'reminders.1.afterDays': 9 }).reminders).toEqual([{ afterDays: 9, channels: ['email'], template: 'invoice.reminder.2' }]);
    expect(profileBody({}).reminders).toEqual([]);
  });
  it('offers each template key once, the reminders first, named, and keeps a key the profile holds', () => {
    const names: Record<string, string> = { 'invoice.reminder.1': 'Primo sollecito', 'invoice.reminder.2': 'Secondo sollecito', 'service.suspended': 'Servizio sospeso', 'cap.100': 'Traffico esaurito' };
    const name = (k: string) => names[k] ?? k;
    // The list has each key twice (its email and SMS texts); `old.key` is no longer in force.
    const keys = ['service.suspended', 'service.suspended', 'invoice.reminder.2', 'zz.custom', 'invoice.reminder.1', 'invoice.reminder.1', 'cap.100'];
    expect(reminderTemplateOptions(keys, ['invoice.reminder.1', 'old.key'], name)).toEqual([
      ['invoice.reminder.1', 'Primo sollecito (invoice.reminder.1)'],
      ['invoice.reminder.2', 'Secondo sollecito (invoice.reminder.2)'],
      ['old.key', 'old.key'],
      ['service.suspended', 'Servizio sospeso (service.suspended)'],
      ['cap.100', 'Traffico esaurito (cap.100)'],
      ['zz.custom', 'zz.custom'],
    ]);
  });
  it('wants reminders filled in order, each later than the one before', () => {
    expect(checkReminder(0, { 'reminders.0.afterDays': 3 })).toBeUndefined();
    expect(checkReminder(1, { 'reminders.1.afterDays': 9 })).toMatch(/reminder 1 filled first/);
    expect(checkReminder(1, { 'reminders.0.afterDays': 3, 'reminders.1.afterDays': 3 })).toMatch(/later than reminder 1/);
    expect(checkReminder(1, { 'reminders.0.afterDays': 3, 'reminders.1.afterDays': 4 })).toBeUndefined();
  });
});

describe('planChangeRows', () => {
  const at = (d: string) => `${d}T03:00:00.000Z`;
  it('lists newest first: pending ones, the newest applied one in force, older applied ones replaced', () => {
    const rows = planChangeRows([
      { id: 1, planId: 10, effectiveDate: '2026-01-01', appliedAt: at('2026-01-01') },
      { id: 3, planId: 12, effectiveDate: '2026-12-01', appliedAt: null },
      { id: 2, planId: 11, effectiveDate: '2026-03-01', appliedAt: at('2026-03-01') },
    ]);
    expect(rows.map((r) => [r.id, r.state])).toEqual([
      [3, { kind: 'pending' }],
      [2, { kind: 'in-force', since: at('2026-03-01') }],
      [1, { kind: 'replaced', appliedAt: at('2026-01-01') }],
    ]);
  });
  it('orders changes of the same date by id, the later one in force', () => {
    const rows = planChangeRows([
      { id: 4, planId: 1, effectiveDate: '2026-05-01', appliedAt: at('2026-05-01') },
      { id: 5, planId: 2, effectiveDate: '2026-05-01', appliedAt: at('2026-05-02') },
    ]);
    expect(rows.map((r) => [r.id, r.state.kind])).toEqual([[5, 'in-force'], [4, 'replaced']]);
  });
  it('answers nothing for no change, and leaves its input alone', () => {
    expect(planChangeRows([])).toEqual([]);
    const input = [{ id: 1, planId: 1, effectiveDate: '2026-01-01', appliedAt: null }];
    planChangeRows(input);
    expect(input).toEqual([{ id: 1, planId: 1, effectiveDate: '2026-01-01', appliedAt: null }]);
  });
});
