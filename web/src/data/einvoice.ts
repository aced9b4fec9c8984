// Italian e-invoicing: each document's delivery state to SDI, its receipts, sending it again, reading
// the receipts now, the FatturaPA files and the accountant's archive.
import type { Static } from 'typebox';
import type * as E from '../../../src/http/einvoice-schemas.js';
import { apiUrl, http, type Page } from './http.js';

export type { EinvoiceState } from '../../../src/http/einvoice-schemas.js';
export type FiscalDocument = Static<typeof E.FiscalDocument>;
export type FiscalDocumentDetail = Static<typeof E.FiscalDocumentDetail>;
export type FiscalReceipt = Static<typeof E.FiscalReceipt>;
export type FiscalDocumentQuery = Static<typeof E.FiscalDocumentQuery>;

export const listFiscalDocuments = (query: FiscalDocumentQuery = {}) => http.get<Page<FiscalDocument>>('/fiscal-documents', query);
export const getFiscalDocument = (id: number) => http.get<FiscalDocumentDetail>(`/fiscal-documents/${id}`);
/** A rejected (or not yet sent) document goes out again as a new file with the same number and date. */
export const resendFiscalDocument = (id: number) => http.post<FiscalDocument>(`/fiscal-documents/${id}/resend`);
/** Reads SDI's receipts from the channel now; answers how many were applied. */
export const readReceipts = () => http.post<{ applied: number }>('/fiscal-documents/receipts');
/** The FatturaPA file of an invoice or credit note (as sent, or generated now). */
export const fatturapaUrl = (d: { kind: 'invoice' | 'credit_note'; documentId: number }) =>
  apiUrl(`/${d.kind === 'invoice' ? 'invoices' : 'credit-notes'}/${d.documentId}/fatturapa.xml`);
export const fiscalArchiveUrl = (from: string, to: string) => apiUrl('/exports/fiscal-archive.zip', { from, to });
export type EinvoiceSettings = Static<typeof E.EinvoiceSettings>;
export type SellerSetting = Static<typeof E.SellerSetting>;
export type SellerProblem = Static<typeof E.SellerProblem>;
/** The seller's fiscal data and channel as the config file holds them (secrets masked), with what is wrong. */
export const getEinvoiceSettings = () => http.get<EinvoiceSettings>('/settings/einvoice');
