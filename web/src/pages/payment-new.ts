// Record a payment from the Payments screen: find the customer, then the amount, method, date and
// reference, applied to a chosen open invoice or to the oldest first. The receipt opens afterwards.
import { LitElement, html, nothing } from 'lit';
import { Task } from '@lit/task';
import { getCustomer, listCustomers, type Customer } from '../data/customers.js';
import { listInvoices } from '../data/invoices.js';
import { receiptPdfUrl } from '../data/operator.js';
import { createPayment, type Payment } from '../data/payments.js';
import '../components/form.js';
import type { Field } from '../components/form.js';
import { base, day, errorText, money, toast } from '../ui.js';
import { t } from '../i18n.js';
import { methodOptions } from '../names.js';

export class TgPaymentNew extends LitElement {
  static override styles = [base];
  static override properties = { customerId: { type: Number }, q: { state: true }, recorded: { state: true } };
  declare customerId: number;
  declare q: string;
  declare recorded: Payment | undefined;

  constructor() {
    super();
    this.customerId = 0;
    this.q = '';
    this.recorded = undefined;
  }

  private readonly found = new Task(this, {
    task: ([q]: readonly [string]) => (q ? listCustomers({ q, limit: 10 }).then((p) => p.items) : Promise.resolve([] as Customer[])),
    args: (): readonly [string] => [this.q],
  });

  private readonly account = new Task(this, {
    task: async ([id]: readonly [number]) => {
      if (!id) return undefined;
      const [customer, open] = await Promise.all([getCustomer(id), listInvoices({ customerId: id, status: 'open', limit: 100 })]);
      return { customer, open: open.items.sort((x, y) => x.dueDate.localeCompare(y.dueDate) || x.id - y.id) };
    },
    args: (): readonly [number] => [this.customerId],
  });

  private search(e: Event) {
    e.preventDefault();
    this.q = String(new FormData(e.currentTarget as HTMLFormElement).get('q') ?? '').trim();
  }

  override render() {
    return html`<p><a href="/payments">← ${t('nav.payments')}</a></p><h1>${t('payments.record')}</h1>
      ${this.recorded ? html`<div class="banner ok" role="status">${t('payments.saved', { amount: money(this.recorded.amount) })}
        <a class="button secondary" href=${receiptPdfUrl(this.recorded.id)} target="_blank" rel="noopener">${t('payments.printReceipt')}</a></div>` : nothing}
      ${this.customerId ? this.form() : this.finder()}`;
  }

  private finder() {
    return html`<form class="card row" role="search" @submit=${this.search}>
        <div class="grow"><label for="q">${t('col.customer')}</label><input id="q" name="q" .value=${this.q} placeholder=${t('payments.findHelp')} autocomplete="off"></div>
        <button type="submit">${t('payments.search')}</button>
      </form>
      ${this.found.render({
        complete: (items) => (this.q && items.length === 0 ? html`<p class="muted">${t('payments.noMatch')}</p>` : html`<ul>${items.map((c) => html`<li>
          <button class="secondary" @click=${() => { this.customerId = c.id; this.recorded = undefined; }}>${t('payments.pick')}</button> ${c.name}
          <span class="muted">${c.email ?? ''}</span></li>`)}</ul>`),
        error: (err) => html`<div class="banner error">${errorText(err)}</div>`,
      })}`;
  }

  private form() {
    return this.account.render({
      pending: () => html`<p class="muted">…</p>`,
      complete: (a) => {
        if (!a) return nothing;
        const total = a.open.reduce((s, i) => s + i.open, 0);
        const fields: Field[] = [
          { name: 'amount', label: t('col.amount'), type: 'money', required: true, min: 0.01 },
          { name: 'method', label: t('col.method'), type: 'select', required: true, options: methodOptions() },
          { name: 'receivedAt', label: t('payments.receivedAt'), type: 'datetime', required: true },
          { name: 'reference', label: t('col.reference'), maxLength: 200, help: t('payments.referenceHelp') },
          { name: 'invoiceId', label: t('payments.applyTo'), type: 'select', numeric: true, options: a.open.map((i) => [String(i.id), t('payments.invoiceOption', { number: i.number, date: day(i.dueDate), open: money(i.open, i.currency) })]), help: t('payments.invoiceHelp') },
        ];
        const values = { customerId: a.customer.id, method: 'bank', receivedAt: new Date().toISOString() };
        return html`<section class="card">
            <h2><a href="/customers/${a.customer.id}">${a.customer.name}</a></h2>
            <p>${a.open.length ? t('payments.owes', { open: money(total), n: a.open.length }) : t('payments.owesNothing')}</p>
            <button class="secondary" @click=${() => { this.customerId = 0; }}>${t('payments.change')}</button>
          </section>
          <tg-form .fields=${fields} .values=${values} submitLabel=${t('payments.save')}
            .action=${(body: Record<string, unknown>) => createPayment({ ...body, customerId: a.customer.id })}
            @saved=${(e: CustomEvent<Payment>) => { this.recorded = e.detail; toast(t('payments.saved', { amount: money(e.detail.amount) })); void this.account.run(); }}></tg-form>`;
      },
      error: (err) => html`<div class="banner error">${errorText(err)}</div>`,
    });
  }
}
customElements.define('tg-payment-new', TgPaymentNew);

