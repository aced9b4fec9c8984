// A new plan, or a plan's settings in the operator's units (speeds in Mbit/s or kbit/s, the data cap
// in GB or MB, VAT in %), with its fair-use tiers below.
import { LitElement, html } from 'lit';
import { Task, initialState } from '@lit/task';
import type { Body } from '../data/http.js';
import { createPlan, getPlan, updatePlan, type Plan } from '../data/plans.js';
import '../components/form.js';
import '../components/cap-tiers.js';
import type { Field } from '../components/form.js';
import { planBody, planValues } from '../forms.js';
import { quantityBody, quantityFields, quantityValues, type Quantity } from '../quantities.js';
import type { VatNature } from '../../../src/domain/billing/document-tax.js';
import { navigate } from '../router.js';
import { base, currencyCode, errorText, toast } from '../ui.js';
import { f, t } from '../i18n.js';

/** The exemption natures in force: the server's VAT_NATURES, every one and no other (the record's type checks both). */
const natureCodes: Record<VatNature, true> = {
  N1: true, 'N2.1': true, 'N2.2': true, 'N3.1': true, 'N3.2': true, 'N3.3': true, 'N3.4': true, 'N3.5': true, 'N3.6': true, N4: true, N5: true,
  'N6.1': true, 'N6.2': true, 'N6.3': true, 'N6.4': true, 'N6.5': true, 'N6.6': true, 'N6.7': true, 'N6.8': true, 'N6.9': true, N7: true,
};
const vatNatures = Object.keys(natureCodes);

/** The plan's fields in the operator's units (the API's integers go through quantities.ts). */
const Q = {
  taxRateBp: { name: 'taxRateBp', kind: 'percent' },
  downloadKbps: { name: 'downloadKbps', kind: 'speed' },
  uploadKbps: { name: 'uploadKbps', kind: 'speed' },
  dataCapBytes: { name: 'dataCapBytes', kind: 'size', min: 1 },
  throttleDownloadKbps: { name: 'throttleDownloadKbps', kind: 'speed' },
  throttleUploadKbps: { name: 'throttleUploadKbps', kind: 'speed' },
  burstDownloadKbps: { name: 'burstDownloadKbps', kind: 'speed' },
  burstUploadKbps: { name: 'burstUploadKbps', kind: 'speed' },
  burstThresholdDownloadKbps: { name: 'burstThresholdDownloadKbps', kind: 'speed' },
  burstThresholdUploadKbps: { name: 'burstThresholdUploadKbps', kind: 'speed' },
} as const satisfies Record<string, Quantity>;
const QUANTITIES: readonly Quantity[] = Object.values(Q);
const throttles = (v: Record<string, unknown>) => v.capAction === 'throttle';
const bursts = (v: Record<string, unknown>) => v.burst === true;
const BURST_FIELDS = ['burstDownloadKbps', 'burstUploadKbps', 'burstThresholdDownloadKbps', 'burstThresholdUploadKbps', 'burstTimeSeconds'] as const;

/** `burst` is the form's switch, not the API's: off clears the five burst values. */
function burstBody(b: Record<string, unknown>): Record<string, unknown> {
  const { burst, ...rest } = b;
  if (burst === false) for (const k of BURST_FIELDS) rest[k] = null;
  return rest;
}

/** The plan's values as the form shows them (units chosen for each quantity). */
const planFormValues = (p: Plan): Record<string, unknown> => ({ ...quantityValues(planValues(p), QUANTITIES), burst: p.burstDownloadKbps != null || p.burstUploadKbps != null });

