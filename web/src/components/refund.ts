// The refund form of one payment and the payments tables' refund columns, shared by the payments
// page and the customer page.
import { LitElement, html, nothing } from 'lit';
import type { Body } from '../data/http.js';
import { refundPayment, type Payment, type Refund } from '../data/payments.js';
import { base, money, toast, todayIso } from '../ui.js';
import { t } from '../i18n.js';
import './form.js';
import type { Field } from './form.js';
import type { Column } from './table.js';

const refundFields = (p: Payment): Field[] => [
  { name: 'amount', label: t('refund.amount'), type: 'money', min: 0.01, help: t('refund.amountHelp', { max: money(p.amount - p.refunded) }),
    validate: (v) => (typeof v === 'number' && v > p.amount - p.refunded ? t('refund.tooMuch', { max: money(p.amount - p.refunded) }) : undefined) },
  { name: 'date', label: t('refund.date'), type: 'date' },
  { name: 'reason', label: t('refund.reason'), nullable: true, maxLength: 500 },
  { name: 'reopenInvoices', label: t('refund.reopen'), type: 'checkbox', help: t('refund.reopenHelp') },
];

/**
 * The refund form's default date: today, or the payment's date when that is later (the browser's
 * UTC today can be a day behind the billing timezone's, and a refund cannot precede its payment).
 */
const refundDate = (p: Payment) => (p.date > todayIso() ? p.date : todayIso());

/** The refund form of one payment: fires `refunded` (detail: the API's answer) once done and `cancel` when closed. */
export class TgRefund extends LitElement {
  static override styles = [base];
  static override properties = { payment: { attribute: false } };
  declare payment: Payment | undefined;
  override render() {
    const r = this.payment;
    if (!r) return nothing;
    return html`<div class="card" data-test="refund-form"><h2>${t('refund.title', { id: r.id, amount: money(r.amount) })}${r.reference ? ` · ${r.reference}` : ''}</h2>
      <tg-form .fields=${refundFields(r)} submitLabel=${t('refund.submit')} .values=${{ date: refundDate(r) }}
        .action=${(b: Body) => refundPayment(r.id, b)}
        @saved=${(e: CustomEvent<Refund>) => {
          toast(t('refund.done', { amount: money(e.detail.amount) }));
          this.dispatchEvent(new CustomEvent('refunded', { detail: e.detail }));
        }}>
        <button type="button" class="secondary" @click=${() => this.dispatchEvent(new CustomEvent('cancel'))}>${t('common.cancel')}</button></tg-form></div>`;
  }
}
customElements.define('tg-refund', TgRefund);

/** The payments tables' "Refunded" column and their refund action (a button while something is left to refund). */
export function refundColumns(open: (p: Payment) => void): [Column<Payment>, Column<Payment>] {
  return [
    { label: t('refund.refundedColumn'), render: (p) => (p.refunded ? money(p.refunded) : '—'), num: true, hideSmall: true },
    { label: '', render: (p) => (p.refunded < p.amount ? html`<button class="secondary" @click=${() => open(p)}>${t('refund.submit')}</button>` : html`<span class="muted">${t('refund.refunded')}</span>`) },
  ];
}

declare global {
  interface HTMLElementTagNameMap {
    'tg-refund': TgRefund;
  }
}
