// Sign-in: password, then the TOTP challenge when the admin has it on; then whatever setup the
// server still asks for (first-run password change, TOTP enrolment with a QR code).
import { LitElement, html, nothing } from 'lit';
import { changePassword, confirmEnrolment, login as signIn, me as whoAmI, startEnrolment, verifyTotp, type Enrolment, type Me } from '../data/auth.js';
import { ApiError, setCsrf } from '../data/http.js';
import { base, errorText } from '../ui.js';
import { t } from '../i18n.js';
import '../components/language-picker.js';

export class TgLogin extends LitElement {
  static override styles = [base];
  static override properties = { me: { attribute: false }, error: { state: true }, busy: { state: true }, enrol: { state: true }, recovery: { state: true }, useRecovery: { state: true } };
  declare me: Me | undefined;
  declare error: string;
  declare busy: boolean;
  declare enrol: Enrolment | undefined;
  declare recovery: string[] | undefined;
  declare useRecovery: boolean;

  constructor() {
    super();
    this.error = '';
    this.busy = false;
    this.useRecovery = false;
  }

  private done(me: Me): void {
    setCsrf(me.csrfToken);
    this.me = me;
    this.error = '';
    this.dispatchEvent(new CustomEvent('me', { detail: me, bubbles: true, composed: true }));
  }

  private value(name: string): string {
    return this.renderRoot.querySelector<HTMLInputElement>(`[name="${name}"]`)?.value ?? '';
  }

  private async run(fn: () => Promise<void>): Promise<void> {
    this.busy = true;
    this.error = '';
    try {
      await fn();
    } catch (err) {
      this.error = err instanceof ApiError && Object.keys(err.fields).length ? Object.entries(err.fields).map(([k, m]) => `${k} ${m}`).join('; ') : errorText(err);
    } finally {
      this.busy = false;
    }
  }

  private login(e: Event) {
    e.preventDefault();
    const username = this.value('username').trim();
    const password = this.value('password');
    if (!username || !password) return void (this.error = t('login.enterBoth'));
    void this.run(async () => this.done(await signIn(username, password)));
  }

  private verify(e: Event) {
    e.preventDefault();
    const code = this.value('code').replace(/\s/g, '');
    if (this.useRecovery) {
      if (!code) return void (this.error = t('login.enterRecovery'));
      return void this.run(async () => this.done(await verifyTotp({ recoveryCode: code })));
    }
    if (!/^\d{6}$/.test(code)) return void (this.error = t('login.sixDigits'));
    void this.run(async () => this.done(await verifyTotp({ code })));
  }

  private changePassword(e: Event) {
    e.preventDefault();
    const currentPassword = this.value('currentPassword');
    const newPassword = this.value('newPassword');
    const again = this.value('again');
    if (newPassword.length < 12) return void (this.error = t('login.passwordTooShort'));
    if (newPassword !== again) return void (this.error = t('login.passwordsDiffer'));
    void this.run(async () => this.done(await changePassword(currentPassword, newPassword)));
  }

  protected startEnrol() {
    void this.run(async () => {
      this.enrol = await startEnrolment();
    });
  }

  private confirmEnrol(e: Event) {
    e.preventDefault();
    const code = this.value('enrolCode').replace(/\s/g, '');
    if (!/^\d{6}$/.test(code)) return void (this.error = t('login.sixDigits'));
    void this.run(async () => {
      const r = await confirmEnrolment(code);
      this.recovery = r.recoveryCodes;
      this.enrol = undefined;
    });
  }

  private async finishEnrol() {
    await this.run(async () => this.done(await whoAmI()));
  }

  override render() {
    const me = this.me;
    let body;
    if (this.recovery) {
      body = html`<h1>${t('login.recoveryTitle')}</h1>
        <p>${t('login.recoveryText')}</p>
        <pre class="card" data-test="recovery">${this.recovery.join('\n')}</pre>
        <button @click=${this.finishEnrol}>${t('login.recoverySaved')}</button>`;
    } else if (!me) {
      body = html`<div class="row"><h1 class="grow">${t('login.title')}</h1><tg-language-picker></tg-language-picker></div>
        <form @submit=${this.login}>
          <div class="field"><label for="username">${t('login.username')}</label><input id="username" name="username" autocomplete="username" autofocus></div>
          <div class="field"><label for="password">${t('login.password')}</label><input id="password" name="password" type="password" autocomplete="current-password"></div>
          <button type="submit" ?disabled=${this.busy}>${this.busy ? t('login.signingIn') : t('login.signIn')}</button>
        </form>`;
    } else if (me.totpRequired) {
      body = html`<h1>${t('login.secondFactor')}</h1>
        <p>${t('nav.signedInAs')} <b>${me.admin?.username}</b>. ${this.useRecovery ? t('login.enterRecovery') : t('login.enterCode')}</p>
        <form @submit=${this.verify}>
          <div class="field"><label for="code">${this.useRecovery ? t('login.recoveryCode') : t('login.code')}</label>
            <input id="code" name="code" inputmode=${this.useRecovery ? 'text' : 'numeric'} autocomplete="one-time-code" autofocus></div>
          <div class="row"><button type="submit" ?disabled=${this.busy}>${t('login.verify')}</button>
          <button type="button" class="secondary" @click=${() => (this.useRecovery = !this.useRecovery)}>${this.useRecovery ? t('login.useApp') : t('login.useRecovery')}</button></div>
        </form>`;
    } else if (me.admin?.mustChangePassword) {
      body = html`<h1>${t('login.choosePassword')}</h1>
        <p>${t('login.choosePasswordText')}</p>
        <form @submit=${this.changePassword}>
          <div class="field"><label for="currentPassword">${t('account.currentPassword')}</label><input id="currentPassword" name="currentPassword" type="password" autocomplete="current-password"></div>
          <div class="field"><label for="newPassword">${t('account.newPassword')}</label><input id="newPassword" name="newPassword" type="password" autocomplete="new-password" aria-describedby="newPassword-help"><div class="help" id="newPassword-help">${t('login.passwordRule')}</div></div>
          <div class="field"><label for="again">${t('login.passwordAgain')}</label><input id="again" name="again" type="password" autocomplete="new-password"></div>
          <button type="submit" ?disabled=${this.busy}>${t('account.changePassword')}</button>
        </form>`;
    } else if (me.setupRequired) {
      body = html`<h1>${t('login.setupTitle')}</h1>
        <p>${t('login.setupText')}</p>
        ${this.enrol ? this.enrolForm() : html`<button @click=${this.startEnrol} ?disabled=${this.busy}>${t('login.start')}</button>`}`;
    } else body = nothing;
    return html`<div class="card" style="max-width:420px;margin:8vh auto">
      ${this.error ? html`<div class="banner error" role="alert">${this.error}</div>` : nothing}
      ${body}
    </div>`;
  }

  /** The QR code and secret of a TOTP enrolment and the confirmation code (also used by the account page). */
  enrolForm() {
    const e = this.enrol!;
    return html`<p>${t('login.scan')}</p>
      <img src=${e.qr} alt=${t('login.qrAlt')} width="200" height="200" style="display:block;margin:0 auto">
      <p class="muted" style="word-break:break-all">${t('login.secret')} <code data-test="totp-secret">${e.secret}</code></p>
      <form @submit=${this.confirmEnrol}>
        <div class="field"><label for="enrolCode">${t('login.code')}</label><input id="enrolCode" name="enrolCode" inputmode="numeric" autocomplete="one-time-code"></div>
        <button type="submit" ?disabled=${this.busy}>${t('login.turnOn')}</button>
      </form>`;
  }
}
customElements.define('tg-login', TgLogin);
