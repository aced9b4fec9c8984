// A new service for a customer, or a service's settings.
import { LitElement, html } from 'lit';
import { Task } from '@lit/task';
import type { Body } from '../data/http.js';
import { listPlans, type Plan } from '../data/plans.js';
import { createService, getService, updateService, type Service } from '../data/services.js';
import '../components/form.js';
import type { Field } from '../components/form.js';
import { navigate } from '../router.js';
import { base, errorText, money, toast, todayIso } from '../ui.js';
import '../components/reveal-password.js';

const MAC = '([0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}|[0-9A-Fa-f]{12}|([0-9A-Fa-f]{4}\\.){2}[0-9A-Fa-f]{4}';
function serviceFields(plans: Plan[], editing: boolean): Field[] {
  return [
    { name: 'planId', label: 'Plan', type: 'select', numeric: true, required: true, options: plans.map((p) => [String(p.id), `${p.name} (${money(p.price)})`]) },
    { name: 'username', label: 'Username (PPPoE / hotspot)', required: true, maxLength: 253, pattern: '\\S+', patternMessage: 'may not contain spaces' },
    { name: 'password', label: 'Password', type: 'password', required: !editing, maxLength: 128, autocomplete: 'new-password', help: editing ? 'leave empty to keep the current one' : 'write-only: never shown again' },
    { name: 'status', label: 'Status', type: 'select', options: ['active', 'proposal', 'suspended', 'ended', 'free'].map((s) => [s, s]), required: true },
    { name: 'startDate', label: 'Start date', type: 'date', required: true },
    { name: 'macAddress', label: 'MAC address', nullable: true, pattern: MAC, patternMessage: 'is not a MAC address (AA:BB:CC:DD:EE:FF)', help: 'binds logins to this Calling-Station-Id' },
    { name: 'staticIp', label: 'Static IP', nullable: true, maxLength: 45, pattern: '[0-9.]{7,15}|[0-9a-fA-F:]{2,45}', patternMessage: 'is not an IP address' },
    { name: 'simultaneousUse', label: 'Simultaneous sessions', type: 'number', min: 1, max: 1000 },
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
      pending: () => html`<p class="muted">Loading…</p>`,
      complete: ({ service, plans }) => this.view(service, plans),
      error: (err) => html`<div class="banner error">${errorText(err)}</div>`,
    });
  }

  private view(s: Service | undefined, plans: Plan[]) {
    if (!plans.length) return html`<h1>New service</h1><div class="banner warn">Create a plan first: <a href="/plans/new">new plan</a>.</div>`;
    const customerId = s?.customerId ?? this.customerId!;
    return html`<h1>${s ? `Service ${s.username}` : 'New service'}</h1>
      <p><a href="/customers/${customerId}">‹ back to the customer</a>${s ? html` · <tg-reveal-password service-id=${s.id}></tg-reveal-password>` : ''}</p>
      <div class="card"><tg-form .fields=${serviceFields(plans, !!s)} ?patch=${!!s}
        .values=${s ?? { status: 'active', startDate: todayIso(), simultaneousUse: 1, planId: plans[0]!.id }}
        submitLabel=${s ? 'Save' : 'Create service'}
        .action=${(b: Body) => (s ? updateService(s.id, b) : createService({ ...b, customerId }))}
        @saved=${() => { toast(s ? 'Service saved' : 'Service created'); navigate(`/customers/${customerId}`); }}></tg-form></div>`;
  }
}
customElements.define('tg-service-edit', TgServiceEdit);
