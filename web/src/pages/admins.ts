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

const accessOptions: Array<[string, string]> = [['none', 'none'], ['read', 'read'], ['write', 'read + write']];

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
  async revoke(t: ApiToken): Promise<void> {
    if (!confirm(`Revoke the token ${t.name}?`)) return;
    try {
      await revokeToken(t.id);
      toast('Token revoked');
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
    if (!a.disabled && !confirm(`Disable ${a.username}? Their sessions end at once.`)) return;
    try {
      await updateAdmin(a.id, { disabled: !a.disabled });
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
      this.editing = await resetAdminTotp(a.id);
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
          .action=${(b: Body) => updateAdmin(a.id, b)}
          @saved=${(e: CustomEvent<Admin>) => { this.editing = e.detail; toast(`${e.detail.username} is now ${e.detail.role}`); this.reloadAdmins(); }}></tg-form></div>
        <div data-test="admin-password-form"><h3>Reset password</h3><tg-form submitLabel="Reset password" .fields=${passwordFields}
          .action=${(b: Body) => resetAdminPassword(a.id, b.password)}
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
        .action=${(b: Body) => {
          const body = roleBody(b, this.areas());
          if (r === 'new') return createRole(body);
          return updateRole(r.name, { description: body.description ?? '', permissions: body.permissions });
        }}
        @saved=${(e: CustomEvent<Role>) => { this.roleEditing = undefined; toast(`Role ${e.detail.name} saved`); void this.loadRoles(); }}>
        <button type="button" class="secondary" @click=${() => (this.roleEditing = undefined)}>Cancel</button></tg-form></div>`;
  }
  private async deleteRole(r: Role) {
    if (!confirm(`Delete the role ${r.name}?`)) return;
    try {
      await deleteRole(r.name);
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
        .action=${(b: Body) => createAdmin(b)}
        @saved=${() => { this.creating = false; toast('Admin created'); this.reloadAdmins(); }}>
        <button type="button" class="secondary" @click=${() => (this.creating = false)}>Cancel</button></tg-form></div>` : nothing}
      ${this.editing ? this.adminEditor(this.editing) : nothing}
      <tg-table id="admins" .load=${listAdmins} .columns=${cols} empty="No admin."></tg-table>
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
        .action=${(b: Body) => createToken(b)}
        @saved=${(e: CustomEvent<{ token: string }>) => { this.tokening = false; this.newToken = e.detail.token; void this.renderRoot.querySelector<TgTable>('#tokens')?.reload(); }}></tg-form></div>` : nothing}
      <tg-table id="tokens" .load=${listTokens} .columns=${tokenCols(this)} empty="No API token."></tg-table>`;
  }
}
customElements.define('tg-admins', TgAdmins);

const accessCell = (p: string | undefined) => (p === 'write' ? html`<span class="badge ok">write</span>` : p === 'read' ? html`<span class="badge">read</span>` : html`<span class="muted">—</span>`);

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
