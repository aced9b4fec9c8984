// The prepaid top-up form of one service: validity periods to add, the money received (empty: the
// plan price × periods; 0: free) and how. Shared by the customer page and the service's contract
// page; fires `topped-up` with the API's answer (the new expiry, the payment, the receipt).
import { LitElement, html } from 'lit';
import type { Body } from '../data/http.js';
import { topUp, type TopupResult } from '../data/services.js';
import { methodOptions } from '../names.js';
import { base, toast, when } from '../ui.js';
import { t } from '../i18n.js';
import './form.js';
import type { Field } from './form.js';

const topupFields = (): Field[] => [
  { name: 'count', label: t('customer.periods'), type: 'number', required: true, min: 1, max: 120 },
  { name: 'amount', label: t('customer.amountReceived'), type: 'money', min: 0, help: t('customer.topupAmountHelp') },
  { name: 'method', label: t('col.method'), type: 'select', required: true, options: methodOptions() },
  { name: 'reference', label: t('col.reference'), nullable: true, maxLength: 200 },
];

export class TgPrepaidTopup extends LitElement {
  static override styles = [base];
  static override properties = { serviceId: { type: Number } };
  declare serviceId: number;

  override render() {
    return html`<tg-form submitLabel=${t('redeem.topUp')} .fields=${topupFields()} .values=${{ count: 1, method: 'cash' }}
      .action=${(b: Body) => topUp(this.serviceId, b)}
      @saved=${(e: CustomEvent<TopupResult>) => {
        e.stopPropagation();
        toast(t('customer.toppedUp', { until: when(e.detail.expiresAt) }));
        this.dispatchEvent(new CustomEvent('topped-up', { detail: e.detail }));
      }}></tg-form>`;
  }
}
customElements.define('tg-prepaid-topup', TgPrepaidTopup);

declare global {
  interface HTMLElementTagNameMap {
    'tg-prepaid-topup': TgPrepaidTopup;
  }
}
