import { Worker } from 'bullmq';
import { safeError } from '../src/common/logger';
import type { OutboxRelay } from '../src/outbox/relay';
import type { Platform } from '../src/platform';
import { createRedis } from '../src/platform';
import { ModelCache } from '../src/recommendations/model-cache';
import { RECOMMENDATIONS_QUEUE } from '../src/recommendations/recommendation.queue';
import { startInsightsWorker } from './insights.processor';
import { startMarketingWorkers } from './marketing.processor';
import { ActiveJobs, instrument, stopWorker, workerName } from './job-runner';
import { startPrivacyWorker } from './privacy.processor';
import { recommendationProcessor } from './recommendations.processor';

/**
 * Starts the recommendation worker, the nightly rebuild scheduler, the privacy and insights
 * workers, and an outbox relay (workers relay: see README). Returns `stop`, which lets running
 * jobs finish for SHUTDOWN_GRACE_MS, hands back any still running, and closes connections.
 *
 * Stalled jobs (a worker that died, or stopped renewing its lock for WORKER_LOCK_MS) are found
 * by every worker every WORKER_STALLED_INTERVAL_MS and run again elsewhere; every processor is
 * idempotent, so a job that ran partly and runs again ends the same as one that ran once.
 */
export async function startWorkers(
  p: Platform,
  opts: { concurrency?: number; relay?: boolean } = {},
): Promise<{ worker: Worker; relay: OutboxRelay | null; stop(): Promise<void> }> {
  const { config, log } = p;
  const connection = createRedis(config.REDIS_URL, 'commonplace-worker');
  const recs = p.recommendations;
  const active = new ActiveJobs();
  const workerLog = log.child({ component: 'recommendations-worker' });
  const worker = new Worker(
    RECOMMENDATIONS_QUEUE,
    instrument(
      RECOMMENDATIONS_QUEUE,
      active,
      recommendationProcessor({
        ds: p.ds,
        store: recs.store,
        queue: recs.queue,
        models: new ModelCache(p.ds),
        log: workerLog,
        halfLifeDays: config.RECOMMENDER_HALF_LIFE_DAYS,
        defaultShards: config.REBUILD_SHARDS,
        popularTtlSeconds: config.RECOMMENDATION_TTL_SECONDS,
      }),
    ) as never,
    {
      connection,
      prefix: config.REDIS_PREFIX,
      name: workerName(RECOMMENDATIONS_QUEUE),
      concurrency: opts.concurrency ?? 2,
      // Shard jobs yield often, but a loaded machine can still be slow to renew the lock.
      lockDuration: config.WORKER_LOCK_MS,
      stalledInterval: config.WORKER_STALLED_INTERVAL_MS,
      maxStalledCount: 2,
    },
  );
  active.follow(worker);
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
  worker.on('stalled', (jobId) =>
    log.warn({ event: 'job.stalled', queue: RECOMMENDATIONS_QUEUE, jobId }),
  );
  worker.on('error', (err) => log.error({ event: 'worker.error', err: safeError(err) }));
  await recs.queue.queue.upsertJobScheduler(
    'nightly-rebuild',
    { pattern: config.REBUILD_CRON, tz: 'UTC' },
    { name: 'rebuild', data: {} },
  );
  const privacy = await startPrivacyWorker(p);
  const insights = await startInsightsWorker(p);
  const marketing = await startMarketingWorkers(p, { closeTimeoutMs: config.SHUTDOWN_GRACE_MS });
  await worker.waitUntilReady();
  const relay = opts.relay === false ? null : await p.startRelay();
  log.info({
    event: 'workers.started',
    queues: [RECOMMENDATIONS_QUEUE],
    concurrency: opts.concurrency ?? 2,
    relay: !!relay,
  });
  return {
    worker,
    relay,
    async stop() {
      await relay?.stop();
      // The workers wind down side by side, so the whole stop takes one grace period.
      await Promise.all([
        stopWorker(worker, active, config.SHUTDOWN_GRACE_MS, workerLog),
        privacy.stop(),
        insights.stop(),
        marketing.stop(),
      ]);
      connection.disconnect();
    },
  };
}
