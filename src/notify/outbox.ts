/**
 * The Notifier: renders a template per channel and writes each message to the outbox. Its
 * statements run on the store's SqlClient, so a call awaited inside that client's transaction is
 * part of it (rolled back with it); the sender workers deliver later.
 */
import { said, TollgateError } from '../lib/errors.js';
import type { Clock } from '../lib/clock.js';
import { nextAllowedInstant } from '../lib/windows.js';
import { formatter } from '../i18n/format.js';
import { isLocale, type Locale } from '../i18n/locales.js';
import type { Contact, NotifyStore, OutboxInsert, TemplateRow } from '../db/notify.js';
import { builtInTemplate, formatData, isTemplateKey, renderMessage } from './templates.js';
import type { Channel, NotificationRequest, Notifier } from './types.js';

export const CHANNELS: readonly Channel[] = ['email', 'sms'];

export interface EffectiveTemplate extends Omit<TemplateRow, 'updatedAt' | 'language'> {
  source: 'default' | 'custom';
  /** The language the template is asked for. */
  language: Locale;
  /** The operator's row covers every language (it was not written for this one). */
  allLanguages: boolean;
  updatedAt: string | null;
}

/**
 * The template in force in `language` given the operator's row for the key and channel (that
 * language's, else the one of every language, or null): that row, else the built-in text.
 */
export function effectiveOf(row: TemplateRow | null, key: string, channel: Channel, language: Locale): EffectiveTemplate | null {
  if (row) return { ...row, language, allLanguages: row.language === '', source: 'custom' };
  const d = builtInTemplate(language, key, channel);
  if (!d) return null;
  return { key, channel, language, allLanguages: false, subject: d.subject, body: d.body, delayMinutes: 0, sendFrom: null, sendUntil: null, enabled: true, source: 'default', updatedAt: null };
}

/** The template in force for a key, channel and language: the operator's row, else the built-in text. */
export async function effectiveTemplate(store: Pick<NotifyStore, 'template'>, key: string, channel: Channel, language: Locale): Promise<EffectiveTemplate | null> {
  return effectiveOf(await store.template(key, channel, language), key, channel, language);
}

/** The language a customer's messages are written in: theirs, else the installation's. */
export function languageOf(contact: Pick<Contact, 'language'>, fallback: Locale): Locale {
  return isLocale(contact.language) ? contact.language : fallback;
}

export interface MessageLocale {
  /** The installation's language, for customers without one. */
  defaultLanguage: Locale;
  /** The billing time zone and currency: dates and amounts in messages. */
  timezone: string;
  currency: string;
}

/** What one request writes, from the customer's contact and the operator's rows per channel: pure. */
function outboxRows(req: NotificationRequest, contact: Contact | null, rows: Record<Channel, TemplateRow | null>, now: Date, loc: MessageLocale): OutboxInsert[] {
  const timezone = loc.timezone;
  if (!contact) throw new TollgateError('invalid_input', said('fault.noCustomer', `customer ${req.customerId} does not exist`, { id: String(req.customerId) }), 'customerId');
  const known = CHANNELS.some((ch) => rows[ch] !== null) || isTemplateKey(req.template);
  if (!known) throw new TollgateError('invalid_input', said('fault.template.unknown', `no notification template "${req.template}"`, { key: req.template }), 'template');
  const language = languageOf(contact, loc.defaultLanguage);
  const address: Record<Channel, string | null> = { email: contact.email?.trim() || null, sms: contact.phone?.trim() || null };
  const channels = req.channels ?? CHANNELS.filter((ch) => address[ch] !== null);
  const f = formatter(language, { timeZone: loc.timezone, currency: loc.currency });
  const data = formatData({ customerName: contact.name, customerEmail: contact.email, customerPhone: contact.phone, ...req.data }, f);
  const out: OutboxInsert[] = [];
  for (const channel of channels) {
    const recipient = address[channel];
    if (recipient === null) continue;
    const t = effectiveOf(rows[channel], req.template, channel, language);
    if (!t || !t.enabled) continue;
    const msg = renderMessage(channel, t, data);
    const earliest = new Date(now.getTime() + t.delayMinutes * 60_000);
    const at = nextAllowedInstant(earliest, timezone, { from: t.sendFrom, until: t.sendUntil }) ?? earliest;
    out.push({
      customerId: req.customerId, serviceId: req.serviceId ?? null, template: req.template, channel, recipient,
      subject: msg.subject, body: msg.body, nextAttemptAt: at.toISOString(), dedupeKey: req.dedupeKey ?? null, createdAt: now.toISOString(),
    });
  }
  return out;
}

export interface OutboxNotifier extends Notifier {
  /** `enqueue` answering the new rows' ids too. */
  enqueueIds(req: NotificationRequest): Promise<{ queued: number; ids: number[] }>;
  /**
   * Resolves once every enqueue started so far has finished: for callers that queue after commit
   * without waiting (the payment notice), so a test or a shutdown can.
   */
  idle(): Promise<void>;
}

export function outboxNotifier(opts: { store: NotifyStore; clock: Clock; timezone: string; currency?: string; defaultLanguage?: Locale; onQueued?: () => void }): OutboxNotifier {
  const loc: MessageLocale = { timezone: opts.timezone, currency: opts.currency ?? 'EUR', defaultLanguage: opts.defaultLanguage ?? 'en' };
  const { store, clock } = opts;
  const queued = (ids: number[]) => {
    if (ids.length > 0) opts.onQueued?.();
    return { queued: ids.length, ids };
  };
  const pending = new Set<Promise<unknown>>();
  function enqueueIds(req: NotificationRequest): Promise<{ queued: number; ids: number[] }> {
    const p = write(req);
    pending.add(p);
    void p.then(() => pending.delete(p), () => pending.delete(p));
    return p;
  }
  async function write(req: NotificationRequest): Promise<{ queued: number; ids: number[] }> {
    const contact = await store.contact(req.customerId);
    const language = contact ? languageOf(contact, loc.defaultLanguage) : loc.defaultLanguage;
    const [email, sms] = await Promise.all([store.template(req.template, 'email', language), store.template(req.template, 'sms', language)]);
    const ids: number[] = [];
    for (const row of outboxRows(req, contact, { email, sms }, clock.now(), loc)) {
      const id = await store.insert(row);
      if (id !== null) ids.push(id);
    }
    return queued(ids);
  }
  return {
    enqueueIds,
    enqueue: async (req) => ({ queued: (await enqueueIds(req)).queued }),
    async idle() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
}
