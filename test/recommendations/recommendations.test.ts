import type { Worker } from 'bullmq';
import { startTestApi, type TestApi } from '../support/api';
import { eventually, seedTasteLibrary, waitForRefreshedModel } from '../support/library';
import { startWorkers } from '../../workers/run';

let api: TestApi;
let workers: { worker: Worker; stop(): Promise<void> };
let lib: Awaited<ReturnType<typeof seedTasteLibrary>>;

const RECS = `query($id: ID!, $n: Int!) { customer(id: $id) {
  recommendationsSource recommendationsComputedAt
  recommendations(first: $n) { score item { id title audience } reasons { kind text item { title } } }
} }`;

async function recsOf(id: string, n = 10) {
  const res = await api.gql(RECS, { id, n });
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data.customer;
}

beforeAll(async () => {
  api = await startTestApi('recs');
  lib = await seedTasteLibrary(api.db.ds);
  workers = await startWorkers(api.platform);
  await api.platform.recommendations.queue.requestRebuild(3);
  await waitForRefreshedModel(api.db.ds);
}, 120_000);

afterAll(async () => {
  await workers.stop();
  await api.close();
});

describe('personalised suggestions', () => {
  it('suggests crime to a crime reader, saying which borrowed title it follows from', async () => {
    const c = await recsOf(lib.crimeReader);
    expect(c.recommendationsSource).toBe('PERSONAL');
    expect(c.recommendations).toHaveLength(10);
    const crime = c.recommendations.filter((r: any) => lib.crimeItems.has(r.item.id));
    expect(crime.length).toBeGreaterThanOrEqual(6);
    const because = c.recommendations
      .flatMap((r: any) => r.reasons)
      .find((r: any) => r.kind === 'BORROWED_SIMILAR');
    expect(because.text).toMatch(/^Because you borrowed Crime title \d+$/);
    expect(because.item.title).toMatch(/^Crime title/);
  });

  it('never suggests a title the customer has already borrowed', async () => {
    const borrowed: Array<{ id: string }> = await api.db.ds.query(
      'SELECT item_id::text AS id FROM activity WHERE customer_id = $1',
      [lib.crimeReader],
    );
    const c = await recsOf(lib.crimeReader, 50);
    const suggested = new Set(c.recommendations.map((r: any) => r.item.id));
    for (const b of borrowed) expect(suggested.has(b.id)).toBe(false);
  });

  it('never shows adult stock to a child', async () => {
    const c = await recsOf(lib.child, 50);
    expect(c.recommendations.length).toBeGreaterThan(0);
    for (const r of c.recommendations) expect(r.item.audience).not.toBe('ADULT');
  });

  it('gives a customer in OFF mode only generic lists and keeps no cache entry for them', async () => {
    const res = await api.gql(
      `mutation($id: ID!) { setRecommendationMode(customerId: $id, mode: OFF) { recommendationMode } }`,
      { id: lib.crimeReader },
    );
    expect(res.data.setRecommendationMode.recommendationMode).toBe('OFF');
    const c = await recsOf(lib.crimeReader);
    expect(c.recommendationsSource).toBe('GENERIC');
    expect(c.recommendationsComputedAt).toBeNull();
    expect(await api.platform.recommendations.store.get(lib.crimeReader)).toBeNull();
    // A refresh job for them must not bring the entry back.
    await api.platform.recommendations.queue.scheduleRefresh([lib.crimeReader]);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await api.platform.recommendations.store.get(lib.crimeReader)).toBeNull();
    await api.gql(
      `mutation($id: ID!) { setRecommendationMode(customerId: $id, mode: FULL) { id } }`,
      { id: lib.crimeReader },
    );
    await eventually(() => api.platform.recommendations.store.get(lib.crimeReader));
  });

  it('reflects a newly recorded loan within seconds', async () => {
    const before = await recsOf(lib.crimeReader, 50);
    const target = before.recommendations[0].item.id;
    const t0 = Date.now();
    const rec = await api.gql(
      `mutation($in: RecordActivityInput!) { recordActivity(input: $in) { status } }`,
      {
        in: {
          customerId: lib.crimeReader,
          type: 'LOAN',
          occurredAt: new Date().toISOString(),
          itemId: target,
          sourceKey: 'fresh-loan-1',
        },
      },
    );
    expect(rec.data.recordActivity.status).toBe('ACCEPTED');
    const after = await eventually(async () => {
      const c = await recsOf(lib.crimeReader, 50);
      return c.recommendationsComputedAt !== before.recommendationsComputedAt &&
        !c.recommendations.some((r: any) => r.item.id === target)
        ? c
        : null;
    });
    expect(after.recommendationsSource).toBe('PERSONAL');
    expect(Date.now() - t0).toBeLessThan(15_000);
  });

  it('drops a dismissed title at once and keeps it out after the next refresh', async () => {
    const before = await recsOf(lib.crimeReader);
    const target = before.recommendations[0].item.id;
    const d = await api.gql(
      `mutation($c: ID!, $i: ID!) { dismissRecommendation(customerId: $c, itemId: $i) }`,
      { c: lib.crimeReader, i: target },
    );
    expect(d.data.dismissRecommendation).toBe(true);
    const now = await recsOf(lib.crimeReader, 50);
    expect(now.recommendations.some((r: any) => r.item.id === target)).toBe(false);
    const refreshed = await eventually(async () => {
      const c = await recsOf(lib.crimeReader, 50);
      return c.recommendationsComputedAt !== now.recommendationsComputedAt ? c : null;
    });
    expect(refreshed.recommendations.some((r: any) => r.item.id === target)).toBe(false);
  });

  it('answers a cache miss at once from popular lists and queues a refresh', async () => {
    const reg = await api.gql(
      `mutation($b: ID!) { registerCustomer(input: { externalId: "NEW-1", kind: BORROWER, birthYear: 1990, homeBranchId: $b }) { id } }`,
      {
        b: (await api.db.ds.query(`SELECT id::text FROM branch WHERE external_id = 'B1'`))[0].id,
      },
    );
    const id = reg.data.registerCustomer.id;
    const c = await recsOf(id);
    expect(c.recommendationsSource).toBe('POPULAR_FALLBACK');
    expect(c.recommendations.length).toBeGreaterThan(0);
    expect(c.recommendations[0].reasons[0].kind).toBe('POPULAR_AT_BRANCH');
    await eventually(() => api.platform.recommendations.store.get(id));
  });

  it('lists similar titles and popular titles for an audience', async () => {
    const item = (
      await api.db.ds.query(`SELECT id::text FROM catalogue_item WHERE external_id = 'crime-2'`)
    )[0].id;
    const res = await api.gql(
      `query($id: ID!) { item(id: $id) { similarItems(first: 5) { score item { title } } }
      popular(audience: CHILDREN, first: 5) { item { audience } } }`,
      { id: item },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data.item.similarItems.length).toBeGreaterThan(0);
    for (const s of res.data.item.similarItems) expect(s.item.title).toMatch(/^Crime/);
    expect(res.data.popular.length).toBeGreaterThan(0);
    for (const p of res.data.popular) expect(p.item.audience).not.toBe('ADULT');
  });
});
