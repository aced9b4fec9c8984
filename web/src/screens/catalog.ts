// Plans and NAS: lists and create/edit forms; a NAS page with its SNMP status and traffic graph.
import { LitElement, html, nothing } from 'lit';
import { api, type Nas, type Page, type Plan } from '../api.js';
import { navigate } from '../router.js';
import { badge, base, bytes, errorText, money, sparkline, speed, toast, when, type Column, type Field } from '../ui.js';

const planFields: Field[] = [
  { name: 'name', label: 'Name', required: true, maxLength: 200 },
  { name: 'type', label: 'Type', type: 'select', required: true, options: [['recurring', 'recurring (invoiced)'], ['prepaid', 'prepaid (time-limited)']] },
  { name: 'price', label: 'Price', type: 'money', required: true, min: 0 },
  { name: 'billingPeriodMonths', label: 'Billing period (months)', type: 'select', numeric: true, nullable: true, options: [1, 2, 3, 6, 12].map((n) => [String(n), String(n)]),
    validate: (v, all) => (all.type === 'recurring' && (v === null || v === undefined) ? 'is required for a recurring plan' : undefined) },
  { name: 'validityDays', label: 'Validity (days)', type: 'number', nullable: true, min: 1, max: 3660,
    validate: (v, all) => (all.type === 'prepaid' && (v === null || v === undefined) ? 'is required for a prepaid plan' : undefined) },
  { name: 'setupFee', label: 'Setup fee', type: 'money', min: 0 },
  { name: 'taxRateBp', label: 'Tax rate (basis points)', type: 'number', min: 0, max: 10000, help: '2200 = 22 %' },
  { name: 'taxInclusive', label: 'Price includes tax', type: 'checkbox' },
  { name: 'downloadKbps', label: 'Download (kbit/s)', type: 'number', required: true, min: 1, max: 100000000 },
  { name: 'uploadKbps', label: 'Upload (kbit/s)', type: 'number', required: true, min: 1, max: 100000000 },
  { name: 'dataCapBytes', label: 'Data cap (bytes)', type: 'number', nullable: true, min: 1 },
  { name: 'capAction', label: 'At the cap', type: 'select', nullable: true, options: [['block', 'block'], ['throttle', 'throttle']] },
  { name: 'framedPool', label: 'IP pool', nullable: true, maxLength: 253 },
  { name: 'suspensionMode', label: 'When suspended', type: 'select', nullable: true, options: [['reject', 'reject logins'], ['walled-garden', 'walled garden']] },
  { name: 'description', label: 'Description', type: 'textarea', maxLength: 2000 },
];

export class TgPlans extends LitElement {
  static override styles = [base];
  override render() {
    const cols: Array<Column<Plan>> = [
      { label: 'Name', render: (p) => html`<a href="/plans/${p.id}">${p.name}</a>` },
      { label: 'Type', render: (p) => p.type },
      { label: 'Price', render: (p) => money(p.price), num: true },
      { label: 'Speed', render: (p) => `${speed(p.downloadKbps)} / ${speed(p.uploadKbps)}`, hideSmall: true },
      { label: 'Period', render: (p) => (p.billingPeriodMonths ? `${p.billingPeriodMonths} mo` : p.validityDays ? `${p.validityDays} days` : '—'), hideSmall: true },
    ];
    return html`<div class="row"><h1 class="grow">Plans</h1><a class="button" href="/plans/new">New plan</a></div>
      <tg-table path="/plans" .columns=${cols} .rowHref=${(p: Plan) => `/plans/${p.id}`} empty="No plan yet: create the first one."></tg-table>`;
  }
}
customElements.define('tg-plans', TgPlans);

