import { FlowProducer, Queue, type ConnectionOptions } from 'bullmq';
import type { Redis } from 'ioredis';

export const RECOMMENDATIONS_QUEUE = 'recommendations';

/** Job names on the recommendations queue and the data each carries. */
export interface RecommendationJobs {
  /** Starts a full model build and fans it out as shard jobs under a finishing job. */
  /** `asOf` pins the reference time (reproducible builds); it defaults to when the job runs. */
  rebuild: { shards?: number; modelId?: string; asOf?: number };
  'build-shard': { modelId: string; shard: number };
  'finish-build': { modelId: string };
  /** Refreshes every personalised customer in chunks once a model is ready. */
  'refresh-all': { modelId: string };
  'refresh-chunk': { modelId: string; customerIds: string[] };
  'refresh-done': { modelId: string };
  'refresh-customer': { customerId: string };
  /** Refreshes the customers a batch of activity or an import touched, together. */
  'refresh-customers': { customerIds: string[] };
  /** Drops a customer's cached list and any refresh waiting for them (erasure, consent). */
  'forget-customer': { customerId: string };
}
export type RecommendationJobName = keyof RecommendationJobs;

/** The deduplication id of a customer's refresh job; erasure uses it to find a pending one. */
export function refreshDeduplicationId(customerId: string): string {
  return `refresh-${customerId}`;
}

/** Delay before a refresh runs, so a burst of loans at the desk becomes one job. */
export const REFRESH_DEBOUNCE_MS = 250;

/**
 * How a customer's refresh is queued, directly or through the outbox: at most one waits at a
 * time; one arriving while another runs is kept and runs after it, so nothing is missed.
 */
export function refreshJobOptions(customerId: string) {
  return {
    delay: REFRESH_DEBOUNCE_MS,
    deduplication: { id: refreshDeduplicationId(customerId), keepLastIfActive: true },
  };
}

/** The producer side, used by the API and the CLI; workers live in `workers/`. */
export class RecommendationQueue {
  readonly queue: Queue;
  readonly flow: FlowProducer;

  constructor(
    private readonly connection: Redis | ConnectionOptions,
    readonly prefix: string,
  ) {
    this.queue = new Queue(RECOMMENDATIONS_QUEUE, {
      connection,
      prefix,
      defaultJobOptions: {
        attempts: 5,
        backoff: { type: 'exponential', delay: 1000 },
        removeOnComplete: { age: 3600, count: 1000 },
        removeOnFail: { age: 7 * 24 * 3600 },
      },
    });
    this.flow = new FlowProducer({ connection, prefix });
    // Connection errors reach whoever sends a command, and the platform logs the connection's
    // own errors once per outage; unheard, BullMQ would print every one to the console.
    this.queue.on('error', () => undefined);
    this.flow.on('error', () => undefined);
  }

  /**
   * Schedules a refresh of each customer straight away, without the outbox: for requests that
   * may be lost without harm (a cache miss asks again next time). Changes that need a refresh
   * queue it through the outbox instead (`refresh-requests.ts`).
   */
  async scheduleRefresh(customerIds: readonly string[]): Promise<void> {
    if (!customerIds.length) return;
    await this.queue.addBulk(
      customerIds.map((customerId) => ({
        name: 'refresh-customer',
        data: { customerId },
        opts: refreshJobOptions(customerId),
      })),
    );
  }

  /** Asks for a full rebuild; while one is waiting or running, asking again adds nothing. */
  async requestRebuild(shards?: number, asOf?: number): Promise<string | undefined> {
    const job = await this.queue.add(
      'rebuild',
      { shards, asOf },
      { deduplication: { id: 'rebuild' } },
    );
    return job.id;
  }

  /** False while the connection is down (only known when given a connection, not options). */
  get available(): boolean {
    const c = this.connection as Partial<Redis>;
    return typeof c.status !== 'string' || c.status === 'ready';
  }

  /** Workers currently connected to the queue. */
  workerCount(): Promise<number> {
    return this.queue.getWorkersCount();
  }

  async close(): Promise<void> {
    await this.flow.close();
    await this.queue.close();
  }
}
