// Plans and NAS: lists and create/edit forms; a NAS page with its SNMP status and traffic graph.
import { LitElement, html, nothing } from 'lit';
import { api, ApiError, type Nas, type Page, type Plan } from '../api.js';
import { planBody, planValues } from '../forms.js';
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
  { name: 'prepaidNoticeDays', label: 'Expiry notices (days before)', nullable: true, maxLength: 32, placeholder: 'default',
    pattern: '[Nn][Oo][Nn][Ee]|\\s*\\d{1,3}\\s*(,\\s*\\d{1,3}\\s*){0,2}', patternMessage: 'is up to three days, e.g. "7,3,1", or "none"',
    help: 'prepaid: e.g. "7,3,1"; "none" for no notice; empty: the [prepaid] notice_days setting' },
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
      <div class="card"><tg-form .fields=${planFields} ?patch=${!!p} .values=${p ? planValues(p) : { type: 'recurring', billingPeriodMonths: 1, taxInclusive: true }}
        submitLabel=${p ? 'Save' : 'Create plan'}
        .action=${(b: Record<string, unknown>) => (p ? api.patch<Plan>(`/plans/${p.id}`, planBody(b)) : api.post<Plan>('/plans', planBody(b)))}
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
interface SelfTest { result: 'answered' | 'no_answer' | 'bad_authenticator'; ok: boolean; reply?: 'ack' | 'nak'; errorCause?: number; errorCauseName?: string; host: string; port: number; attempts: number }
interface Traffic { items: Array<{ at: string; ifIndex: number; inBps?: number; outBps?: number; inOctets?: number; outOctets?: number }> }

/** A NAS's state badge (up, down, unknown), loaded on its own so the list shows at once. */
export class TgNasState extends LitElement {
  static override styles = [base];
  static override properties = { nasId: { type: Number }, status: { state: true }, failed: { state: true } };
  declare nasId: number;
  declare status: NasStatus | undefined;
  declare failed: boolean;
  constructor() {
    super();
    this.failed = false;
  }
  protected override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('nasId') && this.nasId) {
      api.get<NasStatus>(`/nas/${this.nasId}/status`).then((s) => { this.status = s; this.failed = false; }, () => (this.failed = true));
    }
  }
  override render() {
    const s = this.status;
    if (!s) return html`<span class="badge" data-state=${this.failed ? 'error' : 'loading'}>${this.failed ? '?' : '…'}</span>`;
    const title = !s.snmpEnabled ? 'SNMP polling is off' : s.lastSeenAt ? `last seen ${when(s.lastSeenAt)}` : (s.lastError ?? 'not polled yet');
    return html`<span class="badge ${s.state}" data-state=${s.state} title=${title}>${s.state}</span>`;
  }
}
customElements.define('tg-nas-state', TgNasState);

