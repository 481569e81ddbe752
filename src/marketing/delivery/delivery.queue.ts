import { type ConnectionOptions, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { ConsentChannel } from '../../consent/consent.enums';
import type { OutboxMessage } from '../../outbox/outbox';

/** Campaign starts (fan-out) and the sweep that catches anything a lost job left behind. */
export const MARKETING_QUEUE = 'marketing';

/** One delivery queue per channel, so each channel has its own rate limit and backlog. */
export function deliveryQueueName(channel: ConsentChannel): string {
  return `marketing-${channel.toLowerCase()}`;
}

export interface MarketingJobs {
  /** Starts a due campaign: audience, eligibility, then delivery chunks. Safe to repeat. */
  start: { campaignId: string };
  /** Starts due campaigns and resumes sending ones whose jobs went missing. */
  sweep: Record<string, never>;
}

/** One chunk of a campaign's messages on one channel: rows with ids in [fromId, toId]. */
export interface DeliveryChunk {
  campaignId: string;
  channel: ConsentChannel;
  fromId: string;
  toId: string;
  /** Set when the sweep re-queues a stalled campaign, so the new job is not the old one. */
  run?: string;
}

/** Attempts of a delivery chunk; each retry only handles messages still waiting. */
export const DELIVERY_ATTEMPTS = 6;

/**
 * Job ids are derived from what the job is for, so adding the same work twice (a retried
 * start, the sweep, two API processes) is one job, and a crashed worker's job is picked up
 * rather than duplicated.
 */
export function startJobId(campaignId: string, runKey: string): string {
  return `campaign-${campaignId}-start-${runKey}`;
}

export function chunkJobId(c: DeliveryChunk): string {
  const base = `campaign-${c.campaignId}-${c.channel.toLowerCase()}-${c.fromId}-${c.toId}`;
  return c.run ? `${base}-${c.run}` : base;
}

/** The producer side: used by the API (scheduling), the CLI and the workers' fan-out. */
export class MarketingQueue {
  readonly queue: Queue;
  readonly deliveries: ReadonlyMap<ConsentChannel, Queue>;

  constructor(
    connection: Redis | ConnectionOptions,
    readonly prefix: string,
  ) {
    this.queue = new Queue(MARKETING_QUEUE, {
      connection,
      prefix,
      defaultJobOptions: {
        attempts: 8,
        backoff: { type: 'exponential', delay: 2000 },
        removeOnComplete: { age: 24 * 3600, count: 1000 },
        removeOnFail: { age: 30 * 24 * 3600 },
      },
    });
    const deliveries = new Map<ConsentChannel, Queue>();
    for (const channel of [ConsentChannel.EMAIL, ConsentChannel.SMS, ConsentChannel.APP]) {
      deliveries.set(
        channel,
        new Queue(deliveryQueueName(channel), {
          connection,
          prefix,
          defaultJobOptions: {
            attempts: DELIVERY_ATTEMPTS,
            backoff: { type: 'exponential', delay: 5000 },
            removeOnComplete: { age: 7 * 24 * 3600 },
            removeOnFail: { age: 30 * 24 * 3600 },
          },
        }),
      );
    }
    this.deliveries = deliveries;
  }

  /**
   * The start job as an outbox message, for a caller that schedules inside its own transaction
   * (the job then exists exactly when the schedule does; the relay queues it).
   */
  startMessage(campaignId: string, at: Date, now = new Date()): OutboxMessage {
    return {
      queue: MARKETING_QUEUE,
      name: 'start',
      data: { campaignId },
      jobId: startJobId(campaignId, String(at.getTime())),
      delay: Math.max(0, at.getTime() - now.getTime()),
    };
  }

  /**
   * Asks for a campaign to start at `at`. The run key ties the job to this schedule: a
   * campaign re-scheduled for another time gets another job, and the old one finds nothing
   * due when it runs.
   */
  async scheduleStart(campaignId: string, at: Date, runKey = String(at.getTime())): Promise<void> {
    await this.queue.add(
      'start',
      { campaignId },
      { jobId: startJobId(campaignId, runKey), delay: Math.max(0, at.getTime() - Date.now()) },
    );
  }

  /** Queues delivery chunks; a chunk already queued (same id) is not queued again. */
  async enqueueChunks(chunks: readonly DeliveryChunk[]): Promise<void> {
    for (const [channel, queue] of this.deliveries) {
      const mine = chunks.filter((c) => c.channel === channel);
      if (!mine.length) continue;
      await queue.addBulk(
        mine.map((c) => ({ name: 'deliver', data: c, opts: { jobId: chunkJobId(c) } })),
      );
    }
  }

  /** Workers listening on the campaign queue, for the CLI to know whether anyone will send. */
  workerCount(): Promise<number> {
    return this.queue.getWorkersCount();
  }

  async close(): Promise<void> {
    await this.queue.close();
    for (const q of this.deliveries.values()) await q.close();
  }
}
