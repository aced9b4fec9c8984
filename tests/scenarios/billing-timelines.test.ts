/**
 * Billing timelines: a contract, a clock moved day by day, and the exact cents and dates expected,
 * each computed by hand in the comment beside it.
 */
import { describe, expect, it } from 'vitest';
import type { Discount, PlanTerms } from '../../src/domain/billing/invoicing.js';
import { findNumberingGaps } from '../../src/domain/billing/numbering.js';
import { basic, contract, customer, pro } from '../unit/billing/fixtures.js';
import { Ledger } from '../unit/billing/sim.js';

const notes = (l: Ledger) => l.creditNotes.map((n) => ({
  date: n.issueDate, against: n.against, total: n.total, lines: n.lines.map((x) => [x.line.key, x.line.amount, x.line.periodStart, x.line.periodEnd]),
}));
const lines = (l: Ledger) => l.invoices.flatMap((i) => i.lines.map((x) => ({ date: i.issueDate, kind: x.kind, amount: x.amount, from: x.periodStart, to: x.periodEnd })));

describe('monthly in advance, starting mid-month, billed on the 1st', () => {
  it('prorates the first part-month by its own 31 days, then bills whole months on the 1st', () => {
    const l = new Ledger([customer([contract({ startDate: '2026-03-15', billingDay: 1 })])]);
    l.runDays('2026-03-01', '2026-05-31');
    // 15..31 March = 17 of 31 days: 3000 × 17 / 31 = 1645.16 → 1645.
    expect(lines(l)).toEqual([
      { date: '2026-03-15', kind: 'recurring', amount: 1645, from: '2026-03-15', to: '2026-03-31' },
      { date: '2026-04-01', kind: 'recurring', amount: 3000, from: '2026-04-01', to: '2026-04-30' },
      { date: '2026-05-01', kind: 'recurring', amount: 3000, from: '2026-05-01', to: '2026-05-31' },
    ]);
    expect(l.invoices.map((i) => [i.number, i.dueDate])).toEqual([
      ['INV-2026-000001', '2026-03-29'],
      ['INV-2026-000002', '2026-04-15'],
      ['INV-2026-000003', '2026-05-15'],
    ]);
  });

  it('on the anniversary there is nothing to prorate: 15th to 14th', () => {
    const l = new Ledger([customer([contract({ startDate: '2026-01-31' })])]);
    l.runDays('2026-01-01', '2026-04-30');
    // A 31st start clamps to the month end and comes back to the 31st: Feb 28, Mar 31, Apr 30.
    expect(lines(l).map((x) => [x.from, x.to, x.amount])).toEqual([
      ['2026-01-31', '2026-02-27', 3000],
      ['2026-02-28', '2026-03-30', 3000],
      ['2026-03-31', '2026-04-29', 3000],
      ['2026-04-30', '2026-05-30', 3000],
    ]);
  });
});

describe('quarterly in arrears', () => {
  it('bills a quarter the day after it ends', () => {
    const plan: PlanTerms = { ...basic, price: 9000 };
    const l = new Ledger([customer([contract({ plan, startDate: '2026-01-01', billingPeriodMonths: 3, billingMode: 'arrears' })])]);
    expect(l.runDays('2026-01-01', '2026-03-31')).toEqual([]);
    l.runDays('2026-04-01', '2026-07-01');
    expect(lines(l)).toEqual([
      { date: '2026-04-01', kind: 'recurring', amount: 9000, from: '2026-01-01', to: '2026-03-31' },
      { date: '2026-07-01', kind: 'recurring', amount: 9000, from: '2026-04-01', to: '2026-06-30' },
    ]);
  });

  it('a start inside the quarter grid on the 1st prorates against the whole quarter', () => {
    const plan: PlanTerms = { ...basic, price: 9000 };
    const l = new Ledger([customer([contract({ plan, startDate: '2026-02-10', billingPeriodMonths: 3, billingMode: 'arrears', billingDay: 1 })])]);
    l.runDays('2026-02-01', '2026-06-01');
    // The grid quarter is 2025-12-01..2026-02-28 = 31 + 31 + 28 = 90 days; 10..28 Feb = 19 days:
    // 9000 × 19 / 90 = 1900 exactly. Billed in arrears on 1 March.
    expect(lines(l)).toEqual([
      { date: '2026-03-01', kind: 'recurring', amount: 1900, from: '2026-02-10', to: '2026-02-28' },
      { date: '2026-06-01', kind: 'recurring', amount: 9000, from: '2026-03-01', to: '2026-05-31' },
    ]);
  });
});

