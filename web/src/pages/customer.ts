// A customer's page: details, balance, services with their actions and plan changes, dunning
// settings, and the invoices, payments, sessions, messages and changes of the customer.
import { LitElement, html, nothing } from 'lit';
import { Task } from '@lit/task';
import { getCustomer, getStatement, updateCustomer, type Customer, type Statement } from '../data/customers.js';
import { customerDunning, setCustomerDunning, type CustomerDunning } from '../data/dunning.js';
import { listProfiles } from '../data/billing-profiles.js';
import type { Body } from '../data/http.js';
import { listInvoices, type InvoiceSummary } from '../data/invoices.js';
import { listMessages, type Message } from '../data/notifications.js';
import { createPayment, listPayments, type Payment } from '../data/payments.js';
import { listPlans, type Plan } from '../data/plans.js';
import { changePlan, listServices, serviceAction, serviceTerms, topUp, type PlanChange, type Service, type ServiceAction, type ServiceTerms } from '../data/services.js';
import { listSessions, type Session } from '../data/sessions.js';
import { listAudit, type AuditEntry } from '../data/audit.js';
import '../components/form.js';
import type { Field } from '../components/form.js';
import '../components/redeem.js';
import { refundColumns } from '../components/refund.js';
import '../components/table.js';
import type { Column } from '../components/table.js';
import { customerFields } from '../fields.js';
import { planChangeRows } from '../forms.js';
import { ago, badge, base, bytes, day, duration, errorText, money, toast, todayIso, when } from '../ui.js';

/** What the page shows, loaded together. */
interface CustomerPage {
  customer: Customer;
  services: Service[];
  plans: Plan[];
  /** The open sessions of the customer's services. */
  online: Session[];
  /** Each service's plan changes (GET /services/{id}/billing), by service id. */
  planChanges: Map<number, PlanChange[]>;
  statement: Statement | undefined;
  dunning: CustomerDunning | undefined;
  profiles: Array<{ id: number; name: string }>;
}

export class TgCustomer extends LitElement {
  static override styles = [base];
  static override properties = {
    customerId: { type: Number }, tab: {},
    saved: { state: true }, changed: { state: true }, editing: { state: true }, paying: { state: true }, changing: { state: true }, toppingUp: { state: true }, redeeming: { state: true }, refunding: { state: true }, busy: { state: true },
  };
  declare customerId: number;
  declare tab: string;
  /** The customer as the edit form's save answered, shown until the page loads again. */
  declare saved: Customer | undefined;
  /** Plan changes as a change-plan answer listed them (by service id), shown until the page loads again. */
  declare changed: Map<number, PlanChange[]>;
  declare editing: boolean;
  declare paying: boolean;
  declare changing: number | undefined;
  declare toppingUp: number | undefined;
  declare redeeming: boolean;
  declare refunding: Payment | undefined;
  declare busy: string;

  private readonly page: Task<readonly [number], CustomerPage> = new Task(this, {
    task: async ([id]: readonly [number]): Promise<CustomerPage> => {
      const [customer, services, plans] = await Promise.all([
        getCustomer(id),
        listServices({ customerId: id, limit: 100 }),
        listPlans({ limit: 500 }),
      ]);
      const online = await Promise.all(services.items.map((s) => listSessions({ serviceId: s.id, active: true, limit: 20 })));
      const terms = await Promise.all(services.items.map((s) => serviceTerms(s.id).catch(() => undefined)));
      const statement = await getStatement(id).catch(() => undefined);
      const dunning = await customerDunning(id).catch(() => undefined);
      // The billing profiles change seldom: loaded once for the page.
      let profiles = this.page.value?.profiles ?? [];
      if (dunning && !profiles.length) profiles = (await listProfiles({ limit: 500 }).catch(() => ({ items: [], next: null }))).items;
      return {
        customer,
        services: services.items,
        plans: plans.items,
        online: online.flatMap((p) => p.items),
        planChanges: new Map(services.items.map((s, i) => [s.id, terms[i]?.planChanges ?? []])),
        statement,
        dunning,
        profiles,
      };
    },
    args: (): readonly [number] => [this.customerId],
    onComplete: () => {
      this.saved = undefined;
      this.changed = new Map();
    },
  });

  constructor() {
    super();
    this.editing = false;
    this.paying = false;
    this.redeeming = false;
    this.busy = '';
    this.changed = new Map();
  }

