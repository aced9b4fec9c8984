import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  accountBalance,
  accountStatement,
  allocateOldestFirst,
  applyAccountEvent,
  buildCreditNote,
  emptyAccount,
  planRefund,
  replayAccount,
  type AccountEvent,
  type AccountState,
  type CreditableLine,
} from '../../../src/domain/billing/payments.js';
import { TollgateError } from '../../../src/lib/errors.js';
import { taxLine } from '../../../src/lib/money.js';

const inv = (id: number, date: string, total: number, dueDate = date): AccountEvent => ({ type: 'invoice', id, number: `INV-2026-${String(id).padStart(6, '0')}`, date, dueDate, total });
const pay = (id: number, date: string, amount: number): AccountEvent => ({ type: 'payment', id, date, amount });
const cn = (id: number, date: string, invoiceId: number, amount: number): AccountEvent => ({ type: 'credit_note', id, date, invoiceId, amount });
const refund = (id: number, date: string, amount: number): AccountEvent => ({ type: 'refund', id, date, amount });
const code = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return (e as TollgateError).code;
  }
  return 'no error';
};

describe('payment allocation', () => {
  it('pays the oldest due invoice first, then the next; the rest waits', () => {
    const r = allocateOldestFirst(5000, [
      { invoiceId: 2, number: 'INV-2026-000002', issueDate: '2026-02-01', dueDate: '2026-02-15', open: 3000 },
      { invoiceId: 1, number: 'INV-2026-000001', issueDate: '2026-01-01', dueDate: '2026-01-15', open: 3000 },
      { invoiceId: 3, number: 'INV-2026-000003', issueDate: '2026-03-01', dueDate: '2026-03-15', open: 3000 },
    ]);
    expect(r).toEqual({ allocations: [{ invoiceId: 1, amount: 3000 }, { invoiceId: 2, amount: 2000 }], remaining: 0 });
  });

  it('an overpayment becomes credit, and the next invoice consumes it when issued', () => {
    let s = replayAccount([inv(1, '2026-01-01', 3000), pay(1, '2026-01-05', 4000)]);
    expect(s.credit).toBe(1000);
    expect(s.invoices[0]).toMatchObject({ paid: 3000, open: 0 });
    s = applyAccountEvent(s, inv(2, '2026-02-01', 3000));
    expect(s.credit).toBe(0);
    expect(s.invoices[1]).toMatchObject({ paid: 1000, open: 2000 });
    expect(s.allocations.at(-1)).toEqual({ invoiceId: 2, amount: 1000, date: '2026-02-01', source: { type: 'credit' } });
    expect(accountBalance(s)).toBe(2000);
  });

  it('a payment settles only invoices issued on or before its date; a later invoice takes it as credit, dated its issue date', () => {
    // Recorded late: the invoice of 2027-02-01 is on the account when a payment received 2026-01-01 arrives.
    const s = replayAccount([inv(1, '2025-12-01', 3000), inv(2, '2027-02-01', 3000), pay(7, '2026-01-01', 5000)]);
    // 5000 received 2026-01-01: 3000 settles invoice 1 (issued 2025-12-01), paid by the payment that day;
    // the 2000 left is credit on 2026-01-01, which invoice 2 takes on its issue date 2027-02-01.
    expect(s.allocations).toEqual([
      { invoiceId: 1, amount: 3000, date: '2026-01-01', source: { type: 'payment', paymentId: 7 } },
      { invoiceId: 2, amount: 2000, date: '2027-02-01', source: { type: 'credit' } },
    ]);
    // 6000 invoiced − 5000 paid = 1000 still open on invoice 2; no credit held while owing.
    expect(s.invoices.map((i) => [i.invoiceId, i.paid, i.open])).toEqual([[1, 3000, 0], [2, 2000, 1000]]);
    expect([s.credit, accountBalance(s)]).toEqual([0, 1000]);
  });

  it('a negative invoice (only credits were due) becomes credit and settles what is open', () => {
    const s = replayAccount([inv(1, '2026-01-01', 3000), inv(2, '2026-01-05', -2100)]);
    expect(s.invoices[0]!.open).toBe(900);
    expect(s.credit).toBe(0);
    expect(accountBalance(s)).toBe(900);
  });
});

