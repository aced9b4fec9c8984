// A customer's discounts as a service's page shows them, and the form that adds one: a percentage or a
// fixed amount per period, on this service, on one of its recurring items or on the whole invoice,
// from a date for N billing periods (or until removed).
import { LitElement, html, nothing } from 'lit';
import { Task } from '@lit/task';
import type { Body } from '../data/http.js';
import { createDiscount, listDiscounts, listItems, type Discount, type RecurringItem } from '../data/contract.js';
import { quantityBody, quantityFields, type Quantity } from '../quantities.js';
import { base, day, money, toast, todayIso } from '../ui.js';
import { f, t } from '../i18n.js';
import './form.js';
import type { Field } from './form.js';
import './table.js';
import type { Column, Lister, TgTable } from './table.js';

const isPercent = (v: Record<string, unknown>) => v.kind !== 'fixed';
const PERCENT: Quantity = { name: 'percentBp', kind: 'percent' };

function discountFields(username: string, items: readonly RecurringItem[]): Field[] {
  return [
    { name: 'description', label: t('contract.description'), required: true, maxLength: 200, placeholder: t('contract.discountPlaceholder') },
    {
      name: 'target', label: t('contract.discountOn'), type: 'select', required: true,
      options: [['service', t('contract.target.service', { username })], ...items.map((i): [string, string] => [`item:${i.id}`, t('contract.target.item', { item: i.description })]), ['invoice', t('contract.target.invoice')]],
    },
    { name: 'kind', label: t('contract.discountKind'), type: 'select', required: true, options: [['percent', t('contract.kind.percent')], ['fixed', t('contract.kind.fixed')]] },
    ...quantityFields(PERCENT, { label: t('contract.percent'), required: true, visible: isPercent }),
    { name: 'amount', label: t('contract.amountPerPeriod'), type: 'money', required: true, visible: (v) => !isPercent(v) },
    { name: 'startDate', label: t('contract.from'), type: 'date', required: true, help: t('contract.discountFromHelp') },
    { name: 'periods', label: t('contract.periods'), type: 'number', nullable: true, min: 1, help: t('contract.periodsHelp') },
  ];
}

/** The form's values as the API's body: the target as an object, the percentage in basis points. */
function discountBody(b: Body, customerId: number, serviceId: number): Body {
  const { kind: _k, target, ...rest } = quantityBody(b, {}, [PERCENT]);
  const item = typeof target === 'string' && target.startsWith('item:') ? Number(target.slice(5)) : undefined;
  return {
    ...rest, customerId,
    target: target === 'invoice' ? { kind: 'invoice' } : item !== undefined ? { kind: 'item', serviceId, itemId: item } : { kind: 'service', serviceId },
  };
}

export class TgContractDiscounts extends LitElement {
  static override styles = [base];
  static override properties = { service: { attribute: false }, adding: { state: true } };
  declare service: { id: number; customerId: number; username: string };
  declare adding: boolean;

  private readonly discounts: Lister<Discount> = () => listDiscounts(this.service.customerId);
  /** The service's recurring items, as targets and by name in the list: read again each time the form opens or closes. */
  private readonly items = new Task(this, {
    task: async ([id]: readonly [number, boolean]) => (await listItems(id)).items,
    args: (): readonly [number, boolean] => [this.service.id, this.adding],
  });

  constructor() {
    super();
    this.adding = false;
  }

  private itemName(id: number | null): string {
    const item = this.items.value?.find((i) => i.id === id);
    return item ? t('contract.target.item', { item: item.description }) : t('contract.target.itemN', { id: id ?? 0 });
  }

  override render() {
    const s = this.service;
    const cols: Array<Column<Discount>> = [
      { label: t('contract.description'), render: (d) => d.description },
      { label: t('contract.discountValue'), render: (d) => (d.percentBp !== null ? f().percent(d.percentBp) : money(d.amount)), num: true },
      {
        label: t('contract.discountOn'),
        render: (d) => (d.targetKind === 'invoice' ? t('contract.target.invoice') : d.serviceId !== s.id ? t('contract.otherService') : d.targetKind === 'item' ? this.itemName(d.itemId) : s.username),
      },
      { label: t('contract.from'), render: (d) => day(d.startDate), hideSmall: true },
      { label: t('contract.periods'), render: (d) => (d.periods === null ? t('contract.untilRemoved') : f().number(d.periods)), hideSmall: true },
    ];
    return html`<div class="row"><h3 class="grow">${t('contract.discounts')}</h3>
        <button class="secondary" data-test="add-discount" @click=${() => (this.adding = !this.adding)}>${t('contract.addDiscount')}</button></div>
      ${this.adding ? html`<div class="card" data-test="discount-form">${this.items.render({
        pending: () => html`<p class="muted">${t('common.loading')}</p>`,
        complete: (items) => html`<tg-form .fields=${discountFields(s.username, items)} .values=${{ target: 'service', kind: 'percent', startDate: todayIso() }} submitLabel=${t('contract.addDiscount')}
          .action=${(b: Body) => createDiscount(discountBody(b, s.customerId, s.id))}
          @saved=${(e: CustomEvent<Discount>) => {
            e.stopPropagation();
            this.adding = false;
            toast(t('contract.discountAdded'));
            void this.renderRoot.querySelector<TgTable>('tg-table')?.reload();
          }}></tg-form>`,
      })}</div>` : nothing}
      <tg-table data-test="discounts" .load=${this.discounts} .columns=${cols} empty=${t('contract.noDiscount')}></tg-table>`;
  }
}
customElements.define('tg-contract-discounts', TgContractDiscounts);

declare global {
  interface HTMLElementTagNameMap {
    'tg-contract-discounts': TgContractDiscounts;
  }
}
