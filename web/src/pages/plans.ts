// The plans, one page at a time: type, price in the currency, speeds, period and active subscribers.
import { LitElement, html } from 'lit';
import { listPlans, type Plan } from '../data/plans.js';
import '../components/table.js';
import type { Column } from '../components/table.js';
import { base, money, speed } from '../ui.js';
import { t } from '../i18n.js';

export class TgPlans extends LitElement {
  static override styles = [base];
  override render() {
    const cols: Array<Column<Plan>> = [
      { label: t('col.name'), render: (p) => html`<a href="/plans/${p.id}">${p.name}</a>` },
      { label: t('plans.type'), render: (p) => (p.type === 'prepaid' ? t('plans.typePrepaid') : t('plans.typeRecurring')) },
      { label: t('plans.price'), render: (p) => money(p.price), num: true },
      { label: t('plans.speed'), render: (p) => `${speed(p.downloadKbps)} / ${speed(p.uploadKbps)}`, hideSmall: true },
      { label: t('plans.period'), render: (p) => (p.billingPeriodMonths ? t('plans.months', { n: p.billingPeriodMonths }) : p.validityDays ? t('plans.days', { n: p.validityDays }) : '—'), hideSmall: true },
      { label: t('plans.list.subscribersColumn'), render: (p) => html`<span data-test="subscribers">${t('plans.list.subscribers', { n: p.activeSubscribers ?? 0 })}</span>` },
    ];
    return html`<div class="row"><h1 class="grow">${t('nav.plans')}</h1><a class="button" href="/plans/new">${t('plans.new')}</a></div>
      <tg-table .load=${listPlans} .columns=${cols} .rowHref=${(p: Plan) => `/plans/${p.id}`} empty=${t('plans.empty')}></tg-table>`;
  }
}
customElements.define('tg-plans', TgPlans);
