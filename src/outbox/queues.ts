import { type DefaultJobOptions, Queue } from 'bullmq';
import type { Redis } from 'ioredis';

/** What a queue gets when nobody registered it with options of its own. */
export const DEFAULT_JOB_OPTIONS: DefaultJobOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

/**
 * The producer side of every BullMQ queue a process talks to, by name: the outbox relay adds
 * jobs through it, `/metrics` counts their jobs and Bull Board shows them. A feature with its
 * own job defaults registers its `Queue`; any other name gets one on first use.
 */
export class QueueSet {
  private readonly queues = new Map<string, Queue>();
  private readonly owned = new Set<string>();

  constructor(
    /** A fail-fast connection (see `createProducerRedis`): a Redis outage must not hang callers. */
    readonly connection: Redis,
    readonly prefix: string,
  ) {}

  /** Uses this queue (and its default job options) for its name. */
  register(queue: Queue): this {
    this.queues.set(queue.name, queue);
    return this;
  }

  get(name: string): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, {
        connection: this.connection,
        prefix: this.prefix,
        defaultJobOptions: DEFAULT_JOB_OPTIONS,
      });
      // Errors reach the callers of each command; unheard, BullMQ prints them to the console.
      queue.on('error', () => undefined);
      this.queues.set(name, queue);
      this.owned.add(name);
    }
    return queue;
  }

  /** Makes sure these names exist (so dashboards and metrics show them before any job). */
  ensure(names: readonly string[]): this {
    for (const n of names) this.get(n);
    return this;
  }

  all(): Queue[] {
    return [...this.queues.values()];
  }

  /** True while the connection can take commands; when false, callers skip Redis at once. */
  get available(): boolean {
    return this.connection.status === 'ready';
  }

  /** Closes the queues this set created; registered ones belong to whoever registered them. */
  async close(): Promise<void> {
    for (const name of this.owned) await this.queues.get(name)?.close();
    this.owned.clear();
  }
}
