/**
 * The billing services on both backends: the run's idempotence, catch-up and crash recovery as
 * stored, and the account (payments, credit, refunds, credit notes) with its ledger invariant.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { billingService } from '../../src/billing/service.js';
import { contractService } from '../../src/billing/contracts.js';
import { billingStore } from '../../src/db/billing.js';
import type { Param, Row, SqlClient } from '../../src/db/sql.js';
import { findNumberingGaps } from '../../src/domain/billing/numbering.js';
import { TestClock } from '../../src/lib/clock.js';
import { backendNames, openTestBackend, type BackendName, type TestBackend } from '../helpers/backends.js';

const actor = { id: 'test' };

const opened: TestBackend[] = [];
afterEach(async () => {
  for (const b of opened.splice(0)) await b.close();
});

/** The database as the assertions read it: plain SQL on either backend. */
function queries(sql: SqlClient) {
  return {
    all: <R = Row>(text: string, ...args: Param[]) => sql.all<R>(text, ...args),
    get: <R = Row>(text: string, ...args: Param[]) => sql.get<R>(text, ...args),
    run: (text: string, ...args: Param[]) => sql.run(text, ...args),
  };
}
type Queries = ReturnType<typeof queries>;

async function setup(name: BackendName, customers = 5) {
  const b = await openTestBackend(name);
  opened.push(b);
  const plan = async (planName: string, price: number) =>
    (await b.sql.get<{ id: number }>(`insert into plans (name, type, price, billing_period_months, tax_rate_bp, tax_inclusive, download_kbps, upload_kbps)
      values (?, 'recurring', ?, 1, 2200, ?, 10000, 2000) returning id`, planName, price, true))!;
  const basic = await plan('Basic', 3000);
  const pro = await plan('Pro', 6000);
  const ids: number[] = [];
  const services: number[] = [];
  for (let i = 0; i < customers; i++) {
    const c = (await b.sql.get<{ id: number }>(`insert into customers (name) values (?) returning id`, `C${i}`))!;
    ids.push(c.id);
    const s = (await b.sql.get<{ id: number }>(`insert into services (customer_id, plan_id, username, password_enc, start_date) values (?, ?, ?, 'v1:x', ?) returning id`,
      c.id, basic.id, `u${i}`, `2026-03-${String(1 + i * 5).padStart(2, '0')}`))!;
    services.push(s.id);
  }
  const clock = new TestClock('2026-03-01T02:00:00Z');
  const store = billingStore(b.sql);
  const billing = billingService({ store, clock, currency: 'EUR', timezone: 'Europe/Rome', chunkSize: 2 });
  const contracts = contractService(store, clock, 'Europe/Rome');
  return { db: queries(b.sql), billing, contracts, store, clock, customers: ids, services, basic, pro };
}

async function snapshot(db: Queries) {
  return {
    invoices: await db.all(`select number, customer_id, issue_date, due_date, net, tax, total, open from invoices order by id`),
    lines: await db.all(`select i.number, l.position, l.key, l.amount, l.net, l.tax, l.gross from invoice_lines l join invoices i on i.id = l.invoice_id order by l.id`),
  };
}

