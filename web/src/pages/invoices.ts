// The invoices, filtered by status and issue dates, one page at a time.
import { LitElement, html } from 'lit';
import { invoicesCsvUrl, listInvoices, type InvoiceSummary } from '../data/invoices.js';
import '../components/table.js';
import type { Column } from '../components/table.js';
import '../components/date-input.js';
import { invoiceStatus } from '../components/invoice-status.js';
import { base, day, money, statusName } from '../ui.js';
import { t } from '../i18n.js';

export class TgInvoices extends LitElement {
  static override styles = [base];
  static override properties = { query: { state: true } };
  declare query: Record<string, string>;
  constructor() {
    super();
    this.query = {};
  }
  private filter(e: Event) {
    const form = new FormData(e.currentTarget as HTMLFormElement);
    e.preventDefault();
    this.query = Object.fromEntries([...form.entries()].filter(([, v]) => v !== '')) as Record<string, string>;
  }
  override render() {
    const cols: Array<Column<InvoiceSummary>> = [
      { label: t('col.number'), render: (i) => html`<a href="/invoices/${i.id}">${i.number}</a>` },
      { label: t('col.customer'), render: (i) => html`<a href="/customers/${i.customerId}">${i.customerName ?? `#${i.customerId}`}</a>` },
      { label: t('col.issued'), render: (i) => day(i.issueDate), hideSmall: true },
      { label: t('col.due'), render: (i) => day(i.dueDate) },
      { label: t('col.total'), render: (i) => money(i.total, i.currency), num: true },
      { label: t('col.open'), render: (i) => money(i.open, i.currency), num: true },
      { label: t('col.status'), render: invoiceStatus },
    ];
    return html`<h1>${t('nav.invoices')}</h1>
      <form class="card row" @change=${this.filter} @submit=${this.filter}>
        <div><label for="status">${t('col.status')}</label><select id="status" name="status"><option value="">${t('invoices.any')}</option><option value="open">${statusName('open')}</option><option value="paid">${statusName('paid')}</option></select></div>
        <div><label for="from">${t('invoices.issuedFrom')}</label><tg-date-input input-id="from" name="from"></tg-date-input></div>
        <div><label for="to">${t('invoices.to')}</label><tg-date-input input-id="to" name="to"></tg-date-input></div>
        <a class="button secondary" href=${invoicesCsvUrl()} download>CSV</a>
      </form>
      <tg-table .load=${listInvoices} .query=${this.query} .columns=${cols} .rowHref=${(i: InvoiceSummary) => `/invoices/${i.id}`} empty=${t('invoices.empty')}></tg-table>`;
  }
}
customElements.define('tg-invoices', TgInvoices);
