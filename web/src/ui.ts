// Shared pieces of the screens: styles, formatting, a paginated table over a list endpoint, a form
// that validates before sending and shows the API's field errors beside the fields, and SVG charts.
import { LitElement, css, html, nothing, svg, type TemplateResult } from 'lit';
import { api, ApiError, type Page } from './api.js';
import { fieldFor } from './forms.js';

export const base = css`
  :host { display: block; }
  * { box-sizing: border-box; }
  h1 { font-size: 1.35rem; margin: 0 0 1rem; }
  h2 { font-size: 1.1rem; margin: 1.5rem 0 0.6rem; }
  a { color: #1f5fa8; }
  .card { background: #fff; border: 1px solid #dde3ea; border-radius: 8px; padding: 1rem; margin-bottom: 1rem; }
  .row { display: flex; gap: 0.5rem; flex-wrap: wrap; align-items: center; }
  .grow { flex: 1 1 auto; }
  .muted { color: #5b6b7c; font-size: 0.9em; }
  .grid { display: grid; gap: 1rem; grid-template-columns: repeat(auto-fill, minmax(230px, 1fr)); }
  button, .button { font: inherit; padding: 0.45rem 0.9rem; border-radius: 6px; border: 1px solid #1f5fa8; background: #1f5fa8; color: #fff; cursor: pointer; text-decoration: none; display: inline-block; min-height: 2.2rem; }
  button.secondary, .button.secondary { background: #fff; color: #1f5fa8; }
  button.danger { background: #b42318; border-color: #b42318; }
  button:disabled { opacity: 0.55; cursor: default; }
  input, select, textarea { font: inherit; padding: 0.45rem 0.55rem; border: 1px solid #b8c4d0; border-radius: 6px; width: 100%; background: #fff; min-height: 2.2rem; }
  input[type='checkbox'] { width: auto; min-height: 0; }
  input[aria-invalid='true'], select[aria-invalid='true'] { border-color: #b42318; }
  label { display: block; font-weight: 600; font-size: 0.9rem; margin-bottom: 0.2rem; }
  .field { margin-bottom: 0.8rem; }
  .err { color: #b42318; font-size: 0.85rem; margin-top: 0.2rem; }
  .help { color: #5b6b7c; font-size: 0.8rem; margin-top: 0.15rem; }
  .banner { padding: 0.6rem 0.8rem; border-radius: 6px; margin-bottom: 0.8rem; }
  .banner.error { background: #fdecea; color: #8a1c12; border: 1px solid #f3b8b0; }
  .banner.ok { background: #e8f5ec; color: #1d5c33; border: 1px solid #b5dfc2; }
  .banner.warn { background: #fff5e0; color: #7a4b00; border: 1px solid #f1d39a; }
  .table-wrap { overflow-x: auto; }
  table { border-collapse: collapse; width: 100%; background: #fff; }
  th, td { text-align: left; padding: 0.45rem 0.55rem; border-bottom: 1px solid #e6ebf0; white-space: nowrap; }
  th { font-size: 0.8rem; text-transform: uppercase; letter-spacing: 0.03em; color: #5b6b7c; }
  td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
  tr.link { cursor: pointer; }
  tr.link:hover td { background: #f2f6fb; }
  .badge { display: inline-block; padding: 0.05rem 0.5rem; border-radius: 999px; font-size: 0.8rem; background: #e6ebf0; }
  .badge.ok, .badge.active, .badge.accept, .badge.up, .badge.online, .badge.sent, .badge.paid, .badge.ack { background: #dff3e6; color: #1d5c33; }
  .badge.suspended, .badge.reject, .badge.down, .badge.failed, .badge.overdue, .badge.nak { background: #fdecea; color: #8a1c12; }
  .badge.proposal, .badge.pending, .badge.unknown, .badge.open, .badge.timeout { background: #fff5e0; color: #7a4b00; }
  .kpi { font-size: 1.8rem; font-weight: 700; }
  .pager { display: flex; gap: 0.5rem; align-items: center; margin-top: 0.5rem; }
  dl.kv { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1rem; margin: 0; }
  dl.kv dt { color: #5b6b7c; }
  dl.kv dd { margin: 0; }
  @media (max-width: 700px) {
    th, td { padding: 0.4rem; }
    .hide-sm { display: none; }
    .kpi { font-size: 1.4rem; }
  }
`;

// ---- Formatting

