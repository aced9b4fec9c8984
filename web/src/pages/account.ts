// The account page: own password, TOTP on or off. It is the sign-in page's enrolment steps on a
// page of their own, hence the subclass.
import { html, nothing } from 'lit';
import { changePassword } from '../data/auth.js';
import type { Body } from '../data/http.js';
import '../components/form.js';
import type { Field } from '../components/form.js';
import { TgLogin } from './login.js';

/** The account page: own password, TOTP on or off. */
export class TgAccount extends TgLogin {
  override render() {
    const me = this.me;
    return html`<h1>My account</h1>
      ${this.error ? html`<div class="banner error" role="alert">${this.error}</div>` : nothing}
      <div class="card"><dl class="kv"><dt>Username</dt><dd>${me?.admin?.username ?? '—'}</dd><dt>Role</dt><dd>${me?.role}</dd>
        <dt>Second factor</dt><dd>${me?.admin?.totpEnabled ? 'TOTP on' : 'off'}</dd></dl></div>
      ${this.recovery ? html`<div class="card"><p>Recovery codes (shown once):</p><pre data-test="recovery">${this.recovery.join('\n')}</pre></div>` : nothing}
      ${me?.admin && !me.admin.totpEnabled && !this.recovery ? html`<div class="card"><h2>Turn on TOTP</h2>${this.enrol ? this.enrolForm() : html`<button @click=${() => this.startEnrol()}>Start enrolment</button>`}</div>` : nothing}
      <div class="card"><h2>Change password</h2><tg-form .fields=${passwordFields} submitLabel="Change password"
        .action=${(b: Body) => changePassword(b.currentPassword, b.newPassword)}
        @saved=${() => (this.error = '')}></tg-form></div>`;
  }
}
const passwordFields: Field[] = [
  { name: 'currentPassword', label: 'Current password', type: 'password', required: true, autocomplete: 'current-password' },
  { name: 'newPassword', label: 'New password', type: 'password', required: true, minLength: 12, autocomplete: 'new-password', help: 'at least 12 characters' },
];
customElements.define('tg-account', TgAccount);
