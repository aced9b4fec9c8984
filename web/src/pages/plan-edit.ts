// A new plan, or a plan's settings.
import { LitElement, html } from 'lit';
import { Task, initialState } from '@lit/task';
import type { Body } from '../data/http.js';
import { createPlan, getPlan, updatePlan, type Plan } from '../data/plans.js';
import '../components/form.js';
import type { Field } from '../components/form.js';
import { planBody, planValues } from '../forms.js';
import { navigate } from '../router.js';
import { base, errorText, toast } from '../ui.js';

const planFields: Field[] = [
  { name: 'name', label: 'Name', required: true, maxLength: 200 },
  { name: 'type', label: 'Type', type: 'select', required: true, options: [['recurring', 'recurring (invoiced)'], ['prepaid', 'prepaid (time-limited)']] },
  { name: 'price', label: 'Price', type: 'money', required: true, min: 0 },
  { name: 'billingPeriodMonths', label: 'Billing period (months)', type: 'select', numeric: true, nullable: true, options: [1, 2, 3, 6, 12].map((n) => [String(n), String(n)]),
    validate: (v, all) => (all.type === 'recurring' && (v === null || v === undefined) ? 'is required for a recurring plan' : undefined) },
  { name: 'validityDays', label: 'Validity (days)', type: 'number', nullable: true, min: 1, max: 3660,
    validate: (v, all) => (all.type === 'prepaid' && (v === null || v === undefined) ? 'is required for a prepaid plan' : undefined) },
  { name: 'setupFee', label: 'Setup fee', type: 'money', min: 0 },
  { name: 'taxRateBp', label: 'Tax rate (basis points)', type: 'number', min: 0, max: 10000, help: '2200 = 22 %' },
  { name: 'taxInclusive', label: 'Price includes tax', type: 'checkbox' },
  { name: 'downloadKbps', label: 'Download (kbit/s)', type: 'number', required: true, min: 1, max: 100000000 },
  { name: 'uploadKbps', label: 'Upload (kbit/s)', type: 'number', required: true, min: 1, max: 100000000 },
  { name: 'dataCapBytes', label: 'Data cap (bytes)', type: 'number', nullable: true, min: 1 },
  { name: 'capAction', label: 'At the cap', type: 'select', nullable: true, options: [['block', 'block'], ['throttle', 'throttle']] },
  { name: 'framedPool', label: 'IP pool', nullable: true, maxLength: 253 },
  { name: 'suspensionMode', label: 'When suspended', type: 'select', nullable: true, options: [['reject', 'reject logins'], ['walled-garden', 'walled garden']] },
  { name: 'prepaidNoticeDays', label: 'Expiry notices (days before)', nullable: true, maxLength: 32, placeholder: 'default',
    pattern: '[Nn][Oo][Nn][Ee]|\\s*\\d{1,3}\\s*(,\\s*\\d{1,3}\\s*){0,2}', patternMessage: 'is up to three days, e.g. "7,3,1", or "none"',
    help: 'prepaid: e.g. "7,3,1"; "none" for no notice; empty: the [prepaid] notice_days setting' },
  { name: 'description', label: 'Description', type: 'textarea', maxLength: 2000 },
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
      pending: () => html`<p class="muted">Loading…</p>`,
      complete: (p) => this.view(p),
      error: (err) => html`<div class="banner error">${errorText(err)}</div>`,
    });
  }

  private view(p: Plan | undefined) {
    return html`<h1>${p ? `Plan ${p.name}` : 'New plan'}</h1><p><a href="/plans">‹ plans</a></p>
      <div class="card"><tg-form .fields=${planFields} ?patch=${!!p} .values=${p ? planValues(p) : { type: 'recurring', billingPeriodMonths: 1, taxInclusive: true }}
        submitLabel=${p ? 'Save' : 'Create plan'}
        .action=${(b: Body) => (p ? updatePlan(p.id, planBody(b)) : createPlan(planBody(b)))}
        @saved=${(e: CustomEvent<Plan>) => { toast(`Plan ${e.detail.name} saved`); navigate('/plans'); }}></tg-form></div>`;
  }
}
customElements.define('tg-plan-edit', TgPlanEdit);
