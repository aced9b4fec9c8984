// Payments over a period: filters (dates, method, customer), the totals per method over every match,
// the matching payments with their customer and a receipt each.
import { LitElement, css, html } from 'lit';
import { Task } from '@lit/task';
import { paymentTotals, receiptPdfUrl } from '../data/operator.js';
import { listPayments, type Payment } from '../data/payments.js';
import '../components/table.js';
import type { Column } from '../components/table.js';
import '../components/date-input.js';
import { base, day, errorText, money, todayIso } from '../ui.js';
import { f, t } from '../i18n.js';
import { PAYMENT_METHODS, methodName } from '../names.js';


export class TgPaymentsReport extends LitElement {
  static override styles = [base, css`table.totals td, table.totals th { text-align: right; } table.totals th:first-child, table.totals td:first-child { text-align: left; }`];
  static override properties = { query: { state: true } };
  declare query: Record<string, string>;

  constructor() {
    super();
    // The first of this month in the billing time zone, as the totals on invoices count it.
    this.query = { from: `${todayIso().slice(0, 8)}01` };
  }

  private readonly totals = new Task(this, {
    task: ([q]: readonly [Record<string, string>]) => paymentTotals({ ...q, ...(q.customerId ? { customerId: Number(q.customerId) } : {}) }),
    args: (): readonly [Record<string, string>] => [this.query],
  });

  private filter(e: Event) {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    this.query = Object.fromEntries([...f.entries()].filter(([, v]) => v !== '')) as Record<string, string>;
  }

  override render() {
    const q = this.query;
    const cols: Array<Column<Payment>> = [
      { label: t('col.date'), render: (p) => day(p.date) },
      { label: t('col.customer'), render: (p) => html`<a href="/customers/${p.customerId}">${p.customerName ?? `#${p.customerId}`}</a>` },
      { label: t('payments.received'), render: (p) => money(p.amount), num: true },
      { label: t('col.method'), render: (p) => methodName(p.method) },
      { label: t('col.reference'), render: (p) => p.reference ?? '—', hideSmall: true },
      { label: '', render: (p) => html`<a href=${receiptPdfUrl(p.id)} target="_blank" rel="noopener">${t('payments.receipt')}</a>` },
    ];
    return html`<p><a href="/payments">← ${t('nav.payments')}</a></p>
      <div class="row"><h1 class="grow">${t('payments.reportTitle')}</h1><a class="button" href="/payments/new">${t('payments.record')}</a></div>
      <form class="card row" @submit=${this.filter}>
        <div><label for="from">${t('payments.from')}</label><tg-date-input input-id="from" name="from" .value=${q.from ?? ''}></tg-date-input></div>
        <div><label for="to">${t('payments.to')}</label><tg-date-input input-id="to" name="to" .value=${q.to ?? ''}></tg-date-input></div>
        <div><label for="method">${t('col.method')}</label><select id="method" name="method"><option value="">${t('payments.anyMethod')}</option>
          ${PAYMENT_METHODS.map((m) => html`<option value=${m} ?selected=${q.method === m}>${methodName(m)}</option>`)}</select></div>
        <div><label for="customerId">${t('payments.customerNumber')}</label><input id="customerId" name="customerId" type="number" min="1" inputmode="numeric" .value=${q.customerId ?? ''}></div>
        <button type="submit">${t('payments.show')}</button>
      </form>
      <section class="card"><h2>${t('payments.totals')}</h2>${this.totals.render({
        complete: (r) => html`<table class="totals"><thead><tr><th>${t('col.method')}</th><th>${t('payments.count')}</th><th>${t('payments.received')}</th><th>${t('payments.refunded')}</th><th>${t('payments.net')}</th></tr></thead>
          <tbody>${r.byMethod.map((m) => html`<tr><td>${methodName(m.method)}</td><td>${f().number(m.count)}</td><td>${money(m.amount, r.currency)}</td><td>${money(m.refunded, r.currency)}</td><td>${money(m.net, r.currency)}</td></tr>`)}</tbody>
          <tfoot><tr><th>${t('payments.allMethods')}</th><th>${f().number(r.total.count)}</th><th>${money(r.total.amount, r.currency)}</th><th>${money(r.total.refunded, r.currency)}</th><th>${money(r.total.net, r.currency)}</th></tr></tfoot></table>`,
        error: (err) => html`<div class="banner error">${errorText(err)}</div>`,
      })}</section>
      <tg-table .load=${listPayments} .query=${q} .columns=${cols} empty=${t('payments.empty')}></tg-table>`;
  }
}
customElements.define('tg-payments-report', TgPaymentsReport);
