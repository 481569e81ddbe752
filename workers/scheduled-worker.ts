import { type Job, Queue, Worker } from 'bullmq';
import { type Logger, safeError } from '../src/common/logger';
import { createRedis, type Platform } from '../src/platform';
import { ActiveJobs, instrument, stopWorker, workerName } from './job-runner';

export interface Schedule {
  /** Job scheduler id; upserting the same id again replaces it rather than adding another. */
  id: string;
  /** Cron pattern, in UTC. */
  pattern: string;
  jobName: string;
}

export interface ScheduledWorker {
  worker: Worker;
  queue: Queue;
  stop(): Promise<void>;
}

/**
 * A queue for one kind of housekeeping, its schedules, and a worker running one job at a time.
 * Every run is logged with its duration; failures are retried with backoff. `stop` lets a
 * running job finish within SHUTDOWN_GRACE_MS, hands it back otherwise, and closes the
 * worker's own connection.
 */
export async function startScheduledWorker(
  p: Platform,
  opts: {
    queueName: string;
    schedules: Schedule[];
    process: (job: Job) => Promise<Record<string, unknown>>;
  },
): Promise<ScheduledWorker> {
  const { config } = p;
  const log: Logger = p.log.child({ component: `${opts.queueName}-worker` });
  // BullMQ needs maxRetriesPerRequest: null on its connections, which createRedis sets.
  const connection = createRedis(config.REDIS_URL, `commonplace-${opts.queueName}-worker`);
  const queue = new Queue(opts.queueName, {
    connection,
    prefix: config.REDIS_PREFIX,
    defaultJobOptions: {
      attempts: 3,
      backoff: { type: 'exponential', delay: 60_000 },
      removeOnComplete: { age: 30 * 24 * 3600, count: 100 },
      removeOnFail: { age: 30 * 24 * 3600 },
    },
  });
  // Its connection's errors are the worker's too, and logged there.
  queue.on('error', () => undefined);
  const active = new ActiveJobs();
  const worker = new Worker(
    opts.queueName,
    instrument(opts.queueName, active, async (job: Job) => {
      const started = Date.now();
      const result = await opts.process(job);
      log.info({
        event: 'job.completed',
        queue: opts.queueName,
        job: job.name,
        jobId: job.id,
        ms: Date.now() - started,
        ...result,
      });
      return result;
    }),
    {
      connection,
      prefix: config.REDIS_PREFIX,
      name: workerName(opts.queueName),
      concurrency: 1,
      lockDuration: config.WORKER_LOCK_MS,
      stalledInterval: config.WORKER_STALLED_INTERVAL_MS,
    },
  );
  active.follow(worker);
  worker.on('failed', (job, err) =>
    log.warn({
      event: 'job.failed',
      queue: opts.queueName,
      job: job?.name,
      jobId: job?.id,
      attempts: job?.attemptsMade,
      err: safeError(err),
    }),
  );
  worker.on('error', (err) =>
    log.error({ event: 'worker.error', queue: opts.queueName, err: safeError(err) }),
  );
  for (const s of opts.schedules) {
    await queue.upsertJobScheduler(
      s.id,
      { pattern: s.pattern, tz: 'UTC' },
      { name: s.jobName, data: {} },
    );
  }
  await worker.waitUntilReady();
  log.info({ event: 'workers.started', queues: [opts.queueName], concurrency: 1 });
  return {
    worker,
    queue,
    async stop() {
      await stopWorker(worker, active, config.SHUTDOWN_GRACE_MS, log);
      await queue.close();
      connection.disconnect();
    },
  };
}