export class TgPlanEdit extends LitElement {
  static override styles = [base];
  static override properties = { planId: { type: Number }, plan: { state: true }, error: { state: true } };
  declare planId: number | undefined;
  declare plan: Plan | undefined;
  declare error: string;
  constructor() {
    super();
    this.error = '';
  }
  override connectedCallback(): void {
    super.connectedCallback();
    if (this.planId) api.get<Plan>(`/plans/${this.planId}`).then((p) => (this.plan = p), (e) => (this.error = errorText(e)));
  }
  override render() {
    if (this.error) return html`<div class="banner error">${this.error}</div>`;
    if (this.planId && !this.plan) return html`<p class="muted">Loading…</p>`;
    const p = this.plan;
    return html`<h1>${p ? `Plan ${p.name}` : 'New plan'}</h1><p><a href="/plans">‹ plans</a></p>
      <div class="card"><tg-form .fields=${planFields} ?patch=${!!p} .values=${p ?? { type: 'recurring', billingPeriodMonths: 1, taxInclusive: true }}
        submitLabel=${p ? 'Save' : 'Create plan'}
        .action=${(b: Record<string, unknown>) => (p ? api.patch<Plan>(`/plans/${p.id}`, b) : api.post<Plan>('/plans', b))}
        @saved=${(e: CustomEvent<Plan>) => { toast(`Plan ${e.detail.name} saved`); navigate('/plans'); }}></tg-form></div>`;
  }
}
customElements.define('tg-plan-edit', TgPlanEdit);

function nasFields(editing: boolean): Field[] {
  return [
    { name: 'name', label: 'Name', required: true, maxLength: 200 },
    { name: 'ipAddress', label: 'IP address or CIDR', required: true, minLength: 2, maxLength: 64, pattern: '[0-9a-fA-F.:]+(/[0-9]{1,3})?', patternMessage: 'is not an IP address or CIDR block' },
    { name: 'secret', label: 'RADIUS shared secret', type: 'password', required: !editing, minLength: 8, maxLength: 128, autocomplete: 'new-password', help: editing ? 'leave empty to keep it' : 'at least 8 characters; write-only' },
    { name: 'vendor', label: 'Vendor', type: 'select', required: true, options: [['mikrotik', 'MikroTik'], ['generic', 'generic']] },
    { name: 'nasIdentifier', label: 'NAS-Identifier', nullable: true, maxLength: 253 },
    { name: 'coaPort', label: 'CoA port', type: 'number', min: 1, max: 65535 },
    { name: 'requireMessageAuthenticator', label: 'Require Message-Authenticator', type: 'checkbox' },
    { name: 'snmpEnabled', label: 'Poll over SNMP', type: 'checkbox' },
    { name: 'snmpVersion', label: 'SNMP version', type: 'select', nullable: true, options: [['2c', '2c'], ['3', '3']] },
    { name: 'snmpCommunity', label: 'SNMP community', type: 'password', help: 'write-only' },
    { name: 'routerosEnabled', label: 'Use the RouterOS API', type: 'checkbox' },
    { name: 'routerosUsername', label: 'RouterOS user', nullable: true, maxLength: 100 },
    { name: 'routerosPassword', label: 'RouterOS password', type: 'password', help: 'write-only' },
    { name: 'description', label: 'Description', type: 'textarea', maxLength: 2000 },
  ];
}

interface NasStatus { state: string; lastSeenAt: string | null; uptimeSeconds: number | null; lastError: string | null; snmpEnabled: boolean; interfaces?: Array<{ ifIndex: number; name?: string; descr?: string }> }
interface Traffic { items: Array<{ at: string; ifIndex: number; inBps?: number; outBps?: number; inOctets?: number; outOctets?: number }> }

export class TgNasList extends LitElement {
  static override styles = [base];
  override render() {
    const cols: Array<Column<Nas>> = [
      { label: 'Name', render: (n) => html`<a href="/nas/${n.id}">${n.name}</a>` },
      { label: 'Address', render: (n) => n.ipAddress },
      { label: 'Vendor', render: (n) => n.vendor, hideSmall: true },
      { label: 'SNMP', render: (n) => (n.snmpEnabled ? 'on' : 'off'), hideSmall: true },
    ];
    return html`<div class="row"><h1 class="grow">NAS</h1><a class="button" href="/nas/new">New NAS</a></div>
      <tg-table path="/nas" .columns=${cols} .rowHref=${(n: Nas) => `/nas/${n.id}`} empty="No NAS yet: add your first router."></tg-table>`;
  }
}
customElements.define('tg-nas-list', TgNasList);

