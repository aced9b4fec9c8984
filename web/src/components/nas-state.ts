// A NAS's state badge (up, down, unknown), loaded on its own so the NAS list shows at once.
import { LitElement, html } from 'lit';
import { Task, initialState } from '@lit/task';
import { nasStatus } from '../data/nas.js';
import { base, statusName, when } from '../ui.js';
import { snmpErrorText } from '../names.js';
import { t } from '../i18n.js';

export class TgNasState extends LitElement {
  static override styles = [base];
  static override properties = { nasId: { type: Number } };
  declare nasId: number;

  private readonly status = new Task(this, {
    task: ([id]: readonly [number]) => (id ? nasStatus(id) : initialState),
    args: (): readonly [number] => [this.nasId],
  });

  override render() {
    const badge = (failed: boolean) => html`<span class="badge" data-state=${failed ? 'error' : 'loading'}>${failed ? '?' : '…'}</span>`;
    return this.status.render({
      initial: () => badge(false),
      pending: () => badge(false),
      error: () => badge(true),
      complete: (s) => {
        const title = !s.snmpEnabled ? t('nas.snmpOff') : s.lastSeenAt ? t('nas.lastSeen', { at: when(s.lastSeenAt) }) : (s.lastError ? snmpErrorText(s) : t('nas.notPolledYet'));
        return html`<span class="badge ${s.state}" data-state=${s.state} title=${title}>${statusName(s.state)}</span>`;
      },
    });
  }
}
customElements.define('tg-nas-state', TgNasState);

declare global {
  interface HTMLElementTagNameMap {
    'tg-nas-state': TgNasState;
  }
}