describe('credit notes on the account', () => {
  it('reduce what is still open; on a paid invoice they become credit', () => {
    let s = replayAccount([inv(1, '2026-01-01', 3000), cn(1, '2026-01-02', 1, 1000)]);
    expect(s.invoices[0]).toMatchObject({ open: 2000, credited: 1000 });
    s = replayAccount([inv(1, '2026-01-01', 3000), pay(1, '2026-01-02', 3000), cn(1, '2026-01-03', 1, 1000)]);
    expect(s.invoices[0]).toMatchObject({ open: 0, credited: 1000, paid: 3000 });
    expect(s.credit).toBe(1000);
    expect(accountBalance(s)).toBe(-1000);
  });

  it('cannot credit more than the invoice total, over several notes', () => {
    const s = replayAccount([inv(1, '2026-01-01', 3000), cn(1, '2026-01-02', 1, 2000)]);
    expect(code(() => applyAccountEvent(s, cn(2, '2026-01-03', 1, 1001)))).toBe('credit_note_exceeds_invoice');
    expect(applyAccountEvent(s, cn(2, '2026-01-03', 1, 1000)).invoices[0]!.open).toBe(0);
  });
});

describe('refunds', () => {
  it('pay back credit and never more than the credit held', () => {
    const s = replayAccount([inv(1, '2026-01-01', 3000), pay(1, '2026-01-02', 5000)]);
    expect(code(() => applyAccountEvent(s, refund(1, '2026-01-03', 2001)))).toBe('refund_exceeds_credit');
    const after = applyAccountEvent(s, refund(1, '2026-01-03', 2000));
    expect(after.credit).toBe(0);
    expect(accountBalance(after)).toBe(0);
  });

  it('reject non-positive and fractional amounts', () => {
    expect(code(() => applyAccountEvent(emptyAccount, pay(1, '2026-01-01', 0)))).toBe('invalid_amount');
    expect(code(() => applyAccountEvent(emptyAccount, pay(1, '2026-01-01', 10.5)))).toBe('invalid_amount');
  });
});

describe('refund of a settled payment', () => {
  // Payment 1 (7000) settles INV1 3000 and INV2 3000 and leaves 1000 of credit.
  const settled = () => replayAccount([inv(1, '2026-01-01', 3000), inv(2, '2026-02-01', 3000), pay(1, '2026-02-05', 7000)]);
  const withNet = (s: AccountState, net: Record<number, number>) => s.invoices.map((i) => ({ ...i, fromPayment: net[i.invoiceId as number] ?? 0 }));

  it('takes credit first, then reverses settlement newest invoice first', () => {
    const s = settled();
    const plan = planRefund({ amount: 5000, credit: s.credit, currency: 'EUR', invoices: withNet(s, { 1: 3000, 2: 3000 }), reopen: true });
    // 1000 of credit, then 4000: INV2 (newest) 3000, INV1 1000.
    expect(plan).toEqual({ fromCredit: 1000, reopen: [{ invoiceId: 2, amount: 3000 }, { invoiceId: 1, amount: 1000 }] });
    const after = applyAccountEvent(s, { type: 'refund', id: 1, date: '2026-02-06', amount: 5000, paymentId: 1, reopen: plan.reopen });
    expect(after.invoices.map((i) => [i.paid, i.open])).toEqual([[2000, 1000], [0, 3000]]);
    expect(after.credit).toBe(0);
    // invoices 6000 − payments 7000 + refunds 5000 = 4000 = Σ open − credit.
    expect(accountBalance(after)).toBe(4000);
    expect(after.allocations.slice(-2)).toEqual([
      { invoiceId: 2, amount: -3000, date: '2026-02-06', source: { type: 'payment', paymentId: 1 } },
      { invoiceId: 1, amount: -1000, date: '2026-02-06', source: { type: 'payment', paymentId: 1 } },
    ]);
  });

  it("reverses the payment's own invoices before others; an invoice credited after payment stays as it is", () => {
    // INV1 paid by payment 1, INV2 by payment 2, INV3 by payment 3; INV2 then credited 1000 after it
    // was paid: those 1000 became credit.
    let s = replayAccount([
      inv(1, '2026-01-01', 3000), pay(1, '2026-01-05', 3000), inv(2, '2026-02-01', 3000), pay(2, '2026-02-05', 3000),
      inv(3, '2026-03-01', 3000), pay(3, '2026-03-05', 3000),
    ]);
    s = applyAccountEvent(s, cn(1, '2026-03-06', 2, 1000));
    expect(s.credit).toBe(1000);
    // Refund 2500 of payment 1: 1000 credit, then 1500 from INV1 (its own) although INV3 is newer.
    expect(planRefund({ amount: 2500, credit: s.credit, currency: 'EUR', invoices: withNet(s, { 1: 3000 }), reopen: true }))
      .toEqual({ fromCredit: 1000, reopen: [{ invoiceId: 1, amount: 1500 }] });
    // Refund 6500: 1000 credit, INV1 3000, then INV3 (newest of the others) 2500; INV2 is skipped.
    expect(planRefund({ amount: 6500, credit: s.credit, currency: 'EUR', invoices: withNet(s, { 1: 3000 }), reopen: true }))
      .toEqual({ fromCredit: 1000, reopen: [{ invoiceId: 3, amount: 2500 }, { invoiceId: 1, amount: 3000 }] });
    expect(code(() => planRefund({ amount: 7001, credit: s.credit, currency: 'EUR', invoices: withNet(s, { 1: 3000 }), reopen: true }))).toBe('refund_exceeds_settled');
    expect(code(() => planRefund({ amount: 1001, credit: s.credit, currency: 'EUR', invoices: withNet(s, { 1: 3000 }), reopen: false }))).toBe('refund_exceeds_credit');
    // The messages are read by people: amounts in money, not minor units.
    expect(() => planRefund({ amount: 7001, credit: s.credit, currency: 'EUR', invoices: withNet(s, { 1: 3000 }), reopen: true })).toThrow('only €70.00 of the refund');
    expect(() => planRefund({ amount: 1001, credit: s.credit, currency: 'EUR', invoices: [], reopen: false })).toThrow('holds €10.00 of credit');
  });

  it('refuses a re-opening that leaves credit behind or exceeds what an invoice was paid', () => {
    const s = settled();
    expect(code(() => applyAccountEvent(s, { type: 'refund', id: 1, date: '2026-02-06', amount: 500, reopen: [{ invoiceId: 2, amount: 500 }] }))).toBe('refund_reopens_with_credit');
    expect(code(() => applyAccountEvent(s, { type: 'refund', id: 1, date: '2026-02-06', amount: 4001, reopen: [{ invoiceId: 2, amount: 3001 }] }))).toBe('refund_exceeds_settled');
  });
});