let currency = 'EUR';
export function setCurrency(c: string): void {
  currency = c;
}
export function money(minor: number | null | undefined, cur = currency): string {
  if (minor === null || minor === undefined) return '—';
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency: cur }).format(minor / 100);
  } catch {
    return (minor / 100).toFixed(2);
  }
}
export function when(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}
export function day(date: string | null | undefined): string {
  if (!date) return '—';
  const d = new Date(`${date}T12:00:00Z`);
  return Number.isNaN(d.getTime()) ? date : d.toLocaleDateString(undefined, { day: 'numeric', month: 'short', year: 'numeric' });
}
export function ago(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '—';
  const s = Math.round((now - Date.parse(iso)) / 1000);
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86_400)} days ago`;
}
export function bytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  const u = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let i = 0;
  let v = n;
  while (v >= 1000 && i < u.length - 1) (v /= 1000), i++;
  return `${v.toFixed(v >= 100 || i === 0 ? 0 : 1)} ${u[i]}`;
}
export function duration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return h ? `${h} h ${m} min` : `${m} min ${seconds % 60} s`;
}
export function speed(kbps: number): string {
  return kbps >= 1000 ? `${(kbps / 1000).toFixed(kbps % 1000 ? 1 : 0)} Mbit/s` : `${kbps} kbit/s`;
}
export const badge = (s: string | null | undefined) => html`<span class="badge ${s ?? ''}">${s ?? '—'}</span>`;
let billingZone: string | undefined;
/** The billing time zone (from /auth/me): billing dates the server checks are dates there. */
export function setBillingZone(tz: string): void {
  billingZone = tz;
}
/** `at`'s calendar date (YYYY-MM-DD) in `tz`, else in the browser's zone (never UTC's, a day off at night). */
export function dateIn(at: Date, tz?: string): string {
  try {
    return new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
  } catch {
    return new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
  }
}
/** Today in the billing time zone: the default of every billing date field. */
export const todayIso = () => dateIn(new Date(), billingZone);

/** Announces a change to the app shell (the toast line). */
export function toast(message: string, kind: 'ok' | 'error' = 'ok'): void {
  window.dispatchEvent(new CustomEvent('tg-toast', { detail: { message, kind } }));
}
export function errorText(err: unknown): string {
  return err instanceof ApiError ? err.message : String((err as Error)?.message ?? err);
}

// ---- A list over the API, one page at a time (cursor pagination)

export interface Column<T> {
  label: string;
  render: (row: T) => unknown;
  num?: boolean;
  hideSmall?: boolean;
}

export class TgTable<T = Record<string, unknown>> extends LitElement {
  static override styles = [base, css`:host { display: block; }`];
  static override properties = {
    path: {},
    query: { attribute: false },
    columns: { attribute: false },
    rowHref: { attribute: false },
    empty: {},
    limit: { type: Number },
    rows: { state: true },
    next: { state: true },
    error: { state: true },
    loading: { state: true },
  };
  declare path: string;
  declare query: Record<string, string | number | boolean | undefined>;
  declare columns: Array<Column<T>>;
  declare rowHref: ((row: T) => string) | undefined;
  declare empty: string;
  declare limit: number;
  declare rows: T[];
  declare next: string | null;
  declare error: string;
  declare loading: boolean;
  private cursors: Array<string | undefined> = [undefined];
  private key = '';
  private seq = 0;

  constructor() {
    super();
    this.path = '';
    this.query = {};
    this.columns = [];
    this.empty = 'Nothing here yet.';
    this.limit = 25;
    this.rows = [];
    this.next = null;
    this.error = '';
    this.loading = false;
  }

  protected override willUpdate(): void {
    const key = this.path + JSON.stringify(this.query);
    if (key !== this.key && this.path) {
      this.key = key;
      this.cursors = [undefined];
      void this.load();
    }
  }

  /** Loads the current page again (after a change made elsewhere on the screen). */
  async reload(): Promise<void> {
    await this.load();
  }

  private async load(): Promise<void> {
    const seq = ++this.seq;
    this.loading = true;
    try {
      const page = await api.get<Page<T>>(this.path, { ...this.query, limit: this.limit, cursor: this.cursors[this.cursors.length - 1] });
      if (seq !== this.seq) return;
      this.rows = page.items;
      this.next = page.next;
      this.error = '';
    } catch (err) {
      if (seq !== this.seq) return;
      this.error = errorText(err);
      this.rows = [];
    } finally {
      if (seq === this.seq) this.loading = false;
    }
  }

  private page(dir: 1 | -1): void {
    if (dir === 1 && this.next) this.cursors = [...this.cursors, this.next];
    if (dir === -1 && this.cursors.length > 1) this.cursors = this.cursors.slice(0, -1);
    void this.load();
  }

  override render() {
    if (this.error) return html`<div class="banner error">${this.error}</div>`;
    const first = this.cursors.length === 1;
    return html`
      <div class="table-wrap">
        <table>
          <thead><tr>${this.columns.map((c) => html`<th class="${c.num ? 'num' : ''} ${c.hideSmall ? 'hide-sm' : ''}">${c.label}</th>`)}</tr></thead>
          <tbody>
            ${this.rows.length === 0 && !this.loading ? html`<tr><td colspan=${this.columns.length} class="muted">${this.empty}</td></tr>` : nothing}
            ${this.rows.map((r) => {
              const href = this.rowHref?.(r);
              return html`<tr class=${href ? 'link' : ''} @click=${href ? (e: Event) => this.open(e, href) : undefined}>
                ${this.columns.map((c) => html`<td class="${c.num ? 'num' : ''} ${c.hideSmall ? 'hide-sm' : ''}">${c.render(r)}</td>`)}
              </tr>`;
            })}
          </tbody>
        </table>
      </div>
      ${first && !this.next ? nothing : html`<div class="pager">
        <button class="secondary" ?disabled=${first} @click=${() => this.page(-1)}>‹ Previous</button>
        <span class="muted">page ${this.cursors.length}</span>
        <button class="secondary" ?disabled=${!this.next} @click=${() => this.page(1)}>Next ›</button>
      </div>`}
      ${this.loading ? html`<div class="muted" role="status">Loading…</div>` : nothing}
    `;
  }

  private open(e: Event, href: string): void {
    if ((e.target as HTMLElement).closest('a, button')) return;
    history.pushState(null, '', href);
    window.dispatchEvent(new PopStateEvent('popstate'));
  }
}
customElements.define('tg-table', TgTable);

// ---- Forms

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

// ---- Charts (inline SVG)

/** Stacked bars per bucket: accepts (green) under rejects (red). */
export function authChart(points: Array<{ minute: string; accept: number; reject: number }>, endIso: string, minutes = 60): TemplateResult {
  const end = Math.floor(Date.parse(endIso) / 60_000);
  const byMin = new Map(points.map((p) => [Math.floor(Date.parse(`${p.minute}:00Z`) / 60_000), p]));
  const buckets = Array.from({ length: minutes }, (_, i) => byMin.get(end - minutes + 1 + i) ?? { minute: '', accept: 0, reject: 0 });
  const max = Math.max(1, ...buckets.map((b) => b.accept + b.reject));
  const w = 600;
  const h = 120;
  const bw = w / minutes;
  return html`<svg viewBox="0 0 ${w} ${h}" width="100%" height="120" preserveAspectRatio="none" role="img" aria-label="Access-Request outcomes per minute, last hour">
    ${buckets.map((b, i) => {
      const ha = (b.accept / max) * h;
      const hr = (b.reject / max) * h;
      return svg`<rect x=${i * bw + 1} y=${h - ha} width=${bw - 2} height=${ha} fill="#2e8b57"><title>${b.accept} accepted</title></rect>
        <rect x=${i * bw + 1} y=${h - ha - hr} width=${bw - 2} height=${hr} fill="#c0392b"><title>${b.reject} rejected</title></rect>`;
    })}
    <line x1="0" x2=${w} y1=${h} y2=${h} stroke="#b8c4d0" />
  </svg>
  <div class="row muted"><span class="grow">−${minutes} min</span><span>now · peak ${max}/min</span></div>`;
}

/** Two horizontal bars to compare (this month against last). */
export function compareBars(items: Array<{ label: string; value: number; text: string; color: string }>): TemplateResult {
  const max = Math.max(1, ...items.map((i) => i.value));
  return html`<svg viewBox="0 0 300 ${items.length * 34}" width="100%" role="img">
    ${items.map((it, i) => svg`<text x="0" y=${i * 34 + 21} font-size="15" fill="#1d2733">${it.label}</text>
      <rect x="100" y=${i * 34 + 6} height="20" width=${Math.max(2, (it.value / max) * 110)} fill=${it.color} rx="3" />
      <text x=${106 + Math.max(2, (it.value / max) * 110)} y=${i * 34 + 21} font-size="15" fill="#1d2733">${it.text}</text>`)}
  </svg>`;
}

/** A ring split into parts (NAS up / down / unknown). */
export function ring(parts: Array<{ value: number; color: string; label: string }>, size = 96): TemplateResult {
  const total = parts.reduce((s, p) => s + p.value, 0);
  const r = 38;
  const c = 2 * Math.PI * r;
  let offset = 0;
  return html`<svg viewBox="0 0 100 100" width=${size} height=${size} role="img" aria-label=${parts.map((p) => `${p.value} ${p.label}`).join(', ')}>
    <circle cx="50" cy="50" r=${r} fill="none" stroke="#e6ebf0" stroke-width="14" />
    ${total === 0 ? nothing : parts.map((p) => {
      const len = (p.value / total) * c;
      const el = svg`<circle cx="50" cy="50" r=${r} fill="none" stroke=${p.color} stroke-width="14" stroke-dasharray="${len} ${c - len}" stroke-dashoffset=${-offset} transform="rotate(-90 50 50)"><title>${p.value} ${p.label}</title></circle>`;
      offset += len;
      return el;
    })}
    <text x="50" y="56" font-size="18" text-anchor="middle" fill="#1d2733">${total}</text>
  </svg>`;
}

/** A line of traffic samples (bits per second), for the NAS page. */
export function sparkline(values: number[], w = 600, h = 100): TemplateResult {
  if (values.length < 2) return html`<p class="muted">Not enough samples yet.</p>`;
  const max = Math.max(1, ...values);
  const pts = values.map((v, i) => `${((i / (values.length - 1)) * w).toFixed(1)},${(h - (v / max) * h).toFixed(1)}`).join(' ');
  return html`<svg viewBox="0 0 ${w} ${h}" width="100%" role="img"><polyline points=${pts} fill="none" stroke="#1f5fa8" stroke-width="2" /></svg>`;
}
