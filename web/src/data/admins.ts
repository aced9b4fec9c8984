// Admins, roles and API tokens.
import { http, type Body, type Page, type Paging } from './http.js';

// These schemas sit in the admin routes, beside server-only code: copies of the parts the UI reads.
export interface Admin { id: number; username: string; role: string; disabled: boolean; totpEnabled: boolean; mustChangePassword: boolean; lastLoginAt?: string | null }
export interface Role { name: string; description?: string; builtIn?: boolean; permissions?: Record<string, string> }
export interface ApiToken { id: number; name: string; prefix: string; role: string; expiresAt: string | null; revokedAt: string | null; lastUsedAt: string | null; createdBy: string }

export const listAdmins = (query: Paging = {}) => http.get<Page<Admin>>('/admins', query);
export const createAdmin = (body: Body) => http.post<Admin>('/admins', body);
export const updateAdmin = (id: number, body: Body) => http.patch<Admin>(`/admins/${id}`, body);
/** Sets a new password the admin must change at next sign-in. */
export const resetAdminPassword = (id: number, password: unknown) => http.post<Admin>(`/admins/${id}/password`, { password });
export const resetAdminTotp = (id: number) => http.post<Admin>(`/admins/${id}/totp/reset`);

export const listRoles = () => http.get<Page<Role>>('/roles');
export const createRole = (body: Body) => http.post<Role>('/roles', body);
export const updateRole = (name: string, body: Body) => http.patch<Role>(`/roles/${encodeURIComponent(name)}`, body);
export const deleteRole = (name: string) => http.del<unknown>(`/roles/${encodeURIComponent(name)}`);

export const listTokens = (query: Paging = {}) => http.get<Page<ApiToken>>('/tokens', query);
export const createToken = (body: Body) => http.post<{ token: string }>('/tokens', body);
export const revokeToken = (id: number) => http.del<unknown>(`/tokens/${id}`);
