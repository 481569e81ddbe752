import type { Worker } from 'bullmq';
import { Role } from '../../src/auth/role';
import { attributeOutcomes, rollUpOutcomes } from '../../src/recommendations/impression.repository';
import { startWorkers } from '../../workers/run';
import { startTestApi, type TestApi } from '../support/api';
import { seedTasteLibrary, waitForRefreshedModel } from '../support/library';

let api: TestApi;
let workers: { worker: Worker; stop(): Promise<void> };
const WINDOW = 30;

const RECS = `query($id: ID!) { customer(id: $id) {
  recommendationsSource recommendations(first: 10) { item { id } } } }`;

const REPORT = `query($f: InsightFilter) { insightsRecommendations(filter: $f) {
  period branchId list shown clicked borrowed clickThroughRate borrowThroughRate suppressed } }`;

async function idOf(card: string): Promise<string> {
  const [row] = await api.db.ds.query(`SELECT id::text FROM customer WHERE external_id = $1`, [
    card,
  ]);
  return row.id;
}

/** The customer opens their own suggestions; returns the titles shown, best first. */
async function showOwn(customerId: string): Promise<string[]> {
  const token = await api.token(Role.CUSTOMER, { customerId });
  const res = await api.gql(RECS, { id: customerId }, token);
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  await api.platform.services.impressions.flush();
  return res.data.customer.recommendations.map((r: any) => r.item.id);
}

async function impressionsOf(customerId: string) {
  return api.db.ds.query(
    `SELECT item_id::text AS "itemId", best_rank AS rank, source, clicked_at AS "clickedAt",
            borrowed_at AS "borrowedAt"
       FROM recommendation_impression WHERE customer_id = $1 ORDER BY best_rank`,
    [customerId],
  );
}

async function loan(customerId: string, itemId: string, at = new Date()) {
  const res = await api.gql(
    `mutation($i: RecordActivityInput!) { recordActivity(input: $i) { status activity { id } } }`,
    { i: { customerId, itemId, type: 'LOAN', occurredAt: at.toISOString() } },
  );
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data.recordActivity.activity.id as string;
}

async function report(filter?: Record<string, unknown>) {
  const res = await api.gql(REPORT, { f: filter ?? null });
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data.insightsRecommendations as any[];
}

beforeAll(async () => {
  api = await startTestApi('outcomes');
  await seedTasteLibrary(api.db.ds);
  workers = await startWorkers(api.platform);
  await api.platform.recommendations.queue.requestRebuild(2);
  await waitForRefreshedModel(api.db.ds);
}, 120_000);

afterAll(async () => {
  await workers.stop();
  await api.close();
});

