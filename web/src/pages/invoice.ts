// An invoice: its figures, lines, what settled it, its credit notes, its PDF, and the credit note form.
import { LitElement, html, nothing } from 'lit';
import { Task } from '@lit/task';
import { ApiError, type Body, type Page } from '../data/http.js';
import { createCreditNote, creditNotePdfUrl, getInvoice, invoicePdfUrl, listCreditNotes, type CreditNoteSummary, type Invoice } from '../data/invoices.js';
import { fatturapaUrl, listFiscalDocuments, type FiscalDocument } from '../data/einvoice.js';
import '../components/form.js';
import type { Field } from '../components/form.js';
import { invoiceStatus } from '../components/invoice-status.js';
import { einvoiceBadge } from '../components/einvoice-state.js';
import { checkLinePart, creditNoteLines, renameLineErrors } from '../forms.js';
import { base, day, money, toast, todayIso, errorText } from '../ui.js';
import { t } from '../i18n.js';

export class TgInvoice extends LitElement {
  static override styles = [base];
  static override properties = { invoiceId: { type: Number }, crediting: { state: true } };
  declare invoiceId: number;
  declare crediting: boolean;

  private readonly page = new Task(this, {
    task: async ([id]: readonly [number]) => {
      const invoice = await getInvoice(id);
      // The credit notes are an extra: without them the invoice still shows.
      const notes = (await listCreditNotes({ invoiceId: id }).catch((): Page<CreditNoteSummary> => ({ items: [], next: null }))).items.filter((n) => n.invoiceId === id);
      // Its e-invoice, when it goes to SDI (the list has no filter by invoice: the customer's of that day).
      const fiscal = (await listFiscalDocuments({ kind: 'invoice', customerId: invoice.customerId, from: invoice.issueDate, to: invoice.issueDate, limit: 500 })
        .catch((): Page<FiscalDocument> => ({ items: [], next: null }))).items.find((d) => d.documentId === id);
      return { invoice, notes, fiscal };
    },
    args: (): readonly [number] => [this.invoiceId],
  });

  constructor() {
    super();
    this.crediting = false;
  }

  override render() {
    return this.page.render({
      // After a credit note the invoice stays in view while it loads again.
      pending: () => (this.page.value ? this.view(this.page.value.invoice, this.page.value.notes, this.page.value.fiscal) : html`<p class="muted">${t('common.loading')}</p>`),
      complete: ({ invoice, notes, fiscal }) => this.view(invoice, notes, fiscal),
      error: (err) => html`<div class="banner error">${errorText(err)}</div>`,
    });
  }

