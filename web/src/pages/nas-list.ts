// The NAS, one page at a time, each with its state badge.
import { LitElement, html } from 'lit';
import { listNas, type Nas } from '../data/nas.js';
import '../components/nas-state.js';
import '../components/table.js';
import type { Column } from '../components/table.js';
import { base } from '../ui.js';
import { t } from '../i18n.js';

export class TgNasList extends LitElement {
  static override styles = [base];
  override render() {
    const cols: Array<Column<Nas>> = [
      { label: t('col.name'), render: (n) => html`<a href="/nas/${n.id}">${n.name}</a>` },
      { label: t('nas.state'), render: (n) => html`<tg-nas-state .nasId=${n.id}></tg-nas-state>` },
      { label: t('customer.field.address'), render: (n) => n.ipAddress },
      { label: t('nas.vendor'), render: (n) => (n.vendor === 'mikrotik' ? 'MikroTik' : t('nas.generic')), hideSmall: true },
      { label: 'SNMP', render: (n) => (n.snmpEnabled ? t('common.on') : t('common.off')), hideSmall: true },
    ];
    return html`<div class="row"><h1 class="grow">NAS</h1><a class="button" href="/nas/new">${t('nas.new')}</a></div>
      <tg-table .load=${listNas} .columns=${cols} .rowHref=${(n: Nas) => `/nas/${n.id}`} empty=${t('nas.empty')}></tg-table>`;
  }
}
customElements.define('tg-nas-list', TgNasList);
