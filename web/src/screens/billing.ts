// Invoices (list, detail with PDF and credit note) and payments.
import { LitElement, html, nothing } from 'lit';
import { api, ApiError, type Invoice, type Payment } from '../api.js';
import { checkLinePart, creditNoteLines, renameLineErrors } from '../forms.js';
import { badge, base, day, errorText, money, toast, todayIso, type Column, type Field, type TgTable } from '../ui.js';

const invoiceStatus = (i: Invoice & { status?: string }) => badge(i.open > 0 && i.dueDate < todayIso() ? 'overdue' : (i.status ?? (i.open ? 'open' : 'paid')));

export class TgInvoices extends LitElement {
  static override styles = [base];
  static override properties = { query: { state: true } };
  declare query: Record<string, string>;
  constructor() {
    super();
    this.query = {};
  }
  private filter(e: Event) {
    const f = new FormData(e.currentTarget as HTMLFormElement);
    e.preventDefault();
    this.query = Object.fromEntries([...f.entries()].filter(([, v]) => v !== '')) as Record<string, string>;
  }
  override render() {
    const cols: Array<Column<Invoice>> = [
      { label: 'Number', render: (i) => html`<a href="/invoices/${i.id}">${i.number}</a>` },
      { label: 'Customer', render: (i) => html`<a href="/customers/${i.customerId}">#${i.customerId}</a>` },
      { label: 'Issued', render: (i) => day(i.issueDate), hideSmall: true },
      { label: 'Due', render: (i) => day(i.dueDate) },
      { label: 'Total', render: (i) => money(i.total, i.currency), num: true },
      { label: 'Open', render: (i) => money(i.open, i.currency), num: true },
      { label: 'Status', render: invoiceStatus },
    ];
    return html`<h1>Invoices</h1>
      <form class="card row" @change=${this.filter} @submit=${this.filter}>
        <div><label for="status">Status</label><select id="status" name="status"><option value="">any</option><option>open</option><option>paid</option></select></div>
        <div><label for="from">Issued from</label><input id="from" name="from" type="date"></div>
        <div><label for="to">to</label><input id="to" name="to" type="date"></div>
        <a class="button secondary" href="/api/v1/exports/invoices.csv" download>CSV</a>
      </form>
      <tg-table path="/invoices" .query=${this.query} .columns=${cols} .rowHref=${(i: Invoice) => `/invoices/${i.id}`} empty="No invoice."></tg-table>`;
  }
}
customElements.define('tg-invoices', TgInvoices);

interface FullInvoice extends Invoice {
  status: string;
  lines: Array<{ key: string; description: string; amount: number; taxInclusive: boolean; net: number; tax: number; gross: number; taxRateBp: number; periodStart?: string | null; periodEnd?: string | null }>;
  taxes: Array<{ taxRateBp: number; net: number; tax: number; gross: number }>;
  allocations: Array<{ id: number; paymentId: number | null; amount: number; date: string }>;
}

