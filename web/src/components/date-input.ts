// A date field typed in the operator's language ("31/12/2026" in Italian and Spanish) with the
// browser's calendar one click away. A native date input shows the browser's order whatever language
// the operator chose, so the text field is the one typed into; a hidden native input beside it holds
// the ISO date for plain forms (FormData reads it by `name`) and opens the calendar.
import { LitElement, html, svg } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';
import { dateEntryPattern, formatDateEntry, parseDateEntry } from '../../../src/i18n/format.js';
import { locale, t } from '../i18n.js';

// Drawn, not a glyph: an emoji calendar is a blank box where the system has no emoji font.
const calendarIcon = svg`<svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="1.5">
  <rect x="1.75" y="3" width="12.5" height="11" rx="1.5"/><path d="M1.75 6.5h12.5M5 1.5v3M11 1.5v3"/></svg>`;

/** "gg/mm/aaaa": how a date is typed in the UI's language. */
export function datePlaceholder(): string {
  const p = dateEntryPattern(locale());
  const letters = { day: t('date.dayLetters'), month: t('date.monthLetters'), year: t('date.yearLetters') };
  return p.order.map((k) => letters[k]).join(p.separator);
}

/** A typed date as YYYY-MM-DD; '' when empty; the text as typed when it is not a date. */
export function typedDate(text: string): string {
  if (text.trim() === '') return '';
  return parseDateEntry(text, locale()) ?? text.trim();
}

/** `<tg-date-input input-id="from" name="from" value="2026-12-31">`, rendered in its host's tree so labels and styles apply. */
export class TgDateInput extends LitElement {
  static override properties = {
    inputId: { attribute: 'input-id' }, name: {}, textName: { attribute: 'text-name' }, value: {}, describedBy: { attribute: 'described-by' }, required: { type: Boolean }, invalid: { state: true },
  };
  declare inputId: string;
  /** The name of the hidden ISO input, for a plain form's FormData. */
  declare name: string;
  /** The name of the typed text instead, for a form that reads what was typed (tg-form names the error). */
  declare textName: string;
  /** YYYY-MM-DD, or '' */
  declare value: string;
  /** The id of an error about this date outside the field (a range the page refuses). */
  declare describedBy: string;
  declare required: boolean;
  declare invalid: boolean;

  constructor() {
    super();
    this.inputId = '';
    this.name = '';
    this.textName = '';
    this.value = '';
    this.describedBy = '';
    this.required = false;
    this.invalid = false;
  }

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  private get picker(): HTMLInputElement | null {
    return this.querySelector('input[type=date]');
  }

  // Runs before the change reaches the form, so a form reading FormData sees the ISO date already.
  private typed(e: Event): void {
    const text = (e.target as HTMLInputElement).value;
    const iso = typedDate(text);
    this.invalid = iso !== '' && !/^\d{4}-\d{2}-\d{2}$/.test(iso);
    this.value = this.invalid ? '' : iso;
    if (this.picker) this.picker.value = this.value;
  }

  private picked(e: Event): void {
    this.value = (e.target as HTMLInputElement).value;
    this.invalid = false;
    const text = this.querySelector<HTMLInputElement>('input[type=text]');
    if (text) text.value = formatDateEntry(this.value, locale());
  }

  private open(): void {
    const p = this.picker;
    if (!p) return;
    try {
      p.showPicker();
    } catch {
      p.focus();
    }
  }

  override render() {
    const pattern = datePlaceholder();
    return html`<span class="date-input" style="position:relative;display:inline-flex;gap:0.25rem;align-items:center">
      <input type="text" id=${this.inputId} name=${ifDefined(this.textName || undefined)} inputmode="numeric" autocomplete="off" placeholder=${pattern}
        title=${this.invalid ? t('date.invalid', { pattern }) : pattern} aria-invalid=${this.invalid || this.describedBy.split(' ').some((id) => id.endsWith('-error')) ? 'true' : 'false'}
        aria-describedby=${ifDefined(this.describedBy || undefined)} aria-required=${ifDefined(this.required ? 'true' : undefined)}
        .value=${formatDateEntry(this.value, locale())} @change=${this.typed}>
      <input type="date" name=${ifDefined(this.name || undefined)} .value=${this.value} tabindex="-1" aria-hidden="true"
        style="position:absolute;width:1px;height:1px;opacity:0;pointer-events:none" @change=${this.picked}>
      <button type="button" class="secondary" aria-label=${t('date.calendar')} title=${t('date.calendar')} @click=${this.open}>${calendarIcon}</button>
    </span>`;
  }
}
customElements.define('tg-date-input', TgDateInput);
