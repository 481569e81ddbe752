import type { Job } from 'bullmq';
import { Role } from '../../src/auth/role';
import { registry } from '../../src/observability/metrics';
import { startWorkers } from '../../workers/run';
import { startTestApi, type TestApi } from '../support/api';
import { eventually, seedTasteLibrary, waitForRefreshedModel } from '../support/library';
import { OwnRedis } from '../support/processes';

/**
 * Fault test: the platform's Redis (its own redis-server here, with an append-only file as in
 * production) is stopped while activity is recorded, then started again. Nothing recorded may
 * be lost, and no entry may turn into two jobs or run twice.
 */
let redis: OwnRedis;
let api: TestApi;
let workers: Awaited<ReturnType<typeof startWorkers>>;
let lib: Awaited<ReturnType<typeof seedTasteLibrary>>;
let staff: string;

const RECORD = `mutation($in: RecordActivityInput!) { recordActivity(input: $in) { status activity { id } } }`;
const PAGE = `query($id: ID!) { customer(id: $id) {
  recommendationsDegraded recommendationsSource recommendations(first: 5) { item { id title } reasons { kind } }
} }`;

beforeAll(async () => {
  redis = await OwnRedis.start();
  api = await startTestApi('redis_outage', { env: { REDIS_URL: redis.url } });
  lib = await seedTasteLibrary(api.db.ds);
  // A second relay runs in the workers, as in production where every worker process has one.
  workers = await startWorkers(api.platform);
  await api.platform.recommendations.queue.requestRebuild(2);
  await waitForRefreshedModel(api.db.ds);
  staff = await api.token(Role.FRONT_LINE_STAFF, { staff: 'Desk' });
}, 120_000);

afterAll(async () => {
  await workers?.stop();
  await api?.close();
  await redis?.destroy();
});

/** Customers R21..R60: one loan each, so every entry is its own refresh job. */
const customerIds = async (from: number, to: number): Promise<string[]> =>
  (
    await api.db.ds.query(
      `SELECT id::text FROM customer WHERE external_id = ANY($1::text[]) ORDER BY id`,
      [Array.from({ length: to - from + 1 }, (_, i) => `R${from + i}`)],
    )
  ).map((r: { id: string }) => r.id);

async function recordLoan(customerId: string, n: number) {
  const res = await api.gql(
    RECORD,
    {
      in: {
        customerId,
        type: 'LOAN',
        itemId: [...lib.crimeItems][n % 10],
        occurredAt: new Date().toISOString(),
        sourceKey: `outage-${customerId}-${n}`,
      },
    },
    staff,
  );
  return res;
}

async function metric(name: string): Promise<number> {
  const m = await registry.getSingleMetric(name)?.get();
  return (m?.values ?? []).reduce((sum, v) => sum + v.value, 0);
}

it('records activity while Redis is down, then relays and processes every entry once', async () => {
  const before = await customerIds(21, 30);
  const during = await customerIds(31, 60);
  const [erased] = await customerIds(61, 61);
  const { ds } = api.db;
  expect(await api.platform.recommendations.store.get(erased)).not.toBeNull();

  for (const [n, id] of before.entries()) expect((await recordLoan(id, n)).status).toBe(200);

  await redis.stop();
  await eventually(async () => api.platform.redis.status !== 'ready');
  const failOpenBefore = await metric('commonplace_rate_limit_fail_open_total');

  // With Redis down: every loan is accepted, and the API says it is degraded, not broken.
  for (const [n, id] of during.entries()) {
    const res = await recordLoan(id, n);
    expect(res.status).toBe(200);
    expect(res.errors).toBeUndefined();
    expect(res.data.recordActivity.status).toBe('ACCEPTED');
  }
  expect(await metric('commonplace_rate_limit_fail_open_total')).toBeGreaterThan(failOpenBefore);
  const ready = await fetch(`${api.url}/readyz`);
  expect(ready.status).toBe(200);
  expect(await ready.json()).toEqual({ status: 'degraded', postgres: 'up', redis: 'down' });

  const page = await api.gql(PAGE, { id: lib.crimeReader });
  expect(page.errors).toBeUndefined();
  expect(page.data.customer.recommendationsDegraded).toBe(true);
  expect(page.data.customer.recommendationsSource).toBe('POPULAR_FALLBACK');
  expect(page.data.customer.recommendations).toHaveLength(5);
  const popular = await api.gql(`{ popular(first: 3) { item { title } } }`, {}, null);
  expect(popular.errors).toBeUndefined();
  expect(popular.data.popular).toHaveLength(3);

  // Erasure commits too; its clean-up job waits in the outbox with the refreshes.
  const erase = await api.gql(
    `mutation($c: ID!) { eraseCustomer(customerId: $c, reason: "asked in writing") { status } }`,
    { c: erased },
  );
  expect(erase.errors).toBeUndefined();

  const pending = await ds.query(`SELECT count(*)::int AS n FROM outbox WHERE relayed_at IS NULL`);
  expect(pending[0].n).toBe(during.length + 1);

  await redis.start();

  // Every entry reaches BullMQ under its own deterministic id, exactly once...
  const entries: Array<{ id: string; name: string; customer: string; job: string | null }> =
    await eventually(async () => {
      const rows = await ds.query(
        `SELECT id::text, name, data->>'customerId' AS customer, relayed_job_id AS job
           FROM outbox WHERE data->>'customerId' = ANY($1::text[]) ORDER BY id`,
        [[...before, ...during, erased]],
      );
      return rows.every((r: { job: string | null }) => r.job) ? rows : null;
    }, 30_000);
  expect(entries).toHaveLength(before.length + during.length + 1);
  for (const e of entries) expect(e.job).toBe(`ob-${e.id}`);
  const dead = await ds.query(`SELECT count(*)::int AS n FROM outbox WHERE dead_at IS NOT NULL`);
  expect(dead[0].n).toBe(0);

  // ...and runs exactly once: completed, started once, never stalled.
  const queue = api.platform.recommendations.queue.queue;
  const jobs: Job[] = await eventually(async () => {
    const found = await Promise.all(entries.map((e) => queue.getJob(e.job!)));
    return found.every((j) => j?.finishedOn) ? (found as Job[]) : null;
  }, 30_000);
  for (const job of jobs) {
    expect(await job.getState()).toBe('completed');
    expect(job.attemptsStarted).toBe(1);
    expect(job.stalledCounter).toBe(0);
    expect(job.failedReason).toBeUndefined();
  }
  // No other refresh ran for these customers: one job per entry, nothing more.
  const completed = await queue.getJobs(['completed'], 0, -1);
  const theirs = completed.filter((j) =>
    [...before, ...during, erased].includes((j.data as { customerId?: string }).customerId ?? ''),
  );
  expect(theirs.map((j) => j.id).sort()).toEqual(entries.map((e) => e.job).sort());

  // The effects are there: fresh lists for those who borrowed, nothing for the erased one.
  const { store } = api.platform.recommendations;
  for (const id of during) {
    const cached = await store.get(id);
    expect(cached).not.toBeNull();
  }
  expect(await store.get(erased)).toBeNull();
  const after = await api.gql(PAGE, { id: during[0] });
  expect(after.data.customer.recommendationsDegraded).toBe(false);
  expect(after.data.customer.recommendationsSource).toBe('PERSONAL');
  expect(await (await fetch(`${api.url}/readyz`)).json()).toMatchObject({ status: 'ready' });
}, 120_000);