describe.each(backendNames)('the billing run, stored on %s', (name) => {
  it('is idempotent: the same date twice changes nothing; an earlier date is a no-op', async () => {
    const { db, billing } = await setup(name);
    const first = await billing.run('2026-03-01');
    expect(first.days.map((d) => [d.date, d.invoices])).toEqual([['2026-03-01', 1]]);
    const snap = await snapshot(db);
    expect(await billing.run('2026-03-01')).toEqual({ date: '2026-03-01', alreadyRun: false, days: [{ date: '2026-03-01', invoices: 0, creditNotes: 0, lines: 0, total: 0, problems: [], closed: [] }] });
    expect(await billing.run('2026-02-01')).toEqual({ date: '2026-02-01', alreadyRun: true, days: [] });
    expect(await snapshot(db)).toEqual(snap);
    // 3000 incl. 22 %: tax 3000 × 22/122 = 540.98 → 541.
    expect(snap.invoices).toEqual([{ number: 'INV-2026-000001', customer_id: 1, issue_date: '2026-03-01', due_date: '2026-03-15', net: 2459, tax: 541, total: 3000, open: 3000 }]);
  });

  it('catches up missed days in order: 40 days late gives the invoices of 40 daily runs', async () => {
    const daily = await setup(name);
    const late = await setup(name);
    await daily.billing.run('2026-03-01');
    await late.billing.run('2026-03-01');
    for (let d = 2; d <= 41; d++) await daily.billing.run(new Date(Date.UTC(2026, 2, d)).toISOString().slice(0, 10));
    const r = await late.billing.run('2026-04-10');
    expect(r.days).toHaveLength(40);
    expect(r.days.filter((d) => d.invoices > 0).map((d) => d.date)).toEqual(['2026-03-06', '2026-03-11', '2026-03-16', '2026-03-21', '2026-04-01', '2026-04-06']);
    expect(await snapshot(late.db)).toEqual(await snapshot(daily.db));
    const numbers = ((await snapshot(late.db)).invoices as { number: string }[]).map((i) => i.number);
    expect(findNumberingGaps({ prefix: 'INV' }, numbers)).toEqual([]);
  });

  it('a crash in the middle of a run loses nothing and bills nothing twice when run again', async () => {
    const clean = await setup(name);
    const crashed = await setup(name);
    // All five services start on 1 March for this one.
    for (const s of [clean, crashed]) await s.db.run(`update services set start_date = '2026-03-01'`);
    await clean.billing.run('2026-03-01');
    await expect(crashed.billing.run('2026-03-01', (_p, _d, chunk) => {
      if (chunk === 0) throw new Error('power cut');
    })).rejects.toThrow('power cut');
    // The first chunk (two customers) was committed, the run is not marked finished.
    expect(await crashed.db.get('select count(*) n from invoices')).toEqual({ n: 2 });
    expect(await crashed.store.lastFinishedRun()).toBeNull();
    await crashed.billing.run('2026-03-01');
    expect(await snapshot(crashed.db)).toEqual(await snapshot(clean.db));
    expect(await crashed.store.getRun('2026-03-01')).toMatchObject({ invoices: 5, total: 15000 });
  });

  it('a fact recorded later the same day is billed by running that date again, dated that day', async () => {
    const { billing, contracts, customers, db } = await setup(name, 1);
    await billing.run('2026-03-01');
    await contracts.addCharge({ customerId: customers[0]!, description: 'Antenna', amount: 7500, date: '2026-03-01' }, { id: 'test' });
    const again = await billing.run('2026-03-01');
    expect(again.days.map((d) => [d.date, d.invoices, d.total])).toEqual([['2026-03-01', 1, 7500]]);
    expect(await db.all(`select number, issue_date from invoices order by id`)).toEqual([
      { number: 'INV-2026-000001', issue_date: '2026-03-01' }, { number: 'INV-2026-000002', issue_date: '2026-03-01' },
    ]);
  });

  it('runAsync serialises concurrent runs and gives the same result as run', async () => {
    const a = await setup(name);
    const b = await setup(name);
    await a.billing.run('2026-04-01');
    const [r1, r2] = await Promise.all([b.billing.runAsync('2026-04-01'), b.billing.runAsync('2026-04-01')]);
    expect(r1.days.reduce((n, d) => n + d.invoices, 0)).toBe((await snapshot(a.db)).invoices.length);
    expect(r2.days.reduce((n, d) => n + d.invoices, 0)).toBe(0);
    expect(await snapshot(b.db)).toEqual(await snapshot(a.db));
  });

  it('bills plan changes, end dates, items, charges and discounts recorded through the contract facts', async () => {
    const { billing, contracts, customers, services, pro, db } = await setup(name, 1);
    const serviceId = services[0]!;
    await contracts.setTerms(serviceId, { billingDay: 1 }, actor);
    await contracts.addItem({ serviceId, description: 'Router rent', amount: 500, taxRateBp: 2200, taxInclusive: true }, actor);
    await contracts.addDiscount({ customerId: customers[0]!, description: 'Half price', target: { kind: 'service', serviceId }, value: { type: 'percent', bp: 5000 }, startDate: '2026-03-01', periods: 1 }, actor);
    await contracts.addCharge({ customerId: customers[0]!, description: 'Installation', amount: 4900, date: '2026-03-01' }, actor);
    await billing.run('2026-03-01');
    await contracts.changePlan(serviceId, pro.id, '2026-03-11', actor);
    await billing.run('2026-03-11');
    const lines = await db.all(`select kind, amount from invoice_lines order by id`);
    // March: Basic 3000, router 500, 50 % of Basic −1500, installation 4900. On the 11th: Basic
    // credit 3000 × 21/31 = −2032, Pro 6000 × 21/31 = 4065, and the 50 % discount of March applies
    // to both: +1016 and −2033 (4065 / 2 = 2032.5 → 2033). March's Basic was invoiced on the 1st, so
    // its credit (with the discount on it) is a credit note against that invoice: 2032 − 1016 = 1016
    // back; the new invoice bills Pro: 4065 − 2033 = 2032. Owed in all: 6900 − 1016 + 2032 = 7916,
    // as the single mixed invoice of before (6900 + 1016 net) made it.
    expect(lines).toEqual([
      { kind: 'recurring', amount: 3000 }, { kind: 'item', amount: 500 }, { kind: 'discount', amount: -1500 }, { kind: 'one_off', amount: 4900 },
      { kind: 'plan_change_charge', amount: 4065 }, { kind: 'discount', amount: -2033 },
    ]);
    expect(await db.all(`select n.number, i.number as invoice, n.issue_date as date, n.total from credit_notes n join invoices i on i.id = n.invoice_id`))
      .toEqual([{ number: 'CN-2026-000001', invoice: 'INV-2026-000001', date: '2026-03-11', total: 1016 }]);
    expect(await db.all(`select credits_key as k, line_key as lk, amount, gross from credit_note_lines order by position`)).toEqual([
      { k: `service:${serviceId}:period:2026-03-01`, lk: `service:${serviceId}:change:1:credit`, amount: 2032, gross: 2032 },
      { k: expect.stringMatching(new RegExp(`^discount:\\d+:on:service:${serviceId}:period:2026-03-01$`)), lk: expect.stringMatching(/:on:service:\d+:change:1:credit$/), amount: -1016, gross: -1016 },
    ]);
    expect((await db.all<{ total: number }>(`select total from invoices order by id`)).map((r) => r.total)).toEqual([6900, 2032]);
    expect(await billing.statement(customers[0]!)).toMatchObject({ invoiced: 8932, creditNoted: 1016, balance: 7916 });
    // The run again: nothing more to credit or bill.
    expect((await billing.run('2026-03-11')).days[0]).toMatchObject({ invoices: 0, creditNotes: 0 });
    await expect(contracts.changePlan(serviceId, pro.id, '2026-03-05', actor)).rejects.toThrow(/kept in order/);
    await contracts.setTerms(serviceId, { endDate: '2026-04-15' }, actor);
    await expect(contracts.changePlan(serviceId, pro.id, '2026-04-02', actor)).rejects.toThrow(/ends on 2026-04-15/);
    await billing.run('2026-04-01');
    const april = await db.all(`select kind, amount, period_start from invoice_lines where bill_date >= '2026-04-01' order by id`);
    // April in advance on Pro 6000 and router 500, then the days after the 15th come back:
    // 16..30 April = 15 of 30 days: −3000 and −250.
    expect(april).toEqual([
      { kind: 'recurring', amount: 6000, period_start: '2026-04-01' }, { kind: 'item', amount: 500, period_start: '2026-04-01' },
      { kind: 'end_credit', amount: -3000, period_start: '2026-04-16' }, { kind: 'item_end_credit', amount: -250, period_start: '2026-04-16' },
    ]);
  });

  it('an end date recorded late reverses what was billed after it, discounts included, to the cent', async () => {
    const { billing, contracts, customers, services, db } = await setup(name, 1);
    const serviceId = services[0]!;
    await contracts.setTerms(serviceId, { billingDay: 1 }, actor);
    await contracts.addDiscount({ customerId: customers[0]!, description: 'Third off', target: { kind: 'invoice' }, value: { type: 'percent', bp: 3333 }, startDate: '2026-04-01', periods: null }, actor);
    await billing.run('2026-03-01');
    await billing.run('2026-05-03');
    await db.run(`update services set status = 'ended' where id = ?`, serviceId);
    await contracts.setTerms(serviceId, { endDate: '2026-03-31' }, actor);
    await billing.run('2026-05-04');
    // April and May were billed (3000 each, less 33.33 % = 999.9 → 1000): both come back exactly, on
    // a credit note against the invoice that billed them, never as a negative invoice.
    expect(await db.get(`select count(*) n from invoices where issue_date = '2026-05-04'`)).toEqual({ n: 0 });
    const notes = await db.all(`select n.total, i.number as invoice from credit_notes n join invoices i on i.id = n.invoice_id where n.issue_date = '2026-05-04' order by n.id`);
    const lines = await db.all(`select l.line_key as key, l.credits_key as credits, l.amount, l.net, l.tax, l.gross from credit_note_lines l join credit_notes n on n.id = l.credit_note_id where n.issue_date = '2026-05-04' order by n.id, l.position`);
    expect({ notes, lines }).toMatchInlineSnapshot(`
      {
        "lines": [
          {
            "amount": -1000,
            "credits": "discount:1:on:service:1:period:2026-04-01",
            "gross": -1000,
            "key": "void:discount:1:on:service:1:period:2026-04-01",
            "net": -820,
            "tax": -180,
          },
          {
            "amount": 3000,
            "credits": "service:1:period:2026-04-01",
            "gross": 3000,
            "key": "void:service:1:period:2026-04-01",
            "net": 2459,
            "tax": 541,
          },
          {
            "amount": -1000,
            "credits": "discount:1:on:service:1:period:2026-05-01",
            "gross": -1000,
            "key": "void:discount:1:on:service:1:period:2026-05-01",
            "net": -820,
            "tax": -180,
          },
          {
            "amount": 3000,
            "credits": "service:1:period:2026-05-01",
            "gross": 3000,
            "key": "void:service:1:period:2026-05-01",
            "net": 2459,
            "tax": 541,
          },
        ],
        "notes": [
          {
            "invoice": "INV-2026-000002",
            "total": 2000,
          },
          {
            "invoice": "INV-2026-000003",
            "total": 2000,
          },
        ],
      }
    `);
    const owed = await db.get(`select (select sum(total) from invoices) - (select sum(total) from credit_notes) t`);
    expect(owed).toEqual({ t: 3000 });
    await billing.run('2026-06-01');
    expect(await db.get(`select count(*) n from invoices`)).toEqual({ n: 3 });
    expect(await billing.ledgerConsistent(customers[0]!)).toBe(true);
  });

  it('never issues a negative invoice: a goodwill credit larger than what is due waits for the next invoice', async () => {
    const { billing, contracts, customers, db } = await setup(name, 1);
    const sumOf = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    await billing.run('2026-03-01');
    // 50.00 back as goodwill on 10 March: nothing else is due until April's 30.00.
    await contracts.addCharge({ customerId: customers[0]!, description: 'Goodwill for the outage', amount: -5000, date: '2026-03-10' }, actor);
    const march = await billing.run('2026-03-10');
    expect(sumOf(march.days.map((d) => d.invoices))).toBe(0);
    // Each day's run says the credit still waits.
    const codes = (r: typeof march) => [...new Set(r.days.flatMap((d) => d.problems).map((p) => (p as { code?: string }).code))];
    expect(codes(march)).toEqual(['credit_held_back']);
    expect(march.days.at(-1)!.problems).toEqual([expect.objectContaining({ code: 'credit_held_back', message: expect.stringContaining('€50.00') })]);
    // April's 30.00 cannot take 50.00 either: it is issued whole, and the credit still waits.
    const april = await billing.run('2026-04-01');
    expect(sumOf(april.days.map((d) => d.invoices))).toBe(1);
    expect(codes(april)).toEqual(['credit_held_back']);
    // A new 80.00 one-off can take it: one invoice of 80 − 50 = 30.00, the credit on it as a line.
    await contracts.addCharge({ customerId: customers[0]!, description: 'Antenna', amount: 8000, date: '2026-04-20' }, actor);
    const later = await billing.run('2026-04-20');
    expect(later.days.at(-1)!.problems).toEqual([]);
    const invoices = await db.all<{ issue_date: string; total: number }>(`select issue_date, total from invoices order by id`);
    expect(invoices.map((i) => [i.issue_date, Number(i.total)])).toEqual([['2026-03-01', 3000], ['2026-04-01', 3000], ['2026-04-20', 3000]]);
    const lines = await db.all<{ description: string; gross: number }>(`select l.description, l.gross from invoice_lines l join invoices i on i.id = l.invoice_id where i.issue_date = '2026-04-20' order by l.position`);
    expect(lines.map((l) => [l.description, Number(l.gross)])).toEqual([['Goodwill for the outage', -5000], ['Antenna', 8000]]);
    expect(await billing.ledgerConsistent(customers[0]!)).toBe(true);
  });

  it('reports a contract it cannot bill and bills everyone else', async () => {
    const { billing, db } = await setup(name, 2);
    await db.run(`update services set status = 'ended' where id = 1`);
    const r = await billing.run('2026-03-10');
    expect(r.days[0]!.invoices).toBe(1);
    expect(r.days[0]!.problems).toEqual([expect.objectContaining({ serviceId: 1, code: 'ended_without_end_date' })]);
  });
});