export class TgNasEdit extends LitElement {
  static override styles = [base];
  static override properties = { nasId: { type: Number }, nas: { state: true }, status: { state: true }, traffic: { state: true }, onboarding: { state: true }, error: { state: true } };
  declare nasId: number | undefined;
  declare nas: Nas | undefined;
  declare status: NasStatus | undefined;
  declare traffic: Traffic | undefined;
  declare onboarding: string | undefined;
  declare error: string;
  constructor() {
    super();
    this.error = '';
  }
  override connectedCallback(): void {
    super.connectedCallback();
    if (!this.nasId) return;
    api.get<Nas>(`/nas/${this.nasId}`).then((n) => (this.nas = n), (e) => (this.error = errorText(e)));
    api.get<NasStatus>(`/nas/${this.nasId}/status`).then((s) => (this.status = s), () => undefined);
    api.get<Traffic>(`/nas/${this.nasId}/traffic`).then((t) => (this.traffic = t), () => undefined);
  }
  private async showOnboarding(): Promise<void> {
    try {
      const r = await api.get<Record<string, unknown>>(`/nas/${this.nasId}/onboarding`);
      this.onboarding = typeof r.script === 'string' ? r.script : Array.isArray(r.commands) ? (r.commands as string[]).join('\n') : JSON.stringify(r, null, 2);
    } catch (err) {
      toast(errorText(err), 'error');
    }
  }
  override render() {
    if (this.error) return html`<div class="banner error">${this.error}</div>`;
    if (this.nasId && !this.nas) return html`<p class="muted">Loading…</p>`;
    const n = this.nas;
    const s = this.status;
    const series = (this.traffic?.items ?? []).map((t) => (t.inBps ?? 0) + (t.outBps ?? 0));
    return html`<h1>${n ? `NAS ${n.name}` : 'New NAS'}</h1><p><a href="/nas">‹ NAS</a></p>
      ${n ? html`<div class="grid">
        <div class="card"><div class="muted">Status</div><div class="kpi">${badge(s?.state ?? 'unknown')}</div>
          <div class="muted">${s?.snmpEnabled ? `last seen ${when(s.lastSeenAt)}${s.uptimeSeconds ? ` · up ${Math.round(s.uptimeSeconds / 86400)} days` : ''}` : 'SNMP polling is off'}</div>
          ${s?.lastError ? html`<div class="err">${s.lastError}</div>` : nothing}</div>
        <div class="card"><div class="muted">Traffic, last 24 h</div>${sparkline(series)}
          <div class="muted">${series.length ? `peak ${bytes(Math.max(...series) / 8)}/s` : ''}</div></div>
      </div>
      <div class="card"><button class="secondary" @click=${this.showOnboarding}>RouterOS setup commands</button>
        ${this.onboarding ? html`<pre style="white-space:pre-wrap">${this.onboarding}</pre>` : nothing}</div>` : nothing}
      <div class="card"><tg-form .fields=${nasFields(!!n)} ?patch=${!!n} .values=${n ?? { vendor: 'mikrotik', coaPort: 3799, requireMessageAuthenticator: true }}
        submitLabel=${n ? 'Save' : 'Create NAS'}
        .action=${(b: Record<string, unknown>) => (n ? api.patch<Nas>(`/nas/${n.id}`, b) : api.post<Nas>('/nas', b))}
        @saved=${(e: CustomEvent<Nas>) => { toast(`NAS ${e.detail.name} saved`); navigate(n ? `/nas/${n.id}` : '/nas'); }}></tg-form></div>`;
  }
}
customElements.define('tg-nas-edit', TgNasEdit);

export type { Page };