export class TgNasList extends LitElement {
  static override styles = [base];
  override render() {
    const cols: Array<Column<Nas>> = [
      { label: 'Name', render: (n) => html`<a href="/nas/${n.id}">${n.name}</a>` },
      { label: 'State', render: (n) => html`<tg-nas-state .nasId=${n.id}></tg-nas-state>` },
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
  static override properties = { nasId: { type: Number }, nas: { state: true }, status: { state: true }, traffic: { state: true }, onboarding: { state: true }, selfTest: { state: true }, testing: { state: true }, testError: { state: true }, error: { state: true } };
  declare nasId: number | undefined;
  declare nas: Nas | undefined;
  declare status: NasStatus | undefined;
  declare traffic: Traffic | undefined;
  declare onboarding: { script: string; warnings: string[] } | undefined;
  declare selfTest: SelfTest | undefined;
  declare testing: boolean;
  declare testError: string;
  declare error: string;
  constructor() {
    super();
    this.error = '';
    this.testing = false;
    this.testError = '';
  }
  override connectedCallback(): void {
    super.connectedCallback();
    if (!this.nasId) return;
    api.get<Nas>(`/nas/${this.nasId}`).then((n) => (this.nas = n), (e) => (this.error = errorText(e)));
    api.get<NasStatus>(`/nas/${this.nasId}/status`).then((s) => (this.status = s), () => undefined);
    api.get<Traffic>(`/nas/${this.nasId}/traffic`).then((t) => (this.traffic = t), () => undefined);
  }
  private async showOnboarding(): Promise<void> {
    const version = (this.renderRoot.querySelector('#ros-version') as HTMLSelectElement | null)?.value ?? '7';
    try {
      const r = await api.get<{ script: string; warnings: string[] }>(`/nas/${this.nasId}/onboarding`, { routerosVersion: version });
      this.onboarding = { script: r.script, warnings: r.warnings ?? [] };
    } catch (err) {
      toast(errorText(err), 'error');
    }
  }
  private async runSelfTest(): Promise<void> {
    const host = (this.renderRoot.querySelector('#selftest-host') as HTMLInputElement | null)?.value.trim() ?? '';
    if (host && !/^[0-9a-fA-F.:]+$/.test(host)) {
      this.testError = 'Router address is not an IP address';
      return;
    }
    this.testing = true;
    this.testError = '';
    this.selfTest = undefined;
    try {
      this.selfTest = await api.post<SelfTest>(`/nas/${this.nasId}/self-test`, host ? { host } : {});
    } catch (err) {
      this.testError = err instanceof ApiError && err.fields.host ? `Router address ${err.fields.host}` : errorText(err);
    } finally {
      this.testing = false;
    }
  }
  private selfTestResult(t: SelfTest) {
    const text = t.result === 'answered'
      ? `The router answered CoA on ${t.host}:${t.port} (${t.reply === 'ack' ? 'ACK' : `NAK${t.errorCauseName ? `, ${t.errorCauseName}` : ''}`}): suspensions and kicks reach it.`
      : t.result === 'bad_authenticator'
        ? `A reply came from ${t.host}:${t.port} but does not verify: the shared secret on the router is another.`
        : `No answer from ${t.host}:${t.port} after ${t.attempts} tries: CoA is off on the router (/radius incoming set accept=yes), the port is wrong, a firewall drops it, or the secrets differ.`;
    return html`<div class="banner ${t.ok ? 'ok' : 'error'}" data-test="selftest-result" data-result=${t.result}>${text}</div>`;
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
      <div class="card"><h2>Connect the router</h2>
        <div class="row"><div><label for="ros-version">RouterOS</label><select id="ros-version"><option value="7">7.15 or later</option><option value="6">6</option></select></div>
          <button class="secondary" @click=${this.showOnboarding}>RouterOS setup commands</button></div>
        ${this.onboarding ? html`${this.onboarding.warnings.map((w) => html`<div class="banner warn">${w}</div>`)}
          <p class="muted">Paste into the router's terminal. It holds the shared secret: this view is recorded in the audit log.</p>
          <pre data-test="onboarding" style="white-space:pre-wrap">${this.onboarding.script}</pre>` : nothing}
        <h2>CoA self-test</h2>
        <p class="muted">Sends a harmless Disconnect-Request for a session that cannot exist and reports whether the router answers.</p>
        <div class="row"><div class="grow"><label for="selftest-host">Router address</label><input id="selftest-host" placeholder="default: the NAS address" aria-invalid=${this.testError.startsWith('Router address') ? 'true' : 'false'}></div>
          <button ?disabled=${this.testing} @click=${this.runSelfTest}>${this.testing ? 'Testing…' : 'Run self-test'}</button></div>
        ${this.testError ? html`<div class="err" data-field="host">${this.testError}</div>` : nothing}
        ${this.testing ? html`<div class="muted" role="status">Waiting for the router (a few seconds when it does not answer)…</div>` : nothing}
        ${this.selfTest ? this.selfTestResult(this.selfTest) : nothing}</div>` : nothing}
      <div class="card"><tg-form .fields=${nasFields(!!n)} ?patch=${!!n} .values=${n ?? { vendor: 'mikrotik', coaPort: 3799, requireMessageAuthenticator: true }}
        submitLabel=${n ? 'Save' : 'Create NAS'}
        .action=${(b: Record<string, unknown>) => (n ? api.patch<Nas>(`/nas/${n.id}`, b) : api.post<Nas>('/nas', b))}
        @saved=${(e: CustomEvent<Nas>) => { toast(`NAS ${e.detail.name} saved`); navigate(n ? `/nas/${n.id}` : '/nas'); }}></tg-form></div>`;
  }
}
customElements.define('tg-nas-edit', TgNasEdit);

export type { Page };
