/**
 * Prepaid services: top-ups (a payment, a voucher or an admin action) that move the expiry and leave a
 * receipt, the expiry notices, and the cut-off at expiry. Each operation is one transaction; the
 * network action (Disconnect) and the notices run after commit, and a notice or a cut-off is recorded
 * in service_notices so it happens once even across restarts and re-runs.
 */
import { dateInZone, partsOf } from '../lib/calendar.js';
import type { Clock } from '../lib/clock.js';
import { notFound, said, TollgateError } from '../lib/errors.js';
import { minor, taxLine } from '../lib/money.js';
import type { SqlClient } from '../db/sql.js';
import type { Actor } from '../db/crud.js';
import { invoiceStore, paymentStore } from '../db/billing.js';
import { topupStore, type TopupRow } from '../db/prepaid.js';
import { because, type ServiceControl } from '../nas/control.js';
import type { NotificationRequest, Notifier } from '../notify/types.js';
import { formatDocumentNumber } from '../domain/billing/numbering.js';
import { daysLeft, dueExpiryNotice, extendExpiry, parseNoticeDays } from '../domain/billing/prepaid.js';

export interface PrepaidOptions {
  /** The prepaid stores' client. */
  sql: SqlClient;
  clock: Clock;
  timezone: string;
  currency: string;
  /** Days before expiry on which a notice goes out (at most three), for plans that do not set their own. */
  noticeDays: readonly number[];
  notifier?: Notifier | undefined;
  control?: ServiceControl | undefined;
  /**
   * Series of the receipts (invoices issued paid). Their own gapless series: a receipt is issued the
   * moment money comes in, so sharing the run's series would break its date order on a catch-up run.
   */
  receiptPrefix?: string;
}

export interface TopupInput {
  source: 'payment' | 'voucher' | 'admin';
  /** How many validity periods (default 1). */
  count?: number | undefined;
  /** What was paid, minor units; default the plan's price × count. 0: a free extension, no receipt. */
  amount?: number | undefined;
  method?: string | undefined;
  reference?: string | null | undefined;
  voucherId?: number | null | undefined;
}

export interface TopupResult {
  topup: TopupRow;
  serviceId: number;
  previousExpiresAt: string | null;
  expiresAt: string;
  paymentId: number | null;
  /** The receipt: an invoice issued already paid by the payment. */
  invoiceId: number | null;
  invoiceNumber: string | null;
}

/** A top-up written in a transaction not yet committed, and the notice owed once it is. */
export interface StagedTopup {
  result: TopupResult;
  notice: NotificationRequest;
}

export interface ExpiryRunResult {
  notices: { serviceId: number; days: number }[];
  expired: { serviceId: number; expiresAt: string; disconnected: boolean; error?: string }[];
}

export type PrepaidService = ReturnType<typeof prepaidService>;

/** A plan's stored notice days ("7,3,1", "" none); a value that does not parse means none, as in the query. */
function planNoticeDays(value: string): number[] {
  try {
    return parseNoticeDays(value);
  } catch {
    return [];
  }
}

