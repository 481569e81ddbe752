import type { Audience } from '../../catalogue/catalogue.enums';
import { RecommendationEngineError, RecommendationErrorCode } from './errors';
import { activityWeight, daysToMs, decayFactor, type SignalOptions } from './signals';
import type { GroupPopularity, ItemActivity, PopularityTable } from './types';

/** Options for `computePopularity`. */
export interface PopularityOptions extends SignalOptions {
  itemCount: number;
  /** Epoch ms the trending window ends at, normally the start of the rebuild. */
  now: number;
  /** Only activity this recent counts towards trending. */
  trendingWindowDays?: number;
  /** Within the window, activity loses half its trending weight every this many days. */
  trendingHalfLifeDays?: number;
  /** Length of the ranked lists kept per group for candidate generation. */
  topCount?: number;
  /** The audience group a customer belongs to, for "popular with young adults" lists. */
  audienceOfCustomer?: (customer: number) => Audience | undefined;
}

/** Defaults for `computePopularity`. */
export const DEFAULT_POPULARITY_OPTIONS = {
  trendingWindowDays: 60,
  trendingHalfLifeDays: 14,
  topCount: 1000,
} as const;

/**
 * Popularity overall, per branch where the activity happened, and per audience group of the
 * customer. Each entry adds its positive weight (a one-star rating does not make a title less
 * used, so negative signals add nothing here). All-time counts are not decayed; trending counts
 * only the window before `now`, decayed within it.
 */
export function computePopularity(
  activities: readonly ItemActivity[],
  options: PopularityOptions,
): PopularityTable {
  const { itemCount, now } = options;
  const defaults = DEFAULT_POPULARITY_OPTIONS;
  const windowMs = daysToMs(options.trendingWindowDays ?? defaults.trendingWindowDays);
  const halfLife = options.trendingHalfLifeDays ?? defaults.trendingHalfLifeDays;
  const topCount = options.topCount ?? defaults.topCount;

  const global = new Counts(itemCount);
  const byBranch = new Map<number, Counts>();
  const byAudience = new Map<Audience, Counts>();
  const audienceCache = new Map<number, Audience | undefined>();

  for (const entry of activities) {
    if (!Number.isInteger(entry.item) || entry.item < 0 || entry.item >= itemCount) {
      throw new RecommendationEngineError(
        RecommendationErrorCode.INDEX_OUT_OF_RANGE,
        `item index ${entry.item} is outside 0..${itemCount - 1}`,
      );
    }
    const weight = activityWeight(entry.type, entry.rating, options);
    if (weight <= 0) continue;
    const age = now - entry.at;
    const trend = age <= windowMs ? weight * decayFactor(age, halfLife) : 0;

    global.add(entry.item, weight, trend);
    if (entry.branch !== undefined) {
      groupFor(byBranch, entry.branch, itemCount).add(entry.item, weight, trend);
    }
    if (options.audienceOfCustomer) {
      let audience = audienceCache.get(entry.customer);
      if (!audienceCache.has(entry.customer)) {
        audience = options.audienceOfCustomer(entry.customer);
        audienceCache.set(entry.customer, audience);
      }
      if (audience !== undefined) {
        groupFor(byAudience, audience, itemCount).add(entry.item, weight, trend);
      }
    }
  }

  return {
    itemCount,
    global: global.finish(topCount),
    byBranch: finishAll(byBranch, topCount),
    byAudience: finishAll(byAudience, topCount),
  };
}

/** Item indices ranked by a score array, best first, ties by lower index, zero scores left out. */
export function rankByScore(scores: ArrayLike<number>, limit: number): Int32Array {
  const order: number[] = [];
  for (let i = 0; i < scores.length; i++) if (scores[i] > 0) order.push(i);
  order.sort((a, b) => scores[b] - scores[a] || a - b);
  return Int32Array.from(order.slice(0, limit));
}

class Counts {
  readonly allTime: Float64Array;
  readonly trending: Float64Array;

  constructor(itemCount: number) {
    this.allTime = new Float64Array(itemCount);
    this.trending = new Float64Array(itemCount);
  }

  add(item: number, weight: number, trend: number): void {
    this.allTime[item] += weight;
    this.trending[item] += trend;
  }

  finish(topCount: number): GroupPopularity {
    const allTime = Float32Array.from(this.allTime);
    const trending = Float32Array.from(this.trending);
    return {
      allTime,
      trending,
      maxAllTime: max(allTime),
      maxTrending: max(trending),
      ranked: rankByScore(allTime, topCount),
      trendingRanked: rankByScore(trending, topCount),
    };
  }
}

function groupFor<K>(groups: Map<K, Counts>, key: K, itemCount: number): Counts {
  let counts = groups.get(key);
  if (!counts) {
    counts = new Counts(itemCount);
    groups.set(key, counts);
  }
  return counts;
}

function finishAll<K>(groups: Map<K, Counts>, topCount: number): Map<K, GroupPopularity> {
  const finished = new Map<K, GroupPopularity>();
  for (const [key, counts] of groups) finished.set(key, counts.finish(topCount));
  return finished;
}

function max(values: Float32Array): number {
  let best = 0;
  for (let i = 0; i < values.length; i++) if (values[i] > best) best = values[i];
  return best;
}
