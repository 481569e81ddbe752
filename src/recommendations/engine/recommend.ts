import { diversify } from './diversity';
import { explain, type ScoredItem } from './explain';
import { neighboursOf } from './neighbours';
import {
  aggregateHistory,
  buildInterestVector,
  type InterestVector,
  type ItemSignal,
} from './profile';
import {
  resolveRecommendOptions,
  type BlendWeights,
  type RecommendOptions,
  type ResolvedOptions,
} from './recommend-options';
import { AUDIENCES_FOR_AGE_BAND, audienceGroupOf, formatFactor, languageSet } from './rules';
import { daysToMs } from './signals';
import { TopK } from './top-k';
import type {
  CustomerProfile,
  GroupPopularity,
  ItemRecommendation,
  RecommendationContext,
  RecommendationModel,
} from './types';

/** Per-model working arrays, reused across customers so serving allocates little. */
interface Scratch {
  epoch: number;
  seenStamp: Int32Array;
  candidateStamp: Int32Array;
  collaborativeStamp: Int32Array;
  collaborative: Float64Array;
  bestSource: Int32Array;
  bestContribution: Float64Array;
  /** Candidate items, then (compacted) eligible ones. */
  candidates: Int32Array;
  /** Eligible position of each candidate item. */
  position: Int32Array;
  /** Per eligible position: raw interest match and popular-in-interest signals. */
  interest: Float64Array;
  popularInInterest: Float64Array;
  featureStamp: Int32Array;
  featureWeight: Float64Array;
  featureSlot: Int32Array;
}

/** Candidate lists are scanned at most this many times the number of titles wanted from them. */
const SCAN_FACTOR = 20;

// Serving is synchronous, so one scratch per model is never used by two calls at once.
const scratchByModel = new WeakMap<RecommendationModel, Scratch>();

function scratchFor(model: RecommendationModel): Scratch {
  let scratch = scratchByModel.get(model);
  if (!scratch) {
    const itemCount = model.catalogue.length;
    const featureCount = model.features.keys.length;
    scratch = {
      epoch: 0,
      seenStamp: new Int32Array(itemCount),
      candidateStamp: new Int32Array(itemCount),
      collaborativeStamp: new Int32Array(itemCount),
      collaborative: new Float64Array(itemCount),
      bestSource: new Int32Array(itemCount),
      bestContribution: new Float64Array(itemCount),
      candidates: new Int32Array(itemCount),
      position: new Int32Array(itemCount),
      interest: new Float64Array(itemCount),
      popularInInterest: new Float64Array(itemCount),
      featureStamp: new Int32Array(featureCount),
      featureWeight: new Float64Array(featureCount),
      featureSlot: new Int32Array(featureCount),
    };
    scratchByModel.set(model, scratch);
  }
  scratch.epoch++;
  return scratch;
}

/** Popularity groups that apply to one customer. */
export interface LocalGroups {
  branch?: { index: number; table: GroupPopularity };
  audience?: { group: NonNullable<ReturnType<typeof audienceGroupOf>>; table: GroupPopularity };
}

/** Everything fixed for one customer's scoring pass. */
interface Pass {
  model: RecommendationModel;
  scratch: Scratch;
  opts: ResolvedOptions;
  local: LocalGroups;
  weights: BlendWeights;
  maxCollaborative: number;
  maxInterest: number;
  maxPopularInInterest: number;
  now: number;
  newWindow: number;
  available: ReadonlySet<number> | undefined;
  needs: CustomerProfile['accessibilityNeeds'];
}

/**
 * A ranked list of titles for one customer, each with reasons.
 *
 * Candidates come from the neighbours of their history (FULL mode), the most popular titles of
 * their strongest interest features, popular and trending lists, and new arrivals. Each signal is
 * scaled to 0–1 and blended: with `weights` when the history yields a collaborative signal,
 * otherwise with `coldWeights`; when the customer has no interests either, popularity takes the
 * interest weights. Rules then apply: nothing already in their history or dismissed (in every
 * mode), only stock for their age band, only their languages, format preferences for access
 * needs, a boost for copies on the home-branch shelf, author and series caps, and an MMR variety
 * re-rank.
 *
 * Deterministic: equal scores are ordered by lower item index. Costs roughly the customer's
 * recent history times the neighbour count, plus a few thousand candidates; nothing scales with
 * the catalogue.
 */
