// The audit log, searched as one types.
import { LitElement, html } from 'lit';
import { listAudit, type AuditEntry } from '../data/audit.js';
import '../components/table.js';
import type { Column } from '../components/table.js';
import { base, when } from '../ui.js';

export class TgAudit extends LitElement {
  static override styles = [base];
  static override properties = { query: { state: true } };
  declare query: Record<string, string>;
  private timer: ReturnType<typeof setTimeout> | undefined;
  constructor() {
    super();
    this.query = {};
  }
  private typed(e: Event) {
    const form = (e.target as HTMLElement).closest('form')!;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.query = Object.fromEntries([...new FormData(form).entries()].filter(([, v]) => String(v).trim() !== '').map(([k, v]) => [k, String(v).trim()]));
    }, 250);
  }
  override render() {
    const cols: Array<Column<AuditEntry>> = [
      { label: 'When', render: (a) => when(a.at) },
      { label: 'Who', render: (a) => a.actor },
      { label: 'Action', render: (a) => a.action },
      { label: 'Entity', render: (a) => `${a.entity}${a.entityId ? ` #${a.entityId}` : ''}` },
      { label: 'From', render: (a) => a.actorIp ?? '—', hideSmall: true },
      { label: 'Change', render: (a) => html`<span class="muted" title=${JSON.stringify(a.after)}>${summary(a)}</span>`, hideSmall: true },
    ];
    return html`<h1>Audit log</h1>
      <form class="card row" @input=${this.typed} @submit=${(e: Event) => e.preventDefault()}>
        <div class="grow"><label for="aq">Search</label><input id="aq" name="q" placeholder="text in the change"></div>
        <div><label for="ae">Entity</label><input id="ae" name="entity" placeholder="customer, service…"></div>
        <div><label for="aa">Actor</label><input id="aa" name="actor" placeholder="admin:1"></div>
      </form>
      <tg-table .load=${listAudit} .query=${this.query} .columns=${cols} empty="Nothing recorded."></tg-table>`;
  }
}
customElements.define('tg-audit', TgAudit);

function summary(a: AuditEntry): string {
  const b = (a.before ?? {}) as Record<string, unknown>;
  const c = (a.after ?? {}) as Record<string, unknown>;
  if (!a.before || !a.after) return '';
  const changed = Object.keys(c).filter((k) => JSON.stringify(b[k]) !== JSON.stringify(c[k]) && k !== 'updatedAt');
  return changed.slice(0, 4).map((k) => `${k}: ${JSON.stringify(b[k])} → ${JSON.stringify(c[k])}`).join('; ');
}
