// Admins, roles and API tokens.
import type { Static } from 'typebox';
import type * as A from '../../../src/http/admin-schemas.js';
import { http, type Body, type Page, type Paging } from './http.js';

export type Admin = Static<typeof A.Admin>;
export type Role = Static<typeof A.Role>;
export type ApiToken = Static<typeof A.ApiToken>;
export type TokenQuery = Static<typeof A.TokenListQuery>;
/** A new token, with the token itself: the only answer that carries it. */
export type NewToken = Static<typeof A.TokenCreated>;

export const listAdmins = (query: Paging = {}) => http.get<Page<Admin>>('/admins', query);
export const createAdmin = (body: Body) => http.post<Admin>('/admins', body);
export const updateAdmin = (id: number, body: Body) => http.patch<Admin>(`/admins/${id}`, body);
/** Sets a new password the admin must change at next sign-in. */
export const resetAdminPassword = (id: number, password: unknown) => http.post<Admin>(`/admins/${id}/password`, { password });
export const resetAdminTotp = (id: number) => http.post<Admin>(`/admins/${id}/totp/reset`);

export const listRoles = () => http.get<Static<typeof A.RoleList>>('/roles');
export const createRole = (body: Body) => http.post<Role>('/roles', body);
export const updateRole = (name: string, body: Body) => http.patch<Role>(`/roles/${encodeURIComponent(name)}`, body);
export const deleteRole = (name: string) => http.del<unknown>(`/roles/${encodeURIComponent(name)}`);

export const listTokens = (query: TokenQuery = {}) => http.get<Page<ApiToken>>('/tokens', query);
export const createToken = (body: Body) => http.post<NewToken>('/tokens', body);
export const revokeToken = (id: number) => http.del<unknown>(`/tokens/${id}`);
