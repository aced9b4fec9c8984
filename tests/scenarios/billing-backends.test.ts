/**
 * The billing services on both backends: the same small ISP billed over the same days gives the
 * same invoices, numbers, credit notes, settlements and totals on SQLite and PostgreSQL, to the cent.
 * And two processes running the same date at once on PostgreSQL bill it once: the chunks are
 * serialized write transactions that read what is billed inside, so the second finds it done.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { billingService } from '../../src/billing/service.js';
import { contractService } from '../../src/billing/contracts.js';
import { promotionService } from '../../src/billing/promotions.js';
import { billingStore } from '../../src/db/billing.js';
import { openPostgres, type SqlClient } from '../../src/db/sql.js';
import { findNumberingGaps } from '../../src/domain/billing/numbering.js';
import { TestClock } from '../../src/lib/clock.js';
import { backendNames, openTestBackend, postgresReady, type BackendName } from '../helpers/backends.js';

const actor = { id: 'test' };

/** Plans, a default billing profile and `n` customers with one service each, in plain SQL either backend reads. */
async function seed(sql: SqlClient, n: number) {
  const plan = async (name: string, price: number, inclusive: boolean) =>
    (await sql.get<{ id: number }>(`insert into plans (name, type, price, billing_period_months, setup_fee, tax_rate_bp, tax_inclusive, download_kbps, upload_kbps)
      values (?, 'recurring', ?, 1, 0, 2200, ?, 10000, 2000) returning id`, name, price, inclusive))!.id;
  const basic = await plan('Basic', 3000, true);
  const business = await plan('Business', 7900, false);
  await sql.run(`insert into billing_profiles (name, is_default, days_until_due) values ('Default', ?, 10)`, true);
  const customers: number[] = [];
  const services: number[] = [];
  for (let i = 0; i < n; i++) {
    const { id: customerId } = (await sql.get<{ id: number }>(`insert into customers (name) values (?) returning id`, `Customer ${i + 1}`))!;
    const start = i % 2 === 0 ? '2026-03-01' : '2026-02-15';
    const { id: serviceId } = (await sql.get<{ id: number }>(`insert into services (customer_id, plan_id, username, password_enc, status, start_date)
      values (?, ?, ?, 'v1:x', 'active', ?) returning id`, customerId, i % 3 === 2 ? business : basic, `user${i + 1}`, start))!;
    customers.push(customerId);
    services.push(serviceId);
  }
  return { basic, business, customers, services };
}

/** Everything billing wrote, in the order it was written, as either backend returns it. */
async function snapshot(sql: SqlClient) {
  return {
    invoices: await sql.all(`select number, customer_id as "customerId", issue_date as "issueDate", due_date as "dueDate", net, tax, total, paid, credited, open
      from invoices order by id`),
    lines: (await sql.all<Record<string, unknown> & { key: string }>(`select i.number, l.position, l.key, l.kind, l.amount, l.net, l.tax, l.gross, l.tax_inclusive as "taxInclusive"
      from invoice_lines l join invoices i on i.id = l.invoice_id order by l.id`)).map((l) => ({ ...l, taxInclusive: l.taxInclusive === true || l.taxInclusive === 1 })),
    creditNotes: await sql.all(`select n.number, i.number as invoice, n.issue_date as "issueDate", n.net, n.tax, n.total from credit_notes n join invoices i on i.id = n.invoice_id order by n.id`),
    allocations: await sql.all(`select i.number, a.payment_id as "paymentId", a.amount, a.date from payment_allocations a join invoices i on i.id = a.invoice_id order by a.id`),
    series: await sql.all(`select prefix, year, last_sequence as "last" from number_series order by prefix, year`),
    runs: await sql.all(`select run_date as "runDate", invoices, lines, total, finished_at is not null as "finished" from billing_runs order by run_date`)
      .then((rows) => rows.map((r) => ({ ...r, finished: r.finished === true || r.finished === 1 }))),
    accounts: await sql.all(`select customer_id as "customerId", credit from customer_accounts order by customer_id`),
    discounts: await sql.all(`select customer_id as "customerId", service_id as "serviceId", promotion_id as "promotionId", start_date as "startDate" from discounts order by id`),
  };
}