export function recommendForCustomer(
  model: RecommendationModel,
  profile: CustomerProfile,
  context: RecommendationContext,
  options: RecommendOptions = {},
): ItemRecommendation[] {
  const opts = resolveRecommendOptions(options);
  const { columns, features, popularity } = model;
  const scratch = scratchFor(model);
  const epoch = scratch.epoch;
  const now = context.now;

  // History hides what the customer has had in every mode; it only scores in FULL mode.
  for (const entry of profile.history ?? []) markSeen(scratch, entry.item, epoch);
  for (const item of profile.dismissed ?? []) markSeen(scratch, item, epoch);
  const languages = languageSet(profile.languages);
  const audiences = AUDIENCES_FOR_AGE_BAND[profile.ageBand];
  // Hard rules are checked as candidates are gathered, so every list fills with titles the
  // customer may actually be shown.
  const excluded = (item: number): boolean =>
    scratch.seenStamp[item] === epoch ||
    !audiences.includes(columns.audience[item]) ||
    (languages !== undefined &&
      columns.language[item] !== '' &&
      !languages.has(columns.language[item]));

  const itemSignals: ItemSignal[] =
    profile.mode === 'FULL'
      ? aggregateHistory(profile.history ?? [], now, {
          ...opts,
          halfLifeDays: opts.profileHalfLifeDays,
          recencyHalfLifeItems: opts.recencyHalfLifeItems,
          recencyFloor: opts.recencyFloor,
        })
      : [];
  let count = collaborativeCandidates(model, scratch, epoch, itemSignals, excluded, opts);

  /** Takes up to `wanted` titles the customer may see from `list[from..to)`, in list order. */
  const takeFrom = (list: ArrayLike<number>, from: number, to: number, wanted: number): void => {
    // A list dominated by stock the customer cannot see is not scanned to the end.
    const end = Math.min(to, from + wanted * SCAN_FACTOR);
    let taken = 0;
    for (let p = from; p < end && taken < wanted; p++) {
      const item = list[p];
      if (excluded(item)) continue;
      taken++;
      if (scratch.candidateStamp[item] === epoch) continue;
      scratch.candidateStamp[item] = epoch;
      scratch.candidates[count++] = item;
    }
  };

  const vector: InterestVector =
    profile.mode === 'OFF'
      ? { features: [], weights: [], sources: [] }
      : buildInterestVector(model, profile, itemSignals, context.events, now, {
          ...opts,
          declaredWeight: opts.declaredInterestWeight,
          historyWeight: opts.historyInterestWeight,
          eventWeight: opts.eventInterestWeight,
        });
  vector.features.forEach((feature, slot) => {
    scratch.featureStamp[feature] = epoch;
    scratch.featureWeight[feature] = vector.weights[slot];
    scratch.featureSlot[feature] = slot;
  });
  const seeds = vector.features
    .map((feature, slot) => ({ feature, strength: vector.weights[slot] * features.idf[feature] }))
    .filter((seed) => seed.strength > 0)
    .sort((a, b) => b.strength - a.strength || a.feature - b.feature)
    .slice(0, opts.candidateFeatures);
  const { postingItems, postingOffsets } = features;
  for (const { feature } of seeds) {
    const from = postingOffsets[feature];
    takeFrom(postingItems, from, postingOffsets[feature + 1], opts.candidatesPerFeature);
  }

  const local = localGroups(model, profile);
  const lists = [popularity.global.ranked, popularity.global.trendingRanked];
  if (local.branch) lists.push(local.branch.table.ranked);
  if (local.audience) lists.push(local.audience.table.ranked);
  for (const list of lists) takeFrom(list, 0, list.length, opts.popularCandidates);
  const newWindow = daysToMs(opts.newArrivalDays);
  let fresh = 0;
  while (fresh < model.newArrivals.length) {
    // newArrivals is newest first; NaN (no date) never passes the window test.
    const added = columns.addedAt[model.newArrivals[fresh]];
    if (!(now - added <= newWindow)) break;
    fresh++;
  }
  takeFrom(model.newArrivals, 0, fresh, opts.popularCandidates);

  // First pass: raw signals of every candidate, and each signal's maximum for scaling.
  let interestTotal = 0;
  for (const weight of vector.weights) interestTotal += Math.max(0, weight);
  const eligible = count;
  let maxCollaborative = 0;
  let maxInterest = 0;
  let maxPopularInInterest = 0;
  for (let n = 0; n < eligible; n++) {
    const item = scratch.candidates[n];
    scratch.position[item] = n;
    const collaborative = collaborativeOf(scratch, epoch, item);
    const interest = interestScore(model, scratch, epoch, item);
    const popularIn =
      interestTotal > 0 ? popularInInterest(model, scratch, epoch, item) / interestTotal : 0;
    scratch.interest[n] = interest;
    scratch.popularInInterest[n] = popularIn;
    if (collaborative > maxCollaborative) maxCollaborative = collaborative;
    if (interest > maxInterest) maxInterest = interest;
    if (popularIn > maxPopularInInterest) maxPopularInInterest = popularIn;
  }

  const weights =
    maxCollaborative > 0 ? { ...opts.weights } : { ...opts.coldWeights, collaborative: 0 };
  // Popularity backs off the interest signals when the customer has none.
  if (maxInterest <= 0) {
    weights.popularity += weights.interest + weights.popularInInterest;
    weights.interest = 0;
    weights.popularInInterest = 0;
  }
  const pass: Pass = {
    model,
    scratch,
    opts,
    local,
    weights,
    maxCollaborative,
    maxInterest,
    maxPopularInInterest,
    now,
    newWindow,
    available: profile.homeBranch === undefined ? undefined : context.availableAtHomeBranch,
    needs: profile.accessibilityNeeds,
  };

  // Second pass: blend, keeping only the best few for the variety re-rank.
  const poolSize = Math.ceil(opts.limit * Math.max(1, opts.diversityPoolFactor));
  const ranked = topByScore(pass, eligible, poolSize);
  let chosen = diversifyRanked(pass, ranked);
  if (chosen.length < opts.limit && eligible > poolSize) {
    // Author and series caps emptied the pool: rank everything and walk further down.
    chosen = diversifyRanked(pass, topByScore(pass, eligible, eligible));
  }

  const activityOf = new Map(itemSignals.map((signal) => [signal.item, signal.activity]));
  return chosen.map(({ item, position, score }) => {
    const scored = scoreInto(pass, item, position, emptyScored());
    return {
      itemIndex: item,
      score,
      reasons: explain(model, scored, pass.weights, vector, local, activityOf, profile, opts, {
        featureStamp: scratch.featureStamp,
        featureWeight: scratch.featureWeight,
        featureSlot: scratch.featureSlot,
        epoch,
      }),
    };
  });
}

