import { setTimeout as sleep } from 'node:timers/promises';
import type { Queue } from 'bullmq';
import { refreshDeduplicationId } from '../recommendations/recommendation.queue';

export interface CancelledRefresh {
  /** A waiting or delayed refresh was removed. */
  removed: boolean;
  /** A refresh already running, which cannot be removed; null when there was none. */
  runningJobId: string | null;
}

/**
 * Removes the customer's pending refresh job and its deduplication key, so no refresh is
 * waiting for them any more. A job a worker has already taken cannot be removed; its id is
 * returned so the caller can wait for it to finish.
 */
export async function cancelPendingRefresh(
  queue: Queue,
  customerId: string,
): Promise<CancelledRefresh> {
  const dedupId = refreshDeduplicationId(customerId);
  const jobId = await queue.getDeduplicationJobId(dedupId);
  let removed = false;
  if (jobId) removed = (await queue.remove(jobId)) === 1;
  await queue.removeDeduplicationKey(dedupId);
  if (!jobId || removed) return { removed, runningJobId: null };
  const job = await queue.getJob(jobId);
  return { removed: false, runningJobId: job && (await job.isActive()) ? jobId : null };
}

/** Waits (at most `timeoutMs`) until the job is no longer running; true if it stopped. */
export async function waitUntilNotActive(
  queue: Queue,
  jobId: string,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await queue.getJob(jobId);
    if (!job || !(await job.isActive())) return true;
    if (Date.now() >= deadline) return false;
    await sleep(100);
  }
}
