import { type Job, Queue, Worker } from 'bullmq';
import type { DataSource } from 'typeorm';
import { type Logger, safeError } from '../src/common/logger';
import { createRedis, type Platform } from '../src/platform';
import { type AnonymiseResult, anonymiseHistory } from '../src/privacy/history.service';

export const PRIVACY_QUEUE = 'privacy';
/** Job scheduler id of the nightly anonymisation. */
export const NIGHTLY_ANONYMISE = 'nightly-anonymise';
/** 02:30 UTC: after the evening's imports, before the 03:00 model rebuild reads history. */
export const ANONYMISE_CRON = '30 2 * * *';

/** Job names on the privacy queue and the data each carries. */
export interface PrivacyJobs {
  /** Detaches activity as each customer's history choice says; `retentionDays` overrides config. */
  anonymise: { retentionDays?: number };
}
export type PrivacyJobName = keyof PrivacyJobs;
type PrivacyJob = Job<PrivacyJobs[PrivacyJobName], AnonymiseResult, PrivacyJobName>;

export interface PrivacyWorkerDeps {
  ds: DataSource;
  log: Logger;
  /** Days DEFAULT customers' activity stays linked (HISTORY_RETENTION_DAYS). */
  retentionDays: number;
  batchSize?: number;
  /** The clock; tests pin it. */
  now?: () => Date;
}

/**
 * Runs one job of the privacy queue. Anonymisation is idempotent, so a retried or duplicated
 * run only finds less to do.
 */
export function privacyProcessor(deps: PrivacyWorkerDeps) {
  return async (job: PrivacyJob): Promise<AnonymiseResult> => {
    if (job.name !== 'anonymise') {
      throw new Error(`unknown job ${job.name as string} on ${PRIVACY_QUEUE}`);
    }
    const started = Date.now();
    const result = await anonymiseHistory(deps.ds, {
      now: deps.now?.() ?? new Date(),
      retentionDays: job.data.retentionDays ?? deps.retentionDays,
      batchSize: deps.batchSize,
    });
    deps.log.info({
      event: 'job.completed',
      queue: PRIVACY_QUEUE,
      job: job.name,
      jobId: job.id,
      ms: Date.now() - started,
      ...result,
    });
    return result;
  };
}

/**
 * Starts the privacy worker and (re)registers the nightly anonymisation at 02:30 UTC. One job
 * runs at a time. `stop` lets a running job finish and closes the worker's connections.
 */
export async function startPrivacyWorker(
  p: Platform,
): Promise<{ worker: Worker; queue: Queue; stop(): Promise<void> }> {
  const { config, log } = p;
  // BullMQ needs maxRetriesPerRequest: null on its connections, which createRedis sets.
  const connection = createRedis(config.REDIS_URL, 'commonplace-privacy-worker');
  const queue = new Queue(PRIVACY_QUEUE, {
    connection,
    prefix: config.REDIS_PREFIX,
    defaultJobOptions: {
      attempts: 3,
      backoff: { type: 'exponential', delay: 60_000 },
      removeOnComplete: { age: 30 * 24 * 3600, count: 100 },
      removeOnFail: { age: 30 * 24 * 3600 },
    },
  });
  const worker = new Worker(
    PRIVACY_QUEUE,
    privacyProcessor({
      ds: p.ds,
      log: log.child({ component: 'privacy-worker' }),
      retentionDays: config.HISTORY_RETENTION_DAYS,
    }) as never,
    { connection, prefix: config.REDIS_PREFIX, concurrency: 1, lockDuration: 60_000 },
  );
  worker.on('failed', (job, err) =>
    log.warn({
      event: 'job.failed',
      queue: PRIVACY_QUEUE,
      job: job?.name,
      jobId: job?.id,
      attempts: job?.attemptsMade,
      err: safeError(err),
    }),
  );
  worker.on('error', (err) =>
    log.error({ event: 'worker.error', queue: PRIVACY_QUEUE, err: safeError(err) }),
  );
  await queue.upsertJobScheduler(
    NIGHTLY_ANONYMISE,
    { pattern: ANONYMISE_CRON, tz: 'UTC' },
    { name: 'anonymise', data: {} },
  );
  await worker.waitUntilReady();
  log.info({ event: 'workers.started', queues: [PRIVACY_QUEUE], concurrency: 1 });
  return {
    worker,
    queue,
    async stop() {
      await worker.close();
      await queue.close();
      connection.disconnect();
    },
  };
}
