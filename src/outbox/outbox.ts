import { currentRequestId } from '../observability/request-context';

/**
 * Anything that runs SQL: a TypeORM `EntityManager` inside `ds.transaction`, or a pg client
 * between BEGIN and COMMIT. The outbox never opens its own transaction: its whole point is to
 * commit, or roll back, with the caller's.
 */
export interface SqlExecutor {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/** Background work to hand to a BullMQ queue once the caller's transaction commits. */
export interface OutboxMessage {
  /** BullMQ queue name, e.g. `recommendations`. */
  queue: string;
  /** Job name the queue's processor dispatches on. */
  name: string;
  /** Job data: ids and settings only, never personal data (it is stored and logged by id). */
  data: Record<string, unknown>;
  /**
   * BullMQ job id. A job with this id that still exists is never added twice, which is what
   * makes relaying safe to repeat. Omit it to use `ob-<entry id>`; give one when the job
   * itself must be unique (`campaign-12-send`).
   */
  jobId?: string;
  /** Milliseconds to wait before the job may run. */
  delay?: number;
  /** Collapse with a waiting job of the same id (BullMQ deduplication). */
  deduplication?: { id: string; keepLastIfActive?: boolean };
  /** Attempts before the job fails for good; the queue's default otherwise. */
  attempts?: number;
  /** Lower runs sooner; BullMQ priorities. */
  priority?: number;
}

/**
 * The channel relays LISTEN on. A trigger on the outbox table notifies it whenever a statement
 * adds entries, however they were written; the notification is delivered at commit.
 */
export const OUTBOX_CHANNEL = 'commonplace_outbox';

/** Job options kept with an entry, as BullMQ takes them. */
export interface StoredJobOptions {
  delay?: number;
  deduplication?: { id: string; keepLastIfActive?: boolean };
  attempts?: number;
  priority?: number;
}

/**
 * Records background work in the caller's transaction: one INSERT for any number of messages
 * (the table's trigger wakes the relays when, and only if, the transaction commits). The
 * request under way (if any) is stored with each entry, so the job's logs carry its request id.
 *
 * ```ts
 * await ds.transaction(async (tx) => {
 *   await tx.query('INSERT INTO campaign ...');
 *   await enqueue(tx, { queue: 'marketing', name: 'send', data: { campaignId }, jobId: `send-${campaignId}` });
 * });
 * ```
 */
export async function enqueue(
  db: SqlExecutor,
  messages: OutboxMessage | readonly OutboxMessage[],
): Promise<void> {
  const list = Array.isArray(messages) ? messages : [messages as OutboxMessage];
  if (!list.length) return;
  const insert = outboxInsert(list, 1);
  await db.query(insert.sql, insert.params);
}

/**
 * The INSERT that `enqueue` runs, for a caller that writes the entries in its own statement
 * (as a data-modifying CTE) to save a round trip on a hot path. Parameters are numbered from
 * `firstParam`; `condition`, if given, is a SQL condition the entries are written under (say,
 * `EXISTS (SELECT 1 FROM inserted)`).
 */
export function outboxInsert(
  messages: readonly OutboxMessage[],
  firstParam: number,
  condition = 'true',
): { sql: string; params: unknown[] } {
  for (const m of messages) checkMessage(m);
  const p = (i: number) => `$${firstParam + i}`;
  return {
    sql:
      `INSERT INTO outbox (queue, name, data, job_id, opts, request_id) ` +
      `SELECT q, n, d, j, o, ${p(5)}::text ` +
      `FROM unnest(${p(0)}::text[], ${p(1)}::text[], ${p(2)}::jsonb[], ${p(3)}::text[], ` +
      `${p(4)}::jsonb[]) AS m(q, n, d, j, o) WHERE ${condition}`,
    params: [
      messages.map((m) => m.queue),
      messages.map((m) => m.name),
      messages.map((m) => JSON.stringify(m.data)),
      messages.map((m) => m.jobId ?? null),
      messages.map((m) => JSON.stringify(jobOptions(m))),
      currentRequestId() ?? null,
    ],
  };
}

function jobOptions(m: OutboxMessage): StoredJobOptions {
  const opts: StoredJobOptions = {};
  if (m.delay) opts.delay = m.delay;
  if (m.deduplication) opts.deduplication = m.deduplication;
  if (m.attempts) opts.attempts = m.attempts;
  if (m.priority) opts.priority = m.priority;
  return opts;
}

/**
 * Mistakes in a message are programming errors, caught before anything is written: BullMQ
 * would refuse the job later, where no caller could hear about it.
 */
function checkMessage(m: OutboxMessage): void {
  if (!/^[A-Za-z0-9_-]+$/.test(m.queue)) throw new Error(`outbox: bad queue name "${m.queue}"`);
  if (!m.name) throw new Error('outbox: a message needs a job name');
  // BullMQ uses ':' as its key separator and refuses plain integers as custom ids.
  if (m.jobId !== undefined && (!m.jobId || m.jobId.includes(':') || /^\d+$/.test(m.jobId))) {
    throw new Error(`outbox: bad job id "${m.jobId}"`);
  }
  if (m.delay !== undefined && (!Number.isInteger(m.delay) || m.delay < 0)) {
    throw new Error('outbox: delay must be a whole number of milliseconds');
  }
}
