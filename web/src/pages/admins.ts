// Admins (create, role, password reset, second factor, disable), roles with their access per area,
// and API tokens.
import { LitElement, html, nothing } from 'lit';
import { Task } from '@lit/task';
import {
  createAdmin, createRole, createToken, deleteRole, listAdmins, listRoles, listTokens, resetAdminPassword, resetAdminTotp, revokeToken, updateAdmin, updateRole,
  type Admin, type ApiToken, type Role,
} from '../data/admins.js';
import type { Body } from '../data/http.js';
import '../components/form.js';
import type { Field } from '../components/form.js';
import '../components/table.js';
import type { Column, TgTable } from '../components/table.js';
import { roleBody, roleValues } from '../forms.js';
import { badge, base, errorText, toast, when } from '../ui.js';
import { isMessageKey, t } from '../i18n.js';

const accessOptions = (): Array<[string, string]> => [['none', t('admins.accessNone')], ['read', t('admins.accessRead')], ['write', t('admins.accessWrite')]];
/** A role's description: the catalogue's for a built-in role, the operator's own words for a custom one. */
const roleDescription = (r: Role): string => {
  const key = `role.${r.name}`;
  return r.builtIn && isMessageKey(key) ? t(key) : (r.description ?? '');
};
/** An access area's name (customers, billing…). */
const areaName = (a: string): string => {
  const key = `area.${a}`;
  return isMessageKey(key) ? t(key) : a;
};

