/**
 * Italian e-invoicing API: each document's FatturaPA file, the delivery states to SDI with their
 * receipts, re-sending a corrected rejection, and the accountant's archive.
 *
 * - GET  /api/v1/invoices/{id}/fatturapa.xml, /api/v1/credit-notes/{id}/fatturapa.xml
 * - GET  /api/v1/fiscal-documents (filters state, kind, customerId, from, to), /api/v1/fiscal-documents/{id}
 * - POST /api/v1/fiscal-documents/{id}/resend
 * - POST /api/v1/fiscal-documents/receipts (read SDI's receipts from the channel now)
 * - GET  /api/v1/exports/fiscal-archive.zip?from=&to=
 * - GET  /api/v1/settings/einvoice (the seller's fiscal data and channel from the config file, secrets
 *   masked, with what is missing or invalid for e-invoicing)
 */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { BillingService } from '../../billing/service.js';
import { schema as configSchema, type Config } from '../../config/schema.js';
import { billingStore } from '../../db/billing.js';
import { decodeCursor, encodeCursor } from '../../db/crud.js';
import { einvoiceStore, type DocKind, type FiscalDocumentRow } from '../../db/einvoice.js';
import type { SqlClient } from '../../db/sql.js';
import { isLocale, type Locale } from '../../i18n/locales.js';
import { acubeWebhookAuthentic, acubeWebhookReceipt } from '../../einvoice/acube.js';
import type { EinvoiceService } from '../../einvoice/service.js';
import { parseDate } from '../../lib/calendar.js';
import { notFound, parseStored, said, storedText, TollgateError } from '../../lib/errors.js';
import { EinvoiceSettings, FiscalDocument, FiscalDocumentDetail, FiscalDocumentQuery } from '../einvoice-schemas.js';
import { IdParams, ProblemSchema } from '../schemas.js';
import { creditNotePdf, invoicePdf, type DocumentLocale, type PdfSeller } from './billing-pdf.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const RangeQuery = Type.Object({ from: Type.String({ format: 'date' }), to: Type.String({ format: 'date' }) }, { additionalProperties: false });
const file = (type: string, description: string) => ({ description, content: { [type]: { schema: { type: 'string', ...(type === 'application/xml' ? {} : { format: 'binary' }) } } } });
const errors = { 401: ProblemSchema, 404: ProblemSchema, 409: ProblemSchema, 422: ProblemSchema };
const tags = ['einvoice'];

/** A document as the API gives it: why it is held back by catalogue key (`lastErrorFields`) beside the English `lastError`. */
function toApi(row: FiscalDocumentRow) {
  const { lastErrorMessage, ...rest } = row;
  // A value the run did not write (not JSON, not a list) leaves the English lastError alone.
  const list = parseStored(lastErrorMessage);
  const lastErrorFields = Array.isArray(list)
    ? list.flatMap((m: unknown) => {
        const text = storedText(m);
        const { field } = m as { field?: unknown };
        return text && typeof field === 'string' ? [{ field, ...text }] : [];
      })
    : null;
  return { ...rest, lastErrorFields };
}

export interface EinvoiceRoutesOptions {
  sql: SqlClient;
  einvoice: EinvoiceService;
  /** `[einvoice] acube_webhook_header` and `acube_webhook_token`: what A-Cube's webhook calls carry. */
  acubeWebhook?: { header: string; token: string } | undefined;
  /** The seller's data and the channel, shown (secrets masked) by GET /api/v1/settings/einvoice. */
  config: Pick<Config, 'company' | 'einvoice'>;
}

/** The config keys the e-invoicing settings show, in the order of the config file; the channel's own only for it. */
const SHOWN = {
  company: ['name', 'vat_country', 'vat_number', 'tax_code', 'regime_fiscale', 'street', 'street_number', 'postal_code', 'city', 'province', 'country',
    'rea_office', 'rea_number', 'rea_capital', 'rea_sole_shareholder', 'rea_liquidation', 'email', 'iban'],
  einvoice: ['channel', 'transmitter_country', 'transmitter_code', 'payment_method', 'attach_pdf', 'accountant_email', 'alert_email'],
  pec: ['pec_address', 'pec_smtp_url', 'pec_imap_url'],
  acube: ['acube_api_url', 'acube_email', 'acube_password', 'acube_webhook_header', 'acube_webhook_token'],
} as const;

/**
 * A secret as it may be shown: a URL keeps its scheme and host (where the mail goes), never its user,
 * password, path or query; anything else is only "set".
 */
