// A subscriber's password read back for support on the phone: shown on request only, for admins
// with the secrets permission; the server audits every reveal.
import { LitElement, css, html, nothing } from 'lit';
import { revealPassword } from '../data/operator.js';
import { base, errorText } from '../ui.js';
import { t } from '../i18n.js';

/** `<tg-reveal-password service-id="7">` */
export class TgRevealPassword extends LitElement {
  static override styles = [base, css`:host { display: inline-block; } output { font-family: monospace; margin: 0 0.5rem; }`];
  static override properties = { serviceId: { type: Number, attribute: 'service-id' }, password: { state: true }, error: { state: true }, busy: { state: true } };
  declare serviceId: number;
  declare password: string | undefined;
  declare error: string;
  declare busy: boolean;

  constructor() {
    super();
    this.password = undefined;
    this.error = '';
    this.busy = false;
  }

  private async reveal(): Promise<void> {
    this.busy = true;
    this.error = '';
    try {
      this.password = (await revealPassword(this.serviceId)).password;
    } catch (err) {
      this.error = errorText(err);
    } finally {
      this.busy = false;
    }
  }

  override render() {
    if (this.password !== undefined) {
      return html`<span>${t('login.password')}: <output aria-live="polite">${this.password}</output></span>
        <button class="secondary" @click=${() => (this.password = undefined)}>${t('reveal.hide')}</button>`;
    }
    return html`<button class="secondary" ?disabled=${this.busy} title=${t('reveal.audited')} @click=${() => void this.reveal()}>${t('reveal.show')}</button>
      ${this.error ? html`<span class="error" role="alert">${this.error}</span>` : nothing}`;
  }
}
customElements.define('tg-reveal-password', TgRevealPassword);
