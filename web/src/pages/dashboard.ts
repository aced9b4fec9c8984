// The front page: who is online, how logins go, money in, money overdue, the network.
import { LitElement, html, nothing } from 'lit';
import { Task } from '@lit/task';
import { authChart, compareBars, ring } from '../components/charts.js';
import { dashboard, type Dashboard } from '../data/dashboard.js';
import { base, bytes, errorText, money } from '../ui.js';
import { f, t } from '../i18n.js';
import '../components/overview.js';

export class TgDashboard extends LitElement {
  static override styles = [base];
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly figures = new Task(this, { task: () => dashboard(), args: () => [] });

  override connectedCallback(): void {
    super.connectedCallback();
    this.timer = setInterval(() => void this.figures.run(), 30_000);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.timer);
  }

  override render() {
    return this.figures.render({
      // The refresh every 30 s keeps the figures shown until the new ones arrive.
      pending: () => (this.figures.value ? this.view(this.figures.value) : html`<h1>${t('nav.dashboard')}</h1><p class="muted">${t('common.loading')}</p>`),
      complete: (d) => this.view(d),
      error: (err) => html`<h1>${t('nav.dashboard')}</h1><div class="banner error">${errorText(err)}</div>`,
    });
  }

  private view(d: Dashboard) {
    const accepts = d.auth.reduce((s, p) => s + p.accept, 0);
    const rejects = d.auth.reduce((s, p) => s + p.reject, 0);
    const delta = d.revenue.lastMonth ? Math.round(((d.revenue.thisMonth - d.revenue.lastMonth) / d.revenue.lastMonth) * 100) : null;
    return html`
      <h1>${t('nav.dashboard')}</h1>
      <tg-overview></tg-overview>
      <div class="grid">
        <div class="card"><div class="muted">${t('customer.onlineNow')}</div><div class="kpi" data-test="online">${d.online}</div><a href="/sessions">${t('dashboard.sessions')}</a></div>
        <div class="card"><div class="muted">${t('customer.services')}</div><div class="kpi">${d.services.active}</div>
          <span class="muted">${t('dashboard.active')} · </span><a href="/customers?status=suspended">${t('dashboard.suspended', { n: d.services.suspended })}</a><span class="muted"> · ${t('dashboard.customers', { n: d.customers })}</span></div>
        <div class="card"><div class="muted">${t('dashboard.overdue')}</div><div class="kpi">${money(d.overdue.total, d.currency)}</div>
          <a href="/dunning">${t('dashboard.invoices', { n: d.overdue.count })}</a></div>
        <div class="card"><div class="muted">${t('dashboard.traffic')}</div><div class="kpi">${bytes(d.traffic.todayBytes)}</div><span class="muted">${t('dashboard.trafficMonth', { month: bytes(d.traffic.monthBytes) })}</span></div>
      </div>
      <div class="card">
        <div class="row"><b class="grow">${t('dashboard.logins')}</b><span class="muted">${t('chart.accepted', { n: accepts })} · <span style="color:#c0392b">${t('chart.rejected', { n: rejects })}</span></span></div>
        ${authChart(d.auth, d.at)}
      </div>
      <div class="grid">
        <div class="card"><b>${t('dashboard.revenue')}</b>
          ${compareBars([
            { label: t('dashboard.thisMonth'), value: d.revenue.thisMonth, text: money(d.revenue.thisMonth, d.currency), color: '#1f5fa8' },
            { label: t('dashboard.lastMonth'), value: d.revenue.lastMonth, text: money(d.revenue.lastMonth, d.currency), color: '#9db7d5' },
          ])}
          ${delta === null ? nothing : html`<div class="muted">${t('dashboard.delta', { delta: `${delta >= 0 ? '+' : ''}${f().number(delta)}` })}</div>`}
          <div class="muted">${t('dashboard.invoiced', { thisMonth: money(d.revenue.invoicedThisMonth, d.currency), lastMonth: money(d.revenue.invoicedLastMonth, d.currency) })}</div>
        </div>
        <div class="card"><b>NAS</b>
          <div class="row">${ring([
            { value: d.nas.up, color: '#2e8b57', label: t('status.up') },
            { value: d.nas.down, color: '#c0392b', label: t('status.down') },
            { value: d.nas.unknown, color: '#c9d3dd', label: t('dashboard.notPolled') },
          ])}
          <div><div><span class="badge up">${d.nas.up} ${t('status.up')}</span></div><div><span class="badge down">${d.nas.down} ${t('status.down')}</span></div>
          <div><span class="badge">${d.nas.unknown} ${t('dashboard.notPolled')}</span></div><a href="/nas">${t('dashboard.allNas')}</a></div></div>
        </div>
      </div>`;
  }
}
customElements.define('tg-dashboard', TgDashboard);
