// One e-invoice: its delivery state to SDI, the receipts SDI sent, its file, and "send again" for a
// rejected or unsent one, with the API's reason when it cannot go yet (the customer field to correct).
import { LitElement, html, nothing } from 'lit';
import { Task } from '@lit/task';
import { fatturapaUrl, getFiscalDocument, resendFiscalDocument, type FiscalDocumentDetail, type FiscalReceipt } from '../data/einvoice.js';
import { ApiError } from '../data/http.js';
import { einvoiceBadge, einvoiceErrorText, einvoiceStateName, receiptTypeName, resendable } from '../components/einvoice-state.js';
import { fiscalFieldLabel } from '../fields.js';
import { base, day, errorText, toast, when } from '../ui.js';
import { t } from '../i18n.js';

export class TgEinvoice extends LitElement {
  static override styles = [base];
  static override properties = { documentId: { type: Number }, busy: { state: true }, problem: { state: true } };
  declare documentId: number;
  declare busy: boolean;
  /** Why the last "send again" was refused. */
  declare problem: ApiError | Error | undefined;

  private readonly page = new Task(this, {
    task: ([id]: readonly [number]) => getFiscalDocument(id),
    args: (): readonly [number] => [this.documentId],
  });

  constructor() {
    super();
    this.busy = false;
  }

  private async resend(d: FiscalDocumentDetail): Promise<void> {
    this.busy = true;
    this.problem = undefined;
    try {
      const after = await resendFiscalDocument(d.id);
      toast(t('einvoice.resent', { state: einvoiceStateName(after.state) }));
      await this.page.run();
    } catch (err) {
      this.problem = err instanceof Error ? err : new Error(String(err));
    } finally {
      this.busy = false;
    }
  }

  override render() {
    return this.page.render({
      pending: () => (this.page.value ? this.view(this.page.value) : html`<p class="muted">${t('common.loading')}</p>`),
      complete: (d) => this.view(d),
      error: (err) => html`<div class="banner error">${errorText(err)}</div>`,
    });
  }

  /** The refusal of "send again": the customer's fields to correct, with the way to the customer. */
  private problemView(d: FiscalDocumentDetail) {
    const p = this.problem;
    if (!p) return nothing;
    const fields = p instanceof ApiError && p.code === 'einvoice_not_ready' ? Object.keys(p.fields) : [];
    return html`<div class="banner error" role="alert" data-test="resend-problem">
      <div>${p.message}</div>
      ${fields.length
        ? html`<div>${t('einvoice.fixFields', { fields: fields.map(fiscalFieldLabel).join(', ') })}
            <a href="/customers/${d.customerId}?tab=edit">${t('einvoice.fixCustomer', { name: d.customerName })}</a></div>`
        : nothing}</div>`;
  }

  private receiptRow(r: FiscalReceipt) {
    // The date under the receipt's name, so that SDI's text keeps its room on a phone.
    return html`<tr data-test="receipt" data-type=${r.type}><td>${receiptTypeName(r.type)} <code>${r.type}</code><div class="muted" data-test="receipt-read">${when(r.receivedAt)}</div></td>
      <td style="white-space:normal">${r.errors.length
        ? html`<ul>${r.errors.map((e) => html`<li><code>${e.code}</code> ${e.text}</li>`)}</ul>`
        : (r.text ?? '')}</td>
      <td class="hide-sm"><code>${r.fileName}</code></td></tr>`;
  }

  private view(d: FiscalDocumentDetail) {
    const title = d.kind === 'invoice' ? t('invoice.title', { number: d.number }) : t('einvoice.creditNoteTitle', { number: d.number });
    return html`<div class="row"><h1 class="grow">${title}</h1>
        <a class="button secondary" href=${fatturapaUrl(d)} download>XML</a>
        ${resendable(d.state) ? html`<button ?disabled=${this.busy} @click=${() => this.resend(d)}>${this.busy ? t('einvoice.resending') : t('einvoice.resend')}</button>` : nothing}</div>
      <p><a href="/einvoices">‹ ${t('nav.einvoices')}</a>${d.kind === 'invoice' ? html` · <a href="/invoices/${d.documentId}">${t('einvoices.openInvoice')}</a>` : nothing}</p>
      ${this.problemView(d)}
      <div class="card"><dl class="kv">
        <dt>${t('col.status')}</dt><dd data-test="einvoice-state">${einvoiceBadge(d)}</dd>
        ${d.stateText ? html`<dt>${t('einvoice.sdiSays')}</dt><dd style="white-space:pre-wrap">${d.stateText}</dd>` : nothing}
        ${d.lastError ? html`<dt>${t('einvoice.lastError')}</dt><dd data-test="last-error">${einvoiceErrorText(d)}</dd>` : nothing}
        ${d.attempts ? html`<dt>${t('einvoice.attempts')}</dt><dd>${d.attempts}${d.nextAttemptAt ? ` · ${t('einvoice.nextAttempt', { at: when(d.nextAttemptAt) })}` : ''}</dd>` : nothing}
        <dt>${t('col.customer')}</dt><dd><a href="/customers/${d.customerId}">${d.customerName}</a></dd>
        <dt>${t('col.issued')}</dt><dd>${day(d.issueDate)}</dd>
        <dt>${t('einvoice.file')}</dt><dd style="overflow-wrap:anywhere">${d.fileName ? html`<code>${d.fileName}</code>` : t('einvoice.noFileYet')}</dd>
        ${d.sdiId ? html`<dt>${t('einvoice.sdiId')}</dt><dd><code>${d.sdiId}</code></dd>` : nothing}
        <dt>${t('einvoice.updated')}</dt><dd>${when(d.updatedAt)}</dd></dl>
        ${d.state === 'rejected' ? html`<p class="muted">${t('einvoice.rejectedHelp')}</p>` : nothing}
        ${d.state === 'not_delivered' ? html`<p class="muted">${t('einvoice.notDeliveredHelp')}</p>` : nothing}</div>
      <h2>${t('einvoice.receipts')}</h2>
      ${d.receipts.length
        ? html`<div class="table-wrap"><table><thead><tr><th>${t('einvoice.receiptType')}</th><th>${t('einvoice.receiptText')}</th><th class="hide-sm">${t('einvoice.file')}</th></tr></thead>
            <tbody>${d.receipts.map((r) => this.receiptRow(r))}</tbody></table></div>`
        : html`<p class="muted">${t('einvoice.noReceipt')}</p>`}`;
  }
}
customElements.define('tg-einvoice', TgEinvoice);
