import { enqueue, type OutboxMessage, type SqlExecutor } from '../outbox/outbox';

/** Facts other features react to (the recommender refreshes the customers they concern). */
export interface DomainEventMap {
  activityRecorded: { customerIds: string[] };
  interestsChanged: { customerIds: string[] };
  customerChanged: { customerIds: string[] };
}

/** What a feature wants done in the background when a fact happens: pure, no I/O. */
export type DomainEventHandler<K extends keyof DomainEventMap> = (
  event: DomainEventMap[K],
) => OutboxMessage[];

/**
 * A small typed bus whose handlers answer with background work (outbox messages) rather than
 * doing anything themselves. The work is written into the transaction that made the change,
 * so it commits or rolls back with it; a handler cannot fail a change or slow it down with
 * I/O of its own.
 */
export class DomainEvents {
  private readonly handlers = new Map<keyof DomainEventMap, Array<DomainEventHandler<never>>>();

  on<K extends keyof DomainEventMap>(name: K, handler: DomainEventHandler<K>): void {
    this.handlers.set(name, [...(this.handlers.get(name) ?? []), handler as never]);
  }

  /** The background work every handler of `name` asks for. */
  messagesFor<K extends keyof DomainEventMap>(name: K, event: DomainEventMap[K]): OutboxMessage[] {
    return (this.handlers.get(name) ?? []).flatMap((h) => (h as DomainEventHandler<K>)(event));
  }

  /** Writes that work into the outbox in the caller's transaction. */
  async emit<K extends keyof DomainEventMap>(
    db: SqlExecutor,
    name: K,
    event: DomainEventMap[K],
  ): Promise<void> {
    await enqueue(db, this.messagesFor(name, event));
  }
}
