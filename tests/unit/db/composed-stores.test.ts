import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { billingStore, contractStore, invoiceStore, paymentStore, promotionStore } from '../../../src/db/billing.js';
import { capStore, prepaidStore, topupStore, voucherStore } from '../../../src/db/prepaid.js';
import { backendNames, openTestBackend, type TestBackend } from '../../helpers/backends.js';

// billingStore and prepaidStore spread their stores into one object: a method name in two stores would
// leave one of them silently unreachable. And services write through several stores in one
// transaction, which only holds while every store opens it on the same connection.

const SHARED = ['audit', 'customerExists', 'transaction'];

describe.each(backendNames)('the billing stores on %s', (name) => {
  let b: TestBackend;
  beforeEach(async () => {
    b = await openTestBackend(name);
  });
  afterEach(() => b?.close());

  it('share no method but the base, and billingStore offers every one of them', async () => {
    const parts = [invoiceStore(b.sql), paymentStore(b.sql), contractStore(b.sql), promotionStore(b.sql)];
    const own = parts.map((p) => Object.keys(p).filter((k) => !SHARED.includes(k)));
    const all = own.flat();
    expect(new Set(all).size).toBe(all.length);
    for (const p of parts) expect(Object.keys(p)).toEqual(expect.arrayContaining(SHARED));
    expect(Object.keys(billingStore(b.sql)).sort()).toEqual([...SHARED, ...all].sort());
  });

  it('roll back together: a transaction opened by one store undoes what the others wrote in it', async () => {
    const { id: customerId } = (await b.sql.get<{ id: number }>(`insert into customers (name) values ('A') returning id`))!;
    const invoices = invoiceStore(b.sql);
    const payments = paymentStore(b.sql);
    const contracts = contractStore(b.sql);
    const count = () => b.sql.get(`select (select count(*) from invoices) as invoices, (select count(*) from payments) as payments,
      (select count(*) from number_series) as series, (select count(*) from customer_accounts) as accounts, (select count(*) from audit_log) as audit`);
    const before = await count();
    await expect(contracts.transaction(async () => {
      const sequence = await invoices.nextSequence('INV', 2026);
      await invoices.insertInvoice({ customerId, currency: 'EUR', issueDate: '2026-03-01', dueDate: '2026-03-15', lines: [], net: 0, tax: 0, total: 0, taxes: [] },
        { number: `INV-2026-${sequence}`, series: 'INV', year: 2026, sequence }, '2026-03-01T00:00:00Z');
      await payments.insertPayment({ customerId, amount: 100, method: 'cash', reference: null, receivedAt: '2026-03-01T00:00:00Z', date: '2026-03-01' }, '2026-03-01T00:00:00Z');
      await payments.setCredit(customerId, 100, '2026-03-01T00:00:00Z');
      await contracts.audit({ id: 'test' }, '2026-03-01T00:00:00Z', 'create', 'payment', 1, { amount: 100 });
      throw new Error('abort');
    })).rejects.toThrow('abort');
    expect(await count()).toEqual(before);
  });
});

describe.each(backendNames)('the prepaid stores on %s', (name) => {
  it('share no method but the base and the notices, and prepaidStore offers every one of them', async () => {
    const backend = await openTestBackend(name);
    try {
      const { sql } = backend;
      const base = ['audit', 'transaction'];
      const notices = ['markNotice', 'noticeKeys', 'unmarkNotice'];
      const parts = [topupStore(sql), voucherStore(sql), capStore(sql)];
      const all = parts.flatMap((p) => Object.keys(p).filter((k) => !base.includes(k) && !notices.includes(k)));
      expect(new Set(all).size).toBe(all.length);
      for (const p of parts) expect(Object.keys(p)).toEqual(expect.arrayContaining(base));
      expect(Object.keys(prepaidStore(sql)).sort()).toEqual([...base, ...notices, ...all].sort());
    } finally {
      await backend.close();
    }
  });

  it('roll back together: a transaction opened by one store undoes what the others wrote in it', async () => {
    const backend = await openTestBackend(name);
    try {
      const { sql } = backend;
      const topups = topupStore(sql);
      const vouchers = voucherStore(sql);
      const caps = capStore(sql);
      const at = '2026-03-01T00:00:00.000Z';
      const count = () => sql.get(`select (select count(*) from customers) as customers, (select count(*) from service_notices) as notices,
        (select count(*) from audit_log) as audit`);
      const before = await count();
      await expect(caps.transaction(async () => {
        const customerId = await vouchers.insertCustomer('A', '', at);
        const planId = (await sql.get<{ id: number }>(`insert into plans (name, type, price, validity_days, download_kbps, upload_kbps, created_at, updated_at)
          values ('P', 'prepaid', 100, 30, 1000, 1000, ?, ?) returning id`, at, at))!.id;
        const serviceId = await vouchers.insertService(customerId, planId, 'u1', 'x', '2026-03-01', at);
        await topups.markNotice(serviceId, 'k', at);
        await caps.audit({ id: 'test' }, at, 'create', 'service', serviceId, undefined, {});
        throw new Error('abort');
      })).rejects.toThrow('abort');
      expect(await count()).toEqual(before);
    } finally {
      await backend.close();
    }
  });
});