export class TgAdmins extends LitElement {
  static override styles = [base];
  static override properties = {
    creating: { state: true }, tokening: { state: true }, newToken: { state: true },
    editing: { state: true }, roleEditing: { state: true },
  };
  declare creating: boolean;
  declare tokening: boolean;
  declare newToken: string | undefined;
  declare editing: Admin | undefined;
  declare roleEditing: Role | 'new' | undefined;
  /** The roles; a failed reload keeps the ones shown. */
  private readonly roleList: Task<readonly [], Role[]> = new Task(this, {
    task: () => listRoles().then((r) => r.items, () => this.roleList.value ?? []),
    args: () => [],
  });
  constructor() {
    super();
    this.creating = false;
    this.tokening = false;
  }
  async revoke(token: ApiToken): Promise<void> {
    if (!confirm(t('admins.confirmRevoke', { name: token.name }))) return;
    try {
      await revokeToken(token.id);
      toast(t('admins.tokenRevoked'));
      await this.renderRoot.querySelector<TgTable>('#tokens')?.reload();
    } catch (err) {
      toast(errorText(err), 'error');
    }
  }
  private get roles(): Role[] {
    return this.roleList.value ?? [];
  }
  private async loadRoles(): Promise<void> {
    await this.roleList.run();
  }
  /** The areas of access, as the API names them (every role lists every area). */
  private areas(): string[] {
    return Object.keys(this.roles[0]?.permissions ?? {});
  }
  private reloadAdmins(): void {
    void this.renderRoot.querySelector<TgTable>('#admins')?.reload();
  }
  private async toggle(a: Admin) {
    if (!a.disabled && !confirm(t('admins.confirmDisable', { username: a.username }))) return;
    try {
      await updateAdmin(a.id, { disabled: !a.disabled });
      toast(a.disabled ? t('admins.enabledToast', { username: a.username }) : t('admins.disabledToast', { username: a.username }));
      if (this.editing?.id === a.id) this.editing = undefined;
      this.reloadAdmins();
    } catch (err) {
      toast(errorText(err), 'error');
    }
  }
  private async resetTotp(a: Admin) {
    if (!confirm(t('admins.confirmTotpReset', { username: a.username }))) return;
    try {
      this.editing = await resetAdminTotp(a.id);
      toast(t('admins.totpRemoved'));
      this.reloadAdmins();
    } catch (err) {
      toast(errorText(err), 'error');
    }
  }
  private roleOptions(): Array<[string, string]> {
    return this.roles.map((r) => [r.name, r.builtIn ? r.name : t('admins.customRole', { name: r.name })]);
  }
  private adminEditor(a: Admin) {
    const passwordFields: Field[] = [
      { name: 'password', label: t('account.newPassword'), type: 'password', required: true, minLength: 12, maxLength: 1024, autocomplete: 'new-password' },
      { name: 'again', label: t('admins.again'), type: 'password', required: true, autocomplete: 'new-password', validate: (v, all) => (v !== all.password ? t('admins.noMatch') : undefined) },
    ];
    return html`<div class="card" data-test="admin-editor"><div class="row"><h2 class="grow">${t('admins.adminTitle', { username: a.username })}</h2>
        <button type="button" class="secondary" @click=${() => (this.editing = undefined)}>${t('common.close')}</button></div>
      <div class="grid">
        <div data-test="admin-role-form"><h3>${t('account.role')}</h3><tg-form submitLabel=${t('admins.changeRole')} patch .values=${{ role: a.role }}
          .fields=${[{ name: 'role', label: t('account.role'), type: 'select', required: true, options: this.roleOptions() }] as Field[]}
          .action=${(b: Body) => updateAdmin(a.id, b)}
          @saved=${(e: CustomEvent<Admin>) => { this.editing = e.detail; toast(t('admins.roleChanged', { username: e.detail.username, role: e.detail.role })); this.reloadAdmins(); }}></tg-form></div>
        <div data-test="admin-password-form"><h3>${t('admins.resetPassword')}</h3><tg-form submitLabel=${t('admins.resetPassword')} .fields=${passwordFields}
          .action=${(b: Body) => resetAdminPassword(a.id, b.password)}
          @saved=${(e: CustomEvent<Admin>) => { this.editing = e.detail; toast(t('admins.passwordReset', { username: e.detail.username })); this.reloadAdmins(); }}></tg-form>
          <p class="help">${t('admins.resetHelp')}</p></div>
      </div>
      <div class="row">
        <button class=${a.disabled ? '' : 'danger'} @click=${() => this.toggle(a)}>${a.disabled ? t('admins.enableUser', { username: a.username }) : t('admins.disableUser', { username: a.username })}</button>
        ${a.totpEnabled ? html`<button class="secondary" @click=${() => this.resetTotp(a)}>${t('admins.removeTotp')}</button>` : nothing}
      </div></div>`;
  }
  private roleEditor(r: Role | 'new') {
    const isNew = r === 'new';
    const fields: Field[] = [
      ...(isNew ? [{ name: 'name', label: t('col.name'), required: true, minLength: 2, maxLength: 40, pattern: '[a-z][a-z0-9-]{1,39}', patternMessage: t('admins.roleNamePattern') } as Field] : []),
      { name: 'description', label: t('plans.description'), maxLength: 500 },
      ...this.areas().map((a): Field => ({ name: `permissions.${a}`, label: areaName(a), type: 'select', required: true, options: accessOptions() })),
    ];
    const values = r === 'new' ? Object.fromEntries(this.areas().map((a) => [`permissions.${a}`, 'none'])) : roleValues(r);
    return html`<div class="card" data-test="role-editor"><h2>${r === 'new' ? t('admins.newRole') : t('admins.roleTitle', { name: r.name })}</h2>
      <p class="muted">${t('admins.roleHint')}</p>
      <tg-form .fields=${fields} .values=${values} submitLabel=${isNew ? t('admins.createRole') : t('admins.saveRole')}
        .action=${(b: Body) => {
          const body = roleBody(b, this.areas());
          if (r === 'new') return createRole(body);
          return updateRole(r.name, { description: body.description ?? '', permissions: body.permissions });
        }}
        @saved=${(e: CustomEvent<Role>) => { this.roleEditing = undefined; toast(t('admins.roleSaved', { name: e.detail.name })); void this.loadRoles(); }}>
        <button type="button" class="secondary" @click=${() => (this.roleEditing = undefined)}>${t('common.cancel')}</button></tg-form></div>`;
  }
  private async deleteRole(r: Role) {
    if (!confirm(t('admins.confirmDeleteRole', { name: r.name }))) return;
    try {
      await deleteRole(r.name);
      toast(t('admins.roleDeleted', { name: r.name }));
      await this.loadRoles();
    } catch (err) {
      toast(errorText(err), 'error');
    }
  }
  override render() {
    const cols: Array<Column<Admin>> = [
      { label: t('login.username'), render: (a) => a.username },
      { label: t('account.role'), render: (a) => a.role },
      { label: 'TOTP', render: (a) => (a.totpEnabled ? t('common.on') : t('common.off')), hideSmall: true },
      { label: t('admins.lastSignIn'), render: (a) => when(a.lastLoginAt), hideSmall: true },
      { label: t('nas.state'), render: (a) => (a.disabled ? html`<span class="badge suspended">${t('admins.disabled')}</span>` : a.mustChangePassword ? html`<span class="badge pending">${t('admins.mustChange')}</span>` : badge('active')) },
      { label: '', render: (a) => html`<button class="secondary" @click=${() => (this.editing = a)}>${t('common.edit')}</button>
        <button class="secondary" @click=${() => this.toggle(a)}>${a.disabled ? t('admins.enable') : t('admins.disable')}</button>` },
    ];
    const fields: Field[] = [
      { name: 'username', label: t('login.username'), required: true, maxLength: 100, pattern: '[A-Za-z0-9._@-]+', patternMessage: t('admins.usernamePattern') },
      { name: 'password', label: t('admins.initialPassword'), type: 'password', required: true, minLength: 12, maxLength: 1024, autocomplete: 'new-password', help: t('admins.initialPasswordHelp') },
      { name: 'role', label: t('account.role'), type: 'select', required: true, options: this.roleOptions() },
    ];
    const areas = this.areas();
    return html`<div class="row"><h1 class="grow">${t('admins.title')}</h1><button @click=${() => (this.creating = !this.creating)}>${t('admins.new')}</button></div>
      ${this.creating ? html`<div class="card" data-test="admin-new"><tg-form .fields=${fields} submitLabel=${t('admins.create')} .values=${{ role: 'support' }}
        .action=${(b: Body) => createAdmin(b)}
        @saved=${() => { this.creating = false; toast(t('admins.created')); this.reloadAdmins(); }}>
        <button type="button" class="secondary" @click=${() => (this.creating = false)}>${t('common.cancel')}</button></tg-form></div>` : nothing}
      ${this.editing ? this.adminEditor(this.editing) : nothing}
      <tg-table id="admins" .load=${listAdmins} .columns=${cols} empty=${t('admins.empty')}></tg-table>
      <div class="row"><h2 class="grow">${t('admins.roles')}</h2><button class="secondary" @click=${() => (this.roleEditing = 'new')} ?disabled=${!areas.length}>${t('admins.newRole')}</button></div>
      ${this.roleEditing ? this.roleEditor(this.roleEditing) : nothing}
      <div class="table-wrap"><table data-test="roles"><thead><tr><th>${t('account.role')}</th>${areas.map((a) => html`<th class="hide-sm">${areaName(a)}</th>`)}<th></th></tr></thead><tbody>
        ${this.roles.map((r) => html`<tr data-role=${r.name}><td style="white-space:normal"><b>${r.name}</b>${r.builtIn ? html` <span class="badge">${t('admins.builtIn')}</span>` : nothing}<div class="muted">${roleDescription(r)}</div></td>
          ${areas.map((a) => html`<td class="hide-sm">${accessCell(r.permissions?.[a])}</td>`)}
          <td>${r.builtIn ? nothing : html`<button class="secondary" @click=${() => (this.roleEditing = r)}>${t('common.edit')}</button> <button class="secondary" @click=${() => this.deleteRole(r)}>${t('common.delete')}</button>`}</td></tr>`)}
      </tbody></table></div>
      <div class="row"><h2 class="grow">${t('admins.tokens')}</h2><button class="secondary" @click=${() => { this.tokening = !this.tokening; this.newToken = undefined; }}>${t('admins.newToken')}</button></div>
      ${this.newToken ? html`<div class="banner ok">${t('admins.copyToken')} <code data-test="new-token">${this.newToken}</code></div>` : nothing}
      ${this.tokening ? html`<div class="card"><tg-form submitLabel=${t('admins.createToken')} .values=${{ role: 'read-only' }}
        .fields=${[
          { name: 'name', label: t('col.name'), required: true, maxLength: 100 },
          { name: 'role', label: t('account.role'), type: 'select', required: true, options: this.roleOptions() },
          { name: 'expiresAt', label: t('admins.expires'), type: 'datetime', nullable: true },
        ] as Field[]}
        .action=${(b: Body) => createToken(b)}
        @saved=${(e: CustomEvent<{ token: string }>) => { this.tokening = false; this.newToken = e.detail.token; void this.renderRoot.querySelector<TgTable>('#tokens')?.reload(); }}></tg-form></div>` : nothing}
      <tg-table id="tokens" .load=${listTokens} .columns=${tokenCols(this)} empty=${t('admins.noToken')}></tg-table>`;
  }
}
customElements.define('tg-admins', TgAdmins);

const accessCell = (p: string | undefined) => (p === 'write' ? html`<span class="badge ok">${t('admins.write')}</span>` : p === 'read' ? html`<span class="badge">${t('admins.read')}</span>` : html`<span class="muted">—</span>`);

function tokenCols(owner: { revoke(t: ApiToken): Promise<void> }): Array<Column<ApiToken>> {
  return [
    { label: t('col.name'), render: (k) => k.name },
    { label: t('admins.prefix'), render: (k) => html`<code>${k.prefix}…</code>`, hideSmall: true },
    { label: t('account.role'), render: (k) => k.role },
    { label: t('admins.lastUsed'), render: (k) => when(k.lastUsedAt), hideSmall: true },
    { label: t('nas.state'), render: (k) => (k.revokedAt ? badge('revoked') : k.expiresAt && Date.parse(k.expiresAt) < Date.now() ? badge('expired') : badge('active')) },
    { label: '', render: (k) => (k.revokedAt ? '' : html`<button class="secondary" @click=${() => owner.revoke(k)}>${t('admins.revoke')}</button>`) },
  ];
}