  private view(i: Invoice, notes: CreditNoteSummary[], fiscal: FiscalDocument | undefined) {
    const creditFields: Field[] = [
      { name: 'reason', label: t('refund.reason'), required: true, maxLength: 500 },
      { name: 'date', label: t('col.date'), type: 'date' },
      ...i.lines.flatMap((l, n): Field[] => [
        { name: `lines.${n}`, label: t(l.taxInclusive ? 'invoice.creditLineInclusive' : 'invoice.creditLinePlusTax', { n: n + 1, description: l.description, amount: money(l.amount, i.currency) }), type: 'checkbox' },
        { name: `lines.${n}.amount`, label: t('invoice.partOfLine', { n: n + 1 }), type: 'money', help: t('invoice.partHelp'),
          validate: (v, all) => (v === undefined ? undefined : all[`lines.${n}`] !== true ? t('invoice.needsLine') : checkLinePart(v as number, l)) },
      ]),
    ];
    const sendCredit = async (b: Body) => {
      const { lines, index } = creditNoteLines(b, i.lines);
      try {
        return await createCreditNote({ invoiceId: i.id, reason: b.reason, ...(b.date ? { date: b.date } : {}), ...(lines ? { lines } : {}) });
      } catch (err) {
        if (err instanceof ApiError) throw new ApiError(err.status, err.code, err.message, renameLineErrors(err.fields, index));
        throw err;
      }
    };
    return html`<div class="row"><h1 class="grow">${t('invoice.title', { number: i.number })}</h1>
        <a class="button secondary" href=${invoicePdfUrl(i.id)} target="_blank" rel="noopener">PDF</a>
        <button class="secondary" ?disabled=${i.total - i.credited <= 0} @click=${() => (this.crediting = !this.crediting)}>${t('invoice.creditNote')}</button></div>
      <p><a href="/customers/${i.customerId}">‹ ${t('why.customer')}</a></p>
      <div class="card"><dl class="kv">
        <dt>${t('col.status')}</dt><dd>${invoiceStatus(i)}</dd><dt>${t('col.issued')}</dt><dd>${day(i.issueDate)}</dd><dt>${t('col.due')}</dt><dd>${day(i.dueDate)}</dd>
        <dt>${t('invoice.net')}</dt><dd>${money(i.net, i.currency)}</dd><dt>${t('invoice.tax')}</dt><dd>${money(i.tax, i.currency)}</dd><dt>${t('col.total')}</dt><dd><b>${money(i.total, i.currency)}</b></dd>
        <dt>${t('invoice.paid')}</dt><dd>${money(i.paid, i.currency)}</dd><dt>${t('invoice.credited')}</dt><dd>${money(i.credited, i.currency)}</dd><dt>${t('col.open')}</dt><dd><b>${money(i.open, i.currency)}</b></dd>
        ${fiscal ? html`<dt>${t('invoice.einvoice')}</dt><dd data-test="invoice-einvoice">${einvoiceBadge(fiscal)} <a href="/einvoices/${fiscal.id}">${t('invoice.einvoiceDetails')}</a> · <a href=${fatturapaUrl(fiscal)} download>XML</a></dd>` : nothing}</dl></div>
      ${this.crediting ? html`<div class="card" data-test="credit-form"><h2>${t('invoice.creditNote')}</h2>
        <p class="muted">${t('invoice.creditHint')}</p>
        <tg-form .fields=${creditFields} submitLabel=${t('invoice.issueCredit')} .values=${{ date: todayIso() }}
          .action=${sendCredit}
          @saved=${() => { this.crediting = false; toast(t('invoice.creditIssued')); void this.page.run(); }}></tg-form></div>` : nothing}
      <h2>${t('invoice.lines')}</h2>
      <div class="table-wrap"><table><thead><tr><th>${t('plans.description')}</th><th class="num">${t('invoice.net')}</th><th class="num hide-sm">${t('invoice.tax')}</th><th class="num">${t('invoice.gross')}</th></tr></thead><tbody>
        ${i.lines.map((l) => html`<tr><td style="white-space:normal">${l.description}</td><td class="num">${money(l.net, i.currency)}</td><td class="num hide-sm">${money(l.tax, i.currency)}</td><td class="num">${money(l.gross, i.currency)}</td></tr>`)}
      </tbody></table></div>
      <h2>${t('invoice.settledBy')}</h2>
      ${i.allocations.length ? html`<ul>${i.allocations.map((a) => html`<li>${day(a.date)}: ${money(a.amount, i.currency)} ${a.paymentId ? t('invoice.fromPayment', { id: a.paymentId }) : t('invoice.fromCredit')}</li>`)}</ul>` : html`<p class="muted">${t('invoice.nothingYet')}</p>`}
      ${notes.length ? html`<h2>${t('invoice.creditNotes')}</h2><ul>${notes.map((n) => html`<li data-test="credit-note">${n.number} · ${day(n.issueDate)} · ${money(n.total, i.currency)}${n.reason ? ` · ${n.reason}` : ''} · <a href=${creditNotePdfUrl(n.id)} target="_blank" rel="noopener">PDF</a></li>`)}</ul>` : nothing}`;
  }
}
customElements.define('tg-invoice', TgInvoice);
