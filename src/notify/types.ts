/**
 * What the rest of Tollgate asks of notifications. The implementation (src/notify/) renders the
 * template, writes the message to the outbox in the caller's transaction or right away, and a worker
 * sends it by email or SMS with retries; callers never wait for delivery.
 */
export type Channel = 'email' | 'sms';

export interface NotificationRequest {
  customerId: number;
  serviceId?: number | undefined;
  /** A template key, e.g. `invoice.reminder.1`, `prepaid.expiring`, `cap.80`, `cap.100`, `service.resumed`. */
  template: string;
  /** Values the template may use. */
  data: Record<string, string | number | null>;
  /** Channels to use; default: every channel the customer has an address for. */
  channels?: Channel[] | undefined;
  /** Makes the request idempotent: a second request with the same key is ignored. */
  dedupeKey?: string | undefined;
}

export interface Notifier {
  enqueue(req: NotificationRequest): Promise<{ queued: number }>;
}
