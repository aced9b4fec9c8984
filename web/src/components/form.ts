// A form that validates before sending and shows the API's field errors beside the fields. Its
// `action` sends the body (a data function); it fires `saved` with the answer.
import { LitElement, css, html, nothing } from 'lit';
import { ApiError } from '../data/http.js';
import { fieldFor } from '../forms.js';
import { base, errorText, money } from '../ui.js';

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
}

function inputValue(f: Field, el: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement | null): unknown {
  if (!el) return undefined;
  if (f.type === 'checkbox') return (el as HTMLInputElement).checked;
  const raw = el.value.trim();
  if (raw === '') return f.nullable ? null : undefined;
  if (f.type === 'number' || (f.type === 'select' && f.numeric)) return Number(raw);
  if (f.type === 'money') return Math.round(Number(raw.replace(',', '.')) * 100);
  if (f.type === 'datetime') return new Date(raw).toISOString();
  return f.type === 'password' ? el.value : raw;
}

function shownValue(f: Field, v: unknown): string {
  if (v === null || v === undefined) return '';
  if (f.type === 'money') return (Number(v) / 100).toFixed(2);
  if (f.type === 'datetime') {
    const d = new Date(String(v));
    return Number.isNaN(d.getTime()) ? '' : new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
  }
  return String(v);
}

/** Client-side checks before sending; the API checks again and its answer wins. */
export function checkField(f: Field, v: unknown): string | undefined {
  const empty = v === undefined || v === null || v === '';
  if (f.required && empty && f.type !== 'checkbox') return 'is required';
  if (empty) return undefined;
  if (f.type === 'number' || f.type === 'money') {
    if (typeof v !== 'number' || Number.isNaN(v)) return 'must be a number';
    if (f.type === 'number' && !Number.isInteger(v)) return 'must be a whole number';
    const min = f.type === 'money' && f.min !== undefined ? f.min * 100 : f.min;
    const max = f.type === 'money' && f.max !== undefined ? f.max * 100 : f.max;
    if (min !== undefined && v < min) return `must be at least ${f.type === 'money' ? money(min) : min}`;
    if (max !== undefined && v > max) return `must be at most ${f.type === 'money' ? money(max) : max}`;
  }
  if (typeof v === 'string') {
    if (f.minLength !== undefined && v.length < f.minLength) return `must be at least ${f.minLength} characters`;
    if (f.maxLength !== undefined && v.length > f.maxLength) return `must be at most ${f.maxLength} characters`;
    if (f.pattern && !new RegExp(`^(?:${f.pattern})$`).test(v)) return f.patternMessage ?? 'has the wrong format';
    if (f.type === 'email' && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(v)) return 'is not an email address';
  }
  return undefined;
}

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

  constructor() {
    super();
    this.fields = [];
    this.values = {};
    this.submitLabel = 'Save';
    this.action = async () => undefined;
    this.patch = false;
    this.errors = {};
    this.busy = false;
    this.message = '';
  }

  private el(name: string) {
    return this.renderRoot.querySelector<HTMLInputElement>(`[name="${name}"]`);
  }

  private collect(): { body: Record<string, unknown>; errors: Record<string, string> } {
    const body: Record<string, unknown> = {};
    const errors: Record<string, string> = {};
    for (const f of this.fields) {
      const v = inputValue(f, this.el(f.name));
      const e = checkField(f, v);
      if (e) errors[f.name] = e;
      if (v !== undefined) body[f.name] = v;
    }
    for (const f of this.fields) {
      if (errors[f.name] || !f.validate) continue;
      const e = f.validate(body[f.name], body);
      if (e) errors[f.name] = e;
    }
    if (this.patch) {
      for (const f of this.fields) {
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
      this.message = 'Please correct the fields marked below.';
      this.el(Object.keys(errors)[0]!)?.focus();
      return;
    }
    if (this.patch && Object.keys(body).length === 0) {
      this.message = 'Nothing changed.';
      return;
    }
    this.busy = true;
    try {
      const result = await this.action(body);
      this.dispatchEvent(new CustomEvent('saved', { detail: result, bubbles: true, composed: true }));
    } catch (err) {
      if (err instanceof ApiError) {
        const known = new Set(this.fields.map((f) => f.name));
        const mine: Record<string, string> = {};
        const other: string[] = [];
        for (const [k, m] of Object.entries(err.fields)) {
          const name = fieldFor(k, known);
          if (name) mine[name] = mine[name] ? `${mine[name]}; ${m}` : m;
          else other.push(`${k} ${m}`);
        }
        this.errors = mine;
        this.message = Object.keys(mine).length && !other.length ? 'The server refused some fields: see below.' : err.message;
      } else this.message = errorText(err);
    } finally {
      this.busy = false;
    }
  }

  private input(f: Field) {
    const v = this.values[f.name];
    const err = this.errors[f.name];
    const common = { id: `f-${f.name}`, invalid: err ? 'true' : 'false' };
    const clear = () => {
      if (this.errors[f.name]) this.errors = { ...this.errors, [f.name]: '' };
    };
    switch (f.type) {
      case 'select':
        return html`<select id=${common.id} name=${f.name} aria-invalid=${common.invalid} @change=${clear}>
          ${f.required ? nothing : html`<option value="">—</option>`}
          ${(f.options ?? []).map(([val, label]) => html`<option value=${val} ?selected=${String(v ?? '') === val}>${label}</option>`)}
        </select>`;
      case 'checkbox':
        return html`<input type="checkbox" id=${common.id} name=${f.name} ?checked=${!!v} @change=${clear}>`;
      case 'textarea':
        return html`<textarea id=${common.id} name=${f.name} rows="3" aria-invalid=${common.invalid} @input=${clear}>${shownValue(f, v)}</textarea>`;
      default: {
        const type = f.type === 'money' ? 'text' : f.type === 'datetime' ? 'datetime-local' : (f.type ?? 'text');
        return html`<input id=${common.id} name=${f.name} type=${type} .value=${shownValue(f, v)} aria-invalid=${common.invalid}
          inputmode=${f.type === 'money' ? 'decimal' : f.type === 'number' ? 'numeric' : 'text'}
          placeholder=${f.placeholder ?? ''} autocomplete=${f.autocomplete ?? 'off'} @input=${clear}>`;
      }
    }
  }

  override render() {
    return html`
      ${this.message ? html`<div class="banner error" role="alert">${this.message}</div>` : nothing}
      <form @submit=${this.submit} novalidate>
        ${this.fields.map((f) => html`<div class="field ${f.type === 'textarea' ? 'wide' : ''}">
          <label for="f-${f.name}">${f.label}${f.required ? ' *' : ''}</label>
          ${this.input(f)}
          ${this.errors[f.name] ? html`<div class="err" data-field=${f.name}>${f.label} ${this.errors[f.name]}</div>` : nothing}
          ${f.help ? html`<div class="help">${f.help}</div>` : nothing}
        </div>`)}
        <div class="actions"><button type="submit" ?disabled=${this.busy}>${this.busy ? 'Saving…' : this.submitLabel}</button><slot></slot></div>
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
