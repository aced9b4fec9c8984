// A new NAS, or a NAS's page: its SNMP state and traffic, the RouterOS setup commands, the CoA
// self-test and its settings.
import { LitElement, html, nothing } from 'lit';
import { Task, initialState } from '@lit/task';
import { ApiError, type Body } from '../data/http.js';
import { createNas, getNas, nasOnboarding, nasSelfTest, nasStatus, nasTraffic, updateNas, type Nas, type Onboarding, type RouterOsVersion, type SelfTest } from '../data/nas.js';
import { sparkline } from '../components/charts.js';
import '../components/form.js';
import type { Field } from '../components/form.js';
import { navigate } from '../router.js';
import { badge, base, bytes, errorText, toast, when } from '../ui.js';
import '../components/radius-drops.js';

function nasFields(editing: boolean): Field[] {
  return [
    { name: 'name', label: 'Name', required: true, maxLength: 200 },
    { name: 'ipAddress', label: 'IP address or CIDR', required: true, minLength: 2, maxLength: 64, pattern: '[0-9a-fA-F.:]+(/[0-9]{1,3})?', patternMessage: 'is not an IP address or CIDR block' },
    { name: 'secret', label: 'RADIUS shared secret', type: 'password', required: !editing, minLength: 8, maxLength: 128, autocomplete: 'new-password', help: editing ? 'leave empty to keep it' : 'at least 8 characters; write-only' },
    { name: 'vendor', label: 'Vendor', type: 'select', required: true, options: [['mikrotik', 'MikroTik'], ['generic', 'generic']] },
    { name: 'nasIdentifier', label: 'NAS-Identifier', nullable: true, maxLength: 253 },
    { name: 'coaPort', label: 'CoA port', type: 'number', min: 1, max: 65535 },
    { name: 'requireMessageAuthenticator', label: 'Require Message-Authenticator', type: 'checkbox', help: 'Drop Access-Requests the router did not sign (BlastRADIUS protection); RouterOS 7.15+ signs them after /radius set [find] require-message-auth=yes.' },
    { name: 'snmpEnabled', label: 'Poll over SNMP', type: 'checkbox' },
    { name: 'snmpVersion', label: 'SNMP version', type: 'select', nullable: true, options: [['2c', '2c'], ['3', '3']] },
    { name: 'snmpCommunity', label: 'SNMP community', type: 'password', help: 'write-only' },
    { name: 'routerosEnabled', label: 'Use the RouterOS API', type: 'checkbox' },
    { name: 'routerosUsername', label: 'RouterOS user', nullable: true, maxLength: 100 },
    { name: 'routerosPassword', label: 'RouterOS password', type: 'password', help: 'write-only' },
    { name: 'description', label: 'Description', type: 'textarea', maxLength: 2000 },
  ];
}

export class TgNasEdit extends LitElement {
  static override styles = [base];
  static override properties = { nasId: { type: Number }, onboarding: { state: true }, selfTest: { state: true }, testing: { state: true }, testError: { state: true } };
  /** Set to show and edit that NAS; unset for a new one. */
  declare nasId: number | undefined;
  declare onboarding: Onboarding | undefined;
  declare selfTest: SelfTest | undefined;
  declare testing: boolean;
  declare testError: string;

  private readonly nas = new Task(this, {
    task: ([id]: readonly [number | undefined]) => (id ? getNas(id) : initialState),
    args: (): readonly [number | undefined] => [this.nasId],
  });
  // The SNMP state and the traffic come on their own and may fail: the page shows without them.
  private readonly status = new Task(this, {
    task: ([id]: readonly [number | undefined]) => (id ? nasStatus(id) : initialState),
    args: (): readonly [number | undefined] => [this.nasId],
  });
  private readonly traffic = new Task(this, {
    task: ([id]: readonly [number | undefined]) => (id ? nasTraffic(id) : initialState),
    args: (): readonly [number | undefined] => [this.nasId],
  });