const results = new Map<BackendName, { snap: Awaited<ReturnType<typeof snapshot>>; statements: unknown[] }>();

describe.each(backendNames)('a billing month on %s', (name) => {
  it('bills, corrects, settles and closes to the cent', async () => {
    const b = await openTestBackend(name);
    try {
      const { basic, business, customers, services } = await seed(b.sql, 6);
      const clock = new TestClock('2026-03-01T02:00:00Z');
      const store = billingStore(b.sql);
      const closed: number[][] = [];
      const billing = billingService({ store, clock, currency: 'EUR', timezone: 'Europe/Rome', chunkSize: 4, onServicesChanged: (ids) => closed.push(ids) });
      const contracts = contractService(store, clock, 'Europe/Rome');
      const promotions = promotionService(store, clock);

      // Customer 1: router rent and a one-off installation; customer 3: a term that does not renew.
      await contracts.setTerms(services[0]!, { billingDay: 1 }, actor);
      await contracts.addItem({ serviceId: services[0]!, description: 'Router rent', amount: 300, taxRateBp: 2200, taxInclusive: true }, actor);
      await contracts.addCharge({ customerId: customers[0]!, description: 'Installation', amount: 4900, date: '2026-03-01' }, actor);
      await contracts.setTerms(services[2]!, { termMonths: 1, autoRenew: false }, actor);
      // A fifth off Basic for three periods, for every Basic contract and each new one.
      const promo = await promotions.create({ key: 'spring', description: 'Spring', percentBp: 2000, periods: 3, startDate: '2026-03-01', target: { planId: basic }, appliesToNew: true }, actor);
      expect(promo.created).toBe(true);
      expect((await promotions.create({ key: 'spring', description: 'Spring', percentBp: 2000, periods: 3, startDate: '2026-03-01', target: { planId: basic }, appliesToNew: true }, actor)).created).toBe(false);

      const first = await billing.run('2026-03-01');
      expect(first.days.map((d) => [d.date, d.invoices])).toEqual([['2026-03-01', 6]]);
      // Customer 1 pays more than owed: the rest is credit for the next invoice.
      clock.set('2026-03-05T10:00:00Z');
      await billing.recordPayment({ customerId: customers[0]!, amount: 9000, method: 'bank', receivedAt: '2026-03-05T10:00:00Z' }, actor);
      // Customer 1 moves to Business mid-month (March was billed in advance: a credit note corrects it).
      await contracts.changePlan(services[0]!, business, '2026-03-16', actor);
      // Customer 5 ends on the 20th, after March was billed.
      await contracts.setTerms(services[4]!, { endDate: '2026-03-20' }, actor);
      clock.set('2026-04-02T02:00:00Z');
      const late = await billing.run('2026-04-01');
      expect(late.days).toHaveLength(31);
      const invoice = (await b.sql.get<{ id: number }>(`select id from invoices where customer_id = ? order by id limit 1`, customers[1]!))!;
      await billing.creditNote(invoice.id, { kind: 'full' }, { date: '2026-04-02', reason: 'goodwill' }, actor);
      const pay = await billing.recordPayment({ customerId: customers[3]!, amount: 10_000, method: 'cash', receivedAt: '2026-04-02T01:00:00Z' }, actor);
      await billing.refundPayment(pay.id, { amount: 500, date: '2026-04-02', reopenInvoices: true }, actor);

      const snap = await snapshot(b.sql);
      const numbers = (snap.invoices as { number: string }[]).map((i) => i.number);
      expect(findNumberingGaps({ prefix: 'INV' }, numbers)).toEqual([]);
      expect(new Set(snap.lines.map((l) => l.key)).size).toBe(snap.lines.length);
      // Customer 5 ended on 20 March (closed by the run of the 21st), customer 3's one-month term
      // on 31 March (closed by the run of 1 April).
      expect(closed).toEqual([[services[4]!], [services[2]!]]);
      for (const c of customers) expect(await billing.ledgerConsistent(c)).toBe(true);
      const statements = [];
      for (const c of customers) statements.push(await billing.statement(c));
      // Hand-checked: customer 1's first invoice is Basic 3000 less 20 % (−600), router 300 and the
      // installation 4900 (untaxed): 7600; tax incl. 22 %: 3000×22/122 = 541, −108, 54: 487. Paid by
      // the payment of the 5th; the plan change on the 16th credits Basic's 16 of 31 days,
      // 3000×16/31 = 1548, less its fifth off (310): 1238, on a credit note against it.
      expect(snap.invoices[0]).toEqual({ number: 'INV-2026-000001', customerId: customers[0], issueDate: '2026-03-01', dueDate: '2026-03-11', net: 7113, tax: 487, total: 7600, paid: 7600, credited: 1238, open: 0 });
      expect(snap.creditNotes[1]).toEqual({ number: 'CN-2026-000002', invoice: 'INV-2026-000001', issueDate: '2026-03-16', net: 1015, tax: 223, total: 1238 });
      // Customer 5's end on the 20th, known on the 2nd: 21..31 March back, 3000×11/31 = 1065 less its
      // fifth off (213) = 852, on a credit note against March's invoice, never a negative invoice.
      expect(snap.creditNotes[0]).toEqual({ number: 'CN-2026-000001', invoice: 'INV-2026-000005', issueDate: '2026-03-02', net: 698, tax: 154, total: 852 });
      expect((snap.invoices as { total: number }[]).every((i) => Number(i.total) >= 0)).toBe(true);
      // Every day from 1 March to 1 April ran once; the first billed 6 invoices, the catch-up 5 (customer
      // 5 ended in March: nothing more to bill).
      expect([snap.invoices.length, snap.creditNotes.length, snap.runs.length]).toEqual([11, 3, 32]);
      expect(snap.series).toEqual([{ prefix: 'CN', year: 2026, last: 3 }, { prefix: 'INV', year: 2026, last: 11 }]);
      results.set(name, { snap, statements });
    } finally {
      await b.close();
    }
  });
});

