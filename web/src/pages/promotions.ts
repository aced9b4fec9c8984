// Promotions: the list (what each gives, to whom, from when and for how long) and the form of a new
// one: a percentage or an amount per period, to every service of a plan (and new contracts on it, if
// asked) or to chosen services.
import { LitElement, html, nothing } from 'lit';
import { Task } from '@lit/task';
import type { Body } from '../data/http.js';
import { listPlans, type Plan } from '../data/plans.js';
import { createPromotion, listPromotions, type Promotion, type PromotionWithServices } from '../data/promotions.js';
import '../components/form.js';
import type { Field } from '../components/form.js';
import '../components/table.js';
import type { Column } from '../components/table.js';
import { promotionBody, promotionKey, serviceIdList } from '../promotion-form.js';
import { quantityFields } from '../quantities.js';
import { base, day, money, toast, todayIso } from '../ui.js';
import { f, t } from '../i18n.js';

/** What a promotion gives: "50% off", "€5.00 off per period". */
export const promotionValue = (p: Promotion): string =>
  p.valueType === 'percent' ? t('promos.value.percent', { percent: f().percent(p.percentBp ?? 0) }) : t('promos.value.fixed', { amount: money(p.amount) });

/** For how long each service has it. */
export const promotionPeriods = (p: Promotion): string => (p.periods === null ? t('promos.untilRemoved') : t('promos.periods', { n: p.periods }));

/** Whom it is for: a plan's services (new contracts too, until a date) or a count of chosen services. */
export function promotionTarget(p: Promotion, plans: readonly Plan[]): string {
  if (p.planId === null) return t('promos.target.services', { n: p.serviceIds?.length ?? 0 });
  const plan = plans.find((x) => x.id === p.planId)?.name ?? `#${p.planId}`;
  if (!p.appliesToNew) return t('promos.target.plan', { plan });
  return p.newUntil ? t('promos.target.planNewUntil', { plan, until: day(p.newUntil) }) : t('promos.target.planNew', { plan });
}

const isPercent = (v: Record<string, unknown>) => v.valueType !== 'fixed';
const onPlan = (v: Record<string, unknown>) => v.targetKind !== 'services';

const promotionFields = (plans: readonly Plan[]): Field[] => [
  { name: 'description', label: t('promos.field.description'), required: true, maxLength: 200, help: t('promos.field.descriptionHelp') },
  { name: 'valueType', label: t('promos.field.valueType'), type: 'select', required: true, options: [['percent', t('promos.kind.percent')], ['fixed', t('promos.kind.fixed')]] },
  ...quantityFields({ name: 'percentBp', kind: 'percent', min: 1 }, { label: t('promos.field.percent'), required: true, visible: isPercent }),
  { name: 'amount', label: t('promos.field.amount'), type: 'money', required: true, min: 0.01, visible: (v) => !isPercent(v) },
  { name: 'startDate', label: t('promos.field.startDate'), type: 'date', required: true, help: t('promos.field.startDateHelp') },
  { name: 'periods', label: t('promos.field.periods'), type: 'number', nullable: true, min: 1, max: 1200, help: t('promos.field.periodsHelp') },
  { name: 'targetKind', label: t('promos.field.target'), type: 'select', required: true, options: [['plan', t('promos.targetKind.plan')], ['services', t('promos.targetKind.services')]] },
  { name: 'target.planId', label: t('promos.field.plan'), type: 'select', numeric: true, required: true, visible: onPlan,
    options: plans.map((p) => [String(p.id), `${p.name} (${money(p.price)})`]), help: t('promos.field.planHelp') },
  { name: 'target.serviceIds', label: t('promos.field.services'), required: true, maxLength: 2000, visible: (v) => !onPlan(v), help: t('promos.field.servicesHelp'),
    validate: (v) => (typeof v === 'string' && serviceIdList(v) === null ? t('promos.field.servicesPattern') : undefined) },
  { name: 'appliesToNew', label: t('promos.field.appliesToNew'), type: 'checkbox', visible: onPlan },
  { name: 'newUntil', label: t('promos.field.newUntil'), type: 'date', nullable: true, visible: (v) => onPlan(v) && v.appliesToNew === true, help: t('promos.field.newUntilHelp') },
];

export class TgPromotions extends LitElement {
  static override styles = [base];
  static override properties = { creating: { state: true } };
  declare creating: boolean;
  /** One key per opened form: the same form sent twice makes one promotion. */
  private key = promotionKey();
  /** The recurring plans (a promotion discounts billing periods): to choose from, and to name the list's plans. */
  private readonly plans = new Task(this, {
    task: async () => (await listPlans({ type: 'recurring', limit: 500 })).items,
    args: () => [],
  });
  constructor() {
    super();
    this.creating = false;
  }
  private open(): void {
    this.key = promotionKey();
    this.creating = !this.creating;
  }
  override render() {
    const plans = this.plans.value ?? [];
    const cols: Array<Column<Promotion>> = [
      { label: t('promos.col.description'), render: (p) => html`<a href="/promotions/${p.id}">${p.description}</a>` },
      { label: t('promos.col.value'), render: (p) => promotionValue(p) },
      { label: t('promos.col.target'), render: (p) => promotionTarget(p, plans), hideSmall: true },
      { label: t('promos.col.start'), render: (p) => day(p.startDate) },
      { label: t('promos.col.periods'), render: (p) => promotionPeriods(p), hideSmall: true },
    ];
    return html`<div class="row"><h1 class="grow">${t('promos.title')}</h1><button @click=${() => this.open()}>${t('promos.new')}</button></div>
      <p class="muted">${t('promos.intro')}</p>
      ${this.creating ? html`<div class="card" data-test="promotion-form"><h2>${t('promos.new')}</h2>
        <tg-form .fields=${promotionFields(plans)} submitLabel=${t('promos.create')}
          .values=${{ valueType: 'percent', targetKind: 'plan', startDate: todayIso(), appliesToNew: false }}
          .action=${(b: Body) => createPromotion(promotionBody(b, this.key))}
          @saved=${(e: CustomEvent<PromotionWithServices>) => {
            this.creating = false;
            toast(t('promos.created', { name: e.detail.description, n: e.detail.serviceIdsApplied.length }));
            void this.renderRoot.querySelector('tg-table')?.reload();
          }}>
          <button type="button" class="secondary" @click=${() => (this.creating = false)}>${t('common.cancel')}</button></tg-form></div>` : nothing}
      <tg-table .load=${listPromotions} .columns=${cols} .rowHref=${(p: Promotion) => `/promotions/${p.id}`} empty=${t('promos.empty')}></tg-table>`;
  }
}
customElements.define('tg-promotions', TgPromotions);
