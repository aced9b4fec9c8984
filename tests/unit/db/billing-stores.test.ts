/**
 * The billing stores' statements on both backends: what each reads back after a write, booleans as
 * booleans, sums as numbers, the filters of the lists and exports, and the conflicts the schema
 * refuses (a line key or a number issued twice) or absorbs (a run, an account, a promotion's
 * discount written again).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { billingStore, type BillingStore } from '../../../src/db/billing.js';
import { ConstraintViolation, type SqlClient } from '../../../src/db/sql.js';
import type { DraftInvoice } from '../../../src/domain/billing/invoicing.js';
import { backendNames, openTestBackend, type TestBackend } from '../../helpers/backends.js';
import { rejection } from '../../helpers/rejection.js';

const AT = '2026-03-01T00:00:00Z';

async function seed(sql: SqlClient) {
  const { id: planId } = (await sql.get<{ id: number }>(`insert into plans (name, type, price, billing_period_months, setup_fee, tax_rate_bp, tax_inclusive, download_kbps, upload_kbps)
    values ('Basic', 'recurring', 3000, 1, 0, 2200, ?, 10000, 2000) returning id`, true))!;
  const { id: otherPlan } = (await sql.get<{ id: number }>(`insert into plans (name, type, price, billing_period_months, setup_fee, tax_rate_bp, tax_inclusive, download_kbps, upload_kbps)
    values ('Pro', 'recurring', 6000, 3, 1000, 2200, ?, 50000, 10000) returning id`, false))!;
  const { id: customerId } = (await sql.get<{ id: number }>(`insert into customers (name, tax_id) values ('Ada', 'IT123') returning id`))!;
  const { id: serviceId } = (await sql.get<{ id: number }>(`insert into services (customer_id, plan_id, username, password_enc, status, start_date)
    values (?, ?, 'ada', 'v1:x', 'active', '2026-03-01') returning id`, customerId, planId))!;
  return { planId, otherPlan, customerId, serviceId };
}

function draft(customerId: number, key: string, amount = 1220): DraftInvoice {
  const line = {
    key, kind: 'one_off' as const, customerId, serviceId: null, description: 'Thing', periodStart: null, periodEnd: null, billDate: '2026-03-01',
    amount, taxRateBp: 2200, taxInclusive: true, net: 1000, tax: 220, gross: amount,
  };
  return { customerId, currency: 'EUR', issueDate: '2026-03-01', dueDate: '2026-03-15', lines: [line], net: 1000, tax: 220, total: amount, taxes: [] };
}

describe.each(backendNames)('the billing stores on %s', (name) => {
  let b: TestBackend;
  let store: BillingStore;
  let ids: Awaited<ReturnType<typeof seed>>;
  beforeEach(async () => {
    b = await openTestBackend(name);
    store = billingStore(b.sql);
    ids = await seed(b.sql);
  });
  afterEach(() => b?.close());

  it('keeps a billing run per date: started once, counted, finished', async () => {
    expect(await store.lastFinishedRun()).toBeNull();
    await store.startRun('2026-03-01', AT);
    await store.startRun('2026-03-01', '2026-03-01T05:00:00Z');
    await store.addToRun('2026-03-01', 2, 3, 5000);
    await store.addToRun('2026-03-01', 1, 1, 1000);
    expect(await store.lastFinishedRun()).toBeNull();
    await store.finishRun('2026-03-01', '2026-03-01T00:01:00Z', [{ code: 'x' }]);
    expect(await store.getRun('2026-03-01')).toEqual({ runDate: '2026-03-01', startedAt: AT, finishedAt: '2026-03-01T00:01:00Z', invoices: 3, lines: 4, total: 6000, problems: [{ code: 'x' }] });
    expect(await store.lastFinishedRun()).toBe('2026-03-01');
    expect(await store.getRun('2026-03-02')).toBeNull();
  });

  it('numbers gaplessly per series and year, and reserves runs of numbers', async () => {
    expect(await store.nextSequence('INV', 2026)).toBe(1);
    expect(await store.reserveSequences('INV', 2026, 5)).toBe(2);
    expect(await store.nextSequence('INV', 2026)).toBe(7);
    expect(await store.nextSequence('INV', 2027)).toBe(1);
    expect(await store.nextSequence('CN', 2026)).toBe(1);
  });

  it('stores invoices with their lines, and refuses a line key or a number issued twice', async () => {
    const { customerId } = ids;
    const id = await store.insertInvoice(draft(customerId, 'charge:1'), { number: 'INV-2026-000001', series: 'INV', year: 2026, sequence: 1 }, AT);
    expect(await store.invoice(id)).toEqual({
      id, customerId, number: 'INV-2026-000001', issueDate: '2026-03-01', dueDate: '2026-03-15', currency: 'EUR', net: 1000, tax: 220, total: 1220,
      paid: 0, credited: 0, open: 1220, createdAt: AT,
    });
    expect(await store.invoiceLines(id)).toEqual([expect.objectContaining({ invoiceId: id, position: 0, key: 'charge:1', taxInclusive: true, gross: 1220, appliesTo: null })]);
    expect(await store.invoiceOfLine('charge:1')).toBe(id);
    expect(await store.invoiceOfLine('charge:2')).toBeNull();
    expect([...(await store.billedKeys([customerId]))]).toEqual(['charge:1']);
    expect([...(await store.billedKeys([customerId + 1]))]).toEqual([]);
    const again = await rejection(store.transaction(() => store.insertInvoice(draft(customerId, 'charge:1'), { number: 'INV-2026-000002', series: 'INV', year: 2026, sequence: 2 }, AT)));
    expect(again).toBeInstanceOf(ConstraintViolation);
    expect(again).toMatchObject({ kind: 'unique', column: 'key' });
    const number = await rejection(store.insertInvoice(draft(customerId, 'charge:3'), { number: 'INV-2026-000001', series: 'INV', year: 2026, sequence: 9 }, AT));
    expect(number).toMatchObject({ kind: 'unique', column: 'number' });
    // The refused invoices left nothing behind.
    expect(await b.sql.get(`select count(*) as "n" from invoices`)).toEqual({ n: 1 });
    expect(await store.customerForDocument(customerId)).toEqual({ name: 'Ada', address: null, taxId: 'IT123', email: null, language: null });
    expect(await store.customerForDocument(999)).toBeNull();
    expect(await store.customerExists(customerId)).toBe(true);
    expect(await store.customerExists(999)).toBe(false);
  });

  it('reads what a service was billed after a date, with the reversals on credit notes, and whether its end was billed', async () => {
    const { customerId, serviceId } = ids;
    const line = (key: string, kind: 'recurring' | 'setup' | 'end_credit', periodStart: string | null, amount: number) => ({
      key, kind, customerId, serviceId, description: key, periodStart, periodEnd: periodStart, billDate: '2026-03-01',
      amount, taxRateBp: 2200, taxInclusive: false, net: amount, tax: 0, gross: amount,
    });
    const inv = await store.insertInvoice({ ...draft(customerId, 'x'), lines: [
      line('setup', 'setup', null, 1000), line('march', 'recurring', '2026-03-01', 3000), line('april', 'recurring', '2026-04-01', 3000),
    ] }, { number: 'INV-2026-000001', series: 'INV', year: 2026, sequence: 1 }, AT);
    await store.insertCreditNote({ customerId, invoiceId: inv, issueDate: '2026-04-05', currency: 'EUR', reason: null },
      { number: 'CN-2026-000001', series: 'CN', year: 2026, sequence: 1 },
      { lines: [{ creditsKey: 'april', description: 'april back', amount: 500, taxRateBp: 2200, taxInclusive: false, net: 500, tax: 0, gross: 500 }], net: 500, tax: 0, total: 500, taxes: [] },
      AT, [{ key: 'april:change:credit', serviceId, periodStart: '2026-04-10', periodEnd: '2026-04-30' }]);
    expect(await store.endCredited(serviceId)).toBe(false);
    expect(await store.billedLinesAfter(serviceId, '2026-03-15')).toEqual([
      { key: 'setup', description: 'setup', periodStart: null, periodEnd: null, amount: 1000, taxRateBp: 2200, taxInclusive: false, vatNature: null, vatLegalRef: null, net: 1000, tax: 0, gross: 1000 },
      { key: 'april', description: 'april', periodStart: '2026-04-01', periodEnd: '2026-04-01', amount: 3000, taxRateBp: 2200, taxInclusive: false, vatNature: null, vatLegalRef: null, net: 3000, tax: 0, gross: 3000 },
      // The credit note's line with the sign of an invoice line, and the invoice line it credited.
      { key: 'april:change:credit', description: 'april back', periodStart: '2026-04-10', periodEnd: '2026-04-30', amount: -500, taxRateBp: 2200, taxInclusive: false, vatNature: null, vatLegalRef: null, net: -500, tax: 0, gross: -500, credits: 'april' },
    ]);
    // The end's own credits and reversals, on credit notes too, are not billed "after the end".
    await store.insertCreditNote({ customerId, invoiceId: inv, issueDate: '2026-04-06', currency: 'EUR', reason: null },
      { number: 'CN-2026-000002', series: 'CN', year: 2026, sequence: 2 },
      { lines: [
        { creditsKey: 'april', description: 'end', amount: 100, taxRateBp: 2200, taxInclusive: false, net: 100, tax: 0, gross: 100 },
        { creditsKey: 'april', description: 'void', amount: 100, taxRateBp: 2200, taxInclusive: false, net: 100, tax: 0, gross: 100 },
      ], net: 200, tax: 0, total: 200, taxes: [] },
      AT, [
        { key: `service:${serviceId}:end:credit`, serviceId, periodStart: '2026-04-20', periodEnd: '2026-04-30' },
        { key: 'void:april', serviceId, periodStart: '2026-04-01', periodEnd: '2026-04-30' },
      ]);
    expect((await store.billedLinesAfter(serviceId, '2026-03-15')).map((l) => l.key)).toEqual(['setup', 'april', 'april:change:credit']);
    await store.insertInvoice({ ...draft(customerId, 'x'), lines: [line('end', 'end_credit', '2026-04-16', -1500)] }, { number: 'INV-2026-000002', series: 'INV', year: 2026, sequence: 2 }, AT);
    expect(await store.endCredited(serviceId)).toBe(true);
    expect((await store.billedLinesAfter(serviceId, '2026-03-15')).map((l) => l.key)).toEqual(['setup', 'april', 'april:change:credit']);
  });

  it('lists invoices by customer, period and status, and exports them per tax rate', async () => {
    const { customerId } = ids;
    const a = await store.insertInvoice(draft(customerId, 'k:1'), { number: 'INV-2026-000001', series: 'INV', year: 2026, sequence: 1 }, AT);
    const c = await store.insertInvoice({ ...draft(customerId, 'k:2'), issueDate: '2026-04-01' }, { number: 'INV-2026-000002', series: 'INV', year: 2026, sequence: 2 }, AT);
    await store.settleInvoice({ invoiceId: a, number: 'INV-2026-000001', issueDate: '2026-03-01', dueDate: '2026-03-15', total: 1220, paid: 1220, credited: 0, open: 0 });
    const list = async (f: Parameters<BillingStore['listInvoices']>[0], after: number | null = null) => (await store.listInvoices(f, 10, after)).map((i) => i.id);
    expect(await list({})).toEqual([a, c]);
    expect(await list({ status: 'paid' })).toEqual([a]);
    expect(await list({ status: 'open', customerId })).toEqual([c]);
    expect(await list({ from: '2026-03-15', to: '2026-04-30' })).toEqual([c]);
    expect(await list({}, a)).toEqual([c]);
    expect(await list({ customerId: 999 })).toEqual([]);
    expect(await store.invoiceTaxRows({ from: '2026-04-01' })).toEqual([{
      number: 'INV-2026-000002', issueDate: '2026-04-01', dueDate: '2026-03-15', customerId, customerName: 'Ada', taxId: 'IT123', currency: 'EUR',
      taxRateBp: 2200, net: 1000, tax: 220, gross: 1220, total: 1220, open: 1220,
    }]);
  });

  it('keeps the account: credit, payments, allocations, refunds, credit notes, statement and totals', async () => {
    const { customerId } = ids;
    expect(await store.credit(customerId)).toBe(0);
    await store.setCredit(customerId, 500, AT);
    await store.setCredit(customerId, 700, AT);
    expect(await store.credit(customerId)).toBe(700);
    expect(await store.credits([customerId, 999])).toEqual(new Map([[customerId, 700]]));
    const inv = await store.insertInvoice(draft(customerId, 'k:1'), { number: 'INV-2026-000001', series: 'INV', year: 2026, sequence: 1 }, AT);
    expect((await store.openInvoices(customerId)).map((i) => i.invoiceId)).toEqual([inv]);
    const pay = await store.insertPayment({ customerId, amount: 2000, method: 'bank', reference: 'r1', receivedAt: AT, date: '2026-03-02' }, AT);
    expect(await store.payment(pay)).toEqual({ id: pay, customerId, amount: 2000, method: 'bank', reference: 'r1', receivedAt: AT, date: '2026-03-02', refunded: 0, createdAt: AT });
    await store.insertAllocation(inv, pay, 1220, '2026-03-02');
    await store.insertAllocation(inv, pay, -220, '2026-03-03');
    await store.insertAllocation(inv, null, 220, '2026-03-03');
    await store.settleInvoice({ invoiceId: inv, number: 'INV-2026-000001', issueDate: '2026-03-01', dueDate: '2026-03-15', total: 1220, paid: 1220, credited: 0, open: 0 });
    expect(await store.paymentAllocationNet(pay)).toEqual(new Map([[inv, 1000]]));
    expect((await store.allocationsOf(inv)).map((a) => [a.paymentId, a.amount])).toEqual([[pay, 1220], [pay, -220], [null, 220]]);
    expect((await store.settledInvoices(customerId)).map((i) => i.invoiceId)).toEqual([inv]);
    expect(await store.openInvoices(customerId)).toEqual([]);
    const refund = await store.insertRefund({ customerId, paymentId: pay, amount: 300, date: '2026-03-04', reason: null }, AT);
    expect(await store.refund(refund)).toEqual({ id: refund, customerId, paymentId: pay, amount: 300, date: '2026-03-04', reason: null, createdAt: AT });
    expect((await store.refundsOfPayment(pay)).map((r) => r.id)).toEqual([refund]);
    expect((await store.payment(pay))!.refunded).toBe(300);
    const line = { creditsKey: 'k:1', description: 'Thing', amount: 610, taxRateBp: 2200, taxInclusive: true, vatNature: null, vatLegalRef: null, net: 500, tax: 110, gross: 610 };
    const note = await store.insertCreditNote({ customerId, invoiceId: inv, issueDate: '2026-03-05', currency: 'EUR', reason: 'half' },
      { number: 'CN-2026-000001', series: 'CN', year: 2026, sequence: 1 }, { lines: [line], net: 500, tax: 110, total: 610, taxes: [] }, AT,
      [{ key: 'k:1:credit', serviceId: null, periodStart: null, periodEnd: null }]);
    expect(await store.creditNote(note)).toMatchObject({ id: note, invoiceId: inv, number: 'CN-2026-000001', total: 610, reason: 'half' });
    expect(await store.creditNoteLines(note)).toEqual([line]);
    expect(await store.creditNoteLinesOfInvoice(inv)).toEqual([line]);
    // The fact a credit note line credits counts as billed.
    expect([...(await store.billedKeys([customerId]))].sort()).toEqual(['k:1', 'k:1:credit']);
    const dup = await rejection(store.insertCreditNote({ customerId, invoiceId: inv, issueDate: '2026-03-05', currency: 'EUR', reason: null },
      { number: 'CN-2026-000001', series: 'CN', year: 2026, sequence: 2 }, { lines: [], net: 500, tax: 110, total: 610, taxes: [] }, AT));
    expect(dup).toMatchObject({ kind: 'unique', column: 'number' });
    expect((await store.listCreditNotes({ invoiceId: inv }, 10, null)).map((n) => n.id)).toEqual([note]);
    expect(await store.listCreditNotes({ from: '2026-04-01' }, 10, null)).toEqual([]);
    expect(await store.creditNoteTaxRows({ customerId })).toEqual([{
      number: 'CN-2026-000001', issueDate: '2026-03-05', invoiceNumber: 'INV-2026-000001', customerId, customerName: 'Ada', taxId: 'IT123', currency: 'EUR',
      taxRateBp: 2200, net: 500, tax: 110, gross: 610, total: 610, reason: 'half',
    }]);
    expect((await store.listPayments({ customerId, from: '2026-03-02', to: '2026-03-02' }, 10, null)).map((p) => p.id)).toEqual([pay]);
    expect(await store.listPayments({}, 10, pay)).toEqual([]);
    expect(await store.paymentRows({})).toEqual([{ id: pay, date: '2026-03-02', receivedAt: AT, customerId, customerName: 'Ada', method: 'bank', reference: 'r1', amount: 2000, refunded: 300 }]);
    expect(await store.statementEvents(customerId)).toEqual([
      { type: 'invoice', id: inv, number: 'INV-2026-000001', date: '2026-03-01', dueDate: '2026-03-15', amount: 1220, invoiceId: null, at: AT },
      { type: 'payment', id: pay, number: null, date: '2026-03-02', dueDate: null, amount: 2000, invoiceId: null, at: AT },
      { type: 'refund', id: refund, number: null, date: '2026-03-04', dueDate: null, amount: 300, invoiceId: null, at: AT },
      { type: 'credit_note', id: note, number: 'CN-2026-000001', date: '2026-03-05', dueDate: null, amount: 610, invoiceId: inv, at: AT },
    ]);
    expect(await store.ledgerTotals(customerId)).toEqual({ invoiced: 1220, paid: 2000, creditNoted: 610, refunded: 300, open: 0, credit: 700 });
    // A payment of no customer is refused by the foreign key.
    expect(await rejection(store.insertPayment({ customerId: 999, amount: 1, method: 'cash', reference: null, receivedAt: AT, date: '2026-03-02' }, AT)))
      .toMatchObject({ kind: 'foreign_key' });
  });

  it('reads and writes contract facts: terms, plan changes, items, charges, discounts, status and suspensions', async () => {
    const { customerId, serviceId, planId, otherPlan } = ids;
    expect(await store.serviceRow(serviceId)).toEqual({ id: serviceId, customerId, planId, status: 'active' });
    expect(await store.serviceRow(999)).toBeNull();
    expect([await store.planType(planId), await store.planType(999), await store.planMonths(otherPlan), await store.planMonths(999)]).toEqual(['recurring', null, 3, null]);
    expect(await store.terms(serviceId)).toBeNull();
    await store.upsertTerms(serviceId, { startPlanId: planId, billingMode: 'advance', billingDay: 1, termMonths: 12, autoRenew: false }, AT);
    await store.upsertTerms(serviceId, { startPlanId: planId, billingMode: 'arrears', billingDay: 'last', termMonths: 12, autoRenew: false, noticeDays: 10 }, AT);
    expect(await store.terms(serviceId)).toEqual({
      serviceId, startPlanId: planId, billingPeriodMonths: null, billingMode: 'arrears', billingDay: 'last', trialEndDate: null, endDate: null, setupFee: null,
      termMonths: 12, autoRenew: false, noticeDays: 10, noticeDate: null,
    });
    expect(await store.closeCandidates()).toEqual([{ serviceId, status: 'active', startDate: '2026-03-01', trialEndDate: null, endDate: null, termMonths: 12, autoRenew: false }]);
    expect(await store.serviceStartDate(serviceId)).toBe('2026-03-01');
    expect(await store.latestChangeDate(serviceId)).toBeNull();
    const later = await store.insertPlanChange(serviceId, otherPlan, '2026-04-01', AT);
    expect(await store.latestChangeDate(serviceId)).toBe('2026-04-01');
    expect(await store.duePlanSwitches('2026-03-31')).toEqual([]);
    expect(await store.duePlanSwitches('2026-04-01')).toEqual([{ serviceId, fromPlanId: planId, status: 'active', changeId: later, toPlanId: otherPlan, effectiveDate: '2026-04-01', superseded: false }]);
    await store.setServicePlan(serviceId, otherPlan, AT);
    expect(await store.markPlanChangesApplied('2026-04-01', AT)).toBe(1);
    expect(await store.markPlanChangesApplied('2026-04-01', AT)).toBe(0);
    expect(await store.planChanges(serviceId)).toEqual([{ id: later, planId: otherPlan, effectiveDate: '2026-04-01', createdAt: AT, appliedAt: AT }]);
    const item = await store.insertItem({ serviceId, description: 'Router', amount: 300, taxRateBp: 2200, taxInclusive: true, startDate: null, endDate: null }, AT);
    expect(item).toEqual({ id: item.id, serviceId, description: 'Router', amount: 300, taxRateBp: 2200, taxInclusive: true, vatNature: null, vatLegalRef: null, startDate: null, endDate: null, createdAt: AT });
    expect(await store.listItems(serviceId)).toEqual([item]);
    expect(await store.listItems(undefined)).toEqual([item]);
    expect(await store.itemRow(item.id)).toEqual({ id: item.id, serviceId });
    const charge = await store.insertCharge({ customerId, serviceId: null, description: 'Antenna', amount: 4900, taxRateBp: 0, taxInclusive: false, date: '2026-03-02' }, AT);
    expect(charge).toMatchObject({ customerId, serviceId: null, taxInclusive: false, date: '2026-03-02' });
    expect(await store.listCharges(customerId)).toEqual([charge]);
    expect(await store.listCharges(undefined)).toEqual([charge]);
    const discount = await store.insertDiscount({ customerId, description: 'Off', target: { kind: 'item', serviceId, itemId: item.id }, value: { type: 'percent', bp: 1000 }, startDate: '2026-03-01', periods: 2 }, AT);
    expect(await store.listDiscounts(customerId)).toEqual([expect.objectContaining({ id: discount, targetKind: 'item', itemId: item.id, percentBp: 1000, amount: null, promotionId: null })]);
    expect((await store.listDiscounts(undefined)).length).toBe(1);
    expect(await store.billableCustomers()).toEqual([customerId]);
    // Suspended since 10 March: resuming on a day before that ends it on its first day.
    await b.sql.run(`insert into service_suspensions (service_id, from_date) values (?, '2026-03-10')`, serviceId);
    expect(await store.setServiceStatus(serviceId, 'active', 'suspended', AT)).toBe(true);
    expect(await store.setServiceStatus(serviceId, 'active', 'suspended', AT)).toBe(false);
    expect(await store.endOpenSuspension(serviceId, '2026-03-05')).toBe(true);
    expect(await store.endOpenSuspension(serviceId, '2026-03-20')).toBe(false);
    expect(await b.sql.all(`select from_date as "from", to_date as "to" from service_suspensions`)).toEqual([{ from: '2026-03-10', to: '2026-03-10' }]);
  });

  it('loads a chunk of customers as the generator sees them', async () => {
    const { customerId, serviceId, planId } = ids;
    await b.sql.run(`insert into billing_profiles (name, is_default, days_until_due, bill_suspended) values ('Default', ?, 7, ?)`, true, true);
    await store.upsertTerms(serviceId, { startPlanId: planId, billingMode: 'advance', billingDay: 1, termMonths: 12, autoRenew: true }, AT);
    await store.insertItem({ serviceId, description: 'Router', amount: 300, taxRateBp: 2200, taxInclusive: false, startDate: null, endDate: null }, AT);
    await store.insertCharge({ customerId, serviceId, description: 'Antenna', amount: 4900, taxRateBp: 2200, taxInclusive: true, date: '2026-03-02' }, AT);
    await store.insertDiscount({ customerId, description: 'Off', target: { kind: 'invoice' }, value: { type: 'fixed', amount: 100 }, startDate: '2026-03-01', periods: null }, AT);
    await b.sql.run(`update services set status = 'suspended' where id = ?`, serviceId);
    const { customers, skipped } = await store.loadCustomers([customerId], '2026-03-15');
    expect(skipped).toEqual([]);
    expect(customers).toEqual([{
      customerId, daysUntilDue: 7, billSuspended: true,
      services: [expect.objectContaining({
        serviceId, status: 'suspended', billingMode: 'advance', billingDay: 1, billingPeriodMonths: 1, setupFee: 0, termMonths: 12, autoRenew: true,
        plan: { planId, name: 'Basic', price: 3000, taxRateBp: 2200, taxInclusive: true },
        recurringItems: [expect.objectContaining({ amount: 300, taxInclusive: false })],
        // Suspended without a recorded suspension: from the run date.
        suspensions: [{ from: '2026-03-15', to: null }],
      })],
      oneOffCharges: [expect.objectContaining({ serviceId, amount: 4900, taxInclusive: true })],
      discounts: [expect.objectContaining({ target: { kind: 'invoice' }, value: { type: 'fixed', amount: 100 }, periods: null })],
    }]);
    expect((await store.loadCustomers([], '2026-03-15')).customers).toEqual([]);
  });

  it('writes a promotion once per key and its discount once per service', async () => {
    const { customerId, serviceId, planId } = ids;
    const fields = {
      key: 'spring', description: 'Spring', valueType: 'percent' as const, percentBp: 2000, amount: null, startDate: '2026-03-01', periods: 3,
      planId, serviceIds: null, appliesToNew: true, newUntil: null,
    };
    const id = await store.insertPromotion(fields, AT);
    expect(await store.promotion(id)).toEqual({ id, ...fields, createdAt: AT });
    expect(await store.promotionByKey('spring')).toEqual({ id, ...fields, createdAt: AT });
    expect(await store.promotionByKey('autumn')).toBeNull();
    expect(await rejection(store.insertPromotion(fields, AT))).toMatchObject({ kind: 'unique', column: 'key' });
    const listed = await store.insertPromotion({ ...fields, key: 'list', planId: null, serviceIds: [serviceId], appliesToNew: false }, AT);
    expect((await store.listPromotions(10, null)).map((p) => [p.id, p.serviceIds, p.appliesToNew])).toEqual([[id, null, true], [listed, [serviceId], false]]);
    expect((await store.listPromotions(10, id)).map((p) => p.id)).toEqual([listed]);
    expect(await store.servicesOfPlan(planId)).toEqual([{ serviceId, customerId, startDate: '2026-03-01' }]);
    expect(await store.serviceForPromotion(serviceId)).toEqual({ serviceId, customerId, startDate: '2026-03-01', status: 'active' });
    expect(await store.serviceForPromotion(999)).toBeNull();
    expect(await store.newForPromotions()).toEqual([{ promotionId: id, serviceId, customerId, startDate: '2026-03-01' }]);
    const promo = (await store.promotion(id))!;
    const discount = await store.insertPromotionDiscount(promo, { serviceId, customerId, startDate: '2026-03-01' }, AT);
    expect(discount).toEqual(expect.any(Number));
    expect(await store.insertPromotionDiscount(promo, { serviceId, customerId, startDate: '2026-03-01' }, AT)).toBeNull();
    expect(await store.promotionServices(id)).toEqual([serviceId]);
    expect(await store.newForPromotions()).toEqual([]);
  });

  it('ends a promotion for new contracts: a contract starting after the date is no longer offered it', async () => {
    const { customerId, planId } = ids;
    const id = await store.insertPromotion({
      key: 'welcome', description: 'Welcome', valueType: 'fixed', percentBp: null, amount: 500, startDate: '2026-03-01', periods: 1,
      planId, serviceIds: null, appliesToNew: true, newUntil: null,
    }, AT);
    const offered = async () => (await store.newForPromotions()).filter((r) => r.promotionId === id).map((r) => r.startDate);
    await b.sql.run(`insert into services (customer_id, plan_id, username, password_enc, status, start_date)
      values (?, ?, 'late', 'v1:x', 'active', '2026-04-10')`, customerId, planId);
    expect(await offered()).toContain('2026-04-10');
    await store.endPromotionForNew(id, '2026-03-31');
    expect((await store.promotion(id))!.newUntil).toBe('2026-03-31');
    expect(await offered()).not.toContain('2026-04-10');
  });
});
