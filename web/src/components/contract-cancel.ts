// Ending a contract in two steps: the dates (notice given on, last day of service) are first sent for
// a quote, which shows the last day and the early-termination charge the term leaves due; only the
// confirmation, with the same dates, cancels. Fires `cancelled` with the API's answer.
import { LitElement, html, nothing } from 'lit';
import type { Body } from '../data/http.js';
import { cancelQuote, cancelService, type CancelDates, type CancelQuote, type Cancellation } from '../data/contract.js';
import { base, day, errorText, money, toast, todayIso } from '../ui.js';
import { t } from '../i18n.js';
import './form.js';
import type { Field } from './form.js';

const cancelFields = (): Field[] => [
  { name: 'noticeDate', label: t('contract.noticeDate'), type: 'date', required: true, help: t('contract.noticeDateHelp') },
  { name: 'endDate', label: t('contract.cancelEnd'), type: 'date', help: t('contract.cancelEndHelp') },
];

export class TgContractCancel extends LitElement {
  static override styles = [base];
  static override properties = { serviceId: { type: Number }, quote: { state: true }, dates: { state: true }, busy: { state: true }, error: { state: true } };
  declare serviceId: number;
  /** The quote of the dates typed, shown until confirmed or changed. */
  declare quote: CancelQuote | undefined;
  declare dates: CancelDates;
  declare busy: boolean;
  declare error: string;

  constructor() {
    super();
    this.dates = {};
    this.busy = false;
    this.error = '';
  }

  private ask(b: Body): Promise<CancelQuote> {
    const dates: CancelDates = { noticeDate: String(b.noticeDate), ...(typeof b.endDate === 'string' ? { endDate: b.endDate } : {}) };
    this.dates = dates;
    return cancelQuote(this.serviceId, dates);
  }

  private async confirmEnd(): Promise<void> {
    this.busy = true;
    this.error = '';
    try {
      const done: Cancellation = await cancelService(this.serviceId, this.dates);
      this.quote = undefined;
      toast(t('contract.cancelled', { day: day(done.lastDayOfService ?? done.endDate) }));
      this.dispatchEvent(new CustomEvent('cancelled', { detail: done }));
    } catch (err) {
      this.error = errorText(err);
    } finally {
      this.busy = false;
    }
  }

  override render() {
    const q = this.quote;
    if (q) {
      return html`<div class="banner warn" data-test="cancel-quote" role="status">
          <p><b>${t('contract.quoteTitle')}</b></p>
          <dl class="kv">
            <dt>${t('contract.noticeDate')}</dt><dd>${day(q.noticeDate)}</dd>
            <dt>${t('contract.lastDay')}</dt><dd data-test="quote-end">${day(q.lastDayOfService)}</dd>
            <dt>${t('contract.committedDays')}</dt><dd>${q.earlyTermination ? `${day(q.earlyTermination.from)} – ${day(q.earlyTermination.to)}` : t('contract.nothingCommitted')}</dd>
          </dl>
          <div style="margin-top:0.6rem">${t('contract.penalty')}</div>
          <div class="kpi" data-test="quote-charge">${money(q.earlyTerminationCharge, q.currency)}</div>
          <p class="muted">${q.earlyTerminationCharge ? t('contract.penaltyHelp') : t('contract.noPenalty')}</p></div>
        ${this.error ? html`<div class="banner error" role="alert">${this.error}</div>` : nothing}
        <div class="row"><button class="danger" data-test="confirm-cancel" ?disabled=${this.busy} @click=${() => void this.confirmEnd()}>${t('contract.confirmCancel')}</button>
          <button class="secondary" ?disabled=${this.busy} @click=${() => (this.quote = undefined)}>${t('contract.changeDates')}</button></div>`;
    }
    return html`<tg-form .fields=${cancelFields()} .values=${{ noticeDate: this.dates.noticeDate ?? todayIso(), endDate: this.dates.endDate }} submitLabel=${t('contract.quote')}
      .action=${(b: Body) => this.ask(b)}
      @saved=${(e: CustomEvent<CancelQuote>) => { e.stopPropagation(); this.quote = e.detail; }}></tg-form>`;
  }
}
customElements.define('tg-contract-cancel', TgContractCancel);

declare global {
  interface HTMLElementTagNameMap {
    'tg-contract-cancel': TgContractCancel;
  }
}
