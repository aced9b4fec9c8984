/**
 * Contract terms over long timelines: a minimum term (an early end pays the rest of the term), a term
 * that does not renew and ends by itself, and tacit renewal with a notice period over several years.
 * Every amount is computed by hand in the comment beside it.
 */
import { describe, expect, it } from 'vitest';
import type { PlanTerms, ServiceContract } from '../../src/domain/billing/invoicing.js';
import { commitmentEnd, effectiveEndDate, endOnNotice, termAt, termContaining } from '../../src/domain/billing/terms.js';
import { basic, contract, customer } from '../unit/billing/fixtures.js';
import { Ledger } from '../unit/billing/sim.js';

const lines = (l: Ledger) => l.invoices.flatMap((i) => i.lines.map((x) => ({ date: i.issueDate, kind: x.kind, amount: x.amount, from: x.periodStart, to: x.periodEnd })));
/** What the customer owes: the invoices less the credit notes. */
const total = (l: Ledger) => l.invoices.reduce((t, i) => t + i.total, 0) - l.creditNotes.reduce((t, n) => t + n.total, 0);

describe('terms arithmetic', () => {
  it('terms are counted from the billing start, clamped in short months, never drifting', () => {
    expect(termAt('2026-01-31', 1, 0)).toEqual({ index: 0, start: '2026-01-31', end: '2026-02-27' });
    expect(termAt('2026-01-31', 1, 1)).toEqual({ index: 1, start: '2026-02-28', end: '2026-03-30' });
    expect(termAt('2026-01-31', 1, 2)).toEqual({ index: 2, start: '2026-03-31', end: '2026-04-29' });
    expect(termAt('2024-02-29', 12, 1)).toEqual({ index: 1, start: '2025-02-28', end: '2026-02-27' });
    expect(termContaining('2026-01-15', 12, '2026-01-14')).toBeNull();
    expect(termContaining('2026-01-15', 12, '2027-01-14')).toMatchObject({ index: 0, end: '2027-01-14' });
    expect(termContaining('2026-01-15', 12, '2027-01-15')).toMatchObject({ index: 1, start: '2027-01-15', end: '2028-01-14' });
    expect(termContaining('2026-01-15', 24, '2030-06-01')).toMatchObject({ index: 2, start: '2030-01-15', end: '2032-01-14' });
  });

  it('notice: in time ends the current term, late renews once more; a trial ends at once', () => {
    const rules = { termMonths: 12, autoRenew: true, noticeDays: 30 };
    // Term 2: 2027-01-15 .. 2028-01-14. 1 Dec + 30 days = 31 Dec ≤ 14 Jan: ends on 14 Jan 2028.
    expect(endOnNotice('2026-01-15', rules, '2027-12-01')).toBe('2028-01-14');
    // 15 Dec + 30 = 14 Jan: exactly in time.
    expect(endOnNotice('2026-01-15', rules, '2027-12-15')).toBe('2028-01-14');
    // 16 Dec + 30 = 15 Jan > 14 Jan: too late, the contract renews to 14 Jan 2029.
    expect(endOnNotice('2026-01-15', rules, '2027-12-16')).toBe('2029-01-14');
    // Notice during the trial (billing starts 15 Jan): ends on the trial's last day.
    expect(endOnNotice('2026-01-15', rules, '2026-01-10')).toBe('2026-01-14');
    // No renewal: the first term's end, whenever the notice comes within it.
    expect(endOnNotice('2026-01-15', { termMonths: 12, autoRenew: false }, '2027-01-10')).toBe('2027-01-14');
    // No term: whenever the customer says.
    expect(endOnNotice('2026-01-15', {}, '2026-07-03')).toBe('2026-07-03');
  });

  it('the commitment is the end of the term the end date falls in', () => {
    const rules = { termMonths: 12, autoRenew: true };
    expect(commitmentEnd('2026-01-01', rules, '2026-05-10')).toBe('2026-12-31');
    expect(commitmentEnd('2026-01-01', rules, '2027-05-10')).toBe('2027-12-31');
    expect(commitmentEnd('2026-01-01', { ...rules, autoRenew: false }, '2027-05-10')).toBeNull();
    expect(commitmentEnd('2026-01-01', {}, '2026-05-10')).toBeNull();
    expect(commitmentEnd('2026-01-15', rules, '2026-01-10')).toBeNull();
    expect(effectiveEndDate('2026-01-01', { termMonths: 12, autoRenew: false }, null)).toBe('2026-12-31');
    expect(effectiveEndDate('2026-01-01', { termMonths: 12, autoRenew: true }, null)).toBeNull();
    expect(effectiveEndDate('2026-01-01', { termMonths: 12, autoRenew: false }, '2026-06-30')).toBe('2026-06-30');
    // Without renewal a later end date does not extend the contract.
    expect(effectiveEndDate('2026-01-01', { termMonths: 12, autoRenew: false }, '2027-06-30')).toBe('2026-12-31');
  });
});

