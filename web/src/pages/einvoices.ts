// The e-invoices: every invoice and credit note going to SDI with its delivery state, filtered by state
// and issue dates; SDI's receipts read on demand; the accountant's archive for a range of dates.
import { LitElement, html, nothing } from 'lit';
import { fatturapaUrl, fiscalArchiveUrl, listFiscalDocuments, readReceipts, resendFiscalDocument, type FiscalDocument } from '../data/einvoice.js';
import { ApiError } from '../data/http.js';
import '../components/table.js';
import type { Column, TgTable } from '../components/table.js';
import type { TgDateInput } from '../components/date-input.js';
import '../components/date-input.js';
import { einvoiceBadge, einvoiceErrorText, einvoiceStateName, einvoiceStates, receiptTypeName, resendable, stateReceipt } from '../components/einvoice-state.js';
import { fiscalFieldLabel } from '../fields.js';
import { base, day, errorText, toast, todayIso, when } from '../ui.js';
import { t } from '../i18n.js';

/**
 * What the list says beside the state: the receipt that set it and when it was read (with SDI's text
 * for a rejection, refusal or failed delivery), the time a sent file has waited since, or why it is
 * not sent yet. The state changes only when a receipt is applied, so its last change is the receipt's.
 */
export function einvoiceNote(d: FiscalDocument): string {
  const receipt = stateReceipt(d);
  if (receipt) {
    const read = t('einvoices.receiptRead', { receipt: receiptTypeName(receipt), at: when(d.updatedAt) });
    return d.stateText && d.state !== 'delivered' && d.state !== 'accepted' ? `${read}: ${d.stateText}` : read;
  }
  if (d.state === 'sent') return t('einvoices.waitingReceipt', { at: when(d.updatedAt) });
  if (d.state === 'to_send' && d.lastError) return d.attempts > 0 ? t('einvoices.failedAttempts', { n: d.attempts, error: d.lastError }) : (einvoiceErrorText(d) ?? '');
  return '';
}

export class TgEinvoices extends LitElement {
  static override styles = [base];
  static override properties = { query: { state: true }, reading: { state: true }, resending: { state: true }, archiveFrom: { state: true }, archiveTo: { state: true } };
  declare query: Record<string, string>;
  declare reading: boolean;
  /** The document being sent again. */
  declare resending: number | undefined;
  declare archiveFrom: string;
  declare archiveTo: string;

  constructor() {
    super();
    this.query = {};
    this.reading = false;
    // The accountant's usual range: this month so far.
    this.archiveTo = todayIso();
    this.archiveFrom = `${this.archiveTo.slice(0, 8)}01`;
  }

  private filter(e: Event) {
    const form = new FormData(e.currentTarget as HTMLFormElement);
    e.preventDefault();
    this.query = Object.fromEntries([...form.entries()].filter(([, v]) => v !== '')) as Record<string, string>;
  }

  private async read(): Promise<void> {
    this.reading = true;
    try {
      const { applied } = await readReceipts();
      toast(t('einvoices.receiptsRead', { n: applied }));
      await this.renderRoot.querySelector<TgTable>('tg-table')?.reload();
    } catch (err) {
      toast(t('einvoices.receiptsFailed', { error: errorText(err) }), 'error');
    } finally {
      this.reading = false;
    }
  }

  /** Sends a document again from its row; a refusal says what to correct (the customer is linked in the row). */
  private async resend(d: FiscalDocument): Promise<void> {
    this.resending = d.id;
    try {
      const after = await resendFiscalDocument(d.id);
      toast(t('einvoice.resent', { state: einvoiceStateName(after.state) }));
      await this.renderRoot.querySelector<TgTable>('tg-table')?.reload();
    } catch (err) {
      const fields = err instanceof ApiError && err.code === 'einvoice_not_ready' ? Object.keys(err.fields).map(fiscalFieldLabel).join(', ') : '';
      toast(fields ? `${errorText(err)} ${t('einvoice.fixFields', { fields })}` : errorText(err), 'error');
    } finally {
      this.resending = undefined;
    }
  }