describe('fixed billing day', () => {
  it('day 15 with a start on the 20th: a leading part-period measured against its grid month', () => {
    const plan: PlanTerms = { ...basic, price: 2000 };
    const l = new Ledger([customer([contract({ plan, startDate: '2026-01-20', billingDay: 15 })])]);
    l.runDays('2026-01-01', '2026-03-15');
    // Grid month 2026-01-15..02-14 = 31 days; 20 Jan..14 Feb = 26 days: 2000 × 26 / 31 = 1677.42 → 1677.
    expect(lines(l)).toEqual([
      { date: '2026-01-20', kind: 'recurring', amount: 1677, from: '2026-01-20', to: '2026-02-14' },
      { date: '2026-02-15', kind: 'recurring', amount: 2000, from: '2026-02-15', to: '2026-03-14' },
      { date: '2026-03-15', kind: 'recurring', amount: 2000, from: '2026-03-15', to: '2026-04-14' },
    ]);
  });

  it("'last' day of the month", () => {
    const plan: PlanTerms = { ...basic, price: 3100 };
    const l = new Ledger([customer([contract({ plan, startDate: '2026-01-10', billingDay: 'last' })])]);
    l.runDays('2026-01-01', '2026-02-28');
    // Grid 2025-12-31..2026-01-30 = 31 days; 10..30 Jan = 21 days: 3100 × 21 / 31 = 2100.
    expect(lines(l)).toEqual([
      { date: '2026-01-10', kind: 'recurring', amount: 2100, from: '2026-01-10', to: '2026-01-30' },
      { date: '2026-01-31', kind: 'recurring', amount: 3100, from: '2026-01-31', to: '2026-02-27' },
      { date: '2026-02-28', kind: 'recurring', amount: 3100, from: '2026-02-28', to: '2026-03-30' },
    ]);
  });
});