/**
 * Accumulates the collaborative score of every neighbour of the customer's strongest history
 * titles, then keeps the `maxCollaborativeCandidates` best the customer may be shown as the start
 * of the candidate list. Returns the list's length.
 */
function collaborativeCandidates(
  model: RecommendationModel,
  scratch: Scratch,
  epoch: number,
  itemSignals: readonly ItemSignal[],
  excluded: (item: number) => boolean,
  opts: ResolvedOptions,
): number {
  let count = 0;
  for (const { item, signal } of strongest(itemSignals, opts.maxHistoryItems)) {
    const { items, scores } = neighboursOf(model.neighbours, item);
    for (let n = 0; n < items.length; n++) {
      const other = items[n];
      const stamp = scratch.collaborativeStamp[other];
      // A negative stamp remembers, for this call, a title the rules exclude.
      if (stamp === -epoch) continue;
      const contribution = signal * scores[n];
      if (stamp !== epoch) {
        if (excluded(other)) {
          scratch.collaborativeStamp[other] = -epoch;
          continue;
        }
        scratch.collaborativeStamp[other] = epoch;
        scratch.collaborative[other] = 0;
        scratch.bestSource[other] = -1;
        scratch.bestContribution[other] = 0;
        scratch.candidates[count++] = other;
      }
      scratch.collaborative[other] += contribution;
      if (contribution > scratch.bestContribution[other]) {
        scratch.bestContribution[other] = contribution;
        scratch.bestSource[other] = item;
      }
    }
  }

  // Titles only near ones the customer disliked are not worth scoring.
  let kept = 0;
  if (count <= opts.maxCollaborativeCandidates) {
    for (let n = 0; n < count; n++) {
      const item = scratch.candidates[n];
      if (scratch.collaborative[item] > 0) scratch.candidates[kept++] = item;
    }
  } else {
    const best = new TopK(opts.maxCollaborativeCandidates);
    for (let n = 0; n < count; n++) {
      const item = scratch.candidates[n];
      if (scratch.collaborative[item] > 0) best.offer(item, scratch.collaborative[item]);
    }
    kept = best.takeIds(scratch.candidates);
  }
  for (let n = 0; n < kept; n++) scratch.candidateStamp[scratch.candidates[n]] = epoch;
  return kept;
}

