import type { DomainEvents } from '../common/domain-events';
import { enqueue, type OutboxMessage, type SqlExecutor } from '../outbox/outbox';
import { RECOMMENDATIONS_QUEUE, refreshJobOptions } from './recommendation.queue';

/**
 * Up to this many customers get a job each (deduplicated, so a burst of loans at the desk is
 * one refresh); more, from a batch or an import, share jobs of REFRESH_BATCH customers, which
 * the workers refresh together in a handful of statements.
 */
export const SINGLE_REFRESH_LIMIT = 3;
export const REFRESH_BATCH = 500;

/** Refreshes of these customers, to be queued through the outbox in the caller's transaction. */
export function refreshMessages(customerIds: readonly string[]): OutboxMessage[] {
  const ids = [...new Set(customerIds)];
  if (ids.length <= SINGLE_REFRESH_LIMIT) {
    return ids.map((customerId) => ({
      queue: RECOMMENDATIONS_QUEUE,
      name: 'refresh-customer',
      data: { customerId },
      ...refreshJobOptions(customerId),
    }));
  }
  const messages: OutboxMessage[] = [];
  for (let i = 0; i < ids.length; i += REFRESH_BATCH) {
    messages.push({
      queue: RECOMMENDATIONS_QUEUE,
      name: 'refresh-customers',
      data: { customerIds: ids.slice(i, i + REFRESH_BATCH) },
    });
  }
  return messages;
}

/** Dropping each customer's cached list and pending refresh, once the transaction commits. */
export function forgetMessages(customerIds: readonly string[]): OutboxMessage[] {
  return [...new Set(customerIds)].map((customerId) => ({
    queue: RECOMMENDATIONS_QUEUE,
    name: 'forget-customer',
    data: { customerId },
  }));
}

/** Queues refreshes in the caller's transaction; they reach the workers after it commits. */
export function requestRefreshIn(db: SqlExecutor, customerIds: readonly string[]): Promise<void> {
  return enqueue(db, refreshMessages(customerIds));
}

/** Queues the clean-up of cached suggestions in the caller's transaction. */
export function requestForgetIn(db: SqlExecutor, customerIds: readonly string[]): Promise<void> {
  return enqueue(db, forgetMessages(customerIds));
}

/**
 * What a customer does or declares, and changes to their record, change their suggestions:
 * each such change queues a refresh of the customers it touched, in its own transaction.
 */
export function refreshOnChanges(events: DomainEvents): DomainEvents {
  events.on('activityRecorded', (e) => refreshMessages(e.customerIds));
  events.on('interestsChanged', (e) => refreshMessages(e.customerIds));
  events.on('customerChanged', (e) => refreshMessages(e.customerIds));
  return events;
}
