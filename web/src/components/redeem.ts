// Redeem a voucher code: for a customer (a chosen service of theirs, or a new one), or anywhere by
// number. Shared by the vouchers page and the customer page; fires `redeemed` with the redemption.
import { LitElement, html, nothing } from 'lit';
import type { Body } from '../data/http.js';
import { redeemVoucher, type Redemption } from '../data/vouchers.js';
import { redeemTarget } from '../forms.js';
import { base, toast, when } from '../ui.js';
import './form.js';
import type { Field } from './form.js';

export class TgRedeem extends LitElement {
  static override styles = [base];
  static override properties = { customerId: { type: Number }, services: { attribute: false }, result: { state: true } };
  declare customerId: number | undefined;
  declare services: Array<{ id: number; username: string }> | undefined;
  declare result: Redemption | undefined;
  private fields(): Field[] {
    const code: Field = { name: 'code', label: 'Voucher code', required: true, maxLength: 64, pattern: '[A-Za-z0-9 -]+', patternMessage: 'holds letters, digits, spaces and dashes only', autocomplete: 'off' };
    const login: Field[] = [
      { name: 'username', label: 'New service login', maxLength: 253, pattern: '\\S+', patternMessage: 'may not contain spaces', help: 'for a new service; default: the code' },
      { name: 'password', label: 'New service password', type: 'password', maxLength: 128, autocomplete: 'new-password', help: 'default: the code' },
    ];
    if (this.customerId) {
      return [code, { name: 'serviceId', label: 'Top up', type: 'select', numeric: true, nullable: true, options: (this.services ?? []).map((s) => [String(s.id), s.username]), help: '—: a new service on the voucher\'s plan' }, ...login];
    }
    const target = (name: string) => (_v: unknown, all: Record<string, unknown>) => {
      const r = redeemTarget(all);
      return r.field === name ? r.error : undefined;
    };
    return [
      code,
      { name: 'serviceId', label: 'Top up service number', type: 'number', min: 1, nullable: true, validate: target('serviceId') },
      { name: 'customerId', label: 'or: new service for customer number', type: 'number', min: 1, nullable: true, validate: target('customerId') },
      { name: 'customerName', label: 'or: a new customer named', maxLength: 200, validate: target('customerName') },
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
    return html`${r ? html`<div class="banner ok" data-test="redeemed">Voucher redeemed: ${r.created ? 'new service' : 'service'} <a href="/customers/${r.customerId}">${r.username}</a> valid until ${when(r.expiresAt)}.</div>` : nothing}
      <tg-form .fields=${this.fields()} submitLabel="Redeem" .action=${(b: Body) => this.send(b)}
        @saved=${(e: CustomEvent<Redemption>) => { this.result = e.detail; toast(`Voucher redeemed for ${e.detail.username}`); this.dispatchEvent(new CustomEvent('redeemed', { detail: e.detail, bubbles: true, composed: true })); }}></tg-form>`;
  }
}
customElements.define('tg-redeem', TgRedeem);

declare global {
  interface HTMLElementTagNameMap {
    'tg-redeem': TgRedeem;
  }
}
