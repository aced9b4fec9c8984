// The plans, one page at a time.
import { LitElement, html } from 'lit';
import { listPlans, type Plan } from '../data/plans.js';
import '../components/table.js';
import type { Column } from '../components/table.js';
import { base, money, speed } from '../ui.js';

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
      <tg-table .load=${listPlans} .columns=${cols} .rowHref=${(p: Plan) => `/plans/${p.id}`} empty="No plan yet: create the first one."></tg-table>`;
  }
}
customElements.define('tg-plans', TgPlans);
