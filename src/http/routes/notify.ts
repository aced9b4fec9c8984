/**
 * Notification templates (`/api/v1/notification-templates`: the defaults and the operator's
 * overrides) and the outbox (`/api/v1/notifications`: every message with its delivery state).
 */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { SqlClient } from '../../db/sql.js';
import { decodeCursor, encodeCursor } from '../../db/crud.js';
import { notifyStore, type Channel, type OutboxRow, type TemplateRow } from '../../db/notify.js';
import { LANGUAGE_LIST, type Locale } from '../../i18n/locales.js';
import type { Clock } from '../../lib/clock.js';
import { keyedError, notFound, said, TollgateError } from '../../lib/errors.js';
import { CHANNELS, effectiveOf, effectiveTemplate, type EffectiveTemplate } from '../../notify/outbox.js';
import { TEMPLATE_KEYS, variablesOf } from '../../notify/templates.js';
import { Message, MessageQuery, Template, TemplateLanguageQuery, TemplateList, TemplateParams, TemplatePut } from '../notify-schemas.js';
import { ProblemSchema, pageOf } from '../schemas.js';
import { actorOf } from './crud.js';

export interface NotifyRoutesOptions {
  sql: SqlClient;
  clock: Clock;
  /** The installation's language: the templates listed when no ?language= is given. */
  defaultLanguage: Locale;
  /** Wakes the sender after a requeue. */
  poke?: () => void;
}

const errors = { 400: ProblemSchema, 401: ProblemSchema, 404: ProblemSchema, 409: ProblemSchema, 422: ProblemSchema };