describe('plan upgrade mid-period', () => {
  it('credits the old plan and charges the new one for the remaining days, each rounded once', () => {
    const l = new Ledger([customer([contract({ startDate: '2026-03-01' })])]);
    l.runDays('2026-03-01', '2026-03-10');
    // The upgrade is recorded on the 11th, effective that day.
    l.customers = [customer([contract({ startDate: '2026-03-01', planChanges: [{ id: 9, effectiveDate: '2026-03-11', plan: pro }] })])];
    l.runDays('2026-03-11', '2026-04-01');
    // 11..31 March = 21 of 31 days. Credit 3000 × 21/31 = 2032.26 → 2032, a credit note against
    // March's invoice (it billed those days); charge 6000 × 21/31 = 4064.52 → 4065 on the mid-month
    // invoice. Owed for March: 3000 − 2032 + 4065 = 5033; April is the new price.
    expect(lines(l)).toEqual([
      { date: '2026-03-01', kind: 'recurring', amount: 3000, from: '2026-03-01', to: '2026-03-31' },
      { date: '2026-03-11', kind: 'plan_change_charge', amount: 4065, from: '2026-03-11', to: '2026-03-31' },
      { date: '2026-04-01', kind: 'recurring', amount: 6000, from: '2026-04-01', to: '2026-04-30' },
    ]);
    expect(l.invoices.map((i) => i.total)).toEqual([3000, 4065, 6000]);
    expect(l.creditNotes.map((n) => [n.issueDate, n.against, n.total])).toEqual([['2026-03-11', 'INV-2026-000001', 2032]]);
  });

  it('a downgrade mid-period: the unused old plan is a credit note against the invoice that billed it, the new plan a positive invoice', () => {
    const plan49: PlanTerms = { ...basic, planId: 49, name: 'Fibra 100', price: 4990 };
    const plan29: PlanTerms = { ...basic, planId: 29, name: 'Fibra 30', price: 2990 };
    const l = new Ledger([customer([contract({ plan: plan49, startDate: '2026-03-01' })])]);
    l.runDays('2026-03-01', '2026-03-15');
    l.customers = [customer([contract({ plan: plan49, startDate: '2026-03-01', planChanges: [{ id: 5, effectiveDate: '2026-03-16', plan: plan29 }] })])];
    l.runDays('2026-03-16', '2026-04-01');
    // 16..31 March = 16 of 31 days. Old plan back: 4990 × 16/31 = 2575.48 → 2575, a credit note of
    // 16 March against INV-2026-000001 (which billed March at 4990). New plan: 2990 × 16/31 =
    // 1543.23 → 1543 on INV-2026-000002. Before, one invoice of 1543 − 2575 = −10.32 marked paid.
    expect(l.invoices.map((i) => [i.number, i.issueDate, i.total])).toEqual([
      ['INV-2026-000001', '2026-03-01', 4990], ['INV-2026-000002', '2026-03-16', 1543], ['INV-2026-000003', '2026-04-01', 2990],
    ]);
    expect(l.invoices.every((i) => i.total >= 0)).toBe(true);
    expect(l.creditNotes).toHaveLength(1);
    const note = l.creditNotes[0]!;
    expect([note.issueDate, note.against, note.total]).toEqual(['2026-03-16', 'INV-2026-000001', 2575]);
    expect(note.lines.map((x) => [x.creditsKey, x.line.key, x.line.amount, x.line.periodStart, x.line.periodEnd])).toEqual([
      ['service:1:period:2026-03-01', 'service:1:change:5:credit', -2575, '2026-03-16', '2026-03-31'],
    ]);
    // The customer owes for March what the single invoice made it: 4990 − 2575 + 1543 = 3958 =
    // 4990 − 1032 (15 days of 49.90 and 16 of 29.90, each rounded once).
    expect(4990 - note.total + 1543).toBe(3958);
  });

  it('an end recorded later, before a change already credited: the change and its credit note are both reversed', () => {
    const l = new Ledger([customer([contract({ startDate: '2026-03-01' })])]);
    l.runDays('2026-03-01', '2026-03-15');
    const changed = { startDate: '2026-03-01', planChanges: [{ id: 4, effectiveDate: '2026-03-16', plan: pro }] };
    l.customers = [customer([contract(changed)])];
    l.runDays('2026-03-16', '2026-03-19');
    // 16..31 March = 16 of 31 days: Basic 3000 × 16/31 = 1548.39 → 1548 back on a credit note; Pro
    // 6000 × 16/31 = 3096.77 → 3097 invoiced.
    expect(l.creditNotes.map((n) => n.total)).toEqual([1548]);
    // On the 20th the operator records that the customer left on 10 March.
    l.customers = [customer([contract({ ...changed, status: 'ended', endDate: '2026-03-10' })])];
    l.runDays('2026-03-20', '2026-04-01');
    // 11..31 March at Basic back: 3000 × 21/31 = 2032.26 → −2032, less the first note's 1548 reversed
    // (without it the old plan's days would come back twice): 484 on a note against March's invoice.
    // The Pro charge reversed, 3097, on a note against the invoice that charged it. No new invoice.
    expect(l.invoices).toHaveLength(2);
    expect(notes(l).slice(1)).toEqual([
      { date: '2026-03-20', against: l.invoices[0]!.number, total: 484, lines: [
        ['service:1:end:credit', -2032, '2026-03-11', '2026-03-31'], ['void:service:1:change:4:credit', 1548, '2026-03-16', '2026-03-31'],
      ] },
      { date: '2026-03-20', against: l.invoices[1]!.number, total: 3097, lines: [['void:service:1:change:4:charge', -3097, '2026-03-16', '2026-03-31']] },
    ]);
    // March owed: 3000 − 1548 + 3097 − 2032 − 3097 + 1548 = 968 = 3000 × 10/31 (967.74 → 968).
    const invoiced = l.invoices.reduce((t, i) => t + i.total, 0);
    expect(invoiced - l.creditNotes.reduce((t, n) => t + n.total, 0)).toBe(968);
  });

  it('two changes in one period: the second credits the first change charge, on its own invoice', () => {
    const l = new Ledger([customer([contract({ startDate: '2026-03-01' })])]);
    l.customers = [customer([contract({ startDate: '2026-03-01', planChanges: [{ id: 1, effectiveDate: '2026-03-11', plan: pro }, { id: 2, effectiveDate: '2026-03-21', plan: basic }] })])];
    l.runDays('2026-03-01', '2026-03-31');
    // 11 March: Basic 3000 × 21/31 = 2032 back against INV1; Pro 6000 × 21/31 = 4064.52 → 4065 on INV2.
    // 21 March: Pro 6000 × 11/31 = 2129.03 → 2129 back against INV2 (it billed Pro for those days);
    // Basic 3000 × 11/31 = 1064.52 → 1065 on INV3. March owed: 3000 − 2032 + 4065 − 2129 + 1065 = 3969.
    expect(l.invoices.map((i) => [i.number, i.total])).toEqual([['INV-2026-000001', 3000], ['INV-2026-000002', 4065], ['INV-2026-000003', 1065]]);
    expect(l.creditNotes.map((n) => [n.issueDate, n.against, n.total, n.lines[0]!.creditsKey])).toEqual([
      ['2026-03-11', 'INV-2026-000001', 2032, 'service:1:period:2026-03-01'],
      ['2026-03-21', 'INV-2026-000002', 2129, 'service:1:change:1:charge'],
    ]);
  });

  it('in arrears the change lines go on the period invoice', () => {
    const c = contract({ startDate: '2026-03-01', billingMode: 'arrears', planChanges: [{ id: 9, effectiveDate: '2026-03-11', plan: pro }] });
    const l = new Ledger([customer([c])]);
    l.runDays('2026-03-01', '2026-04-01');
    expect(l.invoices).toHaveLength(1);
    // 3000 − 2032 + 4065 = 5033 = Basic for 10 days + Pro for 21 days, each rounded once.
    expect(l.invoices[0]!.total).toBe(5033);
    expect(l.invoices[0]!.issueDate).toBe('2026-04-01');
  });
});

