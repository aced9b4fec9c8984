// A service's contract: its terms, its end with the early-termination charge shown before it is
// confirmed, what it bills beside the plan (recurring items, one-off charges, discounts), and its data
// top-ups; for a prepaid service the top-up and its history instead of the billing terms.
import { LitElement, html } from 'lit';
import { Task } from '@lit/task';
import { getCustomer } from '../data/customers.js';
import { listTopups, type Topup } from '../data/contract.js';
import { getPlan, type Plan } from '../data/plans.js';
import { getService, serviceTerms, type Service, type ServiceTerms } from '../data/services.js';
import '../components/contract-cancel.js';
import '../components/contract-charges.js';
import '../components/contract-discounts.js';
import '../components/contract-terms.js';
import '../components/data-topup.js';
import '../components/prepaid-topup.js';
import '../components/table.js';
import type { Column, Lister, TgTable } from '../components/table.js';
import { badge, base, day, errorText, money, when } from '../ui.js';
import { t } from '../i18n.js';

interface ContractPage {
  service: Service;
  plan: Plan;
  customerName: string;
  /** The contract terms; none for a prepaid service (sold by validity, not billed by period). */
  terms: ServiceTerms | undefined;
}

export class TgServiceContract extends LitElement {
  static override styles = [base];
  static override properties = { serviceId: { type: Number }, terms: { state: true } };
  declare serviceId: number;
  /** The terms as the last change answered, shown until the page loads again. */
  declare terms: ServiceTerms | undefined;

  private readonly page = new Task(this, {
    task: async ([id]: readonly [number]): Promise<ContractPage> => {
      const service = await getService(id);
      const [plan, customer] = await Promise.all([getPlan(service.planId), getCustomer(service.customerId)]);
      const terms = plan.type === 'recurring' ? await serviceTerms(id) : undefined;
      return { service, plan, customerName: customer.name, terms };
    },
    args: (): readonly [number] => [this.serviceId],
    onComplete: () => (this.terms = undefined),
  });
  private readonly topups: Lister<Topup> = () => listTopups(this.serviceId);

  override render() {
    return this.page.render({
      pending: () => (this.page.value ? this.view(this.page.value) : html`<p class="muted">${t('common.loading')}</p>`),
      complete: (d) => this.view(d),
      error: (err) => html`<div class="banner error">${errorText(err)}</div>`,
    });
  }

  private view(d: ContractPage) {
    const s = d.service;
    const terms = this.terms ?? d.terms;
    return html`<h1>${t('contract.title', { username: s.username })}</h1>
      <p><a href="/customers/${s.customerId}">‹ ${d.customerName}</a> · ${d.plan.name} (${money(d.plan.price)}) · ${t('customer.since', { since: day(s.startDate) })} ${badge(s.status)}</p>
      ${terms ? this.contract(s, d.plan, terms) : this.prepaid(s)}
      <h2>${t('contract.data')}</h2>
      <div class="card"><tg-data-topup .serviceId=${s.id}></tg-data-topup></div>`;
  }

  private contract(s: Service, plan: Plan, terms: ServiceTerms) {
    const who = { id: s.id, customerId: s.customerId, username: s.username };
    return html`<h2>${t('contract.terms')}</h2>
      <div class="card"><tg-contract-terms .serviceId=${s.id} .terms=${terms} @changed=${(e: CustomEvent<ServiceTerms>) => (this.terms = e.detail)}></tg-contract-terms></div>
      <h2>${t('contract.end')}</h2>
      <div class="card" data-test="cancel">${s.status === 'ended'
        ? html`<p class="muted">${t('contract.ended', { day: day(terms.lastDayOfService ?? terms.endDate) })}</p>`
        : html`<p class="muted">${t('contract.endHelp')}</p><tg-contract-cancel .serviceId=${s.id} @cancelled=${() => void this.page.run()}></tg-contract-cancel>`}</div>
      <h2>${t('contract.extras')}</h2>
      <div class="card"><tg-contract-charges .service=${who} .tax=${{ taxRateBp: plan.taxRateBp ?? 0, taxInclusive: plan.taxInclusive ?? true }}></tg-contract-charges></div>
      <div class="card"><tg-contract-discounts .service=${who}></tg-contract-discounts></div>`;
  }

  private prepaid(s: Service) {
    const cols: Array<Column<Topup>> = [
      { label: t('contract.addedAt'), render: (r) => when(r.at) },
      { label: t('contract.validUntil'), render: (r) => when(r.expiresAt) },
      { label: t('contract.topupSource'), render: (r) => (r.voucherId ? t('contract.source.voucher') : r.source === 'admin' ? t('contract.source.admin') : t('contract.source.payment')) },
      { label: t('contract.addedBy'), render: (r) => r.actor, hideSmall: true },
    ];
    return html`<h2>${t('contract.prepaid')}</h2>
      <div class="card" data-test="prepaid-topup"><p class="muted">${s.expiresAt ? t('customer.validUntil', { until: when(s.expiresAt) }) : t('contract.notValidYet')}</p>
        <tg-prepaid-topup .serviceId=${s.id} @topped-up=${() => {
          void this.page.run();
          void this.renderRoot.querySelector<TgTable>('tg-table[data-test="topups"]')?.reload();
        }}></tg-prepaid-topup></div>
      <tg-table data-test="topups" .load=${this.topups} .columns=${cols} empty=${t('contract.noTopup')}></tg-table>`;
  }
}
customElements.define('tg-service-contract', TgServiceContract);

declare global {
  interface HTMLElementTagNameMap {
    'tg-service-contract': TgServiceContract;
  }
}
