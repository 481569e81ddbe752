import type { Job } from 'bullmq';
import type { DataSource } from 'typeorm';
import type { Logger } from '../src/common/logger';
import type { Platform } from '../src/platform';
import { type AnonymiseResult, anonymiseHistory } from '../src/privacy/history.service';
import { type ScheduledWorker, startScheduledWorker } from './scheduled-worker';

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
  /** RECOMMENDATION_ATTRIBUTION_DAYS: suggestion outcomes are matched before detaching. */
  attributionDays?: number;
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
    return anonymiseHistory(deps.ds, {
      now: deps.now?.() ?? new Date(),
      retentionDays: job.data.retentionDays ?? deps.retentionDays,
      batchSize: deps.batchSize,
      attributionDays: deps.attributionDays,
    });
  };
}

/**
 * Starts the privacy worker and (re)registers the nightly anonymisation at 02:30 UTC. One job
 * runs at a time. `stop` lets a running job finish and closes the worker's connections.
 */
export function startPrivacyWorker(p: Platform): Promise<ScheduledWorker> {
  const run = privacyProcessor({
    ds: p.ds,
    log: p.log.child({ component: 'privacy-worker' }),
    retentionDays: p.config.HISTORY_RETENTION_DAYS,
    attributionDays: p.config.RECOMMENDATION_ATTRIBUTION_DAYS,
  });
  return startScheduledWorker(p, {
    queueName: PRIVACY_QUEUE,
    schedules: [{ id: NIGHTLY_ANONYMISE, pattern: ANONYMISE_CRON, jobName: 'anonymise' }],
    process: async (job) => ({ ...(await run(job as PrivacyJob)) }),
  });
}