describe('a 50 % discount for 3 months', () => {
  it('halves the first three periods and stops', () => {
    const d: Discount = { id: 5, description: 'Welcome 50%', target: { kind: 'service', serviceId: 1 }, value: { type: 'percent', bp: 5000 }, startDate: '2026-01-01', periods: 3 };
    const l = new Ledger([customer([contract({ startDate: '2026-01-01' })], { discounts: [d] })]);
    l.runDays('2026-01-01', '2026-05-01');
    expect(l.invoices.map((i) => [i.issueDate, i.total])).toEqual([
      ['2026-01-01', 1500], ['2026-02-01', 1500], ['2026-03-01', 1500], ['2026-04-01', 3000], ['2026-05-01', 3000],
    ]);
    expect(l.invoices[0]!.lines.map((x) => [x.kind, x.amount, x.appliesTo ?? null])).toEqual([
      ['recurring', 3000, null],
      ['discount', -1500, 'service:1:period:2026-01-01'],
    ]);
  });

  it('a fixed discount is capped at the period amount', () => {
    const d: Discount = { id: 6, description: 'Loyalty', target: { kind: 'invoice' }, value: { type: 'fixed', amount: 5000 }, startDate: '2026-01-01', periods: 1 };
    const l = new Ledger([customer([contract({ startDate: '2026-01-01' })], { discounts: [d] })]);
    l.run('2026-01-01');
    expect(l.invoices[0]!.total).toBe(0);
  });
});

