// The payments received, with their refunds.
import { LitElement, html, nothing } from 'lit';
import { listPayments, paymentsCsvUrl, type Payment } from '../data/payments.js';
import { refundColumns } from '../components/refund.js';
import '../components/table.js';
import type { Column } from '../components/table.js';
import { base, day, money } from '../ui.js';

export class TgPayments extends LitElement {
  static override styles = [base];
  static override properties = { refunding: { state: true } };
  declare refunding: Payment | undefined;
  override render() {
    const [refunded, action] = refundColumns((p) => (this.refunding = p));
    const cols: Array<Column<Payment>> = [
      { label: 'Date', render: (p) => day(p.date) },
      { label: 'Customer', render: (p) => html`<a href="/customers/${p.customerId}">${p.customerName ?? `#${p.customerId}`}</a>` },
      { label: 'Amount', render: (p) => money(p.amount), num: true },
      refunded,
      { label: 'Method', render: (p) => p.method },
      { label: 'Reference', render: (p) => p.reference ?? '—', hideSmall: true },
      action,
    ];
    const r = this.refunding;
    return html`<div class="row"><h1 class="grow">Payments</h1><a class="button secondary" href=${paymentsCsvUrl()} download>CSV</a></div>
      <p><a class="button" href="/payments/new">Record a payment</a> <a class="button secondary" href="/payments/report">Totals by period</a></p>
      ${r ? html`<tg-refund .payment=${r} @cancel=${() => (this.refunding = undefined)}
        @refunded=${() => { this.refunding = undefined; void this.renderRoot.querySelector('tg-table')?.reload(); }}></tg-refund>` : nothing}
      <tg-table .load=${listPayments} .columns=${cols} empty="No payment yet."></tg-table>`;
  }
}
customElements.define('tg-payments', TgPayments);
