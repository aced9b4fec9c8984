// A form that validates before sending and shows the API's field errors beside the fields. Its
// `action` sends the body (a data function); it fires `saved` with the answer.
import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';
import { repeat } from 'lit/directives/repeat.js';
import { ApiError } from '../data/http.js';
import { fieldFor } from '../forms.js';
import { datePlaceholder, typedDate } from './date-input.js';
import { base, errorText, money } from '../ui.js';
import { f as fmt, t } from '../i18n.js';

export interface Field {
  name: string;
  label: string;
  type?: 'text' | 'number' | 'money' | 'select' | 'checkbox' | 'password' | 'email' | 'date' | 'datetime' | 'textarea' | 'tel';
  required?: boolean;
  min?: number;
  max?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  patternMessage?: string;
  options?: Array<[string, string]>;
  /** select values sent as numbers */
  numeric?: boolean;
  /** An empty input is sent as null (when editing) instead of being left out. */
  nullable?: boolean;
  help?: string;
  placeholder?: string;
  autocomplete?: string;
  validate?: (value: unknown, all: Record<string, unknown>) => string | undefined;
  /**
   * Shown only while this holds of the form's current values (a person's names or a company's name,
   * as the kind chosen says); a hidden field is neither checked nor sent.
   */
  visible?: (current: Record<string, unknown>) => boolean;
}

function inputValue(f: Field, el: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement | null): unknown {
  if (!el) return undefined;
  if (f.type === 'checkbox') return (el as HTMLInputElement).checked;
  const raw = el.value.trim();
  if (raw === '') return f.nullable ? null : undefined;
  if (f.type === 'number' || (f.type === 'select' && f.numeric)) return Number(raw);
  if (f.type === 'money') return parseMoney(raw);
  if (f.type === 'datetime') return new Date(raw).toISOString();
  // Typed in the UI language's order; what is no date stays as typed, for checkField to name.
  if (f.type === 'date') return typedDate(raw);
  return f.type === 'password' ? el.value : raw;
}

function shownValue(f: Field, v: unknown): string {
  if (v === null || v === undefined) return '';
  if (f.type === 'money') return moneyInput(Number(v));
  if (f.type === 'datetime') {
    const d = new Date(String(v));
    return Number.isNaN(d.getTime()) ? '' : new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
  }
  return String(v);
}

/**
 * A typed amount in minor units, read the way the UI's language writes it ("1.234,50" in Italian
 * and Spanish, "1,234.50" in English); a lone separator followed by one or two digits is decimal in
 * any language. NaN when it is no amount.
 */
export function parseMoney(raw: string): number {
  const s = raw.replace(/[\s\u00a0€$£]/g, '');
  if (!/^-?[0-9.,]+$/.test(s)) return Number.NaN;
  const lastSep = Math.max(s.lastIndexOf(','), s.lastIndexOf('.'));
  const decimals = lastSep >= 0 && s.length - lastSep - 1 <= 2 && !(s.split(s[lastSep]!).length > 2);
  const whole = (decimals ? s.slice(0, lastSep) : s).replace(/[.,]/g, '');
  const frac = decimals ? s.slice(lastSep + 1).padEnd(2, '0') : '00';
  const n = Number(`${whole}${frac}`);
  return Number.isSafeInteger(n) ? n : Number.NaN;
}

/** Minor units as the money input shows them: the language's decimal separator, no grouping. */
export function moneyInput(minor: number): string {
  const abs = String(Math.abs(minor)).padStart(3, '0');
  const sep = fmt().number(1.5).includes(',') ? ',' : '.';
  return `${minor < 0 ? '-' : ''}${abs.slice(0, -2)}${sep}${abs.slice(-2)}`;
}

/** Client-side checks before sending; the API checks again and its answer wins. */
export function checkField(f: Field, v: unknown): string | undefined {
  const empty = v === undefined || v === null || v === '';
  if (f.required && empty && f.type !== 'checkbox') return t('form.required');
  if (empty) return undefined;
  if (f.type === 'number' || f.type === 'money') {
    if (typeof v !== 'number' || Number.isNaN(v)) return t('form.notNumber');
    if (f.type === 'number' && !Number.isInteger(v)) return t('form.notWhole');
    const min = f.type === 'money' && f.min !== undefined ? f.min * 100 : f.min;
    const max = f.type === 'money' && f.max !== undefined ? f.max * 100 : f.max;
    if (min !== undefined && v < min) return t('form.atLeast', { min: f.type === 'money' ? money(min) : fmt().number(min) });
    if (max !== undefined && v > max) return t('form.atMost', { max: f.type === 'money' ? money(max) : fmt().number(max) });
  }
  if (f.type === 'date' && (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(v))) return t('date.invalid', { pattern: datePlaceholder() });
  if (typeof v === 'string') {
    if (f.minLength !== undefined && v.length < f.minLength) return t('form.minLength', { n: f.minLength });
    if (f.maxLength !== undefined && v.length > f.maxLength) return t('form.maxLength', { n: f.maxLength });
    if (f.pattern && !new RegExp(`^(?:${f.pattern})$`).test(v)) return f.patternMessage ?? t('form.badFormat');
    if (f.type === 'email' && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(v)) return t('form.notEmail');
  }
  return undefined;
}

