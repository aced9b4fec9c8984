// The audit log, searched as one types.
import { LitElement, html } from 'lit';
import { listAudit, type AuditEntry } from '../data/audit.js';
import '../components/table.js';
import type { Column } from '../components/table.js';
import { base, when } from '../ui.js';
import { t } from '../i18n.js';
import { actorName, auditActionName, auditEntityName } from '../names.js';

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
      { label: t('col.when'), render: (a) => when(a.at) },
      { label: t('col.who'), render: (a) => html`<span title=${a.actor}>${actorName(a.actor)}</span>` },
      { label: t('audit.action'), render: (a) => auditActionName(a.action) },
      { label: t('audit.entity'), render: (a) => html`<span title=${a.entity}>${auditEntityName(a.entity)}${a.entityId ? ` #${a.entityId}` : ''}</span>` },
      { label: t('audit.from'), render: (a) => a.actorIp ?? '—', hideSmall: true },
      { label: t('audit.change'), render: (a) => html`<span class="muted" title=${JSON.stringify(a.after)}>${summary(a)}</span>`, hideSmall: true },
    ];
    return html`<h1>${t('nav.audit')}</h1>
      <form class="card row" @input=${this.typed} @submit=${(e: Event) => e.preventDefault()}>
        <div class="grow"><label for="aq">${t('customers.search')}</label><input id="aq" name="q" placeholder=${t('audit.searchPlaceholder')}></div>
        <div><label for="ae">${t('audit.entity')}</label><input id="ae" name="entity" placeholder=${t('audit.entityPlaceholder')}></div>
        <div><label for="aa">${t('audit.actor')}</label><input id="aa" name="actor" placeholder="admin:1"></div>
      </form>
      <tg-table .load=${listAudit} .query=${this.query} .columns=${cols} empty=${t('audit.empty')}></tg-table>`;
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