function localGroups(model: RecommendationModel, profile: CustomerProfile): LocalGroups {
  // A generic list (OFF mode) uses library-wide popularity only.
  const local: LocalGroups = {};
  if (profile.mode === 'OFF') return local;
  const { popularity } = model;
  if (profile.homeBranch !== undefined) {
    const table = popularity.byBranch.get(profile.homeBranch);
    if (table) local.branch = { index: profile.homeBranch, table };
  }
  const group = audienceGroupOf(profile.ageBand);
  const table = group === undefined ? undefined : popularity.byAudience.get(group);
  if (table && group !== undefined) local.audience = { group, table };
  return local;
}

/** The `limit` best eligible positions by blended score, best first, ties by lower item. */
function topByScore(
  pass: Pass,
  eligible: number,
  limit: number,
): { item: number; position: number; score: number }[] {
  const top = new TopK(Math.max(1, Math.min(limit, eligible)));
  // One reused record: this loop runs for every candidate of every customer.
  const scored = emptyScored();
  for (let n = 0; n < eligible; n++) {
    const item = pass.scratch.candidates[n];
    top.offer(item, scoreInto(pass, item, n, scored).score);
  }
  const items: number[] = [];
  const scores: number[] = [];
  top.drain(items, scores);
  return items.map((item, n) => ({
    item,
    position: pass.scratch.position[item],
    score: scores[n],
  }));
}

function diversifyRanked(
  pass: Pass,
  ranked: { item: number; position: number; score: number }[],
): { item: number; position: number; score: number }[] {
  const { opts, model } = pass;
  const picks = diversify(
    ranked.map((entry) => entry.item),
    ranked.map((entry) => entry.score),
    model,
    {
      limit: opts.limit,
      maxPerAuthor: opts.maxPerAuthor,
      maxPerSeries: opts.maxPerSeries,
      relevanceWeight: opts.relevanceWeight,
      poolFactor: opts.diversityPoolFactor,
    },
  );
  return picks.map((n) => ranked[n]);
}

/** Writes every scaled signal of one candidate and its final score into `out`. */
function scoreInto(pass: Pass, item: number, position: number, out: ScoredItem): ScoredItem {
  const { model, scratch, opts, local, weights } = pass;
  const global = model.popularity.global;
  const collaborative = scaled(
    collaborativeOf(scratch, scratch.epoch, item),
    pass.maxCollaborative,
  );
  const interest = scaled(scratch.interest[position], pass.maxInterest);
  const popularIn = scaled(scratch.popularInInterest[position], pass.maxPopularInInterest);
  const globalPopularity = ratio(global.allTime[item], global.maxAllTime);
  const branchPopularity = local.branch
    ? ratio(local.branch.table.allTime[item], local.branch.table.maxAllTime)
    : undefined;
  const audiencePopularity = local.audience
    ? ratio(local.audience.table.allTime[item], local.audience.table.maxAllTime)
    : undefined;
  const mixed = mixPopularity(
    globalPopularity,
    branchPopularity,
    audiencePopularity,
    opts.localPopularityShare,
  );
  const popularity = power(mixed, opts.popularityExponent);
  const trending = power(ratio(global.trending[item], global.maxTrending), opts.popularityExponent);
  // A NaN age (no date) fails every comparison and counts as not new.
  const age = pass.now - model.columns.addedAt[item];
  const isNew = age >= 0 && age <= pass.newWindow && pass.newWindow > 0;
  const newArrival = isNew ? 1 - age / pass.newWindow : 0;
  const blended =
    weights.collaborative * collaborative +
    weights.interest * interest +
    weights.popularInInterest * popularIn +
    weights.popularity * popularity +
    weights.trending * trending +
    weights.newArrival * newArrival;
  const onShelf = pass.available?.has(item) ?? false;
  const multiplier =
    formatFactor(model.columns.format[item], pass.needs ?? []) *
    (onShelf ? opts.availabilityBoost : 1);
  out.item = item;
  out.collaborative = collaborative;
  out.bestSource =
    scratch.collaborativeStamp[item] === scratch.epoch ? scratch.bestSource[item] : -1;
  out.interest = interest;
  out.popularInInterest = popularIn;
  out.globalPopularity = globalPopularity;
  out.branchPopularity = branchPopularity;
  out.audiencePopularity = audiencePopularity;
  out.popularity = popularity;
  out.trending = trending;
  out.newArrival = newArrival;
  out.onShelf = onShelf;
  // Multipliers reward or penalise; dividing keeps a boost from making a negative score worse.
  out.score = blended >= 0 ? blended * multiplier : blended / multiplier;
  return out;
}

