// A customer's page: details, balance, services with their actions and plan changes, dunning
// settings, and the invoices, payments, sessions, messages and changes of the customer.
import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { Task } from '@lit/task';
import { getCustomer, getStatement, updateCustomer, type Customer, type Statement } from '../data/customers.js';
import { customerDunning, setCustomerDunning, type CustomerDunning } from '../data/dunning.js';
import { listProfiles } from '../data/billing-profiles.js';
import type { Body } from '../data/http.js';
import { listInvoices, type InvoiceSummary } from '../data/invoices.js';
import { listMessages, type Message } from '../data/notifications.js';
import { createPayment, listPayments, type Payment } from '../data/payments.js';
import { listPlans, type Plan } from '../data/plans.js';
import { changePlan, listServices, serviceAction, serviceTerms, type PlanChange, type Service, type ServiceAction, type ServiceTerms } from '../data/services.js';
import { listSessions, type Session } from '../data/sessions.js';
import { listAudit, type AuditEntry } from '../data/audit.js';
import '../components/form.js';
import type { Field } from '../components/form.js';
import '../components/prepaid-topup.js';
import '../components/redeem.js';
import { refundColumns } from '../components/refund.js';
import '../components/table.js';
import type { Column } from '../components/table.js';
import { customerFields } from '../fields.js';
import { planChangeRows } from '../forms.js';
import { channelName, methodName, methodOptions } from '../names.js';
import { ago, badge, base, bytes, day, duration, errorText, money, toast, todayIso, when } from '../ui.js';
import { LOCALE_NAMES, isLocale, t } from '../i18n.js';

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

  protected override willUpdate(changed: PropertyValues<this>): void {
    // A link that asks to correct the customer's data (an e-invoice that cannot go) opens the form.
    if (changed.has('tab') && this.tab === 'edit') this.editing = true;
  }

  private planName(d: CustomerPage, id: number): string {
    return d.plans.find((p) => p.id === id)?.name ?? t('customer.planN', { id });
  }

  /** The service's plan changes, newest first; shown when there are some, or with the change-plan form open. */
  private planChangesOf(d: CustomerPage, s: Service) {
    const rows = planChangeRows(this.changed.get(s.id) ?? d.planChanges.get(s.id) ?? []);
    if (!rows.length) return this.changing === s.id ? html`<p class="muted" data-test="plan-changes">${t('customer.noPlanChange')}</p>` : nothing;
    return html`<div class="table-wrap" style="margin-top:0.8rem" data-test="plan-changes"><table>
      <thead><tr><th>${t('customer.from')}</th><th>${t('customer.plan')}</th><th>${t('col.status')}</th></tr></thead><tbody>
      ${rows.map((r) => html`<tr data-test="plan-change" data-state=${r.state.kind}><td>${day(r.effectiveDate)}</td><td>${this.planName(d, r.planId)}</td>
        <td>${r.state.kind === 'pending' ? badge('pending') : r.state.kind === 'in-force' ? html`${t('customer.inForceSince', { since: when(r.state.since) })}` : html`<span class="muted">${t('customer.replaced', { at: when(r.state.appliedAt) })}</span>`}</td></tr>`)}
      </tbody></table></div>`;
  }

  private async act(s: Service, verb: ServiceAction): Promise<void> {
    const what = { suspend: t('customer.suspend'), resume: t('customer.resume'), disconnect: t('customer.kickLong') }[verb];
    if (verb !== 'resume' && !confirm(t('customer.confirmAction', { action: what, username: s.username }))) return;
    this.busy = `${verb}-${s.id}`;
    try {
      const r = await serviceAction(s.id, verb);
      const outcomes = r.actions.map((a) => a.outcome).join(', ');
      toast(outcomes ? t('customer.actionDoneNas', { action: what, outcomes }) : t('customer.actionDone', { action: what }));
      await this.page.run();
      this.renderRoot.querySelectorAll('tg-table').forEach((t) => void t.reload());
    } catch (err) {
      toast(t('customer.actionFailed', { action: what, error: errorText(err) }), 'error');
    } finally {
      this.busy = '';
    }
  }

  override render() {
    return this.page.render({
      // A reload (after an action) keeps the page as it is until the new facts arrive.
      pending: () => (this.page.value ? this.view(this.page.value) : html`<p class="muted">${t('common.loading')}</p>`),
      complete: (d) => this.view(d),
      error: (err) => html`<div class="banner error">${errorText(err)}</div>`,
    });
  }

  private view(d: CustomerPage) {
    const c = this.saved ?? d.customer;
    const balance = d.statement?.closingBalance;
    const invCols: Array<Column<InvoiceSummary>> = [
      { label: t('col.number'), render: (i) => html`<a href="/invoices/${i.id}">${i.number}</a>` },
      { label: t('col.issued'), render: (i) => day(i.issueDate) },
      { label: t('col.due'), render: (i) => day(i.dueDate), hideSmall: true },
      { label: t('col.total'), render: (i) => money(i.total, i.currency), num: true },
      { label: t('col.open'), render: (i) => (i.open ? html`<b>${money(i.open, i.currency)}</b>` : money(0, i.currency)), num: true },
      { label: t('col.status'), render: (i) => badge(i.open > 0 && i.dueDate < todayIso() ? 'overdue' : i.status) },
    ];
    const [refunded, refundAction] = refundColumns((p) => (this.refunding = p));
    const payCols: Array<Column<Payment>> = [
      { label: t('col.date'), render: (p) => day(p.date) },
      { label: t('col.amount'), render: (p) => money(p.amount), num: true },
      refunded,
      { label: t('col.method'), render: (p) => methodName(p.method) },
      { label: t('col.reference'), render: (p) => p.reference ?? '—', hideSmall: true },
      refundAction,
    ];
    const sessCols: Array<Column<Session>> = [
      { label: t('col.user'), render: (s) => s.username },
      { label: t('col.started'), render: (s) => when(s.startedAt) },
      { label: t('col.ended'), render: (s) => (s.stoppedAt ? when(s.stoppedAt) : badge('online')) },
      { label: 'IP', render: (s) => s.framedIpAddress ?? '—', hideSmall: true },
      { label: 'MAC', render: (s) => s.callingStationId ?? '—', hideSmall: true },
      { label: t('col.downUp'), render: (s) => `${bytes(s.outputOctets)} / ${bytes(s.inputOctets)}`, num: true, hideSmall: true },
    ];
    const noteCols: Array<Column<Message>> = [
      { label: t('col.when'), render: (n) => when(n.createdAt) },
      { label: t('col.channel'), render: (n) => channelName(n.channel) },
      { label: t('col.subject'), render: (n) => n.subject || n.template },
      { label: t('col.status'), render: (n) => badge(n.status) },
    ];
    const auditCols: Array<Column<AuditEntry>> = [
      { label: t('col.when'), render: (a) => when(a.at) },
      { label: t('col.who'), render: (a) => a.actor },
      { label: t('col.what'), render: (a) => `${a.action} ${a.entity}` },
    ];
    return html`
      <div class="row"><h1 class="grow" data-test="customer-name">${c.name}</h1>
        <button class="secondary" @click=${() => (this.editing = !this.editing)}>${this.editing ? t('common.close') : t('common.edit')}</button>
        <button class="secondary" @click=${() => (this.redeeming = !this.redeeming)}>${t('customer.redeemVoucher')}</button>
        <button @click=${() => (this.paying = !this.paying)}>${t('customer.recordPayment')}</button></div>
      <div class="grid">
        <div class="card"><dl class="kv">
          <dt>${t('customer.field.phone')}</dt><dd>${c.phone ?? '—'}</dd><dt>${t('customer.field.email')}</dt><dd>${c.email ?? '—'}</dd>
          <dt>${t('customer.field.address')}</dt><dd>${postalAddress(c) || c.address || '—'}</dd>
          ${c.taxId ? html`<dt>${t('customer.field.taxId')}</dt><dd>${c.taxId}</dd>` : nothing}
          <dt>${t('customer.field.language')}</dt><dd data-test="customer-language">${isLocale(c.language) ? LOCALE_NAMES[c.language] : t('customer.languageDefault')}</dd></dl>
          ${c.notes ? html`<p class="muted">${c.notes}</p>` : nothing}</div>
        <div class="card" data-test="fiscal"><div class="muted">${t('customer.fiscal')}</div><dl class="kv">
          <dt>${t('customer.field.kind')}</dt><dd>${c.kind === 'company' ? t('customer.kind.company') : t('customer.kind.person')}${c.publicAdministration ? ` · ${t('customer.field.publicAdministration')}` : ''}</dd>
          <dt>${t('customer.field.taxCode')}</dt><dd data-test="taxCode">${c.taxCode ?? '—'}</dd><dt>${t('customer.field.vatNumber')}</dt><dd data-test="vatNumber">${c.vatNumber ?? '—'}</dd>
          <dt>${t('customer.field.sdiCode')}</dt><dd data-test="sdiCode">${c.sdiCode ?? '—'}</dd><dt>${t('customer.field.pec')}</dt><dd>${c.pec ?? '—'}</dd>
          ${c.customerNumber ? html`<dt>${t('customer.field.customerNumber')}</dt><dd>${c.customerNumber}</dd>` : nothing}
          ${c.cig ? html`<dt>${t('customer.field.cig')}</dt><dd>${c.cig}</dd>` : nothing}${c.cup ? html`<dt>${t('customer.field.cup')}</dt><dd>${c.cup}</dd>` : nothing}</dl></div>
        <div class="card"><div class="muted">${t('customer.balance')}</div>
          <div class="kpi" data-test="balance">${balance === undefined ? '—' : money(Math.abs(balance))}</div>
          <div class="muted">${balance === undefined ? '' : balance > 0 ? t('customer.owed') : balance < 0 ? t('customer.inCredit') : t('customer.settled')}</div></div>
        <div class="card"><div class="muted">${t('customer.onlineNow')}</div><div class="kpi">${d.online.length}</div>
          ${d.online.map((s) => html`<div class="muted">${s.username} · ${s.framedIpAddress ?? ''} · ${ago(s.startedAt)}</div>`)}</div>
      </div>
      ${this.editing ? html`<div class="card"><h2>${t('customer.edit')}</h2><tg-form .fields=${customerFields(c)} .values=${c} patch
        .action=${(b: Body) => updateCustomer(c.id, b)}
        @saved=${(e: CustomEvent<Customer>) => { this.saved = e.detail; this.editing = false; toast(t('common.saved')); }}></tg-form></div>` : nothing}
      ${this.paying ? html`<div class="card"><h2>${t('customer.recordAPayment')}</h2><tg-form .fields=${paymentFields()} .values=${{ method: 'cash', receivedAt: new Date().toISOString() }} submitLabel=${t('customer.recordPayment')}
        .action=${(b: Body) => createPayment({ ...b, customerId: c.id })}
        @saved=${(e: CustomEvent<Payment>) => { this.paying = false; toast(t('customer.paymentRecorded', { amount: money(e.detail.amount) })); void this.page.run(); this.renderRoot.querySelectorAll('tg-table').forEach((t) => void t.reload()); }}></tg-form></div>` : nothing}

      ${this.redeeming ? html`<div class="card" data-test="customer-redeem"><h2>${t('customer.redeemAVoucher')}</h2>
        <tg-redeem .customerId=${c.id} .services=${d.services.filter((s) => d.plans.find((p) => p.id === s.planId)?.type === 'prepaid')}
          @redeemed=${() => { this.redeeming = false; void this.page.run(); }}></tg-redeem></div>` : nothing}
      <div class="row"><h2 class="grow">${t('customer.services')}</h2><a class="button secondary" href="/customers/${c.id}/services/new">${t('customer.addService')}</a></div>
      ${d.services.length === 0 ? html`<p class="muted">${t('customer.noService')}</p>` : nothing}
      ${d.services.map((s) => {
        const on = d.online.filter((o) => o.serviceId === s.id);
        return html`<div class="card" data-service=${s.username}>
          <div class="row"><b class="grow">${s.username}</b>${badge(s.status)} ${on.length ? badge('online') : html`<span class="badge">${t('customer.offline')}</span>`}</div>
          <div class="muted">${this.planName(d, s.planId)}${s.expiresAt ? ` · ${t('customer.validUntil', { until: when(s.expiresAt) })}` : ''} · ${t('customer.since', { since: day(s.startDate) })}${s.macAddress ? ` · MAC ${s.macAddress}` : ''}${s.staticIp ? ` · IP ${s.staticIp}` : ''}</div>
          ${on.map((o) => html`<div data-test="session">${t('customer.sessionLine', { id: o.acctSessionId, mac: o.callingStationId ?? '?', ip: o.framedIpAddress ?? '—', duration: duration(Math.round((Date.now() - Date.parse(o.startedAt)) / 1000)), down: bytes(o.outputOctets) })}</div>`)}
          <div class="row" style="margin-top:0.5rem">
            ${s.status === 'suspended'
              ? html`<button ?disabled=${!!this.busy} @click=${() => this.act(s, 'resume')}>${t('customer.resume')}</button>`
              : html`<button class="danger" ?disabled=${!!this.busy || s.status !== 'active'} @click=${() => this.act(s, 'suspend')}>${t('customer.suspend')}</button>`}
            <button class="secondary" ?disabled=${!!this.busy || !on.length} @click=${() => this.act(s, 'disconnect')}>${t('customer.kick')}</button>
            <button class="secondary" @click=${() => (this.changing = this.changing === s.id ? undefined : s.id)}>${t('customer.changePlan')}</button>
            ${d.plans.find((p) => p.id === s.planId)?.type === 'prepaid' ? html`<button class="secondary" @click=${() => (this.toppingUp = this.toppingUp === s.id ? undefined : s.id)}>${t('redeem.topUp')}</button>` : nothing}
            <a class="button secondary" href="/services/${s.id}">${t('common.edit')}</a>
            <a class="button secondary" href="/services/${s.id}/contract" data-test="contract-link">${t('contract.link')}</a>
            <a class="button secondary" href="/services/${s.id}/why">${t('customer.whyOffline')}</a>
          </div>
          ${this.busy.endsWith(`-${s.id}`) ? html`<div class="muted" role="status">${t('customer.waitingNas')}</div>` : nothing}
          ${this.changing === s.id ? html`<div style="margin-top:0.8rem"><tg-form submitLabel=${t('customer.changePlan')}
            .fields=${[
              { name: 'planId', label: t('customer.newPlan'), type: 'select', numeric: true, required: true, options: d.plans.filter((p) => p.id !== s.planId).map((p) => [String(p.id), `${p.name} (${money(p.price)})`]) },
              { name: 'effectiveDate', label: t('customer.from'), type: 'date', required: true },
            ] as Field[]}
            .values=${{ effectiveDate: todayIso() }}
            .action=${(b: Body) => changePlan(s.id, b)}
            @saved=${(e: CustomEvent<ServiceTerms>) => { this.changing = undefined; toast(t('customer.planChanged')); this.changed = new Map(this.changed).set(s.id, e.detail.planChanges); void this.page.run(); }}></tg-form></div>` : nothing}
          ${this.planChangesOf(d, s)}
          ${this.toppingUp === s.id ? html`<div style="margin-top:0.8rem"><tg-prepaid-topup .serviceId=${s.id}
            @topped-up=${() => { this.toppingUp = undefined; void this.page.run(); }}></tg-prepaid-topup></div>` : nothing}
        </div>`;
      })}

      ${d.dunning ? html`<h2>${t('nav.dunning')}</h2><div class="card">
        <p class="muted">${t('customer.profile')} ${d.dunning.effectiveProfileId === null ? t('customer.configuredDefaults') : `${d.profiles.find((p) => p.id === d.dunning!.effectiveProfileId)?.name ?? `#${d.dunning.effectiveProfileId}`}${d.dunning.billingProfileId === null ? ` ${t('customer.defaultProfile')}` : ''}`}${d.dunning.whitelisted ? ` · ${t('customer.whitelisted')}` : ''}</p>
        <tg-form submitLabel=${t('customer.saveDunning')} .values=${d.dunning} patch
          .fields=${[
            { name: 'billingProfileId', label: t('customer.billingProfile'), type: 'select', numeric: true, nullable: true, options: d.profiles.map((p) => [String(p.id), p.name]) },
            { name: 'whitelisted', label: t('customer.neverSuspend'), type: 'checkbox' },
          ] as Field[]}
          .action=${(b: Body) => setCustomerDunning(c.id, b)}
          @saved=${() => { toast(t('customer.dunningSaved')); void this.page.run(); }}></tg-form></div>` : nothing}

      <h2>${t('nav.invoices')}</h2>
      <tg-table .load=${listInvoices} .query=${{ customerId: c.id }} .columns=${invCols} .limit=${10} empty=${t('customer.noInvoice')}></tg-table>
      <h2>${t('nav.payments')}</h2>
      ${this.refunding ? html`<tg-refund .payment=${this.refunding} @cancel=${() => (this.refunding = undefined)}
        @refunded=${() => { this.refunding = undefined; void this.page.run(); this.renderRoot.querySelectorAll('tg-table').forEach((t) => void t.reload()); }}></tg-refund>` : nothing}
      <tg-table .load=${listPayments} .query=${{ customerId: c.id }} .columns=${payCols} .limit=${10} empty=${t('customer.noPayment')}></tg-table>
      <h2>${t('customer.sessions')}</h2>
      ${d.services.length ? d.services.map((s) => html`<tg-table .load=${listSessions} .query=${{ serviceId: s.id }} .columns=${sessCols} .limit=${10} empty=${t('customer.noSession')}></tg-table>`) : html`<p class="muted">${t('customer.noServiceShort')}</p>`}
      <h2>${t('customer.notificationsSent')}</h2>
      <tg-table .load=${listMessages} .query=${{ customerId: c.id }} .columns=${noteCols} .limit=${10} empty=${t('customer.noMessage')}></tg-table>
      <h2>${t('customer.auditTrail')}</h2>
      <tg-table .load=${listAudit} .query=${{ entity: 'customer', entityId: String(c.id) }} .columns=${auditCols} .limit=${10} empty=${t('customer.noChange')}></tg-table>
    `;
  }
}
customElements.define('tg-customer', TgCustomer);

const paymentFields = (): Field[] => [
  { name: 'amount', label: t('col.amount'), type: 'money', required: true, min: 0.01, max: 1e11 },
  { name: 'method', label: t('col.method'), type: 'select', required: true, options: methodOptions() },
  { name: 'receivedAt', label: t('customer.received'), type: 'datetime', required: true },
  { name: 'reference', label: t('col.reference'), nullable: true, maxLength: 200 },
];

/** The structured address on one line: street and number, postal code, city, province, country. */
function postalAddress(c: Customer): string {
  const street = [c.street, c.streetNumber].filter(Boolean).join(' ');
  const place = [c.postalCode, c.city, c.province ? `(${c.province})` : ''].filter(Boolean).join(' ');
  return [street, place, c.country].filter(Boolean).join(', ');
}
