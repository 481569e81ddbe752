import { InterestKind } from '../../interests/interest.enums';
import { featureSimilarity } from './features';
import type { FeatureIndex, RecommendationModel } from './types';

/** Options for `diversify`. */
export interface DiversityOptions {
  limit: number;
  /** At most this many titles by any one author. */
  maxPerAuthor: number;
  /** At most this many titles from any one series. */
  maxPerSeries: number;
  /**
   * Relevance weight of the maximal-marginal-relevance re-rank, 0–1: 1 keeps pure score order,
   * lower values trade relevance for titles unlike those already chosen.
   */
  relevanceWeight: number;
  /** The re-rank looks this many times `limit` down the list. */
  poolFactor: number;
}

/**
 * Picks `limit` titles from `ranked` (best first, with their scores): first enforcing the author
 * and series caps, then choosing greedily by maximal marginal relevance — relevance, normalised
 * to the best score, minus similarity to the closest title already chosen. Ties go to the title
 * ranked higher. Returns positions into `ranked`.
 */
export function diversify(
  ranked: readonly number[],
  scores: readonly number[],
  model: Pick<RecommendationModel, 'features' | 'columns'>,
  options: DiversityOptions,
): number[] {
  const { limit } = options;
  const { features } = model;
  const caps = new CapCounter(model, options.maxPerAuthor, options.maxPerSeries);
  const chosen: number[] = [];
  const poolSize = Math.min(ranked.length, Math.ceil(limit * Math.max(1, options.poolFactor)));
  const top = scores.length > 0 ? scores[0] : 0;
  const useMmr = options.relevanceWeight < 1 && top > 0;

  if (useMmr) {
    const relevanceWeight = options.relevanceWeight;
    const pool: number[] = [];
    for (let n = 0; n < poolSize; n++) pool.push(n);
    const closeness = new Float64Array(poolSize);
    const taken = new Uint8Array(poolSize);
    while (chosen.length < limit) {
      let best = -1;
      let bestValue = -Infinity;
      for (const n of pool) {
        if (taken[n] || !caps.fits(ranked[n])) continue;
        const value = relevanceWeight * (scores[n] / top) - (1 - relevanceWeight) * closeness[n];
        if (value > bestValue) {
          bestValue = value;
          best = n;
        }
      }
      if (best === -1) break;
      taken[best] = 1;
      chosen.push(best);
      caps.add(ranked[best]);
      for (const n of pool) {
        if (taken[n]) continue;
        const similarity = featureSimilarity(features, ranked[best], ranked[n]);
        if (similarity > closeness[n]) closeness[n] = similarity;
      }
    }
    // Caps can empty the pool early; carry on down the list in score order.
    for (let n = poolSize; n < ranked.length && chosen.length < limit; n++) {
      if (caps.fits(ranked[n])) {
        chosen.push(n);
        caps.add(ranked[n]);
      }
    }
    return chosen;
  }

  for (let n = 0; n < ranked.length && chosen.length < limit; n++) {
    if (caps.fits(ranked[n])) {
      chosen.push(n);
      caps.add(ranked[n]);
    }
  }
  return chosen;
}

/**
 * Counts chosen titles per author and per series against the caps. Authors are the items'
 * AUTHOR features, so spelling variants the feature index merged count as one author.
 */
class CapCounter {
  private readonly authors = new Map<number, number>();
  private readonly series = new Map<number, number>();
  private readonly features: FeatureIndex;
  private readonly seriesOf: Int32Array;

  constructor(
    model: Pick<RecommendationModel, 'features' | 'columns'>,
    private readonly maxPerAuthor: number,
    private readonly maxPerSeries: number,
  ) {
    this.features = model.features;
    this.seriesOf = model.columns.series;
  }

  fits(item: number): boolean {
    const { itemOffsets, itemFeatures, kinds } = this.features;
    for (let p = itemOffsets[item]; p < itemOffsets[item + 1]; p++) {
      const feature = itemFeatures[p];
      if (kinds[feature] !== InterestKind.AUTHOR) continue;
      if ((this.authors.get(feature) ?? 0) >= this.maxPerAuthor) return false;
    }
    const series = this.seriesOf[item];
    return series < 0 || (this.series.get(series) ?? 0) < this.maxPerSeries;
  }

  add(item: number): void {
    const { itemOffsets, itemFeatures, kinds } = this.features;
    for (let p = itemOffsets[item]; p < itemOffsets[item + 1]; p++) {
      const feature = itemFeatures[p];
      if (kinds[feature] === InterestKind.AUTHOR) {
        this.authors.set(feature, (this.authors.get(feature) ?? 0) + 1);
      }
    }
    const series = this.seriesOf[item];
    if (series >= 0) this.series.set(series, (this.series.get(series) ?? 0) + 1);
  }
}
