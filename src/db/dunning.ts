/**
 * The dunning repository: billing profiles, the customers' profile and whitelist, overdue invoices,
 * the dunning events (one row per key: a reminder, a fee, a suspension happens once) and late fees
 * as one-off charges (billed by the next billing run).
 */
import { auditRecorder } from './audit.js';
import type { Actor } from './crud.js';
import { dialectSql } from './dialect.js';
import { Conditions } from './conditions.js';
import type { Param, SqlClient } from './sql.js';

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

const PROFILE_COLS = `id, name, is_default as "isDefault", days_until_due as "daysUntilDue", reminders, late_fee_amount as "lateFeeAmount",
  late_fee_after_days as "lateFeeAfterDays", late_fee_tax_rate_bp as "lateFeeTaxRateBp", grace_days as "graceDays", suspend_mode as "suspendMode",
  quiet_weekdays as "quietWeekdays", quiet_dates as "quietDates", office_hours_start as "officeHoursStart", office_hours_end as "officeHoursEnd",
  bill_suspended as "billSuspended", min_overdue_amount as "minOverdueAmount", created_at as "createdAt", updated_at as "updatedAt"`;
const EVENT_COLS = `id, key, customer_id as "customerId", invoice_id as "invoiceId", service_id as "serviceId", kind, step, date, at, detail, resolved_at as "resolvedAt"`;
const OVERDUE_COLS = `id, customer_id as "customerId", number, due_date as "dueDate", open, total`;

type Row = Record<string, unknown>;

/** SQLite has booleans as 0/1, PostgreSQL as true/false: callers see true/false. */
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

function profileParams(p: ProfileInput, at: string): Record<string, Param> {
  return {
    name: p.name, isDefault: p.isDefault, daysUntilDue: p.daysUntilDue, reminders: JSON.stringify(p.reminders), lateFeeAmount: p.lateFeeAmount,
    lateFeeAfterDays: p.lateFeeAfterDays, lateFeeTaxRateBp: p.lateFeeTaxRateBp, graceDays: p.graceDays, suspendMode: p.suspendMode,
    quietWeekdays: JSON.stringify(p.quietWeekdays), quietDates: JSON.stringify(p.quietDates), officeHoursStart: p.officeHoursStart,
    officeHoursEnd: p.officeHoursEnd, billSuspended: p.billSuspended, minOverdueAmount: p.minOverdueAmount, at,
  };
}

export interface DunningCustomer {
  id: number;
  name: string;
  billingProfileId: number | null;
  dunningExempt: boolean;
}

export interface DunningServiceRow {
  id: number;
  username: string;
  status: string;
}

export type DunningStore = ReturnType<typeof dunningStore>;

