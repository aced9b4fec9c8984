// Imports only typebox and the language list: the web's typecheck reads this file for the API's types.
import { Type, type TSchema } from 'typebox';
import { LANGUAGE_LIST, LOCALES } from '../i18n/locales.js';

/** Schemas of the notification templates and the outbox. */

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const HHMM = Type.String({ pattern: '^([01]\\d|2[0-3]):[0-5]\\d$', description: 'HH:MM, billing time zone' });
const ChannelT = Type.Union([Type.Literal('email'), Type.Literal('sms')]);
const KeyT = Type.String({ pattern: '^[a-z0-9_.-]{1,100}$' });
const LanguageT = Type.Union(LOCALES.map((l) => Type.Literal(l)), { description: LANGUAGE_LIST });
/** `?language=`: which language's template; for GET the installation's when left out. */
export const TemplateLanguageQuery = Type.Object({ language: Type.Optional(LanguageT) }, { additionalProperties: false });
export const Template = Type.Object({
  key: Type.String(), channel: ChannelT, subject: Type.String(), body: Type.String(), delayMinutes: Type.Integer(),
  sendFrom: Nullable(Type.String()), sendUntil: Nullable(Type.String()), enabled: Type.Boolean(),
  source: Type.Union([Type.Literal('default'), Type.Literal('custom')]), variables: Type.Array(Type.String()), updatedAt: Nullable(Type.String()),
  language: Type.Union([LanguageT], { description: 'the language this template is in force for' }),
  allLanguages: Type.Boolean({ description: 'the override was written for every language (PUT without ?language=), not for this one' }),
});
export const TemplateParams = Type.Object({ key: KeyT, channel: ChannelT });
export const TemplatePut = Type.Object({
  subject: Type.Optional(Type.String({ maxLength: 500, description: 'email only; {{var}} allowed' })),
  body: Type.String({ minLength: 1, maxLength: 20000, description: 'email: HTML, values are HTML-escaped; SMS: text' }),
  delayMinutes: Type.Optional(Type.Integer({ minimum: 0, maximum: 10080 })),
  sendFrom: Type.Optional(Nullable(HHMM)),
  sendUntil: Type.Optional(Nullable(HHMM)),
  enabled: Type.Optional(Type.Boolean()),
}, { additionalProperties: false });
export const Message = Type.Object({
  id: Type.Integer(), customerId: Nullable(Type.Integer()), serviceId: Nullable(Type.Integer()), template: Type.String(), channel: ChannelT,
  recipient: Type.String(), subject: Type.String(), body: Type.String(),
  status: Type.Union([Type.Literal('queued'), Type.Literal('sending'), Type.Literal('sent'), Type.Literal('failed')]),
  attempts: Type.Integer(), lastError: Nullable(Type.String({ description: 'the last delivery error, in English (the SMTP server\'s or the gateway\'s words as it said them)' })),
  lastErrorCode: Nullable(Type.String({ description: "`lastError` by the UI's message catalogue key (notifyError.*, jobError.smtp…), to word it in the reader's language; null: none, or an older row" })),
  lastErrorValues: Nullable(Type.Record(Type.String(), Type.String(), { description: 'the values the keyed message takes; `words` is a peer\'s text as said' })),
  nextAttemptAt: Type.String(), dedupeKey: Nullable(Type.String()),
  createdAt: Type.String(), sentAt: Nullable(Type.String()),
});
/** Every template in force (`GET /api/v1/notification-templates`). */
export const TemplateList = Type.Object({ items: Type.Array(Template), next: Type.Null() });
export const MessageQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })), cursor: Type.Optional(Type.String({ maxLength: 200 })),
  status: Type.Optional(Type.Union([Type.Literal('queued'), Type.Literal('sending'), Type.Literal('sent'), Type.Literal('failed')])),
  channel: Type.Optional(ChannelT), customerId: Type.Optional(Type.Integer({ minimum: 1 })), template: Type.Optional(KeyT),
}, { additionalProperties: false });
