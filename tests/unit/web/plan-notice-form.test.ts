// The plan form's prepaid notice days (web/src/forms.ts): the API's "" (no notice) shows as "none",
// because an empty input means null (the global [prepaid] notice_days); "none" goes back as "".
import { describe, expect, it } from 'vitest';
import { planBody, planValues } from '../../../web/src/forms.js';

describe('plan notice days in the form', () => {
  it('shows "" as "none", keeps a list and null as they are', () => {
    expect(planValues({ name: 'Day pass', prepaidNoticeDays: '' })).toEqual({ name: 'Day pass', prepaidNoticeDays: 'none' });
    expect(planValues({ name: 'Month', prepaidNoticeDays: '7,3,1' }).prepaidNoticeDays).toBe('7,3,1');
    expect(planValues({ name: 'Default', prepaidNoticeDays: null }).prepaidNoticeDays).toBeNull();
    expect(planValues({ name: 'Old' } as { name: string; prepaidNoticeDays?: string | null }).prepaidNoticeDays).toBeNull();
  });
  it('sends "none" (any case) as "", a list as typed and null (an emptied input) as null', () => {
    expect(planBody({ prepaidNoticeDays: 'none', price: 500 })).toEqual({ prepaidNoticeDays: '', price: 500 });
    expect(planBody({ prepaidNoticeDays: 'None' }).prepaidNoticeDays).toBe('');
    expect(planBody({ prepaidNoticeDays: '3' }).prepaidNoticeDays).toBe('3');
    expect(planBody({ prepaidNoticeDays: null }).prepaidNoticeDays).toBeNull();
    expect(planBody({ price: 500 })).toEqual({ price: 500 });
  });
  it('goes both ways', () => {
    for (const v of ['', '7,3,1', null]) expect(planBody(planValues({ prepaidNoticeDays: v })).prepaidNoticeDays).toBe(v);
  });
});
