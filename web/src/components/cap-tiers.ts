// A plan's fair-use tiers: from a usage in the cap period on (GB or MB), a reduced speed (Mbit/s or
// kbit/s). Up to three rows; an empty row is no tier. The API's field errors come back beside the
// field of the row they name.
import { LitElement, css, html, nothing } from 'lit';
import { Task } from '@lit/task';
import { ApiError } from '../data/http.js';
import { getCapTiers, putCapTiers } from '../data/plans.js';
import { SIZE_UNITS, SPEED_UNITS, emptyTierRow, tierApiErrors, tierRows, tiersBody, type TierErrors, type TierField, type TierRow } from '../quantities.js';
import { base, errorText, toast } from '../ui.js';
import { t, type MessageKey } from '../i18n.js';

/** Each field's catalogue keys: its name and its unit select's. */
const KEYS: Record<TierField, [MessageKey, MessageKey]> = {
  fromBytes: ['plans.caps.threshold', 'plans.caps.thresholdUnit'],
  downloadKbps: ['plans.caps.download', 'plans.caps.downloadUnit'],
  uploadKbps: ['plans.caps.upload', 'plans.caps.uploadUnit'],
};

export class TgCapTiers extends LitElement {
  static override styles = [base, css`
    .tier { display: grid; gap: 0 1rem; grid-template-columns: repeat(auto-fill, minmax(220px, 1fr)); border: 0; border-top: 1px solid #e6ebf0; margin: 0; padding: 0.6rem 0 0; }
    .tier h3 { grid-column: 1 / -1; font-size: 0.95rem; margin: 0 0 0.4rem; }
    .pair { display: flex; gap: 0.4rem; }
    .pair input { flex: 1 1 auto; min-width: 0; }
    .pair select { flex: 0 0 6.5rem; width: 6.5rem; }
  `];
  static override properties = { planId: { type: Number }, rows: { state: true }, errors: { state: true }, message: { state: true }, busy: { state: true } };
  declare planId: number;
  declare rows: TierRow[];
  declare errors: TierErrors;
  declare message: string;
  declare busy: boolean;

  constructor() {
    super();
    this.rows = [];
    this.errors = {};
    this.message = '';
    this.busy = false;
  }

  private readonly tiers = new Task(this, {
    task: async ([id]: readonly [number]) => {
      const r = await getCapTiers(id);
      this.rows = tierRows(r.tiers);
      return r;
    },
    args: (): readonly [number] => [this.planId],
  });

  private set(r: number, k: TierField, part: 'text' | 'unit', value: string): void {
    this.rows = this.rows.map((row, i) => (i === r ? { ...row, [k]: { ...row[k], [part]: value } } : row));
    if (this.errors[`${r}.${k}`]) this.errors = { ...this.errors, [`${r}.${k}`]: '' };
  }

  private async save(e: Event): Promise<void> {
    e.preventDefault();
    const { tiers, index, errors } = tiersBody(this.rows);
    this.errors = errors;
    this.message = '';
    if (Object.keys(errors).length) {
      this.message = t('form.correctBelow');
      return;
    }
    this.busy = true;
    try {
      const saved = await putCapTiers(this.planId, tiers);
      this.rows = tierRows(saved.tiers);
      toast(t('plans.caps.saved'));
    } catch (err) {
      if (err instanceof ApiError && Object.keys(err.fields).length) {
        this.errors = tierApiErrors(err.fields, index);
        this.message = this.errors.tiers ?? t('form.serverRefused');
      } else this.message = errorText(err);
    } finally {
      this.busy = false;
    }
  }

  private field(r: number, k: TierField) {
    const v = this.rows[r]![k];
    const id = `tier-${r}-${k}`;
    const err = this.errors[`${r}.${k}`];
    const units = k === 'fromBytes' ? SIZE_UNITS : SPEED_UNITS;
    return html`<div class="field">
      <label for=${id}>${t(KEYS[k][0])}</label>
      <div class="pair">
        <input id=${id} name=${`tiers.${r}.${k}`} inputmode="decimal" autocomplete="off" .value=${v.text} aria-invalid=${err ? 'true' : 'false'}
          aria-describedby=${err ? `${id}-err` : nothing} @input=${(e: Event) => this.set(r, k, 'text', (e.target as HTMLInputElement).value)}>
        <select name=${`tiers.${r}.${k}.unit`} aria-label=${t(KEYS[k][1])} @change=${(e: Event) => this.set(r, k, 'unit', (e.target as HTMLSelectElement).value)}>
          ${units.map((u) => html`<option value=${u} ?selected=${v.unit === u}>${u}</option>`)}
        </select>
      </div>
      ${err ? html`<div class="err" id=${`${id}-err`} data-field=${`tiers.${r}.${k}`}>${err}</div>` : nothing}
    </div>`;
  }

  override render() {
    return html`<div class="card" data-test="cap-tiers"><h2>${t('plans.caps.title')}</h2><p class="muted">${t('plans.caps.intro')}</p>
      ${this.tiers.render({
        pending: () => html`<p class="muted">${t('common.loading')}</p>`,
        error: (err) => html`<div class="banner error">${errorText(err)}</div>`,
        complete: () => html`
          ${this.message ? html`<div class="banner error" role="alert">${this.message}</div>` : nothing}
          <form @submit=${this.save} novalidate>
            ${this.rows.map((_row, r) => html`<fieldset class="tier"><h3>${t('plans.caps.tier', { n: r + 1 })}</h3>
              ${(['fromBytes', 'downloadKbps', 'uploadKbps'] as const).map((k) => this.field(r, k))}
              <div class="field"><button type="button" class="secondary" aria-label=${t('plans.caps.clearTier', { n: r + 1 })}
                @click=${() => { this.rows = this.rows.map((row, i) => (i === r ? emptyTierRow() : row)); }}>${t('plans.caps.clear')}</button></div>
            </fieldset>`)}
            <div class="row"><button type="submit" ?disabled=${this.busy}>${this.busy ? t('common.saving') : t('plans.caps.save')}</button></div>
          </form>`,
      })}
    </div>`;
  }
}
customElements.define('tg-cap-tiers', TgCapTiers);

declare global {
  interface HTMLElementTagNameMap {
    'tg-cap-tiers': TgCapTiers;
  }
}