export function prepaidService(opts: PrepaidOptions) {
  const store = topupStore(opts.sql);
  const invoices = invoiceStore(opts.sql);
  const payments = paymentStore(opts.sql);
  const series = opts.receiptPrefix ?? 'RC';
  const now = () => opts.clock.now();

  /** An invoice issued paid, allocated to the payment: the customer's receipt, in the billing ledger. */
  async function receipt(svc: { id: number; customerId: number; username: string; planName: string; taxRateBp: number; taxInclusive: boolean },
    amount: number, days: number, from: string, to: string, paymentId: number, at: string): Promise<{ invoiceId: number; number: string }> {
    const today = dateInZone(now(), opts.timezone);
    const t = taxLine(amount, svc.taxRateBp, svc.taxInclusive);
    const periodStart = dateInZone(new Date(from), opts.timezone);
    const periodEnd = dateInZone(new Date(to), opts.timezone);
    const line = {
      key: `prepaid:${svc.id}:until:${to}`, kind: 'one_off' as const, customerId: svc.customerId, serviceId: svc.id,
      description: `${svc.planName} (${svc.username}): ${days} days prepaid, valid until ${to}`,
      periodStart, periodEnd, billDate: today, amount, taxRateBp: svc.taxRateBp, taxInclusive: svc.taxInclusive, ...t,
    };
    const year = partsOf(today).year;
    const sequence = await invoices.nextSequence(series, year);
    const number = formatDocumentNumber({ prefix: series }, year, sequence);
    const invoiceId = await invoices.insertInvoice({
      customerId: svc.customerId, currency: opts.currency, issueDate: today, dueDate: today, lines: [line],
      net: t.net, tax: t.tax, total: t.gross, taxes: [{ taxRateBp: svc.taxRateBp, vatNature: null, ...t }],
    }, { number, series, year, sequence }, at);
    await payments.insertAllocation(invoiceId, paymentId, t.gross, today);
    await payments.settleInvoice({ invoiceId, number, issueDate: today, dueDate: today, total: t.gross, paid: t.gross, credited: 0, open: 0 });
    return { invoiceId, number };
  }

  /**
   * Extends a prepaid service by its plan's validity from the later of now and its current expiry,
   * records the payment with its receipt, all in one transaction, and sends the top-up notice once it
   * committed. A caller with a transaction of its own (a voucher) uses `stageTopup` instead.
   */
  async function topup(serviceId: number, input: TopupInput, actor: Actor): Promise<TopupResult> {
    const { result, notice } = await stageTopup(serviceId, input, actor);
    sendNotice(notice);
    return result;
  }

  /**
   * The top-up's writes (a savepoint inside the caller's transaction) and the notice that is owed once
   * the outermost transaction commits: the caller sends it with `sendNotice`, so a rollback leaves no
   * stray notice about a top-up that did not happen.
   */
  function stageTopup(serviceId: number, input: TopupInput, actor: Actor): Promise<StagedTopup> {
    return store.transaction(async () => {
      const svc = await store.topupService(serviceId);
      if (!svc) throw notFound('service', serviceId);
      if (svc.planType !== 'prepaid' || svc.validityDays == null) {
        throw new TollgateError('conflict', said('fault.prepaid.notPrepaid', `service ${serviceId} is on plan "${svc.planName}", which is not prepaid`, { id: String(serviceId), plan: svc.planName }), 'serviceId');
      }
      if (svc.status === 'ended') throw new TollgateError('conflict', said('fault.prepaid.ended', `service ${serviceId} has ended`, { id: String(serviceId) }), 'serviceId');
      const count = input.count ?? 1;
      const at = now().toISOString();
      const expiresAt = extendExpiry(now(), svc.expiresAt, svc.validityDays, count);
      const amount = input.amount ?? svc.price * count;
      minor(amount, 'amount');
      if (amount < 0) throw new TollgateError('invalid_input', said('fault.prepaid.negative', 'amount cannot be negative'), 'amount');
      const from = svc.expiresAt !== null && Date.parse(svc.expiresAt) > now().getTime() ? svc.expiresAt : at;
      let paymentId: number | null = null;
      let invoice: { invoiceId: number; number: string } | null = null;
      if (amount > 0) {
        const method = input.method ?? (input.source === 'voucher' ? 'voucher' : 'cash');
        paymentId = await payments.insertPayment({
          customerId: svc.customerId, amount, method, reference: input.reference ?? null, receivedAt: at, date: dateInZone(now(), opts.timezone),
        }, at);
        invoice = await receipt(svc, amount, svc.validityDays * count, from, expiresAt, paymentId, at);
      }
      await store.activateProposal(serviceId, at);
      await store.setExpiry(serviceId, expiresAt, at);
      const row = await store.insertTopup({
        serviceId, source: input.source, days: svc.validityDays * count, previousExpiresAt: svc.expiresAt, expiresAt,
        paymentId, invoiceId: invoice?.invoiceId ?? null, voucherId: input.voucherId ?? null, at, actor: actor.id,
      });
      await store.audit(actor, at, 'topup', 'service', serviceId, { expiresAt: svc.expiresAt }, { expiresAt, topupId: row.id, paymentId, invoice: invoice?.number ?? null, amount });
      const invoiceNumber = invoice?.number ?? null;
      return {
        result: { topup: row, serviceId, previousExpiresAt: svc.expiresAt, expiresAt, paymentId, invoiceId: invoice?.invoiceId ?? null, invoiceNumber },
        notice: {
          customerId: svc.customerId, serviceId, template: 'prepaid.topup',
          data: { username: svc.username, expiresAt, expiresOn: { date: dateInZone(new Date(expiresAt), opts.timezone) }, receipt: invoiceNumber, amount: { money: amount, currency: opts.currency } },
          dedupeKey: `prepaid.topup:${row.id}`,
        },
      };
    });
  }

  /** Queues a notice owed by a committed change; a failure to queue does not undo the change. */
  function sendNotice(notice: NotificationRequest): void {
    opts.notifier?.enqueue(notice).catch(() => undefined);
  }

  /**
   * The expiry work due at `at`: notices N days before each expiry (each once per expiry) and the cut-off
   * of every service whose expiry has passed (a Disconnect of its sessions, once per expiry; the next
   * login is refused by the authorization decision). State-driven: a run after downtime catches up, a
   * second run does nothing.
   */
  async function runExpiry(at: Date = now()): Promise<ExpiryRunResult> {
    const result: ExpiryRunResult = { notices: [], expired: [] };
    const iso = at.toISOString();
    if (opts.notifier) {
      // Each service by its plan's notice days (null there: the global setting).
      for (const s of await store.expiring(iso, opts.noticeDays.join(','))) {
        const days = planNoticeDays(s.noticeDays);
        const prefix = `prepaid.expiring:${s.expiresAt}:`;
        const done = new Set((await store.noticeKeys(s.id, prefix)).map((k) => Number(k.slice(prefix.length))));
        const d = dueExpiryNotice(at, s.expiresAt, days, done);
        if (d.done.length === 0) continue;
        // Recorded first, in one transaction with... nothing else: a crash between the record and the
        // enqueue loses one notice rather than sending it twice (the notifier's dedupe key covers the rest).
        await store.transaction(async () => {
          for (const n of d.done) await store.markNotice(s.id, prefix + n, iso);
        });
        if (d.send !== null) {
          await opts.notifier.enqueue({
            customerId: s.customerId, serviceId: s.id, template: 'prepaid.expiring',
            data: { username: s.username, expiresAt: s.expiresAt, expiresOn: { date: dateInZone(new Date(s.expiresAt), opts.timezone) }, days: d.send, daysLeft: daysLeft(at, s.expiresAt) },
            dedupeKey: `prepaid.expiring:${s.id}:${s.expiresAt}:${d.send}`,
          });
          result.notices.push({ serviceId: s.id, days: d.send });
        }
      }
    }
    for (const s of await store.expired(iso)) {
      const key = `prepaid.expired:${s.expiresAt}`;
      let disconnected = false;
      let error: string | undefined;
      if (opts.control) {
        try {
          await opts.control.disconnect(s.id, { ...because(said('reason.action.prepaidExpired', `prepaid expired at ${s.expiresAt}`, { at: s.expiresAt })), by: 'system:prepaid' });
          disconnected = true;
        } catch (e) {
          // Not recorded as done: the next run tries again.
          error = (e as Error).message;
        }
      }
      if (error === undefined && (await store.transaction(() => store.markNotice(s.id, key, iso))) && opts.notifier) {
        await opts.notifier.enqueue({
          customerId: s.customerId, serviceId: s.id, template: 'prepaid.expired', data: { username: s.username, expiresAt: s.expiresAt },
          dedupeKey: `prepaid.expired:${s.id}:${s.expiresAt}`,
        }).catch(() => undefined);
      }
      result.expired.push({ serviceId: s.id, expiresAt: s.expiresAt, disconnected, ...(error !== undefined ? { error } : {}) });
    }
    return result;
  }

  return { topup, stageTopup, sendNotice, runExpiry, topups: (serviceId: number) => store.topupsOf(serviceId) };
}
