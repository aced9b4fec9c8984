// A new plan, or a plan's settings.
import { LitElement, html } from 'lit';
import { Task, initialState } from '@lit/task';
import type { Body } from '../data/http.js';
import { createPlan, getPlan, updatePlan, type Plan } from '../data/plans.js';
import '../components/form.js';
import type { Field } from '../components/form.js';
import { planBody, planValues } from '../forms.js';
import type { VatNature } from '../../../src/domain/billing/document-tax.js';
import { navigate } from '../router.js';
import { base, errorText, toast } from '../ui.js';
import { f, t } from '../i18n.js';

/** The exemption natures in force: the server's VAT_NATURES, every one and no other (the record's type checks both). */
const natureCodes: Record<VatNature, true> = {
  N1: true, 'N2.1': true, 'N2.2': true, 'N3.1': true, 'N3.2': true, 'N3.3': true, 'N3.4': true, 'N3.5': true, 'N3.6': true, N4: true, N5: true,
  'N6.1': true, 'N6.2': true, 'N6.3': true, 'N6.4': true, 'N6.5': true, 'N6.6': true, 'N6.7': true, 'N6.8': true, 'N6.9': true, N7: true,
};
const vatNatures = Object.keys(natureCodes);

const planFields = (): Field[] => [
  { name: 'name', label: t('col.name'), required: true, maxLength: 200 },
  { name: 'type', label: t('plans.type'), type: 'select', required: true, options: [['recurring', t('plans.recurringLong')], ['prepaid', t('plans.prepaidLong')]] },
  { name: 'price', label: t('plans.price'), type: 'money', required: true, min: 0 },
  { name: 'billingPeriodMonths', label: t('plans.billingPeriod'), type: 'select', numeric: true, nullable: true, options: [1, 2, 3, 6, 12].map((n) => [String(n), String(n)]),
    validate: (v, all) => (all.type === 'recurring' && (v === null || v === undefined) ? t('plans.periodRequired') : undefined) },
  { name: 'validityDays', label: t('plans.validity'), type: 'number', nullable: true, min: 1, max: 3660,
    validate: (v, all) => (all.type === 'prepaid' && (v === null || v === undefined) ? t('plans.validityRequired') : undefined) },
  { name: 'setupFee', label: t('plans.setupFee'), type: 'money', min: 0 },
  { name: 'taxRateBp', label: t('plans.taxRate'), type: 'number', min: 0, max: 10000, help: t('plans.taxRateHelp', { example: f().percent(2200) }) },
  { name: 'taxInclusive', label: t('plans.taxInclusive'), type: 'checkbox' },
  // An exempt or out-of-scope price (0 %) names its nature and the law it rests on (FatturaPA Natura).
  { name: 'vatNature', label: t('plans.vatNature'), type: 'select', nullable: true, options: vatNatures.map((n) => [n, n]), help: t('plans.vatNatureHelp') },
  { name: 'vatLegalRef', label: t('plans.vatLegalRef'), nullable: true, maxLength: 200, help: t('plans.vatLegalRefHelp') },
  { name: 'downloadKbps', label: t('plans.download'), type: 'number', required: true, min: 1, max: 100000000 },
  { name: 'uploadKbps', label: t('plans.upload'), type: 'number', required: true, min: 1, max: 100000000 },
  { name: 'dataCapBytes', label: t('plans.dataCap'), type: 'number', nullable: true, min: 1 },
  { name: 'capAction', label: t('plans.capAction'), type: 'select', nullable: true, options: [['block', t('plans.capBlock')], ['throttle', t('plans.capThrottle')]] },
  { name: 'framedPool', label: t('plans.pool'), nullable: true, maxLength: 253 },
  { name: 'suspensionMode', label: t('plans.whenSuspended'), type: 'select', nullable: true, options: [['reject', t('plans.rejectLogins')], ['walled-garden', t('plans.walledGarden')]] },
  { name: 'prepaidNoticeDays', label: t('plans.noticeDays'), nullable: true, maxLength: 32, placeholder: t('plans.noticeDefault'),
    pattern: '[Nn][Oo][Nn][Ee]|\\s*\\d{1,3}\\s*(,\\s*\\d{1,3}\\s*){0,2}', patternMessage: t('plans.noticePattern'),
    help: t('plans.noticeHelp') },
  { name: 'description', label: t('plans.description'), type: 'textarea', maxLength: 2000 },
];

export class TgPlanEdit extends LitElement {
  static override styles = [base];
  static override properties = { planId: { type: Number } };
  /** Set to edit that plan; unset for a new one. */
  declare planId: number | undefined;

  private readonly plan = new Task(this, {
    task: ([id]: readonly [number | undefined]) => (id ? getPlan(id) : initialState),
    args: (): readonly [number | undefined] => [this.planId],
  });

  override render() {
    return this.plan.render({
      initial: () => this.view(undefined),
      pending: () => html`<p class="muted">${t('common.loading')}</p>`,
      complete: (p) => this.view(p),
      error: (err) => html`<div class="banner error">${errorText(err)}</div>`,
    });
  }

  private view(p: Plan | undefined) {
    return html`<h1>${p ? t('plans.title', { name: p.name }) : t('plans.new')}</h1><p><a href="/plans">‹ ${t('plans.back')}</a></p>
      <div class="card"><tg-form .fields=${planFields()} ?patch=${!!p} .values=${p ? planValues(p) : { type: 'recurring', billingPeriodMonths: 1, taxInclusive: true }}
        submitLabel=${p ? t('common.save') : t('plans.create')}
        .action=${(b: Body) => (p ? updatePlan(p.id, planBody(b)) : createPlan(planBody(b)))}
        @saved=${(e: CustomEvent<Plan>) => { toast(t('plans.saved', { name: e.detail.name })); navigate('/plans'); }}></tg-form></div>`;
  }
}
customElements.define('tg-plan-edit', TgPlanEdit);
