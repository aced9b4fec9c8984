// Who is signed in, and the steps of signing in: password, second factor, first-run password change
// and TOTP enrolment.
import { http } from './http.js';

// GET /auth/me's schema sits in the auth routes, beside server-only code: a copy of its shape.
export interface Me {
  kind: 'session' | 'token';
  role: string;
  permissions: Record<string, 'read' | 'write' | 'none'>;
  admin?: { id: number; username: string; mustChangePassword: boolean; totpEnabled: boolean };
  csrfToken?: string;
  totpRequired: boolean;
  setupRequired: string | null;
  billing?: { timezone: string; currency: string };
}

export interface Enrolment { uri: string; secret: string; qr: string }

export const me = () => http.get<Me>('/auth/me');
export const login = (username: string, password: string) => http.post<Me>('/auth/login', { username, password });
export const logout = () => http.post<unknown>('/auth/logout');
export const verifyTotp = (proof: { code: string } | { recoveryCode: string }) => http.post<Me>('/auth/totp/verify', proof);
export const changePassword = (currentPassword: unknown, newPassword: unknown) => http.post<Me>('/auth/password', { currentPassword, newPassword });
export const startEnrolment = () => http.post<Enrolment>('/auth/totp/enrol');
export const confirmEnrolment = (code: string) => http.post<{ recoveryCodes: string[] }>('/auth/totp/confirm', { code });
