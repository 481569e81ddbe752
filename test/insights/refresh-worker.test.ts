import { QueueEvents } from 'bullmq';
import {
  HOURLY_INSIGHTS,
  INSIGHTS_CRON,
  INSIGHTS_QUEUE,
  startInsightsWorker,
} from '../../workers/insights.processor';
import { startTestApi, type TestApi } from '../support/api';

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi('insights_worker');
});

afterAll(async () => {
  await api.close();
});

it('schedules an hourly refresh of the insight summaries and runs one on demand', async () => {
  const worker = await startInsightsWorker(api.platform);
  const events = new QueueEvents(INSIGHTS_QUEUE, {
    connection: { url: api.platform.config.REDIS_URL },
    prefix: api.platform.config.REDIS_PREFIX,
  });
  try {
    expect(await worker.queue.getJobScheduler(HOURLY_INSIGHTS)).toMatchObject({
      pattern: INSIGHTS_CRON,
      tz: 'UTC',
    });
    await events.waitUntilReady();
    const job = await worker.queue.add('refresh', {});
    const result = await job.waitUntilFinished(events, 30_000);
    expect(result.refreshedAt).toEqual(expect.any(String));
    const [row] = await api.db.ds.query('SELECT refreshed_at FROM insight_refresh WHERE id = 1');
    expect(row.refreshed_at.toISOString()).toBe(result.refreshedAt);
  } finally {
    await events.close();
    await worker.stop();
  }
});
