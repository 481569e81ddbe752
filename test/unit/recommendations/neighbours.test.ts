import { ActivityType } from '../../../src/activity/activity.enums';
import {
  buildInteractionMatrix,
  computeNeighbours,
  mergeNeighbourShards,
  neighboursOf,
  planItemShards,
  RecommendationEngineError,
  RecommendationErrorCode,
  type ItemActivity,
} from '../../../src/recommendations/engine';
import { CUSTOMER_COUNT, DAY, NOW, libraryActivity } from './fixtures';

const ITEMS = 25;

function matrixOf(activities: ItemActivity[], customerCount = CUSTOMER_COUNT) {
  return buildInteractionMatrix(activities, { customerCount, itemCount: ITEMS, now: NOW });
}

describe('interaction matrix', () => {
  it('merges repeated activity on a title into one net signal', () => {
    const matrix = matrixOf([
      { customer: 0, item: 3, type: ActivityType.LOAN, at: NOW },
      { customer: 0, item: 3, type: ActivityType.RENEWAL, at: NOW },
      { customer: 0, item: 3, type: ActivityType.RETURN, at: NOW },
    ]);
    expect(Array.from(matrix.byCustomer.indices)).toEqual([3]);
    expect(matrix.byCustomer.values[0]).toBeCloseTo(1.3);
    const { offsets, indices } = matrix.byItem;
    expect(Array.from(indices.subarray(offsets[3], offsets[4]))).toEqual([0]);
  });

  it('leaves out titles the customer looked at and then rated one star', () => {
    const matrix = matrixOf([
      { customer: 1, item: 2, type: ActivityType.CATALOGUE_VIEW, at: NOW },
      { customer: 1, item: 2, type: ActivityType.RATING, rating: 1, at: NOW },
      { customer: 1, item: 4, type: ActivityType.LOAN, at: NOW },
    ]);
    expect(Array.from(matrix.byCustomer.indices)).toEqual([4]);
  });

  it('rejects an item index outside the catalogue with a coded error', () => {
    const build = (): unknown =>
      matrixOf([{ customer: 0, item: ITEMS, type: ActivityType.LOAN, at: NOW }]);
    expect(build).toThrow(RecommendationEngineError);
    try {
      build();
    } catch (error) {
      const { code } = error as RecommendationEngineError;
      expect(code).toBe(RecommendationErrorCode.INDEX_OUT_OF_RANGE);
    }
  });
});

describe('item neighbours', () => {
  const matrix = matrixOf(libraryActivity());
  const allItems = { start: 0, end: ITEMS };

  it('finds the titles borrowed together as nearest neighbours', () => {
    const table = mergeNeighbourShards([computeNeighbours(matrix, allItems)], ITEMS);
    const nearest = Array.from(neighboursOf(table, 0).items);
    expect(nearest.slice(0, 2).sort()).toEqual([1, 4]);
    // Crime readers never borrowed science fiction, so it is no neighbour at all.
    expect(nearest.some((item) => item >= 6 && item <= 11)).toBe(false);
  });

  it('gives the same neighbours whether items are computed in one shard or three', () => {
    const whole = mergeNeighbourShards([computeNeighbours(matrix, allItems)], ITEMS);
    const thirds = mergeNeighbourShards(
      [
        computeNeighbours(matrix, [0, 3, 6, 9, 12, 15, 18, 21, 24]),
        computeNeighbours(matrix, { start: 1, end: 2 }),
        computeNeighbours(matrix, [22, 19, 16, 13, 10, 7, 4, 23, 20, 17, 14, 11, 8, 5, 2]),
      ],
      ITEMS,
    );
    expect(Array.from(thirds.offsets)).toEqual(Array.from(whole.offsets));
    expect(Array.from(thirds.neighbours)).toEqual(Array.from(whole.neighbours));
    expect(Array.from(thirds.scores)).toEqual(Array.from(whole.scores));
  });

  it('plans shards that cover every item exactly once', () => {
    const plan = planItemShards(matrix, 4);
    const covered = plan.flatMap(({ start, end }) =>
      Array.from({ length: end - start }, (_, n) => start + n),
    );
    expect(covered).toEqual(Array.from({ length: ITEMS }, (_, n) => n));
  });

  it('keeps at most k neighbours, best first, ties by lower index', () => {
    // Customers 0–3 each borrow item 0 with exactly one of items 1–4: four equal neighbours.
    const tied = matrixOf(
      [1, 2, 3, 4].flatMap((other, customer) => [
        { customer, item: 0, type: ActivityType.LOAN, at: NOW },
        { customer, item: other, type: ActivityType.LOAN, at: NOW },
      ]),
      4,
    );
    const shard = computeNeighbours(tied, [0], { k: 3 });
    expect(Array.from(shard.neighbours)).toEqual([1, 2, 3]);
    expect(shard.scores[0]).toBe(shard.scores[2]);
  });

  it('refuses shards that overlap', () => {
    const a = computeNeighbours(matrix, { start: 0, end: 5 });
    const b = computeNeighbours(matrix, { start: 4, end: 10 });
    expect(() => mergeNeighbourShards([a, b], ITEMS)).toThrow(/two neighbour shards/);
  });

  it('ranks a title borrowed right after the source above one borrowed long before', () => {
    // Each customer borrows A, then B next, while C came ten titles earlier.
    const activities: ItemActivity[] = [];
    const borrow = (customer: number, item: number, daysAgo: number): void => {
      activities.push({ customer, item, type: ActivityType.LOAN, at: NOW - daysAgo * DAY });
    };
    for (let customer = 0; customer < 3; customer++) {
      borrow(customer, 2, 100);
      for (let n = 0; n < 10; n++) borrow(customer, 10 + n, 90 - n);
      borrow(customer, 0, 20);
      borrow(customer, 1, 10);
    }
    const shard = computeNeighbours(matrixOf(activities, 3), [0], { sequenceHalfLife: 5 });
    const order = Array.from(shard.neighbours);
    expect(order.indexOf(1)).toBeLessThan(order.indexOf(2));
  });
});
