// Imports only typebox: the web's typecheck reads this file for the API's types.
/** Schemas of the e-invoicing API: a document's delivery state to SDI and SDI's receipts. */
import { Type, type TSchema } from 'typebox';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

/** A document's delivery states, in the order a document goes through them. */
export const EINVOICE_STATES = ['to_send', 'sent', 'delivered', 'not_delivered', 'rejected', 'accepted', 'refused'] as const;
export type EinvoiceState = (typeof EINVOICE_STATES)[number];

export const FiscalState = Type.Union(EINVOICE_STATES.map((s) => Type.Literal(s)), {
  description: 'to_send (generated, waiting for the channel), sent, delivered (RC), not_delivered (MC: in the customer\'s tax area), rejected (NS: correct and re-send), accepted or refused (a public administration\'s outcome; DT is deemed accepted)',
});
export const FiscalKind = Type.Union([Type.Literal('invoice'), Type.Literal('credit_note')]);

export const FiscalDocument = Type.Object({
  id: Type.Integer(),
  kind: FiscalKind,
  documentId: Type.Integer({ description: 'the invoice or credit note id' }),
  number: Type.String(),
  issueDate: Type.String({ format: 'date' }),
  customerId: Type.Integer(),
  customerName: Type.String(),
  state: FiscalState,
  stateCode: Nullable(Type.String({ description: "SDI's code: a rejection's error codes (comma-separated), EC01/EC02, DT, MC" })),
  stateText: Nullable(Type.String({ description: "SDI's text for the state (a rejection's errors)" })),
  fileName: Nullable(Type.String({ description: 'the current FatturaPA file (IT<transmitter>_<progressive>.xml)' })),
  sdiId: Nullable(Type.String({ description: "SDI's identifier of the file" })),
  attempts: Type.Integer({ description: 'failed sending attempts of the current file (retried)' }),
  lastError: Nullable(Type.String({ description: 'why it was not sent: the channel error, or the fiscal data missing' })),
  lastErrorFields: Nullable(Type.Array(Type.Object({ field: Type.String(), key: Type.String(), values: Type.Record(Type.String(), Type.String()) }), {
    description: "the fiscal data missing, field by field, by the UI's message catalogue key (fault.*), to word them in the reader's language; null: not held back for missing data, or an older row",
  })),
  nextAttemptAt: Nullable(Type.String()),
  alertedAt: Nullable(Type.String()),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

export const FiscalReceipt = Type.Object({
  id: Type.Integer(),
  fileName: Type.String(),
  type: Type.String({ description: 'RC, NS, MC, NE, DT, AT' }),
  invoiceFile: Type.String(),
  sdiId: Nullable(Type.String()),
  errors: Type.Array(Type.Object({ code: Type.String(), text: Type.String() })),
  text: Nullable(Type.String()),
  receivedAt: Type.String(),
});

export const FiscalDocumentDetail = Type.Object({ ...FiscalDocument.properties, receipts: Type.Array(FiscalReceipt) });

export const FiscalDocumentQuery = Type.Object({
  state: Type.Optional(FiscalState),
  kind: Type.Optional(FiscalKind),
  customerId: Type.Optional(Type.Integer({ minimum: 1 })),
  from: Type.Optional(Type.String({ format: 'date' })),
  to: Type.Optional(Type.String({ format: 'date' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
  cursor: Type.Optional(Type.String()),
}, { additionalProperties: false });

/** A problem of the seller's config for e-invoicing, named by its config key. */
export const SellerProblem = Type.Object({
  key: Type.String({ description: 'the config key at fault, e.g. "[company] vat_number"' }),
  section: Type.Union([Type.Literal('company'), Type.Literal('einvoice')]),
  field: Type.String({ description: 'the key within its section' }),
  kind: Type.Union([Type.Literal('seller'), Type.Literal('channel')], { description: 'seller: no file can be made (every document waits); channel: files are made but not sent' }),
  code: Type.Union([Type.Literal('missing'), Type.Literal('invalid')]),
  message: Type.String({ description: 'in English' }),
  reasonCode: Nullable(Type.String({ description: "why an invalid value is wrong, by the UI's message catalogue key, to word it in the reader's language; null for a missing one" })),
  reasonValues: Nullable(Type.Record(Type.String(), Type.String())),
});

/** One config value as the e-invoicing settings show it. */
export const SellerSetting = Type.Object({
  key: Type.String({ description: 'e.g. "[company] vat_number"' }),
  section: Type.Union([Type.Literal('company'), Type.Literal('einvoice')]),
  field: Type.String(),
  value: Type.Union([Type.String(), Type.Integer(), Type.Boolean(), Type.Null()], {
    description: 'as the config holds it (rea_capital in cents); a secret is masked (a URL keeps its scheme and host only) and null when not set',
  }),
  secret: Type.Boolean(),
});

export const EinvoiceSettings = Type.Object({
  ready: Type.Boolean({ description: 'no problem: files are made and sent' }),
  channel: Type.String({ description: '"" (none: nothing is sent), "pec" or "acube"' }),
  sdiAddress: Type.String({ description: "the SDI address PEC mail goes to: the first-contact one until SDI's first receipt names another" }),
  settings: Type.Array(SellerSetting),
  problems: Type.Array(SellerProblem),
});
