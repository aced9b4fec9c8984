// One promotion: its terms, the services that have its discount, and (when it reaches new contracts)
// the form that ends it for contracts starting after a date.
import { LitElement, html, nothing } from 'lit';
import { Task } from '@lit/task';
import { getPlan } from '../data/plans.js';
import type { Body } from '../data/http.js';
import { endPromotionForNew, getPromotion, type PromotionWithServices } from '../data/promotions.js';
import '../components/form.js';
import type { Field } from '../components/form.js';
import { base, day, errorText, toast, todayIso, when } from '../ui.js';
import { t } from '../i18n.js';
import { promotionPeriods, promotionTarget, promotionValue } from './promotions.js';

const endFields = (): Field[] => [
  { name: 'newUntil', label: t('promos.end.newUntil'), type: 'date', required: true, help: t('promos.end.newUntilHelp') },
];

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
          ? html`<div class="card"><ul data-test="applied">${p.servicesApplied.map((a) => html`<li>${a.customerId !== null ? html`<a href="/customers/${a.customerId}">${a.customerName ?? `#${a.customerId}`}</a>: ` : nothing}<a href="/services/${a.serviceId}">${t('promos.service', { id: a.serviceId })}</a></li>`)}</ul></div>`
          : html`<p class="muted">${t('promos.appliedNone')}</p>`}
        ${p.appliesToNew ? html`<div class="card" data-test="promotion-end"><h2>${t('promos.end.title')}</h2><p class="muted">${t('promos.end.intro')}</p>
          <tg-form .fields=${endFields()} submitLabel=${t('promos.end.submit')} .values=${{ newUntil: p.newUntil ?? todayIso() }}
            .action=${(b: Body) => endPromotionForNew(p.id, b)}
            @saved=${(e: CustomEvent<PromotionWithServices>) => { toast(t('promos.end.done', { date: day(e.detail.newUntil) })); void this.promotion.run(); }}></tg-form></div>` : nothing}`,
    });
  }
}
customElements.define('tg-promotion', TgPromotion);