describe('minimum term: an early end pays the rest of the term', () => {
  const term = { termMonths: 12, autoRenew: true } satisfies Partial<ServiceContract>;

  it('monthly in advance, 12-month term, left on 10 May: May is kept whole, June to December charged', () => {
    const l = new Ledger([customer([contract({ ...term, startDate: '2026-01-01' })])]);
    l.runDays('2026-01-01', '2026-05-04');
    // On 5 May the operator records the customer's last day: 10 May (term: 2026-01-01 .. 2026-12-31).
    l.customers = [customer([contract({ ...term, startDate: '2026-01-01', status: 'ended', endDate: '2026-05-10' })])];
    l.runDays('2026-05-05', '2027-02-01');
    // No end credit for 11..31 May (committed days); 7 whole months June..December at 3000 each,
    // due with May (billed in advance on 1 May), so on the first run that knows: 5 May.
    expect(l.invoices.map((i) => [i.issueDate, i.total])).toEqual([
      ['2026-01-01', 3000], ['2026-02-01', 3000], ['2026-03-01', 3000], ['2026-04-01', 3000], ['2026-05-01', 3000], ['2026-05-05', 21000],
    ]);
    expect(l.invoices.at(-1)!.lines.map((x) => [x.key, x.kind, x.amount, x.periodStart, x.periodEnd])).toEqual([
      ['service:1:etf:period:2026-06-01', 'early_termination', 3000, '2026-06-01', '2026-06-30'],
      ['service:1:etf:period:2026-07-01', 'early_termination', 3000, '2026-07-01', '2026-07-31'],
      ['service:1:etf:period:2026-08-01', 'early_termination', 3000, '2026-08-01', '2026-08-31'],
      ['service:1:etf:period:2026-09-01', 'early_termination', 3000, '2026-09-01', '2026-09-30'],
      ['service:1:etf:period:2026-10-01', 'early_termination', 3000, '2026-10-01', '2026-10-31'],
      ['service:1:etf:period:2026-11-01', 'early_termination', 3000, '2026-11-01', '2026-11-30'],
      ['service:1:etf:period:2026-12-01', 'early_termination', 3000, '2026-12-01', '2026-12-31'],
    ]);
    // The whole term, 12 × 3000, and not a cent more.
    expect(total(l)).toBe(36000);
  });

  it('in arrears from mid-March on the 1st: the last invoice carries June and the rest of the term, prorated', () => {
    const plan: PlanTerms = { ...basic, price: 3100 };
    const c = { ...term, plan, startDate: '2026-03-15', billingDay: 1, billingMode: 'arrears' } satisfies Partial<ServiceContract>;
    const l = new Ledger([customer([contract({ ...c, status: 'ended', endDate: '2026-06-20' })])]);
    l.runDays('2026-03-15', '2027-05-01');
    // Term: 2026-03-15 .. 2027-03-14. 15..31 March = 17 of 31 days: 3100 × 17/31 = 1700, billed 1 April.
    // April and May 3100 each. June is the last period (1..20) billed on 21 June: no credit for
    // 21..30 June (committed). Then July..February 8 × 3100 = 24800 and 1..14 March 2027,
    // 14 of 31 days: 3100 × 14/31 = 1400.
    expect(l.invoices.map((i) => [i.issueDate, i.total])).toEqual([
      ['2026-04-01', 1700], ['2026-05-01', 3100], ['2026-06-01', 3100], ['2026-06-21', 3100 + 24800 + 1400],
    ]);
    const last = l.invoices.at(-1)!.lines;
    expect(last[0]).toMatchObject({ kind: 'recurring', amount: 3100, periodStart: '2026-06-01', periodEnd: '2026-06-30' });
    expect(last.at(-1)).toMatchObject({ kind: 'early_termination', amount: 1400, periodStart: '2027-03-01', periodEnd: '2027-03-14' });
    expect(last).toHaveLength(1 + 9);
    // 17/31 + 11 + 14/31 of a month = exactly 12 months.
    expect(total(l)).toBe(12 * 3100);
  });

  it('ending on the term end, or after a whole renewed term, owes nothing more; a late-recorded end is netted once', () => {
    const onTime = new Ledger([customer([contract({ ...term, startDate: '2026-01-01', status: 'ended', endDate: '2026-12-31' })])]);
    onTime.runDays('2026-01-01', '2027-03-01');
    expect(lines(onTime).every((x) => x.kind === 'recurring')).toBe(true);
    expect(total(onTime)).toBe(36000);

    // Recorded late: billed in advance through July, then the end (10 May) is learnt on 5 July.
    const late = new Ledger([customer([contract({ ...term, startDate: '2026-01-01' })])]);
    late.runDays('2026-01-01', '2026-07-04');
    late.customers = [customer([contract({ ...term, startDate: '2026-01-01', status: 'ended', endDate: '2026-05-10' })])];
    late.runDays('2026-07-05', '2027-03-01');
    // June and July come back exactly as billed (void:), each on a credit note against its invoice, and
    // June..December come as early termination, 3000 × 7 = 21000, on 5 July's invoice.
    expect(late.invoices.at(-1)).toMatchObject({ issueDate: '2026-07-05', total: 21000 });
    expect(late.creditNotes.map((n) => [n.issueDate, n.total, n.lines.map((x) => x.line.key)])).toEqual([
      ['2026-07-05', 3000, ['void:service:1:period:2026-06-01']], ['2026-07-05', 3000, ['void:service:1:period:2026-07-01']],
    ]);
    expect(total(late)).toBe(36000);
  });

  it('a prorated end credit starts after the committed days when the term ends inside the last period', () => {
    // Billing day 1, start 2026-01-15, 3-month term: 2026-01-15 .. 2026-04-14. Ended on 2026-04-05:
    // April is the last period; 6..14 April are committed, 15..30 April (16 of 30 days) come back:
    // 3000 × 16/30 = 1600.
    const l = new Ledger([customer([contract({ termMonths: 3, startDate: '2026-01-15', billingDay: 1, status: 'ended', endDate: '2026-04-05' })])]);
    l.runDays('2026-01-15', '2026-06-01');
    const end = lines(l).filter((x) => x.kind === 'end_credit');
    expect(end).toEqual([{ date: '2026-04-01', kind: 'end_credit', amount: -1600, from: '2026-04-15', to: '2026-04-30' }]);
    // 15..31 January = 17 of 31 days: 3000 × 17/31 = 1645.16 → 1645; February, March 3000; April 3000 − 1600.
    expect(total(l)).toBe(1645 + 3000 + 3000 + 1400);
  });

  it('ending during the trial owes nothing', () => {
    const l = new Ledger([customer([contract({ ...term, startDate: '2026-01-01', trialEndDate: '2026-01-14', status: 'ended', endDate: '2026-01-10' })])]);
    expect(l.runDays('2026-01-01', '2026-06-01')).toEqual([]);
  });
});

