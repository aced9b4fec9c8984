/**
 * What the rest of Tollgate asks of notifications. The implementation (src/notify/) renders the
 * template, writes the message to the outbox in the caller's transaction or right away, and a worker
 * sends it by email or SMS with retries; callers never wait for delivery.
 */
import type { MessageKey } from '../i18n/messages.js';
import type { Channel } from '../i18n/templates/set.js';

export type { Channel };

/**
 * A value a template inserts. Amounts, dates and sizes are handed over raw and formatted in the
 * language of the message (the customer's), so an Italian SMS says "29,90 €" and "20 dic 2026";
 * a `message` is a catalogue key worded in that language.
 */
export type TemplateValue =
  | string
  | number
  | null
  | { readonly money: number; readonly currency: string }
  | { readonly date: string }
  | { readonly bytes: number }
  | { readonly message: MessageKey };

export interface NotificationRequest {
  customerId: number;
  serviceId?: number | undefined;
  /** A template key, e.g. `invoice.reminder.1`, `prepaid.expiring`, `cap.80`, `cap.100`, `service.resumed`. */
  template: string;
  /** Values the template may use. */
  data: Record<string, TemplateValue>;
  /** Channels to use; default: every channel the customer has an address for. */
  channels?: Channel[] | undefined;
  /** Makes the request idempotent: a second request with the same key is ignored. */
  dedupeKey?: string | undefined;
}

export interface Notifier {
  enqueue(req: NotificationRequest): Promise<{ queued: number }>;
}
