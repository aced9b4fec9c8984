// A new customer.
import { LitElement, html } from 'lit';
import { createCustomer, type Customer } from '../data/customers.js';
import type { Body } from '../data/http.js';
import '../components/form.js';
import { customerFields } from '../fields.js';
import { navigate } from '../router.js';
import { base, toast } from '../ui.js';
import { t } from '../i18n.js';

export class TgCustomerEdit extends LitElement {
  static override styles = [base];
  override render() {
    return html`<h1>${t('customers.new')}</h1><div class="card">
      <tg-form .fields=${customerFields()} submitLabel=${t('customers.create')} .action=${(b: Body) => createCustomer(b)}
        @saved=${(e: CustomEvent<Customer>) => {
          toast(t('customers.created', { name: e.detail.name }));
          navigate(`/customers/${e.detail.id}`);
        }}></tg-form></div>`;
  }
}
customElements.define('tg-customer-edit', TgCustomerEdit);