describe('tax, computed per rate on the invoice', () => {
  it('exclusive: tax on the taxable total of the rate, shared out to the lines; inclusive: extracted from the quoted total', () => {
    const excl: PlanTerms = { planId: 3, name: 'Biz', price: 1025, taxRateBp: 1000, taxInclusive: false };
    const incl: PlanTerms = { planId: 4, name: 'Home', price: 1999, taxRateBp: 2200, taxInclusive: true };
    const l = new Ledger([customer([
      contract({ serviceId: 1, plan: excl, startDate: '2026-03-01' }),
      contract({ serviceId: 2, plan: excl, startDate: '2026-03-01' }),
      contract({ serviceId: 3, plan: incl, startDate: '2026-03-01' }),
    ])]);
    l.run('2026-03-01');
    const inv = l.invoices[0]!;
    // 10 %: taxable 1025 + 1025 = 2050, tax 205.0 → 205. Rounded per line (the old rule) it was
    // 102.5 → 103 twice = 206, a cent more than the summary's taxable × rate: the cent the lines'
    // own roundings add is taken back from the first of the two equal lines.
    // 1999 incl. 22 %: tax = 1999 × 22 / 122 = 360.47 → 360, net 1639 (one line: as before).
    expect(inv.lines.map((x) => [x.net, x.tax, x.gross])).toEqual([[1025, 102, 1127], [1025, 103, 1128], [1639, 360, 1999]]);
    expect([inv.net, inv.tax, inv.total]).toEqual([3689, 565, 4254]);
    expect(inv.taxes).toEqual([
      { taxRateBp: 1000, vatNature: null, net: 2050, tax: 205, gross: 2255 },
      { taxRateBp: 2200, vatNature: null, net: 1639, tax: 360, gross: 1999 },
    ]);
  });

  it('inclusive prices on many lines: the invoice total is the sum of the quoted prices, the tax extracted once', () => {
    const incl: PlanTerms = { planId: 5, name: 'Mini', price: 199, taxRateBp: 2200, taxInclusive: true };
    const l = new Ledger([customer([1, 2, 3, 4, 5].map((id) => contract({ serviceId: id, plan: incl, startDate: '2026-03-01' })))]);
    l.run('2026-03-01');
    const inv = l.invoices[0]!;
    // Per line: 199 × 22/122 = 35.885 → 36, ×5 = 180. On the total: 995 × 22/122 = 179.43 → 179.
    // So the rate's tax is 179 (net 816), one cent less than the old per-line sum; the largest
    // (here the first of equal) line gives the cent back.
    expect(inv.taxes).toEqual([{ taxRateBp: 2200, vatNature: null, net: 816, tax: 179, gross: 995 }]);
    expect(inv.lines.map((x) => x.tax)).toEqual([35, 36, 36, 36, 36]);
    expect(inv.total).toBe(995);
  });

  it('a prorated inclusive line: proration rounds first, then the tax is extracted from the rounded amount', () => {
    const incl: PlanTerms = { planId: 4, name: 'Home', price: 3000, taxRateBp: 2200, taxInclusive: true };
    const l = new Ledger([customer([contract({ plan: incl, startDate: '2026-03-15', billingDay: 1 })])]);
    l.run('2026-03-15');
    // 3000 × 17/31 = 1645; tax 1645 × 22/122 = 296.64 → 297; net 1348.
    expect(l.invoices[0]!.lines.map((x) => [x.amount, x.net, x.tax, x.gross])).toEqual([[1645, 1348, 297, 1645]]);
  });
});