describe('credit note documents', () => {
  const line = (key: string, amount: number, rate: number, inclusive: boolean): CreditableLine => ({ key, description: key, amount, taxRateBp: rate, taxInclusive: inclusive, ...taxLine(amount, rate, inclusive) });
  const lines = [line('a', 1025, 1000, false), line('b', 1999, 2200, true), line('c', -500, 2200, true)];

  it('a full note reverses every line to the cent', () => {
    const d = buildCreditNote(lines, { kind: 'full' });
    // a: 1025 + 103 = 1128; b: 1999 (360 tax); c: −500 (−90 tax: 500 × 22/122 = 90.16 → 90).
    expect(d.lines.map((l) => [l.net, l.tax, l.gross])).toEqual([[1025, 103, 1128], [1639, 360, 1999], [-410, -90, -500]]);
    expect([d.net, d.tax, d.total]).toEqual([2254, 373, 2627]);
  });

  it('a partial note taxes its amount as its own line; the rest of the line is exact', () => {
    const first = buildCreditNote(lines, { kind: 'lines', lines: [{ key: 'a', amount: 500 }] });
    // 500 × 10 % = 50 tax.
    expect(first.lines).toEqual([expect.objectContaining({ creditsKey: 'a', amount: 500, net: 500, tax: 50, gross: 550 })]);
    const rest = buildCreditNote(lines, { kind: 'lines', lines: [{ key: 'a' }] }, first.lines);
    // What remains of a: 525 net, 53 tax, 578 gross (1128 − 550).
    expect(rest.lines[0]).toMatchObject({ amount: 525, net: 525, tax: 53, gross: 578 });
    expect(() => buildCreditNote(lines, { kind: 'lines', lines: [{ key: 'a' }] }, [...first.lines, ...rest.lines])).toThrow(/already fully credited/);
    // A later full note leaves out what was already reversed.
    const full = buildCreditNote(lines, { kind: 'full' }, [...first.lines, ...rest.lines]);
    expect(full.lines.map((l) => l.creditsKey)).toEqual(['b', 'c']);
  });

  it('refuses unknown lines, over-crediting and a non-positive total', () => {
    expect(code(() => buildCreditNote(lines, { kind: 'lines', lines: [{ key: 'zz' }] }))).toBe('credit_note_line_unknown');
    expect(code(() => buildCreditNote(lines, { kind: 'lines', lines: [{ key: 'a', amount: 1026 }] }))).toBe('credit_note_exceeds_line');
    expect(code(() => buildCreditNote(lines, { kind: 'lines', lines: [{ key: 'c' }] }))).toBe('credit_note_not_positive');
  });
});

