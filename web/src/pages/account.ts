// The account page: own password, TOTP on or off. It is the sign-in page's enrolment steps on a
// page of their own, hence the subclass.
import { html, nothing } from 'lit';
import { changePassword } from '../data/auth.js';
import type { Body } from '../data/http.js';
import '../components/form.js';
import type { Field } from '../components/form.js';
import { TgLogin } from './login.js';
import { t } from '../i18n.js';

/** The account page: own password, TOTP on or off. */
export class TgAccount extends TgLogin {
  override render() {
    const me = this.me;
    return html`<h1>${t('account.title')}</h1>
      ${this.error ? html`<div class="banner error" role="alert">${this.error}</div>` : nothing}
      <div class="card"><dl class="kv"><dt>${t('login.username')}</dt><dd>${me?.admin?.username ?? '—'}</dd><dt>${t('account.role')}</dt><dd>${me?.role}</dd>
        <dt>${t('account.secondFactor')}</dt><dd>${me?.admin?.totpEnabled ? t('account.totpOn') : t('account.totpOff')}</dd>
        <dt>${t('language.label')}</dt><dd>${me?.admin ? html`<tg-language-picker save></tg-language-picker>` : html`<tg-language-picker></tg-language-picker>`}
          <div class="help">${t('account.languageHelp')}</div></dd></dl></div>
      ${this.recovery ? html`<div class="card"><p>${t('account.recoveryOnce')}</p><pre data-test="recovery">${this.recovery.join('\n')}</pre></div>` : nothing}
      ${me?.admin && !me.admin.totpEnabled && !this.recovery ? html`<div class="card"><h2>${t('account.turnOnTotp')}</h2>${this.enrol ? this.enrolForm() : html`<button @click=${() => this.startEnrol()}>${t('account.startEnrolment')}</button>`}</div>` : nothing}
      <div class="card"><h2>${t('account.changePassword')}</h2><tg-form .fields=${passwordFields()} submitLabel=${t('account.changePassword')}
        .action=${(b: Body) => changePassword(b.currentPassword, b.newPassword)}
        @saved=${() => (this.error = '')}></tg-form></div>`;
  }
}
const passwordFields = (): Field[] => [
  { name: 'currentPassword', label: t('account.currentPassword'), type: 'password', required: true, autocomplete: 'current-password' },
  { name: 'newPassword', label: t('account.newPassword'), type: 'password', required: true, minLength: 12, autocomplete: 'new-password', help: t('account.passwordHelp') },
];
customElements.define('tg-account', TgAccount);
