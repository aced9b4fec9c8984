// Prepaid vouchers: the batches with their PDF and CSV, generating a batch, redeeming a code.
import { LitElement, html, nothing } from 'lit';
import { Task } from '@lit/task';
import type { Body } from '../data/http.js';
import { listPlans } from '../data/plans.js';
import { batchCsvUrl, batchPdfUrl, createBatch, listBatches, type Batch } from '../data/vouchers.js';
import '../components/form.js';
import type { Field } from '../components/form.js';
import '../components/redeem.js';
import '../components/table.js';
import type { Column } from '../components/table.js';
import { base, day, money, toast } from '../ui.js';
import { t } from '../i18n.js';

export class TgVouchers extends LitElement {
  static override styles = [base];
  static override properties = { creating: { state: true }, redeeming: { state: true } };
  declare creating: boolean;
  declare redeeming: boolean;
  /** The prepaid plans (vouchers sell only those); until they are in, or if they fail, none. */
  private readonly plans = new Task(this, {
    task: async () => (await listPlans({ type: 'prepaid', limit: 500 })).items.filter((p) => p.type === 'prepaid'),
    args: () => [],
  });
  constructor() {
    super();
    this.creating = false;
    this.redeeming = false;
  }
  private reload(): void {
    void this.renderRoot.querySelector('tg-table')?.reload();
  }
  override render() {
    const plans = this.plans.value ?? [];
    const cols: Array<Column<Batch>> = [
      { label: t('vouchers.batch'), render: (b) => b.name },
      { label: t('customer.plan'), render: (b) => plans.find((p) => p.id === b.planId)?.name ?? `#${b.planId}` },
      { label: t('nav.vouchers'), render: (b) => t('vouchers.used', { used: b.redeemed ?? 0, count: b.count }), num: true },
      { label: t('plans.price'), render: (b) => money(b.price), num: true, hideSmall: true },
      { label: t('vouchers.validUntil'), render: (b) => day(b.validUntil), hideSmall: true },
      { label: '', render: (b) => html`<a class="button secondary" data-test="batch-pdf" href=${batchPdfUrl(b.id)} target="_blank" rel="noopener">${t('vouchers.print')}</a>
        <a class="button secondary" data-test="batch-csv" href=${batchCsvUrl(b.id)} download="vouchers-${b.id}.csv">CSV</a>` },
    ];
    const fields: Field[] = [
      { name: 'name', label: t('vouchers.batchName'), required: true, maxLength: 200 },
      { name: 'planId', label: t('vouchers.plan'), type: 'select', numeric: true, required: true, options: plans.map((p) => [String(p.id), `${p.name} (${money(p.price)})`]) },
      { name: 'count', label: t('vouchers.howMany'), type: 'number', required: true, min: 1, max: 100000 },
      { name: 'price', label: t('vouchers.sellsFor'), type: 'money', min: 0, help: t('vouchers.sellsForHelp') },
      { name: 'validUntil', label: t('vouchers.validUntil'), type: 'date', nullable: true },
    ];
    return html`<div class="row"><h1 class="grow">${t('nav.vouchers')}</h1>
        <button class="secondary" @click=${() => (this.redeeming = !this.redeeming)}>${t('redeem.submit')}</button>
        <button @click=${() => (this.creating = !this.creating)} ?disabled=${!plans.length}>${t('vouchers.generate')}</button></div>
      ${plans.length ? nothing : html`<p class="muted">${t('vouchers.needPlan')} <a href="/plans/new">${t('vouchers.createPlan')}</a></p>`}
      ${this.creating ? html`<div class="card" data-test="voucher-generate"><h2>${t('vouchers.generateBatch')}</h2><tg-form .fields=${fields} submitLabel=${t('vouchers.generateVouchers')} .values=${{ count: 50 }}
        .action=${(b: Body) => createBatch(b)}
        @saved=${(e: CustomEvent<Batch>) => { this.creating = false; toast(t('vouchers.generated', { n: e.detail.count })); this.reload(); }}>
        <button type="button" class="secondary" @click=${() => (this.creating = false)}>${t('common.cancel')}</button></tg-form>
        <p class="muted">${t('vouchers.slow')}</p></div>` : nothing}
      ${this.redeeming ? html`<div class="card" data-test="voucher-redeem"><h2>${t('customer.redeemAVoucher')}</h2><tg-redeem @redeemed=${() => this.reload()}></tg-redeem></div>` : nothing}
      <tg-table .load=${listBatches} .columns=${cols} empty=${t('vouchers.empty')}></tg-table>`;
  }
}
customElements.define('tg-vouchers', TgVouchers);
