// The notifications outbox, by status, with a retry of failed messages.
import { LitElement, html, nothing } from 'lit';
import { listMessages, retryMessage, type Message } from '../data/notifications.js';
import '../components/table.js';
import type { Column } from '../components/table.js';
import { badge, base, errorText, statusName, toast, when } from '../ui.js';
import { t } from '../i18n.js';
import { channelName, failureText, templateName } from '../names.js';

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
      toast(t('notifications.requeued'));
      await this.renderRoot.querySelector('tg-table')?.reload();
    } catch (err) {
      toast(errorText(err), 'error');
    }
  }
  override render() {
    const cols: Array<Column<Message>> = [
      { label: t('col.when'), render: (m) => when(m.createdAt) },
      { label: t('notifications.to'), render: (m) => (m.customerId ? html`<a href="/customers/${m.customerId}">${m.recipient}</a>` : m.recipient) },
      { label: t('col.channel'), render: (m) => channelName(m.channel), hideSmall: true },
      { label: t('col.subject'), render: (m) => m.subject || templateName(m.template), hideSmall: true },
      { label: t('col.status'), render: (m) => html`${badge(m.status)}${m.lastError ? ((e) => html` <span class="muted" title=${e}>${e.length > 60 ? `${e.slice(0, 60)}…` : e}</span>`)(failureText(m)) : nothing}` },
      { label: '', render: (m) => (m.status === 'failed' ? html`<button class="secondary" @click=${() => this.retry(m)}>${t('notifications.retry')}</button>` : '') },
    ];
    return html`<div class="row"><h1 class="grow">${t('nav.notifications')}</h1>
        <select aria-label=${t('col.status')} @change=${(e: Event) => (this.status = (e.target as HTMLSelectElement).value)}>
          <option value="">${t('common.all')}</option>${['queued', 'sent', 'failed'].map((s) => html`<option value=${s}>${statusName(s)}</option>`)}</select></div>
      <tg-table .load=${listMessages} .query=${this.status ? { status: this.status } : {}} .columns=${cols} empty=${t('notifications.empty')}></tg-table>`;
  }
}
customElements.define('tg-notifications', TgNotifications);
