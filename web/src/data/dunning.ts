// Dunning: who is suspended next, what dunning did, and a customer's dunning settings.
import { http, type Body, type Page, type Paging } from './http.js';

// These schemas sit in the dunning routes, beside server-only code: copies of the parts the UI reads.
export interface QueueItem { customerId: number; customerName: string; invoiceId: number; invoiceNumber: string; open: number; dueDate: string; whitelisted: boolean; suspendAt: string | null; services: Array<{ id: number; username: string }>; nextReminder: { step: number; date: string } | null }
export interface DunningEvent { at: string; kind: string; customerId: number; invoiceId: number | null; serviceId: number | null; step: number | null; detail: unknown }
export interface CustomerDunning { billingProfileId: number | null; effectiveProfileId: number | null; whitelisted: boolean }

export const dunningQueue = () => http.get<Page<QueueItem>>('/dunning');
export const listDunningEvents = (query: Paging & { customerId?: number } = {}) => http.get<Page<DunningEvent>>('/dunning/events', query);
export const customerDunning = (customerId: number) => http.get<CustomerDunning>(`/customers/${customerId}/billing-profile`);
export const setCustomerDunning = (customerId: number, body: Body) => http.put<CustomerDunning>(`/customers/${customerId}/billing-profile`, body);