  private planName(d: CustomerPage, id: number): string {
    return d.plans.find((p) => p.id === id)?.name ?? `plan ${id}`;
  }

  /** The service's plan changes, newest first; shown when there are some, or with the change-plan form open. */
  private planChangesOf(d: CustomerPage, s: Service) {
    const rows = planChangeRows(this.changed.get(s.id) ?? d.planChanges.get(s.id) ?? []);
    if (!rows.length) return this.changing === s.id ? html`<p class="muted" data-test="plan-changes">No plan change yet.</p>` : nothing;
    return html`<div class="table-wrap" style="margin-top:0.8rem" data-test="plan-changes"><table>
      <thead><tr><th>From</th><th>Plan</th><th>Status</th></tr></thead><tbody>
      ${rows.map((r) => html`<tr data-test="plan-change" data-state=${r.state.kind}><td>${day(r.effectiveDate)}</td><td>${this.planName(d, r.planId)}</td>
        <td>${r.state.kind === 'pending' ? badge('pending') : r.state.kind === 'in-force' ? html`in force since ${when(r.state.since)}` : html`<span class="muted">replaced (applied ${when(r.state.appliedAt)})</span>`}</td></tr>`)}
      </tbody></table></div>`;
  }

  private async act(s: Service, verb: ServiceAction): Promise<void> {
    const what = { suspend: 'Suspend', resume: 'Resume', disconnect: 'Kick (disconnect)' }[verb];
    if (verb !== 'resume' && !confirm(`${what} ${s.username}?`)) return;
    this.busy = `${verb}-${s.id}`;
    try {
      const r = await serviceAction(s.id, verb, `${verb} from the admin UI`);
      const outcomes = r.actions.map((a) => a.outcome).join(', ');
      toast(`${what}: done${outcomes ? ` (NAS: ${outcomes})` : ''}`);
      await this.page.run();
      this.renderRoot.querySelectorAll('tg-table').forEach((t) => void t.reload());
    } catch (err) {
      toast(`${what} failed: ${errorText(err)}`, 'error');
    } finally {
      this.busy = '';
    }
  }

  override render() {
    return this.page.render({
      // A reload (after an action) keeps the page as it is until the new facts arrive.
      pending: () => (this.page.value ? this.view(this.page.value) : html`<p class="muted">Loading…</p>`),
      complete: (d) => this.view(d),
      error: (err) => html`<div class="banner error">${errorText(err)}</div>`,
    });
  }

