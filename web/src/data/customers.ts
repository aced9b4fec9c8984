// Customers and their account statement.
import type { Static } from 'typebox';
import type * as S from '../../../src/http/schemas.js';
import type * as B from '../../../src/http/billing-schemas.js';
import type * as L from '../../../src/http/list-schemas.js';
import { http, type Body, type Page } from './http.js';

export type Customer = Static<typeof S.Customer>;
export type CustomerQuery = Static<typeof L.CustomerListQuery>;
export type Statement = Static<typeof B.Statement>;

export const listCustomers = (query: CustomerQuery = {}) => http.get<Page<Customer>>('/customers', query);
export const getCustomer = (id: number) => http.get<Customer>(`/customers/${id}`);
export const createCustomer = (body: Body) => http.post<Customer>('/customers', body);
export const updateCustomer = (id: number, body: Body) => http.patch<Customer>(`/customers/${id}`, body);
export const getStatement = (id: number) => http.get<Statement>(`/customers/${id}/statement`);
