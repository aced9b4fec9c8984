// A new service for a customer, or a service's settings.
import { LitElement, html } from 'lit';
import { Task } from '@lit/task';
import type { Body } from '../data/http.js';
import { listPlans, type Plan } from '../data/plans.js';
import { createService, getService, updateService, type Service } from '../data/services.js';
import '../components/form.js';
import type { Field } from '../components/form.js';
import { navigate } from '../router.js';
import { base, errorText, money, statusName, toast, todayIso } from '../ui.js';
import { t } from '../i18n.js';
import '../components/reveal-password.js';

const MAC = '([0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}|[0-9A-Fa-f]{12}|([0-9A-Fa-f]{4}\\.){2}[0-9A-Fa-f]{4}';
function serviceFields(plans: Plan[], editing: boolean): Field[] {
  return [
    { name: 'planId', label: t('customer.plan'), type: 'select', numeric: true, required: true, options: plans.map((p) => [String(p.id), `${p.name} (${money(p.price)})`]) },
    { name: 'username', label: t('service.username'), required: true, maxLength: 253, pattern: '\\S+', patternMessage: t('redeem.noSpaces') },
    { name: 'password', label: t('login.password'), type: 'password', required: !editing, maxLength: 128, autocomplete: 'new-password', help: editing ? t('service.passwordKeep') : t('service.passwordWriteOnly') },
    { name: 'status', label: t('col.status'), type: 'select', options: ['active', 'proposal', 'suspended', 'ended', 'free'].map((s) => [s, statusName(s)]), required: true },
    { name: 'startDate', label: t('service.startDate'), type: 'date', required: true },
    { name: 'macAddress', label: t('service.mac'), nullable: true, pattern: MAC, patternMessage: t('service.macPattern'), help: t('service.macHelp') },
    { name: 'staticIp', label: t('service.staticIp'), nullable: true, maxLength: 45, pattern: '[0-9.]{7,15}|[0-9a-fA-F:]{2,45}', patternMessage: t('service.ipPattern') },
    { name: 'simultaneousUse', label: t('service.simultaneous'), type: 'number', min: 1, max: 1000 },
  ];
}

export class TgServiceEdit extends LitElement {
  static override styles = [base];
  static override properties = { customerId: { type: Number }, serviceId: { type: Number } };
  declare customerId: number | undefined;
  /** Set to edit that service; unset for a new one (of `customerId`). */
  declare serviceId: number | undefined;

  private readonly page = new Task(this, {
    task: async ([id]: readonly [number | undefined]) => {
      const service = id ? await getService(id) : undefined;
      return { service, plans: (await listPlans({ limit: 500 })).items };
    },
    args: (): readonly [number | undefined] => [this.serviceId],
  });

  override render() {
    return this.page.render({
      pending: () => html`<p class="muted">${t('common.loading')}</p>`,
      complete: ({ service, plans }) => this.view(service, plans),
      error: (err) => html`<div class="banner error">${errorText(err)}</div>`,
    });
  }

  private view(s: Service | undefined, plans: Plan[]) {
    if (!plans.length) return html`<h1>${t('service.new')}</h1><div class="banner warn">${t('service.planFirst')} <a href="/plans/new">${t('plans.newLower')}</a>.</div>`;
    const customerId = s?.customerId ?? this.customerId!;
    return html`<h1>${s ? t('service.title', { username: s.username }) : t('service.new')}</h1>
      <p><a href="/customers/${customerId}">‹ ${t('service.backToCustomer')}</a>${s ? html` · <tg-reveal-password service-id=${s.id}></tg-reveal-password>` : ''}</p>
      <div class="card"><tg-form .fields=${serviceFields(plans, !!s)} ?patch=${!!s}
        .values=${s ?? { status: 'active', startDate: todayIso(), simultaneousUse: 1, planId: plans[0]!.id }}
        submitLabel=${s ? t('common.save') : t('service.create')}
        .action=${(b: Body) => (s ? updateService(s.id, b) : createService({ ...b, customerId }))}
        @saved=${() => { toast(s ? t('service.saved') : t('service.created')); navigate(`/customers/${customerId}`); }}></tg-form></div>`;
  }
}
customElements.define('tg-service-edit', TgServiceEdit);
