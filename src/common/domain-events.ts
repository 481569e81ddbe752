import type { SqlExecutor } from '../outbox/outbox';

/** Facts other features react to (the recommender refreshes the customers they concern). */
export interface DomainEventMap {
  activityRecorded: { customerIds: string[] };
  interestsChanged: { customerIds: string[] };
  customerChanged: { customerIds: string[] };
}

export type DomainEventHandler<K extends keyof DomainEventMap> = (
  db: SqlExecutor,
  event: DomainEventMap[K],
) => Promise<void>;

/**
 * A small typed bus whose handlers run inside the transaction that made the change: what they
 * write (outbox entries, typically) commits or rolls back with it. That is why a handler may
 * fail the change: background work the change needs is part of the change. Handlers must
 * only write to the database they are given, never call Redis or the network.
 */
export class DomainEvents {
  private readonly handlers = new Map<keyof DomainEventMap, Array<DomainEventHandler<never>>>();

  on<K extends keyof DomainEventMap>(name: K, handler: DomainEventHandler<K>): void {
    this.handlers.set(name, [...(this.handlers.get(name) ?? []), handler as never]);
  }

  /** Runs every handler of `name`, in order, in the caller's transaction. */
  async emit<K extends keyof DomainEventMap>(
    db: SqlExecutor,
    name: K,
    event: DomainEventMap[K],
  ): Promise<void> {
    for (const handler of this.handlers.get(name) ?? []) {
      await (handler as DomainEventHandler<K>)(db, event);
    }
  }
}