export function maskSecret(value: string): string {
  try {
    const u = new URL(value);
    if (u.host) return `${u.protocol}//********@${u.host}`;
  } catch {
    /* not a URL: nothing of it is shown */
  }
  return '********';
}

type ShownKey = { section: 'company' | 'einvoice'; field: string };

/** The config values the settings card shows, secrets masked by the config schema's own mark. */
export function einvoiceSettingsView(config: Pick<Config, 'company' | 'einvoice'>): { key: string; section: 'company' | 'einvoice'; field: string; value: string | number | boolean | null; secret: boolean }[] {
  const channel = config.einvoice.channel;
  const keys: ShownKey[] = [
    ...SHOWN.company.map((field) => ({ section: 'company' as const, field })),
    ...[...SHOWN.einvoice, ...(channel === 'pec' ? SHOWN.pec : channel === 'acube' ? SHOWN.acube : [])].map((field) => ({ section: 'einvoice' as const, field })),
  ];
  return keys.map(({ section, field }) => {
    const raw = (config[section] as Record<string, string | number | boolean>)[field];
    const secret = (configSchema[section] as Record<string, { secret?: boolean }>)[field]?.secret === true;
    const empty = raw === undefined || raw === '';
    return { key: `[${section}] ${field}`, section, field, value: empty ? null : secret ? maskSecret(String(raw)) : raw!, secret };
  });
}

/**
 * A document's PDF as GET …/pdf serves it without `?lang=`: the archive's copy is the customer's
 * copy, in the customer's language (else the installation's).
 */
export function documentPdf(sql: SqlClient, billing: BillingService, company: PdfSeller | null, locale: { defaultLanguage: Locale; timeZone: string }) {
  const store = billingStore(sql);
  const loc = (customer: { language: string | null } | null): DocumentLocale => ({
    language: isLocale(customer?.language) ? customer.language : locale.defaultLanguage,
    timeZone: locale.timeZone,
  });
  return async (kind: DocKind, id: number): Promise<Buffer> => {
    if (kind === 'invoice') {
      const found = await billing.invoiceWithLines(id);
      if (!found) throw notFound('invoice', id);
      const customer = await store.customerForDocument(found.customerId);
      return invoicePdf(found, customer, company, loc(customer));
    }
    const note = await store.creditNote(id);
    if (!note) throw notFound('credit note', id);
    const invoice = (await store.invoice(note.invoiceId))!;
    const customer = await store.customerForDocument(note.customerId);
    return creditNotePdf({ ...note, invoiceNumber: invoice.number, lines: await store.creditNoteLines(id) }, customer, company, loc(customer));
  };
}