export function dunningStore(sql: SqlClient) {
  const d = dialectSql(sql.dialect);
  const p = sql.prepare.bind(sql);
  const s = {
    profiles: p<Row>(`select ${PROFILE_COLS} from billing_profiles where id > ? order by id limit ?`),
    profile: p<Row>(`select ${PROFILE_COLS} from billing_profiles where id = ?`),
    defaultProfile: p<Row>(`select ${PROFILE_COLS} from billing_profiles where is_default order by id limit 1`),
    insertProfile: p<{ id: number }>(`insert into billing_profiles (name, is_default, days_until_due, reminders, late_fee_amount, late_fee_after_days, late_fee_tax_rate_bp,
        grace_days, suspend_mode, quiet_weekdays, quiet_dates, office_hours_start, office_hours_end, bill_suspended, min_overdue_amount, created_at, updated_at)
      values (@name, @isDefault, @daysUntilDue, @reminders, @lateFeeAmount, @lateFeeAfterDays, @lateFeeTaxRateBp, @graceDays, @suspendMode,
        @quietWeekdays, @quietDates, @officeHoursStart, @officeHoursEnd, @billSuspended, @minOverdueAmount, @at, @at) returning id`),
    updateProfile: p(`update billing_profiles set name = @name, is_default = @isDefault, days_until_due = @daysUntilDue, reminders = @reminders,
        late_fee_amount = @lateFeeAmount, late_fee_after_days = @lateFeeAfterDays, late_fee_tax_rate_bp = @lateFeeTaxRateBp, grace_days = @graceDays,
        suspend_mode = @suspendMode, quiet_weekdays = @quietWeekdays, quiet_dates = @quietDates, office_hours_start = @officeHoursStart,
        office_hours_end = @officeHoursEnd, bill_suspended = @billSuspended, min_overdue_amount = @minOverdueAmount, updated_at = @at where id = @id`),
    clearDefault: p(`update billing_profiles set is_default = false where is_default and id != ?`),
    deleteProfile: p(`delete from billing_profiles where id = ?`),
    profileUsers: p<{ n: number }>(`select count(*) as n from customers where billing_profile_id = ?`),
    customer: p<Row>(`select id, name, billing_profile_id as "billingProfileId", dunning_exempt as "dunningExempt" from customers where id = ?`),
    setCustomer: p(`update customers set billing_profile_id = ?, dunning_exempt = ?, updated_at = ? where id = ?`),
    overdue: p<OverdueRow>(`select ${OVERDUE_COLS} from invoices where open > 0 and due_date < ? order by customer_id, due_date, id`),
    overdueOf: p<OverdueRow>(`select ${OVERDUE_COLS} from invoices where customer_id = ? and open > 0 and due_date < ? order by due_date, id`),
    overdueBalance: p<{ n: number }>(`select coalesce(sum(open), 0) as n from invoices where customer_id = ? and open > 0 and due_date < ?`),
    keysOfInvoices: p<{ key: string }>(`select key from dunning_events where invoice_id in (${d.idList})`),
    hasKey: p(`select 1 as found from dunning_events where key = ?`),
    insertEvent: p<{ id: number }>(`insert into dunning_events (key, customer_id, invoice_id, service_id, kind, step, date, at, detail)
      values (@key, @customerId, @invoiceId, @serviceId, @kind, @step, @date, @at, @detail) on conflict (key) do nothing returning id`),
    setDetail: p(`update dunning_events set detail = ? where id = ?`),
    deleteEvent: p(`delete from dunning_events where id = ?`),
    openSuspensions: p<Row>(`select ${EVENT_COLS} from dunning_events where customer_id = ? and kind = 'suspend' and resolved_at is null order by id`),
    openSuspensionOfService: p(`select id from dunning_events where service_id = ? and kind = 'suspend' and resolved_at is null limit 1`),
    resolve: p(`update dunning_events set resolved_at = ? where id = ?`),
    activeServices: p<DunningServiceRow>(`select id, username, status from services where customer_id = ? and status = 'active' order by id`),
    service: p<DunningServiceRow>(`select id, username, status from services where id = ?`),
    insertCharge: p<{ id: number }>(`insert into one_off_charges (customer_id, service_id, description, amount, tax_rate_bp, tax_inclusive, date, created_at)
      values (?, null, ?, ?, ?, true, ?, ?) returning id`),
    // An invoice whose every line is a late fee dunning charged: it gets no late fee of its own.
    onlyLateFees: p<{ n: number }>(`select count(*) as n from invoice_lines l where l.invoice_id = ? and not exists (select 1 from dunning_events e
      where e.kind = 'late_fee' and l.key = 'charge:' || ${d.jsonText('e.detail', 'chargeId')})`),
  };
  const audit = auditRecorder(sql);
  const store = {
    transaction<T>(fn: () => Promise<T>): Promise<T> {
      return sql.transaction(fn);
    },
    async profiles(afterId: number, limit: number): Promise<ProfileRow[]> {
      return (await s.profiles.all(afterId, limit)).map(profileRow);
    },
    async profile(id: number): Promise<ProfileRow | null> {
      const r = await s.profile.get(id);
      return r ? profileRow(r) : null;
    },
    async defaultProfile(): Promise<ProfileRow | null> {
      const r = await s.defaultProfile.get();
      return r ? profileRow(r) : null;
    },
    /** The new profile's id; a name taken already is a ConstraintViolation of kind 'unique' on `name`. */
    async insertProfile(p: ProfileInput, at: string): Promise<number> {
      const { id } = (await s.insertProfile.get(profileParams(p, at)))!;
      if (p.isDefault) await s.clearDefault.run(id);
      return id;
    },
    async updateProfile(id: number, p: ProfileInput, at: string): Promise<void> {
      await s.updateProfile.run({ ...profileParams(p, at), id });
      if (p.isDefault) await s.clearDefault.run(id);
    },
    async deleteProfile(id: number): Promise<boolean> {
      return (await s.deleteProfile.run(id)).changes > 0;
    },
    async profileUsers(id: number): Promise<number> {
      return (await s.profileUsers.get(id))!.n;
    },
    async customer(id: number): Promise<DunningCustomer | null> {
      const r = await s.customer.get(id);
      return r ? { ...(r as unknown as DunningCustomer), dunningExempt: Boolean(r.dunningExempt) } : null;
    },
    async setCustomer(id: number, billingProfileId: number | null, exempt: boolean, at: string): Promise<void> {
      await s.setCustomer.run(billingProfileId, exempt, at, id);
    },
    /** The profile in force for a customer: its own, else the default; null when none. */
    profileOf(customer: { billingProfileId: number | null }): Promise<ProfileRow | null> {
      return customer.billingProfileId !== null ? store.profile(customer.billingProfileId) : store.defaultProfile();
    },
    overdue(beforeDate: string): Promise<OverdueRow[]> {
      return s.overdue.all(beforeDate);
    },
    overdueOf(customerId: number, beforeDate: string): Promise<OverdueRow[]> {
      return s.overdueOf.all(customerId, beforeDate);
    },
    async overdueBalance(customerId: number, beforeDate: string): Promise<number> {
      return (await s.overdueBalance.get(customerId, beforeDate))!.n;
    },
    async keysOf(invoiceIds: readonly number[]): Promise<Set<string>> {
      return new Set((await s.keysOfInvoices.all(JSON.stringify(invoiceIds))).map((r) => r.key));
    },
    async hasKey(key: string): Promise<boolean> {
      return (await s.hasKey.get(key)) !== undefined;
    },
    /** The new event's id, or null when its key is recorded already. */
    async insertEvent(e: Omit<DunningEventRow, 'id' | 'resolvedAt' | 'detail'> & { detail: Record<string, unknown> }): Promise<number | null> {
      const r = await s.insertEvent.get({
        key: e.key, customerId: e.customerId, invoiceId: e.invoiceId, serviceId: e.serviceId, kind: e.kind, step: e.step, date: e.date, at: e.at,
        detail: JSON.stringify(e.detail),
      });
      return r?.id ?? null;
    },
    async setDetail(id: number, detail: Record<string, unknown>): Promise<void> {
      await s.setDetail.run(JSON.stringify(detail), id);
    },
    async deleteEvent(id: number): Promise<void> {
      await s.deleteEvent.run(id);
    },
    async openSuspensions(customerId: number): Promise<DunningEventRow[]> {
      return (await s.openSuspensions.all(customerId)).map(eventRow);
    },
    async hasOpenSuspension(serviceId: number): Promise<boolean> {
      return (await s.openSuspensionOfService.get(serviceId)) !== undefined;
    },
    async resolve(id: number, at: string): Promise<void> {
      await s.resolve.run(at, id);
    },
    activeServices(customerId: number): Promise<DunningServiceRow[]> {
      return s.activeServices.all(customerId);
    },
    async service(id: number): Promise<DunningServiceRow | null> {
      return (await s.service.get(id)) ?? null;
    },
    async billsOnlyLateFees(invoiceId: number): Promise<boolean> {
      return (await s.onlyLateFees.get(invoiceId))!.n === 0;
    },
    async insertLateFee(customerId: number, description: string, amount: number, taxRateBp: number, date: string, at: string): Promise<number> {
      return (await s.insertCharge.get(customerId, description, amount, taxRateBp, date, at))!.id;
    },
    async events(f: { customerId?: number | undefined; invoiceId?: number | undefined; kind?: string | undefined }, limit: number, beforeId: number | null): Promise<DunningEventRow[]> {
      // One of eight statements by which filters are set, each prepared once by the client.
      const w = new Conditions()
        .when(f.customerId, 'customer_id = ?')
        .when(f.invoiceId, 'invoice_id = ?')
        .when(f.kind, 'kind = ?')
        .when(beforeId ?? undefined, 'id < ?');
      const text = `select ${EVENT_COLS} from dunning_events ${w.sql} order by id desc limit ?`;
      return (await sql.all<Row>(text, ...w.args, limit)).map(eventRow);
    },
    audit(actor: Actor, at: string, action: string, entity: string, id: string | number, before: unknown, after: unknown): Promise<void> {
      return audit(actor, at, action, entity, id, before, after);
    },
  };
  return store;
}
