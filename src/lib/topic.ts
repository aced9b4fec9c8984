/**
 * A publish/subscribe channel between parts that are built in order by the composition root: the
 * part built first publishes, the parts built after it subscribe when they are constructed. Nothing
 * is wired by assigning callbacks afterwards, and a publisher never needs to know its subscribers
 * (the accounting writer publishes committed usage; data caps subscribe).
 *
 * Delivery is synchronous and in subscription order. A subscriber that throws does not stop the
 * others: the error goes to the topic's `onError` (a library does not log).
 */
export class Topic<T> {
  readonly #subscribers = new Set<(value: T) => void>();

  constructor(private readonly onError: (err: unknown) => void = () => {}) {}

  /** Calls `fn` with every value published from now on; the returned function unsubscribes. */
  subscribe(fn: (value: T) => void): () => void {
    this.#subscribers.add(fn);
    return () => this.#subscribers.delete(fn);
  }

  publish(value: T): void {
    for (const fn of this.#subscribers) {
      try {
        fn(value);
      } catch (err) {
        this.onError(err);
      }
    }
  }
}

/** What the RADIUS side caches and the API, the scheduler and the network actions may change. */
export type CachedEntity = 'nas' | 'plan' | 'service' | 'customer';

/**
 * A committed change to cached data: every row of a kind, or only the rows with these ids (a
 * service edited, a customer's language changed). With a million services cached, one service's
 * change must not make every node read them all again.
 */
export interface Change {
  entity: CachedEntity;
  /** Absent: any row of the kind may have changed. */
  ids?: readonly number[] | undefined;
}

/** Every row of a kind. */
export const allOf = (entity: CachedEntity): Change => ({ entity });
/** Only these rows of a kind. */
export const rowsOf = (entity: CachedEntity, ids: readonly number[]): Change => ({ entity, ids });
