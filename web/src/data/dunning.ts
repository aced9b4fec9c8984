// Dunning: who is suspended next, what dunning did, and a customer's dunning settings.
import type { Static } from 'typebox';
import type * as D from '../../../src/http/dunning-schemas.js';
import { http, type Body, type Page } from './http.js';

export type QueueItem = Static<typeof D.QueueItem>;
export type DunningEvent = Static<typeof D.DunningEvent>;
export type DunningEventQuery = Static<typeof D.EventQuery>;
export type CustomerDunning = Static<typeof D.CustomerDunning>;

export const dunningQueue = () => http.get<Static<typeof D.DunningQueue>>('/dunning');
export const listDunningEvents = (query: DunningEventQuery = {}) => http.get<Page<DunningEvent>>('/dunning/events', query);
export const customerDunning = (customerId: number) => http.get<CustomerDunning>(`/customers/${customerId}/billing-profile`);
export const setCustomerDunning = (customerId: number, body: Body) => http.put<CustomerDunning>(`/customers/${customerId}/billing-profile`, body);