describe.each(backendNames)('the account, stored on %s', (name) => {
  it('allocates oldest first, keeps overpayment as credit, uses it on the next invoice; statement and ledger agree', async () => {
    const { billing, customers, clock, db } = await setup(name, 1);
    const cid = customers[0]!;
    await billing.run('2026-03-01');
    clock.set('2026-03-05T10:00:00Z');
    const p = await billing.recordPayment({ customerId: cid, amount: 4000, method: 'bank', receivedAt: '2026-03-05T10:00:00Z' }, actor);
    expect(p).toMatchObject({ amount: 4000, date: '2026-03-05', refunded: 0 });
    const inv1 = await db.get(`select paid, open from invoices where number = 'INV-2026-000001'`);
    expect(inv1).toEqual({ paid: 3000, open: 0 });
    expect((await billing.statement(cid)).credit).toBe(1000);
    await billing.run('2026-04-01');
    const inv2 = await db.get(`select paid, open from invoices where number = 'INV-2026-000002'`);
    expect(inv2).toEqual({ paid: 1000, open: 2000 });
    const st = await billing.statement(cid);
    expect(st.entries.map((e) => [e.date, e.type, e.amount, e.balance])).toEqual([
      ['2026-03-01', 'invoice', 3000, 3000], ['2026-03-05', 'payment', -4000, -1000], ['2026-04-01', 'invoice', 3000, 2000],
    ]);
    expect([st.balance, st.open, st.credit, st.closingBalance]).toEqual([2000, 2000, 0, 2000]);
    expect(await billing.ledgerConsistent(cid)).toBe(true);
    expect(await db.all(`select payment_id, amount, date from payment_allocations order by id`)).toEqual([
      { payment_id: 1, amount: 3000, date: '2026-03-05' }, { payment_id: null, amount: 1000, date: '2026-04-01' },
    ]);
  });

  it('credit notes reduce what is owed or become credit; refunds pay credit back and no more', async () => {
    const { billing, customers, db, clock } = await setup(name, 1);
    const cid = customers[0]!;
    await billing.run('2026-03-01');
    const invId = ((await db.get(`select id from invoices`)) as { id: number }).id;
    const partial = await billing.creditNote(invId, { kind: 'lines', lines: [{ key: 'service:1:period:2026-03-01', amount: 1000 }] }, { date: '2026-03-02', reason: 'outage' }, actor);
    // 1000 incl. 22 %: tax 180.33 → 180, net 820.
    expect(partial).toMatchObject({ number: 'CN-2026-000001', total: 1000, net: 820, tax: 180 });
    expect(await db.get(`select open, credited from invoices`)).toEqual({ open: 2000, credited: 1000 });
    clock.set('2026-03-03T09:00:00Z'); // a payment is recorded on or after the day it is received
    const pay = await billing.recordPayment({ customerId: cid, amount: 2000, method: 'cash', receivedAt: '2026-03-03T09:00:00Z' }, actor);
    const rest = await billing.creditNote(invId, { kind: 'full' }, { date: '2026-03-04' }, actor);
    // The rest of the line: 2000 gross, 541 − 180 = 361 tax. The invoice was paid: it becomes credit.
    expect(rest).toMatchObject({ number: 'CN-2026-000002', total: 2000, tax: 361 });
    expect(await billing.statement(cid)).toMatchObject({ credit: 2000, open: 0, balance: -2000 });
    await expect(billing.creditNote(invId, { kind: 'full' }, { date: '2026-03-04' }, actor)).rejects.toThrow(/positive total/);
    await expect(billing.refundPayment(pay.id, { amount: 2001, date: '2026-03-06' }, actor)).rejects.toThrow(/at most €20\.00/);
    const refund = await billing.refundPayment(pay.id, { amount: 1500, date: '2026-03-06' }, actor);
    expect(refund).toMatchObject({ amount: 1500, paymentId: pay.id });
    expect(await billing.statement(cid)).toMatchObject({ credit: 500, balance: -500, refunded: 1500 });
    expect(await billing.ledgerConsistent(cid)).toBe(true);
    await expect(billing.refundPayment(pay.id, { amount: 501, date: '2026-03-06' }, actor)).rejects.toThrow(/at most €5\.00/);
    // April's invoice takes the 500 of credit: only credit still held can go back.
    await billing.run('2026-04-01');
    expect(await billing.statement(cid)).toMatchObject({ credit: 0, open: 2500, balance: 2500 });
    await expect(billing.refundPayment(pay.id, { amount: 100, date: '2026-04-02' }, actor)).rejects.toThrow(/holds €0\.00 of credit/);
    await expect(billing.refundPayment(pay.id, { date: '2026-04-02' }, actor)).rejects.toThrow(/nothing to refund/);
    expect(await billing.ledgerConsistent(cid)).toBe(true);
  });

  it('the ledger invariant holds across a random mix of runs, payments, notes and refunds', async () => {
    const { billing, customers, db, clock } = await setup(name, 3);
    let seed = 7;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    for (let day = 1; day <= 60; day++) {
      const date = new Date(Date.UTC(2026, 2, day)).toISOString().slice(0, 10);
      clock.set(`${date}T12:00:00Z`);
      await billing.run(date);
      const cid = customers[rnd(3)]!;
      const op = rnd(4);
      try {
        if (op === 0) await billing.recordPayment({ customerId: cid, amount: 1 + rnd(5000), method: 'bank', receivedAt: `${date}T12:00:00Z` }, actor);
        if (op === 1) {
          const inv = (await db.get(`select id from invoices where customer_id = ? order by random() limit 1`, cid)) as { id: number } | undefined;
          if (inv) await billing.creditNote(inv.id, { kind: 'full' }, { date }, actor);
        }
        if (op === 2) {
          const p = (await db.get(`select id from payments where customer_id = ? and refunded < amount limit 1`, cid)) as { id: number } | undefined;
          if (p) await billing.refundPayment(p.id, { date }, actor);
        }
      } catch (e) {
        expect((e as Error).message).toMatch(/positive total|no credit|credited/);
      }
      for (const c of customers) expect(await billing.ledgerConsistent(c)).toBe(true);
    }
    for (const c of customers) {
      const st = await billing.statement(c);
      expect(st.closingBalance).toBe(st.balance);
      expect(st.balance).toBe(st.open - st.credit);
    }
  });
});