describe.runIf(postgresReady)('both backends', () => {
  it('wrote the same invoices, numbers, credit notes, settlements and totals', () => {
    const sqlite = results.get('sqlite');
    const postgres = results.get('postgres');
    expect(sqlite).toBeDefined();
    expect(postgres).toEqual(sqlite);
  });
});

describe.runIf(postgresReady)('two processes running the same date on PostgreSQL', () => {
  const clients: SqlClient[] = [];
  afterAll(async () => {
    for (const c of clients) await c.close();
  });

  it('bill it once', async () => {
    const b = await openTestBackend('postgres');
    clients.push(b.sql);
    const { customers } = await seed(b.sql, 9);
    // A second process: its own pool on the same database.
    const other = openPostgres({ url: b.url!, max: 4 });
    clients.push(other);
    const clock = new TestClock('2026-04-01T02:00:00Z');
    const service = (sql: SqlClient) => billingService({ store: billingStore(sql), clock, currency: 'EUR', timezone: 'Europe/Rome', chunkSize: 2 });
    const [r1, r2] = await Promise.all([service(b.sql).run('2026-04-01'), service(other).run('2026-04-01')]);
    const billed = (r: typeof r1) => r.days.reduce((n, d) => n + d.invoices, 0);
    // Every customer once: whichever process reached a chunk first billed it, the other found it done.
    expect(billed(r1) + billed(r2)).toBe(customers.length);
    const rows = await b.sql.all<{ customerId: number; number: string }>(`select customer_id as "customerId", number from invoices order by id`);
    expect(rows.map((r) => r.customerId).sort((x, y) => x - y)).toEqual(customers);
    expect(findNumberingGaps({ prefix: 'INV' }, rows.map((r) => r.number))).toEqual([]);
    expect(await b.sql.get(`select last_sequence as "last" from number_series where prefix = 'INV'`)).toEqual({ last: customers.length });
    expect(await b.sql.get(`select invoices, finished_at is not null as "finished" from billing_runs where run_date = '2026-04-01'`)).toEqual({ invoices: customers.length, finished: true });
    // And a third run of the date, afterwards, bills nothing.
    expect(billed(await service(other).run('2026-04-01'))).toBe(0);
  });
});
