import { Worker } from 'bullmq';
import { safeError } from '../src/common/logger';
import type { Platform } from '../src/platform';
import { createRedis } from '../src/platform';
import { ModelCache } from '../src/recommendations/model-cache';
import { RECOMMENDATIONS_QUEUE } from '../src/recommendations/recommendation.queue';
import { startInsightsWorker } from './insights.processor';
import { startMarketingWorkers } from './marketing.processor';
import { startPrivacyWorker } from './privacy.processor';
import { recommendationProcessor } from './recommendations.processor';

/** How long SIGTERM waits for running jobs before handing them back to the queue. */
const CLOSE_TIMEOUT_MS = 20_000;

/**
 * Starts the recommendation worker and the nightly rebuild scheduler. Returns `stop`, which
 * lets running jobs finish (or hands them back after a bounded wait) and closes connections.
 */
export async function startWorkers(
  p: Platform,
  opts: { concurrency?: number } = {},
): Promise<{ worker: Worker; stop(): Promise<void> }> {
  const { config, log } = p;
  const connection = createRedis(config.REDIS_URL, 'commonplace-worker');
  const recs = p.recommendations;
  const worker = new Worker(
    RECOMMENDATIONS_QUEUE,
    recommendationProcessor({
      ds: p.ds,
      store: recs.store,
      queue: recs.queue,
      models: new ModelCache(p.ds),
      log: log.child({ component: 'recommendations-worker' }),
      halfLifeDays: config.RECOMMENDER_HALF_LIFE_DAYS,
      defaultShards: config.REBUILD_SHARDS,
      popularTtlSeconds: config.RECOMMENDATION_TTL_SECONDS,
    }) as never,
    {
      connection,
      prefix: config.REDIS_PREFIX,
      concurrency: opts.concurrency ?? 2,
      // Shard jobs yield often, but a loaded machine can still be slow to renew the lock.
      lockDuration: 60_000,
      maxStalledCount: 2,
    },
  );
  worker.on('failed', (job, err) =>
    log.warn({
      event: 'job.failed',
      queue: RECOMMENDATIONS_QUEUE,
      job: job?.name,
      jobId: job?.id,
      attempts: job?.attemptsMade,
      err: safeError(err),
    }),
  );
  worker.on('error', (err) => log.error({ event: 'worker.error', err: safeError(err) }));
  await recs.queue.queue.upsertJobScheduler(
    'nightly-rebuild',
    { pattern: config.REBUILD_CRON, tz: 'UTC' },
    { name: 'rebuild', data: {} },
  );
  const privacy = await startPrivacyWorker(p);
  const insights = await startInsightsWorker(p);
  const marketing = await startMarketingWorkers(p, { closeTimeoutMs: CLOSE_TIMEOUT_MS });
  await worker.waitUntilReady();
  log.info({
    event: 'workers.started',
    queues: [RECOMMENDATIONS_QUEUE],
    concurrency: opts.concurrency ?? 2,
  });
  return {
    worker,
    async stop() {
      let closed = false;
      const graceful = worker.close().then(() => {
        closed = true;
      });
      const timer = new Promise<void>((resolve) => setTimeout(resolve, CLOSE_TIMEOUT_MS).unref());
      await Promise.race([graceful, timer]);
      // Still busy: give the jobs back; another worker picks them up as stalled.
      if (!closed) await worker.close(true);
      await privacy.stop();
      await insights.stop();
      await marketing.stop();
      connection.disconnect();
    },
  };
}
