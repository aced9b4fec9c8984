// Who is signed in, and the steps of signing in: password, second factor, first-run password change
// and TOTP enrolment.
import type { Static } from 'typebox';
import type * as A from '../../../src/http/admin-schemas.js';
import { http } from './http.js';

export type Me = Static<typeof A.Me>;
export type Enrolment = Static<typeof A.Enrolment>;
type TotpFields = Required<Static<typeof A.TotpVerify>>;
/** A current code or a recovery code: the schema takes exactly one of them. */
export type TotpProof = Pick<TotpFields, 'code'> | Pick<TotpFields, 'recoveryCode'>;

export const me = () => http.get<Me>('/auth/me');
export const login = (username: string, password: string) => http.post<Me>('/auth/login', { username, password });
export const logout = () => http.post<unknown>('/auth/logout');
export const verifyTotp = (proof: TotpProof) => http.post<Me>('/auth/totp/verify', proof);
export const changePassword = (currentPassword: unknown, newPassword: unknown) => http.post<Me>('/auth/password', { currentPassword, newPassword });
export const startEnrolment = () => http.post<Enrolment>('/auth/totp/enrol');
export const confirmEnrolment = (code: string) => http.post<Static<typeof A.RecoveryCodes>>('/auth/totp/confirm', { code });
/** Stores the admin's own UI language (null: follow the browser). */
export const setLanguage = (language: string | null) => http.put<Me>('/auth/language', { language });