const errorId = (f: Field) => `f-${f.name}-error`;
const helpId = (f: Field) => `f-${f.name}-help`;

export class TgForm extends LitElement {
  static override styles = [base, css`
    form { display: grid; gap: 0 1rem; grid-template-columns: repeat(auto-fill, minmax(240px, 1fr)); }
    .actions { grid-column: 1 / -1; display: flex; gap: 0.5rem; }
    .wide { grid-column: 1 / -1; }
  `];
  static override properties = {
    fields: { attribute: false },
    values: { attribute: false },
    submitLabel: {},
    action: { attribute: false },
    patch: { type: Boolean },
    errors: { state: true },
    busy: { state: true },
    message: { state: true },
    current: { state: true },
  };
  declare fields: Field[];
  declare values: Record<string, unknown>;
  declare submitLabel: string;
  /** Sends the body; answers what the 'saved' event carries. */
  declare action: (body: Record<string, unknown>) => Promise<unknown>;
  /** Send only the fields that changed from `values`. */
  declare patch: boolean;
  declare errors: Record<string, string>;
  declare busy: boolean;
  declare message: string;
  /** The values as typed so far, for the fields' `visible`. */
  declare current: Record<string, unknown>;

  constructor() {
    super();
    this.fields = [];
    this.values = {};
    this.submitLabel = '';
    this.action = async () => undefined;
    this.patch = false;
    this.errors = {};
    this.busy = false;
    this.message = '';
    this.current = {};
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('values')) this.current = { ...this.values };
  }

  private shown(): Field[] {
    return this.fields.filter((f) => !f.visible || f.visible(this.current));
  }

  /** A choice changed: fields that depend on it appear or go (only forms that have such fields re-render). */
  private choiceChanged(e: Event): void {
    if (!this.fields.some((f) => f.visible)) return;
    const el = e.target as HTMLInputElement | HTMLSelectElement;
    const f = this.fields.find((x) => x.name === el.name);
    if (f) this.current = { ...this.current, [f.name]: inputValue(f, el) };
  }

  private el(name: string) {
    return this.renderRoot.querySelector<HTMLInputElement>(`[name="${name}"]`);
  }

  private collect(): { body: Record<string, unknown>; errors: Record<string, string> } {
    const body: Record<string, unknown> = {};
    const errors: Record<string, string> = {};
    const fields = this.shown();
    for (const f of fields) {
      const v = inputValue(f, this.el(f.name));
      const e = checkField(f, v);
      if (e) errors[f.name] = e;
      if (v !== undefined) body[f.name] = v;
    }
    for (const f of fields) {
      if (errors[f.name] || !f.validate) continue;
      const e = f.validate(body[f.name], body);
      if (e) errors[f.name] = e;
    }
    if (this.patch) {
      for (const f of fields) {
        const before = this.values[f.name] ?? (f.type === 'checkbox' ? false : f.nullable ? null : undefined);
        if (body[f.name] === before || (body[f.name] === undefined && before === undefined)) delete body[f.name];
        else if (body[f.name] === undefined && f.nullable) body[f.name] = null;
      }
    }
    return { body, errors };
  }

  private async submit(e: Event): Promise<void> {
    e.preventDefault();
    const { body, errors } = this.collect();
    this.errors = errors;
    this.message = '';
    if (Object.keys(errors).length) {
      this.message = t('form.correctBelow');
      await this.focusFirstError();
      return;
    }
    if (this.patch && Object.keys(body).length === 0) {
      this.message = t('form.nothingChanged');
      return;
    }
    this.busy = true;
    try {
      const result = await this.action(body);
      this.dispatchEvent(new CustomEvent('saved', { detail: result, bubbles: true, composed: true }));
    } catch (err) {
      if (err instanceof ApiError) {
        const known = new Set(this.shown().map((f) => f.name));
        const mine: Record<string, string> = {};
        const other: string[] = [];
        for (const [k, m] of Object.entries(err.fields)) {
          const name = fieldFor(k, known);
          if (name) mine[name] = mine[name] ? `${mine[name]}; ${m}` : m;
          else other.push(`${k} ${m}`);
        }
        this.errors = mine;
        this.message = Object.keys(mine).length && !other.length ? t('form.serverRefused') : err.message;
        this.busy = false;
        await this.focusFirstError();
      } else this.message = errorText(err);
    } finally {
      this.busy = false;
    }
  }

  /**
   * A refused submit: the keyboard goes to the first field at fault in the form's order (the error
   * under it is read out with it, through aria-describedby), once the errors are on screen.
   */
  private async focusFirstError(): Promise<void> {
    await this.updateComplete;
    const first = this.shown().find((f) => this.errors[f.name]);
    if (first) this.el(first.name)?.focus();
  }

  private input(f: Field) {
    const v = this.values[f.name];
    const err = this.errors[f.name];
    // The field's error and help are read with it: ids of its own, named by aria-describedby.
    const describedBy = [err ? errorId(f) : '', f.help ? helpId(f) : ''].filter(Boolean).join(' ') || undefined;
    // Required as a property for screen readers only: the browser's own checks are off (novalidate), ours speak the UI's language.
    const common = { id: `f-${f.name}`, invalid: err ? 'true' : 'false', describedBy, required: f.required ? 'true' : undefined };
    const clear = () => {
      if (this.errors[f.name]) this.errors = { ...this.errors, [f.name]: '' };
    };
    switch (f.type) {
      case 'select':
        return html`<select id=${common.id} name=${f.name} aria-required=${ifDefined(common.required)} aria-invalid=${common.invalid} aria-describedby=${ifDefined(common.describedBy)} @change=${clear}>
          ${f.required ? nothing : html`<option value="">—</option>`}
          ${(f.options ?? []).map(([val, label]) => html`<option value=${val} ?selected=${String(v ?? '') === val}>${label}</option>`)}
        </select>`;
      case 'checkbox':
        return html`<input type="checkbox" id=${common.id} name=${f.name} ?checked=${!!v} aria-invalid=${common.invalid} aria-describedby=${ifDefined(common.describedBy)} @change=${clear}>`;
      case 'textarea':
        return html`<textarea id=${common.id} name=${f.name} rows="3" aria-required=${ifDefined(common.required)} aria-invalid=${common.invalid} aria-describedby=${ifDefined(common.describedBy)} @input=${clear}>${shownValue(f, v)}</textarea>`;
      case 'date':
        return html`<tg-date-input input-id=${common.id} text-name=${f.name} .value=${typeof v === 'string' ? v : ''} described-by=${common.describedBy ?? ''}
          ?required=${f.required} @input=${clear} @change=${clear}></tg-date-input>`;
      default: {
        const type = f.type === 'money' ? 'text' : f.type === 'datetime' ? 'datetime-local' : (f.type ?? 'text');
        return html`<input id=${common.id} name=${f.name} type=${type} .value=${shownValue(f, v)} aria-required=${ifDefined(common.required)} aria-invalid=${common.invalid} aria-describedby=${ifDefined(common.describedBy)}
          inputmode=${f.type === 'money' ? 'decimal' : f.type === 'number' ? 'numeric' : 'text'}
          placeholder=${f.placeholder ?? ''} autocomplete=${f.autocomplete ?? 'off'} @input=${clear}>`;
      }
    }
  }

  override render() {
    return html`
      ${this.message ? html`<div class="banner error" role="alert">${this.message}</div>` : nothing}
      <form @submit=${this.submit} @change=${this.choiceChanged} novalidate>
        ${repeat(this.shown(), (f) => f.name, (f) => html`<div class="field ${f.type === 'textarea' ? 'wide' : ''}">
          <label for="f-${f.name}">${f.label}${f.required ? ' *' : ''}</label>
          ${this.input(f)}
          ${this.errors[f.name] ? html`<div class="err" id=${errorId(f)} data-field=${f.name}>${f.label} ${this.errors[f.name]}</div>` : nothing}
          ${f.help ? html`<div class="help" id=${helpId(f)}>${f.help}</div>` : nothing}
        </div>`)}
        <div class="actions"><button type="submit" ?disabled=${this.busy}>${this.busy ? t('common.saving') : this.submitLabel || t('common.save')}</button><slot></slot></div>
      </form>
    `;
  }
}
customElements.define('tg-form', TgForm);

declare global {
  interface HTMLElementTagNameMap {
    'tg-form': TgForm;
  }
}
