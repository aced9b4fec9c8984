/**
 * Notification templates (`/api/v1/notification-templates`: the defaults and the operator's
 * overrides) and the outbox (`/api/v1/notifications`: every message with its delivery state).
 */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { SqlClient } from '../../db/sql.js';
import { decodeCursor, encodeCursor } from '../../db/crud.js';
import { notifyStore, type Channel } from '../../db/notify.js';
import type { Clock } from '../../lib/clock.js';
import { TollgateError } from '../../lib/errors.js';
import { CHANNELS, effectiveOf, effectiveTemplate, type EffectiveTemplate } from '../../notify/outbox.js';
import { DEFAULT_TEMPLATES, variablesOf } from '../../notify/templates.js';
import { Message, MessageQuery, Template, TemplateList, TemplateParams, TemplatePut } from '../notify-schemas.js';
import { ProblemSchema, pageOf } from '../schemas.js';
import { actorOf } from './crud.js';

export interface NotifyRoutesOptions {
  sql: SqlClient;
  clock: Clock;
  /** Wakes the sender after a requeue. */
  poke?: () => void;
}

const errors = { 400: ProblemSchema, 401: ProblemSchema, 404: ProblemSchema, 409: ProblemSchema, 422: ProblemSchema };

export async function notifyRoutes(app: FastifyInstance, opts: NotifyRoutesOptions): Promise<void> {
  const store = notifyStore(opts.sql);
  const iso = () => opts.clock.now().toISOString();
  const withVariables = (t: EffectiveTemplate | null) => (t ? { ...t, variables: [...new Set([...variablesOf(t.subject), ...variablesOf(t.body)])] } : null);
  const view = async (key: string, channel: Channel) => withVariables(await effectiveTemplate(store, key, channel));
  const tags = ['notifications'];

  app.get('/api/v1/notification-templates', { schema: { tags, summary: 'Every template in force: the defaults and the overrides', response: { 200: TemplateList, ...errors } } }, async () => {
    const rows = await store.templates();
    const custom = new Map(rows.map((t) => [`${t.key}/${t.channel}`, t] as const));
    const keys = new Set([...Object.keys(DEFAULT_TEMPLATES), ...rows.map((t) => t.key)]);
    const items = [...keys].sort().flatMap((k) => CHANNELS.map((ch) => withVariables(effectiveOf(custom.get(`${k}/${ch}`) ?? null, k, ch))).filter((t) => t !== null));
    return { items, next: null };
  });
  app.get('/api/v1/notification-templates/:key/:channel', { schema: { tags, summary: 'One template', params: TemplateParams, response: { 200: Template, ...errors } } }, async (req) => {
    const { key, channel } = req.params as { key: string; channel: Channel };
    const t = await view(key, channel);
    if (!t) throw new TollgateError('not_found', `no template ${key} for ${channel}`);
    return t;
  });
  app.put('/api/v1/notification-templates/:key/:channel', { schema: { tags, summary: 'Override a template (or add one for a new key)', params: TemplateParams, body: TemplatePut, response: { 200: Template, ...errors } } }, async (req) => {
    const { key, channel } = req.params as { key: string; channel: Channel };
    const b = req.body as { subject?: string; body: string; delayMinutes?: number; sendFrom?: string | null; sendUntil?: string | null; enabled?: boolean };
    if ((b.sendFrom == null) !== (b.sendUntil == null)) throw new TollgateError('invalid_input', 'sending hours need sendFrom and sendUntil', b.sendFrom == null ? 'sendFrom' : 'sendUntil');
    if (b.sendFrom != null && b.sendFrom === b.sendUntil) throw new TollgateError('invalid_input', 'sending hours must not be empty', 'sendUntil');
    if (channel === 'email' && !(b.subject ?? '').trim()) throw new TollgateError('invalid_input', 'an email template needs a subject', 'subject');
    return store.transaction(async () => {
      const before = await view(key, channel);
      await store.upsertTemplate({ key, channel, subject: channel === 'email' ? b.subject ?? '' : '', body: b.body, delayMinutes: b.delayMinutes ?? 0, sendFrom: b.sendFrom ?? null, sendUntil: b.sendUntil ?? null, enabled: b.enabled ?? true }, iso());
      const after = (await view(key, channel))!;
      await store.audit(actorOf(req), iso(), 'update', 'notification_template', `${key}/${channel}`, before ?? undefined, after);
      return after;
    });
  });
  app.delete('/api/v1/notification-templates/:key/:channel', { schema: { tags, summary: 'Remove an override: the default applies again', params: TemplateParams, response: { 204: Type.Null(), ...errors } } }, async (req, reply) => {
    const { key, channel } = req.params as { key: string; channel: Channel };
    await store.transaction(async () => {
      const before = await store.template(key, channel);
      if (!before) throw new TollgateError('not_found', `no override of ${key} for ${channel}`);
      await store.deleteTemplate(key, channel);
      await store.audit(actorOf(req), iso(), 'delete', 'notification_template', `${key}/${channel}`, before, undefined);
    });
    return reply.code(204).send();
  });

  app.get('/api/v1/notifications', { schema: { tags, summary: 'The outbox, newest first: filter by status, channel, customer, template', querystring: MessageQuery, response: { 200: pageOf(Message), ...errors } } }, async (req) => {
    const q = req.query as { limit?: number; cursor?: string; status?: 'queued'; channel?: Channel; customerId?: number; template?: string };
    const limit = q.limit ?? 50;
    const rows = await store.list(q, limit + 1, q.cursor ? decodeCursor(q.cursor) : null);
    const items = rows.slice(0, limit);
    return { items, next: rows.length > limit ? encodeCursor(items.at(-1)!.id) : null };
  });
  app.post('/api/v1/notifications/:id/retry', { schema: { tags, summary: 'Queue a failed message again', params: Type.Object({ id: Type.Integer({ minimum: 1 }) }), response: { 200: Message, ...errors } } }, async (req) => {
    const id = (req.params as { id: number }).id;
    const row = await store.transaction(async () => {
      const before = await store.get(id);
      if (!before) throw new TollgateError('not_found', `notification ${id} does not exist`);
      if (!(await store.requeue(id, iso()))) throw new TollgateError('conflict', `notification ${id} is ${before.status}; only a failed one can be retried`);
      const after = (await store.get(id))!;
      await store.audit(actorOf(req), iso(), 'retry', 'notification', id, { status: before.status }, { status: after.status });
      return after;
    });
    opts.poke?.();
    return row;
  });
}
