// The front page: who is online, how logins go, money in, money overdue, the network.
import { LitElement, html, nothing } from 'lit';
import { Task } from '@lit/task';
import { authChart, compareBars, ring } from '../components/charts.js';
import { dashboard, type Dashboard } from '../data/dashboard.js';
import { base, bytes, errorText, money } from '../ui.js';
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
      pending: () => (this.figures.value ? this.view(this.figures.value) : html`<h1>Dashboard</h1><p class="muted">Loading…</p>`),
      complete: (d) => this.view(d),
      error: (err) => html`<h1>Dashboard</h1><div class="banner error">${errorText(err)}</div>`,
    });
  }

  private view(d: Dashboard) {
    const accepts = d.auth.reduce((s, p) => s + p.accept, 0);
    const rejects = d.auth.reduce((s, p) => s + p.reject, 0);
    const delta = d.revenue.lastMonth ? Math.round(((d.revenue.thisMonth - d.revenue.lastMonth) / d.revenue.lastMonth) * 100) : null;
    return html`
      <h1>Dashboard</h1>
      <tg-overview></tg-overview>
      <div class="grid">
        <div class="card"><div class="muted">Online now</div><div class="kpi" data-test="online">${d.online}</div><a href="/sessions">sessions</a></div>
        <div class="card"><div class="muted">Services</div><div class="kpi">${d.services.active}</div>
          <span class="muted">active · </span><a href="/customers?status=suspended">${d.services.suspended} suspended</a><span class="muted"> · ${d.customers} customers</span></div>
        <div class="card"><div class="muted">Overdue</div><div class="kpi">${money(d.overdue.total, d.currency)}</div>
          <a href="/dunning">${d.overdue.count} invoice${d.overdue.count === 1 ? '' : 's'}</a></div>
        <div class="card"><div class="muted">Traffic</div><div class="kpi">${bytes(d.traffic.todayBytes)}</div><span class="muted">today · ${bytes(d.traffic.monthBytes)} this month</span></div>
      </div>
      <div class="card">
        <div class="row"><b class="grow">Logins, last hour</b><span class="muted">${accepts} accepted · <span style="color:#c0392b">${rejects} rejected</span></span></div>
        ${authChart(d.auth, d.at)}
      </div>
      <div class="grid">
        <div class="card"><b>Revenue received</b>
          ${compareBars([
            { label: 'This month', value: d.revenue.thisMonth, text: money(d.revenue.thisMonth, d.currency), color: '#1f5fa8' },
            { label: 'Last month', value: d.revenue.lastMonth, text: money(d.revenue.lastMonth, d.currency), color: '#9db7d5' },
          ])}
          ${delta === null ? nothing : html`<div class="muted">${delta >= 0 ? '+' : ''}${delta} % on last month so far</div>`}
          <div class="muted">Invoiced: ${money(d.revenue.invoicedThisMonth, d.currency)} this month, ${money(d.revenue.invoicedLastMonth, d.currency)} last</div>
        </div>
        <div class="card"><b>NAS</b>
          <div class="row">${ring([
            { value: d.nas.up, color: '#2e8b57', label: 'up' },
            { value: d.nas.down, color: '#c0392b', label: 'down' },
            { value: d.nas.unknown, color: '#c9d3dd', label: 'not polled' },
          ])}
          <div><div><span class="badge up">${d.nas.up} up</span></div><div><span class="badge down">${d.nas.down} down</span></div>
          <div><span class="badge">${d.nas.unknown} not polled</span></div><a href="/nas">all NAS</a></div></div>
        </div>
      </div>`;
  }
}
customElements.define('tg-dashboard', TgDashboard);
