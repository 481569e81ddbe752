import type { SignalOptions } from './signals';

/** Relative weights of the signals blended into one score; each signal is scaled to 0–1 first. */
export interface BlendWeights {
  /** Item-to-item co-activity with the customer's history. */
  collaborative: number;
  /** Match between the title's features and the customer's interests. */
  interest: number;
  /**
   * Popularity among titles sharing an interest feature, relative to that feature's most
   * popular title, so the best of a niche interest competes with the best of a broad one.
   */
  popularInInterest: number;
  /** All-time popularity, overall and in the customer's branch and audience group. */
  popularity: number;
  /** Recent, decayed popularity. */
  trending: number;
  /** Recency of the title joining the catalogue, fading to 0 over `newArrivalDays`. */
  newArrival: number;
}

/** Options for `recommendForCustomer`; every field has a tuned default. */
export interface RecommendOptions extends SignalOptions {
  /** Length of the list. */
  limit?: number;
  /** Blend for customers whose history gives a collaborative signal. */
  weights?: Partial<BlendWeights>;
  /**
   * Blend for customers without one (new customers, INTERESTS_ONLY and OFF modes, or a history
   * with no neighbours); its `collaborative` weight is ignored.
   */
  coldWeights?: Partial<BlendWeights>;
  /** Half-life, in days, of the customer's own history: recent borrowing counts for more. */
  profileHalfLifeDays?: number;
  /** Half-life, in titles, of the customer's own history; see `HistoryWeighting`. */
  recencyHalfLifeItems?: number;
  /** Share of a title's signal kept however many titles they have used since. */
  recencyFloor?: number;
  /** Only the strongest this-many titles of a long history seed the collaborative score. */
  maxHistoryItems?: number;
  /** Weight of declared interests in the interest vector. */
  declaredInterestWeight?: number;
  /** Weight of interests inferred from the features of the customer's history. */
  historyInterestWeight?: number;
  /** Weight of interests inferred from the topics of events the customer attended. */
  eventInterestWeight?: number;
  /** Share of the popularity signal taken from the home branch and audience group. */
  localPopularityShare?: number;
  /** Popularity is raised to this power after scaling; below 1 flattens the head. */
  popularityExponent?: number;
  /** Score multiplier for titles with a copy on the shelf at the home branch. */
  availabilityBoost?: number;
  /** Titles added within this many days count as new arrivals. */
  newArrivalDays?: number;
  /**
   * Only the titles with the strongest collaborative score are scored in full; the rest could
   * only reach the list through interest or popularity, which find them anyway.
   */
  maxCollaborativeCandidates?: number;
  /** Strongest interest features used to find candidates. */
  candidateFeatures?: number;
  /** Most popular titles taken per candidate feature. */
  candidatesPerFeature?: number;
  /** Titles taken from each popularity and trending list. */
  popularCandidates?: number;
  maxPerAuthor?: number;
  maxPerSeries?: number;
  /** MMR relevance weight, 0–1; 1 switches the variety re-rank off. */
  relevanceWeight?: number;
  /** MMR looks this many times `limit` down the list. */
  diversityPoolFactor?: number;
  /** A secondary reason is given only when it explains at least this share of the score. */
  reasonShare?: number;
  /** Most reasons per suggestion. */
  maxReasons?: number;
}

/** Options with every default filled in. */
export type ResolvedOptions = Required<
  Omit<RecommendOptions, 'weights' | 'coldWeights' | keyof SignalOptions>
> &
  SignalOptions & { weights: BlendWeights; coldWeights: BlendWeights };

/**
 * Defaults tuned with the MovieLens 100K harness (`npm run eval -- --movielens DIR --grid`) on a
 * validation split carved from training data only; see src/recommendations/eval. Settings the
 * data cannot inform (films have no branches, languages, formats, authors or catalogue dates)
 * are product choices: availability boost, format preferences, caps, new-arrival window.
 * `coldWeights.interest` is 0.1 although 0 scored 0.001 higher, so titles nobody has borrowed
 * yet can still reach new customers on a feature match.
 */
export const DEFAULT_RECOMMEND_OPTIONS: ResolvedOptions = {
  limit: 10,
  weights: {
    collaborative: 1,
    interest: 0.1,
    popularInInterest: 0,
    popularity: 0.02,
    trending: 0.02,
    newArrival: 0.02,
  },
  coldWeights: {
    collaborative: 0,
    interest: 0.1,
    popularInInterest: 1,
    popularity: 1,
    trending: 0.02,
    newArrival: 0.02,
  },
  profileHalfLifeDays: 180,
  recencyHalfLifeItems: 5,
  recencyFloor: 0,
  maxHistoryItems: 100,
  declaredInterestWeight: 1,
  historyInterestWeight: 0.5,
  eventInterestWeight: 0.5,
  localPopularityShare: 0.5,
  popularityExponent: 1,
  availabilityBoost: 1.1,
  newArrivalDays: 60,
  maxCollaborativeCandidates: 200,
  candidateFeatures: 5,
  candidatesPerFeature: 50,
  popularCandidates: 50,
  maxPerAuthor: 2,
  maxPerSeries: 1,
  relevanceWeight: 0.95,
  diversityPoolFactor: 3,
  reasonShare: 0.25,
  maxReasons: 3,
};

/** Merges partial options over the defaults. */
export function resolveRecommendOptions(options: RecommendOptions = {}): ResolvedOptions {
  const defined = Object.fromEntries(
    Object.entries(options).filter(([, value]) => value !== undefined),
  ) as RecommendOptions;
  return {
    ...DEFAULT_RECOMMEND_OPTIONS,
    ...defined,
    weights: { ...DEFAULT_RECOMMEND_OPTIONS.weights, ...options.weights },
    coldWeights: { ...DEFAULT_RECOMMEND_OPTIONS.coldWeights, ...options.coldWeights },
  };
}
