import type { Platform } from '../src/platform';
import { refreshInsights } from '../src/insights/refresh';
import { rollUpOutcomes } from '../src/recommendations/impression.repository';
import { type ScheduledWorker, startScheduledWorker } from './scheduled-worker';

export const INSIGHTS_QUEUE = 'insights';
/** Job scheduler id of the hourly refresh of the summaries the use reports read. */
export const HOURLY_INSIGHTS = 'hourly-insights';
/** Five past each hour, so a report on a whole period is at most about an hour behind. */
export const INSIGHTS_CRON = '5 * * * *';

/** Starts the worker that keeps the insight summaries (materialised views) fresh. */
export function startInsightsWorker(p: Platform): Promise<ScheduledWorker> {
  return startScheduledWorker(p, {
    queueName: INSIGHTS_QUEUE,
    schedules: [{ id: HOURLY_INSIGHTS, pattern: INSIGHTS_CRON, jobName: 'refresh' }],
    process: async () => {
      const { refreshedAt, ms } = await refreshInsights(p.ds);
      // Suggestion outcomes: mark what was opened and borrowed, count closed months.
      const outcomes = await rollUpOutcomes(p.ds, {
        now: new Date(),
        windowDays: p.config.RECOMMENDATION_ATTRIBUTION_DAYS,
      });
      return { refreshedAt: refreshedAt.toISOString(), refreshMs: ms, ...outcomes };
    },
  });
}
