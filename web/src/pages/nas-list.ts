// The NAS, one page at a time, each with its state badge.
import { LitElement, html } from 'lit';
import { listNas, type Nas } from '../data/nas.js';
import '../components/nas-state.js';
import '../components/table.js';
import type { Column } from '../components/table.js';
import { base } from '../ui.js';

export class TgNasList extends LitElement {
  static override styles = [base];
  override render() {
    const cols: Array<Column<Nas>> = [
      { label: 'Name', render: (n) => html`<a href="/nas/${n.id}">${n.name}</a>` },
      { label: 'State', render: (n) => html`<tg-nas-state .nasId=${n.id}></tg-nas-state>` },
      { label: 'Address', render: (n) => n.ipAddress },
      { label: 'Vendor', render: (n) => n.vendor, hideSmall: true },
      { label: 'SNMP', render: (n) => (n.snmpEnabled ? 'on' : 'off'), hideSmall: true },
    ];
    return html`<div class="row"><h1 class="grow">NAS</h1><a class="button" href="/nas/new">New NAS</a></div>
      <tg-table .load=${listNas} .columns=${cols} .rowHref=${(n: Nas) => `/nas/${n.id}`} empty="No NAS yet: add your first router."></tg-table>`;
  }
}
customElements.define('tg-nas-list', TgNasList);