describe('the statement', () => {
  it('lists events in date order with a running balance ending at the account balance', () => {
    const events = [inv(1, '2026-01-01', 3000), pay(1, '2026-01-10', 5000), inv(2, '2026-02-01', 3000), refund(1, '2026-01-20', 1000), cn(1, '2026-02-02', 2, 500)];
    const st = accountStatement(events);
    expect(st.map((e) => [e.date, e.type, e.amount, e.balance])).toEqual([
      ['2026-01-01', 'invoice', 3000, 3000],
      ['2026-01-10', 'payment', -5000, -2000],
      ['2026-01-20', 'refund', 1000, -1000],
      ['2026-02-01', 'invoice', 3000, 2000],
      ['2026-02-02', 'credit_note', -500, 1500],
    ]);
    const chrono = [events[0]!, events[1]!, events[3]!, events[2]!, events[4]!];
    expect(accountBalance(replayAccount(chrono))).toBe(1500);
  });
});

describe('ledger invariant (property)', () => {
  type Op = { kind: 'invoice' | 'payment' | 'credit_note' | 'refund' | 'refund_reopen'; amount: number; pick: number };
  const opArb: fc.Arbitrary<Op> = fc.record({
    kind: fc.constantFrom('invoice', 'invoice', 'payment', 'payment', 'credit_note', 'refund', 'refund_reopen'),
    amount: fc.integer({ min: -3000, max: 20_000 }),
    pick: fc.nat(),
  });

  it('balance = invoices − payments − credit notes + refunds = Σ open − credit; credit only while nothing is open', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 60 }), (ops) => {
        let s: AccountState = emptyAccount;
        let id = 1;
        const day = (i: number) => `2026-${String(1 + Math.floor(i / 28) % 12).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`;
        ops.forEach((op, i) => {
          const date = day(i);
          let e: AccountEvent;
          if (op.kind === 'invoice') e = inv(id, date, op.amount, date);
          else if (op.kind === 'payment') e = pay(id, date, Math.abs(op.amount) + 1);
          else if (op.kind === 'refund') e = refund(id, date, Math.min(Math.abs(op.amount) + 1, Math.max(s.credit, 1)));
          else if (op.kind === 'refund_reopen') {
            // Money back from one earlier payment, as the service plans it: credit, then settlement.
            const payments = [...new Set(s.allocations.flatMap((a) => (a.source.type === 'payment' ? [a.source.paymentId] : [])))];
            const paymentId = payments.length > 0 ? payments[op.pick % payments.length]! : 0;
            const net = new Map<unknown, number>();
            for (const a of s.allocations) if (a.source.type === 'payment' && a.source.paymentId === paymentId) net.set(a.invoiceId, (net.get(a.invoiceId) ?? 0) + a.amount);
            const amount = 1 + (Math.abs(op.amount) % 8000);
            try {
              const plan = planRefund({ amount, credit: s.credit, currency: 'EUR', reopen: true, invoices: s.invoices.map((x) => ({ ...x, fromPayment: Math.max(0, net.get(x.invoiceId) ?? 0) })) });
              e = { type: 'refund', id, date, amount, paymentId, reopen: plan.reopen };
            } catch (err) {
              expect((err as TollgateError).code).toBe('refund_exceeds_settled');
              return;
            }
          } else {
            const candidates = s.invoices.filter((x) => x.total - x.credited > 0);
            if (candidates.length === 0) return;
            const target = candidates[op.pick % candidates.length]!;
            e = cn(id, date, target.invoiceId as number, 1 + (Math.abs(op.amount) % (target.total - target.credited)));
          }
          id++;
          try {
            s = applyAccountEvent(s, e);
          } catch (err) {
            // Only the refusals the domain documents, and they leave the state as it was.
            expect((err as TollgateError).code).toBe('refund_exceeds_credit');
          }
          expect(accountBalance(s)).toBe(s.invoiced - s.paid - s.creditNoted + s.refunded);
          expect(s.credit).toBeGreaterThanOrEqual(0);
          for (const x of s.invoices) {
            expect(x.open).toBeGreaterThanOrEqual(0);
            const allocated = s.allocations.filter((a) => a.invoiceId === x.invoiceId).reduce((t, a) => t + a.amount, 0);
            expect(allocated).toBe(x.paid);
            expect(x.paid + x.open + Math.min(x.credited, Math.max(x.total, 0) - x.paid)).toBe(Math.max(x.total, 0));
          }
          if (s.credit > 0) expect(s.invoices.every((x) => x.open === 0)).toBe(true);
        });
      }),
      { numRuns: 300 },
    );
  });
});
