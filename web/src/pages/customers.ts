// Customers: search as you type, or the services in a state, one page of the list at a time.
import { LitElement, html } from 'lit';
import { listCustomers, type Customer } from '../data/customers.js';
import { listServices, type Service } from '../data/services.js';
import '../components/table.js';
import type { Column } from '../components/table.js';
import { badge, base, day } from '../ui.js';

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
      { label: 'Name', render: (c) => html`<a href="/customers/${c.id}">${c.name}</a>` },
      { label: 'Phone', render: (c) => c.phone ?? '—' },
      { label: 'Email', render: (c) => c.email ?? '—', hideSmall: true },
      { label: 'Since', render: (c) => day(c.createdAt.slice(0, 10)), hideSmall: true },
    ];
    const svcCols: Array<Column<Service>> = [
      { label: 'Username', render: (s) => html`<a href="/customers/${s.customerId}">${s.username}</a>` },
      { label: 'Status', render: (s) => badge(s.status) },
      { label: 'MAC', render: (s) => s.macAddress ?? '—', hideSmall: true },
      { label: 'Since', render: (s) => day(s.startDate), hideSmall: true },
      { label: '', render: (s) => html`<a href="/services/${s.id}/why">why offline?</a>` },
    ];
    const pick = (e: Event) => {
      const v = (e.target as HTMLSelectElement).value;
      this.status = v;
      history.replaceState(null, '', v ? `/customers?status=${v}` : '/customers');
    };
    return html`
      <div class="row"><h1 class="grow">Customers</h1><a class="button" href="/customers/new">New customer</a></div>
      <div class="card row">
        <div class="grow"><label for="search">Search</label>
        <input id="search" type="search" .value=${this.q} placeholder="name, username, phone, MAC or IP" @input=${this.typed} ?disabled=${!!this.status} autofocus></div>
        <div><label for="status">Show</label><select id="status" @change=${pick}>
          ${[['', 'customers'], ['suspended', 'suspended services'], ['proposal', 'services not active yet'], ['ended', 'ended services'], ['active', 'active services']].map(([v, l]) => html`<option value=${v!} ?selected=${this.status === v}>${l}</option>`)}
        </select></div>
      </div>
      ${this.status
        ? html`<tg-table .load=${listServices} .query=${{ status: this.status }} .columns=${svcCols} .rowHref=${(s: Service) => `/customers/${s.customerId}`} empty="No service in that state."></tg-table>`
        : html`<tg-table .load=${listCustomers} .query=${this.query} .columns=${cols} .rowHref=${(c: Customer) => `/customers/${c.id}`} empty="No customer matches."></tg-table>`}`;
  }
}
customElements.define('tg-customers', TgCustomers);
