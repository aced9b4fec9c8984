import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { billingStore, contractStore, invoiceStore, paymentStore, promotionStore } from '../../../src/db/billing.js';
import { openDatabase } from '../../../src/db/client.js';
import { migrate } from '../../../src/db/migrate.js';
import { capStore, prepaidStore, topupStore, voucherStore } from '../../../src/db/prepaid.js';
import { backendNames, openTestBackend } from '../../helpers/backends.js';
import { tempDir } from '../../helpers/daemon.js';

// billingStore and prepaidStore spread their stores into one object: a method name in two stores would
// leave one of them silently unreachable. And services write through several stores in one
// transaction, which only holds while every store opens it on the same connection.

async function database() {
  const db = openDatabase({ path: join(tempDir(), 'composed-stores.db') });
  await migrate(db.$client);
  return db;
}

const SHARED = ['audit', 'customerExists', 'transaction'];

describe('the billing stores', () => {
  it('share no method but the base, and billingStore offers every one of them', async () => {
    const db = await database();
    const parts = [invoiceStore(db), paymentStore(db), contractStore(db), promotionStore(db)];
    const own = parts.map((p) => Object.keys(p).filter((k) => !SHARED.includes(k)));
    const all = own.flat();
    expect(new Set(all).size).toBe(all.length);
    for (const p of parts) expect(Object.keys(p)).toEqual(expect.arrayContaining(SHARED));
    expect(Object.keys(billingStore(db)).sort()).toEqual([...SHARED, ...all].sort());
  });

  it('roll back together: a transaction opened by one store undoes what the others wrote in it', async () => {
    const db = await database();
    const c = db.$client;
    const customerId = Number(c.prepare(`insert into customers (name) values ('A')`).run().lastInsertRowid);
    const invoices = invoiceStore(db);
    const payments = paymentStore(db);
    const contracts = contractStore(db);
    const count = () => c.prepare(`select (select count(*) from invoices) as invoices, (select count(*) from payments) as payments,
      (select count(*) from number_series) as series, (select count(*) from customer_accounts) as accounts`).get();
    const before = count();
    expect(() => contracts.transaction(() => {
      const sequence = invoices.nextSequence('INV', 2026);
      invoices.insertInvoice({ customerId, currency: 'EUR', issueDate: '2026-03-01', dueDate: '2026-03-15', lines: [], net: 0, tax: 0, total: 0, taxes: [] },
        { number: `INV-2026-${sequence}`, series: 'INV', year: 2026, sequence }, '2026-03-01T00:00:00Z');
      payments.insertPayment({ customerId, amount: 100, method: 'cash', reference: null, receivedAt: '2026-03-01T00:00:00Z', date: '2026-03-01' }, '2026-03-01T00:00:00Z');
      payments.setCredit(customerId, 100, '2026-03-01T00:00:00Z');
      throw new Error('abort');
    })).toThrow('abort');
    expect(count()).toEqual(before);
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
