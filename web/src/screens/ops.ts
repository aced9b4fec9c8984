// Online sessions, dunning queue, vouchers, notifications outbox, billing profiles, admins and
// roles, settings (daily jobs, templates), audit log.
import { LitElement, html, nothing } from 'lit';
import { api, type AuditEntry, type Page, type Plan, type Session } from '../api.js';
import { ago, badge, base, bytes, day, errorText, money, toast, when, type Column, type Field, type TgTable } from '../ui.js';
import { checkReminder, profileBody, profileValues, redeemTarget, roleBody, roleValues, WEEKDAYS, type Reminder } from '../forms.js';

// ---- Online sessions

export class TgSessions extends LitElement {
  static override styles = [base];
  static override properties = { all: { state: true } };
  declare all: boolean;
  constructor() {
    super();
    this.all = false;
  }
  private async kick(s: Session) {
    if (!s.serviceId || !confirm(`Disconnect ${s.username}?`)) return;
    try {
      const r = await api.post<{ actions: Array<{ outcome: string }> }>(`/services/${s.serviceId}/disconnect`, { reason: 'kick from the sessions list' });
      toast(`Disconnect: ${r.actions.map((a) => a.outcome).join(', ') || 'no open session'}`);
      await (this.renderRoot.querySelector('tg-table') as TgTable).reload();
    } catch (err) {
      toast(errorText(err), 'error');
    }
  }
  override render() {
    const cols: Array<Column<Session>> = [
      { label: 'User', render: (s) => (s.serviceId ? html`<a href="/services/${s.serviceId}/why">${s.username}</a>` : s.username) },
      { label: 'IP', render: (s) => s.framedIpAddress ?? '—' },
      { label: 'MAC', render: (s) => s.callingStationId ?? '—', hideSmall: true },
      { label: 'Since', render: (s) => ago(s.startedAt) },
      { label: 'Down / up', render: (s) => `${bytes(s.outputOctets)} / ${bytes(s.inputOctets)}`, num: true, hideSmall: true },
      { label: '', render: (s) => (s.active && s.serviceId ? html`<button class="secondary" @click=${() => this.kick(s)}>Kick</button>` : s.stoppedAt ? `ended ${ago(s.stoppedAt)}` : '') },
    ];
    return html`<div class="row"><h1 class="grow">${this.all ? 'All sessions' : 'Online now'}</h1>
        <label class="row" style="font-weight:normal"><input type="checkbox" .checked=${this.all} @change=${(e: Event) => (this.all = (e.target as HTMLInputElement).checked)}> include ended</label>
        <a class="button secondary" href="/api/v1/exports/sessions.csv${this.all ? '' : '?active=true'}" download>CSV</a></div>
      <tg-table path="/sessions" .query=${this.all ? {} : { active: true }} .columns=${cols} .limit=${50} empty="Nobody is online."></tg-table>`;
  }
}
customElements.define('tg-sessions', TgSessions);

// ---- Dunning queue

interface QueueItem { customerId: number; customerName: string; invoiceId: number; invoiceNumber: string; open: number; dueDate: string; whitelisted: boolean; suspendAt: string | null; services: Array<{ id: number; username: string }>; nextReminder: { step: number; date: string } | null }