describe('trial', () => {
  it('bills nothing during the trial; billing starts the day after', () => {
    const l = new Ledger([customer([contract({ startDate: '2026-03-01', trialEndDate: '2026-03-14', setupFee: 5000 })])]);
    expect(l.runDays('2026-03-01', '2026-03-14')).toEqual([]);
    l.runDays('2026-03-15', '2026-04-15');
    expect(lines(l)).toEqual([
      { date: '2026-03-15', kind: 'setup', amount: 5000, from: null, to: null },
      { date: '2026-03-15', kind: 'recurring', amount: 3000, from: '2026-03-15', to: '2026-04-14' },
      { date: '2026-04-15', kind: 'recurring', amount: 3000, from: '2026-04-15', to: '2026-05-14' },
    ]);
  });

  it('a contract that ends inside its trial is never billed', () => {
    const l = new Ledger([customer([contract({ status: 'ended', startDate: '2026-03-01', trialEndDate: '2026-03-14', endDate: '2026-03-10' })])]);
    expect(l.runDays('2026-03-01', '2026-05-01')).toEqual([]);
  });
});

describe('a contract ending mid-period', () => {
  it('in advance: the unused days come back on a credit note against the invoice that charged them', () => {
    const plan: PlanTerms = { ...basic, price: 3100 };
    const l = new Ledger([customer([contract({ plan, startDate: '2026-01-01' })])]);
    l.runDays('2026-01-01', '2026-03-04');
    // Cancelled on 5 March, last day of service 10 March.
    l.customers = [customer([contract({ plan, startDate: '2026-01-01', status: 'ended', endDate: '2026-03-10' })])];
    l.runDays('2026-03-05', '2026-06-01');
    // 11..31 March = 21 of 31 days: 3100 × 21 / 31 = 2100 back; March costs 1000 = 3100 × 10 / 31.
    expect(lines(l)).toEqual([
      { date: '2026-01-01', kind: 'recurring', amount: 3100, from: '2026-01-01', to: '2026-01-31' },
      { date: '2026-02-01', kind: 'recurring', amount: 3100, from: '2026-02-01', to: '2026-02-28' },
      { date: '2026-03-01', kind: 'recurring', amount: 3100, from: '2026-03-01', to: '2026-03-31' },
    ]);
    // Never a negative invoice: what the customer gets back is a credit note linked to March's invoice.
    expect(notes(l)).toEqual([
      { date: '2026-03-05', against: l.invoices[2]!.number, total: 2100, lines: [['service:1:end:credit', -2100, '2026-03-11', '2026-03-31']] },
    ]);
  });

  it('an end date recorded after later periods were billed: those are reversed exactly, once', () => {
    const plan: PlanTerms = { ...basic, price: 3100 };
    const l = new Ledger([customer([contract({ plan, startDate: '2026-01-01' })])]);
    l.runDays('2026-01-01', '2026-04-04');
    // On 5 April the operator records that the customer left on 20 March.
    l.customers = [customer([contract({ plan, startDate: '2026-01-01', status: 'ended', endDate: '2026-03-20' })])];
    l.runDays('2026-04-05', '2026-06-01');
    // 21..31 March = 11 of 31 days: −3100 × 11/31 = −1100; April, billed in advance, comes back whole.
    expect(l.invoices.map((i) => [i.issueDate, i.total])).toEqual([
      ['2026-01-01', 3100], ['2026-02-01', 3100], ['2026-03-01', 3100], ['2026-04-01', 3100],
    ]);
    // One credit note per invoice corrected: March's unused days, and April whole.
    expect(notes(l)).toEqual([
      { date: '2026-04-05', against: l.invoices[2]!.number, total: 1100, lines: [['service:1:end:credit', -1100, '2026-03-21', '2026-03-31']] },
      { date: '2026-04-05', against: l.invoices[3]!.number, total: 3100, lines: [['void:service:1:period:2026-04-01', -3100, '2026-04-01', '2026-04-30']] },
    ]);
    // Net: January, February and 20 days of March (3100 × 20/31 = 2000).
    expect(l.invoices.reduce((t, i) => t + i.total, 0) - l.creditNotes.reduce((t, n) => t + n.total, 0)).toBe(3100 + 3100 + 2000);
  });

  it('in arrears: the last invoice comes the day after the end and covers only the days served', () => {
    const plan: PlanTerms = { ...basic, price: 3100 };
    const l = new Ledger([customer([contract({ plan, startDate: '2026-03-01', billingMode: 'arrears', status: 'ended', endDate: '2026-03-10' })])]);
    l.runDays('2026-03-01', '2026-06-01');
    expect(l.invoices.map((i) => [i.issueDate, i.total])).toEqual([['2026-03-11', 1000]]);
  });
});

