// Customers: search as you type, or the services in a state, one page of the list at a time.
import { LitElement, html } from 'lit';
import { listCustomers, type Customer } from '../data/customers.js';
import { listServices, type Service } from '../data/services.js';
import '../components/table.js';
import type { Column } from '../components/table.js';
import { badge, base, day } from '../ui.js';
import { f, t } from '../i18n.js';

export class TgCustomers extends LitElement {
  static override styles = [base];
  static override properties = { q: {}, status: {}, query: { state: true } };
  declare q: string;
  /** A service status: the list shows the services in it instead of customers. */
  declare status: string;
  declare query: Record<string, string>;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    super();
    this.q = '';
    this.status = '';
    this.query = {};
  }

  protected override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('q')) this.query = this.q ? { q: this.q } : {};
  }

  private typed(e: Event): void {
    const v = (e.target as HTMLInputElement).value.trim();
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.query = v ? { q: v } : {};
      history.replaceState(null, '', v ? `/customers?q=${encodeURIComponent(v)}` : '/customers');
    }, 200);
  }

  override render() {
    const cols: Array<Column<Customer>> = [
      { label: t('col.name'), render: (c) => html`<a href="/customers/${c.id}">${c.name}</a>` },
      { label: t('customer.field.phone'), render: (c) => c.phone ?? '—' },
      { label: t('customer.field.email'), render: (c) => c.email ?? '—', hideSmall: true },
      { label: t('customers.since'), render: (c) => f().day(c.createdAt), hideSmall: true },
    ];
    const svcCols: Array<Column<Service>> = [
      { label: t('login.username'), render: (s) => html`<a href="/customers/${s.customerId}">${s.username}</a>` },
      { label: t('col.status'), render: (s) => badge(s.status) },
      { label: 'MAC', render: (s) => s.macAddress ?? '—', hideSmall: true },
      { label: t('customers.since'), render: (s) => day(s.startDate), hideSmall: true },
      { label: '', render: (s) => html`<a href="/services/${s.id}/why">${t('customers.whyOffline')}</a>` },
    ];
    const pick = (e: Event) => {
      const v = (e.target as HTMLSelectElement).value;
      this.status = v;
      history.replaceState(null, '', v ? `/customers?status=${v}` : '/customers');
    };
    return html`
      <div class="row"><h1 class="grow">${t('nav.customers')}</h1><a class="button" href="/customers/new">${t('customers.new')}</a></div>
      <div class="card row">
        <div class="grow"><label for="search">${t('customers.search')}</label>
        <input id="search" type="search" .value=${this.q} placeholder=${t('customers.searchPlaceholder')} @input=${this.typed} ?disabled=${!!this.status} autofocus></div>
        <div><label for="status">${t('customers.show')}</label><select id="status" @change=${pick}>
          ${[['', t('customers.showCustomers')], ['suspended', t('customers.showSuspended')], ['proposal', t('customers.showProposal')], ['ended', t('customers.showEnded')], ['active', t('customers.showActive')]].map(([v, l]) => html`<option value=${v!} ?selected=${this.status === v}>${l}</option>`)}
        </select></div>
      </div>
      ${this.status
        ? html`<tg-table .load=${listServices} .query=${{ status: this.status }} .columns=${svcCols} .rowHref=${(s: Service) => `/customers/${s.customerId}`} empty=${t('customers.noServiceInState')}></tg-table>`
        : html`<tg-table .load=${listCustomers} .query=${this.query} .columns=${cols} .rowHref=${(c: Customer) => `/customers/${c.id}`} empty=${t('customers.noMatch')}></tg-table>`}`;
  }
}
customElements.define('tg-customers', TgCustomers);
