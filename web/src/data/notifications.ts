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
/** The templates in force in a language (each language has its own texts and overrides). */
export const listTemplates = (language: string) => http.get<Static<typeof N.TemplateList>>('/notification-templates', { language });
const templatePath = (t: TemplateKey, language?: string) => `/notification-templates/${encodeURIComponent(t.key)}/${t.channel}${language ? `?language=${language}` : ''}`;
/** Saves the text as the override of the template's language. */
export const saveTemplate = (t: TemplateKey & { language: string }, body: Body) => http.put<Template>(templatePath(t, t.language), body);
/** Drops the custom text (this language's, or the one written for every language): the built-in text applies again. */
export const revertTemplate = (t: TemplateKey & { language: string; allLanguages: boolean }) => http.del<unknown>(templatePath(t, t.allLanguages ? undefined : t.language));
