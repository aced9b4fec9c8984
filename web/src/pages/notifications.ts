// The notifications outbox, by status, with a retry of failed messages.
import { LitElement, html, nothing } from 'lit';
import { listMessages, retryMessage, type Message } from '../data/notifications.js';
import '../components/table.js';
import type { Column } from '../components/table.js';
import { badge, base, errorText, toast, when } from '../ui.js';

export class TgNotifications extends LitElement {
  static override styles = [base];
  static override properties = { status: { state: true } };
  declare status: string;
  constructor() {
    super();
    this.status = '';
  }
  private async retry(m: Message) {
    try {
      await retryMessage(m.id);
      toast('Queued again');
      await this.renderRoot.querySelector('tg-table')?.reload();
    } catch (err) {
      toast(errorText(err), 'error');
    }
  }
  override render() {
    const cols: Array<Column<Message>> = [
      { label: 'When', render: (m) => when(m.createdAt) },
      { label: 'To', render: (m) => (m.customerId ? html`<a href="/customers/${m.customerId}">${m.recipient}</a>` : m.recipient) },
      { label: 'Channel', render: (m) => m.channel, hideSmall: true },
      { label: 'Subject', render: (m) => m.subject || m.template, hideSmall: true },
      { label: 'Status', render: (m) => html`${badge(m.status)}${m.lastError ? html` <span class="muted" title=${m.lastError}>${m.lastError.slice(0, 40)}</span>` : nothing}` },
      { label: '', render: (m) => (m.status === 'failed' ? html`<button class="secondary" @click=${() => this.retry(m)}>Retry</button>` : '') },
    ];
    return html`<div class="row"><h1 class="grow">Notifications</h1>
        <select aria-label="Status" @change=${(e: Event) => (this.status = (e.target as HTMLSelectElement).value)}>
          <option value="">all</option><option>queued</option><option>sent</option><option>failed</option></select></div>
      <tg-table .load=${listMessages} .query=${this.status ? { status: this.status } : {}} .columns=${cols} empty="The outbox is empty."></tg-table>`;
  }
}
customElements.define('tg-notifications', TgNotifications);
