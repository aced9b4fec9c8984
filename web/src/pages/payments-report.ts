// Payments over a period: filters (dates, method, customer), the totals per method over every match,
// the matching payments with their customer and a receipt each.
import { LitElement, css, html } from 'lit';
import { Task } from '@lit/task';
import { paymentTotals, receiptPdfUrl } from '../data/operator.js';
import { listPayments, type Payment } from '../data/payments.js';
import '../components/table.js';
import type { Column } from '../components/table.js';
import { base, day, errorText, money } from '../ui.js';

const t = {
  title: 'Payments by period',
  from: 'From',
  to: 'To',
  method: 'Method',
  anyMethod: 'any',
  customer: 'Customer number',
  apply: 'Show',
  totals: 'Totals',
  count: 'Payments',
  amount: 'Received',
  refunded: 'Refunded',
  net: 'Net',
  all: 'All methods',
  date: 'Date',
  reference: 'Reference',
  receipt: 'Receipt',
  empty: 'No payment matches.',
  record: 'Record a payment',
  back: 'Payments',
};

const METHODS = ['bank', 'cash', 'card', 'cheque', 'other'];

export class TgPaymentsReport extends LitElement {
  static override styles = [base, css`table.totals td, table.totals th { text-align: right; } table.totals th:first-child, table.totals td:first-child { text-align: left; }`];
  static override properties = { query: { state: true } };
  declare query: Record<string, string>;

  constructor() {
    super();
    const today = new Date();
    this.query = { from: `${today.getFullYear()}-${String(today.getMonth() + 1).padStart(2, '0')}-01` };
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
      { label: t.date, render: (p) => day(p.date) },
      { label: t.customer, render: (p) => html`<a href="/customers/${p.customerId}">${p.customerName ?? `#${p.customerId}`}</a>` },
      { label: t.amount, render: (p) => money(p.amount), num: true },
      { label: t.method, render: (p) => p.method },
      { label: t.reference, render: (p) => p.reference ?? '—', hideSmall: true },
      { label: '', render: (p) => html`<a href=${receiptPdfUrl(p.id)} target="_blank" rel="noopener">${t.receipt}</a>` },
    ];
    return html`<p><a href="/payments">← ${t.back}</a></p>
      <div class="row"><h1 class="grow">${t.title}</h1><a class="button" href="/payments/new">${t.record}</a></div>
      <form class="card row" @submit=${this.filter}>
        <div><label for="from">${t.from}</label><input id="from" name="from" type="date" .value=${q.from ?? ''}></div>
        <div><label for="to">${t.to}</label><input id="to" name="to" type="date" .value=${q.to ?? ''}></div>
        <div><label for="method">${t.method}</label><select id="method" name="method"><option value="">${t.anyMethod}</option>
          ${METHODS.map((m) => html`<option ?selected=${q.method === m}>${m}</option>`)}</select></div>
        <div><label for="customerId">${t.customer}</label><input id="customerId" name="customerId" type="number" min="1" inputmode="numeric" .value=${q.customerId ?? ''}></div>
        <button type="submit">${t.apply}</button>
      </form>
      <section class="card"><h2>${t.totals}</h2>${this.totals.render({
        complete: (r) => html`<table class="totals"><thead><tr><th>${t.method}</th><th>${t.count}</th><th>${t.amount}</th><th>${t.refunded}</th><th>${t.net}</th></tr></thead>
          <tbody>${r.byMethod.map((m) => html`<tr><td>${m.method}</td><td>${m.count}</td><td>${money(m.amount, r.currency)}</td><td>${money(m.refunded, r.currency)}</td><td>${money(m.net, r.currency)}</td></tr>`)}</tbody>
          <tfoot><tr><th>${t.all}</th><th>${r.total.count}</th><th>${money(r.total.amount, r.currency)}</th><th>${money(r.total.refunded, r.currency)}</th><th>${money(r.total.net, r.currency)}</th></tr></tfoot></table>`,
        error: (err) => html`<div class="banner error">${errorText(err)}</div>`,
      })}</section>
      <tg-table .load=${listPayments} .query=${q} .columns=${cols} empty=${t.empty}></tg-table>`;
  }
}
customElements.define('tg-payments-report', TgPaymentsReport);
