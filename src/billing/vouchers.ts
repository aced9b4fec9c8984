/**
 * Vouchers: batches of random codes for a prepaid plan, printed on cards and redeemed once, by the API,
 * by an admin, or by logging in to a hotspot with the code as the username. Redemption is one
 * transaction whose guard is a single conditional UPDATE (`... where redeemed_at is null`): of any
 * number of concurrent attempts, on any connection, exactly one changes the row; the others roll back.
 */
import { dateInZone } from '../lib/calendar.js';
import type { Clock } from '../lib/clock.js';
import { notFound, said, TollgateError } from '../lib/errors.js';
import { formatter } from '../i18n/format.js';
import type { Locale } from '../i18n/locales.js';
import { translator } from '../i18n/messages.js';
import type { SecretBox } from '../lib/secretbox.js';
import type { SqlClient } from '../db/sql.js';
import type { Actor } from '../db/crud.js';
import { topupStore, voucherStore, type VoucherBatchRow } from '../db/prepaid.js';
import { formatCode, generateCodes, looksLikeVoucher, MIN_CODE_LENGTH, normalizeCode } from '../domain/billing/vouchers.js';
import type { PrepaidService } from './prepaid.js';
import { DOCUMENT_FONT, renderPdf } from './pdf.js';

export interface VoucherOptions {
  /** The prepaid stores' client. */
  sql: SqlClient;
  box: SecretBox;
  clock: Clock;
  timezone: string;
  currency: string;
  prepaid: PrepaidService;
  /** Code length when a batch does not say (at least 10). */
  defaultCodeLength: number;
  /** The language of the printed cards when the request names none (the installation's). */
  defaultLanguage?: Locale;
}

export interface BatchInput {
  name: string;
  planId: number;
  count: number;
  codeLength?: number | undefined;
  price?: number | undefined;
  validUntil?: string | null | undefined;
}

export interface RedeemInput {
  code: string;
  /** Top up this existing service... */
  serviceId?: number | undefined;
  /** ...or create a service for this existing customer... */
  customerId?: number | undefined;
  /** ...or for a new customer. */
  customer?: { name: string } | undefined;
  /** The new service's login; default the code itself (a hotspot voucher). */
  username?: string | undefined;
  password?: string | undefined;
}

export interface Redemption {
  voucherId: number;
  serviceId: number;
  customerId: number;
  username: string;
  created: boolean;
  expiresAt: string;
  invoiceId: number | null;
}

export type VoucherService = ReturnType<typeof voucherService>;