  override render() {
    const cols: Array<Column<FiscalDocument>> = [
      { label: t('col.number'), render: (d) => html`<a href="/einvoices/${d.id}">${d.number}</a>` },
      { label: t('einvoices.kind'), render: (d) => (d.kind === 'invoice' ? t('einvoices.kindInvoice') : t('einvoices.kindCreditNote')), hideSmall: true },
      { label: t('col.customer'), render: (d) => html`<a href="/customers/${d.customerId}">${d.customerName}</a>` },
      { label: t('col.issued'), render: (d) => day(d.issueDate), hideSmall: true },
      { label: t('col.status'), render: (d) => einvoiceBadge(d) },
      { label: t('einvoices.note'), render: (d) => html`<span class="muted" style="white-space:normal" data-test="einvoice-note">${einvoiceNote(d)}</span>` },
      {
        label: t('einvoices.files'),
        render: (d) => html`${d.kind === 'invoice' ? html`<a href="/invoices/${d.documentId}">${t('einvoices.openInvoice')}</a> · ` : nothing}<a href=${fatturapaUrl(d)} download>XML</a>`,
      },
      {
        label: '',
        render: (d) => (resendable(d.state)
          ? html`<button class="secondary" ?disabled=${this.resending !== undefined} @click=${() => this.resend(d)}>${this.resending === d.id ? t('einvoice.resending') : t('einvoice.resend')}</button>`
          : nothing),
      },
    ];
    const range = this.archiveFrom && this.archiveTo && this.archiveFrom <= this.archiveTo;
    return html`<div class="row"><h1 class="grow">${t('nav.einvoices')}</h1>
        <button class="secondary" ?disabled=${this.reading} @click=${this.read}>${this.reading ? t('einvoices.reading') : t('einvoices.readReceipts')}</button></div>
      <p class="muted">${t('einvoices.intro')}</p>
      <form class="card row" @change=${this.filter} @submit=${this.filter}>
        <div><label for="state">${t('col.status')}</label><select id="state" name="state"><option value="">${t('invoices.any')}</option>
          ${einvoiceStates.map((s) => html`<option value=${s}>${einvoiceStateName(s)}</option>`)}</select></div>
        <div><label for="from">${t('invoices.issuedFrom')}</label><tg-date-input input-id="from" name="from"></tg-date-input></div>
        <div><label for="to">${t('invoices.to')}</label><tg-date-input input-id="to" name="to"></tg-date-input></div>
      </form>
      <tg-table .load=${listFiscalDocuments} .query=${this.query} .columns=${cols} .rowHref=${(d: FiscalDocument) => `/einvoices/${d.id}`} empty=${t('einvoices.empty')}></tg-table>
      <h2>${t('einvoices.archive')}</h2>
      <div class="card"><p class="muted">${t('einvoices.archiveHelp')}</p>
        <div class="row">
          <div><label for="archive-from">${t('einvoices.archiveFrom')}</label><tg-date-input input-id="archive-from" .value=${this.archiveFrom}
            @change=${(e: Event) => (this.archiveFrom = (e.currentTarget as TgDateInput).value)}></tg-date-input></div>
          <div><label for="archive-to">${t('invoices.to')}</label><tg-date-input input-id="archive-to" .value=${this.archiveTo}
            described-by=${range ? '' : 'archive-range-error'}
            @change=${(e: Event) => (this.archiveTo = (e.currentTarget as TgDateInput).value)}></tg-date-input></div>
          ${range
            ? html`<a class="button" href=${fiscalArchiveUrl(this.archiveFrom, this.archiveTo)} download data-test="archive">${t('einvoices.downloadArchive')}</a>`
            : html`<span class="err" id="archive-range-error" role="alert">${t('einvoices.badRange')}</span>`}
        </div></div>`;
  }
}
customElements.define('tg-einvoices', TgEinvoices);
