import { describe, expect, it } from 'vitest';
import { applyAccountEvent, replayAccount, type AccountEvent } from '../../../src/domain/billing/payments.js';
import { TollgateError } from '../../../src/lib/errors.js';

// A payment that names its invoice: that one first, then the oldest, then credit; never an invoice
// issued after the payment, a paid one, or one not on the account.

const inv = (id: number, date: string, total: number): AccountEvent => ({ type: 'invoice', id, number: `INV-${id}`, date, dueDate: date, total });
const three = replayAccount([inv(1, '2026-01-01', 3000), inv(2, '2026-02-01', 3000), inv(3, '2026-03-01', 3000)]);
const open = (s: typeof three) => s.invoices.map((i) => [i.invoiceId, i.open]);

describe('a payment for a named invoice', () => {
  it('settles the named invoice first, the rest oldest first, the remainder to credit', () => {
    // 3000 to invoice 3 (named), 3000 to invoice 1 (oldest), 1000 to invoice 2.
    const s = applyAccountEvent(three, { type: 'payment', id: 9, date: '2026-03-10', amount: 7000, invoiceId: 3 });
    expect(open(s)).toEqual([[1, 0], [2, 2000], [3, 0]]);
    expect(s.allocations.map((a) => [a.invoiceId, a.amount])).toEqual([[3, 3000], [1, 3000], [2, 1000]]);
    const all = applyAccountEvent(three, { type: 'payment', id: 9, date: '2026-03-10', amount: 10_000, invoiceId: 2 });
    expect(all.credit).toBe(1000);
  });

  it('pays part of the named invoice when the amount is smaller', () => {
    const s = applyAccountEvent(three, { type: 'payment', id: 9, date: '2026-03-10', amount: 1200, invoiceId: 2 });
    expect(open(s)).toEqual([[1, 3000], [2, 1800], [3, 3000]]);
  });

  it('without a named invoice, stays oldest first', () => {
    const s = applyAccountEvent(three, { type: 'payment', id: 9, date: '2026-03-10', amount: 3500 });
    expect(open(s)).toEqual([[1, 0], [2, 2500], [3, 3000]]);
  });

  it('refuses an invoice issued after the payment, a paid one and an unknown one, naming invoiceId', () => {
    const paid = applyAccountEvent(three, { type: 'payment', id: 8, date: '2026-03-10', amount: 3000, invoiceId: 2 });
    for (const [state, invoiceId, date] of [[three, 3, '2026-02-10'], [paid, 2, '2026-03-11'], [three, 99, '2026-03-11']] as const) {
      let error: unknown;
      try {
        applyAccountEvent(state, { type: 'payment', id: 9, date, amount: 100, invoiceId });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(TollgateError);
      expect(error).toMatchObject({ code: 'invalid_input', field: 'invoiceId' });
    }
  });
});
