/**
 * The dunning ladder, pure: for an overdue invoice and its customer's billing profile, which
 * reminders and fees are due on a date, when the suspension is due, and the first instant it may
 * happen (never on a quiet weekday or holiday, only inside office hours).
 *
 * Days count from the due date, the last day to pay: reminder `afterDays` 3 on an invoice due
 * 2026-03-15 goes out on 2026-03-18; `graceDays` 5 suspends on 2026-03-21 (due + grace + 1).
 *
 * Nothing happens for small debts: while a customer's overdue amount (the open amount of all its
 * invoices past due) is below the profile's `minOverdueAmount`, none of its invoices gets a reminder,
 * a late fee or a suspension, and a suspension dunning made ends once a payment brings it below.
 */
import { addDays, instantOfLocalTime, type CalDate } from '../../lib/calendar.js';
import { add, type Minor } from '../../lib/money.js';
import { nextAllowedInstant, type TimeWindow } from '../../lib/windows.js';

export type Channel = 'email' | 'sms';

export interface ReminderRule {
  afterDays: number;
  channels: Channel[];
  template: string;
}

export interface DunningProfile {
  id: number;
  reminders: ReminderRule[];
  lateFeeAmount: number | null;
  lateFeeAfterDays: number | null;
  graceDays: number | null;
  quietWeekdays: number[];
  quietDates: CalDate[];
  officeHoursStart: string | null;
  officeHoursEnd: string | null;
  /** Minor units: below this overdue amount a customer is not dunned (already resolved from the currency). */
  minOverdueAmount: Minor;
}

export interface OverdueInvoice {
  id: number;
  dueDate: CalDate;
}

export interface LadderStep {
  kind: 'reminder' | 'late_fee';
  /** 1..3 for reminders. */
  step: number;
  key: string;
  date: CalDate;
  rule?: ReminderRule;
}

/** Whether a customer owing `overdue` (minor units past due) is dunned under the profile at all. */
export function owesEnough(overdue: Minor, p: Pick<DunningProfile, 'minOverdueAmount'>): boolean {
  return overdue > 0 && overdue >= p.minOverdueAmount;
}

/** The overdue amount of each customer: the open amounts of its invoices in `invoices`, summed. */
export function overdueByCustomer(invoices: readonly { customerId: number; open: Minor }[]): Map<number, Minor> {
  const out = new Map<number, Minor>();
  for (const inv of invoices) out.set(inv.customerId, add(out.get(inv.customerId) ?? 0, inv.open));
  return out;
}

export const reminderKey = (invoiceId: number, step: number) => `invoice:${invoiceId}:reminder:${step}`;
export const lateFeeKey = (invoiceId: number) => `invoice:${invoiceId}:late_fee`;
export const suspendKey = (invoiceId: number, serviceId: number) => `invoice:${invoiceId}:suspend:service:${serviceId}`;

/**
 * What is due on `date` and not done yet (`done`: keys already recorded). Only the latest reminder
 * due is sent: one that was missed (a profile assigned late, a long outage) is superseded by the next
 * rather than sent in a burst, and a reminder never goes out after a later one.
 */
export function dueLadderSteps(inv: OverdueInvoice, p: DunningProfile, date: CalDate, done: ReadonlySet<string>): LadderStep[] {
  const out: LadderStep[] = [];
  const rules = p.reminders.slice(0, 3);
  let latest = -1;
  rules.forEach((r, i) => {
    if (addDays(inv.dueDate, r.afterDays) <= date) latest = i;
  });
  const laterSent = rules.some((_r, i) => i >= latest && done.has(reminderKey(inv.id, i + 1)));
  if (latest >= 0 && !laterSent) {
    const r = rules[latest]!;
    out.push({ kind: 'reminder', step: latest + 1, key: reminderKey(inv.id, latest + 1), date: addDays(inv.dueDate, r.afterDays), rule: r });
  }
  if (p.lateFeeAmount !== null && p.lateFeeAmount > 0 && p.lateFeeAfterDays !== null) {
    const on = addDays(inv.dueDate, p.lateFeeAfterDays);
    if (on <= date && !done.has(lateFeeKey(inv.id))) out.push({ kind: 'late_fee', step: 0, key: lateFeeKey(inv.id), date: on });
  }
  return out;
}

/** The date an invoice's suspension is due, or null when the profile never suspends. */
export function suspensionDate(inv: OverdueInvoice, p: DunningProfile): CalDate | null {
  return p.graceDays === null ? null : addDays(inv.dueDate, p.graceDays + 1);
}

export function quietWindow(p: DunningProfile): TimeWindow {
  return { excludedWeekdays: p.quietWeekdays, excludedDates: p.quietDates, from: p.officeHoursStart, until: p.officeHoursEnd };
}

/**
 * The first instant the suspension may happen: at or after the start of its date and `now`, outside
 * quiet days, inside office hours. Null when the profile never suspends or allows no time at all.
 */
export function suspensionInstant(inv: OverdueInvoice, p: DunningProfile, now: Date, timezone: string): Date | null {
  const date = suspensionDate(inv, p);
  if (date === null) return null;
  const start = instantOfLocalTime(date, '00:00', timezone);
  return nextAllowedInstant(now > start ? now : start, timezone, quietWindow(p));
}

/** The reminder date of each rule, for the queue. */
export function reminderDates(inv: OverdueInvoice, p: DunningProfile): { step: number; date: CalDate }[] {
  return p.reminders.slice(0, 3).map((r, i) => ({ step: i + 1, date: addDays(inv.dueDate, r.afterDays) }));
}
