// The dunning queue (who gets suspended next and when) and what dunning did.
import { LitElement, html, nothing } from 'lit';
import { Task } from '@lit/task';
import { dunningQueue, listDunningEvents, type DunningEvent } from '../data/dunning.js';
import '../components/table.js';
import type { Column } from '../components/table.js';
import { badge, base, day, errorText, money, when } from '../ui.js';

export class TgDunning extends LitElement {
  static override styles = [base];
  private readonly queue = new Task(this, { task: async () => (await dunningQueue()).items, args: () => [] });

  override render() {
    const ev: Array<Column<DunningEvent>> = [
      { label: 'When', render: (e) => when(e.at) },
      { label: 'What', render: (e) => badge(e.kind) },
      { label: 'Customer', render: (e) => html`<a href="/customers/${e.customerId}">${e.customerName ?? `#${e.customerId}`}</a>` },
      { label: 'Invoice', render: (e) => (e.invoiceId ? html`<a href="/invoices/${e.invoiceId}">#${e.invoiceId}</a>` : '—') },
    ];
    return html`<h1>Dunning queue</h1><p class="muted">Who gets suspended next and when, soonest first.</p>
      ${this.queue.render({
        pending: () => html`<p class="muted">Loading…</p>`,
        error: (err) => html`<div class="banner error">${errorText(err)}</div>`,
        complete: (items) => html`<div class="table-wrap"><table>
        <thead><tr><th>Customer</th><th>Invoice</th><th class="num">Open</th><th>Due</th><th>Suspension</th><th class="hide-sm">Next reminder</th></tr></thead><tbody>
        ${items.length === 0 ? html`<tr><td colspan="6" class="muted">No overdue invoice: nobody is queued.</td></tr>` : nothing}
        ${[...items].sort((a, b) => (a.suspendAt ?? '9').localeCompare(b.suspendAt ?? '9')).map((q) => html`<tr>
          <td><a href="/customers/${q.customerId}">${q.customerName}</a> <span class="muted">${q.services.map((s) => s.username).join(', ')}</span></td>
          <td><a href="/invoices/${q.invoiceId}">${q.invoiceNumber}</a></td><td class="num">${money(q.open)}</td><td>${day(q.dueDate)}</td>
          <td>${q.whitelisted ? html`<span class="badge">whitelisted</span>` : q.suspendAt ? when(q.suspendAt) : 'never'}</td>
          <td class="hide-sm">${q.nextReminder ? `#${q.nextReminder.step} on ${day(q.nextReminder.date)}` : '—'}</td></tr>`)}
        </tbody></table></div>`,
      })}
      <h2>What dunning did</h2>
      <tg-table .load=${listDunningEvents} .columns=${ev} empty="Nothing yet."></tg-table>`;
  }
}
customElements.define('tg-dunning', TgDunning);