  constructor() {
    super();
    this.testing = false;
    this.testError = '';
  }
  private async showOnboarding(id: number): Promise<void> {
    // The select offers 7 and 6 only; 7 when it is not there.
    const version: RouterOsVersion = (this.renderRoot.querySelector('#ros-version') as HTMLSelectElement | null)?.value === '6' ? '6' : '7';
    try {
      this.onboarding = await nasOnboarding(id, version);
    } catch (err) {
      toast(errorText(err), 'error');
    }
  }
  private async runSelfTest(id: number): Promise<void> {
    const host = (this.renderRoot.querySelector('#selftest-host') as HTMLInputElement | null)?.value.trim() ?? '';
    if (host && !/^[0-9a-fA-F.:]+$/.test(host)) {
      this.testError = 'Router address is not an IP address';
      return;
    }
    this.testing = true;
    this.testError = '';
    this.selfTest = undefined;
    try {
      this.selfTest = await nasSelfTest(id, host);
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
    return this.nas.render({
      initial: () => this.view(undefined),
      pending: () => html`<p class="muted">Loading…</p>`,
      complete: (n) => this.view(n),
      error: (err) => html`<div class="banner error">${errorText(err)}</div>`,
    });
  }

  private view(n: Nas | undefined) {
    const s = this.status.value;
    const series = (this.traffic.value?.items ?? []).map((t) => (t.inBps ?? 0) + (t.outBps ?? 0));
    return html`<h1>${n ? `NAS ${n.name}` : 'New NAS'}</h1><p><a href="/nas">‹ NAS</a></p>
      ${n ? html`<div class="grid">
        <div class="card"><div class="muted">Status</div><div class="kpi">${badge(s?.state ?? 'unknown')}</div>
          <div class="muted">${s?.snmpEnabled ? `last seen ${when(s.lastSeenAt)}${s.uptimeSeconds ? ` · up ${Math.round(s.uptimeSeconds / 86400)} days` : ''}` : 'SNMP polling is off'}</div>
          ${s?.lastError ? html`<div class="err">${s.lastError}</div>` : nothing}</div>
        <div class="card"><div class="muted">Traffic, last 24 h</div>${sparkline(series)}
          <div class="muted">${series.length ? `peak ${bytes(Math.max(...series) / 8)}/s` : ''}</div></div>
      </div>
      <tg-nas-drops nas-id=${n.id}></tg-nas-drops>
      <div class="card"><h2>Connect the router</h2>
        <div class="row"><div><label for="ros-version">RouterOS</label><select id="ros-version"><option value="7">7.15 or later</option><option value="6">6</option></select></div>
          <button class="secondary" @click=${() => this.showOnboarding(n.id)}>RouterOS setup commands</button></div>
        ${this.onboarding ? html`${this.onboarding.warnings.map((w) => html`<div class="banner warn">${w}</div>`)}
          <p class="muted">Paste into the router's terminal. It holds the shared secret: this view is recorded in the audit log.</p>
          <pre data-test="onboarding" style="white-space:pre-wrap">${this.onboarding.script}</pre>` : nothing}
        <h2>CoA self-test</h2>
        <p class="muted">Sends a harmless Disconnect-Request for a session that cannot exist and reports whether the router answers.</p>
        <div class="row"><div class="grow"><label for="selftest-host">Router address</label><input id="selftest-host" placeholder="default: the NAS address" aria-invalid=${this.testError.startsWith('Router address') ? 'true' : 'false'}></div>
          <button ?disabled=${this.testing} @click=${() => this.runSelfTest(n.id)}>${this.testing ? 'Testing…' : 'Run self-test'}</button></div>
        ${this.testError ? html`<div class="err" data-field="host">${this.testError}</div>` : nothing}
        ${this.testing ? html`<div class="muted" role="status">Waiting for the router (a few seconds when it does not answer)…</div>` : nothing}
        ${this.selfTest ? this.selfTestResult(this.selfTest) : nothing}</div>` : nothing}
      <div class="card"><tg-form .fields=${nasFields(!!n)} ?patch=${!!n} .values=${n ?? { vendor: 'mikrotik', coaPort: 3799, requireMessageAuthenticator: true }}
        submitLabel=${n ? 'Save' : 'Create NAS'}
        .action=${(b: Body) => (n ? updateNas(n.id, b) : createNas(b))}
        @saved=${(e: CustomEvent<Nas>) => { toast(`NAS ${e.detail.name} saved`); navigate(n ? `/nas/${n.id}` : '/nas'); }}></tg-form></div>`;
  }
}
customElements.define('tg-nas-edit', TgNasEdit);
