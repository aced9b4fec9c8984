import { afterEach, describe, expect, it } from 'vitest';
import { nameLookup } from '../../../src/db/names.js';
import { overviewStore } from '../../../src/db/overview.js';
import { paymentStore } from '../../../src/db/billing/payments.js';
import { backendNames, openTestBackend, type TestBackend } from '../../helpers/backends.js';

// The operator's overview, the list names and the payment totals, on both backends: exact integers
// (amounts past 2^32 included), the overdue buckets' edges, the hourly online series.

const NOW = new Date('2026-11-24T12:30:00.000Z');
const TODAY = '2026-11-24';

describe.each(backendNames)('overview on %s', (name) => {
  let b: TestBackend;
  const database = async () => (b = await openTestBackend(name));
  afterEach(() => b?.close());

  const seed = (sql: TestBackend['sql']) => sql.exec(`
    insert into plans (id, name, type, price, billing_period_months, download_kbps, upload_kbps) values (1, 'Home', 'recurring', 100, 1, 1, 1), (2, 'Pro', 'recurring', 100, 1, 1, 1);
    insert into customers (id, name) values (1, 'Mario Rossi'), (2, 'Ana García');
    insert into services (id, customer_id, plan_id, username, password_enc, status, start_date) values
      (1, 1, 1, 'u1', 'x', 'active', '2026-11-03'), (2, 1, 1, 'u2', 'x', 'suspended', '2026-01-01'), (3, 2, 1, 'u3', 'x', 'active', '2026-11-25'), (4, 2, 2, 'u4', 'x', 'ended', '2026-02-01');
    insert into service_billing (service_id, end_date) values (4, '2026-11-10');
    insert into nas (id, name, ip_address, secret_enc) values (1, 'tower-a', '10.0.0.1', 'x'), (2, 'tower-b', '10.0.0.2', 'x');
    insert into radius_sessions (acct_session_id, username, nas_id, started_at, updated_at, stopped_at, input_octets, output_octets) values
      ('a', 'u1', 1, '2026-11-23T01:00:00.000Z', '2026-11-24T12:00:00.000Z', null, 1, 6000000000),
      ('b', 'u2', 2, '2026-11-24T09:10:00.000Z', '2026-11-24T10:00:00.000Z', '2026-11-24T10:20:00.000Z', 5, 5),
      ('c', 'u3', 2, '2026-11-20T09:10:00.000Z', '2026-11-20T10:00:00.000Z', '2026-11-20T10:20:00.000Z', 9, 9);
    insert into payments (customer_id, amount, method, received_at, date, refunded) values
      (1, 5000000000, 'bank', '2026-11-02T10:00:00.000Z', '2026-11-02', 100), (1, 700, 'cash', '2026-10-31T10:00:00.000Z', '2026-10-31', 0),
      (2, 300, 'cash', '2026-11-05T10:00:00.000Z', '2026-11-05', 0), (2, 200, 'cash', '2026-11-06T10:00:00.000Z', '2026-11-06', 50);
    insert into invoices (customer_id, number, series, year, sequence, issue_date, due_date, currency, net, tax, total, credited, open) values
      (1, 'I-1', 'I', 2026, 1, '2026-11-01', '2026-11-15', 'EUR', 1000, 220, 1220, 20, 1200),
      (1, 'I-2', 'I', 2026, 2, '2026-10-01', '2026-10-25', 'EUR', 100, 22, 122, 0, 100),
      (2, 'I-3', 'I', 2026, 3, '2026-09-01', '2026-10-24', 'EUR', 100, 22, 122, 0, 122),
      (2, 'I-4', 'I', 2026, 4, '2026-01-01', '2026-08-25', 'EUR', 100, 22, 122, 0, 1),
      (2, 'I-5', 'I', 2026, 5, '2026-01-01', '2026-08-26', 'EUR', 100, 22, 122, 0, 2),
      (2, 'I-6', 'I', 2026, 6, '2026-11-20', '2026-11-24', 'EUR', 100, 22, 122, 0, 122);
    insert into auth_log (at, username, outcome, reason, nas_id, service_id) values
      ('2026-11-24T12:00:00.000Z', 'u1', 'accept', null, 1, 1), ('2026-11-24T12:01:00.000Z', 'ghost', 'reject', 'unknown user', 1, null),
      ('2026-11-24T12:02:00.000Z', 'u2', 'reject', 'service suspended', 2, 2);`);

  it('is all zeros on an empty database, with the four buckets and 24 hourly points', async () => {
    const { sql } = await database();
    const o = await overviewStore(sql).overview(NOW, TODAY);
    expect(o.money).toEqual({ invoiced: 0, collected: 0, refunded: 0 });
    expect(o.overdue).toEqual([{ bucket: '0-30', count: 0, amount: 0 }, { bucket: '31-60', count: 0, amount: 0 }, { bucket: '61-90', count: 0, amount: 0 }, { bucket: '90+', count: 0, amount: 0 }]);
    expect(o.online).toHaveLength(24);
    expect(o.online[0]).toEqual({ at: '2026-11-23T14:00:00.000Z', sessions: 0 });
    expect(o.online.at(-1)).toEqual({ at: NOW.toISOString(), sessions: 0 });
    expect(o.topNas).toEqual([]);
    expect(o.rejects).toEqual([]);
    expect(await overviewStore(sql).checklistFacts()).toEqual({ nas: 0, plans: 0, customers: 0, services: 0 });
  });

  it('sums money, ages overdue invoices at the bucket edges, counts services and sessions per hour', async () => {
    const { sql } = await database();
    await seed(sql);
    const o = await overviewStore(sql).overview(NOW, TODAY);
    expect(o.month).toEqual({ from: '2026-11-01', to: '2026-11-30' });
    // Invoiced in November: I-1 1220 − 20 credited + I-6 122 = 1322. Collected: 5,000,000,000 + 300 + 200.
    expect(o.money).toEqual({ invoiced: 1322, collected: 5_000_000_500, refunded: 150 });
    // Days past due on 11-24: I-1 9 (0-30), I-2 30 (0-30), I-3 31 (31-60), I-4 91 (90+), I-5 90 (61-90); I-6 is due today (not overdue).
    expect(o.overdue).toEqual([
      { bucket: '0-30', count: 2, amount: 1300 }, { bucket: '31-60', count: 1, amount: 122 }, { bucket: '61-90', count: 1, amount: 2 }, { bucket: '90+', count: 1, amount: 1 },
    ]);
    // Started this month up to today: u1 (11-03); u3 starts tomorrow. Ended: u4 on 11-10.
    expect(o.services).toEqual({ started: 1, ended: 1 });
    const at = (iso: string) => o.online.find((p) => p.at === iso)?.sessions;
    expect(at('2026-11-24T09:00:00.000Z')).toBe(1); // a only (b starts 09:10)
    expect(at('2026-11-24T10:00:00.000Z')).toBe(2); // a and b
    expect(at('2026-11-24T11:00:00.000Z')).toBe(1); // b stopped 10:20
    expect(o.online.at(-1)!.sessions).toBe(1);
    // Session c ended four days ago: outside the 24 h.
    expect(o.topNas).toEqual([{ nasId: 1, name: 'tower-a', sessions: 1, bytes: 6_000_000_001 }, { nasId: 2, name: 'tower-b', sessions: 1, bytes: 10 }]);
    expect(o.rejects.map((r) => [r.username, r.reason])).toEqual([['u2', 'service suspended'], ['ghost', 'unknown user']]);
    expect(await overviewStore(sql).checklistFacts()).toEqual({ nas: 2, plans: 2, customers: 2, services: 4 });
  });

  it('names customers and service owners per page, and counts active subscribers per plan', async () => {
    const { sql } = await database();
    await seed(sql);
    const names = nameLookup(sql);
    expect(await names.customers([1, 2, 2, 99])).toEqual(new Map([[1, 'Mario Rossi'], [2, 'Ana García']]));
    expect(await names.services([4, null, 1, 77])).toEqual(new Map([[4, { customerId: 2, customerName: 'Ana García' }], [1, { customerId: 1, customerName: 'Mario Rossi' }]]));
    expect(await names.customers([])).toEqual(new Map());
    // Plan 1: u1 and u3 active (u2 suspended); plan 2: only u4, ended.
    expect(await names.activeSubscribers([1, 2])).toEqual(new Map([[1, 2]]));
  });

  it('totals payments per method over the filters', async () => {
    const { sql } = await database();
    await seed(sql);
    const store = paymentStore(sql);
    expect(await store.paymentTotals({})).toEqual([
      { method: 'bank', count: 1, amount: 5_000_000_000, refunded: 100 },
      { method: 'cash', count: 3, amount: 1200, refunded: 50 },
    ]);
    expect(await store.paymentTotals({ from: '2026-11-01', to: '2026-11-30', method: 'cash' })).toEqual([{ method: 'cash', count: 2, amount: 500, refunded: 50 }]);
    expect(await store.paymentTotals({ customerId: 1, from: '2026-11-03' })).toEqual([]);
    expect((await store.listPayments({ method: 'cash', customerId: 2 }, 10, null)).map((p) => p.amount)).toEqual([300, 200]);
  });
});