  private view(d: CustomerPage) {
    const c = this.saved ?? d.customer;
    const balance = d.statement?.closingBalance;
    const invCols: Array<Column<InvoiceSummary>> = [
      { label: 'Number', render: (i) => html`<a href="/invoices/${i.id}">${i.number}</a>` },
      { label: 'Issued', render: (i) => day(i.issueDate) },
      { label: 'Due', render: (i) => day(i.dueDate), hideSmall: true },
      { label: 'Total', render: (i) => money(i.total, i.currency), num: true },
      { label: 'Open', render: (i) => (i.open ? html`<b>${money(i.open, i.currency)}</b>` : money(0, i.currency)), num: true },
      { label: 'Status', render: (i) => badge(i.open > 0 && i.dueDate < todayIso() ? 'overdue' : i.status) },
    ];
    const [refunded, refundAction] = refundColumns((p) => (this.refunding = p));
    const payCols: Array<Column<Payment>> = [
      { label: 'Date', render: (p) => day(p.date) },
      { label: 'Amount', render: (p) => money(p.amount), num: true },
      refunded,
      { label: 'Method', render: (p) => p.method },
      { label: 'Reference', render: (p) => p.reference ?? '—', hideSmall: true },
      refundAction,
    ];
    const sessCols: Array<Column<Session>> = [
      { label: 'User', render: (s) => s.username },
      { label: 'Started', render: (s) => when(s.startedAt) },
      { label: 'Ended', render: (s) => (s.stoppedAt ? when(s.stoppedAt) : badge('online')) },
      { label: 'IP', render: (s) => s.framedIpAddress ?? '—', hideSmall: true },
      { label: 'MAC', render: (s) => s.callingStationId ?? '—', hideSmall: true },
      { label: 'Down / up', render: (s) => `${bytes(s.outputOctets)} / ${bytes(s.inputOctets)}`, num: true, hideSmall: true },
    ];
    const noteCols: Array<Column<Message>> = [
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
        <div class="card"><div class="muted">Online now</div><div class="kpi">${d.online.length}</div>
          ${d.online.map((s) => html`<div class="muted">${s.username} · ${s.framedIpAddress ?? ''} · ${ago(s.startedAt)}</div>`)}</div>
      </div>
      ${this.editing ? html`<div class="card"><h2>Edit customer</h2><tg-form .fields=${customerFields} .values=${c} patch
        .action=${(b: Body) => updateCustomer(c.id, b)}
        @saved=${(e: CustomEvent<Customer>) => { this.saved = e.detail; this.editing = false; toast('Saved'); }}></tg-form></div>` : nothing}
      ${this.paying ? html`<div class="card"><h2>Record a payment</h2><tg-form .fields=${paymentFields} .values=${{ method: 'cash', receivedAt: new Date().toISOString() }} submitLabel="Record payment"
        .action=${(b: Body) => createPayment({ ...b, customerId: c.id })}
        @saved=${(e: CustomEvent<Payment>) => { this.paying = false; toast(`Payment of ${money(e.detail.amount)} recorded`); void this.page.run(); this.renderRoot.querySelectorAll('tg-table').forEach((t) => void t.reload()); }}></tg-form></div>` : nothing}

      ${this.redeeming ? html`<div class="card" data-test="customer-redeem"><h2>Redeem a voucher</h2>
        <tg-redeem .customerId=${c.id} .services=${d.services.filter((s) => d.plans.find((p) => p.id === s.planId)?.type === 'prepaid')}
          @redeemed=${() => { this.redeeming = false; void this.page.run(); }}></tg-redeem></div>` : nothing}
      <div class="row"><h2 class="grow">Services</h2><a class="button secondary" href="/customers/${c.id}/services/new">Add service</a></div>
      ${d.services.length === 0 ? html`<p class="muted">No service yet.</p>` : nothing}
      ${d.services.map((s) => {
        const on = d.online.filter((o) => o.serviceId === s.id);
        return html`<div class="card" data-service=${s.username}>
          <div class="row"><b class="grow">${s.username}</b>${badge(s.status)} ${on.length ? badge('online') : html`<span class="badge">offline</span>`}</div>
          <div class="muted">${this.planName(d, s.planId)}${s.expiresAt ? ` · valid until ${when(s.expiresAt)}` : ''} · since ${day(s.startDate)}${s.macAddress ? ` · MAC ${s.macAddress}` : ''}${s.staticIp ? ` · IP ${s.staticIp}` : ''}</div>
          ${on.map((o) => html`<div data-test="session">Session ${o.acctSessionId} from ${o.callingStationId ?? '?'} · IP ${o.framedIpAddress ?? '—'} · ${duration(Math.round((Date.now() - Date.parse(o.startedAt)) / 1000))} · ${bytes(o.outputOctets)} down</div>`)}
          <div class="row" style="margin-top:0.5rem">
            ${s.status === 'suspended'
              ? html`<button ?disabled=${!!this.busy} @click=${() => this.act(s, 'resume')}>Resume</button>`
              : html`<button class="danger" ?disabled=${!!this.busy || s.status !== 'active'} @click=${() => this.act(s, 'suspend')}>Suspend</button>`}
            <button class="secondary" ?disabled=${!!this.busy || !on.length} @click=${() => this.act(s, 'disconnect')}>Kick</button>
            <button class="secondary" @click=${() => (this.changing = this.changing === s.id ? undefined : s.id)}>Change plan</button>
            ${d.plans.find((p) => p.id === s.planId)?.type === 'prepaid' ? html`<button class="secondary" @click=${() => (this.toppingUp = this.toppingUp === s.id ? undefined : s.id)}>Top up</button>` : nothing}
            <a class="button secondary" href="/services/${s.id}">Edit</a>
            <a class="button secondary" href="/services/${s.id}/why">Why offline?</a>
          </div>
          ${this.busy.endsWith(`-${s.id}`) ? html`<div class="muted" role="status">Waiting for the NAS to answer…</div>` : nothing}
          ${this.changing === s.id ? html`<div style="margin-top:0.8rem"><tg-form submitLabel="Change plan"
            .fields=${[
              { name: 'planId', label: 'New plan', type: 'select', numeric: true, required: true, options: d.plans.filter((p) => p.id !== s.planId).map((p) => [String(p.id), `${p.name} (${money(p.price)})`]) },
              { name: 'effectiveDate', label: 'From', type: 'date', required: true },
            ] as Field[]}
            .values=${{ effectiveDate: todayIso() }}
            .action=${(b: Body) => changePlan(s.id, b)}
            @saved=${(e: CustomEvent<ServiceTerms>) => { this.changing = undefined; toast('Plan changed'); this.changed = new Map(this.changed).set(s.id, e.detail.planChanges); void this.page.run(); }}></tg-form></div>` : nothing}
          ${this.planChangesOf(d, s)}
          ${this.toppingUp === s.id ? html`<div style="margin-top:0.8rem"><tg-form submitLabel="Top up" .fields=${topupFields} .values=${{ count: 1, method: 'cash' }}
            .action=${(b: Body) => topUp(s.id, b)}
            @saved=${(e: CustomEvent<{ expiresAt: string }>) => { this.toppingUp = undefined; toast(`Topped up: valid until ${when(e.detail.expiresAt)}`); void this.page.run(); }}></tg-form></div>` : nothing}
        </div>`;
      })}

      ${d.dunning ? html`<h2>Dunning</h2><div class="card">
        <p class="muted">Profile: ${d.dunning.effectiveProfileId === null ? 'the configured defaults' : `${d.profiles.find((p) => p.id === d.dunning!.effectiveProfileId)?.name ?? `#${d.dunning.effectiveProfileId}`}${d.dunning.billingProfileId === null ? ' (the default profile)' : ''}`}${d.dunning.whitelisted ? ' · whitelisted: never suspended for non-payment' : ''}</p>
        <tg-form submitLabel="Save dunning" .values=${d.dunning} patch
          .fields=${[
            { name: 'billingProfileId', label: 'Billing profile', type: 'select', numeric: true, nullable: true, options: d.profiles.map((p) => [String(p.id), p.name]) },
            { name: 'whitelisted', label: 'Never suspend for non-payment', type: 'checkbox' },
          ] as Field[]}
          .action=${(b: Body) => setCustomerDunning(c.id, b)}
          @saved=${() => { toast('Dunning settings saved'); void this.page.run(); }}></tg-form></div>` : nothing}

      <h2>Invoices</h2>
      <tg-table .load=${listInvoices} .query=${{ customerId: c.id }} .columns=${invCols} .limit=${10} empty="No invoice yet."></tg-table>
      <h2>Payments</h2>
      ${this.refunding ? html`<tg-refund .payment=${this.refunding} @cancel=${() => (this.refunding = undefined)}
        @refunded=${() => { this.refunding = undefined; void this.page.run(); this.renderRoot.querySelectorAll('tg-table').forEach((t) => void t.reload()); }}></tg-refund>` : nothing}
      <tg-table .load=${listPayments} .query=${{ customerId: c.id }} .columns=${payCols} .limit=${10} empty="No payment yet."></tg-table>
      <h2>Sessions</h2>
      ${d.services.length ? d.services.map((s) => html`<tg-table .load=${listSessions} .query=${{ serviceId: s.id }} .columns=${sessCols} .limit=${10} empty="No session yet."></tg-table>`) : html`<p class="muted">No service.</p>`}
      <h2>Notifications sent</h2>
      <tg-table .load=${listMessages} .query=${{ customerId: c.id }} .columns=${noteCols} .limit=${10} empty="No message yet."></tg-table>
      <h2>Audit trail</h2>
      <tg-table .load=${listAudit} .query=${{ entity: 'customer', entityId: String(c.id) }} .columns=${auditCols} .limit=${10} empty="No change recorded."></tg-table>
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

const paymentFields: Field[] = [
  { name: 'amount', label: 'Amount', type: 'money', required: true, min: 0.01, max: 1e11 },
  { name: 'method', label: 'Method', type: 'select', required: true, options: [['cash', 'cash'], ['bank', 'bank transfer'], ['card', 'card'], ['other', 'other']] },
  { name: 'receivedAt', label: 'Received', type: 'datetime', required: true },
  { name: 'reference', label: 'Reference', nullable: true, maxLength: 200 },
];
