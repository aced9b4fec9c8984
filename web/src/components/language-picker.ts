// The UI language picker: switches at once (every element renders again, nothing is reloaded) and,
// for a signed-in admin, stores the choice on the admin so the next sign-in anywhere uses it.
import { LitElement, css, html } from 'lit';
import { setLanguage, type Me } from '../data/auth.js';
import { LOCALES, LOCALE_NAMES, isLocale, locale, pickBeforeSignIn, setLocale, t } from '../i18n.js';
import { base, errorText, toast } from '../ui.js';

export class TgLanguagePicker extends LitElement {
  static override styles = [base, css`:host { display: inline-block; } select { width: auto; }`];
  static override properties = { save: { type: Boolean } };
  /** Store the choice on the signed-in admin (off on the sign-in page). */
  declare save: boolean;

  constructor() {
    super();
    this.save = false;
  }

  private async pick(e: Event): Promise<void> {
    const next = (e.target as HTMLSelectElement).value;
    if (!isLocale(next)) return;
    try {
      if (!this.save) return await pickBeforeSignIn(next);
      // Stored at once, while the language's catalogue loads: a page opened right after already has it.
      const [, me]: [void, Me] = await Promise.all([setLocale(next), setLanguage(next)]);
      this.dispatchEvent(new CustomEvent('me', { detail: me, bubbles: true, composed: true }));
    } catch (err) {
      toast(errorText(err), 'error');
    }
  }

  override render() {
    return html`<select aria-label=${t('language.label')} data-test="language" @change=${this.pick}>
      ${LOCALES.map((l) => html`<option value=${l} lang=${l} ?selected=${l === locale()}>${LOCALE_NAMES[l]}</option>`)}
    </select>`;
  }
}
customElements.define('tg-language-picker', TgLanguagePicker);

declare global {
  interface HTMLElementTagNameMap {
    'tg-language-picker': TgLanguagePicker;
  }
}