export async function notifyRoutes(app: FastifyInstance, opts: NotifyRoutesOptions): Promise<void> {
  const store = notifyStore(opts.sql);
  const iso = () => opts.clock.now().toISOString();
  const withVariables = (t: EffectiveTemplate | null) => (t ? { ...t, variables: [...new Set([...variablesOf(t.subject), ...variablesOf(t.body)])] } : null);
  const view = async (key: string, channel: Channel, language: Locale) => withVariables(await effectiveTemplate(store, key, channel, language));
  const tags = ['notifications'];
  /** An override's row: that language's, or with no ?language= the row of every language. */
  const rowLanguage = (q: { language?: Locale }) => q.language ?? '';
  const languageNote = `With \`?language=\` (${LANGUAGE_LIST}) the override is that language's; without it, one override for every language that has none of its own.`;

  app.get('/api/v1/notification-templates', {
    schema: { tags, summary: 'Every template in force in a language (default: the installation\'s): the built-in texts and the overrides', querystring: TemplateLanguageQuery, response: { 200: TemplateList, ...errors } },
  }, async (req) => {
    const language = (req.query as { language?: Locale }).language ?? opts.defaultLanguage;
    const rows = await store.templates();
    // Per key and channel: the row of this language, else the row of every language.
    const custom = new Map<string, TemplateRow>();
    for (const t of rows) {
      const id = `${t.key}/${t.channel}`;
      if (t.language === language || (t.language === '' && !custom.has(id))) custom.set(id, t);
    }
    const keys = new Set([...TEMPLATE_KEYS, ...rows.map((t) => t.key)]);
    const items = [...keys].sort().flatMap((k) => CHANNELS.map((ch) => withVariables(effectiveOf(custom.get(`${k}/${ch}`) ?? null, k, ch, language))).filter((t) => t !== null));
    return { items, next: null };
  });
  app.get('/api/v1/notification-templates/:key/:channel', {
    schema: { tags, summary: 'One template in a language (default: the installation\'s)', params: TemplateParams, querystring: TemplateLanguageQuery, response: { 200: Template, ...errors } },
  }, async (req) => {
    const { key, channel } = req.params as { key: string; channel: Channel };
    const t = await view(key, channel, (req.query as { language?: Locale }).language ?? opts.defaultLanguage);
    if (!t) throw new TollgateError('not_found', said('fault.template.none', `no template ${key} for ${channel}`, { key, channel }));
    return t;
  });
  app.put('/api/v1/notification-templates/:key/:channel', {
    schema: { tags, summary: 'Override a template (or add one for a new key)', description: languageNote, params: TemplateParams, querystring: TemplateLanguageQuery, body: TemplatePut, response: { 200: Template, ...errors } },
  }, async (req) => {
    const { key, channel } = req.params as { key: string; channel: Channel };
    const q = req.query as { language?: Locale };
    const b = req.body as { subject?: string; body: string; delayMinutes?: number; sendFrom?: string | null; sendUntil?: string | null; enabled?: boolean };
    if ((b.sendFrom == null) !== (b.sendUntil == null)) throw new TollgateError('invalid_input', said('fault.notify.hoursBoth', 'sending hours need sendFrom and sendUntil'), b.sendFrom == null ? 'sendFrom' : 'sendUntil');
    if (b.sendFrom != null && b.sendFrom === b.sendUntil) throw new TollgateError('invalid_input', said('fault.notify.hoursEmpty', 'sending hours must not be empty'), 'sendUntil');
    if (channel === 'email' && !(b.subject ?? '').trim()) throw new TollgateError('invalid_input', said('fault.notify.subject', 'an email template needs a subject'), 'subject');
    const language = q.language ?? opts.defaultLanguage;
    const id = `${key}/${channel}${q.language ? `/${q.language}` : ''}`;
    return store.transaction(async () => {
      const before = await view(key, channel, language);
      await store.upsertTemplate({ key, channel, language: rowLanguage(q), subject: channel === 'email' ? b.subject ?? '' : '', body: b.body, delayMinutes: b.delayMinutes ?? 0, sendFrom: b.sendFrom ?? null, sendUntil: b.sendUntil ?? null, enabled: b.enabled ?? true }, iso());
      const after = (await view(key, channel, language))!;
      await store.audit(actorOf(req), iso(), 'update', 'notification_template', id, before ?? undefined, after);
      return after;
    });
  });
  app.delete('/api/v1/notification-templates/:key/:channel', {
    schema: { tags, summary: 'Remove an override: the built-in text applies again', description: languageNote, params: TemplateParams, querystring: TemplateLanguageQuery, response: { 204: Type.Null(), ...errors } },
  }, async (req, reply) => {
    const { key, channel } = req.params as { key: string; channel: Channel };
    const q = req.query as { language?: Locale };
    const id = `${key}/${channel}${q.language ? `/${q.language}` : ''}`;
    await store.transaction(async () => {
      const before = await store.templateExact(key, channel, rowLanguage(q));
      if (!before) throw new TollgateError('not_found', said('fault.template.noOverride', `no override of ${key} for ${channel}${q.language ? ` in ${q.language}` : ''}`, { key, channel, language: q.language ?? 'none' }));
      await store.deleteTemplate(key, channel, rowLanguage(q));
      await store.audit(actorOf(req), iso(), 'delete', 'notification_template', id, before, undefined);
    });
    return reply.code(204).send();
  });

  app.get('/api/v1/notifications', { schema: { tags, summary: 'The outbox, newest first: filter by status, channel, customer, template', querystring: MessageQuery, response: { 200: pageOf(Message), ...errors } } }, async (req) => {
    const q = req.query as { limit?: number; cursor?: string; status?: 'queued'; channel?: Channel; customerId?: number; template?: string };
    const limit = q.limit ?? 50;
    const rows = await store.list(q, limit + 1, q.cursor ? decodeCursor(q.cursor) : null);
    const items = rows.slice(0, limit);
    return { items: items.map(messageOf), next: rows.length > limit ? encodeCursor(items.at(-1)!.id) : null };
  });
  app.post('/api/v1/notifications/:id/retry', { schema: { tags, summary: 'Queue a failed message again', params: Type.Object({ id: Type.Integer({ minimum: 1 }) }), response: { 200: Message, ...errors } } }, async (req) => {
    const id = (req.params as { id: number }).id;
    const row = await store.transaction(async () => {
      const before = await store.get(id);
      if (!before) throw notFound('notification', id);
      if (!(await store.requeue(id, iso()))) throw new TollgateError('conflict', said('fault.notification.retry', `notification ${id} is ${before.status}; only a failed one can be retried`, { id, status: before.status }));
      const after = (await store.get(id))!;
      await store.audit(actorOf(req), iso(), 'retry', 'notification', id, { status: before.status }, { status: after.status });
      return after;
    });
    opts.poke?.();
    return messageOf(row);
  });
}

/** An outbox row as the API gives it: its last error by catalogue key beside the English. */
function messageOf(row: OutboxRow) {
  const { lastErrorMessage, ...rest } = row;
  return { ...rest, ...keyedError(lastErrorMessage) };
}
