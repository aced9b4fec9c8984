// The operator's overview on the front page: the first-run checklist until it is done, money this
// month, overdue by age, services started and ended, who was online over 24 h, the busiest NAS and
// the latest rejects.
import { LitElement, css, html, nothing } from 'lit';
import { Task } from '@lit/task';
import { getChecklist, getOverview, type Checklist, type Overview } from '../data/operator.js';
import { sparkline } from './charts.js';
import { base, bytes, errorText, money, when } from '../ui.js';
import { f, t, type MessageKey } from '../i18n.js';
import { reasonText } from '../names.js';

/** The checklist's steps, by the key the API gives them. */
const STEPS: Record<Checklist['steps'][number]['key'], MessageKey> = {
  nas: 'overview.step.nas',
  plan: 'overview.step.plan',
  company: 'overview.step.company',
  notifications: 'overview.step.notifications',
  customer: 'overview.step.customer',
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
      pending: () => html`<p class="muted">${t('overview.loading')}</p>`,
      complete: ([o, c]) => html`${this.checklist(c)}${this.figures(o)}`,
      error: (err) => html`<div class="banner error">${errorText(err)}</div>`,
    });
  }

  private checklist(c: Checklist) {
    if (c.done) return nothing;
    return html`<section class="card" aria-labelledby="tg-checklist-title">
      <h2 id="tg-checklist-title">${t('overview.checklistTitle')}</h2>
      <p>${t('overview.checklistIntro')}</p>
      <ol class="steps">${c.steps.map((s) => html`<li class=${s.done ? 'done' : ''}>
        ${s.done ? t(STEPS[s.key]) : html`<a href=${s.href}>${t(STEPS[s.key])}</a>`} <span class="muted">(${s.done ? t('overview.done') : t('overview.todo')})</span></li>`)}</ol>
    </section>`;
  }

  private figures(o: Overview) {
    const cur = o.currency;
    return html`<div class="grid">
      <section class="card"><h2>${t('overview.money')}</h2><dl>
        <dt>${t('overview.invoiced')}</dt><dd>${money(o.money.invoiced, cur)}</dd>
        <dt>${t('overview.collected')}</dt><dd>${money(o.money.collected, cur)}</dd>
        <dt>${t('overview.refunded')}</dt><dd>${money(o.money.refunded, cur)}</dd>
      </dl></section>
      <section class="card"><h2>${t('overview.overdue')}</h2><dl>
        ${o.overdue.map((b) => html`<dt>${b.bucket}</dt><dd>${money(b.amount, cur)} <span class="muted">· ${t('dashboard.invoices', { n: b.count })}</span></dd>`)}
      </dl></section>
      <section class="card"><h2>${t('overview.services')}</h2><dl>
        <dt>${t('overview.started')}</dt><dd>${f().number(o.services.started)}</dd>
        <dt>${t('overview.ended')}</dt><dd>${f().number(o.services.ended)}</dd>
      </dl></section>
      <section class="card"><h2>${t('overview.online')}</h2>
        ${sparkline(o.online.map((p) => p.sessions), t('overview.online'), 300, 60)}
        <p class="muted">${t('overview.onlineNow', { n: f().number(o.online.at(-1)?.sessions ?? 0) })}</p></section>
      <section class="card"><h2>${t('overview.topNas')}</h2>
        ${o.topNas.length === 0 ? html`<p class="muted">${t('overview.none')}</p>` : html`<dl>${o.topNas.map((n) => html`<dt><a href="/nas/${n.nasId}">${n.name}</a></dt><dd>${bytes(n.bytes)} <span class="muted">· ${t('overview.sessions', { n: n.sessions })}</span></dd>`)}</dl>`}
      </section>
      <section class="card"><h2>${t('overview.rejects')}</h2>
        ${o.rejects.length === 0 ? html`<p class="muted">${t('overview.none')}</p>` : html`<dl>${o.rejects.map((r) => html`<dt>${r.serviceId ? html`<a href="/services/${r.serviceId}/why">${r.username}</a>` : r.username}</dt><dd>${reasonText(r) ?? '—'} <span class="muted">· ${when(r.at)}</span></dd>`)}</dl>`}
      </section>
    </div>`;
  }
}
customElements.define('tg-overview', TgOverview);
