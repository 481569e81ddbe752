import type { DataSource } from 'typeorm';
import type { Logger } from '../../common/logger';
import type { MarketingSettings } from '../marketing.settings';
import type { MarketingQueue } from './delivery.queue';
import { completeIfDone, pendingRanges } from './delivery.repository';
import { CHUNK_SIZE } from './fan-out';
import { quietUntil } from './quiet-hours';

/** A sending campaign whose waiting messages nobody touched for this long is re-queued. */
export const STALL_MS = 15 * 60_000;

export interface SweepResult {
  started: number;
  resumed: number;
  requeued: number;
  completed: number;
}

/**
 * The safety net behind the queues, run every minute: a campaign due but not started (its
 * start job lost with a Redis restart, say) is started; a sending one whose fan-out stopped
 * is resumed; one whose messages have waited untouched for STALL_MS (outside quiet hours) has
 * its chunks queued again under a new run key; one with nothing left is marked SENT. Everything
 * it queues is safe to run twice: messages are claimed one by one.
 */
export async function sweepCampaigns(
  deps: {
    ds: DataSource;
    queue: Pick<MarketingQueue, 'scheduleStart' | 'enqueueChunks'>;
    settings: Pick<MarketingSettings, 'quietHours'>;
    log: Logger;
  },
  now = new Date(),
): Promise<SweepResult> {
  const { ds, queue } = deps;
  const result: SweepResult = { started: 0, resumed: 0, requeued: 0, completed: 0 };
  const due: Array<{ id: string; scheduledAt: Date }> = await ds.query(
    `SELECT id::text AS "id", scheduled_at AS "scheduledAt" FROM campaign
      WHERE status = 'SCHEDULED' AND scheduled_at <= $1`,
    [now],
  );
  for (const c of due) {
    await queue.scheduleStart(c.id, c.scheduledAt);
    result.started++;
  }
  const run = `r${Math.floor(now.getTime() / STALL_MS)}`;
  const sending: Array<{
    id: string;
    startedAt: Date;
    undecided: boolean;
    waiting: boolean;
    lastTouch: Date | null;
  }> = await ds.query(
    `SELECT k.id::text AS "id", k.started_at AS "startedAt",
            EXISTS (SELECT 1 FROM notification n
                     WHERE n.campaign_id = k.id AND n.status = 'TARGETED') AS undecided,
            EXISTS (SELECT 1 FROM notification n
                     WHERE n.campaign_id = k.id AND n.status IN ('PENDING', 'SENDING')) AS waiting,
            (SELECT max(n.updated_at) FROM notification n
              WHERE n.campaign_id = k.id AND n.status IN ('TARGETED', 'PENDING', 'SENDING'))
              AS "lastTouch"
       FROM campaign k WHERE k.status = 'SENDING'`,
  );
  const quiet = quietUntil(now, deps.settings.quietHours) !== null;
  for (const c of sending) {
    const stalled = (c.lastTouch ?? c.startedAt).getTime() < now.getTime() - STALL_MS;
    if (c.undecided && stalled) {
      await queue.scheduleStart(c.id, now, run);
      result.resumed++;
    } else if (c.waiting && stalled && !quiet) {
      const ranges = await pendingRanges(ds, c.id, CHUNK_SIZE);
      await queue.enqueueChunks(ranges.map((r) => ({ campaignId: c.id, ...r, run })));
      result.requeued += ranges.length;
    } else if (!c.undecided && !c.waiting && (await completeIfDone(ds, c.id))) {
      result.completed++;
    }
  }
  if (result.resumed || result.requeued) deps.log.warn({ event: 'marketing.swept', ...result });
  return result;
}
