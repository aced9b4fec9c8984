// A capped service's data this period (used, allowance, tier) and the data top-up: an amount in GB or
// MB added to the current period, which gives a throttled or blocked service its rate back at once.
// With the top-ups made so far, newest first.
import { LitElement, html, nothing } from 'lit';
import { Task } from '@lit/task';
import type { Body } from '../data/http.js';
import { addData, listDataTopups, serviceUsage, type DataTopup, type Usage } from '../data/contract.js';
import { exactSize, quantityFields, quantityOf, quantityValues, type Quantity } from '../quantities.js';
import { base, bytes, day, errorText, toast, when } from '../ui.js';
import { t } from '../i18n.js';
import './form.js';
import './table.js';
import type { Column, Lister, TgTable } from './table.js';

/** The amount of a top-up, named `bytes` as the API's field so its error lands beside it; no minimum here (the API refuses 0 and says so). */
const TOPUP: Quantity = { name: 'bytes', kind: 'size' };

export class TgDataTopup extends LitElement {
  static override styles = [base];
  static override properties = { serviceId: { type: Number }, saved: { state: true } };
  declare serviceId: number;
  /** The usage as the last top-up's answer gave it, shown until the next load. */
  declare saved: Usage | undefined;

  private readonly usage = new Task(this, {
    task: ([id]: readonly [number]) => serviceUsage(id),
    args: (): readonly [number] => [this.serviceId],
    onComplete: () => (this.saved = undefined),
  });
  private readonly topups: Lister<DataTopup> = () => listDataTopups(this.serviceId);

  override render() {
    return this.usage.render({
      pending: () => html`<p class="muted">${t('common.loading')}</p>`,
      complete: (u) => this.view(this.saved ?? u),
      error: (err) => html`<div class="banner error">${errorText(err)}</div>`,
    });
  }

  private view(u: Usage) {
    if (u.capBytes === null && u.tiers.length === 0) return html`<p class="muted" data-test="no-cap">${t('contract.noCap')}</p>`;
    const cols: Array<Column<DataTopup>> = [
      { label: t('contract.addedAt'), render: (r) => when(r.createdAt) },
      { label: t('contract.dataAmount'), render: (r) => exactSize(r.bytes), num: true },
      { label: t('contract.capPeriod'), render: (r) => day(r.periodStart), hideSmall: true },
      { label: t('contract.addedBy'), render: (r) => r.createdBy, hideSmall: true },
    ];
    return html`<dl class="kv" data-test="usage">
        <dt>${t('contract.capPeriod')}</dt><dd>${day(u.period.start)} – ${day(u.period.end)}</dd>
        <dt>${t('contract.used')}</dt><dd data-test="used">${bytes(u.usedBytes)}${u.capBytes !== null ? ` / ${exactSize(u.capBytes)}` : ''}</dd>
        ${u.topupBytes ? html`<dt>${t('contract.toppedUpData')}</dt><dd data-test="topup-bytes">${exactSize(u.topupBytes)}</dd>` : nothing}
        <dt>${t('contract.tier')}</dt><dd>${u.tier.blocked ? t('contract.blocked') : u.tier.level === 0 ? t('contract.fullRate') : u.tier.name}</dd>
      </dl>
      <div class="card" data-test="data-topup-form"><tg-form .fields=${quantityFields(TOPUP, { label: t('contract.dataAmount'), unitLabel: t('contract.dataUnit'), required: true })}
        .values=${quantityValues({}, [TOPUP])} submitLabel=${t('contract.addData')}
        .action=${(b: Body) => addData(this.serviceId, quantityOf(TOPUP, b))}
        @saved=${(e: CustomEvent<DataTopup & { usage: Usage }>) => {
          e.stopPropagation();
          this.saved = e.detail.usage;
          toast(t('contract.dataAdded', { size: exactSize(e.detail.bytes) }));
          void this.renderRoot.querySelector<TgTable>('tg-table')?.reload();
        }}></tg-form></div>
      <tg-table data-test="data-topups" .load=${this.topups} .columns=${cols} empty=${t('contract.noDataTopup')}></tg-table>`;
  }
}
customElements.define('tg-data-topup', TgDataTopup);

declare global {
  interface HTMLElementTagNameMap {
    'tg-data-topup': TgDataTopup;
  }
}
