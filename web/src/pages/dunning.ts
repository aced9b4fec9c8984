// The dunning queue (who gets suspended next and when) and what dunning did.
import { LitElement, html, nothing } from 'lit';
import { Task } from '@lit/task';
import { dunningQueue, listDunningEvents, type DunningEvent } from '../data/dunning.js';
import '../components/table.js';
import type { Column } from '../components/table.js';
import { badge, base, day, errorText, money, when } from '../ui.js';
import { t } from '../i18n.js';

export class TgDunning extends LitElement {
  static override styles = [base];
  private readonly queue = new Task(this, { task: async () => (await dunningQueue()).items, args: () => [] });

  override render() {
    const ev: Array<Column<DunningEvent>> = [
      { label: t('col.when'), render: (e) => when(e.at) },
      { label: t('col.what'), render: (e) => badge(e.kind) },
      { label: t('col.customer'), render: (e) => html`<a href="/customers/${e.customerId}">${e.customerName ?? `#${e.customerId}`}</a>` },
      { label: t('dunning.invoice'), render: (e) => (e.invoiceId ? html`<a href="/invoices/${e.invoiceId}">#${e.invoiceId}</a>` : '—') },
    ];
    return html`<h1>${t('dunning.title')}</h1><p class="muted">${t('dunning.hint')}</p>
      ${this.queue.render({
        pending: () => html`<p class="muted">${t('common.loading')}</p>`,
        error: (err) => html`<div class="banner error">${errorText(err)}</div>`,
        complete: (items) => html`<div class="table-wrap"><table>
        <thead><tr><th>${t('col.customer')}</th><th>${t('dunning.invoice')}</th><th class="num">${t('col.open')}</th><th>${t('col.due')}</th><th>${t('dunning.suspension')}</th><th class="hide-sm">${t('dunning.nextReminder')}</th></tr></thead><tbody>
        ${items.length === 0 ? html`<tr><td colspan="6" class="muted">${t('dunning.nobody')}</td></tr>` : nothing}
        ${[...items].sort((a, b) => (a.suspendAt ?? '9').localeCompare(b.suspendAt ?? '9')).map((q) => html`<tr>
          <td><a href="/customers/${q.customerId}">${q.customerName}</a> <span class="muted">${q.services.map((s) => s.username).join(', ')}</span></td>
          <td><a href="/invoices/${q.invoiceId}">${q.invoiceNumber}</a></td><td class="num">${money(q.open)}</td><td>${day(q.dueDate)}</td>
          <td>${q.whitelisted ? html`<span class="badge">${t('dunning.whitelisted')}</span>` : q.suspendAt ? when(q.suspendAt) : t('dunning.never')}</td>
          <td class="hide-sm">${q.nextReminder ? t('dunning.reminderOn', { step: q.nextReminder.step, date: day(q.nextReminder.date) }) : '—'}</td></tr>`)}
        </tbody></table></div>`,
      })}
      <h2>${t('dunning.done')}</h2>
      <tg-table .load=${listDunningEvents} .columns=${ev} empty=${t('invoice.nothingYet')}></tg-table>`;
  }
}
customElements.define('tg-dunning', TgDunning);
