/**
 * Dunning around the pure ladder (domain/dunning.ts): reminders, late fees, suspensions and the
 * automatic reactivation after payment.
 *
 * - `runFor(date)` (the daily job, after billing): per overdue invoice, the latest reminder due and
 *   the late fee, each recorded once under its key in the same transaction as its notification or
 *   charge.
 * - `suspendDue(now, asOf)` (every scheduler tick, and after the daily job): suspends the active
 *   services of customers whose invoice passed its grace days, when the profile's quiet days and
 *   office hours allow it now; a suspension due in a quiet time waits for the next allowed instant.
 *   The event row is the claim (inserted before the network is touched); a failure removes it so the
 *   next tick retries. Whitelisted customers are never suspended.
 * - `afterPayment(customerId)`: once the overdue amount left is below the profile's minimum (nothing,
 *   by default less than one unit of the currency), every service dunning suspended is resumed
 *   (ServiceControl.resume), recorded and the customer notified.
 *
 * A customer whose overdue amount is below its profile's `minOverdueAmount` (null: one unit of the
 * currency) gets no reminder, late fee or suspension.
 */
import { addDays, dateInZone, type CalDate } from '../lib/calendar.js';
import type { Clock } from '../lib/clock.js';
import { oneUnit, type Minor } from '../lib/money.js';
import type { DunningCustomer, DunningServiceRow, DunningStore, OverdueRow, ProfileRow } from '../db/dunning.js';
import { because, type ServiceControl } from '../nas/control.js';
import { said } from '../lib/errors.js';
import type { OutboxNotifier } from '../notify/outbox.js';
import {
  dueLadderSteps, overdueByCustomer, owesEnough, reminderDates, suspendKey, suspensionDate, suspensionInstant, type DunningProfile,
} from '../domain/billing/dunning.js';

export interface DunningLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface DunningOptions {
  store: DunningStore;
  clock: Clock;
  timezone: string;
  currency: string;
  control: ServiceControl;
  /** The outbox: each notice is queued in the same transaction as the event it announces. */
  notifier: Pick<OutboxNotifier, 'enqueue'>;
  log?: DunningLog | undefined;
}

const BY = 'system:dunning';

/** The profile as the pure ladder reads it; `unit`: one unit of the currency, the default minimum. */
function toDomain(p: ProfileRow, unit: Minor): DunningProfile {
  return {
    id: p.id, reminders: p.reminders, lateFeeAmount: p.lateFeeAmount, lateFeeAfterDays: p.lateFeeAfterDays, graceDays: p.graceDays,
    quietWeekdays: p.quietWeekdays, quietDates: p.quietDates, officeHoursStart: p.officeHoursStart, officeHoursEnd: p.officeHoursEnd,
    minOverdueAmount: p.minOverdueAmount ?? unit,
  };
}

export type DunningService = ReturnType<typeof dunningService>;