function emptyScored(): ScoredItem {
  return {
    item: -1,
    collaborative: 0,
    bestSource: -1,
    interest: 0,
    popularInInterest: 0,
    globalPopularity: 0,
    branchPopularity: undefined,
    audiencePopularity: undefined,
    popularity: 0,
    trending: 0,
    newArrival: 0,
    onShelf: false,
    score: 0,
  };
}

function collaborativeOf(scratch: Scratch, epoch: number, item: number): number {
  return scratch.collaborativeStamp[item] === epoch ? scratch.collaborative[item] : 0;
}

/** Cosine-style match of a title's idf-weighted features with the interest vector. */
function interestScore(
  model: RecommendationModel,
  scratch: Scratch,
  epoch: number,
  item: number,
): number {
  const { features } = model;
  const norm = features.itemNorm[item];
  if (norm === 0) return 0;
  let sum = 0;
  for (let p = features.itemOffsets[item]; p < features.itemOffsets[item + 1]; p++) {
    const feature = features.itemFeatures[p];
    if (scratch.featureStamp[feature] === epoch) {
      sum += scratch.featureWeight[feature] * features.idf[feature] ** 2;
    }
  }
  return sum / norm;
}

/**
 * Σ over the title's interest features of interest weight × the title's popularity relative to
 * the most popular title with that feature (the head of its posting list). The caller divides by
 * the total interest weight to scale it to 0–1.
 */
function popularInInterest(
  model: RecommendationModel,
  scratch: Scratch,
  epoch: number,
  item: number,
): number {
  const { features, popularity } = model;
  const allTime = popularity.global.allTime;
  if (allTime[item] <= 0) return 0;
  let sum = 0;
  for (let p = features.itemOffsets[item]; p < features.itemOffsets[item + 1]; p++) {
    const feature = features.itemFeatures[p];
    const weight = scratch.featureWeight[feature];
    if (scratch.featureStamp[feature] !== epoch || weight <= 0 || features.idf[feature] === 0) {
      continue;
    }
    const best = allTime[features.postingItems[features.postingOffsets[feature]]];
    if (best > 0) sum += (weight * allTime[item]) / best;
  }
  return sum;
}

function mixPopularity(
  global: number,
  branch: number | undefined,
  audience: number | undefined,
  localShare: number,
): number {
  if (branch === undefined && audience === undefined) return global;
  const localMean =
    branch !== undefined && audience !== undefined
      ? (branch + audience) / 2
      : (branch ?? audience ?? 0);
  return (1 - localShare) * global + localShare * localMean;
}

function strongest(signals: readonly ItemSignal[], limit: number): readonly ItemSignal[] {
  const nonZero = signals.filter((signal) => signal.signal !== 0);
  if (nonZero.length <= limit) return nonZero;
  return [...nonZero]
    .sort((a, b) => Math.abs(b.signal) - Math.abs(a.signal) || a.item - b.item)
    .slice(0, limit)
    .sort((a, b) => a.item - b.item);
}

function markSeen(scratch: Scratch, item: number, epoch: number): void {
  if (item >= 0 && item < scratch.seenStamp.length) scratch.seenStamp[item] = epoch;
}

function power(value: number, exponent: number): number {
  return exponent === 1 ? value : Math.pow(value, exponent);
}

function ratio(value: number, max: number): number {
  return max > 0 ? value / max : 0;
}

/**
 * `value / max` clamped to −1…1, so a strongly disliked neighbourhood cannot dominate. With no
 * positive value anywhere the signal is absent (its weight has moved elsewhere).
 */
function scaled(value: number, max: number): number {
  return max > 0 ? Math.max(-1, Math.min(1, value / max)) : 0;
}
