// The notifications outbox and the message templates.
import { http, type Body, type Page, type Paging } from './http.js';

// These schemas sit in the notify routes, beside server-only code: copies of the parts the UI reads.
export interface Message { id: number; customerId: number | null; channel: string; recipient: string; subject: string; template: string; status: string; attempts: number; lastError: string | null; createdAt: string; sentAt: string | null }
export interface Template { key: string; channel: 'email' | 'sms'; subject: string; body: string; delayMinutes: number; sendFrom: string | null; sendUntil: string | null; enabled: boolean; source: 'default' | 'custom'; variables: string[]; updatedAt: string | null }

export const listMessages = (query: Paging & { status?: string; customerId?: number } = {}) => http.get<Page<Message>>('/notifications', query);
export const retryMessage = (id: number) => http.post<unknown>(`/notifications/${id}/retry`);
export const listTemplates = () => http.get<{ items: Template[] }>('/notification-templates');
const templatePath = (t: Pick<Template, 'key' | 'channel'>) => `/notification-templates/${encodeURIComponent(t.key)}/${t.channel}`;
export const saveTemplate = (t: Pick<Template, 'key' | 'channel'>, body: Body) => http.put<Template>(templatePath(t), body);
/** Drops the custom text: the default applies again. */
export const revertTemplate = (t: Pick<Template, 'key' | 'channel'>) => http.del<unknown>(templatePath(t));