export function dunningService(opts: DunningOptions) {
  const { store, clock } = opts;
  const iso = () => clock.now().toISOString();
  const unit = oneUnit(opts.currency);
  const domain = (p: ProfileRow) => toDomain(p, unit);
  // Amounts go to the notifier raw: it formats them in the customer's language.
  const money = (n: number) => ({ money: n, currency: opts.currency });
  const pending = new Set<Promise<unknown>>();
  const track = <T>(p: Promise<T>): Promise<T> => {
    pending.add(p);
    void p.finally(() => pending.delete(p)).catch(() => undefined);
    return p;
  };

  /**
   * The invoices due before `before` and still open, with their customer's profile, skipping customers
   * without one and customers whose overdue amount (these invoices' open amounts) is below the
   * profile's minimum.
   */
  async function overdueWithProfiles(before: CalDate) {
    const customers = new Map<number, DunningCustomer | null>();
    const profiles = new Map<number, ProfileRow | null>();
    const out: { inv: OverdueRow; profile: ProfileRow; exempt: boolean; customerName: string }[] = [];
    const invoices = await store.overdue(before);
    const owed = overdueByCustomer(invoices);
    for (const inv of invoices) {
      let c = customers.get(inv.customerId);
      if (c === undefined) customers.set(inv.customerId, (c = await store.customer(inv.customerId)));
      if (!c) continue;
      let p = profiles.get(c.id);
      if (p === undefined) profiles.set(c.id, (p = await store.profileOf(c)));
      if (!p || !owesEnough(owed.get(c.id) ?? 0, domain(p))) continue;
      out.push({ inv, profile: p, exempt: c.dunningExempt, customerName: c.name });
    }
    return out;
  }

  function invoiceData(inv: OverdueRow, p: ProfileRow) {
    const susp = suspensionDate(inv, domain(p));
    return { invoiceNumber: inv.number, invoiceId: inv.id, amount: money(inv.open), total: money(inv.total), dueDate: { date: inv.dueDate }, suspendDate: susp ? { date: susp } : '' };
  }

  async function suspendOne(inv: OverdueRow, profile: ProfileRow, svc: { id: number; username: string }, asOf: CalDate): Promise<void> {
    const key = suspendKey(inv.id, svc.id);
    const eventId = await store.transaction(() => store.insertEvent({
      key, customerId: inv.customerId, invoiceId: inv.id, serviceId: svc.id, kind: 'suspend', step: null, date: asOf, at: iso(),
      detail: { invoiceNumber: inv.number, open: inv.open, mode: profile.suspendMode, state: 'in_progress' },
    }));
    if (eventId === null) return;
    try {
      // The profile's mode rides along on the request; ServiceControl uses the plan's or the configured mode.
      const req = { ...because(said('reason.action.overdue', `invoice ${inv.number} overdue since ${inv.dueDate}`, { number: inv.number, date: inv.dueDate })), by: BY, mode: profile.suspendMode ?? undefined };
      const summary = await opts.control.suspend(svc.id, req);
      await store.transaction(async () => {
        await store.setDetail(eventId, { invoiceNumber: inv.number, open: inv.open, mode: profile.suspendMode, state: 'done', actions: summary.actions });
        await opts.notifier.enqueue({ customerId: inv.customerId, serviceId: svc.id, template: 'service.suspended', data: { ...invoiceData(inv, profile), username: svc.username }, dedupeKey: key });
      });
      opts.log?.info({ customerId: inv.customerId, serviceId: svc.id, invoice: inv.number, actions: summary.actions.length }, 'dunning: service suspended');
    } catch (err) {
      await store.transaction(() => store.deleteEvent(eventId));
      opts.log?.error({ customerId: inv.customerId, serviceId: svc.id, invoice: inv.number, err: (err as Error).message }, 'dunning: suspension failed; retried at the next tick');
      throw err;
    }
  }

  /** The customer's active services this invoice has not suspended yet. */
  async function notSuspendedFor(inv: OverdueRow): Promise<DunningServiceRow[]> {
    const out: DunningServiceRow[] = [];
    for (const s of await store.activeServices(inv.customerId)) if (!(await store.hasKey(suspendKey(inv.id, s.id)))) out.push(s);
    return out;
  }

  const service = {
    /** The daily job: reminders and late fees due on `date` for every overdue invoice. Idempotent. */
    async runFor(date: CalDate): Promise<{ reminders: number; lateFees: number }> {
      let reminders = 0;
      let lateFees = 0;
      // Past due on `date`: due before it (the due date is the last day to pay).
      const list = await overdueWithProfiles(date);
      const done = await store.keysOf(list.map((x) => x.inv.id));
      for (const { inv, profile } of list) {
        for (const step of dueLadderSteps(inv, domain(profile), date, done)) {
          await store.transaction(async () => {
            if (step.kind === 'reminder') {
              const rule = step.rule!;
              const id = await store.insertEvent({ key: step.key, customerId: inv.customerId, invoiceId: inv.id, serviceId: null, kind: 'reminder', step: step.step, date, at: iso(), detail: { channels: rule.channels, template: rule.template } });
              if (id === null) return;
              const req = { customerId: inv.customerId, template: rule.template, data: invoiceData(inv, profile), channels: rule.channels, dedupeKey: step.key };
              await opts.notifier.enqueue(req);
              reminders++;
            } else if (await store.billsOnlyLateFees(inv.id)) {
              // No fee on a fee: recorded so the decision is visible and made once.
              await store.insertEvent({ key: step.key, customerId: inv.customerId, invoiceId: inv.id, serviceId: null, kind: 'late_fee', step: null, date, at: iso(), detail: { skipped: 'the invoice bills late fees only' } });
            } else {
              const fee = profile.lateFeeAmount!;
              const chargeId = await store.insertLateFee(inv.customerId, `Late fee, invoice ${inv.number}`, fee, profile.lateFeeTaxRateBp, date, iso());
              const id = await store.insertEvent({ key: step.key, customerId: inv.customerId, invoiceId: inv.id, serviceId: null, kind: 'late_fee', step: null, date, at: iso(), detail: { chargeId, amount: fee } });
              if (id === null) throw new Error(`late fee ${step.key} recorded twice`);
              lateFees++;
            }
          });
        }
      }
      return { reminders, lateFees };
    },

    /**
     * Suspends what is due as of `asOf` and allowed at `now`. Errors on one service do not stop the
     * others; the first is rethrown at the end so the caller reports it.
     */
    async suspendDue(now: Date, asOf: CalDate = dateInZone(now, opts.timezone)): Promise<{ suspended: number; waiting: number }> {
      let suspended = 0;
      let waiting = 0;
      let firstError: unknown;
      for (const { inv, profile, exempt } of await overdueWithProfiles(asOf)) {
        const p = domain(profile);
        const date = suspensionDate(inv, p);
        if (date === null || date > asOf || exempt) continue;
        const at = suspensionInstant(inv, p, now, opts.timezone);
        const services = await notSuspendedFor(inv);
        if (services.length === 0) continue;
        if (at === null || at.getTime() > now.getTime()) {
          waiting++;
          continue;
        }
        for (const svc of services) {
          try {
            await suspendOne(inv, profile, svc, asOf);
            suspended++;
          } catch (err) {
            firstError ??= err;
          }
        }
      }
      if (firstError !== undefined) throw firstError;
      return { suspended, waiting };
    },

    /**
     * After a payment or a credit note: when the customer owes nothing overdue any more, every service
     * dunning suspended comes back at once. Safe to call for any customer at any time.
     */
    afterPayment(customerId: number): Promise<{ resumed: number[] }> {
      return track((async () => {
        const today = dateInZone(clock.now(), opts.timezone);
        const resumed: number[] = [];
        const customer = await store.customer(customerId);
        const profile = customer ? await store.profileOf(customer) : null;
        const minimum = profile ? domain(profile).minOverdueAmount : unit;
        if (owesEnough(await store.overdueBalance(customerId, today), { minOverdueAmount: minimum })) return { resumed };
        for (const ev of await store.openSuspensions(customerId)) {
          const svcId = ev.serviceId!;
          const svc = await store.service(svcId);
          let summary: Awaited<ReturnType<ServiceControl['resume']>> | null = null;
          if (svc && svc.status === 'suspended') {
            summary = await opts.control.resume(svcId, { ...because(said('reason.action.overduePaid', 'overdue balance paid')), by: BY });
          }
          await store.transaction(async () => {
            await store.resolve(ev.id, iso());
            await store.insertEvent({
              key: `resume:${ev.id}`, customerId, invoiceId: ev.invoiceId, serviceId: svcId, kind: 'resume', step: null, date: today, at: iso(),
              detail: { suspendEventId: ev.id, actions: summary?.actions ?? [], note: summary ? 'resumed' : 'service was no longer suspended' },
            });
            if (summary) {
              const req = { customerId, serviceId: svcId, template: 'service.resumed', data: { username: svc!.username }, dedupeKey: `resume:${ev.id}` };
              await opts.notifier.enqueue(req);
            }
          });
          if (summary) resumed.push(svcId);
          opts.log?.info({ customerId, serviceId: svcId, resumed: summary !== null }, 'dunning: overdue balance paid, service resumed');
        }
        return { resumed };
      })());
    },

    /** Resolves once every reactivation started so far has finished (tests, shutdown). */
    async idle(): Promise<void> {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },

    /**
     * Who gets suspended next and when: every overdue invoice of a customer with a suspending
     * profile and services still active, with the instant the suspension may happen (quiet days and
     * office hours applied), plus the next reminder. Soonest first.
     */
    async queue(now: Date = clock.now()) {
      const today = dateInZone(now, opts.timezone);
      const items = [];
      for (const { inv, profile, exempt, customerName } of await overdueWithProfiles(addDays(today, 1))) {
        const p = domain(profile);
        const services = await notSuspendedFor(inv);
        const date = suspensionDate(inv, p);
        const at = exempt || date === null ? null : suspensionInstant(inv, p, now, opts.timezone);
        const done = await store.keysOf([inv.id]);
        const nextReminder = reminderDates(inv, p).find((r) => r.date >= today && !done.has(`invoice:${inv.id}:reminder:${r.step}`)) ?? null;
        if (services.length === 0 && nextReminder === null) continue;
        items.push({
          customerId: inv.customerId, customerName, invoiceId: inv.id, invoiceNumber: inv.number, open: inv.open, dueDate: inv.dueDate,
          profileId: profile.id, whitelisted: exempt,
          suspensionDate: exempt ? null : date,
          suspendAt: services.length > 0 ? (at?.toISOString() ?? null) : null,
          services: services.map((s) => ({ id: s.id, username: s.username })),
          nextReminder,
        });
      }
      items.sort((a, b) => (a.suspendAt ?? '9999').localeCompare(b.suspendAt ?? '9999') || a.dueDate.localeCompare(b.dueDate));
      return items;
    },
  };
  return service;
}
