import { ActivityType } from '../../../src/activity/activity.enums';
import { Audience, ItemFormat } from '../../../src/catalogue/catalogue.enums';
import { AccessibilityNeed, AgeBand } from '../../../src/customers/customer.enums';
import { InterestKind } from '../../../src/interests/interest.enums';
import {
  aggregateHistory,
  audienceGroupOf,
  buildFeatureIndex,
  computePopularity,
  featureKey,
  featureSimilarity,
  formatFactor,
  type ItemActivity,
} from '../../../src/recommendations/engine';
import { CATALOGUE, DAY, NOW, loan } from './fixtures';

describe('popularity', () => {
  const activity = (c: number, item: number, daysAgo: number, branch?: number): ItemActivity => ({
    customer: c,
    item,
    type: ActivityType.LOAN,
    at: NOW - daysAgo * DAY,
    branch,
  });

  it('ranks titles by use, all time and trending', () => {
    const table = computePopularity(
      [
        activity(0, 1, 400),
        activity(1, 1, 400),
        activity(2, 1, 500),
        activity(3, 2, 1),
        activity(4, 0, 2),
      ],
      { itemCount: 3, now: NOW },
    );
    expect(Array.from(table.global.ranked)).toEqual([1, 0, 2]);
    // Only the last weeks count as trending, the newest most.
    expect(Array.from(table.global.trendingRanked)).toEqual([2, 0]);
  });

  it('keeps separate lists per branch and per audience group', () => {
    const teens = new Set([5, 6]);
    const table = computePopularity(
      [
        activity(0, 0, 5, 0),
        activity(1, 0, 5, 0),
        activity(5, 1, 5, 1),
        activity(6, 1, 5, 1),
        activity(2, 2, 5, 1),
      ],
      {
        itemCount: 3,
        now: NOW,
        audienceOfCustomer: (c) => (teens.has(c) ? Audience.YOUNG_ADULT : Audience.ADULT),
      },
    );
    expect(Array.from(table.byBranch.get(0)?.ranked ?? [])).toEqual([0]);
    expect(Array.from(table.byBranch.get(1)?.ranked ?? [])).toEqual([1, 2]);
    expect(Array.from(table.byAudience.get(Audience.YOUNG_ADULT)?.ranked ?? [])).toEqual([1]);
  });

  it('does not count a one-star rating against a title’s popularity', () => {
    const table = computePopularity(
      [activity(0, 0, 1), { customer: 0, item: 0, type: ActivityType.RATING, rating: 1, at: NOW }],
      { itemCount: 1, now: NOW },
    );
    expect(table.global.allTime[0]).toBe(1);
  });
});

describe('customer history', () => {
  it('sums a title’s entries and decays them by age in days', () => {
    const signals = aggregateHistory([loan(3, 30), loan(3, 30)], NOW, {
      halfLifeDays: 30,
      recencyHalfLifeItems: Infinity,
      recencyFloor: 0,
    });
    expect(signals).toHaveLength(1);
    expect(signals[0].signal).toBeCloseTo(1);
  });

  it('halves the weight of a title for each recency half-life of titles used since', () => {
    const signals = aggregateHistory([loan(1, 3), loan(2, 2), loan(3, 1)], NOW, {
      halfLifeDays: Infinity,
      recencyHalfLifeItems: 1,
      recencyFloor: 0,
    });
    expect(signals.map((s) => s.signal)).toEqual([0.25, 0.5, 1]);
  });

  it('lets titles used at the same moment share their recency', () => {
    const signals = aggregateHistory([loan(1, 2), loan(2, 1), loan(3, 1)], NOW, {
      halfLifeDays: Infinity,
      recencyHalfLifeItems: 1,
      recencyFloor: 0,
    });
    expect(signals.map((s) => s.signal)).toEqual([0.25, 1, 1]);
  });
});

describe('features and rules', () => {
  it('matches subjects and genres regardless of case and spacing', () => {
    expect(featureKey(InterestKind.SUBJECT, ' Crime  Fiction ')).toBe(
      featureKey(InterestKind.GENRE, 'crime fiction'),
    );
    expect(featureKey(InterestKind.EVENT_TYPE, 'Coding club')).toBeUndefined();
  });

  it('gives a feature every title has no weight and a rare one more than a common one', () => {
    const key = (kind: InterestKind, label: string): number =>
      index.lookup.get(featureKey(kind, label) ?? '') ?? -1;
    const index = buildFeatureIndex(CATALOGUE.slice(0, 12));
    expect(index.idf[key(InterestKind.FORMAT, ItemFormat.BOOK)]).toBe(0);
    expect(index.idf[key(InterestKind.AUTHOR, 'Crime Writer 0')]).toBeGreaterThan(
      index.idf[key(InterestKind.GENRE, 'Crime fiction')],
    );
  });

  it('finds titles on one shelf more alike than titles on different shelves', () => {
    const index = buildFeatureIndex(CATALOGUE);
    expect(featureSimilarity(index, 0, 1)).toBeGreaterThan(featureSimilarity(index, 0, 6));
    expect(featureSimilarity(index, 0, 0)).toBeCloseTo(1);
  });

  it('combines format preferences across access needs', () => {
    const { LARGE_PRINT, HEARING_LOOP } = AccessibilityNeed;
    expect(formatFactor(ItemFormat.LARGE_PRINT, [LARGE_PRINT])).toBeGreaterThan(1);
    expect(formatFactor(ItemFormat.BOOK, [LARGE_PRINT])).toBeLessThan(1);
    // Audiobooks suit low vision but not someone who relies on a hearing loop.
    expect(formatFactor(ItemFormat.AUDIOBOOK, [LARGE_PRINT, HEARING_LOOP])).toBeLessThan(
      formatFactor(ItemFormat.AUDIOBOOK, [LARGE_PRINT]),
    );
    expect(formatFactor(ItemFormat.DVD, [])).toBe(1);
  });

  it('puts children and teenagers in their own popularity groups', () => {
    expect(audienceGroupOf(AgeBand.CHILD_5_11)).toBe(Audience.CHILDREN);
    expect(audienceGroupOf(AgeBand.TEEN_12_17)).toBe(Audience.YOUNG_ADULT);
    expect(audienceGroupOf(AgeBand.ADULT_65_PLUS)).toBe(Audience.ADULT);
    expect(audienceGroupOf(AgeBand.UNKNOWN)).toBeUndefined();
  });
});
