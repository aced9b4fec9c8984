// A service's contract terms: what they mean today (the term running, the last day of service, the
// earliest end on notice) and the form that changes them (billing day and mode, period, trial,
// minimum term, tacit renewal, notice, setup fee, contract end). Fires `changed` with the new terms.
import { LitElement, html, nothing } from 'lit';
import type { Body } from '../data/http.js';
import { setTerms } from '../data/contract.js';
import type { ServiceTerms } from '../data/services.js';
import { base, day, money, toast } from '../ui.js';
import { t } from '../i18n.js';
import './form.js';
import type { Field } from './form.js';

const termsFields = (withTerm: boolean): Field[] => [
  { name: 'billingMode', label: t('contract.billingMode'), type: 'select', required: true, options: [['advance', t('contract.mode.advance')], ['arrears', t('contract.mode.arrears')]], help: t('contract.billingModeHelp') },
  {
    name: 'billingDay', label: t('contract.billingDay'), type: 'select', required: true, help: t('contract.billingDayHelp'),
    options: [['anniversary', t('contract.day.anniversary')], ['last', t('contract.day.last')], ...Array.from({ length: 28 }, (_, i): [string, string] => [String(i + 1), t('contract.day.n', { n: i + 1 })])],
  },
  { name: 'billingPeriodMonths', label: t('contract.period'), type: 'select', numeric: true, nullable: true, options: [1, 2, 3, 6, 12].map((n) => [String(n), t('contract.months', { n })]), help: t('contract.periodHelp') },
  { name: 'trialEndDate', label: t('contract.trialEnd'), type: 'date', nullable: true, help: t('contract.trialEndHelp') },
  { name: 'termMonths', label: t('contract.termMonths'), type: 'number', nullable: true, min: 1, help: t('contract.termMonthsHelp') },
  { name: 'autoRenew', label: t('contract.autoRenew'), type: 'checkbox', help: t('contract.autoRenewHelp') },
  { name: 'noticeDays', label: t('contract.noticeDays'), type: 'number', min: 0, help: t('contract.noticeDaysHelp') },
  { name: 'setupFee', label: t('contract.setupFee'), type: 'money', nullable: true, help: t('contract.setupFeeHelp') },
  // With a minimum term an end can cost an early-termination charge: it goes through the end of the
  // contract, which shows the charge before it is confirmed. So the field is there only for a contract
  // saved without a term, and refuses an end typed together with a new term.
  ...(withTerm ? [] : [{
    name: 'endDate', label: t('contract.endDate'), type: 'date', nullable: true, help: t('contract.endDateHelp'),
    validate: (v: unknown, all: Record<string, unknown>) => (v && typeof all.termMonths === 'number' ? t('contract.endWithTerm') : undefined),
  } satisfies Field]),
];

/** The terms as the form shows them: the billing day as the select's text. */
const termsValues = (terms: ServiceTerms): Record<string, unknown> => ({ ...terms, billingDay: String(terms.billingDay) });

/** The form's body as the API takes it: a day of the month as a number. */
function termsBody(b: Body): Body {
  return typeof b.billingDay === 'string' && /^\d+$/.test(b.billingDay) ? { ...b, billingDay: Number(b.billingDay) } : b;
}

export class TgContractTerms extends LitElement {
  static override styles = [base];
  static override properties = { serviceId: { type: Number }, terms: { attribute: false }, editing: { state: true } };
  declare serviceId: number;
  declare terms: ServiceTerms | undefined;
  declare editing: boolean;

  constructor() {
    super();
    this.editing = false;
  }

  override render() {
    const x = this.terms;
    if (!x) return nothing;
    return html`<dl class="kv" data-test="terms">
        <dt>${t('contract.billingMode')}</dt><dd data-test="billingMode">${x.billingMode === 'arrears' ? t('contract.mode.arrears') : t('contract.mode.advance')}</dd>
        <dt>${t('contract.billingDay')}</dt><dd data-test="billingDay">${x.billingDay === 'anniversary' ? t('contract.day.anniversary') : x.billingDay === 'last' ? t('contract.day.last') : t('contract.day.n', { n: x.billingDay })}</dd>
        <dt>${t('contract.trialEnd')}</dt><dd>${day(x.trialEndDate)}</dd>
        <dt>${t('contract.termMonths')}</dt><dd data-test="termMonths">${x.termMonths === null ? t('contract.noTerm') : t('contract.months', { n: x.termMonths })}${x.termMonths !== null ? ` · ${x.autoRenew ? t('contract.renews') : t('contract.noRenewal')}` : ''}</dd>
        ${x.currentTerm ? html`<dt>${t('contract.currentTerm')}</dt><dd data-test="currentTerm">${day(x.currentTerm.start)} – ${day(x.currentTerm.end)}</dd>` : nothing}
        ${x.termMonths !== null ? html`<dt>${t('contract.noticeDays')}</dt><dd>${t('contract.days', { n: x.noticeDays })}</dd>` : nothing}
        ${x.endOnNoticeToday && !x.endDate ? html`<dt>${t('contract.endOnNoticeToday')}</dt><dd>${day(x.endOnNoticeToday)}</dd>` : nothing}
        ${x.setupFee ? html`<dt>${t('contract.setupFee')}</dt><dd>${money(x.setupFee)}</dd>` : nothing}
        ${x.noticeDate ? html`<dt>${t('contract.noticeGiven')}</dt><dd data-test="noticeDate">${day(x.noticeDate)}</dd>` : nothing}
        <dt>${t('contract.lastDay')}</dt><dd data-test="lastDay">${x.lastDayOfService ? day(x.lastDayOfService) : t('contract.openEnded')}</dd>
      </dl>
      <button class="secondary" data-test="edit-terms" @click=${() => (this.editing = !this.editing)}>${this.editing ? t('common.close') : t('contract.editTerms')}</button>
      ${this.editing ? html`<div style="margin-top:0.8rem" data-test="terms-form"><tg-form patch .fields=${termsFields(x.termMonths !== null)} .values=${termsValues(x)} submitLabel=${t('contract.saveTerms')}
        .action=${(b: Body) => setTerms(this.serviceId, termsBody(b))}
        @saved=${(e: CustomEvent<ServiceTerms>) => {
          e.stopPropagation();
          this.editing = false;
          toast(t('contract.termsSaved'));
          this.dispatchEvent(new CustomEvent('changed', { detail: e.detail }));
        }}></tg-form></div>` : nothing}`;
  }
}
customElements.define('tg-contract-terms', TgContractTerms);

declare global {
  interface HTMLElementTagNameMap {
    'tg-contract-terms': TgContractTerms;
  }
}