export async function einvoiceRoutes(app: FastifyInstance, opts: EinvoiceRoutesOptions): Promise<void> {
  const store = einvoiceStore(opts.sql);

  for (const [path, kind, noun] of [['/api/v1/invoices/:id/fatturapa.xml', 'invoice', 'invoice'], ['/api/v1/credit-notes/:id/fatturapa.xml', 'credit_note', 'credit note']] as const) {
    app.get(path, {
      schema: {
        tags, params: IdParams, produces: ['application/xml'],
        summary: `The ${noun} as a FatturaPA file (valid against the official schema): the file sent to SDI as sent, or generated now`,
        response: { 200: file('application/xml', `The ${noun}'s FatturaPA XML`), ...errors },
      },
    }, async (req, reply) => {
      const { id } = req.params as { id: number };
      const f = await opts.einvoice.xml(kind, id);
      return reply.type('application/xml; charset=utf-8').header('content-disposition', `attachment; filename="${f.fileName}"`).send(f.xml);
    });
  }

  app.get('/api/v1/fiscal-documents', {
    schema: { tags, summary: 'Invoices and credit notes going to SDI with their delivery state, oldest first', querystring: FiscalDocumentQuery, response: { 200: Type.Object({ items: Type.Array(FiscalDocument), next: Nullable(Type.String()) }), ...errors } },
  }, async (req) => {
    const q = req.query as { state?: 'sent'; kind?: DocKind; customerId?: number; from?: string; to?: string; limit?: number; cursor?: string };
    if (q.from) parseDate(q.from, 'from');
    if (q.to) parseDate(q.to, 'to');
    const limit = q.limit ?? 50;
    const rows = await store.list(q, limit + 1, q.cursor ? decodeCursor(q.cursor) : null);
    const items = rows.slice(0, limit).map(toApi);
    return { items, next: rows.length > limit ? encodeCursor(items[items.length - 1]!.id) : null };
  });

  app.get('/api/v1/fiscal-documents/:id', {
    schema: { tags, summary: "A document's delivery state with SDI's receipts", params: IdParams, response: { 200: FiscalDocumentDetail, ...errors } },
  }, async (req) => {
    const { id } = req.params as { id: number };
    const doc = await store.get(id);
    if (!doc) throw notFound('fiscal document', id);
    const receipts = (await store.receipts(id)).map(({ fiscalDocumentId: _d, ...r }) => r);
    return { ...toApi(doc), receipts };
  });

  app.post('/api/v1/fiscal-documents/:id/resend', {
    schema: {
      tags, params: IdParams, response: { 200: FiscalDocument, ...errors },
      summary: 'Send a rejected document again once its data are corrected: a new file with the same number and date (the daily run sends it; so does POST /api/v1/billing/run)',
    },
  }, async (req) => toApi(await opts.einvoice.resend((req.params as { id: number }).id)));

  app.post('/api/v1/fiscal-documents/receipts', {
    schema: { tags, summary: "Read SDI's receipts from the channel now and apply them (the daily run does it too)", response: { 200: Type.Object({ applied: Type.Integer() }), ...errors } },
  }, async () => ({ applied: await opts.einvoice.receive() }));

  app.post('/api/v1/einvoice/webhooks/acube', {
    schema: {
      tags,
      // The documented payload: the notification and the invoice it is about (each as A-Cube sends it).
      body: Type.Object({
        notification: Type.Object({}, { additionalProperties: true }),
        invoice: Type.Optional(Type.Object({}, { additionalProperties: true })),
      }, { additionalProperties: false }),
      summary: "A-Cube's notification webhook (SDI's receipts): authenticated by the header and token configured in A-Cube (`[einvoice] acube_webhook_header`, `acube_webhook_token`)",
      security: [],
      response: { 200: Type.Object({ stored: Type.Boolean(), documentId: Nullable(Type.Integer()) }), ...errors },
    },
  }, async (req) => {
    const hook = opts.acubeWebhook;
    if (!hook?.token) throw new TollgateError('not_found', said('fault.acube.noWebhook', 'the A-Cube webhook is not configured ([einvoice] acube_webhook_token)'));
    const given = req.headers[hook.header.toLowerCase()];
    if (!acubeWebhookAuthentic(hook.token, typeof given === 'string' ? given : undefined)) {
      throw new TollgateError('unauthorized', said('fault.acube.token', 'the webhook call does not carry the configured token'));
    }
    const r = acubeWebhookReceipt(req.body);
    if (!r) throw new TollgateError('invalid_input', said('fault.acube.notification', 'not an A-Cube notification (notification.invoice_uuid and an SDI type are needed)'), 'notification');
    return opts.einvoice.applyIntermediaryReceipt(r, r.transmissionId, JSON.stringify(req.body));
  });

  app.get('/api/v1/settings/einvoice', {
    schema: {
      tags, response: { 200: EinvoiceSettings, ...errors },
      summary: "The seller's fiscal data and the channel to SDI as the config file holds them (`[company]`, `[einvoice]`; secrets masked), with each key missing or invalid for e-invoicing",
    },
  }, async () => {
    const { problems, sdiAddress } = await opts.einvoice.sellerStatus();
    // Each invalid value's why by catalogue key beside the English message, for the Settings screen.
    const listed = problems.map(({ reason, ...p }) => ({
      ...p, reasonCode: reason?.key ?? null, reasonValues: reason ? Object.fromEntries(Object.entries(reason.values ?? {}).map(([k, v]) => [k, String(v)])) : null,
    }));
    return { ready: problems.length === 0, channel: opts.config.einvoice.channel, sdiAddress, settings: einvoiceSettingsView(opts.config), problems: listed };
  });

  app.get('/api/v1/exports/fiscal-archive.zip', {
    schema: {
      tags, querystring: RangeQuery, produces: ['application/zip'],
      summary: "The accountant's archive: every invoice's and credit note's FatturaPA file and PDF issued in the range, and the sales VAT register (CSV)",
      response: { 200: file('application/zip', 'ZIP: xml/, pdf/ and registro-iva-vendite_<from>_<to>.csv'), ...errors },
    },
  }, async (req, reply) => {
    const { from, to } = req.query as { from: string; to: string };
    parseDate(from, 'from');
    parseDate(to, 'to');
    if (to < from) throw new TollgateError('invalid_input', said('fault.range.toBeforeFrom', 'to is before from'), 'to');
    const zip = await opts.einvoice.archive(from, to);
    return reply.type('application/zip').header('content-disposition', `attachment; filename="fiscal-archive_${from}_${to}.zip"`).send(Buffer.from(zip));
  });
}
