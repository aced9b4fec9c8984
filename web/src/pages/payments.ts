// The payments received, with their refunds.
import { LitElement, html, nothing } from 'lit';
import { listPayments, paymentsCsvUrl, type Payment } from '../data/payments.js';
import { refundColumns } from '../components/refund.js';
import '../components/table.js';
import type { Column } from '../components/table.js';
import { base, day, money } from '../ui.js';
import { t } from '../i18n.js';
import { methodName } from '../names.js';

export class TgPayments extends LitElement {
  static override styles = [base];
  static override properties = { refunding: { state: true } };
  declare refunding: Payment | undefined;
  override render() {
    const [refunded, action] = refundColumns((p) => (this.refunding = p));
    const cols: Array<Column<Payment>> = [
      { label: t('col.date'), render: (p) => day(p.date) },
      { label: t('col.customer'), render: (p) => html`<a href="/customers/${p.customerId}">${p.customerName ?? `#${p.customerId}`}</a>` },
      { label: t('col.amount'), render: (p) => money(p.amount), num: true },
      refunded,
      { label: t('col.method'), render: (p) => methodName(p.method) },
      { label: t('col.reference'), render: (p) => p.reference ?? '—', hideSmall: true },
      action,
    ];
    const r = this.refunding;
    return html`<div class="row"><h1 class="grow">${t('nav.payments')}</h1><a class="button secondary" href=${paymentsCsvUrl()} download>CSV</a></div>
      <p class="muted">${t('payments.hint')}</p>
      <p><a class="button" href="/payments/new">${t('payments.record')}</a> <a class="button secondary" href="/payments/report">${t('payments.byPeriod')}</a></p>
      ${r ? html`<tg-refund .payment=${r} @cancel=${() => (this.refunding = undefined)}
        @refunded=${() => { this.refunding = undefined; void this.renderRoot.querySelector('tg-table')?.reload(); }}></tg-refund>` : nothing}
      <tg-table .load=${listPayments} .columns=${cols} empty=${t('customer.noPayment')}></tg-table>`;
  }
}
customElements.define('tg-payments', TgPayments);
