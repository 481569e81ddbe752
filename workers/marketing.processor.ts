import { DelayedError, type Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { type Logger, safeError } from '../src/common/logger';
import { ConsentChannel } from '../src/consent/consent.enums';
import { EmailTransport } from '../src/marketing/channels/email.transport';
import type { Transport } from '../src/marketing/channels/transport';
import { WebhookTransport } from '../src/marketing/channels/webhook.transport';
import { ChannelLimiter, deliverChunk, type DeliveryDeps } from '../src/marketing/delivery/deliver';
import {
  type DeliveryChunk,
  deliveryQueueName,
  MARKETING_QUEUE,
  type MarketingJobs,
} from '../src/marketing/delivery/delivery.queue';
import { type FanOutDeps, startCampaign } from '../src/marketing/delivery/fan-out';
import { sweepCampaigns } from '../src/marketing/delivery/sweep';
import type { MarketingSettings } from '../src/marketing/marketing.settings';
import { createRedis, type Platform } from '../src/platform';
import { ActiveJobs, instrument, stopWorker } from './job-runner';

/** Job scheduler id of the minute sweep. */
export const MARKETING_SWEEP = 'marketing-sweep';

/** The transports this deployment has configured, by channel. */
export function createTransports(settings: MarketingSettings): Map<ConsentChannel, Transport> {
  const transports = new Map<ConsentChannel, Transport>();
  if (settings.smtpUrl) {
    transports.set(ConsentChannel.EMAIL, new EmailTransport(settings.smtpUrl, settings.mailFrom));
  }
  if (settings.smsWebhookUrl) {
    transports.set(
      ConsentChannel.SMS,
      new WebhookTransport(ConsentChannel.SMS, settings.smsWebhookUrl, settings.webhookSecret),
    );
  }
  if (settings.appWebhookUrl) {
    transports.set(
      ConsentChannel.APP,
      new WebhookTransport(ConsentChannel.APP, settings.appWebhookUrl, settings.webhookSecret),
    );
  }
  return transports;
}

/** Runs the campaign queue's jobs: starting campaigns and the sweep. */
export function campaignProcessor(
  deps: FanOutDeps & {
    settings: MarketingSettings;
    queue: Platform['services']['marketing']['queue'];
  },
) {
  return async (job: Job<MarketingJobs[keyof MarketingJobs], unknown, keyof MarketingJobs>) => {
    switch (job.name) {
      case 'start':
        return startCampaign(deps, (job.data as MarketingJobs['start']).campaignId);
      case 'sweep':
        return sweepCampaigns(deps);
      default:
        throw new Error(`unknown job ${job.name as string} on ${MARKETING_QUEUE}`);
    }
  };
}

/**
 * Runs a delivery chunk. Quiet hours move the job back to the delayed set until they end; a
 * chunk with messages to retry fails so BullMQ retries it with exponential backoff, and on
 * its last attempt those messages are recorded as failed.
 */
export function deliveryProcessor(deps: DeliveryDeps, log: Logger) {
  return async (job: Job<DeliveryChunk>, token?: string) => {
    const started = Date.now();
    const finalAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const r = await deliverChunk(deps, job.data, { finalAttempt });
    log.info({
      event: 'job.completed',
      queue: deliveryQueueName(job.data.channel),
      jobId: job.id,
      ms: Date.now() - started,
      ...r,
    });
    if (r.quietUntil) {
      await job.moveToDelayed(r.quietUntil.getTime(), token);
      throw new DelayedError();
    }
    if (r.retry) throw new Error(`${r.retry} message(s) to try again`);
    return r;
  };
}

export interface MarketingWorkers {
  stop(): Promise<void>;
}

/**
 * Starts the marketing workers: one for campaign starts and the minute sweep, and one per
 * configured channel for delivery, each with its own lock settings so a crashed worker's
 * chunk is taken over after DELIVERY_LOCK_MS.
 */
export async function startMarketingWorkers(
  p: Platform,
  opts: { closeTimeoutMs?: number } = {},
): Promise<MarketingWorkers> {
  const { config, ds } = p;
  const settings = p.services.marketing.settings;
  const queue = p.services.marketing.queue;
  const log = p.log.child({ component: 'marketing-worker' });
  const connection: Redis = createRedis(config.REDIS_URL, 'commonplace-marketing-worker');
  const transports = createTransports(settings);
  const limiter = new ChannelLimiter(p.redis, config.REDIS_PREFIX, settings.perSecond);
  // Each worker tracks its own running jobs, so a stop hands back exactly what it ran.
  const workers: Array<{ worker: Worker; active: ActiveJobs }> = [];
  const tracked = (queueName: string, processor: (job: never) => Promise<unknown>) => {
    const active = new ActiveJobs();
    return { active, run: instrument(queueName, active, processor) as never };
  };
  const watch = (w: Worker, queueName: string, active: ActiveJobs) => {
    active.follow(w);
    w.on('failed', (job, err) => {
      if (err instanceof DelayedError) return;
      log.warn({
        event: 'job.failed',
        queue: queueName,
        job: job?.name,
        jobId: job?.id,
        attempts: job?.attemptsMade,
        err: safeError(err),
      });
    });
    w.on('error', (err) =>
      log.error({ event: 'worker.error', queue: queueName, err: safeError(err) }),
    );
    workers.push({ worker: w, active });
  };
  const campaigns = tracked(MARKETING_QUEUE, campaignProcessor({ ds, queue, settings, log }));
  watch(
    new Worker(MARKETING_QUEUE, campaigns.run, {
      connection,
      prefix: config.REDIS_PREFIX,
      concurrency: 1,
      lockDuration: 60_000,
    }),
    MARKETING_QUEUE,
    campaigns.active,
  );
  const deps: DeliveryDeps = {
    ds,
    settings,
    transports,
    recommendations: p.recommendations.service,
    store: p.recommendations.store,
    limiter,
    log,
  };
  for (const channel of transports.keys()) {
    const name = deliveryQueueName(channel);
    const delivery = tracked(name, deliveryProcessor(deps, log));
    watch(
      new Worker(name, delivery.run, {
        connection,
        prefix: config.REDIS_PREFIX,
        concurrency: settings.concurrency,
        lockDuration: settings.lockMs,
        stalledInterval: settings.lockMs,
        maxStalledCount: 5,
      }),
      name,
      delivery.active,
    );
  }
  await queue.queue.upsertJobScheduler(
    MARKETING_SWEEP,
    { every: 60_000 },
    { name: 'sweep', data: {} },
  );
  await Promise.all(workers.map(({ worker }) => worker.waitUntilReady()));
  log.info({
    event: 'workers.started',
    queues: [MARKETING_QUEUE, ...[...transports.keys()].map(deliveryQueueName)],
    concurrency: settings.concurrency,
  });
  return {
    async stop() {
      // Chunks still sending after the grace period go back to the queue for another worker;
      // rows they had claimed are settled by the delivery guarantee (see README).
      const grace = opts.closeTimeoutMs ?? config.SHUTDOWN_GRACE_MS;
      await Promise.all(
        workers.map(({ worker, active }) => stopWorker(worker, active, grace, log)),
      );
      for (const t of transports.values()) await t.close();
      connection.disconnect();
    },
  };
}
