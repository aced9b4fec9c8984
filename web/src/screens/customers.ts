// Customers: search as you type, the list, the detail page with services, money, sessions and
// actions, the create/edit forms of customers and services, and "why is this customer offline".
import { LitElement, html, nothing } from 'lit';
import { api, type AuditEntry, type AuthLogEntry, type Customer, type Invoice, type NasAction, type Page, type Payment, type Plan, type PlanChange, type Service, type ServiceTerms, type Session, type Statement } from '../api.js';
import { planChangeRows } from '../forms.js';
import { navigate } from '../router.js';
import { refundColumns } from './billing.js';
import { ago, badge, base, bytes, day, duration, errorText, money, toast, todayIso, when, type Column, type Field, type TgTable } from '../ui.js';
import { verdict, type Verdict } from '../verdict.js';

export const customerFields: Field[] = [
  { name: 'name', label: 'Name', required: true, maxLength: 200 },
  { name: 'email', label: 'Email', type: 'email', nullable: true, maxLength: 254 },
  { name: 'phone', label: 'Phone', type: 'tel', nullable: true, pattern: '\\+?[0-9 ()./-]{3,32}', patternMessage: 'may hold digits, spaces and + ( ) . / - only' },
  { name: 'address', label: 'Address', nullable: true, maxLength: 1000 },
  { name: 'taxId', label: 'Tax id', nullable: true, maxLength: 64 },
  { name: 'notes', label: 'Notes', type: 'textarea', maxLength: 10000 },
];

const MAC = '([0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}|[0-9A-Fa-f]{12}|([0-9A-Fa-f]{4}\\.){2}[0-9A-Fa-f]{4}';
export function serviceFields(plans: Plan[], editing: boolean): Field[] {
  return [
    { name: 'planId', label: 'Plan', type: 'select', numeric: true, required: true, options: plans.map((p) => [String(p.id), `${p.name} (${money(p.price)})`]) },
    { name: 'username', label: 'Username (PPPoE / hotspot)', required: true, maxLength: 253, pattern: '\\S+', patternMessage: 'may not contain spaces' },
    { name: 'password', label: 'Password', type: 'password', required: !editing, maxLength: 128, autocomplete: 'new-password', help: editing ? 'leave empty to keep the current one' : 'write-only: never shown again' },
    { name: 'status', label: 'Status', type: 'select', options: ['active', 'proposal', 'suspended', 'ended', 'free'].map((s) => [s, s]), required: true },
    { name: 'startDate', label: 'Start date', type: 'date', required: true },
    { name: 'macAddress', label: 'MAC address', nullable: true, pattern: MAC, patternMessage: 'is not a MAC address (AA:BB:CC:DD:EE:FF)', help: 'binds logins to this Calling-Station-Id' },
    { name: 'staticIp', label: 'Static IP', nullable: true, maxLength: 45, pattern: '[0-9.]{7,15}|[0-9a-fA-F:]{2,45}', patternMessage: 'is not an IP address' },
    { name: 'simultaneousUse', label: 'Simultaneous sessions', type: 'number', min: 1, max: 1000 },
  ];
}

const statusOf = (s: Service) => badge(s.status);