export class TgInvoice extends LitElement {
  static override styles = [base];
  static override properties = { invoiceId: { type: Number }, inv: { state: true }, error: { state: true }, crediting: { state: true }, notes: { state: true } };
  declare invoiceId: number;
  declare inv: FullInvoice | undefined;
  declare error: string;
  declare crediting: boolean;
  declare notes: Array<{ id: number; number: string; issueDate: string; total: number; reason?: string | null }>;
  constructor() {
    super();
    this.error = '';
    this.crediting = false;
    this.notes = [];
  }
  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }
  private async load() {
    try {
      this.inv = await api.get<FullInvoice>(`/invoices/${this.invoiceId}`);
      this.notes = (await api.get<{ items: Array<{ id: number; number: string; issueDate: string; total: number; invoiceId: number; reason?: string | null }> }>('/credit-notes', { invoiceId: this.invoiceId }).catch(() => ({ items: [] }))).items
        .filter((n) => n.invoiceId === undefined || n.invoiceId === this.invoiceId);
    } catch (err) {
      this.error = errorText(err);
    }
  }
  override render() {
    if (this.error) return html`<div class="banner error">${this.error}</div>`;
    const i = this.inv;
    if (!i) return html`<p class="muted">Loading…</p>`;
    const creditFields: Field[] = [
      { name: 'reason', label: 'Reason', required: true, maxLength: 500 },
      { name: 'date', label: 'Date', type: 'date' },
      ...i.lines.flatMap((l, n): Field[] => [
        { name: `lines.${n}`, label: `Credit line ${n + 1}: ${l.description} (${money(l.amount, i.currency)}${l.taxInclusive ? ' incl. tax' : ' + tax'})`, type: 'checkbox' },
        { name: `lines.${n}.amount`, label: `Part of line ${n + 1}`, type: 'money', help: 'empty: what is left of the line',
          validate: (v, all) => (v === undefined ? undefined : all[`lines.${n}`] !== true ? 'needs the line chosen' : checkLinePart(v as number, l)) },
      ]),
    ];
    const sendCredit = async (b: Record<string, unknown>) => {
      const { lines, index } = creditNoteLines(b, i.lines);
      try {
        return await api.post('/credit-notes', { invoiceId: i.id, reason: b.reason, ...(b.date ? { date: b.date } : {}), ...(lines ? { lines } : {}) });
      } catch (err) {
        if (err instanceof ApiError) throw new ApiError(err.status, err.code, err.message, renameLineErrors(err.fields, index));
        throw err;
      }
    };
    return html`<div class="row"><h1 class="grow">Invoice ${i.number}</h1>
        <a class="button secondary" href="/api/v1/invoices/${i.id}/pdf" target="_blank" rel="noopener">PDF</a>
        <button class="secondary" ?disabled=${i.total - i.credited <= 0} @click=${() => (this.crediting = !this.crediting)}>Credit note</button></div>
      <p><a href="/customers/${i.customerId}">‹ customer</a></p>
      <div class="card"><dl class="kv">
        <dt>Status</dt><dd>${invoiceStatus(i)}</dd><dt>Issued</dt><dd>${day(i.issueDate)}</dd><dt>Due</dt><dd>${day(i.dueDate)}</dd>
        <dt>Net</dt><dd>${money(i.net, i.currency)}</dd><dt>Tax</dt><dd>${money(i.tax, i.currency)}</dd><dt>Total</dt><dd><b>${money(i.total, i.currency)}</b></dd>
        <dt>Paid</dt><dd>${money(i.paid, i.currency)}</dd><dt>Credited</dt><dd>${money(i.credited, i.currency)}</dd><dt>Open</dt><dd><b>${money(i.open, i.currency)}</b></dd></dl></div>
      ${this.crediting ? html`<div class="card" data-test="credit-form"><h2>Credit note</h2>
        <p class="muted">Choose the lines to credit, each fully or a part of it (as priced); none chosen: the whole invoice, what earlier notes left.</p>
        <tg-form .fields=${creditFields} submitLabel="Issue credit note" .values=${{ date: todayIso() }}
          .action=${sendCredit}
          @saved=${() => { this.crediting = false; toast('Credit note issued'); void this.load(); }}></tg-form></div>` : nothing}
      <h2>Lines</h2>
      <div class="table-wrap"><table><thead><tr><th>Description</th><th class="num">Net</th><th class="num hide-sm">Tax</th><th class="num">Gross</th></tr></thead><tbody>
        ${i.lines.map((l) => html`<tr><td style="white-space:normal">${l.description}</td><td class="num">${money(l.net, i.currency)}</td><td class="num hide-sm">${money(l.tax, i.currency)}</td><td class="num">${money(l.gross, i.currency)}</td></tr>`)}
      </tbody></table></div>
      <h2>Settled by</h2>
      ${i.allocations.length ? html`<ul>${i.allocations.map((a) => html`<li>${day(a.date)}: ${money(a.amount, i.currency)} ${a.paymentId ? `from payment #${a.paymentId}` : 'from credit'}</li>`)}</ul>` : html`<p class="muted">Nothing yet.</p>`}
      ${this.notes.length ? html`<h2>Credit notes</h2><ul>${this.notes.map((n) => html`<li data-test="credit-note">${n.number} · ${day(n.issueDate)} · ${money(n.total, i.currency)}${n.reason ? ` · ${n.reason}` : ''} · <a href="/api/v1/credit-notes/${n.id}/pdf" target="_blank" rel="noopener">PDF</a></li>`)}</ul>` : nothing}`;
  }
}
customElements.define('tg-invoice', TgInvoice);

const refundFields = (p: Payment): Field[] => [
  { name: 'amount', label: 'Amount', type: 'money', min: 0.01, help: `empty: all the customer still holds of it as credit (at most ${money(p.amount - p.refunded)})`,
    validate: (v) => (typeof v === 'number' && v > p.amount - p.refunded ? `must be at most ${money(p.amount - p.refunded)}, what is not refunded yet` : undefined) },
  { name: 'date', label: 'Date', type: 'date' },
  { name: 'reason', label: 'Reason', nullable: true, maxLength: 500 },
  { name: 'reopenInvoices', label: 'Also when it settled invoices (they open again)', type: 'checkbox',
    help: 'off: only from the credit the customer holds; on: reverses the settlement, newest invoice first' },
];

/**
 * The refund form of one payment (shared by the payments screen and the customer page): fires
 * `refunded` (detail: the API's answer) once done and `cancel` when closed.
 */
/**
 * The refund form's default date: today, or the payment's date when that is later (the browser's
 * UTC today can be a day behind the billing timezone's, and a refund cannot precede its payment).
 */
const refundDate = (p: Payment) => (p.date > todayIso() ? p.date : todayIso());

export class TgRefund extends LitElement {
  static override styles = [base];
  static override properties = { payment: { attribute: false } };
  declare payment: Payment | undefined;
  override render() {
    const r = this.payment;
    if (!r) return nothing;
    return html`<div class="card" data-test="refund-form"><h2>Refund payment #${r.id} · ${money(r.amount)}${r.reference ? ` · ${r.reference}` : ''}</h2>
      <tg-form .fields=${refundFields(r)} submitLabel="Refund" .values=${{ date: refundDate(r) }}
        .action=${(b: Record<string, unknown>) => api.post<{ amount: number }>(`/payments/${r.id}/refund`, b)}
        @saved=${(e: CustomEvent<{ amount: number }>) => {
          toast(`Refunded ${money(e.detail.amount)}`);
          this.dispatchEvent(new CustomEvent('refunded', { detail: e.detail }));
        }}>
        <button type="button" class="secondary" @click=${() => this.dispatchEvent(new CustomEvent('cancel'))}>Cancel</button></tg-form></div>`;
  }
}
customElements.define('tg-refund', TgRefund);

/** The payments tables' "Refunded" column and their refund action (a button while something is left to refund). */
export function refundColumns(open: (p: Payment) => void): Array<Column<Payment>> {
  return [
    { label: 'Refunded', render: (p) => (p.refunded ? money(p.refunded) : '—'), num: true, hideSmall: true },
    { label: '', render: (p) => (p.refunded < p.amount ? html`<button class="secondary" @click=${() => open(p)}>Refund</button>` : html`<span class="muted">refunded</span>`) },
  ];
}

export class TgPayments extends LitElement {
  static override styles = [base];
  static override properties = { refunding: { state: true } };
  declare refunding: Payment | undefined;
  override render() {
    const [refunded, action] = refundColumns((p) => (this.refunding = p));
    const cols: Array<Column<Payment>> = [
      { label: 'Date', render: (p) => day(p.date) },
      { label: 'Customer', render: (p) => html`<a href="/customers/${p.customerId}">#${p.customerId}</a>` },
      { label: 'Amount', render: (p) => money(p.amount), num: true },
      refunded!,
      { label: 'Method', render: (p) => p.method },
      { label: 'Reference', render: (p) => p.reference ?? '—', hideSmall: true },
      action!,
    ];
    const r = this.refunding;
    return html`<div class="row"><h1 class="grow">Payments</h1><a class="button secondary" href="/api/v1/exports/payments.csv" download>CSV</a></div>
      <p class="muted">Record a payment from the customer's page.</p>
      ${r ? html`<tg-refund .payment=${r} @cancel=${() => (this.refunding = undefined)}
        @refunded=${() => { this.refunding = undefined; void (this.renderRoot.querySelector('tg-table') as TgTable).reload(); }}></tg-refund>` : nothing}
      <tg-table path="/payments" .columns=${cols} empty="No payment yet."></tg-table>`;
  }
}
customElements.define('tg-payments', TgPayments);
