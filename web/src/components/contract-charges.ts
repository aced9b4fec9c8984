// What a service bills beside its plan: recurring items (equipment rent, billed each period and
// prorated like the plan) and one-off charges (installation, or a negative goodwill credit, billed
// by the first run on or after their date). Each list with the form that adds to it.
import { LitElement, html, nothing } from 'lit';
import type { Body } from '../data/http.js';
import { createCharge, createItem, listCharges, listItems, type Charge, type RecurringItem } from '../data/contract.js';
import { quantityBody, quantityFields, quantityValues, type Quantity } from '../quantities.js';
import { base, day, money, toast, todayIso } from '../ui.js';
import { f, t } from '../i18n.js';
import './form.js';
import type { Field } from './form.js';
import './table.js';
import type { Column, Lister, TgTable } from './table.js';

const TAX_RATE: Quantity = { name: 'taxRateBp', kind: 'percent' };

/** The tax of an item or a charge: VAT in percent, prices with or without it, and the exemption nature of a line at 0 %. */
const taxFields = (): Field[] => [
  ...quantityFields(TAX_RATE, { label: t('contract.vat'), required: true, help: t('contract.vatHelp') }),
  { name: 'taxInclusive', label: t('contract.taxInclusive'), type: 'checkbox' },
  { name: 'vatNature', label: t('contract.vatNature'), maxLength: 10, help: t('contract.vatNatureHelp') },
];

const itemFields = (): Field[] => [
  { name: 'description', label: t('contract.description'), required: true, maxLength: 200, placeholder: t('contract.itemPlaceholder') },
  { name: 'amount', label: t('contract.amountPerPeriod'), type: 'money', required: true },
  ...taxFields(),
  { name: 'startDate', label: t('contract.from'), type: 'date', help: t('contract.itemFromHelp') },
  { name: 'endDate', label: t('contract.to'), type: 'date', help: t('contract.itemToHelp') },
];

const chargeFields = (service: { id: number; username: string }): Field[] => [
  { name: 'description', label: t('contract.description'), required: true, maxLength: 200, placeholder: t('contract.chargePlaceholder') },
  { name: 'amount', label: t('contract.amount'), type: 'money', required: true, help: t('contract.chargeAmountHelp') },
  { name: 'date', label: t('contract.chargeDate'), type: 'date', required: true, help: t('contract.chargeDateHelp') },
  { name: 'serviceId', label: t('contract.chargeService'), type: 'select', numeric: true, options: [[String(service.id), service.username]], help: t('contract.chargeServiceHelp') },
  ...taxFields(),
];

/** Tax defaults of a new item or charge: the plan's. */
export interface TaxDefaults {
  taxRateBp: number;
  taxInclusive: boolean;
}

export class TgContractCharges extends LitElement {
  static override styles = [base];
  static override properties = { service: { attribute: false }, tax: { attribute: false }, adding: { state: true } };
  declare service: { id: number; customerId: number; username: string };
  declare tax: TaxDefaults;
  /** Which form is open. */
  declare adding: 'item' | 'charge' | undefined;

  // Stable listers: the table loads again when its lister changes.
  private readonly items: Lister<RecurringItem> = () => listItems(this.service.id);
  private readonly charges: Lister<Charge> = () => listCharges(this.service.customerId);

  private reload(): void {
    this.renderRoot.querySelectorAll<TgTable>('tg-table').forEach((x) => void x.reload());
  }

  private added(e: Event, message: string): void {
    e.stopPropagation();
    this.adding = undefined;
    toast(message);
    this.reload();
    this.dispatchEvent(new CustomEvent('changed'));
  }

  override render() {
    const s = this.service;
    const defaults = quantityValues({ taxRateBp: this.tax.taxRateBp, taxInclusive: this.tax.taxInclusive }, [TAX_RATE]);
    const vat = (r: { taxRateBp: number; vatNature: string | null }) => (r.vatNature ? `${f().percent(r.taxRateBp)} ${r.vatNature}` : f().percent(r.taxRateBp));
    const itemCols: Array<Column<RecurringItem>> = [
      { label: t('contract.description'), render: (r) => r.description },
      { label: t('contract.amountPerPeriod'), render: (r) => money(r.amount), num: true },
      { label: t('contract.vat'), render: vat, hideSmall: true },
      { label: t('contract.from'), render: (r) => day(r.startDate), hideSmall: true },
      { label: t('contract.to'), render: (r) => day(r.endDate), hideSmall: true },
    ];
    const chargeCols: Array<Column<Charge>> = [
      { label: t('contract.chargeDate'), render: (r) => day(r.date) },
      { label: t('contract.description'), render: (r) => r.description },
      { label: t('contract.amount'), render: (r) => money(r.amount), num: true },
      { label: t('contract.chargeService'), render: (r) => (r.serviceId === s.id ? s.username : r.serviceId === null ? t('contract.wholeAccount') : t('contract.otherService')), hideSmall: true },
      { label: t('contract.vat'), render: vat, hideSmall: true },
    ];
    return html`
      <div class="row"><h3 class="grow">${t('contract.items')}</h3>
        <button class="secondary" data-test="add-item" @click=${() => (this.adding = this.adding === 'item' ? undefined : 'item')}>${t('contract.addItem')}</button></div>
      <p class="muted">${t('contract.itemsHelp')}</p>
      ${this.adding === 'item' ? html`<div class="card" data-test="item-form"><tg-form .fields=${itemFields()} .values=${defaults} submitLabel=${t('contract.addItem')}
        .action=${(b: Body) => createItem({ ...quantityBody(b, {}, [TAX_RATE]), serviceId: s.id })}
        @saved=${(e: CustomEvent<RecurringItem>) => this.added(e, t('contract.itemAdded'))}></tg-form></div>` : nothing}
      <tg-table data-test="items" .load=${this.items} .columns=${itemCols} empty=${t('contract.noItem')}></tg-table>

      <div class="row"><h3 class="grow">${t('contract.charges')}</h3>
        <button class="secondary" data-test="add-charge" @click=${() => (this.adding = this.adding === 'charge' ? undefined : 'charge')}>${t('contract.addCharge')}</button></div>
      <p class="muted">${t('contract.chargesHelp')}</p>
      ${this.adding === 'charge' ? html`<div class="card" data-test="charge-form"><tg-form .fields=${chargeFields(s)} .values=${{ ...defaults, date: todayIso(), serviceId: s.id }} submitLabel=${t('contract.addCharge')}
        .action=${(b: Body) => createCharge({ ...quantityBody(b, {}, [TAX_RATE]), customerId: s.customerId })}
        @saved=${(e: CustomEvent<Charge>) => this.added(e, t('contract.chargeAdded'))}></tg-form></div>` : nothing}
      <tg-table data-test="charges" .load=${this.charges} .columns=${chargeCols} empty=${t('contract.noCharge')}></tg-table>`;
  }
}
customElements.define('tg-contract-charges', TgContractCharges);

declare global {
  interface HTMLElementTagNameMap {
    'tg-contract-charges': TgContractCharges;
  }
}