// ---- The list

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
      { label: 'Status', render: statusOf },
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
        ? html`<tg-table path="/services" .query=${{ status: this.status }} .columns=${svcCols} .rowHref=${(s: Service) => `/customers/${s.customerId}`} empty="No service in that state."></tg-table>`
        : html`<tg-table path="/customers" .query=${this.query} .columns=${cols} .rowHref=${(c: Customer) => `/customers/${c.id}`} empty="No customer matches."></tg-table>`}`;
  }
}
customElements.define('tg-customers', TgCustomers);

// ---- Create

export class TgCustomerEdit extends LitElement {
  static override styles = [base];
  override render() {
    return html`<h1>New customer</h1><div class="card">
      <tg-form .fields=${customerFields} submitLabel="Create customer" .action=${(b: Record<string, unknown>) => api.post<Customer>('/customers', b)}
        @saved=${(e: CustomEvent<Customer>) => {
          toast(`Customer ${e.detail.name} created`);
          navigate(`/customers/${e.detail.id}`);
        }}></tg-form></div>`;
  }
}
customElements.define('tg-customer-edit', TgCustomerEdit);

// ---- Detail

export class TgCustomer extends LitElement {
  static override styles = [base];
  static override properties = {
    customerId: { type: Number }, tab: {},
    customer: { state: true }, services: { state: true }, plans: { state: true }, online: { state: true }, statement: { state: true },
    error: { state: true }, editing: { state: true }, paying: { state: true }, changing: { state: true }, toppingUp: { state: true }, redeeming: { state: true }, planChanges: { state: true }, refunding: { state: true }, dunning: { state: true }, profiles: { state: true }, busy: { state: true },
  };
  declare customerId: number;
  declare tab: string;
  declare customer: Customer | undefined;
  declare services: Service[];
  declare plans: Plan[];
  declare online: Session[];
  declare statement: Statement | undefined;
  declare error: string;
  declare editing: boolean;
  declare paying: boolean;
  declare changing: number | undefined;
  declare toppingUp: number | undefined;
  declare redeeming: boolean;
  /** Each service's plan changes (GET /services/{id}/billing), by service id. */
  declare planChanges: Map<number, PlanChange[]>;
  declare refunding: Payment | undefined;
  declare dunning: { billingProfileId: number | null; effectiveProfileId: number | null; whitelisted: boolean } | undefined;
  declare profiles: Array<{ id: number; name: string }>;
  declare busy: string;

  constructor() {
    super();
    this.services = [];
    this.plans = [];
    this.online = [];
    this.profiles = [];
    this.error = '';
    this.editing = false;
    this.paying = false;
    this.redeeming = false;
    this.planChanges = new Map();
    this.busy = '';
  }

  protected override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('customerId')) void this.load();
  }

  private async load(): Promise<void> {
    try {
      const id = this.customerId;
      const [customer, services, plans] = await Promise.all([
        api.get<Customer>(`/customers/${id}`),
        api.get<Page<Service>>('/services', { customerId: id, limit: 100 }),
        api.get<Page<Plan>>('/plans', { limit: 500 }),
      ]);
      this.customer = customer;
      this.services = services.items;
      this.plans = plans.items;
      const online = await Promise.all(services.items.map((s) => api.get<Page<Session>>('/sessions', { serviceId: s.id, active: true, limit: 20 })));
      this.online = online.flatMap((p) => p.items);
      const terms = await Promise.all(services.items.map((s) => api.get<ServiceTerms>(`/services/${s.id}/billing`).catch(() => undefined)));
      this.planChanges = new Map(services.items.map((s, i) => [s.id, terms[i]?.planChanges ?? []]));
      this.statement = await api.get<Statement>(`/customers/${id}/statement`).catch(() => undefined);
      this.dunning = await api.get<NonNullable<TgCustomer['dunning']>>(`/customers/${id}/billing-profile`).catch(() => undefined);
      if (this.dunning && !this.profiles.length) this.profiles = (await api.get<Page<{ id: number; name: string }>>('/billing-profiles', { limit: 500 }).catch(() => ({ items: [], next: null }))).items;
      this.error = '';
    } catch (err) {
      this.error = errorText(err);
    }
  }

  private planName(id: number): string {
    return this.plans.find((p) => p.id === id)?.name ?? `plan ${id}`;
  }

  /** The service's plan changes, newest first; shown when there are some, or with the change-plan form open. */
  private planChangesOf(s: Service) {
    const rows = planChangeRows(this.planChanges.get(s.id) ?? []);
    if (!rows.length) return this.changing === s.id ? html`<p class="muted" data-test="plan-changes">No plan change yet.</p>` : nothing;
    return html`<div class="table-wrap" style="margin-top:0.8rem" data-test="plan-changes"><table>
      <thead><tr><th>From</th><th>Plan</th><th>Status</th></tr></thead><tbody>
      ${rows.map((r) => html`<tr data-test="plan-change" data-state=${r.state.kind}><td>${day(r.effectiveDate)}</td><td>${this.planName(r.planId)}</td>
        <td>${r.state.kind === 'pending' ? badge('pending') : r.state.kind === 'in-force' ? html`in force since ${when(r.state.since)}` : html`<span class="muted">replaced (applied ${when(r.state.appliedAt)})</span>`}</td></tr>`)}
      </tbody></table></div>`;
  }

  private async act(s: Service, verb: 'suspend' | 'resume' | 'disconnect'): Promise<void> {
    const what = { suspend: 'Suspend', resume: 'Resume', disconnect: 'Kick (disconnect)' }[verb];
    if (verb !== 'resume' && !confirm(`${what} ${s.username}?`)) return;
    this.busy = `${verb}-${s.id}`;
    try {
      const r = await api.post<{ actions: Array<{ outcome: string }> }>(`/services/${s.id}/${verb}`, { reason: `${verb} from the admin UI` });
      const outcomes = r.actions.map((a) => a.outcome).join(', ');
      toast(`${what}: done${outcomes ? ` (NAS: ${outcomes})` : ''}`);
      await this.load();
      (this.renderRoot.querySelectorAll('tg-table') as NodeListOf<TgTable>).forEach((t) => void t.reload());
    } catch (err) {
      toast(`${what} failed: ${errorText(err)}`, 'error');
    } finally {
      this.busy = '';
    }
  }

  override render() {
    if (this.error) return html`<div class="banner error">${this.error}</div>`;
    const c = this.customer;
    if (!c) return html`<p class="muted">Loading…</p>`;
    const balance = this.statement?.closingBalance ?? (this.statement as unknown as { balance?: number })?.balance;
    const invCols: Array<Column<Invoice>> = [
      { label: 'Number', render: (i) => html`<a href="/invoices/${i.id}">${i.number}</a>` },
      { label: 'Issued', render: (i) => day(i.issueDate) },
      { label: 'Due', render: (i) => day(i.dueDate), hideSmall: true },
      { label: 'Total', render: (i) => money(i.total, i.currency), num: true },
      { label: 'Open', render: (i) => (i.open ? html`<b>${money(i.open, i.currency)}</b>` : money(0, i.currency)), num: true },
      { label: 'Status', render: (i) => badge(i.open > 0 && i.dueDate < todayIso() ? 'overdue' : (i as unknown as { status: string }).status) },
    ];
    const [refunded, refundAction] = refundColumns((p) => (this.refunding = p));
    const payCols: Array<Column<Payment>> = [
      { label: 'Date', render: (p) => day(p.date) },
      { label: 'Amount', render: (p) => money(p.amount), num: true },
      refunded!,
      { label: 'Method', render: (p) => p.method },
      { label: 'Reference', render: (p) => p.reference ?? '—', hideSmall: true },
      refundAction!,
    ];
    const sessCols: Array<Column<Session>> = [
      { label: 'User', render: (s) => s.username },
      { label: 'Started', render: (s) => when(s.startedAt) },
      { label: 'Ended', render: (s) => (s.stoppedAt ? when(s.stoppedAt) : badge('online')) },
      { label: 'IP', render: (s) => s.framedIpAddress ?? '—', hideSmall: true },
      { label: 'MAC', render: (s) => s.callingStationId ?? '—', hideSmall: true },
      { label: 'Down / up', render: (s) => `${bytes(s.outputOctets)} / ${bytes(s.inputOctets)}`, num: true, hideSmall: true },
    ];
    const noteCols: Array<Column<Record<string, string>>> = [
      { label: 'When', render: (n) => when(n.createdAt) },
      { label: 'Channel', render: (n) => n.channel },
      { label: 'Subject', render: (n) => n.subject || n.template },
      { label: 'Status', render: (n) => badge(n.status) },
    ];
    const auditCols: Array<Column<AuditEntry>> = [
      { label: 'When', render: (a) => when(a.at) },
      { label: 'Who', render: (a) => a.actor },
      { label: 'What', render: (a) => `${a.action} ${a.entity}` },
    ];
    return html`
      <div class="row"><h1 class="grow" data-test="customer-name">${c.name}</h1>
        <button class="secondary" @click=${() => (this.editing = !this.editing)}>${this.editing ? 'Close' : 'Edit'}</button>
        <button class="secondary" @click=${() => (this.redeeming = !this.redeeming)}>Redeem voucher</button>
        <button @click=${() => (this.paying = !this.paying)}>Record payment</button></div>
      <div class="grid">
        <div class="card"><dl class="kv">
          <dt>Phone</dt><dd>${c.phone ?? '—'}</dd><dt>Email</dt><dd>${c.email ?? '—'}</dd>
          <dt>Address</dt><dd>${c.address ?? '—'}</dd><dt>Tax id</dt><dd>${c.taxId ?? '—'}</dd></dl>
          ${c.notes ? html`<p class="muted">${c.notes}</p>` : nothing}</div>
        <div class="card"><div class="muted">Balance</div>
          <div class="kpi" data-test="balance">${balance === undefined ? '—' : money(Math.abs(balance))}</div>
          <div class="muted">${balance === undefined ? '' : balance > 0 ? 'owed by the customer' : balance < 0 ? 'in credit' : 'settled'}</div></div>
        <div class="card"><div class="muted">Online now</div><div class="kpi">${this.online.length}</div>
          ${this.online.map((s) => html`<div class="muted">${s.username} · ${s.framedIpAddress ?? ''} · ${ago(s.startedAt)}</div>`)}</div>
      </div>
      ${this.editing ? html`<div class="card"><h2>Edit customer</h2><tg-form .fields=${customerFields} .values=${c} patch
        .action=${(b: Record<string, unknown>) => api.patch<Customer>(`/customers/${c.id}`, b)}
        @saved=${(e: CustomEvent<Customer>) => { this.customer = e.detail; this.editing = false; toast('Saved'); }}></tg-form></div>` : nothing}
      ${this.paying ? html`<div class="card"><h2>Record a payment</h2><tg-form .fields=${paymentFields} .values=${{ method: 'cash', receivedAt: new Date().toISOString() }} submitLabel="Record payment"
        .action=${(b: Record<string, unknown>) => api.post<Payment>('/payments', { ...b, customerId: c.id })}
        @saved=${(e: CustomEvent<Payment>) => { this.paying = false; toast(`Payment of ${money(e.detail.amount)} recorded`); void this.load(); this.renderRoot.querySelectorAll('tg-table').forEach((t) => void (t as TgTable).reload()); }}></tg-form></div>` : nothing}

      ${this.redeeming ? html`<div class="card" data-test="customer-redeem"><h2>Redeem a voucher</h2>
        <tg-redeem .customerId=${c.id} .services=${this.services.filter((s) => this.plans.find((p) => p.id === s.planId)?.type === 'prepaid')}
          @redeemed=${() => { this.redeeming = false; void this.load(); }}></tg-redeem></div>` : nothing}
      <div class="row"><h2 class="grow">Services</h2><a class="button secondary" href="/customers/${c.id}/services/new">Add service</a></div>
      ${this.services.length === 0 ? html`<p class="muted">No service yet.</p>` : nothing}
      ${this.services.map((s) => {
        const on = this.online.filter((o) => o.serviceId === s.id);
        return html`<div class="card" data-service=${s.username}>
          <div class="row"><b class="grow">${s.username}</b>${statusOf(s)} ${on.length ? badge('online') : html`<span class="badge">offline</span>`}</div>
          <div class="muted">${this.planName(s.planId)}${s.expiresAt ? ` · valid until ${when(s.expiresAt)}` : ''} · since ${day(s.startDate)}${s.macAddress ? ` · MAC ${s.macAddress}` : ''}${s.staticIp ? ` · IP ${s.staticIp}` : ''}</div>
          ${on.map((o) => html`<div data-test="session">Session ${o.acctSessionId} from ${o.callingStationId ?? '?'} · IP ${o.framedIpAddress ?? '—'} · ${duration(Math.round((Date.now() - Date.parse(o.startedAt)) / 1000))} · ${bytes(o.outputOctets)} down</div>`)}
          <div class="row" style="margin-top:0.5rem">
            ${s.status === 'suspended'
              ? html`<button ?disabled=${!!this.busy} @click=${() => this.act(s, 'resume')}>Resume</button>`
              : html`<button class="danger" ?disabled=${!!this.busy || s.status !== 'active'} @click=${() => this.act(s, 'suspend')}>Suspend</button>`}
            <button class="secondary" ?disabled=${!!this.busy || !on.length} @click=${() => this.act(s, 'disconnect')}>Kick</button>
            <button class="secondary" @click=${() => (this.changing = this.changing === s.id ? undefined : s.id)}>Change plan</button>
            ${this.plans.find((p) => p.id === s.planId)?.type === 'prepaid' ? html`<button class="secondary" @click=${() => (this.toppingUp = this.toppingUp === s.id ? undefined : s.id)}>Top up</button>` : nothing}
            <a class="button secondary" href="/services/${s.id}">Edit</a>
            <a class="button secondary" href="/services/${s.id}/why">Why offline?</a>
          </div>
          ${this.busy.endsWith(`-${s.id}`) ? html`<div class="muted" role="status">Waiting for the NAS to answer…</div>` : nothing}
          ${this.changing === s.id ? html`<div style="margin-top:0.8rem"><tg-form submitLabel="Change plan"
            .fields=${[
              { name: 'planId', label: 'New plan', type: 'select', numeric: true, required: true, options: this.plans.filter((p) => p.id !== s.planId).map((p) => [String(p.id), `${p.name} (${money(p.price)})`]) },
              { name: 'effectiveDate', label: 'From', type: 'date', required: true },
            ] as Field[]}
            .values=${{ effectiveDate: todayIso() }}
            .action=${(b: Record<string, unknown>) => api.post(`/services/${s.id}/plan-changes`, b)}
            @saved=${(e: CustomEvent<ServiceTerms>) => { this.changing = undefined; toast('Plan changed'); this.planChanges = new Map(this.planChanges).set(s.id, e.detail.planChanges ?? []); void this.load(); }}></tg-form></div>` : nothing}
          ${this.planChangesOf(s)}
          ${this.toppingUp === s.id ? html`<div style="margin-top:0.8rem"><tg-form submitLabel="Top up" .fields=${topupFields} .values=${{ count: 1, method: 'cash' }}
            .action=${(b: Record<string, unknown>) => api.post<{ expiresAt: string }>(`/services/${s.id}/topup`, b)}
            @saved=${(e: CustomEvent<{ expiresAt: string }>) => { this.toppingUp = undefined; toast(`Topped up: valid until ${when(e.detail.expiresAt)}`); void this.load(); }}></tg-form></div>` : nothing}
        </div>`;
      })}

      ${this.dunning ? html`<h2>Dunning</h2><div class="card">
        <p class="muted">Profile: ${this.dunning.effectiveProfileId === null ? 'the configured defaults' : `${this.profiles.find((p) => p.id === this.dunning!.effectiveProfileId)?.name ?? `#${this.dunning.effectiveProfileId}`}${this.dunning.billingProfileId === null ? ' (the default profile)' : ''}`}${this.dunning.whitelisted ? ' · whitelisted: never suspended for non-payment' : ''}</p>
        <tg-form submitLabel="Save dunning" .values=${this.dunning} patch
          .fields=${[
            { name: 'billingProfileId', label: 'Billing profile', type: 'select', numeric: true, nullable: true, options: this.profiles.map((p) => [String(p.id), p.name]) },
            { name: 'whitelisted', label: 'Never suspend for non-payment', type: 'checkbox' },
          ] as Field[]}
          .action=${(b: Record<string, unknown>) => api.put(`/customers/${c.id}/billing-profile`, b)}
          @saved=${() => { toast('Dunning settings saved'); void this.load(); }}></tg-form></div>` : nothing}

      <h2>Invoices</h2>
      <tg-table path="/invoices" .query=${{ customerId: c.id }} .columns=${invCols} .limit=${10} empty="No invoice yet."></tg-table>
      <h2>Payments</h2>
      ${this.refunding ? html`<tg-refund .payment=${this.refunding} @cancel=${() => (this.refunding = undefined)}
        @refunded=${() => { this.refunding = undefined; void this.load(); this.renderRoot.querySelectorAll('tg-table').forEach((t) => void (t as TgTable).reload()); }}></tg-refund>` : nothing}
      <tg-table path="/payments" .query=${{ customerId: c.id }} .columns=${payCols} .limit=${10} empty="No payment yet."></tg-table>
      <h2>Sessions</h2>
      ${this.services.length ? this.services.map((s) => html`<tg-table path="/sessions" .query=${{ serviceId: s.id }} .columns=${sessCols} .limit=${10} empty="No session yet."></tg-table>`) : html`<p class="muted">No service.</p>`}
      <h2>Notifications sent</h2>
      <tg-table path="/notifications" .query=${{ customerId: c.id }} .columns=${noteCols} .limit=${10} empty="No message yet."></tg-table>
      <h2>Audit trail</h2>
      <tg-table path="/audit-log" .query=${{ entity: 'customer', entityId: String(c.id) }} .columns=${auditCols} .limit=${10} empty="No change recorded."></tg-table>
    `;
  }
}
customElements.define('tg-customer', TgCustomer);

const topupFields: Field[] = [
  { name: 'count', label: 'Periods', type: 'number', required: true, min: 1, max: 120 },
  { name: 'amount', label: 'Amount received', type: 'money', min: 0, help: 'empty: the plan price × periods; 0: free' },
  { name: 'method', label: 'Method', type: 'select', required: true, options: [['cash', 'cash'], ['bank', 'bank transfer'], ['card', 'card'], ['other', 'other']] },
  { name: 'reference', label: 'Reference', nullable: true, maxLength: 200 },
];

export const paymentFields: Field[] = [
  { name: 'amount', label: 'Amount', type: 'money', required: true, min: 0.01, max: 1e11 },
  { name: 'method', label: 'Method', type: 'select', required: true, options: [['cash', 'cash'], ['bank', 'bank transfer'], ['card', 'card'], ['other', 'other']] },
  { name: 'receivedAt', label: 'Received', type: 'datetime', required: true },
  { name: 'reference', label: 'Reference', nullable: true, maxLength: 200 },
];

// ---- Service create / edit

export class TgServiceEdit extends LitElement {
  static override styles = [base];
  static override properties = { customerId: { type: Number }, serviceId: { type: Number }, plans: { state: true }, service: { state: true }, error: { state: true } };
  declare customerId: number | undefined;
  declare serviceId: number | undefined;
  declare plans: Plan[] | undefined;
  declare service: Service | undefined;
  declare error: string;

  constructor() {
    super();
    this.error = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void (async () => {
      try {
        if (this.serviceId) this.service = await api.get<Service>(`/services/${this.serviceId}`);
        this.plans = (await api.get<Page<Plan>>('/plans', { limit: 500 })).items;
      } catch (err) {
        this.error = errorText(err);
      }
    })();
  }

  override render() {
    if (this.error) return html`<div class="banner error">${this.error}</div>`;
    if (!this.plans || (this.serviceId && !this.service)) return html`<p class="muted">Loading…</p>`;
    if (!this.plans.length) return html`<h1>New service</h1><div class="banner warn">Create a plan first: <a href="/plans/new">new plan</a>.</div>`;
    const s = this.service;
    const customerId = s?.customerId ?? this.customerId!;
    return html`<h1>${s ? `Service ${s.username}` : 'New service'}</h1>
      <p><a href="/customers/${customerId}">‹ back to the customer</a></p>
      <div class="card"><tg-form .fields=${serviceFields(this.plans, !!s)} ?patch=${!!s}
        .values=${s ?? { status: 'active', startDate: todayIso(), simultaneousUse: 1, planId: this.plans[0]!.id }}
        submitLabel=${s ? 'Save' : 'Create service'}
        .action=${(b: Record<string, unknown>) => (s ? api.patch<Service>(`/services/${s.id}`, b) : api.post<Service>('/services', { ...b, customerId }))}
        @saved=${() => { toast(s ? 'Service saved' : 'Service created'); navigate(`/customers/${customerId}`); }}></tg-form></div>`;
  }
}
customElements.define('tg-service-edit', TgServiceEdit);

// ---- Why is this customer offline?

interface TimelineItem { at: string; kind: string; level: 'ok' | 'warn' | 'error' | ''; text: string }

export class TgWhy extends LitElement {
  static override styles = [base];
  static override properties = { serviceId: { type: Number }, items: { state: true }, verdict: { state: true }, service: { state: true }, error: { state: true } };
  declare serviceId: number;
  declare items: TimelineItem[];
  declare verdict: Verdict | undefined;
  declare service: Service | undefined;
  declare error: string;

  constructor() {
    super();
    this.items = [];
    this.error = '';
  }

  protected override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('serviceId')) void this.load();
  }

  private async load(): Promise<void> {
    try {
      const id = this.serviceId;
      const service = await api.get<Service>(`/services/${id}`);
      this.service = service;
      const soft = <T>(p: Promise<Page<T>>) => p.then((r) => r.items).catch(() => [] as T[]);
      const [auth, sessions, actions, invoices, payments, dunning, notes, audit] = await Promise.all([
        soft(api.get<Page<AuthLogEntry>>('/auth-log', { serviceId: id, limit: 100 })),
        soft(api.get<Page<Session>>('/sessions', { serviceId: id, limit: 50 })),
        soft(api.get<Page<NasAction>>('/actions', { serviceId: id, limit: 50 })),
        soft(api.get<Page<Invoice>>('/invoices', { customerId: service.customerId, limit: 24 })),
        soft(api.get<Page<Payment>>('/payments', { customerId: service.customerId, limit: 24 })),
        soft(api.get<Page<{ kind: string; at: string; invoiceId: number | null; serviceId: number | null; detail: unknown }>>('/dunning/events', { customerId: service.customerId, limit: 50 })),
        soft(api.get<Page<{ createdAt: string; channel: string; subject: string; template: string; status: string }>>('/notifications', { customerId: service.customerId, limit: 50 })),
        soft(api.get<Page<AuditEntry>>('/audit-log', { entity: 'service', entityId: String(id), limit: 50 })),
      ]);
      const invNo = new Map(invoices.map((i) => [i.id, i.number]));
      const today = todayIso();
      this.verdict = verdict({
        now: Date.now(),
        service,
        auth,
        sessions,
        suspensions: dunning.filter((d) => d.kind === 'suspend' || d.kind === 'resume').map((d) => ({ at: d.at, kind: d.kind as 'suspend', invoiceNumber: d.invoiceId ? invNo.get(d.invoiceId) ?? null : null })),
        overdue: invoices.filter((i) => i.open > 0 && i.dueDate < today).map((i) => ({ number: i.number, dueDate: i.dueDate, open: i.open })),
      });
      const items: TimelineItem[] = [
        ...auth.map((a) => ({ at: a.at, kind: 'login', level: a.outcome === 'accept' ? 'ok' : 'error', text: `${a.outcome === 'accept' ? 'Accepted' : 'Rejected'}${a.reason ? `: ${a.reason}` : ''}${a.callingStationId ? ` · MAC ${a.callingStationId}` : ''}` }) as TimelineItem),
        ...sessions.flatMap((s) => [
          { at: s.startedAt, kind: 'session', level: 'ok', text: `Session started · IP ${s.framedIpAddress ?? '—'}${s.callingStationId ? ` · MAC ${s.callingStationId}` : ''}` } as TimelineItem,
          ...(s.stoppedAt ? [{ at: s.stoppedAt, kind: 'session', level: '', text: `Session ended${s.terminateCause ? ` (${s.terminateCause})` : ''} · ${duration(s.sessionTime)} · ${bytes(s.outputOctets)} down` } as TimelineItem] : []),
        ]),
        ...actions.map((a) => ({ at: a.createdAt, kind: a.kind === 'coa' ? 'CoA' : 'disconnect', level: a.outcome === 'ack' ? 'ok' : a.outcome === 'pending' ? 'warn' : 'error', text: `${a.kind === 'coa' ? 'CoA' : 'Disconnect'} ${a.outcome}${a.reason ? `: ${a.reason}` : ''} (by ${a.by})${a.error ? ` · ${a.error}` : ''}` }) as TimelineItem),
        ...invoices.map((i) => ({ at: `${i.issueDate}T00:00:00Z`, kind: 'invoice', level: i.open > 0 && i.dueDate < today ? 'error' : '', text: `Invoice ${i.number}: ${money(i.total, i.currency)}, due ${day(i.dueDate)}${i.open ? `, ${money(i.open, i.currency)} open` : ', paid'}` }) as TimelineItem),
        ...payments.map((p) => ({ at: p.receivedAt, kind: 'payment', level: 'ok', text: `Payment of ${money(p.amount)} (${p.method})` }) as TimelineItem),
        ...dunning.map((d) => ({ at: d.at, kind: 'dunning', level: d.kind === 'suspend' ? 'error' : d.kind === 'resume' ? 'ok' : 'warn', text: `Dunning: ${d.kind.replace('_', ' ')}${d.invoiceId ? ` for ${invNo.get(d.invoiceId) ?? `invoice ${d.invoiceId}`}` : ''}` }) as TimelineItem),
        ...notes.map((n) => ({ at: n.createdAt, kind: 'message', level: n.status === 'failed' ? 'error' : '', text: `${n.channel}: ${n.subject || n.template} (${n.status})` }) as TimelineItem),
        ...audit.filter((a) => a.action !== 'create' || true).map((a) => ({ at: a.at, kind: 'change', level: '', text: `${a.action} by ${a.actor}${statusChange(a)}` }) as TimelineItem),
      ];
      this.items = items.sort((a, b) => Date.parse(b.at) - Date.parse(a.at)).slice(0, 200);
      this.error = '';
    } catch (err) {
      this.error = errorText(err);
    }
  }

  override render() {
    if (this.error) return html`<div class="banner error">${this.error}</div>`;
    const s = this.service;
    if (!s || !this.verdict) return html`<h1>Why offline?</h1><p class="muted">Looking…</p>`;
    const v = this.verdict;
    return html`<h1>Why is ${s.username} offline?</h1>
      <p><a href="/customers/${s.customerId}">‹ customer</a> · <button class="secondary" @click=${() => this.load()}>Refresh</button></p>
      <div class="banner ${v.level === 'ok' ? 'ok' : v.level === 'warn' ? 'warn' : 'error'}" data-test="verdict"><b>${v.headline}</b>
        ${v.details.map((d) => html`<div>${d}</div>`)}</div>
      <div class="card table-wrap"><table><thead><tr><th>When</th><th>What</th><th>Detail</th></tr></thead><tbody>
        ${this.items.length === 0 ? html`<tr><td colspan="3" class="muted">Nothing recorded for this service yet.</td></tr>` : nothing}
        ${this.items.map((i) => html`<tr><td>${when(i.at)}</td><td><span class="badge ${i.level === 'ok' ? 'accept' : i.level === 'error' ? 'reject' : i.level === 'warn' ? 'pending' : ''}">${i.kind}</span></td><td style="white-space:normal">${i.text}</td></tr>`)}
      </tbody></table></div>`;
  }
}
customElements.define('tg-why', TgWhy);

function statusChange(a: AuditEntry): string {
  const b = a.before as { status?: string } | null;
  const c = a.after as { status?: string } | null;
  return b?.status && c?.status && b.status !== c.status ? `: ${b.status} → ${c.status}` : '';
}