describe('suggestions shown and what came of them', () => {
  it('remembers what customers are shown themselves, not what staff look at', async () => {
    const viewed = await idOf('R3');
    const staffRes = await api.gql(RECS, { id: viewed });
    expect(staffRes.data.customer.recommendations.length).toBeGreaterThan(0);
    await api.platform.services.impressions.flush();
    expect(await impressionsOf(viewed)).toHaveLength(0);

    const own = await idOf('R4');
    const shown = await showOwn(own);
    expect(shown).toHaveLength(10);
    const rows = await impressionsOf(own);
    expect(rows.map((r: any) => r.itemId)).toEqual(shown);
    expect(rows.map((r: any) => r.rank)).toEqual(shown.map((_, i) => i + 1));
    expect(new Set(rows.map((r: any) => r.source))).toEqual(new Set(['PERSONAL']));
  });

  it('counts a suggestion as opened or borrowed only when that follows within the window', async () => {
    const id = await idOf('R6');
    const token = await api.token(Role.CUSTOMER, { customerId: id });
    const [opened, borrowed, tooLate, cancelled] = await showOwn(id);
    const click = await api.gql(
      `mutation($id: ID!, $item: ID!) { recordRecommendationClick(customerId: $id, itemId: $item) }`,
      { id, item: opened },
      token,
    );
    expect(click.data.recordRecommendationClick).toBe(true);
    await loan(id, borrowed);
    // Shown long ago: a loan now is outside the attribution window.
    await api.db.ds.query(
      `UPDATE recommendation_impression SET first_shown_at = now() - interval '${WINDOW + 5} days'
        WHERE customer_id = $1 AND item_id = $2`,
      [id, tooLate],
    );
    await loan(id, tooLate);
    const wrong = await loan(id, cancelled);
    const fix = await api.gql(
      `mutation($a: ID!) { correctActivity(activityId: $a, reason: "scanned twice") { status } }`,
      { a: wrong },
    );
    expect(fix.data.correctActivity.status).toBe('ACCEPTED');

    const n = await attributeOutcomes(api.db.ds, { now: new Date(), windowDays: WINDOW });
    expect(n).toBe(2);
    const byItem = new Map<string, any>((await impressionsOf(id)).map((r: any) => [r.itemId, r]));
    expect(byItem.get(opened).clickedAt).not.toBeNull();
    expect(byItem.get(opened).borrowedAt).toBeNull();
    expect(byItem.get(borrowed).borrowedAt).not.toBeNull();
    expect(byItem.get(tooLate).borrowedAt).toBeNull();
    expect(byItem.get(cancelled).borrowedAt).toBeNull();
    // Running it again finds nothing new.
    expect(await attributeOutcomes(api.db.ds, { now: new Date(), windowDays: WINDOW })).toBe(0);
  });

  it('reports borrow-through per month and hides counts that describe too few people', async () => {
    // Six more crime readers each borrow their top suggestion; nobody else opens one.
    const readers = await Promise.all(['R8', 'R10', 'R12', 'R14', 'R16', 'R18'].map(idOf));
    for (const id of readers) {
      const [top] = await showOwn(id);
      await loan(id, top);
    }
    await attributeOutcomes(api.db.ds, { now: new Date(), windowDays: WINDOW });
    const [truth] = await api.db.ds.query(
      `SELECT count(*)::int AS shown, count(borrowed_at)::int AS borrowed,
              count(DISTINCT customer_id)::int AS people
         FROM recommendation_impression
        WHERE source = 'PERSONAL'
          AND first_shown_at >= date_trunc('month', now(), 'Europe/London')`,
    );
    const rows = await report();
    const thisMonth = rows.filter((r) => r.period === rows[rows.length - 1].period);
    const all = thisMonth.find((r) => r.branchId === null && r.list === 'PERSONAL');
    expect(all.suppressed).toBe(false);
    expect(all.shown).toBe(truth.shown);
    expect(all.borrowed).toBe(truth.borrowed);
    expect(all.borrowed).toBeGreaterThanOrEqual(7);
    expect(all.borrowThroughRate).toBeCloseTo(truth.borrowed / truth.shown, 6);
    // One person opened a suggestion: that count is withheld, the rest of the row is not.
    expect(all.clicked).toBeNull();
    expect(all.clickThroughRate).toBeNull();
    // Per branch, every row describes fewer than five people or is shown in full.
    for (const r of rows.filter((x) => x.branchId !== null)) {
      if (r.suppressed) expect([r.shown, r.borrowed, r.clicked]).toEqual([null, null, null]);
    }
    const csv = await api.gql(`{ insightsCsv(report: RECOMMENDATIONS) }`);
    expect(csv.data.insightsCsv.split('\n')[0]).toBe(
      'period,branchId,list,shown,clicked,borrowed,clickThroughRate,borrowThroughRate,suppressed',
    );
  });

  it('keeps the same figures once a month is closed and the link to people is gone', async () => {
    // Move everything shown so far back to a month whose attribution window has passed.
    await api.db.ds.query(
      `UPDATE recommendation_impression
          SET first_shown_at = first_shown_at - interval '75 days',
              last_shown_at = last_shown_at - interval '75 days'`,
    );
    const filter = { from: new Date(Date.now() - 200 * 86_400_000).toISOString() };
    const before = await report(filter);
    const [{ n: linked }] = await api.db.ds.query(
      `SELECT count(*)::int AS n FROM recommendation_impression`,
    );
    expect(before.length).toBeGreaterThan(0);
    const first = await rollUpOutcomes(api.db.ds, { now: new Date(), windowDays: WINDOW });
    expect(first.rolledUp).toBe(linked);
    const [{ n: left }] = await api.db.ds.query(
      `SELECT count(*)::int AS n FROM recommendation_impression`,
    );
    expect(left).toBe(0);
    expect(await report(filter)).toEqual(before);
    const again = await rollUpOutcomes(api.db.ds, { now: new Date(), windowDays: WINDOW });
    expect(again.rolledUp).toBe(0);
    expect(await report(filter)).toEqual(before);
  });

  it('unlinks what was shown when personalisation is switched off or the customer is erased', async () => {
    const off = await idOf('R20');
    const erased = await idOf('R22');
    const shownOff = await showOwn(off);
    await showOwn(erased);
    const token = await api.token(Role.CUSTOMER, { customerId: off });
    const exported = await api.gql(`{ exportMyData }`, {}, token);
    const shownInExport = exported.data.exportMyData.recommendations.shown;
    expect(shownInExport.map((s: any) => s.itemId).sort()).toEqual([...shownOff].sort());
    expect(shownInExport[0].title).toMatch(/ title /);

    const [{ n: total }] = await api.db.ds.query(
      `SELECT count(*)::int AS n FROM recommendation_impression`,
    );
    const mode = await api.gql(
      `mutation($id: ID!) { setRecommendationMode(customerId: $id, mode: OFF) { id } }`,
      { id: off },
      token,
    );
    expect(mode.errors).toBeUndefined();
    const erase = await api.gql(
      `mutation($id: ID!) { eraseCustomer(customerId: $id, reason: "asked to be forgotten") { status } }`,
      { id: erased },
    );
    expect(erase.errors).toBeUndefined();
    expect(erase.data.eraseCustomer.status).toBe('ERASED');
    expect(await impressionsOf(off)).toHaveLength(0);
    expect(await impressionsOf(erased)).toHaveLength(0);
    const [{ n: after }] = await api.db.ds.query(
      `SELECT count(*)::int AS n FROM recommendation_impression`,
    );
    expect(after).toBe(total);

    // With personalisation off, the generic list they see is not remembered at all.
    const res = await api.gql(RECS, { id: off }, token);
    expect(res.data.customer.recommendationsSource).toBe('GENERIC');
    await api.platform.services.impressions.flush();
    expect(await impressionsOf(off)).toHaveLength(0);
  });

  it('refuses periods other than months, naming the field and the rule', async () => {
    const res = await api.gql(REPORT, { f: { period: 'WEEK' } });
    expect(res.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0].extensions.problems).toEqual([
      expect.objectContaining({ field: 'filter.period', rule: 'month_only' }),
    ]);
  });
});
