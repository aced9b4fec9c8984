/**
 * The Notifier: renders a template per channel and writes each message to the outbox. The rows are
 * written synchronously before `enqueue` returns its promise, so a call made inside a database
 * transaction is part of it (rolled back with it); the sender worker delivers later.
 */
import { TollgateError } from '../lib/errors.js';
import type { Clock } from '../lib/clock.js';
import { nextAllowedInstant } from '../lib/windows.js';
import type { NotifyStore, TemplateRow } from '../db/notify.js';
import { DEFAULT_TEMPLATES, renderMessage } from './templates.js';
import type { Channel, NotificationRequest, Notifier } from './types.js';

export const CHANNELS: readonly Channel[] = ['email', 'sms'];

export interface EffectiveTemplate extends Omit<TemplateRow, 'updatedAt'> {
  source: 'default' | 'custom';
  updatedAt: string | null;
}

/** The template in force for a key and channel: the operator's row, else the built-in default. */
export function effectiveTemplate(store: NotifyStore, key: string, channel: Channel): EffectiveTemplate | null {
  const row = store.template(key, channel);
  if (row) return { ...row, source: 'custom' };
  const d = DEFAULT_TEMPLATES[key]?.[channel];
  if (!d) return null;
  return { key, channel, subject: d.subject, body: d.body, delayMinutes: 0, sendFrom: null, sendUntil: null, enabled: true, source: 'default', updatedAt: null };
}

export interface OutboxNotifier extends Notifier {
  /** The same as `enqueue`, without the promise: for callers inside a synchronous transaction. */
  enqueueSync(req: NotificationRequest): { queued: number; ids: number[] };
}

export function outboxNotifier(opts: { store: NotifyStore; clock: Clock; timezone: string; onQueued?: () => void }): OutboxNotifier {
  const { store, clock } = opts;
  function enqueueSync(req: NotificationRequest): { queued: number; ids: number[] } {
    const contact = store.contact(req.customerId);
    if (!contact) throw new TollgateError('invalid_input', `customer ${req.customerId} does not exist`, 'customerId');
    const known = CHANNELS.some((ch) => store.template(req.template, ch)) || DEFAULT_TEMPLATES[req.template] !== undefined;
    if (!known) throw new TollgateError('invalid_input', `no notification template "${req.template}"`, 'template');
    const address: Record<Channel, string | null> = { email: contact.email?.trim() || null, sms: contact.phone?.trim() || null };
    const channels = req.channels ?? CHANNELS.filter((ch) => address[ch] !== null);
    const now = clock.now();
    const data = { customerName: contact.name, customerEmail: contact.email, customerPhone: contact.phone, ...req.data };
    const ids: number[] = [];
    for (const channel of channels) {
      const recipient = address[channel];
      if (recipient === null) continue;
      const t = effectiveTemplate(store, req.template, channel);
      if (!t || !t.enabled) continue;
      const msg = renderMessage(channel, t, data);
      const earliest = new Date(now.getTime() + t.delayMinutes * 60_000);
      const at = nextAllowedInstant(earliest, opts.timezone, { from: t.sendFrom, until: t.sendUntil }) ?? earliest;
      const id = store.insert({
        customerId: req.customerId, serviceId: req.serviceId ?? null, template: req.template, channel, recipient,
        subject: msg.subject, body: msg.body, nextAttemptAt: at.toISOString(), dedupeKey: req.dedupeKey ?? null, createdAt: now.toISOString(),
      });
      if (id !== null) ids.push(id);
    }
    if (ids.length > 0) opts.onQueued?.();
    return { queued: ids.length, ids };
  }
  return {
    enqueueSync,
    enqueue: async (req) => ({ queued: enqueueSync(req).queued }),
  };
}
