/**
 * The dunning repository: billing profiles, the customers' profile and whitelist, overdue invoices,
 * the dunning events (one row per key: a reminder, a fee, a suspension happens once) and late fees
 * as one-off charges (billed by the next billing run).
 */
import type Database from 'better-sqlite3';
import type { Db } from './client.js';
import { Conditions } from './conditions.js';
import type { Actor } from './crud.js';

export interface ProfileRow {
  id: number;
  name: string;
  isDefault: boolean;
  daysUntilDue: number;
  reminders: { afterDays: number; channels: ('email' | 'sms')[]; template: string }[];
  lateFeeAmount: number | null;
  lateFeeAfterDays: number | null;
  lateFeeTaxRateBp: number;
  graceDays: number | null;
  suspendMode: 'reject' | 'walled-garden' | null;
  quietWeekdays: number[];
  quietDates: string[];
  officeHoursStart: string | null;
  officeHoursEnd: string | null;
  billSuspended: boolean;
  /** Minor units: no dunning while the customer's overdue amount is below it; null: one unit of the currency. */
  minOverdueAmount: number | null;
  createdAt: string;
  updatedAt: string;
}

export type ProfileInput = Omit<ProfileRow, 'id' | 'createdAt' | 'updatedAt'>;

export interface OverdueRow {
  id: number;
  customerId: number;
  number: string;
  dueDate: string;
  open: number;
  total: number;
}

export interface DunningEventRow {
  id: number;
  key: string;
  customerId: number;
  invoiceId: number | null;
  serviceId: number | null;
  kind: 'reminder' | 'late_fee' | 'suspend' | 'resume';
  step: number | null;
  date: string;
  at: string;
  detail: Record<string, unknown>;
  resolvedAt: string | null;
}

const PROFILE_COLS = `id, name, is_default as isDefault, days_until_due as daysUntilDue, reminders, late_fee_amount as lateFeeAmount,
  late_fee_after_days as lateFeeAfterDays, late_fee_tax_rate_bp as lateFeeTaxRateBp, grace_days as graceDays, suspend_mode as suspendMode,
  quiet_weekdays as quietWeekdays, quiet_dates as quietDates, office_hours_start as officeHoursStart, office_hours_end as officeHoursEnd,
  bill_suspended as billSuspended, min_overdue_amount as minOverdueAmount, created_at as createdAt, updated_at as updatedAt`;
const EVENT_COLS = `id, key, customer_id as customerId, invoice_id as invoiceId, service_id as serviceId, kind, step, date, at, detail, resolved_at as resolvedAt`;

type Row = Record<string, unknown>;

function profileRow(r: Row): ProfileRow {
  return {
    ...(r as unknown as ProfileRow),
    isDefault: Boolean(r.isDefault),
    billSuspended: Boolean(r.billSuspended),
    reminders: JSON.parse(r.reminders as string) as ProfileRow['reminders'],
    quietWeekdays: JSON.parse(r.quietWeekdays as string) as number[],
    quietDates: JSON.parse(r.quietDates as string) as string[],
  };
}

function eventRow(r: Row): DunningEventRow {
  return { ...(r as unknown as DunningEventRow), detail: JSON.parse(r.detail as string) as Record<string, unknown> };
}

function profileParams(p: ProfileInput, at: string) {
  return {
    ...p, isDefault: p.isDefault ? 1 : 0, billSuspended: p.billSuspended ? 1 : 0, reminders: JSON.stringify(p.reminders),
    quietWeekdays: JSON.stringify(p.quietWeekdays), quietDates: JSON.stringify(p.quietDates), at,
  };
}

export type DunningStore = ReturnType<typeof dunningStore>;