export function voucherService(opts: VoucherOptions) {
  const store = voucherStore(opts.sql);
  const topups = topupStore(opts.sql);
  const now = () => opts.clock.now();
  const today = () => dateInZone(now(), opts.timezone);

  async function createBatch(input: BatchInput, actor: Actor): Promise<VoucherBatchRow & { codes: string[] }> {
    const codeLength = input.codeLength ?? opts.defaultCodeLength;
    if (!Number.isInteger(input.count) || input.count < 1 || input.count > 100_000) throw new TollgateError('invalid_input', said('fault.voucher.count', 'count must be from 1 to 100000'), 'count');
    if (!Number.isInteger(codeLength) || codeLength < MIN_CODE_LENGTH || codeLength > 32) throw new TollgateError('invalid_input', said('fault.voucher.codeLength', 'codeLength must be from 10 to 32'), 'codeLength');
    return store.transaction(async () => {
      const plan = await store.plan(input.planId);
      if (!plan) throw new TollgateError('invalid_input', said('fault.noPlan', `plan ${input.planId} does not exist`, { id: String(input.planId) }), 'planId');
      if (plan.type !== 'prepaid') throw new TollgateError('invalid_input', said('fault.voucher.notPrepaid', `plan "${plan.name}" is not prepaid: vouchers sell prepaid plans`, { plan: plan.name }), 'planId');
      const price = input.price ?? plan.price;
      if (!Number.isSafeInteger(price) || price < 0) throw new TollgateError('invalid_input', said('fault.voucher.price', 'price must be a non-negative integer (minor units)'), 'price');
      const at = now().toISOString();
      const batch = await store.insertBatch({
        name: input.name, planId: input.planId, count: input.count, codeLength, price, validUntil: input.validUntil ?? null, createdAt: at, createdBy: actor.id,
      });
      // Unique within the batch here; those an earlier batch holds are refused by the insert and drawn again.
      const drawn = new Set(generateCodes(input.count, codeLength));
      const refused = new Set<string>();
      let taken = await store.insertVouchers(batch.id, [...drawn]);
      for (let attempt = 0; taken.length > 0; attempt++) {
        if (attempt >= 10) throw new TollgateError('conflict', said('fault.voucher.codesUsed', 'could not find enough unused codes: use longer codes'), 'codeLength');
        for (const code of taken) {
          drawn.delete(code);
          refused.add(code);
        }
        const more = generateCodes(taken.length, codeLength, (c) => drawn.has(c) || refused.has(c));
        for (const code of more) drawn.add(code);
        taken = await store.insertVouchers(batch.id, more);
      }
      const codes = [...drawn];
      await store.audit(actor, at, 'create', 'voucher_batch', batch.id, undefined, { ...batch });
      return { ...batch, codes };
    });
  }

  /** Redeems a voucher; throws `conflict` when it was redeemed already (also by a concurrent attempt). */
  async function redeem(input: RedeemInput, actor: Actor): Promise<Redemption> {
    const code = normalizeCode(input.code ?? '');
    if (!looksLikeVoucher(code)) throw new TollgateError('not_found', said('fault.voucher.unknown', 'no such voucher'), 'code');
    const { redemption, notice } = await store.transaction(async () => {
      const v = await store.voucherByCode(code);
      if (!v) throw new TollgateError('not_found', said('fault.voucher.unknown', 'no such voucher'), 'code');
      if (v.redeemedAt !== null) throw new TollgateError('conflict', said('fault.voucher.redeemedAt', `voucher already redeemed at ${v.redeemedAt}`, { at: v.redeemedAt }), 'code');
      if (v.validUntil !== null && today() > v.validUntil) throw new TollgateError('conflict', said('fault.voucher.expired', `voucher valid until ${v.validUntil}`, { date: v.validUntil }), 'code');
      const at = now().toISOString();
      let serviceId: number;
      let customerId: number;
      let username: string;
      let created = false;
      if (input.serviceId !== undefined) {
        const svc = await topups.topupService(input.serviceId);
        if (!svc) throw new TollgateError('invalid_input', said('fault.noService', `service ${input.serviceId} does not exist`, { id: String(input.serviceId) }), 'serviceId');
        if (svc.planId !== v.planId) throw new TollgateError('conflict', said('fault.voucher.otherPlan', `the voucher is for plan ${v.planId}, the service is on plan ${svc.planId}`, { plan: String(v.planId), servicePlan: String(svc.planId) }), 'serviceId');
        serviceId = svc.id;
        customerId = svc.customerId;
        username = svc.username;
      } else {
        if (input.customerId !== undefined) {
          if (!(await store.customerExists(input.customerId))) throw new TollgateError('invalid_input', said('fault.noCustomer', `customer ${input.customerId} does not exist`, { id: String(input.customerId) }), 'customerId');
          customerId = input.customerId;
        } else {
          const name = input.customer?.name?.trim() || `Voucher ${formatCode(code).slice(0, 4)}…`;
          customerId = await store.insertCustomer(name, `created by voucher ${v.id}`, at);
          await store.audit(actor, at, 'create', 'customer', customerId, undefined, { id: customerId, name, via: 'voucher' });
        }
        username = input.username ?? code;
        if (await store.usernameTaken(username)) throw new TollgateError('conflict', said('fault.usernameTaken', `username "${username}" is taken`, { username }), 'username');
        serviceId = await store.insertService(customerId, v.planId, username, opts.box.seal(input.password ?? code), today(), at);
        await store.audit(actor, at, 'create', 'service', serviceId, undefined, { id: serviceId, customerId, planId: v.planId, username, via: 'voucher' });
        created = true;
      }
      // The guard: exactly one caller changes the row; a loser rolls back everything above.
      if (!(await store.redeem(v.id, at, serviceId, actor.id))) throw new TollgateError('conflict', said('fault.voucher.redeemed', 'voucher already redeemed'), 'code');
      const { result: t, notice } = await opts.prepaid.stageTopup(serviceId, { source: 'voucher', amount: v.price, voucherId: v.id, method: 'voucher', reference: `voucher ${v.id}` }, actor);
      await store.audit(actor, at, 'redeem', 'voucher', v.id, undefined, { serviceId, customerId, created, expiresAt: t.expiresAt });
      const redemption: Redemption = { voucherId: v.id, serviceId, customerId, username, created, expiresAt: t.expiresAt, invoiceId: t.invoiceId };
      return { redemption, notice };
    });
    // Committed: now the customer may hear about it.
    opts.prepaid.sendNotice(notice);
    return redemption;
  }

  /**
   * A hotspot login with an unknown username: when it is an unredeemed voucher and the password is
   * empty or the code again, the voucher becomes a new service (username and password the code).
   * Resolves to true when the code is now redeemed, by this login or by a concurrent one (its service
   * is then looked up and the login's credentials checked against it like any login's), false when
   * the username is no voucher (the login stays unknown). The Access-Request handler awaits it before
   * it looks the service up again.
   */
  async function redeemAtLogin(username: string, password: string | undefined): Promise<boolean> {
    if (!looksLikeVoucher(username)) return false;
    if (password !== undefined && password !== '' && password !== username) return false;
    const v = await store.voucherByCode(username);
    if (!v) return false;
    // Already redeemed: most often by a concurrent first login that committed after this login's
    // service lookup missed (parallel logins, a retransmission reaching the other node). The caller
    // looks the service up again; a voucher whose service is gone stays an unknown user there.
    if (v.redeemedAt !== null) return true;
    try {
      await redeem({ code: username }, { id: 'system:hotspot' });
      return true;
    } catch (e) {
      if (!(e instanceof TollgateError)) throw e;
      // Lost to a concurrent redemption, typically a retransmitted or repeated first login: on
      // PostgreSQL the winner commits on another connection between the check above and this one's
      // transaction, which then finds the voucher taken.
      const after = await store.voucherByCode(username);
      return after !== undefined && after.redeemedAt !== null;
    }
  }

  async function batchWithVouchers(id: number) {
    const batch = await store.batch(id);
    if (!batch) throw notFound('voucher batch', id);
    return { batch, vouchers: await store.vouchersOf(id), plan: (await store.plan(batch.planId))! };
  }

  async function csvRows(id: number): Promise<(string | number | null)[][]> {
    const { batch, vouchers, plan } = await batchWithVouchers(id);
    return [
      ['batch', 'code', 'code_printed', 'plan', 'validity_days', 'price', 'valid_until', 'redeemed_at', 'service_id'],
      ...vouchers.map((v) => [batch.id, v.code, formatCode(v.code), plan.name, plan.validityDays, batch.price, batch.validUntil, v.redeemedAt, v.serviceId]),
    ];
  }

  /** A printable A4 sheet of cards, three across, unredeemed vouchers only, in `language` (default: the installation's). */
  async function pdf(id: number, language: Locale = opts.defaultLanguage ?? 'en'): Promise<Buffer> {
    const { batch, vouchers, plan } = await batchWithVouchers(id);
    const t = translator(language);
    const f = formatter(language, { timeZone: opts.timezone, currency: opts.currency });
    const cards = vouchers.filter((v) => v.redeemedAt === null).map((v) => ({
      stack: [
        { text: plan.name, bold: true, fontSize: 10 },
        // Wide letter spacing keeps the code readable without a monospaced font.
        { text: formatCode(v.code), fontSize: 13, bold: true, characterSpacing: 1.5, margin: [0, 6, 0, 6] },
        { text: t('pdf.voucherValidity', { n: plan.validityDays, price: f.money(batch.price) }), fontSize: 8 },
        ...(batch.validUntil ? [{ text: t('pdf.voucherRedeemBy', { date: f.date(batch.validUntil, 'short') }), fontSize: 8 }] : []),
      ],
      margin: [6, 8, 6, 8],
    }));
    const rows: unknown[][] = [];
    for (let i = 0; i < cards.length; i += 3) {
      const row: unknown[] = cards.slice(i, i + 3);
      while (row.length < 3) row.push({ text: '' });
      rows.push(row);
    }
    const doc = {
      info: { title: t('pdf.vouchersTitle', { name: batch.name }), creator: 'Tollgate' },
      language,
      defaultStyle: { font: DOCUMENT_FONT, fontSize: 9 },
      pageSize: 'A4',
      content: [
        { text: t('pdf.vouchersHeading', { name: batch.name, n: cards.length }), fontSize: 12, bold: true, margin: [0, 0, 0, 8] },
        rows.length > 0 ? { table: { widths: ['*', '*', '*'], dontBreakRows: true, body: rows } } : { text: t('pdf.noVouchers') },
      ],
    };
    return renderPdf(doc);
  }

  return { createBatch, redeem, redeemAtLogin, batchWithVouchers, csvRows, pdf, batches: store.batches };
}
