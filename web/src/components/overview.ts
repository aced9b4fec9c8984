// The operator's overview on the front page: the first-run checklist until it is done, money this
// month, overdue by age, services started and ended, who was online over 24 h, the busiest NAS and
// the latest rejects.
import { LitElement, css, html, nothing } from 'lit';
import { Task } from '@lit/task';
import { getChecklist, getOverview, type Checklist, type Overview } from '../data/operator.js';
import { sparkline } from './charts.js';
import { base, bytes, errorText, money, when } from '../ui.js';

const t = {
  checklistTitle: 'Getting started',
  checklistIntro: 'Steps left before the first customer can connect and be billed:',
  steps: {
    nas: 'Add a router (NAS) with its RADIUS secret',
    plan: 'Create a plan to sell',
    company: 'Enter your company data for invoices ([company] in the configuration)',
    notifications: 'Set up email (SMTP) or an SMS gateway ([notify.email] or [notify.sms])',
    customer: 'Add the first customer and their service',
  },
  done: 'done',
  todo: 'to do',
  money: 'Money this month',
  invoiced: 'Invoiced',
  collected: 'Collected',
  refunded: 'Refunded',
  overdue: 'Overdue by age (days)',
  invoices: (n: number) => `${n} invoice${n === 1 ? '' : 's'}`,
  services: 'Services this month',
  started: 'Started',
  ended: 'Ended',
  online: 'Online sessions, last 24 h',
  onlineNow: (n: number) => `${n} now`,
  topNas: 'Top NAS by traffic (24 h)',
  sessions: (n: number) => `${n} session${n === 1 ? '' : 's'}`,
  rejects: 'Latest rejects',
  none: 'None.',
  loading: 'Loading the overview…',
};

export class TgOverview extends LitElement {
  static override styles = [base, css`
    :host { display: block; }
    .grid { display: grid; gap: 1rem; grid-template-columns: repeat(auto-fill, minmax(280px, 1fr)); }
    dl { display: grid; grid-template-columns: auto 1fr; gap: 0.25rem 1rem; margin: 0; }
    dd { margin: 0; text-align: right; font-variant-numeric: tabular-nums; }
    ol.steps li.done { color: #5a6b7b; text-decoration: line-through; }
  `];

  private readonly data = new Task(this, {
    task: async () => Promise.all([getOverview(), getChecklist()] as const),
    args: () => [] as const,
  });

  override render() {
    return this.data.render({
      pending: () => html`<p class="muted">${t.loading}</p>`,
      complete: ([o, c]) => html`${this.checklist(c)}${this.figures(o)}`,
      error: (err) => html`<div class="banner error">${errorText(err)}</div>`,
    });
  }

  private checklist(c: Checklist) {
    if (c.done) return nothing;
    return html`<section class="card" aria-labelledby="tg-checklist-title">
      <h2 id="tg-checklist-title">${t.checklistTitle}</h2>
      <p>${t.checklistIntro}</p>
      <ol class="steps">${c.steps.map((s) => html`<li class=${s.done ? 'done' : ''}>
        ${s.done ? t.steps[s.key] : html`<a href=${s.href}>${t.steps[s.key]}</a>`} <span class="muted">(${s.done ? t.done : t.todo})</span></li>`)}</ol>
    </section>`;
  }

  private figures(o: Overview) {
    const cur = o.currency;
    return html`<div class="grid">
      <section class="card"><h2>${t.money}</h2><dl>
        <dt>${t.invoiced}</dt><dd>${money(o.money.invoiced, cur)}</dd>
        <dt>${t.collected}</dt><dd>${money(o.money.collected, cur)}</dd>
        <dt>${t.refunded}</dt><dd>${money(o.money.refunded, cur)}</dd>
      </dl></section>
      <section class="card"><h2>${t.overdue}</h2><dl>
        ${o.overdue.map((b) => html`<dt>${b.bucket}</dt><dd>${money(b.amount, cur)} <span class="muted">· ${t.invoices(b.count)}</span></dd>`)}
      </dl></section>
      <section class="card"><h2>${t.services}</h2><dl>
        <dt>${t.started}</dt><dd>${o.services.started}</dd>
        <dt>${t.ended}</dt><dd>${o.services.ended}</dd>
      </dl></section>
      <section class="card"><h2>${t.online}</h2>
        ${sparkline(o.online.map((p) => p.sessions), 300, 60)}
        <p class="muted">${t.onlineNow(o.online.at(-1)?.sessions ?? 0)}</p></section>
      <section class="card"><h2>${t.topNas}</h2>
        ${o.topNas.length === 0 ? html`<p class="muted">${t.none}</p>` : html`<dl>${o.topNas.map((n) => html`<dt><a href="/nas/${n.nasId}">${n.name}</a></dt><dd>${bytes(n.bytes)} <span class="muted">· ${t.sessions(n.sessions)}</span></dd>`)}</dl>`}
      </section>
      <section class="card"><h2>${t.rejects}</h2>
        ${o.rejects.length === 0 ? html`<p class="muted">${t.none}</p>` : html`<dl>${o.rejects.map((r) => html`<dt>${r.serviceId ? html`<a href="/services/${r.serviceId}/why">${r.username}</a>` : r.username}</dt><dd>${r.reason ?? '—'} <span class="muted">· ${when(r.at)}</span></dd>`)}</dl>`}
      </section>
    </div>`;
  }
}
customElements.define('tg-overview', TgOverview);
