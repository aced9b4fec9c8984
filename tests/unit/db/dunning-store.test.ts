// The dunning store's statements on both backends: profiles (one default, a unique name), a
// customer's profile and whitelist, overdue invoices, events once per key, late fees as charges and
// the invoice that bills only late fees, and the event log's filters.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dunningStore, type ProfileInput } from '../../../src/db/dunning.js';
import type { SqlClient } from '../../../src/db/sql.js';
import { backendNames, openTestBackend, type TestBackend } from '../../helpers/backends.js';

const AT = '2026-03-01T10:00:00.000Z';

const PROFILE: ProfileInput = {
  name: 'Standard', isDefault: true, daysUntilDue: 14, reminders: [{ afterDays: 3, channels: ['email'], template: 'invoice.reminder' }],
  lateFeeAmount: 500, lateFeeAfterDays: 10, lateFeeTaxRateBp: 2200, graceDays: 20, suspendMode: 'reject', quietWeekdays: [6, 7],
  quietDates: ['2026-12-25'], officeHoursStart: '09:00', officeHoursEnd: '18:00', billSuspended: true, minOverdueAmount: null,
};

describe.each(backendNames)('dunning store on %s', (name) => {
  let backend: TestBackend;
  let sql: SqlClient;
  beforeEach(async () => {
    backend = await openTestBackend(name);
    sql = backend.sql;
  });
  afterEach(async () => backend.close());

  const customer = async (n: string) => (await sql.get<{ id: number }>(`insert into customers (name) values (?) returning id`, n))!.id;
  let seq = 0;
  async function invoice(customerId: number, dueDate: string, open: number, total = open) {
    seq++;
    return (await sql.get<{ id: number }>(`insert into invoices (customer_id, number, series, year, sequence, issue_date, due_date, currency, net, tax, total, paid, credited, open)
      values (?, ?, 'INV', 2026, ?, '2026-01-01', ?, 'EUR', ?, 0, ?, ?, 0, ?) returning id`, customerId, `INV-${seq}`, seq, dueDate, total, total, total - open, open))!.id;
  }
  async function line(invoiceId: number, customerId: number, key: string) {
    await sql.run(`insert into invoice_lines (invoice_id, customer_id, position, key, kind, description, bill_date, amount, tax_rate_bp, tax_inclusive, net, tax, gross)
      values (?, ?, 1, ?, 'one_off', 'x', '2026-01-01', 100, 0, true, 100, 0, 100)`, invoiceId, customerId, key);
  }

  it('profiles: one default, JSON fields and booleans read back, a unique name, deleted when unused', async () => {
    const store = dunningStore(sql);
    expect(await store.defaultProfile()).toBeNull();
    const a = await store.insertProfile(PROFILE, AT);
    expect(await store.profile(a)).toEqual({ ...PROFILE, id: a, createdAt: AT, updatedAt: AT });
    const b = await store.insertProfile({ ...PROFILE, name: 'Lenient', billSuspended: false }, AT);
    expect((await store.profile(a))!.isDefault).toBe(false);
    expect(await store.defaultProfile()).toMatchObject({ id: b, isDefault: true, billSuspended: false });
    await store.updateProfile(a, { ...PROFILE, name: 'Strict', reminders: [] }, '2026-03-02T00:00:00.000Z');
    expect(await store.profile(a)).toMatchObject({ name: 'Strict', isDefault: true, reminders: [], updatedAt: '2026-03-02T00:00:00.000Z' });
    expect((await store.profile(b))!.isDefault).toBe(false);
    expect((await store.profiles(0, 10)).map((p) => p.id)).toEqual([a, b]);
    expect((await store.profiles(a, 10)).map((p) => p.id)).toEqual([b]);
    await expect(store.insertProfile({ ...PROFILE, name: 'Strict' }, AT)).rejects.toMatchObject({ kind: 'unique', column: 'name' });
    await expect(store.updateProfile(b, { ...PROFILE, name: 'Strict' }, AT)).rejects.toMatchObject({ kind: 'unique', column: 'name' });
    await expect(store.insertProfile({ ...PROFILE, name: 'Bad', daysUntilDue: -1 }, AT)).rejects.toMatchObject({ kind: 'check' });
    const c = await customer('C');
    await store.setCustomer(c, b, true, AT);
    expect(await store.customer(c)).toEqual({ id: c, name: 'C', billingProfileId: b, dunningExempt: true });
    expect(await store.profileUsers(b)).toBe(1);
    expect((await store.profileOf({ billingProfileId: b }))!.id).toBe(b);
    expect((await store.profileOf({ billingProfileId: null }))!.id).toBe(a);
    await store.setCustomer(c, null, false, AT);
    expect(await store.customer(c)).toEqual({ id: c, name: 'C', billingProfileId: null, dunningExempt: false });
    expect(await store.customer(c + 1000)).toBeNull();
    expect(await store.deleteProfile(b)).toBe(true);
    expect(await store.deleteProfile(b)).toBe(false);
  });

  it('overdue invoices, events once per key, suspensions resolved, late fees and the event log', async () => {
    const store = dunningStore(sql);
    const c = await customer('D');
    const other = await customer('E');
    const i1 = await invoice(c, '2026-02-01', 1000);
    const i2 = await invoice(c, '2026-02-10', 250, 400);
    await invoice(c, '2026-03-10', 999);
    await invoice(c, '2026-01-10', 0, 300);
    const i5 = await invoice(other, '2026-01-15', 50);
    expect((await store.overdue('2026-03-01')).map((r) => r.id)).toEqual([i1, i2, i5]);
    expect(await store.overdueOf(c, '2026-03-01')).toEqual([
      { id: i1, customerId: c, number: 'INV-1', dueDate: '2026-02-01', open: 1000, total: 1000 },
      { id: i2, customerId: c, number: 'INV-2', dueDate: '2026-02-10', open: 250, total: 400 },
    ]);
    expect(await store.overdueBalance(c, '2026-03-01')).toBe(1250);
    expect(await store.overdueBalance(c, '2026-01-01')).toBe(0);

    const s1 = (await sql.get<{ id: number }>(`insert into plans (name, type, price, billing_period_months, download_kbps, upload_kbps) values ('M', 'recurring', 1000, 1, 1000, 1000) returning id`))!.id;
    const svc = (await sql.get<{ id: number }>(`insert into services (customer_id, plan_id, username, password_enc, status, start_date) values (?, ?, 'd1', 'x', 'active', '2026-01-01') returning id`, c, s1))!.id;
    expect(await store.activeServices(c)).toEqual([{ id: svc, username: 'd1', status: 'active' }]);
    expect(await store.service(svc)).toEqual({ id: svc, username: 'd1', status: 'active' });
    expect(await store.service(svc + 1000)).toBeNull();

    const event = { customerId: c, invoiceId: i1, serviceId: null, kind: 'reminder' as const, step: 1, date: '2026-02-04', at: AT, detail: { channels: ['email'] } };
    const r1 = await store.insertEvent({ ...event, key: `invoice:${i1}:reminder:1` });
    expect(r1).toEqual(expect.any(Number));
    expect(await store.insertEvent({ ...event, key: `invoice:${i1}:reminder:1` })).toBeNull();
    expect(await store.hasKey(`invoice:${i1}:reminder:1`)).toBe(true);
    expect(await store.hasKey('nope')).toBe(false);
    expect(await store.keysOf([i1, i2])).toEqual(new Set([`invoice:${i1}:reminder:1`]));
    expect(await store.keysOf([])).toEqual(new Set());

    const susp = (await store.insertEvent({ key: `invoice:${i1}:suspend:service:${svc}`, customerId: c, invoiceId: i1, serviceId: svc, kind: 'suspend', step: null, date: '2026-02-21', at: AT, detail: { state: 'in_progress' } }))!;
    await store.setDetail(susp, { state: 'done' });
    expect(await store.hasOpenSuspension(svc)).toBe(true);
    expect(await store.openSuspensions(c)).toMatchObject([{ id: susp, kind: 'suspend', serviceId: svc, detail: { state: 'done' }, resolvedAt: null }]);
    await store.resolve(susp, AT);
    expect(await store.hasOpenSuspension(svc)).toBe(false);
    expect(await store.openSuspensions(c)).toEqual([]);
    const gone = (await store.insertEvent({ ...event, key: 'temporary' }))!;
    await store.deleteEvent(gone);
    expect(await store.hasKey('temporary')).toBe(false);

    // An invoice of late fees only gets none of its own; one with any other line does.
    const chargeId = await store.insertLateFee(c, 'Late fee, invoice INV-1', 500, 2200, '2026-02-11', AT);
    expect(await sql.get(`select customer_id as "customerId", amount, tax_rate_bp as "taxRateBp", date from one_off_charges where id = ?`, chargeId))
      .toEqual({ customerId: c, amount: 500, taxRateBp: 2200, date: '2026-02-11' });
    await store.insertEvent({ key: `invoice:${i1}:late_fee`, customerId: c, invoiceId: i1, serviceId: null, kind: 'late_fee', step: null, date: '2026-02-11', at: AT, detail: { chargeId, amount: 500 } });
    const fees = await invoice(c, '2026-03-20', 500);
    await line(fees, c, `charge:${chargeId}`);
    expect(await store.billsOnlyLateFees(fees)).toBe(true);
    await line(i2, c, 'service:1:2026-02');
    expect(await store.billsOnlyLateFees(i2)).toBe(false);

    const log = await store.events({}, 10, null);
    expect(log.map((e) => e.kind)).toEqual(['late_fee', 'suspend', 'reminder']);
    expect(log[1]!.resolvedAt).toBe(AT);
    expect((await store.events({ customerId: c, kind: 'reminder' }, 10, null)).map((e) => e.id)).toEqual([r1]);
    expect((await store.events({ invoiceId: i1 }, 1, null)).map((e) => e.kind)).toEqual(['late_fee']);
    expect((await store.events({}, 10, susp)).map((e) => e.id)).toEqual([r1]);
    expect(await store.events({ customerId: other }, 10, null)).toEqual([]);

    await store.transaction(() => store.audit({ id: 'test', ip: '127.0.0.1' }, AT, 'update', 'billing_profile', 7, { a: 1 }, undefined));
    expect(await sql.get(`select actor, actor_ip as "actorIp", entity_id as "entityId", before, after from audit_log where entity = 'billing_profile'`))
      .toEqual({ actor: 'test', actorIp: '127.0.0.1', entityId: '7', before: '{"a":1}', after: null });
  });
});
