// The notifications outbox and the message templates.
import type { Static } from 'typebox';
import type * as N from '../../../src/http/notify-schemas.js';
import { http, type Body, type Page } from './http.js';

export type Message = Static<typeof N.Message>;
export type MessageQuery = Static<typeof N.MessageQuery>;
export type Template = Static<typeof N.Template>;
/** What names a template: its key and channel (the path of its read, change and revert). */
export type TemplateKey = Static<typeof N.TemplateParams>;

export const listMessages = (query: MessageQuery = {}) => http.get<Page<Message>>('/notifications', query);
export const retryMessage = (id: number) => http.post<Message>(`/notifications/${id}/retry`);
export const listTemplates = () => http.get<Static<typeof N.TemplateList>>('/notification-templates');
const templatePath = (t: TemplateKey) => `/notification-templates/${encodeURIComponent(t.key)}/${t.channel}`;
export const saveTemplate = (t: TemplateKey, body: Body) => http.put<Template>(templatePath(t), body);
/** Drops the custom text: the default applies again. */
export const revertTemplate = (t: TemplateKey) => http.del<unknown>(templatePath(t));