describe('statuses that are not billed', () => {
  it('a proposal is never billed, nor are its one-off charges', () => {
    const l = new Ledger([customer([contract({ status: 'proposal' })], {
      oneOffCharges: [{ id: 1, serviceId: 1, description: 'Install', amount: 9900, date: '2026-03-01', taxRateBp: 0, taxInclusive: true }],
    })]);
    expect(l.runDays('2026-03-01', '2026-05-01')).toEqual([]);
  });

  it('a suspended service: no periods that start while it is suspended; billing resumes after', () => {
    const suspended = contract({ startDate: '2026-01-01', status: 'suspended', suspensions: [{ from: '2026-02-15', to: null }] });
    const l = new Ledger([customer([suspended])]);
    l.runDays('2026-01-01', '2026-04-30');
    expect(l.invoices.map((i) => i.issueDate)).toEqual(['2026-01-01', '2026-02-01']);
    l.customers = [customer([{ ...suspended, status: 'active', suspensions: [{ from: '2026-02-15', to: '2026-04-20' }] }])];
    l.runDays('2026-05-01', '2026-05-01');
    expect(l.invoices.map((i) => i.issueDate)).toEqual(['2026-01-01', '2026-02-01', '2026-05-01']);
  });

  it('a free service is never billed', () => {
    const l = new Ledger([customer([contract({ status: 'free' })])]);
    expect(l.runDays('2026-03-01', '2026-05-01')).toEqual([]);
  });
});

describe('several services on one invoice', () => {
  it('one invoice per customer and day, lines in service order, then one-off charges', () => {
    const l = new Ledger([
      customer([contract({ serviceId: 10, startDate: '2026-03-01' }), contract({ serviceId: 11, plan: pro, startDate: '2026-03-01', setupFee: 2500 })], {
        oneOffCharges: [{ id: 3, description: 'Router', amount: 4900, date: '2026-03-01', taxRateBp: 0, taxInclusive: true }],
      }),
      customer([contract({ serviceId: 20, startDate: '2026-03-01' })], { customerId: 2 }),
    ]);
    l.run('2026-03-01');
    expect(l.invoices.map((i) => [i.number, i.customerId, i.total])).toEqual([
      ['INV-2026-000001', 1, 3000 + 2500 + 6000 + 4900],
      ['INV-2026-000002', 2, 3000],
    ]);
    expect(l.invoices[0]!.lines.map((x) => x.key)).toEqual([
      'service:10:period:2026-03-01', 'service:11:setup', 'service:11:period:2026-03-01', 'charge:3',
    ]);
    expect(findNumberingGaps({ prefix: 'INV' }, l.invoices.map((i) => i.number))).toEqual([]);
  });
});

describe('numbering', () => {
  it('restarts at 1 each year and is given in issue order', () => {
    const l = new Ledger([customer([contract({ startDate: '2026-11-01' })])]);
    l.runDays('2026-11-01', '2027-02-01');
    expect(l.invoices.map((i) => i.number)).toEqual(['INV-2026-000001', 'INV-2026-000002', 'INV-2027-000001', 'INV-2027-000002']);
  });
});
