// A new NAS, or a NAS's page: its SNMP state and traffic, the RouterOS setup commands, the CoA
// self-test and its settings. On a phone a NAS's setup commands, self-test and settings start folded
// (the page was 2,500 px tall), its state and dropped requests first.
import { LitElement, html, nothing } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';
import { Task, initialState } from '@lit/task';
import { ApiError, type Body } from '../data/http.js';
import { createNas, getNas, nasOnboarding, nasSelfTest, nasStatus, nasTraffic, updateNas, type Nas, type Onboarding, type RouterOsVersion, type SelfTest } from '../data/nas.js';
import { sparkline } from '../components/charts.js';
import '../components/form.js';
import type { Field } from '../components/form.js';
import { navigate } from '../router.js';
import { badge, base, bytes, errorText, toast, when, wide } from '../ui.js';
import { errorCauseText, onboardingWarnings, snmpErrorText } from '../names.js';
import { t } from '../i18n.js';
import '../components/radius-drops.js';

function nasFields(editing: boolean): Field[] {
  return [
    { name: 'name', label: t('col.name'), required: true, maxLength: 200 },
    { name: 'ipAddress', label: t('nas.ip'), required: true, minLength: 2, maxLength: 64, pattern: '[0-9a-fA-F.:]+(/[0-9]{1,3})?', patternMessage: t('nas.ipPattern') },
    { name: 'secret', label: t('nas.secret'), type: 'password', required: !editing, minLength: 8, maxLength: 128, autocomplete: 'new-password', help: editing ? t('nas.secretKeep') : t('nas.secretHelp') },
    { name: 'vendor', label: t('nas.vendor'), type: 'select', required: true, options: [['mikrotik', 'MikroTik'], ['generic', t('nas.generic')]] },
    { name: 'nasIdentifier', label: 'NAS-Identifier', nullable: true, maxLength: 253 },
    { name: 'coaPort', label: t('nas.coaPort'), type: 'number', min: 1, max: 65535 },
    { name: 'requireMessageAuthenticator', label: t('nas.requireMa'), type: 'checkbox', help: t('nas.requireMaHelp') },
    { name: 'snmpEnabled', label: t('nas.snmpPoll'), type: 'checkbox' },
    { name: 'snmpVersion', label: t('nas.snmpVersion'), type: 'select', nullable: true, options: [['2c', '2c'], ['3', '3']] },
    { name: 'snmpCommunity', label: t('nas.snmpCommunity'), type: 'password', help: t('nas.writeOnly') },
    { name: 'routerosEnabled', label: t('nas.routerosApi'), type: 'checkbox' },
    { name: 'routerosUsername', label: t('nas.routerosUser'), nullable: true, maxLength: 100 },
    { name: 'routerosPassword', label: t('nas.routerosPassword'), type: 'password', help: t('nas.writeOnly') },
    { name: 'description', label: t('plans.description'), type: 'textarea', maxLength: 2000 },
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
      this.testError = t('nas.hostNotIp');
      return;
    }
    this.testing = true;
    this.testError = '';
    this.selfTest = undefined;
    try {
      this.selfTest = await nasSelfTest(id, host);
    } catch (err) {
      this.testError = err instanceof ApiError && err.fields.host ? `${t('nas.routerAddress')} ${err.fields.host}` : errorText(err);
    } finally {
      this.testing = false;
    }
  }
  private selfTestResult(r: SelfTest) {
    const where = `${r.host}:${r.port}`;
    const text = r.result === 'answered'
      ? t('nas.selfTestAnswered', { where, reply: r.reply === 'ack' ? 'ACK' : `NAK${r.errorCause !== undefined || r.errorCauseName ? `, ${errorCauseText(r.errorCause ?? null, r.errorCauseName ?? null)}` : ''}` })
      : r.result === 'bad_authenticator'
        ? t('nas.selfTestBadAuth', { where })
        : t('nas.selfTestNoAnswer', { where, n: r.attempts });
    return html`<div class="banner ${r.ok ? 'ok' : 'error'}" data-test="selftest-result" data-result=${r.result}>${text}</div>`;
  }
  override render() {
    return this.nas.render({
      initial: () => this.view(undefined),
      pending: () => html`<p class="muted">${t('common.loading')}</p>`,
      complete: (n) => this.view(n),
      error: (err) => html`<div class="banner error">${errorText(err)}</div>`,
    });
  }

  private view(n: Nas | undefined) {
    const s = this.status.value;
    const series = (this.traffic.value?.items ?? []).map((p) => (p.inBps ?? 0) + (p.outBps ?? 0));
    return html`<h1>${n ? `NAS ${n.name}` : t('nas.new')}</h1><p><a href="/nas">‹ NAS</a></p>
      ${n ? html`<div class="grid">
        <div class="card"><div class="muted">${t('col.status')}</div><div class="kpi">${badge(s?.state ?? 'unknown')}</div>
          <div class="muted">${s?.snmpEnabled ? `${t('nas.lastSeen', { at: when(s.lastSeenAt) })}${s.uptimeSeconds ? ` · ${t('nas.upDays', { n: Math.round(s.uptimeSeconds / 86400) })}` : ''}` : t('nas.snmpOff')}</div>
          ${s?.lastError ? html`<div class="err">${snmpErrorText(s)}</div>` : nothing}</div>
        <div class="card"><div class="muted">${t('nas.traffic24h')}</div>${sparkline(series, t('nas.traffic24h'))}
          <div class="muted">${series.length ? t('nas.peak', { rate: `${bytes(Math.max(...series) / 8)}/s` }) : ''}</div></div>
      </div>
      <tg-nas-drops nas-id=${n.id}></tg-nas-drops>
      <details class="card" ?open=${wide()}><summary><h2>${t('nas.connect')}</h2></summary>
        <div class="row"><div><label for="ros-version">RouterOS</label><select id="ros-version"><option value="7">${t('nas.ros7')}</option><option value="6">6</option></select></div>
          <button class="secondary" @click=${() => this.showOnboarding(n.id)}>${t('nas.setupCommands')}</button></div>
        ${this.onboarding ? html`${onboardingWarnings(this.onboarding).map((w) => html`<div class="banner warn">${w}</div>`)}
          <p class="muted">${t('nas.pasteHint')}</p>
          <pre data-test="onboarding" style="white-space:pre-wrap">${this.onboarding.script}</pre>` : nothing}
        <h2>${t('nas.selfTest')}</h2>
        <p class="muted">${t('nas.selfTestHint')}</p>
        <div class="row"><div class="grow"><label for="selftest-host">${t('nas.routerAddress')}</label><input id="selftest-host" placeholder=${t('nas.routerAddressDefault')} aria-invalid=${this.testError ? 'true' : 'false'} aria-describedby=${ifDefined(this.testError ? 'selftest-host-error' : undefined)}></div>
          <button ?disabled=${this.testing} @click=${() => this.runSelfTest(n.id)}>${this.testing ? t('nas.testing') : t('nas.runSelfTest')}</button></div>
        ${this.testError ? html`<div class="err" id="selftest-host-error" data-field="host">${this.testError}</div>` : nothing}
        ${this.testing ? html`<div class="muted" role="status">${t('nas.waitingRouter')}</div>` : nothing}
        ${this.selfTest ? this.selfTestResult(this.selfTest) : nothing}</details>` : nothing}
      ${n
        ? html`<details class="card" ?open=${wide()}><summary><h2>${t('nav.settings')}</h2></summary>${this.form(n)}</details>`
        : html`<div class="card">${this.form(n)}</div>`}`;
  }

  private form(n: Nas | undefined) {
    return html`<tg-form .fields=${nasFields(!!n)} ?patch=${!!n} .values=${n ?? { vendor: 'mikrotik', coaPort: 3799, requireMessageAuthenticator: true }}
      submitLabel=${n ? t('common.save') : t('nas.create')}
      .action=${(b: Body) => (n ? updateNas(n.id, b) : createNas(b))}
      @saved=${(e: CustomEvent<Nas>) => { toast(t('nas.saved', { name: e.detail.name })); navigate(n ? `/nas/${n.id}` : '/nas'); }}></tg-form>`;
  }
}
customElements.define('tg-nas-edit', TgNasEdit);
