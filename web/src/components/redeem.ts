// Redeem a voucher code: for a customer (a chosen service of theirs, or a new one), or anywhere by
// number. Shared by the vouchers page and the customer page; fires `redeemed` with the redemption.
import { LitElement, html, nothing } from 'lit';
import type { Body } from '../data/http.js';
import { redeemVoucher, type Redemption } from '../data/vouchers.js';
import { redeemTarget } from '../forms.js';
import { base, toast, when } from '../ui.js';
import { t } from '../i18n.js';
import './form.js';
import type { Field } from './form.js';

export class TgRedeem extends LitElement {
  static override styles = [base];
  static override properties = { customerId: { type: Number }, services: { attribute: false }, result: { state: true } };
  declare customerId: number | undefined;
  declare services: Array<{ id: number; username: string }> | undefined;
  declare result: Redemption | undefined;
  private fields(): Field[] {
    const code: Field = { name: 'code', label: t('redeem.code'), required: true, maxLength: 64, pattern: '[A-Za-z0-9 -]+', patternMessage: t('redeem.codePattern'), autocomplete: 'off' };
    const login: Field[] = [
      { name: 'username', label: t('redeem.username'), maxLength: 253, pattern: '\\S+', patternMessage: t('redeem.noSpaces'), help: t('redeem.usernameHelp') },
      { name: 'password', label: t('redeem.password'), type: 'password', maxLength: 128, autocomplete: 'new-password', help: t('redeem.passwordHelp') },
    ];
    if (this.customerId) {
      return [code, { name: 'serviceId', label: t('redeem.topUp'), type: 'select', numeric: true, nullable: true, options: (this.services ?? []).map((s) => [String(s.id), s.username]), help: t('redeem.topUpHelp') }, ...login];
    }
    const target = (name: string) => (_v: unknown, all: Record<string, unknown>) => {
      const r = redeemTarget(all);
      return r.field === name ? r.error : undefined;
    };
    return [
      code,
      { name: 'serviceId', label: t('redeem.serviceNumber'), type: 'number', min: 1, nullable: true, validate: target('serviceId') },
      { name: 'customerId', label: t('redeem.customerNumber'), type: 'number', min: 1, nullable: true, validate: target('customerId') },
      { name: 'customerName', label: t('redeem.customerName'), maxLength: 200, validate: target('customerName') },
      ...login,
    ];
  }
  private send(b: Body): Promise<Redemption> {
    const login = { ...(b.username ? { username: b.username } : {}), ...(b.password ? { password: b.password } : {}) };
    if (this.customerId) {
      return redeemVoucher(typeof b.serviceId === 'number' ? { code: b.code, serviceId: b.serviceId } : { code: b.code, customerId: this.customerId, ...login });
    }
    const t = redeemTarget(b);
    return redeemVoucher({ code: b.code, ...t.body, ...(t.body?.serviceId ? {} : login) });
  }
  override render() {
    const r = this.result;
    return html`${r ? html`<div class="banner ok" data-test="redeemed">${r.created ? t('redeem.doneNew') : t('redeem.doneExisting')} <a href="/customers/${r.customerId}">${r.username}</a> ${t('redeem.validUntil', { until: when(r.expiresAt) })}</div>` : nothing}
      <tg-form .fields=${this.fields()} submitLabel=${t('redeem.submit')} .action=${(b: Body) => this.send(b)}
        @saved=${(e: CustomEvent<Redemption>) => { this.result = e.detail; toast(t('redeem.toast', { username: e.detail.username })); this.dispatchEvent(new CustomEvent('redeemed', { detail: e.detail, bubbles: true, composed: true })); }}></tg-form>`;
  }
}
customElements.define('tg-redeem', TgRedeem);

declare global {
  interface HTMLElementTagNameMap {
    'tg-redeem': TgRedeem;
  }
}
