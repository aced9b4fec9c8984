/**
 * The e-invoicing repository: which invoices and credit notes go to SDI and their delivery state,
 * the files sent (as sent) and SDI's receipts, and the documents' data the FatturaPA XML is built
 * from. Statements are prepared once. A receipt is stored once (its file name is unique), so mail
 * read twice changes nothing twice.
 */
import type { Receipt, StateChange } from '../domain/einvoice/receipts.js';
import type { DeliveryState } from '../domain/einvoice/receipts.js';
import type { FiscalFields } from '../domain/fiscal/customer.js';
import { Conditions } from './conditions.js';
import type { SqlClient } from './sql.js';

export type DocKind = 'invoice' | 'credit_note';

export interface FiscalDocumentRow {
  id: number;
  kind: DocKind;
  documentId: number;
  customerId: number;
  customerName: string;
  number: string;
  issueDate: string;
  state: DeliveryState;
  stateCode: string | null;
  stateText: string | null;
  fileName: string | null;
  sdiId: string | null;
  attempts: number;
  lastError: string | null;
  /** Why it is held back, by catalogue key: JSON `[{field, key, values}]`; null otherwise and on older rows. */
  lastErrorMessage: string | null;
  nextAttemptAt: string | null;
  alertedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface StoredLine {
  description: string;
  periodStart: string | null;
  periodEnd: string | null;
  net: number;
  taxRateBp: number;
  vatNature: string | null;
  vatLegalRef: string | null;
  tax: number;
  gross: number;
}

export interface StoredDocument {
  kind: DocKind;
  id: number;
  customerId: number;
  number: string;
  issueDate: string;
  dueDate: string | null;
  currency: string;
  net: number;
  tax: number;
  total: number;
  reason: string | null;
  /** A credit note's invoice. */
  corrects: { number: string; date: string } | null;
  lines: StoredLine[];
}

export interface ReceiptRow {
  id: number;
  fileName: string;
  fiscalDocumentId: number | null;
  invoiceFile: string;
  type: string;
  sdiId: string | null;
  errors: { code: string; text: string }[];
  text: string | null;
  receivedAt: string;
}

export interface FiscalDocumentFilter {
  state?: DeliveryState | undefined;
  kind?: DocKind | undefined;
  customerId?: number | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

const DOC_COLS = `f.id, f.kind, f.document_id as "documentId", f.customer_id as "customerId", c.name as "customerName",
  coalesce(i.number, n.number) as number, f.issue_date as "issueDate", f.state, f.state_code as "stateCode", f.state_text as "stateText",
  f.file_name as "fileName", f.sdi_id as "sdiId", f.attempts, f.last_error as "lastError", f.last_error_message as "lastErrorMessage", f.next_attempt_at as "nextAttemptAt",
  f.alerted_at as "alertedAt", f.created_at as "createdAt", f.updated_at as "updatedAt"`;
const DOC_FROM = `fiscal_documents f join customers c on c.id = f.customer_id
  left join invoices i on f.kind = 'invoice' and i.id = f.document_id
  left join credit_notes n on f.kind = 'credit_note' and n.id = f.document_id`;

const CUSTOMER_FISCAL = `name, kind, first_name as "firstName", last_name as "lastName", company_name as "companyName", tax_code as "taxCode",
  vat_number as "vatNumber", country, street, street_number as "streetNumber", postal_code as "postalCode", city, province,
  sdi_code as "sdiCode", pec, public_administration as "publicAdministration", cig, cup, email`;

const LINE = `description, period_start as "periodStart", period_end as "periodEnd", net, tax_rate_bp as "taxRateBp",
  vat_nature as "vatNature", vat_legal_ref as "vatLegalRef", tax, gross`;

export type EinvoiceStore = ReturnType<typeof einvoiceStore>;

export function einvoiceStore(sql: SqlClient) {
  const p = <R = Record<string, unknown>>(text: string) => sql.prepare<R>(text);
  const s = {
    trackInvoices: p(`insert into fiscal_documents (kind, document_id, customer_id, issue_date, state, created_at, updated_at)
      select 'invoice', id, customer_id, issue_date, 'to_send', ?, ? from invoices where issue_date <= ? and issue_date >= ?
      on conflict (kind, document_id) do nothing`),
    trackNotes: p(`insert into fiscal_documents (kind, document_id, customer_id, issue_date, state, created_at, updated_at)
      select 'credit_note', id, customer_id, issue_date, 'to_send', ?, ? from credit_notes where issue_date <= ? and issue_date >= ?
      on conflict (kind, document_id) do nothing`),
    trackInvoice: p(`insert into fiscal_documents (kind, document_id, customer_id, issue_date, state, created_at, updated_at)
      select 'invoice', id, customer_id, issue_date, 'to_send', ?, ? from invoices where id = ? on conflict (kind, document_id) do nothing`),
    trackNote: p(`insert into fiscal_documents (kind, document_id, customer_id, issue_date, state, created_at, updated_at)
      select 'credit_note', id, customer_id, issue_date, 'to_send', ?, ? from credit_notes where id = ? on conflict (kind, document_id) do nothing`),
    byId: p<FiscalDocumentRow>(`select ${DOC_COLS} from ${DOC_FROM} where f.id = ?`),
    byDoc: p<FiscalDocumentRow>(`select ${DOC_COLS} from ${DOC_FROM} where f.kind = ? and f.document_id = ?`),
    due: p<FiscalDocumentRow>(`select ${DOC_COLS} from ${DOC_FROM}
      where f.state = 'to_send' and (f.next_attempt_at is null or f.next_attempt_at <= ?) order by f.id limit ?`),
    rejectedUnalerted: p<FiscalDocumentRow>(`select ${DOC_COLS} from ${DOC_FROM} where f.state = 'rejected' and f.alerted_at is null order by f.id`),
    markAlerted: p(`update fiscal_documents set alerted_at = ? where id = ?`),
    nextFile: p<{ seq: number }>(`insert into number_series (prefix, year, last_sequence) values ('sdi-file', 0, 1)
      on conflict (prefix, year) do update set last_sequence = number_series.last_sequence + 1 returning last_sequence as seq`),
    insertFile: p(`insert into sdi_files (id, fiscal_document_id, file_name, xml, channel, message_id, sent_at, created_at) values (?, ?, ?, ?, ?, ?, ?, ?)`),
    setFile: p(`update fiscal_documents set file_name = ?, updated_at = ? where id = ?`),
    fileSent: p(`update sdi_files set sent_at = ?, message_id = ? where file_name = ?`),
    markSent: p(`update fiscal_documents set state = 'sent', state_code = null, state_text = null, attempts = 0,
      last_error = null, last_error_message = null, next_attempt_at = null, alerted_at = null, updated_at = ? where id = ?`),
    markFailure: p(`update fiscal_documents set attempts = attempts + 1, last_error = ?, last_error_message = null, next_attempt_at = ?, updated_at = ? where id = ?`),
    markBlocked: p(`update fiscal_documents set last_error = ?, last_error_message = ?, updated_at = ? where id = ?`),
    resend: p(`update fiscal_documents set state = 'to_send', file_name = null, attempts = 0, next_attempt_at = null, last_error = null,
      last_error_message = null, updated_at = ? where id = ?`),
    fileDoc: p<{ id: number; fileName: string }>(`select fiscal_document_id as id, file_name as "fileName" from sdi_files where file_name = ?`),
    transmissionDoc: p<{ id: number; fileName: string }>(`select fiscal_document_id as id, file_name as "fileName" from sdi_files where message_id = ?`),
    fileXml: p<{ xml: string; fileName: string }>(`select xml, file_name as "fileName" from sdi_files where file_name = ?`),
    insertReceipt: p<{ id: number }>(`insert into sdi_receipts (file_name, fiscal_document_id, invoice_file, type, sdi_id, errors, text, xml, received_at)
      values (?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict (file_name) do nothing returning id`),
    setState: p(`update fiscal_documents set state = ?, state_code = ?, state_text = ?, sdi_id = coalesce(?, sdi_id), updated_at = ? where id = ?`),
    receiptsOf: p<ReceiptRow & { errors: string }>(`select id, file_name as "fileName", fiscal_document_id as "fiscalDocumentId", invoice_file as "invoiceFile",
      type, sdi_id as "sdiId", errors, text, received_at as "receivedAt" from sdi_receipts where fiscal_document_id = ? order by id`),
    customer: p<FiscalFields & { email: string | null; publicAdministration: unknown }>(`select ${CUSTOMER_FISCAL} from customers where id = ?`),
    invoice: p<Omit<StoredDocument, 'kind' | 'lines' | 'corrects' | 'reason'>>(`select id, customer_id as "customerId", number, issue_date as "issueDate",
      due_date as "dueDate", currency, net, tax, total from invoices where id = ?`),
    invoiceLines: p<StoredLine>(`select ${LINE} from invoice_lines where invoice_id = ? order by position`),
    note: p<Omit<StoredDocument, 'kind' | 'lines' | 'corrects' | 'dueDate'> & { invNumber: string; invDate: string }>(`select n.id, n.customer_id as "customerId",
      n.number, n.issue_date as "issueDate", n.currency, n.net, n.tax, n.total, n.reason, i.number as "invNumber", i.issue_date as "invDate"
      from credit_notes n join invoices i on i.id = n.invoice_id where n.id = ?`),
    noteLines: p<StoredLine>(`select ${LINE.replace('period_start as "periodStart", period_end as "periodEnd"', 'cast(null as text) as "periodStart", cast(null as text) as "periodEnd"')}
      from credit_note_lines where credit_note_id = ? order by position`),
    setting: p<{ value: string }>(`select value from settings where key = ?`),
    putSetting: p(`insert into settings (key, value, updated_at) values (?, ?, ?) on conflict (key) do update set value = excluded.value, updated_at = excluded.updated_at`),
    inRange: p<{ kind: DocKind; id: number }>(`select 'invoice' as kind, id, issue_date as d, number from invoices where issue_date >= ? and issue_date <= ?
      union all select 'credit_note', id, issue_date, number from credit_notes where issue_date >= ? and issue_date <= ? order by d, number`),
    lastFileOf: p<{ xml: string; fileName: string }>(`select xml, file_name as "fileName" from sdi_files where fiscal_document_id = ? order by id desc limit 1`),
  };

  const bool = (v: unknown) => v === true || v === 1;

  const store = {
    transaction<T>(fn: () => Promise<T>): Promise<T> {
      return sql.transaction(fn);
    },
    /** Registers the invoices and credit notes issued from `from` to `to` (each once) as to send. */
    async track(from: string, to: string, at: string): Promise<void> {
      await s.trackInvoices.run(at, at, to, from);
      await s.trackNotes.run(at, at, to, from);
    },
    /** Registers one document (once). */
    async trackOne(kind: DocKind, documentId: number, at: string): Promise<void> {
      await (kind === 'invoice' ? s.trackInvoice : s.trackNote).run(at, at, documentId);
    },
    async get(id: number): Promise<FiscalDocumentRow | null> {
      return (await s.byId.get(id)) ?? null;
    },
    async getByDocument(kind: DocKind, documentId: number): Promise<FiscalDocumentRow | null> {
      return (await s.byDoc.get(kind, documentId)) ?? null;
    },
    due(now: string, limit: number): Promise<FiscalDocumentRow[]> {
      return s.due.all(now, limit);
    },
    async list(f: FiscalDocumentFilter, limit: number, afterId: number | null): Promise<FiscalDocumentRow[]> {
      const c = new Conditions();
      if (f.state) c.add('f.state = ?', f.state);
      if (f.kind) c.add('f.kind = ?', f.kind);
      if (f.customerId !== undefined) c.add('f.customer_id = ?', f.customerId);
      if (f.from) c.add('f.issue_date >= ?', f.from);
      if (f.to) c.add('f.issue_date <= ?', f.to);
      if (afterId !== null) c.add('f.id > ?', afterId);
      return sql.all<FiscalDocumentRow>(`select ${DOC_COLS} from ${DOC_FROM} ${c.sql} order by f.id limit ?`, ...c.args, limit);
    },
    rejectedUnalerted(): Promise<FiscalDocumentRow[]> {
      return s.rejectedUnalerted.all();
    },
    async markAlerted(id: number, at: string): Promise<void> {
      await s.markAlerted.run(at, id);
    },
    /** The next file progressive (1, 2, …), shared by every document: file names never repeat. */
    async nextFileNumber(): Promise<number> {
      return (await s.nextFile.get())!.seq;
    },
    /** Records a generated file as the document's current one (not sent yet): what is served is what is sent. */
    async recordFile(docId: number, file: { progressive: number; fileName: string; xml: string; channel: string }, at: string): Promise<void> {
      await sql.transaction(async () => {
        await s.insertFile.run(file.progressive, docId, file.fileName, file.xml, file.channel, null, null, at);
        await s.setFile.run(file.fileName, at, docId);
      });
    },
    /** The channel took the document's current file: it is sent. */
    async recordSent(docId: number, fileName: string, messageId: string | null, at: string): Promise<void> {
      await sql.transaction(async () => {
        await s.fileSent.run(at, messageId, fileName);
        await s.markSent.run(at, docId);
      });
    },
    async file(fileName: string): Promise<{ xml: string; fileName: string } | null> {
      return (await s.fileXml.get(fileName)) ?? null;
    },
    async recordFailure(docId: number, error: string, nextAttemptAt: string | null, at: string): Promise<void> {
      await s.markFailure.run(error.slice(0, 1000), nextAttemptAt, at, docId);
    },
    /**
     * A document that cannot be sent until its data are fixed (a customer without fiscal data): why in
     * English, and by catalogue key (JSON `[{field, key, values}]`) when known.
     */
    async recordBlocked(docId: number, reason: string, at: string, message: string | null = null): Promise<void> {
      await s.markBlocked.run(reason.slice(0, 1000), message, at, docId);
    },
    async markForResend(docId: number, at: string): Promise<void> {
      await s.resend.run(at, docId);
    },
    /**
     * Stores a receipt once and, when it is about a file of ours, applies its state change.
     * Answers false when this receipt was already stored.
     */
    async applyReceipt(
      r: Receipt, xml: string, change: (current: DeliveryState) => StateChange | null, at: string,
      /** An intermediary's id of the transmission, when the receipt names it instead of our file. */
      transmissionId?: string,
    ): Promise<{ stored: boolean; documentId: number | null }> {
      return sql.transaction(async () => {
        const file = transmissionId !== undefined ? await s.transmissionDoc.get(transmissionId) : await s.fileDoc.get(r.invoiceFile);
        const doc = file?.id ?? null;
        const inserted = await s.insertReceipt.get(r.fileName, doc, file?.fileName ?? r.invoiceFile, r.type, r.sdiId, JSON.stringify(r.errors), r.text, xml, at);
        if (!inserted) return { stored: false, documentId: doc };
        if (doc !== null) {
          const current = (await s.byId.get(doc))!;
          // Only a receipt about the document's current file moves its state: a re-sent document
          // ignores late news of the file it replaced.
          if (current.fileName === file!.fileName) {
            const next = change(current.state);
            if (next) await s.setState.run(next.state, next.code, next.text, r.sdiId, at, doc);
          }
        }
        return { stored: true, documentId: doc };
      });
    },
    async receipts(docId: number): Promise<ReceiptRow[]> {
      return (await s.receiptsOf.all(docId)).map((r) => ({ ...r, errors: JSON.parse(r.errors) as ReceiptRow['errors'] }));
    },
    async customer(id: number): Promise<(FiscalFields & { email: string | null }) | null> {
      const r = await s.customer.get(id);
      return r ? { ...r, publicAdministration: bool(r.publicAdministration) } : null;
    },
    async document(kind: DocKind, id: number): Promise<StoredDocument | null> {
      if (kind === 'invoice') {
        const inv = await s.invoice.get(id);
        if (!inv) return null;
        return { ...inv, kind, reason: null, corrects: null, lines: await s.invoiceLines.all(id) };
      }
      const n = await s.note.get(id);
      if (!n) return null;
      const { invNumber, invDate, ...rest } = n;
      return { ...rest, kind, dueDate: null, corrects: { number: invNumber, date: invDate }, lines: await s.noteLines.all(id) };
    },
    async lastFile(docId: number): Promise<{ xml: string; fileName: string } | null> {
      return (await s.lastFileOf.get(docId)) ?? null;
    },
    /** Every invoice and credit note issued from `from` to `to`, by date and number. */
    async documentsInRange(from: string, to: string): Promise<{ kind: DocKind; id: number }[]> {
      return (await s.inRange.all(from, to, from, to)).map((r) => ({ kind: r.kind, id: r.id }));
    },
    async setting(key: string): Promise<string | null> {
      const r = await s.setting.get(key);
      return r ? (JSON.parse(r.value) as string) : null;
    },
    async putSetting(key: string, value: string, at: string): Promise<void> {
      await s.putSetting.run(key, JSON.stringify(value), at);
    },
  };
  return store;
}
