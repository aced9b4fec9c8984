// The invoices, filtered by status and issue dates, one page at a time.
import { LitElement, html } from 'lit';
import { invoicesCsvUrl, listInvoices, type InvoiceSummary } from '../data/invoices.js';
import '../components/table.js';
import type { Column } from '../components/table.js';
import { invoiceStatus } from '../components/invoice-status.js';
import { base, day, money } from '../ui.js';

export class TgInvoices extends LitElement {
  static override styles = [base];
  static override properties = { query: { state: true } };
  declare query: Record<string, string>;
  constructor() {
    super();
    this.query = {};
  }
  private filter(e: Event) {
    const f = new FormData(e.currentTarget as HTMLFormElement);
    e.preventDefault();
    this.query = Object.fromEntries([...f.entries()].filter(([, v]) => v !== '')) as Record<string, string>;
  }
  override render() {
    const cols: Array<Column<InvoiceSummary>> = [
      { label: 'Number', render: (i) => html`<a href="/invoices/${i.id}">${i.number}</a>` },
      { label: 'Customer', render: (i) => html`<a href="/customers/${i.customerId}">${i.customerName ?? `#${i.customerId}`}</a>` },
      { label: 'Issued', render: (i) => day(i.issueDate), hideSmall: true },
      { label: 'Due', render: (i) => day(i.dueDate) },
      { label: 'Total', render: (i) => money(i.total, i.currency), num: true },
      { label: 'Open', render: (i) => money(i.open, i.currency), num: true },
      { label: 'Status', render: invoiceStatus },
    ];
    return html`<h1>Invoices</h1>
      <form class="card row" @change=${this.filter} @submit=${this.filter}>
        <div><label for="status">Status</label><select id="status" name="status"><option value="">any</option><option>open</option><option>paid</option></select></div>
        <div><label for="from">Issued from</label><input id="from" name="from" type="date"></div>
        <div><label for="to">to</label><input id="to" name="to" type="date"></div>
        <a class="button secondary" href=${invoicesCsvUrl()} download>CSV</a>
      </form>
      <tg-table .load=${listInvoices} .query=${this.query} .columns=${cols} .rowHref=${(i: InvoiceSummary) => `/invoices/${i.id}`} empty="No invoice."></tg-table>`;
  }
}
customElements.define('tg-invoices', TgInvoices);