describe('a term that does not renew', () => {
  it('ends by itself after the first term: twelve invoices and then nothing', () => {
    const l = new Ledger([customer([contract({ termMonths: 12, autoRenew: false, startDate: '2026-01-15' })])]);
    l.runDays('2026-01-01', '2027-06-30');
    expect(l.invoices.map((i) => i.issueDate)).toEqual([
      '2026-01-15', '2026-02-15', '2026-03-15', '2026-04-15', '2026-05-15', '2026-06-15',
      '2026-07-15', '2026-08-15', '2026-09-15', '2026-10-15', '2026-11-15', '2026-12-15',
    ]);
    expect(total(l)).toBe(12 * 3000);
  });
});

describe('tacit renewal over three years', () => {
  const rules = { termMonths: 12, autoRenew: true, noticeDays: 30 } as const;
  const start = '2026-01-15';

  it('renews twice without notice; a late notice renews once more; an in-time notice ends the current term', () => {
    // No notice at all: billing runs through both term ends (2027-01-14, 2028-01-14) untouched.
    const open = new Ledger([customer([contract({ ...rules, startDate: start })])]);
    open.runDays('2026-01-15', '2028-12-31');
    expect(open.invoices).toHaveLength(36);
    expect(open.invoices.every((i) => i.total === 3000)).toBe(true);

    // Notice on 20 Dec 2027: 20 Dec + 30 days = 19 Jan 2028 > 14 Jan 2028, too late for the second
    // term: the contract renews to 14 Jan 2029 and ends then. 36 months billed, then nothing.
    const lateEnd = endOnNotice(start, rules, '2027-12-20');
    expect(lateEnd).toBe('2029-01-14');
    const late = new Ledger([customer([contract({ ...rules, startDate: start })])]);
    late.runDays('2026-01-15', '2027-12-19');
    late.customers = [customer([contract({ ...rules, startDate: start, endDate: lateEnd })])];
    late.runDays('2027-12-20', '2029-06-01');
    expect(late.invoices).toHaveLength(36);
    expect(late.invoices.at(-1)!.issueDate).toBe('2028-12-15');
    expect(lines(late).some((x) => x.kind !== 'recurring')).toBe(false);
    expect(total(late)).toBe(36 * 3000);

    // Notice on 1 Dec 2027: in time, the contract ends with its second term on 14 Jan 2028.
    const inTime = new Ledger([customer([contract({ ...rules, startDate: start })])]);
    inTime.runDays('2026-01-15', '2027-11-30');
    inTime.customers = [customer([contract({ ...rules, startDate: start, endDate: endOnNotice(start, rules, '2027-12-01') })])];
    inTime.runDays('2027-12-01', '2029-06-01');
    expect(inTime.invoices).toHaveLength(24);
    expect(total(inTime)).toBe(24 * 3000);
  });

  it('an end inside a renewed term pays the rest of that term', () => {
    // Third term: 2028-01-15 .. 2029-01-14. Ended on 14 March 2028 (a whole period end on the
    // anniversary grid): 15 March 2028 .. 14 January 2029 = 10 periods × 3000 = 30000, billed with
    // the last period (15 February 2028).
    const l = new Ledger([customer([contract({ ...rules, startDate: start, endDate: '2028-03-14' })])]);
    l.runDays('2026-01-15', '2029-06-01');
    const etf = lines(l).filter((x) => x.kind === 'early_termination');
    expect(etf).toHaveLength(10);
    expect(etf[0]).toEqual({ date: '2028-02-15', kind: 'early_termination', amount: 3000, from: '2028-03-15', to: '2028-04-14' });
    expect(etf.at(-1)).toEqual({ date: '2028-02-15', kind: 'early_termination', amount: 3000, from: '2028-12-15', to: '2029-01-14' });
    expect(total(l)).toBe(36 * 3000);
  });
});
