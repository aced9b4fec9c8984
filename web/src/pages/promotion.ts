// One promotion: its terms and the services that have its discount.
import { LitElement, html } from 'lit';
import { Task } from '@lit/task';
import { getPlan } from '../data/plans.js';
import { getPromotion } from '../data/promotions.js';
import { base, day, errorText, when } from '../ui.js';
import { t } from '../i18n.js';
import { promotionPeriods, promotionTarget, promotionValue } from './promotions.js';

export class TgPromotion extends LitElement {
  static override styles = [base];
  static override properties = { promotionId: { type: Number } };
  declare promotionId: number;

  private readonly promotion = new Task(this, {
    task: async ([id]: readonly [number]) => {
      const p = await getPromotion(id);
      const plan = p.planId === null ? null : await getPlan(p.planId).catch(() => null);
      return { p, plans: plan ? [plan] : [] };
    },
    args: (): readonly [number] => [this.promotionId],
  });

  override render() {
    return this.promotion.render({
      pending: () => html`<p class="muted">${t('common.loading')}</p>`,
      error: (err) => html`<div class="banner error">${errorText(err)}</div>`,
      complete: ({ p, plans }) => html`<h1>${t('promos.detailTitle', { name: p.description })}</h1><p><a href="/promotions">‹ ${t('promos.back')}</a></p>
        <div class="card"><dl class="kv">
          <dt>${t('promos.col.value')}</dt><dd>${promotionValue(p)}</dd>
          <dt>${t('promos.col.target')}</dt><dd>${p.planId !== null ? html`<a href="/plans/${p.planId}">${promotionTarget(p, plans)}</a>` : promotionTarget(p, plans)}</dd>
          <dt>${t('promos.col.start')}</dt><dd>${day(p.startDate)}</dd>
          <dt>${t('promos.col.periods')}</dt><dd>${promotionPeriods(p)}</dd>
          <dt>${t('promos.createdAt')}</dt><dd>${when(p.createdAt)}</dd>
        </dl></div>
        <h2>${t('promos.applied', { n: p.serviceIdsApplied.length })}</h2>
        ${p.serviceIdsApplied.length
          ? html`<div class="card"><ul data-test="applied">${p.serviceIdsApplied.map((id) => html`<li><a href="/services/${id}">${t('promos.service', { id })}</a></li>`)}</ul></div>`
          : html`<p class="muted">${t('promos.appliedNone')}</p>`}`,
    });
  }
}
customElements.define('tg-promotion', TgPromotion);
