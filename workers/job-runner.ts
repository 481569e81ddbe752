import { hostname } from 'node:os';
import { DelayedError, type Job, type Worker } from 'bullmq';
import { type Logger, safeError } from '../src/common/logger';
import { jobDuration } from '../src/observability/metrics';
import { runWithContext } from '../src/observability/request-context';
import type { JobTrace } from '../src/outbox/relay';

/** Names this process in BullMQ (a job's `processedBy`), so a job's history says where it ran. */
export function workerName(queue: string): string {
  return `${queue}@${hostname()}:${process.pid}`;
}

/**
 * The jobs this process is running, with the lock token each was taken with. A job counts until
 * BullMQ has recorded how it ended (its `completed` or `failed` event), not merely until the
 * processor returns, so a stop never cuts off the write of a result.
 */
export class ActiveJobs {
  private readonly jobs = new Map<string, { job: Job; token: string | undefined }>();
  private waiters: Array<() => void> = [];

  add(job: Job, token: string | undefined): void {
    this.jobs.set(String(job.id), { job, token });
  }

  /** Follows a worker's events: a job leaves the set once BullMQ has stored its outcome. */
  follow(worker: Worker): this {
    worker.on('completed', (job) => this.delete(job));
    worker.on('failed', (job) => job && this.delete(job));
    return this;
  }

  delete(job: Job): void {
    this.jobs.delete(String(job.id));
    if (!this.jobs.size) {
      for (const w of this.waiters.splice(0)) w();
    }
  }

  get size(): number {
    return this.jobs.size;
  }

  /** True once nothing runs, false if something still runs after `ms`. */
  async idleWithin(ms: number): Promise<boolean> {
    if (!this.jobs.size) return true;
    let timer: NodeJS.Timeout | undefined;
    const idle = await Promise.race([
      new Promise<boolean>((resolve) => this.waiters.push(() => resolve(true))),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms))),
    ]);
    clearTimeout(timer);
    return idle;
  }

  /**
   * Moves every running job back to the waiting list, releasing its lock, so another worker
   * takes it at once rather than after the lock expires. Returns the ids handed back.
   */
  async handBack(log: Logger): Promise<string[]> {
    const ids: string[] = [];
    for (const { job, token } of this.jobs.values()) {
      try {
        await job.moveToWait(token);
        ids.push(String(job.id));
        log.warn({ event: 'job.handed_back', queue: job.queueName, job: job.name, jobId: job.id });
      } catch (err) {
        // Its lock will expire and the stalled-job check will hand it on instead.
        log.error({ event: 'job.hand_back_failed', jobId: job.id, err: safeError(err) });
      }
    }
    return ids;
  }
}

/**
 * Wraps a processor: the job runs in its request's context (so its log lines carry the id of
 * the request that caused it, taken from the outbox entry), its duration is measured, and it
 * is tracked so that a shutdown can hand it back.
 */
export function instrument<J extends Job>(
  queue: string,
  active: ActiveJobs,
  processor: (job: J, token?: string) => Promise<unknown>,
) {
  return async (job: J, token?: string): Promise<unknown> => {
    const trace = (job.data as { _trace?: JobTrace } | undefined)?._trace;
    active.add(job, token);
    const end = jobDuration.startTimer({ queue, name: job.name });
    try {
      const result = await runWithContext(
        { requestId: trace?.requestId, queue, jobId: String(job.id) },
        () => processor(job, token),
      );
      end({ outcome: 'completed' });
      return result;
    } catch (err) {
      // A processor that moved its own job to the delayed set (quiet hours, a rate budget)
      // is done with it: BullMQ records no outcome, so it must stop counting as running here.
      if (err instanceof DelayedError) {
        active.delete(job);
        end({ outcome: 'delayed' });
      } else end({ outcome: 'failed' });
      throw err;
    }
  };
}

/**
 * Stops a worker within a bounded time: it takes no new job, running jobs get `graceMs` to
 * finish, and any still running then are handed back to the queue for another worker. The
 * worker is then closed without BullMQ's own wait for running jobs: there are none left that
 * this process owns, and that wait never ends when Redis has just restarted (it waits for an
 * 'end' event that a connection between reconnect attempts never sends).
 */
export async function stopWorker(
  worker: Worker,
  active: ActiveJobs,
  graceMs: number,
  log: Logger,
): Promise<{ handedBack: string[]; closed: boolean }> {
  await worker.pause(true);
  const idle = await active.idleWithin(graceMs);
  const handedBack = idle ? [] : await active.handBack(log);
  let timer: NodeJS.Timeout | undefined;
  const closed = await Promise.race([
    worker.close(true).then(() => true),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), CLOSE_WAIT_MS))),
  ]);
  clearTimeout(timer);
  if (!closed) log.warn({ event: 'worker.close_timeout', queue: worker.name });
  return { handedBack, closed };
}

/** How long a worker's own close may take once no job of this process runs. */
const CLOSE_WAIT_MS = 5_000;