export function dunningStore(db: Db) {
  const c: Database.Database = db.$client;
  const p = (sql: string) => c.prepare(sql);
  const s = {
    profiles: p(`select ${PROFILE_COLS} from billing_profiles where id > ? order by id limit ?`),
    profile: p(`select ${PROFILE_COLS} from billing_profiles where id = ?`),
    defaultProfile: p(`select ${PROFILE_COLS} from billing_profiles where is_default = 1 order by id limit 1`),
    insertProfile: p(`insert into billing_profiles (name, is_default, days_until_due, reminders, late_fee_amount, late_fee_after_days, late_fee_tax_rate_bp,
        grace_days, suspend_mode, quiet_weekdays, quiet_dates, office_hours_start, office_hours_end, bill_suspended, min_overdue_amount, created_at, updated_at)
      values (@name, @isDefault, @daysUntilDue, @reminders, @lateFeeAmount, @lateFeeAfterDays, @lateFeeTaxRateBp, @graceDays, @suspendMode,
        @quietWeekdays, @quietDates, @officeHoursStart, @officeHoursEnd, @billSuspended, @minOverdueAmount, @at, @at) returning id`),
    updateProfile: p(`update billing_profiles set name = @name, is_default = @isDefault, days_until_due = @daysUntilDue, reminders = @reminders,
        late_fee_amount = @lateFeeAmount, late_fee_after_days = @lateFeeAfterDays, late_fee_tax_rate_bp = @lateFeeTaxRateBp, grace_days = @graceDays,
        suspend_mode = @suspendMode, quiet_weekdays = @quietWeekdays, quiet_dates = @quietDates, office_hours_start = @officeHoursStart,
        office_hours_end = @officeHoursEnd, bill_suspended = @billSuspended, min_overdue_amount = @minOverdueAmount, updated_at = @at where id = @id`),
    clearDefault: p(`update billing_profiles set is_default = 0 where is_default = 1 and id != ?`),
    deleteProfile: p(`delete from billing_profiles where id = ?`),
    profileUsers: p(`select count(*) as n from customers where billing_profile_id = ?`),
    customer: p(`select id, name, billing_profile_id as billingProfileId, dunning_exempt as dunningExempt from customers where id = ?`),
    setCustomer: p(`update customers set billing_profile_id = ?, dunning_exempt = ?, updated_at = ? where id = ?`),
    overdue: p(`select id, customer_id as customerId, number, due_date as dueDate, open, total from invoices where open > 0 and due_date < ? order by customer_id, due_date, id`),
    overdueOf: p(`select id, customer_id as customerId, number, due_date as dueDate, open, total from invoices where customer_id = ? and open > 0 and due_date < ? order by due_date, id`),
    overdueBalance: p(`select coalesce(sum(open), 0) as n from invoices where customer_id = ? and open > 0 and due_date < ?`),
    keysOfInvoices: p(`select key from dunning_events where invoice_id in (select value from json_each(?))`),
    hasKey: p(`select 1 from dunning_events where key = ?`),
    insertEvent: p(`insert into dunning_events (key, customer_id, invoice_id, service_id, kind, step, date, at, detail)
      values (@key, @customerId, @invoiceId, @serviceId, @kind, @step, @date, @at, @detail) on conflict(key) do nothing returning id`),
    setDetail: p(`update dunning_events set detail = ? where id = ?`),
    deleteEvent: p(`delete from dunning_events where id = ?`),
    openSuspensions: p(`select ${EVENT_COLS} from dunning_events where customer_id = ? and kind = 'suspend' and resolved_at is null order by id`),
    openSuspensionOfService: p(`select id from dunning_events where service_id = ? and kind = 'suspend' and resolved_at is null limit 1`),
    resolve: p(`update dunning_events set resolved_at = ? where id = ?`),
    activeServices: p(`select id, username, status from services where customer_id = ? and status = 'active' order by id`),
    service: p(`select id, username, status from services where id = ?`),
    insertCharge: p(`insert into one_off_charges (customer_id, service_id, description, amount, tax_rate_bp, tax_inclusive, date, created_at)
      values (?, null, ?, ?, ?, 1, ?, ?) returning id`),
    // An invoice whose every line is a late fee dunning charged: it gets no late fee of its own.
    onlyLateFees: p(`select count(*) as n from invoice_lines l where l.invoice_id = ? and not exists (select 1 from dunning_events e
      where e.kind = 'late_fee' and l.key = 'charge:' || json_extract(e.detail, '$.chargeId'))`),
    audit: p(`insert into audit_log (at, actor, actor_ip, action, entity, entity_id, before, after) values (?, ?, ?, ?, ?, ?, ?, ?)`),
  };
  return {
    transaction<T>(fn: () => T): T {
      return c.transaction(fn).immediate();
    },
    profiles(afterId: number, limit: number): ProfileRow[] {
      return (s.profiles.all(afterId, limit) as Row[]).map(profileRow);
    },
    profile(id: number): ProfileRow | null {
      const r = s.profile.get(id) as Row | undefined;
      return r ? profileRow(r) : null;
    },
    defaultProfile(): ProfileRow | null {
      const r = s.defaultProfile.get() as Row | undefined;
      return r ? profileRow(r) : null;
    },
    insertProfile(p: ProfileInput, at: string): number {
      const id = (s.insertProfile.get(profileParams(p, at)) as { id: number }).id;
      if (p.isDefault) s.clearDefault.run(id);
      return id;
    },
    updateProfile(id: number, p: ProfileInput, at: string): void {
      s.updateProfile.run({ ...profileParams(p, at), id });
      if (p.isDefault) s.clearDefault.run(id);
    },
    deleteProfile(id: number): boolean {
      return s.deleteProfile.run(id).changes > 0;
    },
    profileUsers(id: number): number {
      return (s.profileUsers.get(id) as { n: number }).n;
    },
    customer(id: number): { id: number; name: string; billingProfileId: number | null; dunningExempt: boolean } | null {
      const r = s.customer.get(id) as Row | undefined;
      return r ? { ...(r as { id: number; name: string; billingProfileId: number | null }), dunningExempt: Boolean(r.dunningExempt) } : null;
    },
    setCustomer(id: number, billingProfileId: number | null, exempt: boolean, at: string): void {
      s.setCustomer.run(billingProfileId, exempt ? 1 : 0, at, id);
    },
    /** The profile in force for a customer: its own, else the default; null when none. */
    profileOf(customer: { billingProfileId: number | null }): ProfileRow | null {
      return customer.billingProfileId !== null ? this.profile(customer.billingProfileId) : this.defaultProfile();
    },
    overdue(beforeDate: string): OverdueRow[] {
      return s.overdue.all(beforeDate) as OverdueRow[];
    },
    overdueOf(customerId: number, beforeDate: string): OverdueRow[] {
      return s.overdueOf.all(customerId, beforeDate) as OverdueRow[];
    },
    overdueBalance(customerId: number, beforeDate: string): number {
      return (s.overdueBalance.get(customerId, beforeDate) as { n: number }).n;
    },
    keysOf(invoiceIds: readonly number[]): Set<string> {
      return new Set((s.keysOfInvoices.all(JSON.stringify(invoiceIds)) as { key: string }[]).map((r) => r.key));
    },
    hasKey(key: string): boolean {
      return s.hasKey.get(key) !== undefined;
    },
    /** The new event's id, or null when its key is recorded already. */
    insertEvent(e: Omit<DunningEventRow, 'id' | 'resolvedAt' | 'detail'> & { detail: Record<string, unknown> }): number | null {
      const r = s.insertEvent.get({ ...e, detail: JSON.stringify(e.detail) }) as { id: number } | undefined;
      return r?.id ?? null;
    },
    setDetail(id: number, detail: Record<string, unknown>): void {
      s.setDetail.run(JSON.stringify(detail), id);
    },
    deleteEvent(id: number): void {
      s.deleteEvent.run(id);
    },
    openSuspensions(customerId: number): DunningEventRow[] {
      return (s.openSuspensions.all(customerId) as Row[]).map(eventRow);
    },
    hasOpenSuspension(serviceId: number): boolean {
      return s.openSuspensionOfService.get(serviceId) !== undefined;
    },
    resolve(id: number, at: string): void {
      s.resolve.run(at, id);
    },
    activeServices(customerId: number): { id: number; username: string; status: string }[] {
      return s.activeServices.all(customerId) as { id: number; username: string; status: string }[];
    },
    service(id: number): { id: number; username: string; status: string } | null {
      return (s.service.get(id) as { id: number; username: string; status: string } | undefined) ?? null;
    },
    billsOnlyLateFees(invoiceId: number): boolean {
      return (s.onlyLateFees.get(invoiceId) as { n: number }).n === 0;
    },
    insertLateFee(customerId: number, description: string, amount: number, taxRateBp: number, date: string, at: string): number {
      return (s.insertCharge.get(customerId, description, amount, taxRateBp, date, at) as { id: number }).id;
    },
    events(f: { customerId?: number | undefined; invoiceId?: number | undefined; kind?: string | undefined }, limit: number, beforeId: number | null): DunningEventRow[] {
      const where = new Conditions().when(f.customerId, 'customer_id = ?').when(f.invoiceId, 'invoice_id = ?').when(f.kind, 'kind = ?');
      if (beforeId !== null) where.add('id < ?', beforeId);
      const sql = `select ${EVENT_COLS} from dunning_events ${where.sql} order by id desc limit ?`;
      return (c.prepare(sql).all(...where.args, limit) as Row[]).map(eventRow);
    },
    audit(actor: Actor, at: string, action: string, entity: string, id: string | number, before: unknown, after: unknown): void {
      s.audit.run(at, actor.id, actor.ip ?? null, action, entity, String(id), before === undefined ? null : JSON.stringify(before), after === undefined ? null : JSON.stringify(after));
    },
  };
}
