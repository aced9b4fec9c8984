// Who is online now (or every session), with a kick per session.
import { LitElement, html } from 'lit';
import { serviceAction } from '../data/services.js';
import { listSessions, sessionsCsvUrl, type Session } from '../data/sessions.js';
import '../components/table.js';
import type { Column } from '../components/table.js';
import { ago, base, bytes, errorText, toast } from '../ui.js';
import { actionOutcome } from '../names.js';
import { t } from '../i18n.js';

export class TgSessions extends LitElement {
  static override styles = [base];
  static override properties = { all: { state: true } };
  declare all: boolean;
  constructor() {
    super();
    this.all = false;
  }
  private async kick(s: Session) {
    if (!s.serviceId || !confirm(t('sessions.confirmKick', { username: s.username }))) return;
    try {
      const r = await serviceAction(s.serviceId, 'disconnect');
      toast(t('sessions.kicked', { outcomes: r.actions.map((a) => actionOutcome(a.outcome)).join(', ') || t('sessions.noOpen') }));
      await this.renderRoot.querySelector('tg-table')?.reload();
    } catch (err) {
      toast(errorText(err), 'error');
    }
  }
  override render() {
    const cols: Array<Column<Session>> = [
      { label: t('col.user'), render: (s) => (s.serviceId ? html`<a href="/services/${s.serviceId}/why">${s.username}</a>${s.customerName ? html` · <a href="/customers/${s.customerId}">${s.customerName}</a>` : ''}` : s.username) },
      { label: 'IP', render: (s) => s.framedIpAddress ?? '—' },
      { label: 'MAC', render: (s) => s.callingStationId ?? '—', hideSmall: true },
      { label: t('customers.since'), render: (s) => ago(s.startedAt) },
      { label: t('col.downUp'), render: (s) => `${bytes(s.outputOctets)} / ${bytes(s.inputOctets)}`, num: true, hideSmall: true },
      { label: '', render: (s) => (s.active && s.serviceId ? html`<button class="secondary" @click=${() => this.kick(s)}>${t('customer.kick')}</button>` : s.stoppedAt ? t('sessions.endedAgo', { ago: ago(s.stoppedAt) }) : '') },
    ];
    return html`<div class="row"><h1 class="grow">${this.all ? t('sessions.all') : t('customer.onlineNow')}</h1>
        <label class="row" style="font-weight:normal"><input type="checkbox" .checked=${this.all} @change=${(e: Event) => (this.all = (e.target as HTMLInputElement).checked)}> ${t('sessions.includeEnded')}</label>
        <a class="button secondary" href=${sessionsCsvUrl(this.all ? {} : { active: true })} download>CSV</a></div>
      <tg-table .load=${listSessions} .query=${this.all ? {} : { active: true }} .columns=${cols} .limit=${50} empty=${t('sessions.nobody')}></tg-table>`;
  }
}
customElements.define('tg-sessions', TgSessions);
