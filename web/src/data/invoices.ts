// Invoices and the credit notes that correct them.
import type { Static } from 'typebox';
import type * as B from '../../../src/http/billing-schemas.js';
import { apiUrl, http, type Body, type Page } from './http.js';

/** An invoice as lists show it (no lines). */
export type InvoiceSummary = Static<typeof B.InvoiceSummary>;
/** An invoice with its lines, taxes and what settled it. */
export type Invoice = Static<typeof B.Invoice>;
export type InvoiceQuery = Static<typeof B.InvoiceListQuery>;
export type CreditNoteSummary = Static<typeof B.CreditNoteSummary>;
export type CreditNote = Static<typeof B.CreditNote>;
export type CreditNoteQuery = Static<typeof B.CreditNoteListQuery>;


export const listInvoices = (query: InvoiceQuery = {}) => http.get<Page<InvoiceSummary>>('/invoices', query);
export const getInvoice = (id: number) => http.get<Invoice>(`/invoices/${id}`);
export const invoicePdfUrl = (id: number) => apiUrl(`/invoices/${id}/pdf`);
export const invoicesCsvUrl = () => apiUrl('/exports/invoices.csv');
export const listCreditNotes = (query: CreditNoteQuery = {}) => http.get<Page<CreditNoteSummary>>('/credit-notes', query);
export const createCreditNote = (body: Body) => http.post<CreditNote>('/credit-notes', body);
export const creditNotePdfUrl = (id: number) => apiUrl(`/credit-notes/${id}/pdf`);