export class TgDunning extends LitElement {
  static override styles = [base];
  static override properties = { items: { state: true }, error: { state: true } };
  declare items: QueueItem[] | undefined;
  declare error: string;
  constructor() {
    super();
    this.error = '';
  }
  override connectedCallback(): void {
    super.connectedCallback();
    api.get<Page<QueueItem>>('/dunning').then((r) => (this.items = r.items), (e) => (this.error = errorText(e)));
  }
  override render() {
    const ev: Array<Column<{ at: string; kind: string; customerId: number; invoiceId: number | null; step: number | null }>> = [
      { label: 'When', render: (e) => when(e.at) },
      { label: 'What', render: (e) => badge(e.kind) },
      { label: 'Customer', render: (e) => html`<a href="/customers/${e.customerId}">#${e.customerId}</a>` },
      { label: 'Invoice', render: (e) => (e.invoiceId ? html`<a href="/invoices/${e.invoiceId}">#${e.invoiceId}</a>` : '—') },
    ];
    return html`<h1>Dunning queue</h1><p class="muted">Who gets suspended next and when, soonest first.</p>
      ${this.error ? html`<div class="banner error">${this.error}</div>` : nothing}
      ${!this.items ? (this.error ? nothing : html`<p class="muted">Loading…</p>`) : html`<div class="table-wrap"><table>
        <thead><tr><th>Customer</th><th>Invoice</th><th class="num">Open</th><th>Due</th><th>Suspension</th><th class="hide-sm">Next reminder</th></tr></thead><tbody>
        ${this.items.length === 0 ? html`<tr><td colspan="6" class="muted">No overdue invoice: nobody is queued.</td></tr>` : nothing}
        ${[...this.items].sort((a, b) => (a.suspendAt ?? '9').localeCompare(b.suspendAt ?? '9')).map((q) => html`<tr>
          <td><a href="/customers/${q.customerId}">${q.customerName}</a> <span class="muted">${q.services.map((s) => s.username).join(', ')}</span></td>
          <td><a href="/invoices/${q.invoiceId}">${q.invoiceNumber}</a></td><td class="num">${money(q.open)}</td><td>${day(q.dueDate)}</td>
          <td>${q.whitelisted ? html`<span class="badge">whitelisted</span>` : q.suspendAt ? when(q.suspendAt) : 'never'}</td>
          <td class="hide-sm">${q.nextReminder ? `#${q.nextReminder.step} on ${day(q.nextReminder.date)}` : '—'}</td></tr>`)}
        </tbody></table></div>`}
      <h2>What dunning did</h2>
      <tg-table path="/dunning/events" .columns=${ev} empty="Nothing yet."></tg-table>`;
  }
}
customElements.define('tg-dunning', TgDunning);

// ---- Vouchers

interface Batch { id: number; name: string; planId: number; count: number; price: number; validUntil: string | null; createdAt: string; redeemed?: number }
interface Redemption { voucherId: number; serviceId: number; customerId: number; username: string; created: boolean; expiresAt: string; invoiceId: number | null }

/** Redeem a voucher code: for a customer (a chosen service of theirs, or a new one), or anywhere by number. */
export class TgRedeem extends LitElement {
  static override styles = [base];
  static override properties = { customerId: { type: Number }, services: { attribute: false }, result: { state: true } };
  declare customerId: number | undefined;
  declare services: Array<{ id: number; username: string }> | undefined;
  declare result: Redemption | undefined;
  private fields(): Field[] {
    const code: Field = { name: 'code', label: 'Voucher code', required: true, maxLength: 64, pattern: '[A-Za-z0-9 -]+', patternMessage: 'holds letters, digits, spaces and dashes only', autocomplete: 'off' };
    const login: Field[] = [
      { name: 'username', label: 'New service login', maxLength: 253, pattern: '\\S+', patternMessage: 'may not contain spaces', help: 'for a new service; default: the code' },
      { name: 'password', label: 'New service password', type: 'password', maxLength: 128, autocomplete: 'new-password', help: 'default: the code' },
    ];
    if (this.customerId) {
      return [code, { name: 'serviceId', label: 'Top up', type: 'select', numeric: true, nullable: true, options: (this.services ?? []).map((s) => [String(s.id), s.username]), help: '—: a new service on the voucher\'s plan' }, ...login];
    }
    const target = (name: string) => (_v: unknown, all: Record<string, unknown>) => {
      const r = redeemTarget(all);
      return r.field === name ? r.error : undefined;
    };
    return [
      code,
      { name: 'serviceId', label: 'Top up service number', type: 'number', min: 1, nullable: true, validate: target('serviceId') },
      { name: 'customerId', label: 'or: new service for customer number', type: 'number', min: 1, nullable: true, validate: target('customerId') },
      { name: 'customerName', label: 'or: a new customer named', maxLength: 200, validate: target('customerName') },
      ...login,
    ];
  }
  private send(b: Record<string, unknown>): Promise<Redemption> {
    const login = { ...(b.username ? { username: b.username } : {}), ...(b.password ? { password: b.password } : {}) };
    if (this.customerId) {
      return api.post<Redemption>('/vouchers/redeem', typeof b.serviceId === 'number' ? { code: b.code, serviceId: b.serviceId } : { code: b.code, customerId: this.customerId, ...login });
    }
    const t = redeemTarget(b);
    return api.post<Redemption>('/vouchers/redeem', { code: b.code, ...t.body, ...(t.body?.serviceId ? {} : login) });
  }
  override render() {
    const r = this.result;
    return html`${r ? html`<div class="banner ok" data-test="redeemed">Voucher redeemed: ${r.created ? 'new service' : 'service'} <a href="/customers/${r.customerId}">${r.username}</a> valid until ${when(r.expiresAt)}.</div>` : nothing}
      <tg-form .fields=${this.fields()} submitLabel="Redeem" .action=${(b: Record<string, unknown>) => this.send(b)}
        @saved=${(e: CustomEvent<Redemption>) => { this.result = e.detail; toast(`Voucher redeemed for ${e.detail.username}`); this.dispatchEvent(new CustomEvent('redeemed', { detail: e.detail, bubbles: true, composed: true })); }}></tg-form>`;
  }
}
customElements.define('tg-redeem', TgRedeem);

export class TgVouchers extends LitElement {
  static override styles = [base];
  static override properties = { plans: { state: true }, creating: { state: true }, redeeming: { state: true } };
  declare plans: Plan[];
  declare creating: boolean;
  declare redeeming: boolean;
  constructor() {
    super();
    this.plans = [];
    this.creating = false;
    this.redeeming = false;
  }
  override connectedCallback(): void {
    super.connectedCallback();
    api.get<Page<Plan>>('/plans', { type: 'prepaid', limit: 500 }).then((r) => (this.plans = r.items.filter((p) => p.type === 'prepaid')), () => undefined);
  }
  private reload(): void {
    void (this.renderRoot.querySelector('tg-table') as TgTable | null)?.reload();
  }
  override render() {
    const cols: Array<Column<Batch>> = [
      { label: 'Batch', render: (b) => b.name },
      { label: 'Plan', render: (b) => this.plans.find((p) => p.id === b.planId)?.name ?? `#${b.planId}` },
      { label: 'Vouchers', render: (b) => `${b.redeemed ?? 0} / ${b.count} used`, num: true },
      { label: 'Price', render: (b) => money(b.price), num: true, hideSmall: true },
      { label: 'Valid until', render: (b) => day(b.validUntil), hideSmall: true },
      { label: '', render: (b) => html`<a class="button secondary" data-test="batch-pdf" href="/api/v1/vouchers/batches/${b.id}/vouchers.pdf" target="_blank" rel="noopener">Print (PDF)</a>
        <a class="button secondary" data-test="batch-csv" href="/api/v1/vouchers/batches/${b.id}/vouchers.csv" download="vouchers-${b.id}.csv">CSV</a>` },
    ];
    const fields: Field[] = [
      { name: 'name', label: 'Batch name', required: true, maxLength: 200 },
      { name: 'planId', label: 'Prepaid plan', type: 'select', numeric: true, required: true, options: this.plans.map((p) => [String(p.id), `${p.name} (${money(p.price)})`]) },
      { name: 'count', label: 'How many', type: 'number', required: true, min: 1, max: 100000 },
      { name: 'price', label: 'Sells for', type: 'money', min: 0, help: 'default: the plan price' },
      { name: 'validUntil', label: 'Valid until', type: 'date', nullable: true },
    ];
    return html`<div class="row"><h1 class="grow">Vouchers</h1>
        <button class="secondary" @click=${() => (this.redeeming = !this.redeeming)}>Redeem</button>
        <button @click=${() => (this.creating = !this.creating)} ?disabled=${!this.plans.length}>Generate</button></div>
      ${this.plans.length ? nothing : html`<p class="muted">Vouchers are sold for prepaid plans: <a href="/plans/new">create one</a> first.</p>`}
      ${this.creating ? html`<div class="card" data-test="voucher-generate"><h2>Generate a batch</h2><tg-form .fields=${fields} submitLabel="Generate vouchers" .values=${{ count: 50 }}
        .action=${(b: Record<string, unknown>) => api.post<Batch>('/vouchers/batches', b)}
        @saved=${(e: CustomEvent<Batch>) => { this.creating = false; toast(`${e.detail.count} vouchers generated`); this.reload(); }}>
        <button type="button" class="secondary" @click=${() => (this.creating = false)}>Cancel</button></tg-form>
        <p class="muted">Large batches take a few seconds.</p></div>` : nothing}
      ${this.redeeming ? html`<div class="card" data-test="voucher-redeem"><h2>Redeem a voucher</h2><tg-redeem @redeemed=${() => this.reload()}></tg-redeem></div>` : nothing}
      <tg-table path="/vouchers/batches" .columns=${cols} empty="No batch yet."></tg-table>`;
  }
}
customElements.define('tg-vouchers', TgVouchers);

// ---- Notifications outbox

interface Message { id: number; customerId: number | null; channel: string; recipient: string; subject: string; template: string; status: string; attempts: number; lastError: string | null; createdAt: string; sentAt: string | null }

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
      await api.post(`/notifications/${m.id}/retry`);
      toast('Queued again');
      await (this.renderRoot.querySelector('tg-table') as TgTable).reload();
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
      <tg-table path="/notifications" .query=${this.status ? { status: this.status } : {}} .columns=${cols} empty="The outbox is empty."></tg-table>`;
  }
}
customElements.define('tg-notifications', TgNotifications);

// ---- Billing profiles

interface Profile { id: number; name: string; isDefault: boolean; daysUntilDue: number; graceDays: number | null; lateFeeAmount: number | null; lateFeeAfterDays: number | null; suspendMode: string | null; reminders: Reminder[]; quietWeekdays: number[]; officeHoursStart: string | null; officeHoursEnd: string | null; billSuspended: boolean }

const both = (other: string, what: string) => (v: unknown, all: Record<string, unknown>) =>
  (v === null || v === undefined) !== (all[other] === null || all[other] === undefined) ? `needs ${what} too` : undefined;

const profileFields: Field[] = [
  { name: 'name', label: 'Name', required: true, maxLength: 200 },
  { name: 'isDefault', label: 'Default profile', type: 'checkbox' },
  { name: 'daysUntilDue', label: 'Days until due', type: 'number', min: 0, max: 365 },
  { name: 'graceDays', label: 'Grace days before suspension', type: 'number', min: 0, max: 365, nullable: true, help: 'empty: never suspend' },
  { name: 'lateFeeAmount', label: 'Late fee', type: 'money', min: 0.01, nullable: true, validate: both('lateFeeAfterDays', 'the days after which it is charged') },
  { name: 'lateFeeAfterDays', label: 'Late fee after (days)', type: 'number', min: 1, max: 365, nullable: true, validate: both('lateFeeAmount', 'an amount') },
  { name: 'suspendMode', label: 'Suspension', type: 'select', nullable: true, options: [['reject', 'reject logins'], ['walled-garden', 'walled garden']] },
  { name: 'officeHoursStart', label: 'Suspend from (HH:MM)', nullable: true, pattern: '([01]\\d|2[0-3]):[0-5]\\d', patternMessage: 'is HH:MM', validate: both('officeHoursEnd', 'an end') },
  { name: 'officeHoursEnd', label: 'Suspend until (HH:MM)', nullable: true, pattern: '([01]\\d|2[0-3]):[0-5]\\d', patternMessage: 'is HH:MM', validate: both('officeHoursStart', 'a start') },
  { name: 'billSuspended', label: 'Keep invoicing while suspended', type: 'checkbox' },
  ...WEEKDAYS.map((d, i): Field => ({ name: `quietWeekdays.${i + 1}`, label: `No suspension on ${d}`, type: 'checkbox' })),
  ...[0, 1, 2].flatMap((i): Field[] => [
    { name: `reminders.${i}.afterDays`, label: `Reminder ${i + 1}: days after due`, type: 'number', min: 1, max: 365, validate: (_v, all) => checkReminder(i, all) },
    { name: `reminders.${i}.channels`, label: `Reminder ${i + 1}: by`, type: 'select', required: true, options: [['email', 'email'], ['sms', 'SMS'], ['email,sms', 'email and SMS']] },
    { name: `reminders.${i}.template`, label: `Reminder ${i + 1}: template`, maxLength: 100, pattern: '[a-z0-9_.-]+', patternMessage: 'is a template key such as invoice.reminder.1' },
  ]),
];

export class TgProfiles extends LitElement {
  static override styles = [base];
  static override properties = { editing: { state: true } };
  declare editing: Profile | 'new' | undefined;
  override render() {
    const cols: Array<Column<Profile>> = [
      { label: 'Name', render: (p) => html`<a href="#" @click=${(e: Event) => { e.preventDefault(); this.editing = p; }}>${p.name}</a>${p.isDefault ? html` <span class="badge">default</span>` : nothing}` },
      { label: 'Due after', render: (p) => `${p.daysUntilDue} days` },
      { label: 'Suspend after', render: (p) => (p.graceDays === null ? 'never' : `${p.graceDays} days grace`) },
      { label: 'Late fee', render: (p) => (p.lateFeeAmount ? `${money(p.lateFeeAmount)} after ${p.lateFeeAfterDays} days` : '—'), hideSmall: true },
      { label: 'Reminders', render: (p) => (p.reminders.length ? p.reminders.map((r) => `${r.afterDays} d`).join(', ') : '—'), hideSmall: true },
    ];
    const e = this.editing;
    const defaults = Object.fromEntries([0, 1, 2].flatMap((i) => [[`reminders.${i}.channels`, 'email'], [`reminders.${i}.template`, `invoice.reminder.${i + 1}`]]));
    return html`<div class="row"><h1 class="grow">Billing profiles</h1><button @click=${() => (this.editing = 'new')}>New profile</button></div>
      ${e ? html`<div class="card" data-test="profile-editor"><h2>${e === 'new' ? 'New profile' : e.name}</h2><tg-form .fields=${profileFields}
        .values=${e === 'new' ? { ...defaults, ...profileValues({ daysUntilDue: 14, graceDays: 7, quietWeekdays: [6, 7] }) } : { ...defaults, ...profileValues(e) }}
        submitLabel=${e === 'new' ? 'Create' : 'Save'}
        .action=${(b: Record<string, unknown>) => (e === 'new' ? api.post('/billing-profiles', profileBody(b)) : api.patch(`/billing-profiles/${e.id}`, profileBody(b)))}
        @saved=${() => { this.editing = undefined; toast('Profile saved'); void (this.renderRoot.querySelector('tg-table') as TgTable).reload(); }}>
        <button type="button" class="secondary" @click=${() => (this.editing = undefined)}>Cancel</button></tg-form></div>` : nothing}
      <tg-table path="/billing-profiles" .columns=${cols} empty="No profile: the configured defaults apply."></tg-table>`;
  }
}
customElements.define('tg-profiles', TgProfiles);

// ---- Admins and roles

interface Admin { id: number; username: string; role: string; disabled: boolean; totpEnabled: boolean; mustChangePassword: boolean; lastLoginAt?: string | null }
interface Role { name: string; description?: string; builtIn?: boolean; permissions?: Record<string, string> }

const accessOptions: Array<[string, string]> = [['none', 'none'], ['read', 'read'], ['write', 'read + write']];

export class TgAdmins extends LitElement {
  static override styles = [base];
  static override properties = {
    roles: { state: true }, creating: { state: true }, tokening: { state: true }, newToken: { state: true },
    editing: { state: true }, roleEditing: { state: true },
  };
  declare roles: Role[];
  declare creating: boolean;
  declare tokening: boolean;
  declare newToken: string | undefined;
  declare editing: Admin | undefined;
  declare roleEditing: Role | 'new' | undefined;
  constructor() {
    super();
    this.roles = [];
    this.creating = false;
    this.tokening = false;
  }
  async revoke(t: ApiToken): Promise<void> {
    if (!confirm(`Revoke the token ${t.name}?`)) return;
    try {
      await api.del(`/tokens/${t.id}`);
      toast('Token revoked');
      await (this.renderRoot.querySelector('#tokens') as TgTable).reload();
    } catch (err) {
      toast(errorText(err), 'error');
    }
  }
  override connectedCallback(): void {
    super.connectedCallback();
    void this.loadRoles();
  }
  private async loadRoles(): Promise<void> {
    this.roles = await api.get<Page<Role>>('/roles').then((r) => r.items, () => this.roles);
  }
  /** The areas of access, as the API names them (every role lists every area). */
  private areas(): string[] {
    return Object.keys(this.roles[0]?.permissions ?? {});
  }
  private reloadAdmins(): void {
    void (this.renderRoot.querySelector('#admins') as TgTable | null)?.reload();
  }
  private async toggle(a: Admin) {
    if (!a.disabled && !confirm(`Disable ${a.username}? Their sessions end at once.`)) return;
    try {
      await api.patch(`/admins/${a.id}`, { disabled: !a.disabled });
      toast(a.disabled ? `${a.username} enabled` : `${a.username} disabled`);
      if (this.editing?.id === a.id) this.editing = undefined;
      this.reloadAdmins();
    } catch (err) {
      toast(errorText(err), 'error');
    }
  }
  private async resetTotp(a: Admin) {
    if (!confirm(`Remove the second factor of ${a.username}? They enrol again at next sign-in.`)) return;
    try {
      this.editing = await api.post<Admin>(`/admins/${a.id}/totp/reset`);
      toast('Second factor removed');
      this.reloadAdmins();
    } catch (err) {
      toast(errorText(err), 'error');
    }
  }
  private roleOptions(): Array<[string, string]> {
    return this.roles.map((r) => [r.name, r.builtIn ? r.name : `${r.name} (custom)`]);
  }
  private adminEditor(a: Admin) {
    const passwordFields: Field[] = [
      { name: 'password', label: 'New password', type: 'password', required: true, minLength: 12, maxLength: 1024, autocomplete: 'new-password' },
      { name: 'again', label: 'Again', type: 'password', required: true, autocomplete: 'new-password', validate: (v, all) => (v !== all.password ? 'does not match the new password' : undefined) },
    ];
    return html`<div class="card" data-test="admin-editor"><div class="row"><h2 class="grow">Admin ${a.username}</h2>
        <button type="button" class="secondary" @click=${() => (this.editing = undefined)}>Close</button></div>
      <div class="grid">
        <div data-test="admin-role-form"><h3>Role</h3><tg-form submitLabel="Change role" patch .values=${{ role: a.role }}
          .fields=${[{ name: 'role', label: 'Role', type: 'select', required: true, options: this.roleOptions() }] as Field[]}
          .action=${(b: Record<string, unknown>) => api.patch<Admin>(`/admins/${a.id}`, b)}
          @saved=${(e: CustomEvent<Admin>) => { this.editing = e.detail; toast(`${e.detail.username} is now ${e.detail.role}`); this.reloadAdmins(); }}></tg-form></div>
        <div data-test="admin-password-form"><h3>Reset password</h3><tg-form submitLabel="Reset password" .fields=${passwordFields}
          .action=${(b: Record<string, unknown>) => api.post<Admin>(`/admins/${a.id}/password`, { password: b.password })}
          @saved=${(e: CustomEvent<Admin>) => { this.editing = e.detail; toast(`Password of ${e.detail.username} reset: they choose a new one at next sign-in`); this.reloadAdmins(); }}></tg-form>
          <p class="help">Their sessions end; they must choose a new password at next sign-in.</p></div>
      </div>
      <div class="row">
        <button class=${a.disabled ? '' : 'danger'} @click=${() => this.toggle(a)}>${a.disabled ? 'Enable' : 'Disable'} ${a.username}</button>
        ${a.totpEnabled ? html`<button class="secondary" @click=${() => this.resetTotp(a)}>Remove second factor</button>` : nothing}
      </div></div>`;
  }
  private roleEditor(r: Role | 'new') {
    const isNew = r === 'new';
    const fields: Field[] = [
      ...(isNew ? [{ name: 'name', label: 'Name', required: true, minLength: 2, maxLength: 40, pattern: '[a-z][a-z0-9-]{1,39}', patternMessage: 'is lower case letters, digits and dashes, starting with a letter' } as Field] : []),
      { name: 'description', label: 'Description', maxLength: 500 },
      ...this.areas().map((a): Field => ({ name: `permissions.${a}`, label: a, type: 'select', required: true, options: accessOptions })),
    ];
    const values = r === 'new' ? Object.fromEntries(this.areas().map((a) => [`permissions.${a}`, 'none'])) : roleValues(r);
    return html`<div class="card" data-test="role-editor"><h2>${r === 'new' ? 'New role' : `Role ${r.name}`}</h2>
      <p class="muted">Access per area: write includes read. A role may grant nothing beyond your own.</p>
      <tg-form .fields=${fields} .values=${values} submitLabel=${isNew ? 'Create role' : 'Save role'}
        .action=${(b: Record<string, unknown>) => {
          const body = roleBody(b, this.areas());
          if (r === 'new') return api.post<Role>('/roles', body);
          return api.patch<Role>(`/roles/${encodeURIComponent(r.name)}`, { description: body.description ?? '', permissions: body.permissions });
        }}
        @saved=${(e: CustomEvent<Role>) => { this.roleEditing = undefined; toast(`Role ${e.detail.name} saved`); void this.loadRoles(); }}>
        <button type="button" class="secondary" @click=${() => (this.roleEditing = undefined)}>Cancel</button></tg-form></div>`;
  }
  private async deleteRole(r: Role) {
    if (!confirm(`Delete the role ${r.name}?`)) return;
    try {
      await api.del(`/roles/${encodeURIComponent(r.name)}`);
      toast(`Role ${r.name} deleted`);
      await this.loadRoles();
    } catch (err) {
      toast(errorText(err), 'error');
    }
  }
  override render() {
    const cols: Array<Column<Admin>> = [
      { label: 'Username', render: (a) => a.username },
      { label: 'Role', render: (a) => a.role },
      { label: 'TOTP', render: (a) => (a.totpEnabled ? 'on' : 'off'), hideSmall: true },
      { label: 'Last sign-in', render: (a) => when(a.lastLoginAt), hideSmall: true },
      { label: 'State', render: (a) => (a.disabled ? html`<span class="badge suspended">disabled</span>` : a.mustChangePassword ? html`<span class="badge pending">must change password</span>` : badge('active')) },
      { label: '', render: (a) => html`<button class="secondary" @click=${() => (this.editing = a)}>Edit</button>
        <button class="secondary" @click=${() => this.toggle(a)}>${a.disabled ? 'Enable' : 'Disable'}</button>` },
    ];
    const fields: Field[] = [
      { name: 'username', label: 'Username', required: true, maxLength: 100, pattern: '[A-Za-z0-9._@-]+', patternMessage: 'may hold letters, digits and . _ @ - only' },
      { name: 'password', label: 'Initial password', type: 'password', required: true, minLength: 12, maxLength: 1024, autocomplete: 'new-password', help: 'they must change it at first sign-in' },
      { name: 'role', label: 'Role', type: 'select', required: true, options: this.roleOptions() },
    ];
    const areas = this.areas();
    return html`<div class="row"><h1 class="grow">Admins</h1><button @click=${() => (this.creating = !this.creating)}>New admin</button></div>
      ${this.creating ? html`<div class="card" data-test="admin-new"><tg-form .fields=${fields} submitLabel="Create admin" .values=${{ role: 'support' }}
        .action=${(b: Record<string, unknown>) => api.post('/admins', b)}
        @saved=${() => { this.creating = false; toast('Admin created'); this.reloadAdmins(); }}>
        <button type="button" class="secondary" @click=${() => (this.creating = false)}>Cancel</button></tg-form></div>` : nothing}
      ${this.editing ? this.adminEditor(this.editing) : nothing}
      <tg-table id="admins" path="/admins" .columns=${cols} empty="No admin."></tg-table>
      <div class="row"><h2 class="grow">Roles</h2><button class="secondary" @click=${() => (this.roleEditing = 'new')} ?disabled=${!areas.length}>New role</button></div>
      ${this.roleEditing ? this.roleEditor(this.roleEditing) : nothing}
      <div class="table-wrap"><table data-test="roles"><thead><tr><th>Role</th>${areas.map((a) => html`<th class="hide-sm">${a}</th>`)}<th></th></tr></thead><tbody>
        ${this.roles.map((r) => html`<tr data-role=${r.name}><td style="white-space:normal"><b>${r.name}</b>${r.builtIn ? html` <span class="badge">built-in</span>` : nothing}<div class="muted">${r.description ?? ''}</div></td>
          ${areas.map((a) => html`<td class="hide-sm">${accessCell(r.permissions?.[a])}</td>`)}
          <td>${r.builtIn ? nothing : html`<button class="secondary" @click=${() => (this.roleEditing = r)}>Edit</button> <button class="secondary" @click=${() => this.deleteRole(r)}>Delete</button>`}</td></tr>`)}
      </tbody></table></div>
      <div class="row"><h2 class="grow">API tokens</h2><button class="secondary" @click=${() => { this.tokening = !this.tokening; this.newToken = undefined; }}>New token</button></div>
      ${this.newToken ? html`<div class="banner ok">Copy the token now, it is not shown again: <code data-test="new-token">${this.newToken}</code></div>` : nothing}
      ${this.tokening ? html`<div class="card"><tg-form submitLabel="Create token" .values=${{ role: 'read-only' }}
        .fields=${[
          { name: 'name', label: 'Name', required: true, maxLength: 100 },
          { name: 'role', label: 'Role', type: 'select', required: true, options: this.roleOptions() },
          { name: 'expiresAt', label: 'Expires', type: 'datetime', nullable: true },
        ] as Field[]}
        .action=${(b: Record<string, unknown>) => api.post<{ token: string }>('/tokens', b)}
        @saved=${(e: CustomEvent<{ token: string }>) => { this.tokening = false; this.newToken = e.detail.token; void (this.renderRoot.querySelector('#tokens') as TgTable).reload(); }}></tg-form></div>` : nothing}
      <tg-table id="tokens" path="/tokens" .columns=${tokenCols(this)} empty="No API token."></tg-table>`;
  }
}
customElements.define('tg-admins', TgAdmins);

const accessCell = (p: string | undefined) => (p === 'write' ? html`<span class="badge ok">write</span>` : p === 'read' ? html`<span class="badge">read</span>` : html`<span class="muted">—</span>`);

interface ApiToken { id: number; name: string; prefix: string; role: string; expiresAt: string | null; revokedAt: string | null; lastUsedAt: string | null; createdBy: string }
function tokenCols(owner: { revoke(t: ApiToken): Promise<void> }): Array<Column<ApiToken>> {
  return [
    { label: 'Name', render: (t) => t.name },
    { label: 'Prefix', render: (t) => html`<code>${t.prefix}…</code>`, hideSmall: true },
    { label: 'Role', render: (t) => t.role },
    { label: 'Last used', render: (t) => when(t.lastUsedAt), hideSmall: true },
    { label: 'State', render: (t) => (t.revokedAt ? badge('revoked') : t.expiresAt && Date.parse(t.expiresAt) < Date.now() ? badge('expired') : badge('active')) },
    { label: '', render: (t) => (t.revokedAt ? '' : html`<button class="secondary" @click=${() => owner.revoke(t)}>Revoke</button>`) },
  ];
}

// ---- Settings: daily jobs and message templates (the database-held configuration there is)

interface Job { name: string; lastDate: string | null; lastFinishedAt: string | null; status: string; lastError: string | null; nextRetryAt: string | null }
interface Template { key: string; channel: 'email' | 'sms'; subject: string; body: string; delayMinutes: number; sendFrom: string | null; sendUntil: string | null; enabled: boolean; source: 'default' | 'custom'; variables: string[]; updatedAt: string | null }

const HHMM = '([01]\\d|2[0-3]):[0-5]\\d';

export function templateFields(t: Pick<Template, 'channel'>): Field[] {
  const hours = (v: unknown, all: Record<string, unknown>, other: string) =>
    (v === null || v === undefined) !== (all[other] === null || all[other] === undefined) ? 'needs both the start and the end of the sending hours' : undefined;
  return [
    ...(t.channel === 'email' ? [{ name: 'subject', label: 'Subject', required: true, maxLength: 500 } as Field] : []),
    { name: 'body', label: t.channel === 'email' ? 'Body (HTML)' : 'Text', type: 'textarea', required: true, maxLength: 20000 },
    { name: 'delayMinutes', label: 'Delay (minutes)', type: 'number', min: 0, max: 10080 },
    { name: 'sendFrom', label: 'Send from (HH:MM)', nullable: true, pattern: HHMM, patternMessage: 'is HH:MM', validate: (v, all) => hours(v, all, 'sendUntil') },
    { name: 'sendUntil', label: 'Send until (HH:MM)', nullable: true, pattern: HHMM, patternMessage: 'is HH:MM',
      validate: (v, all) => hours(v, all, 'sendFrom') ?? (v != null && v === all.sendFrom ? 'must differ from the start' : undefined) },
    { name: 'enabled', label: 'Send this message', type: 'checkbox' },
  ];
}

export class TgSettings extends LitElement {
  static override styles = [base];
  static override properties = { jobs: { state: true }, templates: { state: true }, error: { state: true }, editing: { state: true } };
  declare jobs: { timezone: string; runAt: string; nextRunAt: string | null; items: Job[] } | undefined;
  declare templates: Template[] | undefined;
  declare error: string;
  declare editing: Template | undefined;
  constructor() {
    super();
    this.error = '';
  }
  override connectedCallback(): void {
    super.connectedCallback();
    api.get<NonNullable<TgSettings['jobs']>>('/jobs').then((j) => (this.jobs = j), (e) => (this.error = errorText(e)));
    void this.loadTemplates();
  }
  private async loadTemplates(): Promise<void> {
    await api.get<{ items: Template[] }>('/notification-templates').then((t) => (this.templates = t.items), (e) => (this.error = errorText(e)));
  }
  private async revert(t: Template): Promise<void> {
    if (!confirm(`Go back to the default ${t.key} (${t.channel})?`)) return;
    try {
      await api.del(`/notification-templates/${encodeURIComponent(t.key)}/${t.channel}`);
      toast('The default template applies again');
      this.editing = undefined;
      await this.loadTemplates();
    } catch (err) {
      toast(errorText(err), 'error');
    }
  }
  private editor(t: Template) {
    return html`<div class="card" data-test="template-editor"><div class="row"><h2 class="grow">${t.key} · ${t.channel}</h2>
        ${t.source === 'custom' ? html`<button class="secondary" @click=${() => this.revert(t)}>Back to the default</button>` : nothing}</div>
      <p class="muted">Variables: ${t.variables.length ? t.variables.map((v) => html`<code>{{${v}}}</code> `) : 'none'}</p>
      <tg-form .fields=${templateFields(t)} .values=${t} submitLabel="Save template"
        .action=${(b: Record<string, unknown>) => api.put<Template>(`/notification-templates/${encodeURIComponent(t.key)}/${t.channel}`, {
          ...b, sendFrom: b.sendFrom ?? null, sendUntil: b.sendUntil ?? null, ...(t.channel === 'sms' ? { subject: undefined } : {}),
        })}
        @saved=${(e: CustomEvent<Template>) => { this.editing = undefined; toast(`Template ${e.detail.key} (${e.detail.channel}) saved`); void this.loadTemplates(); }}>
        <button type="button" class="secondary" @click=${() => (this.editing = undefined)}>Cancel</button></tg-form></div>`;
  }
  override render() {
    return html`<h1>Settings</h1>
      ${this.error ? html`<div class="banner error">${this.error}</div>` : nothing}
      <p class="muted">Most settings live in the config file (see config.example.toml); here are the daily jobs and the message templates.</p>
      <h2>Daily jobs</h2>
      ${this.jobs ? html`<p class="muted">Run daily at ${this.jobs.runAt} (${this.jobs.timezone}); next ${when(this.jobs.nextRunAt)}.</p>
        <div class="table-wrap"><table><thead><tr><th>Job</th><th>Last date</th><th>Status</th><th class="hide-sm">Error</th></tr></thead><tbody>
        ${this.jobs.items.map((j) => html`<tr><td>${j.name}</td><td>${day(j.lastDate)}</td><td>${badge(j.status === 'ok' ? 'ok' : 'failed')}</td><td class="hide-sm">${j.lastError ?? ''}</td></tr>`)}
        </tbody></table></div>` : html`<p class="muted">Loading…</p>`}
      <h2>Message templates</h2>
      ${this.editing ? this.editor(this.editing) : nothing}
      ${this.templates ? html`<div class="table-wrap"><table data-test="templates"><thead><tr><th>Template</th><th>Channel</th><th>Subject</th><th class="hide-sm">Sent</th><th></th></tr></thead><tbody>
        ${this.templates.map((t) => html`<tr data-template="${t.key}/${t.channel}"><td>${t.key}</td><td>${t.channel}</td>
          <td style="white-space:normal">${t.subject || html`<span class="muted">${t.body.slice(0, 60)}</span>`}${t.source === 'custom' ? html` <span class="badge">edited</span>` : nothing}</td>
          <td class="hide-sm">${t.enabled ? (t.sendFrom ? `${t.sendFrom}–${t.sendUntil}` : 'any time') : 'off'}${t.delayMinutes ? ` · after ${t.delayMinutes} min` : ''}</td>
          <td><button class="secondary" @click=${() => (this.editing = t)}>Edit</button></td></tr>`)}
        </tbody></table></div>` : html`<p class="muted">Loading…</p>`}`;
  }
}
customElements.define('tg-settings', TgSettings);

// ---- Audit log

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
      <tg-table path="/audit-log" .query=${this.query} .columns=${cols} empty="Nothing recorded."></tg-table>`;
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