const planFields = (): Field[] => [
  { name: 'name', label: t('col.name'), required: true, maxLength: 200 },
  { name: 'type', label: t('plans.type'), type: 'select', required: true, options: [['recurring', t('plans.recurringLong')], ['prepaid', t('plans.prepaidLong')]] },
  { name: 'price', label: t('plans.price'), type: 'money', required: true, min: 0, help: t('plans.form.moneyHelp', { currency: currencyCode() }) },
  { name: 'billingPeriodMonths', label: t('plans.billingPeriod'), type: 'select', numeric: true, nullable: true, options: [1, 2, 3, 6, 12].map((n) => [String(n), String(n)]),
    validate: (v, all) => (all.type === 'recurring' && (v === null || v === undefined) ? t('plans.periodRequired') : undefined) },
  { name: 'validityDays', label: t('plans.validity'), type: 'number', nullable: true, min: 1, max: 3660,
    validate: (v, all) => (all.type === 'prepaid' && (v === null || v === undefined) ? t('plans.validityRequired') : undefined) },
  { name: 'setupFee', label: t('plans.setupFee'), type: 'money', min: 0, help: t('plans.form.moneyHelp', { currency: currencyCode() }) },
  ...quantityFields(Q.taxRateBp, { label: t('plans.taxRate'), help: t('plans.taxRateHelp', { example: f().percent(2250) }) }),
  { name: 'taxInclusive', label: t('plans.taxInclusive'), type: 'checkbox' },
  // An exempt or out-of-scope price (0 %) names its nature and the law it rests on (FatturaPA Natura).
  { name: 'vatNature', label: t('plans.vatNature'), type: 'select', nullable: true, options: vatNatures.map((n) => [n, n]), help: t('plans.vatNatureHelp') },
  { name: 'vatLegalRef', label: t('plans.vatLegalRef'), nullable: true, maxLength: 200, help: t('plans.vatLegalRefHelp') },
  ...quantityFields(Q.downloadKbps, { label: t('plans.download'), unitLabel: t('plans.form.downloadUnit'), required: true }),
  ...quantityFields(Q.uploadKbps, { label: t('plans.upload'), unitLabel: t('plans.form.uploadUnit'), required: true }),
  // MikroTik's burst: the rate a session may reach while its average stays under the threshold.
  { name: 'burst', label: t('plans.form.burst'), type: 'checkbox', help: t('plans.form.burstHelp') },
  ...quantityFields(Q.burstDownloadKbps, { label: t('plans.form.burstDownload'), unitLabel: t('plans.form.burstDownloadUnit'), required: true, visible: bursts }),
  ...quantityFields(Q.burstUploadKbps, { label: t('plans.form.burstUpload'), unitLabel: t('plans.form.burstUploadUnit'), required: true, visible: bursts }),
  ...quantityFields(Q.burstThresholdDownloadKbps, { label: t('plans.form.burstThresholdDownload'), unitLabel: t('plans.form.burstThresholdDownloadUnit'), required: true, visible: bursts }),
  ...quantityFields(Q.burstThresholdUploadKbps, { label: t('plans.form.burstThresholdUpload'), unitLabel: t('plans.form.burstThresholdUploadUnit'), required: true, visible: bursts }),
  { name: 'burstTimeSeconds', label: t('plans.form.burstTime'), type: 'number', min: 1, max: 3600, required: true, visible: bursts },
  ...quantityFields(Q.dataCapBytes, { label: t('plans.dataCap'), unitLabel: t('plans.form.dataCapUnit'), nullable: true, help: t('plans.form.dataCapHelp') }),
  { name: 'capAction', label: t('plans.capAction'), type: 'select', nullable: true, options: [['block', t('plans.capBlock')], ['throttle', t('plans.capThrottle')]],
    validate: (v, all) => (v === null && typeof all.dataCapBytes === 'string' ? t('plans.form.capActionRequired') : undefined) },
  // The speed from the cap on (capAction "throttle"), until the cap period ends or data is topped up.
  ...quantityFields(Q.throttleDownloadKbps, { label: t('plans.form.throttleDownload'), unitLabel: t('plans.form.throttleDownloadUnit'), required: true, visible: throttles, help: t('plans.form.throttleHelp') }),
  ...quantityFields(Q.throttleUploadKbps, { label: t('plans.form.throttleUpload'), unitLabel: t('plans.form.throttleUploadUnit'), required: true, visible: throttles }),
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
    const values = p ? planFormValues(p) : { ...quantityValues({ type: 'recurring', billingPeriodMonths: 1, taxInclusive: true }, QUANTITIES), burst: false };
    const body = (b: Body) => planBody(burstBody(quantityBody(b, values, QUANTITIES)));
    return html`<h1>${p ? t('plans.title', { name: p.name }) : t('plans.new')}</h1><p><a href="/plans">‹ ${t('plans.back')}</a></p>
      ${p?.activeSubscribers !== undefined ? html`<p class="muted" data-test="subscribers">${t('plans.list.subscribers', { n: p.activeSubscribers })}</p>` : ''}
      <div class="card"><tg-form .fields=${planFields()} ?patch=${!!p} .values=${values}
        submitLabel=${p ? t('common.save') : t('plans.create')}
        .action=${(b: Body) => (p ? updatePlan(p.id, body(b)) : createPlan(body(b)))}
        @saved=${(e: CustomEvent<Plan>) => { toast(t('plans.saved', { name: e.detail.name })); navigate('/plans'); }}></tg-form></div>
      ${p ? html`<tg-cap-tiers .planId=${p.id}></tg-cap-tiers>` : ''}`;
  }
}
customElements.define('tg-plan-edit', TgPlanEdit);
