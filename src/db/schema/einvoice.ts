import { sql } from 'drizzle-orm';
import { check, index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { customers } from './subscribers.js';

// ---- Italian e-invoicing (FatturaPA through SDI) ---------------------------------------------------

export const fiscalDocumentStates = ['to_send', 'sent', 'delivered', 'not_delivered', 'rejected', 'accepted', 'refused'] as const;

/** One row per invoice or credit note going to SDI: its delivery state (src/domain/einvoice/receipts.ts). */
export const fiscalDocuments = sqliteTable(
  'fiscal_documents',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    kind: text('kind', { enum: ['invoice', 'credit_note'] }).notNull(),
    /** The invoice's or credit note's id. */
    documentId: integer('document_id').notNull(),
    customerId: integer('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'restrict' }),
    /** The document's date (its issue date): the archive and the daily run select by it. */
    issueDate: text('issue_date').notNull(),
    state: text('state', { enum: fiscalDocumentStates }).notNull().default('to_send'),
    /** SDI's code of the last state: the error codes of a rejection, EC01/EC02, DT. */
    stateCode: text('state_code'),
    stateText: text('state_text'),
    /** The file last sent for it; a re-send after a rejection gets a new file (same number and date). */
    fileName: text('file_name'),
    sdiId: text('sdi_id'),
    /** Sending attempts of the current file that failed on the channel (transient), and the last error. */
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    /** JSON `[{field, key, values}]`: why it is held back, by catalogue key, so the list reads in its reader's language. Null otherwise, and on older rows. */
    lastErrorMessage: text('last_error_message'),
    nextAttemptAt: text('next_attempt_at'),
    /** Set once the operator has been told of a rejection waiting. */
    alertedAt: text('alerted_at'),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('fiscal_documents_doc_uq').on(t.kind, t.documentId),
    index('fiscal_documents_state_ix').on(t.state),
    index('fiscal_documents_date_ix').on(t.issueDate),
    check('fiscal_documents_kind_ck', sql`kind in ('invoice', 'credit_note')`),
    check('fiscal_documents_state_ck', sql`state in ('to_send', 'sent', 'delivered', 'not_delivered', 'rejected', 'accepted', 'refused')`),
  ],
);

/** Every file sent to SDI, as sent: its id is the file name's progressive. */
export const sdiFiles = sqliteTable(
  'sdi_files',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    fiscalDocumentId: integer('fiscal_document_id')
      .notNull()
      .references(() => fiscalDocuments.id, { onDelete: 'restrict' }),
    fileName: text('file_name').notNull(),
    xml: text('xml').notNull(),
    channel: text('channel').notNull(),
    /** The channel's id of the transmission (the PEC Message-ID). */
    messageId: text('message_id'),
    sentAt: text('sent_at'),
    createdAt: text('created_at').notNull(),
  },
  (t) => [uniqueIndex('sdi_files_name_uq').on(t.fileName), index('sdi_files_doc_ix').on(t.fiscalDocumentId)],
);

/** SDI's receipts as received; the file name is unique, so a receipt read twice counts once. */
export const sdiReceipts = sqliteTable(
  'sdi_receipts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    fileName: text('file_name').notNull(),
    /** The invoice file it is about; null when no file of ours has that name. */
    fiscalDocumentId: integer('fiscal_document_id').references(() => fiscalDocuments.id, { onDelete: 'restrict' }),
    invoiceFile: text('invoice_file').notNull(),
    type: text('type').notNull(),
    sdiId: text('sdi_id'),
    /** JSON array of { code, text } (NS). */
    errors: text('errors').notNull().default('[]'),
    text: text('text'),
    xml: text('xml').notNull(),
    receivedAt: text('received_at').notNull(),
  },
  (t) => [uniqueIndex('sdi_receipts_name_uq').on(t.fileName), index('sdi_receipts_doc_ix').on(t.fiscalDocumentId)],
);
